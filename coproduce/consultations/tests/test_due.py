"""consultations_due: reminders of events within 48 hours and unsent "you said, we did", once."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from coproduce.consultations.models import Stage

from .factories import ConsultationFactory, EventFactory, RegistrationFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("consultations_due", stdout=out)
    return out.getvalue()


def test_reminds_once_and_sends_feedback_left_unsent():
    soon = EventFactory(title="Road show at the library", starts_at=timezone.now() + datetime.timedelta(hours=20))
    RegistrationFactory(event=soon)
    RegistrationFactory(event=soon)
    RegistrationFactory(event=EventFactory(starts_at=timezone.now() + datetime.timedelta(days=3)))
    RegistrationFactory(
        event=EventFactory(starts_at=timezone.now() + datetime.timedelta(hours=5), cancelled_at=timezone.now())
    )
    consultation = ConsultationFactory(closed=True, stage=Stage.FEEDBACK, title="Buses", said="s", decision="d")
    ResponseFactory(consultation=consultation, wants_feedback=True, email="a@example.org")
    ResponseFactory(consultation=consultation, wants_feedback=True)  # no address: nothing to do
    output = run()
    assert output.splitlines() == [
        f"Reminded 2 booked on Road show at the library (event {soon.pk}, {soon.consultation.title}).",
        f"Sent “you said, we did” of Buses (consultation {consultation.pk}) to 1 respondents.",
    ]
    assert len(mail.outbox) == 3
    assert run() == ""
    assert len(mail.outbox) == 3
