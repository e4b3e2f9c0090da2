from django.contrib import admin

from .models import Membership, ShareTransaction, StakeholderClass


@admin.register(StakeholderClass)
class StakeholderClassAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "has_voting_rights", "open_to_applications"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]


class ShareTransactionInline(admin.TabularInline):
    """Read-only: the ledger changes only through the services."""

    model = ShareTransaction
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "shares", "amount_pence", "paid", "created_at", "created_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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
    readonly_fields = ["status", "member_number", "admitted_on", "ceased_on", "decided_at", "decided_by"]
    raw_id_fields = ["person"]
    inlines = [ShareTransactionInline]
