"""Budget rounds, ideas and projects in the admin: read-only (every write goes through the services)."""

from django.contrib import admin

from coproduce.core.admin import ReadOnlyMixin

from .models import BudgetRound, Idea, Project


@admin.register(BudgetRound)
class BudgetRoundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "place", "amount", "stage", "voting_open", "voting_close"]
    list_filter = ["stage"]
    exclude = ["ballots_pb"]


@admin.register(Idea)
class IdeaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "round", "status", "submitted_at"]
    list_filter = ["status"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "round", "cost", "status", "delivery_status"]
    list_filter = ["status", "delivery_status"]
