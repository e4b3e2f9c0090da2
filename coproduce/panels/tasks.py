"""Background work for resident panels, run through django.tasks: the selection, and the emails.

Every email is rendered in its recipient's language (the language they registered in), subject
and links included (a Welsh reader's links go to the ``/cy/`` pages). People registered by phone
without an email address are told by the officers instead (the members page lists them).
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

# Messages handed to the mail connection at a time, in a bulk email.
CHUNK = 200


def _message(registrant, template: str, context: dict[str, Any], link: tuple[str, tuple] | None = None) -> EmailMessage:
    """Render ``panels/email/<template>_subject.txt`` and ``_body.txt`` in the registrant's language."""
    from coproduce.core.accounts import site_name, site_url

    language = registrant.language if registrant.language in ("en", "cy") else "en"
    with translation.override(language):
        panel = registrant.panel
        context = {
            **context,
            "recipient": registrant,
            "panel": panel,
            "language": language,
            "site_name": site_name(),
            "council": panel.organisation.name,
            "title": panel.localised("title", language),
            "link": site_url(reverse(link[0], args=link[1])) if link else "",
            "panel_link": site_url(reverse("panels:detail", args=(panel.pk,))),
        }
        subject = " ".join(render_to_string(f"panels/email/{template}_subject.txt", context).split())
        body = render_to_string(f"panels/email/{template}_body.txt", context)
    return EmailMessage(subject, body, None, [registrant.email])


def _send_all(messages) -> int:
    batch: list[EmailMessage] = []
    sent = 0
    with mailers.default as connection:
        for message in messages:
            batch.append(message)
            if len(batch) >= CHUNK:
                sent += connection.send_messages(batch) or 0
                batch = []
        if batch:
            sent += connection.send_messages(batch) or 0
    return sent


def _registrants(**filters):
    from .models import Registrant

    return Registrant.objects.select_related("panel__organisation").filter(**filters).order_by("public_id")


@task()
def select_panel(panel_id: int) -> None:
    """Make the selection (see ``services.selection_run``): progress is saved as it goes."""
    from . import services
    from .models import Panel

    services.selection_run(panel=Panel.objects.get(pk=panel_id))


@task()
def send_registration_confirmation(registrant_id: int) -> None:
    registrant = _registrants(pk=registrant_id).first()
    if registrant is None or not registrant.email:
        return
    _message(registrant, "registered", {"code_shown": registrant.public_id}).send()


@task()
def send_selection_invitations(panel_id: int) -> int:
    """Invite everyone selected to confirm or decline, each with their own link."""
    from .models import RegistrantStatus
    from .services import token_issue

    def messages():
        for registrant in _registrants(panel_id=panel_id, status=RegistrantStatus.SELECTED).exclude(email=""):
            token = token_issue(registrant)
            yield _message(registrant, "selected", {}, ("panels:place", (token,)))

    return _send_all(messages())


@task()
def send_not_selected(panel_id: int) -> int:
    """Tell everyone not selected (by email where they gave one), once; their letter is marked sent."""
    from .models import Invitation, RegistrantStatus

    people = list(_registrants(panel_id=panel_id, status=RegistrantStatus.RESERVE))
    sent = _send_all(_message(r, "not_selected", {}) for r in people if r.email)
    Invitation.objects.filter(pk__in={r.invitation_id for r in people}, outcome_letter_at__isnull=True).update(
        outcome_letter_at=timezone.now()
    )
    return sent


@task()
def send_replacement(registrant_id: int, token: str) -> None:
    registrant = _registrants(pk=registrant_id).first()
    if registrant is None or not registrant.email:
        return
    _message(registrant, "replacement", {}, ("panels:place", (token,))).send()
