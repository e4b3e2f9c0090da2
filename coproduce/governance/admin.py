"""Meetings in the admin: read-only, for superusers (every write goes through the services).

Proxies and the attendance register are not here: a directed proxy says how a member means to
vote, and the register who came; the secretary sees them on the meeting's own pages.
"""

from django.contrib import admin

from coproduce.core.admin import ReadOnlyMixin, SuperuserOnlyMixin

from .models import AgendaItem, Meeting, MeetingRules, Minutes, Requisition, Resolution


@admin.register(MeetingRules)
class MeetingRulesAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["organisation", "effective_from", "notice_agm_days", "quorum_number", "quorum_rule"]
    list_select_related = ["organisation"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "starts_at", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["organisation"]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "meeting", "order"]


@admin.register(Resolution)
class ResolutionAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "meeting", "kind", "method", "passed", "declared_at"]
    list_filter = ["kind", "method", "passed"]


@admin.register(Requisition)
class RequisitionAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["purpose", "organisation", "opened_at", "reached_at", "call_by"]


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["meeting", "status", "approved_at", "published_at"]
    list_filter = ["status"]
