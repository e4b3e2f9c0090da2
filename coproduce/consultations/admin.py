"""Consultations in the admin: read-only (every write goes through the services).

Equality monitoring answers are not in the admin at all: they are read only in aggregate, with small
groups suppressed, by the equalities role. Responses are listed without their answers or email.
"""

from django.contrib import admin

from coproduce.core.admin import ReadOnlyMixin

from .models import Consultation, Event, Response, SurveyVersion, Theme


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "place", "stage", "opens_at", "closes_at"]
    list_filter = ["stage", "audience"]
    search_fields = ["title"]


@admin.register(SurveyVersion)
class SurveyVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["consultation", "number", "locked", "note", "created_at"]
    list_filter = ["locked"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["pk", "consultation", "version", "state", "channel", "submitted_at", "published_at"]
    list_filter = ["state", "channel"]
    fields = ["consultation", "version", "state", "channel", "ward", "submitted_at", "published_at"]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "consultation"]


@admin.register(Event)
class EventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "consultation", "kind", "starts_at", "venue", "capacity", "cancelled_at"]
    list_filter = ["kind"]
