"""Background work for members, run through django.tasks."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


@task()
def send_membership_decision(membership_id: int) -> None:
    """Tell an applicant, in their own language, whether they were admitted or refused."""
    from .models import Membership  # imported here: tasks are loaded before the app registry is ready

    membership = (
        Membership.objects.with_holdings()
        .select_related("person", "organisation__membership_rules", "stakeholder_class")
        .get(pk=membership_id)
    )
    language = membership.person.preferred_language or "en"
    with translation.override(language):
        # The truth about money: what is owed, and how to pay it, in the applicant's language.
        context = {
            "membership": membership,
            "organisation": membership.organisation,
            "rules": membership.rules,
            "payment_instructions": membership.rules.localised_payment_instructions(language),
        }
        subject = render_to_string("members/email/decision_subject.txt", context).strip()
        body = render_to_string("members/email/decision_body.txt", context)
    send_mail(subject, body, None, [membership.person.email])
