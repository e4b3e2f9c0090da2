"""Members' data in the admin is read-only: registers and the share ledger change only through the services."""

from django.contrib import admin

from coproduce.core.admin import ReadOnlyMixin

from .models import Membership, ShareTransaction, StakeholderClass


@admin.register(StakeholderClass)
class StakeholderClassAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "has_voting_rights", "open_to_applications"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]


class ShareTransactionInline(ReadOnlyMixin, admin.TabularInline):
    model = ShareTransaction
    extra = 0
    fields = readonly_fields = ["kind", "shares", "amount_pence", "created_at", "created_by"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "person",
        "organisation",
        "stakeholder_class",
        "status",
        "member_number",
        "admitted_on",
        "ceased_on",
    ]
    list_filter = ["status", "organisation"]
    search_fields = ["person__email", "person__full_name"]
    list_select_related = ["person", "organisation", "stakeholder_class"]
    inlines = [ShareTransactionInline]
