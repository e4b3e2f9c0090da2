"""Panels in the admin: read-only (every write goes through the services). Registrants' answers
and contact details are not listed: they are seen on the officers' pages only."""

from django.contrib import admin

from coproduce.core.admin import ReadOnlyMixin

from .models import Panel, Session, Target


@admin.register(Panel)
class PanelAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "place", "size", "stage", "registration_opens", "registration_closes"]
    list_filter = ["stage", "algorithm"]
    exclude = ["result"]


@admin.register(Target)
class TargetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["panel", "feature", "value", "minimum", "maximum", "census_share"]


@admin.register(Session)
class SessionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "panel", "starts_at", "ends_at", "venue"]
