"""The back office, for superusers alone.

Council officers and secretaries work on the site's own pages (the programme workspace, the
organisation's workspace), never here: every ModelAdmin below is superuser-only, whatever
permissions or groups a staff account holds. Nothing here writes around the services either:
organisations and places are saved through them (and audited), roles are granted through
``role_grant``, and everything else is read-only.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEvent, Organisation, Place, Postcode, Role, User


class SuperuserOnlyMixin:
    """Only a superuser sees, adds, changes or deletes these; model permissions count for nothing."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class ReadOnlyMixin:
    """Written only by the services: nobody adds, changes or deletes here (put it before SuperuserOnlyMixin)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "ward", "preferred_language", "is_staff"]
    search_fields = ["email", "full_name", "postcode"]
    list_filter = ["is_staff", "is_active", "preferred_language"]
    list_select_related = ["ward"]
    autocomplete_fields = ["ward"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Details"),
            {"fields": ["full_name", "address", "postcode", "ward", "preferred_language", "access_needs"]},
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyMixin, BaseGroupAdmin):
    pass


@admin.register(Place)
class PlaceAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        services.place_save(place=obj, actor=request.user, changed=list(form.changed_data))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Postcode)
class PostcodeAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    """Postcodes come from the ONS directory (``import_postcodes``), audited there."""

    list_display = ["postcode", "ward"]
    search_fields = ["postcode"]
    list_select_related = ["ward"]


class RoleInline(SuperuserOnlyMixin, admin.TabularInline):
    """Roles are granted here through ``role_grant``; a granted role is never edited, only ended."""

    model = Role
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "kind", "started_at", "ended_at"]
    readonly_fields = ["started_at", "ended_at"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "legal_form", "registration_number", "area", "contact_name"]
    list_filter = ["kind", "legal_form"]
    search_fields = ["name", "registration_number"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["area"]
    inlines = [RoleInline]

    def save_model(self, request, obj, form, change):
        services.organisation_save(organisation=obj, actor=request.user, changed=list(form.changed_data))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Role:  # pragma: no cover - the only inline
            raise ValueError("Unexpected inline")
        for role in formset.save(commit=False):
            if role.pk is None:
                services.role_grant(organisation=form.instance, person=role.person, kind=role.kind, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    """Read-only: the trail is immutable."""

    list_display = ["created_at", "action", "organisation", "actor", "summary"]
    list_filter = ["action"]
    list_select_related = ["organisation", "actor"]
    search_fields = ["summary", "action"]
