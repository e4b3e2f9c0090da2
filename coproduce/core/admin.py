"""The back office: officers use Django's admin for what has no page of its own yet."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Organisation, Place, Postcode, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ["postcode", "ward"]
    search_fields = ["postcode"]
    list_select_related = ["ward"]
    autocomplete_fields = ["ward"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "legal_form", "registration_number", "area"]
    list_filter = ["kind", "legal_form"]
    search_fields = ["name", "registration_number"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["area"]
    inlines = [RoleInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is immutable."""

    list_display = ["created_at", "action", "organisation", "actor", "summary"]
    list_filter = ["action"]
    list_select_related = ["organisation", "actor"]
    search_fields = ["summary", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
