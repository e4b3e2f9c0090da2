"""What members tells the core about a person's account: their data, why the register keeps
their name and address, and what happens to an application when they close the account."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .models import Membership, MembershipStatus


def personal_data(person) -> dict[str, Any]:
    """The person's memberships as the register holds them, with their share ledger and payments."""
    memberships = (
        Membership.objects.with_holdings()
        .filter(person=person)
        .select_related("organisation", "stakeholder_class")
        .prefetch_related("share_transactions__payment")
        .order_by("applied_at")
    )
    return {
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "class": membership.stakeholder_class.name,
                "status": membership.status,
                "member_number": membership.member_number,
                "applied_at": membership.applied_at.isoformat(),
                "admitted_on": membership.admitted_on.isoformat() if membership.admitted_on else None,
                "ceased_on": membership.ceased_on.isoformat() if membership.ceased_on else None,
                "cessation_reason": membership.cessation_reason,
                "email_use": membership.email_use,
                "shares_held": membership.shares_held,
                "amount_paid_pence": membership.paid_pence,
                "amount_owed_pence": membership.owed_pence,
                "shares": [
                    {
                        "kind": item.kind,
                        "shares": item.shares,
                        "amount_pence": item.amount_pence,
                        "when": item.created_at.isoformat(),
                        "payment": _payment(item),
                    }
                    for item in membership.share_transactions.all()
                ],
            }
            for membership in memberships
        ]
    }


def _payment(item) -> dict[str, Any] | None:
    payment = getattr(item, "payment", None) if item.is_payable else None
    if payment is None:
        return None
    return {"method": payment.method, "reference": payment.reference, "paid_on": payment.paid_on.isoformat()}


def retention_reasons(person) -> list[str]:
    """Each society whose register of members holds the person must keep their name and address."""
    names = (
        Membership.objects.filter(person=person, status__in=[MembershipStatus.ADMITTED, MembershipStatus.CEASED])
        .values_list("organisation__name", flat=True)
        .distinct()
        .order_by("organisation__name")
    )
    return [
        _(
            "%(organisation)s must keep your name and postal address in its register of members, as the "
            "Co-operative and Community Benefit Societies Act 2014 requires. Closing your account does not end "
            "a membership: to leave, resign."
        )
        % {"organisation": name}
        for name in names
    ]


def on_account_close(person) -> None:
    """Applications still waiting for a decision are withdrawn: nobody is left to admit."""
    from . import services

    for membership in Membership.objects.filter(person=person, status=MembershipStatus.APPLIED):
        services.membership_application_withdraw(membership=membership, actor=person)
