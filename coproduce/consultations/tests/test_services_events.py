"""Events: registration with a waiting list, promotion, cancelling, attendance and notes."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce.consultations import selectors, services
from coproduce.consultations.models import EventKind, RegistrationStatus
from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import UserFactory

from .factories import ConsultationFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_event_add_checks_and_audits():
    consultation = ConsultationFactory()
    officer = UserFactory()
    start = timezone.now() + datetime.timedelta(days=5)
    with pytest.raises(ValidationError, match="end after"):
        services.event_add(
            consultation=consultation,
            actor=officer,
            kind=EventKind.DROP_IN,
            title="Drop-in",
            starts_at=start,
            ends_at=start,
            venue="Hall",
        )
    event = services.event_add(
        consultation=consultation,
        actor=officer,
        kind=EventKind.DROP_IN,
        title="Drop-in",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        venue="Hall",
        postcode="km1 1aa",
        capacity=2,
    )
    assert event.postcode == "KM1 1AA"
    assert AuditEvent.objects.filter(action="consultation.event_add", target_id=str(event.pk)).exists()


def test_waiting_list_and_promotion(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        first, token = services.event_register(event=event, name="Ann", email="ann@example.org")
        second, _t = services.event_register(event=event, name="Bo", email="BO@example.org", language="cy")
        third, _t = services.event_register(event=event, name="Cy", email="cy@example.org", language="cy")
        fourth, _t = services.event_register(event=event, name="Di", email="di@example.org")
    assert [r.status for r in (first, second, third, fourth)] == ["booked", "booked", "waiting", "waiting"]
    assert len(mail.outbox) == 4
    assert token in mail.outbox[0].body
    assert "waiting list" in mail.outbox[2].subject.lower() or "rhestr" in mail.outbox[2].subject.lower()
    with pytest.raises(ValidationError, match="already registered"):
        services.event_register(event=event, name="Bo again", email="bo@example.org")
    assert selectors.registration_for_token(token) == first
    assert selectors.registration_for_token(token + "x") is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == RegistrationStatus.BOOKED
    assert fourth.status == RegistrationStatus.WAITING
    assert [m.to for m in mail.outbox] == [["cy@example.org"]]
    assert "/cy/" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="already been cancelled"):
        services.registration_cancel(registration=first)
    # The same email may register again once cancelled (on the waiting list: the event is full).
    again, _t = services.event_register(event=event, name="Ann", email="ann@example.org")
    assert again.status == RegistrationStatus.WAITING
    # More places: the waiting list moves up.
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, actor=UserFactory(), capacity=4)
    fourth.refresh_from_db()
    again.refresh_from_db()
    assert fourth.status == again.status == RegistrationStatus.BOOKED
    counted = selectors.events(event.consultation).get()
    assert (counted.booked, counted.waiting) == (4, 0)


def test_registration_refusals():
    with pytest.raises(ValidationError, match="just come along"):
        services.event_register(event=EventFactory(registration=False), name="A", email="a@example.org")
    with pytest.raises(ValidationError, match="correct format"):
        services.event_register(event=EventFactory(), name="A", email="not an email")
    started = EventFactory(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="started"):
        services.event_register(event=started, name="A", email="a@example.org")
    cancelled = EventFactory(cancelled_at=timezone.now())
    with pytest.raises(ValidationError, match="cancelled"):
        services.event_register(event=cancelled, name="A", email="a@example.org")


def test_cancel_emails_everyone_registered(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    services.event_register(event=event, name="Ann", email="ann@example.org")
    services.event_register(event=event, name="Bo", email="bo@example.org")
    gone, _t = services.event_register(event=event, name="Cy", email="cy@example.org")
    gone.status = RegistrationStatus.CANCELLED
    gone.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=UserFactory())
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bo@example.org"]
    assert all("Cancelled" in m.subject for m in mail.outbox)
    with pytest.raises(ValidationError):
        services.event_cancel(event=event, actor=UserFactory())


def test_attendance_and_notes():
    event = EventFactory()
    officer = UserFactory()
    ann, _t = services.event_register(event=event, name="Ann", email="ann@example.org")
    bo, _t = services.event_register(event=event, name="Bo", email="bo@example.org")
    services.attendance_record(event=event, actor=officer, attended={ann.pk: True, bo.pk: False})
    event.refresh_from_db()
    assert event.attended_count == 1
    services.attendance_record(event=event, actor=officer, attended={}, attended_count=14)
    event.refresh_from_db()
    assert event.attended_count == 14
    other, _t = services.event_register(event=EventFactory(), name="X", email="x@example.org")
    with pytest.raises(ValidationError, match="not registered"):
        services.attendance_record(event=event, actor=officer, attended={other.pk: True})
    services.event_notes_save(event=event, actor=officer, notes="People asked about parking.")
    event.refresh_from_db()
    assert event.notes == "People asked about parking."
    assert AuditEvent.objects.filter(action="consultation.event_notes").count() == 1


def test_documents_must_be_pdfs(tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    consultation = ConsultationFactory()
    officer = UserFactory()
    fake = SimpleUploadedFile("proposal.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError, match="must be a PDF"):
        services.document_add(consultation=consultation, actor=officer, file=fake, title="Plan", summary="What")
    pdf = SimpleUploadedFile("proposal.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    with pytest.raises(ValidationError, match="summary"):
        services.document_add(consultation=consultation, actor=officer, file=pdf, title="Plan", summary=" ")
    document = services.document_add(
        consultation=consultation, actor=officer, file=pdf, title="The plan", summary="What it says"
    )
    assert document.size == len(b"%PDF-1.7\n...")
    assert document.file.name.endswith(".pdf")
    services.document_remove(document=document, actor=officer)
    assert not consultation.documents.exists()
