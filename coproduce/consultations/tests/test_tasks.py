"""The emails' tasks: once each, in the recipient's language."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from coproduce.consultations import tasks
from coproduce.consultations.models import RegistrationStatus, Stage

from .factories import ConsultationFactory, EventFactory, RegistrationFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def test_feedback_is_sent_once():
    consultation = ConsultationFactory(closed=True, stage=Stage.FEEDBACK, said="Said", decision="Did")
    ResponseFactory(consultation=consultation, wants_feedback=True, email="a@example.org")
    assert tasks.send_feedback.call(consultation.pk) == 1
    assert tasks.send_feedback.call(consultation.pk) == 0
    assert len(mail.outbox) == 1


def test_feedback_waits_for_publication():
    consultation = ConsultationFactory(closed=True)
    ResponseFactory(consultation=consultation, wants_feedback=True, email="a@example.org")
    assert tasks.send_feedback.call(consultation.pk) == 0
    assert mail.outbox == []


def test_event_reminders_within_48_hours_once_and_booked_only():
    soon = EventFactory(starts_at=timezone.now() + datetime.timedelta(hours=30), title_cy="Sioe")
    later = EventFactory(starts_at=timezone.now() + datetime.timedelta(days=4))
    booked = RegistrationFactory(event=soon, email="booked@example.org", language="cy")
    RegistrationFactory(event=soon, status=RegistrationStatus.WAITING)
    RegistrationFactory(event=soon, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=later)
    assert tasks.send_event_reminders.call() == 1
    assert tasks.send_event_reminders.call() == 0
    assert [m.to for m in mail.outbox] == [["booked@example.org"]]
    assert "Sioe" in mail.outbox[0].subject
    booked.refresh_from_db()
    assert booked.reminded_at is not None
