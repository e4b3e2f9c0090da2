"""Background work for consultations, run through django.tasks: the emails.

Every email is rendered in its recipient's language (the response's or the registration's),
subject and links included (a Welsh reader's links go to the ``/cy/`` pages). Emails that must go
once are claimed in one statement before sending (``feedback_sent_at``, ``reminded_at``), so a
second run or a second worker sends nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

# Messages handed to the mail connection at a time, in a bulk email.
CHUNK = 200
# Registrations are reminded of an event starting within this time.
REMIND_BEFORE = datetime.timedelta(hours=48)

Link = tuple[str, tuple[Any, ...]]


def _message(
    email: str, language: str, template: str, context: dict[str, Any], link: Link | str | None = None
) -> EmailMessage:
    """Render ``consultations/email/<template>_subject.txt`` and ``_body.txt`` in ``language``.

    ``link`` is a URL name and its arguments, reversed in that language, or a ready link."""
    from coproduce.core.accounts import site_name, site_url

    language = language if language in ("en", "cy") else "en"
    with translation.override(language):
        consultation = context["consultation"]
        url = site_url(reverse(link[0], args=link[1])) if isinstance(link, tuple) else link or ""
        context = {
            **context,
            "language": language,
            "site_name": site_name(),
            "title": consultation.localised_title(language),
            "link": url,
        }
        subject = " ".join(render_to_string(f"consultations/email/{template}_subject.txt", context).split())
        body = render_to_string(f"consultations/email/{template}_body.txt", context)
    return EmailMessage(subject, body, None, [email])


def _address(response) -> str:
    return response.email or (response.person.email if response.person_id and response.person.is_active else "")


# Responding --------------------------------------------------------------------------------------


@task()
def send_response_copy(response_id: int) -> None:
    """Email the respondent a copy of their answers (to the address they gave, or their account's)."""
    from . import selectors
    from .models import Response, ResponseState

    response = Response.objects.select_related("consultation", "person", "version").get(pk=response_id)
    address = _address(response)
    if response.state != ResponseState.SUBMITTED or not address:
        return
    with translation.override(response.language):
        answers = selectors.answers_in_words(response, response.language)
    _message(
        address,
        response.language,
        "response_copy",
        {"consultation": response.consultation, "response": response, "answers": answers},
        ("consultations:detail", (response.consultation_id,)),
    ).send()


@task()
def send_resume_link(response_id: int, email: str, link: str) -> None:
    """Email the link back to a saved response ("save and come back")."""
    from .models import Response, ResponseState

    response = Response.objects.select_related("consultation").get(pk=response_id)
    if response.state != ResponseState.DRAFT:
        return
    _message(
        email, response.language, "resume", {"consultation": response.consultation, "response": response}, link
    ).send()


# Events ------------------------------------------------------------------------------------------


def _registration_message(registration, template: str, link: Link | str | None = None) -> EmailMessage:
    event = registration.event
    return _message(
        registration.email,
        registration.language,
        template,
        {"consultation": event.consultation, "event": event, "registration": registration},
        link or ("consultations:event", (event.consultation_id, event.pk)),
    )


@task()
def send_registration(registration_id: int, token: str) -> None:
    """Confirm a place (or a place on the waiting list), with the link to see or cancel it."""
    from .models import Registration

    registration = Registration.objects.select_related("event__consultation").get(pk=registration_id)
    _registration_message(registration, "registration", ("consultations:registration", (token,))).send()


@task()
def send_promoted(registration_id: int) -> None:
    """Tell someone on the waiting list that a place is now theirs."""
    from .models import Registration, RegistrationStatus

    registration = Registration.objects.select_related("event__consultation").get(pk=registration_id)
    if registration.status != RegistrationStatus.BOOKED or registration.event.cancelled_at:
        return
    _registration_message(registration, "promoted").send()


@task()
def send_event_cancelled(event_id: int) -> None:
    """Tell everyone booked or waiting that the event is cancelled."""
    from .models import Event, RegistrationStatus

    event = Event.objects.select_related("consultation").get(pk=event_id)
    registrations = event.registrations.exclude(status=RegistrationStatus.CANCELLED).order_by("pk")
    batch = []
    with mailers.default as connection:
        for registration in registrations.iterator(chunk_size=CHUNK):
            registration.event = event
            batch.append(_registration_message(registration, "event_cancelled"))
            if len(batch) >= CHUNK:
                connection.send_messages(batch)
                batch = []
        if batch:
            connection.send_messages(batch)


def reminders_due(now=None):
    """Booked registrations, not yet reminded, of events that start within ``REMIND_BEFORE``."""
    from .models import Registration, RegistrationStatus

    now = now or timezone.now()
    return Registration.objects.filter(
        status=RegistrationStatus.BOOKED,
        reminded_at__isnull=True,
        event__cancelled_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMIND_BEFORE,
    )


@task()
def send_event_reminders(event_id: int | None = None) -> int:
    """Remind those booked on events starting within 48 hours, once each (``reminded_at``); only
    ``event_id``'s when given. Returns how many were reminded."""
    from .models import Registration

    due = reminders_due()
    if event_id is not None:
        due = due.filter(event_id=event_id)
    sent = 0
    for registration in due.select_related("event__consultation").order_by("event__starts_at", "pk"):
        claimed = Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        )
        if claimed:
            _registration_message(registration, "reminder").send()
            sent += 1
    return sent


# "You said, we did" ------------------------------------------------------------------------------


def feedback_due(consultation_id: int | None = None):
    """Sent responses whose respondent asked to hear what was decided and has not been told yet."""
    from django.db.models import Q

    from .models import Response, ResponseState, Stage

    responses = Response.objects.filter(
        state=ResponseState.SUBMITTED,
        wants_feedback=True,
        feedback_sent_at__isnull=True,
        consultation__stage=Stage.FEEDBACK,
    ).filter(~Q(email="") | Q(person__isnull=False, person__is_active=True) & ~Q(person__email=""))
    if consultation_id is not None:
        responses = responses.filter(consultation_id=consultation_id)
    return responses


@task()
def send_feedback(consultation_id: int) -> int:
    """Email "you said, we did" to each respondent who asked, once, in their response's language."""
    from .models import Consultation, Response, Stage

    consultation = Consultation.objects.get(pk=consultation_id)
    if consultation.stage != Stage.FEEDBACK:
        return 0
    link = ("consultations:feedback", (consultation.pk,))
    sent = 0
    batch: list[EmailMessage] = []
    with mailers.default as connection:
        for response in (
            feedback_due(consultation_id).select_related("person").order_by("pk").iterator(chunk_size=CHUNK)
        ):
            claimed = Response.objects.filter(pk=response.pk, feedback_sent_at__isnull=True).update(
                feedback_sent_at=timezone.now()
            )
            if not claimed:
                continue
            batch.append(
                _message(
                    _address(response),
                    response.language,
                    "feedback",
                    {"consultation": consultation, "response": response},
                    link,
                )
            )
            if len(batch) >= CHUNK:
                sent += connection.send_messages(batch) or 0
                batch = []
        if batch:
            sent += connection.send_messages(batch) or 0
    return sent
