"""Background work for meetings, run through django.tasks: the notices, and telling the secretary.

Every email is rendered in its recipient's preferred language, subject included. The notice of a
meeting is one task that emails everyone who takes notices by email, in chunks over one mail
connection, with the meeting attached as an iCal file; then makes the one printable PDF of the
notices to post to everyone else.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

# Messages handed to the mail connection at a time.
CHUNK = 200


def _message(person, template: str, context: dict[str, Any]) -> EmailMessage:
    """Render ``governance/email/<template>_subject.txt`` and ``_body.txt`` (the context already in
    ``person``'s language)."""
    subject = " ".join(render_to_string(f"governance/email/{template}_subject.txt", context).split())
    body = render_to_string(f"governance/email/{template}_body.txt", context)
    return EmailMessage(subject, body, None, [person.email])


def _notice_message(meeting, person) -> EmailMessage:
    from . import notices

    language = person.preferred_language or "en"
    with translation.override(language):
        message = _message(person, "notice", notices.notice_context(meeting, person, language))
        message.attach(f"meeting-{meeting.pk}.ics", notices.meeting_ical(meeting, language=language), "text/calendar")
    return message


def _meeting(meeting_id: int):
    from .models import Meeting  # imported here: tasks load before the app registry is ready

    return Meeting.objects.select_related("organisation", "rules").get(pk=meeting_id)


@task()
def send_notices(meeting_id: int) -> None:
    """Email the notice of a meeting to those who take notices by email, and make the notices to post."""
    from . import notices
    from .models import NoticeLetters

    meeting = _meeting(meeting_id)
    by_email, by_post = notices.recipients(meeting)
    batch: list[EmailMessage] = []
    with mailers.default as connection:
        for person in by_email:
            batch.append(_notice_message(meeting, person))
            if len(batch) >= CHUNK:
                connection.send_messages(batch)
                batch = []
        if batch:
            connection.send_messages(batch)
    if by_post:
        NoticeLetters.objects.update_or_create(
            meeting=meeting, defaults={"pdf": notices.letters_pdf(meeting, by_post), "letters": len(by_post)}
        )


@task()
def send_requisition_reached(requisition_id: int) -> None:
    """Tell the organisation's secretaries (or, with none, its board) that a requisition reached its
    signatures and by when the meeting must be called."""
    from coproduce.core.accounts import site_name
    from coproduce.core.models import Role, RoleKind

    from .models import Requisition

    requisition = Requisition.objects.select_related("organisation").get(pk=requisition_id)
    organisation = requisition.organisation
    roles = Role.objects.current().filter(organisation=organisation).select_related("person")
    people = [role.person for role in roles if role.kind == RoleKind.SECRETARY] or [
        role.person for role in roles if role.kind == RoleKind.BOARD_MEMBER
    ]
    signatures = requisition.signatures.count()
    for person in sorted({p.pk: p for p in people if p.email and p.is_active}.values(), key=lambda p: p.pk):
        language = person.preferred_language or "en"
        with translation.override(language):
            context = {
                "recipient": person,
                "organisation": organisation,
                "requisition": requisition,
                "purpose": requisition.localised_purpose(language),
                "signatures": signatures,
                "site_name": site_name(),
            }
            _message(person, "requisition_reached", context).send()
    type(requisition).objects.filter(pk=requisition.pk).update(secretary_notified_at=timezone.now())
