"""Background work for members, run through django.tasks.

Every email is rendered in its recipient's preferred language, subject included.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


def _send(person, template: str, context: dict[str, Any]) -> None:
    """Render ``members/email/<template>_subject.txt`` and ``_body.txt`` in ``person``'s language and send."""
    from coproduce.core.accounts import site_name

    language = person.preferred_language or "en"
    with translation.override(language):
        context = {**context, "recipient": person, "language": language, "site_name": site_name()}
        subject = " ".join(render_to_string(f"members/email/{template}_subject.txt", context).split())
        body = render_to_string(f"members/email/{template}_body.txt", context)
    send_mail(subject, body, None, [person.email])


def _membership(membership_id: int):
    from .models import Membership  # imported here: tasks are loaded before the app registry is ready

    return (
        Membership.objects.with_holdings()
        .select_related("person", "organisation__membership_rules", "stakeholder_class")
        .get(pk=membership_id)
    )


@task()
def send_membership_decision(membership_id: int) -> None:
    """Tell an applicant, in their own language, whether they were admitted or refused."""
    membership = _membership(membership_id)
    language = membership.person.preferred_language or "en"
    # The truth about money: what is owed, and how to pay it, in the applicant's language.
    _send(
        membership.person,
        "decision",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "rules": membership.rules,
            "payment_instructions": membership.rules.localised_payment_instructions(language),
        },
    )


@task()
def send_application_acknowledgement(membership_id: int) -> None:
    """Tell the applicant their application arrived, with its reference and what happens next."""
    membership = _membership(membership_id)
    _send(
        membership.person,
        "application_received",
        {"membership": membership, "organisation": membership.organisation, "rules": membership.rules},
    )


@task()
def send_application_to_secretaries(membership_id: int) -> None:
    """Tell every current secretary of the organisation that an application is waiting for them."""
    from coproduce.core.models import Role, RoleKind

    membership = _membership(membership_id)
    secretaries = (
        Role.objects.current()
        .filter(organisation=membership.organisation, kind=RoleKind.SECRETARY, person__is_active=True)
        .select_related("person")
        .order_by("pk")
    )
    for role in secretaries:
        _send(
            role.person,
            "application_to_secretary",
            {"membership": membership, "organisation": membership.organisation},
        )


@task()
def send_membership_ended(membership_id: int) -> None:
    """Tell a member who resigned (or withdrew their last share) that they have left, and what
    happens to their money: repaid within the rules' period, or cancelled."""
    from django.db.models import Sum

    from .models import ShareTransactionKind

    membership = _membership(membership_id)
    rules = membership.rules
    ledger = membership.share_transactions.filter(created_at__date__gte=membership.ceased_on)
    repaid = -(ledger.filter(kind=ShareTransactionKind.WITHDRAWAL).aggregate(t=Sum("amount_pence"))["t"] or 0)
    _send(
        membership.person,
        "membership_ended",
        {"membership": membership, "organisation": membership.organisation, "rules": rules, "repaid_pence": repaid},
    )
