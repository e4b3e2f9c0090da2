"""The ballot box in the admin: the boxes only, read-only.

Marks and ballots are never registered with the admin: a page listing both would be the
one place a person and a ballot could sit side by side.
"""

from django.contrib import admin

from coproduce.core.admin import ReadOnlyMixin

from .models import BallotBox


@admin.register(BallotBox)
class BallotBoxAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "app_label", "kind", "status", "electorate_size", "opened_at", "closed_at"]
    list_filter = ["app_label", "status"]
