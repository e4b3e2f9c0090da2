"""A consultation's events: the page with access and places left, booking a place or joining the
waiting list (said clearly), cancelling by the emailed link (the first waiting promoted), iCal,
Welsh, and garbage never a 500."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from coproduce.consultations.models import Registration, RegistrationStatus
from coproduce.consultations.tests.factories import ConsultationFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def event_url(event, tail=""):
    return f"/consultations/{event.consultation_id}/events/{event.pk}/{tail}"


def book(client, event, capture, email="sam@example.org", name="Sam"):
    with capture(execute=True):
        return client.post(event_url(event), {"name": name, "email": email, "needs": "A hearing loop"})


def test_the_event_page_says_when_where_access_and_places_left(client):
    event = EventFactory(title="Road show", title_cy="Sioe deithiol", capacity=3, access_cy="Mynediad heb risiau.")
    RegistrationFactory(event=event)
    page = client.get(event_url(event)).content.decode()
    assert "Road show" in page and "Kingsmere Library" in page and "Step-free entrance" in page
    assert "2 places left" in page and "Book a place" in page
    assert f'href="/consultations/{event.consultation_id}/events/{event.pk}.ics"' in page
    welsh = client.get(f"/cy{event_url(event)}").content.decode()
    assert "Sioe deithiol" in welsh and "Mynediad heb risiau." in welsh


def test_booking_then_the_waiting_list_then_a_cancellation_promotes(client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    booked = book(client, event, django_capture_on_commit_callbacks)
    assert booked.status_code == 302 and "/consultations/registrations/" in booked["Location"]
    page = client.get(booked["Location"]).content.decode()
    assert "You have a place" in page and "Cancel my place" in page
    first = Registration.objects.get(email="sam@example.org")
    assert first.status == RegistrationStatus.BOOKED and first.needs == "A hearing loop"
    link = re.search(r"/consultations/registrations/[^\s/]+/", mail.outbox[-1].body).group(0)
    assert link == booked["Location"]
    # Full: the page says so, and the next person joins the waiting list.
    full = client.get(event_url(event)).content.decode()
    assert "Join the waiting list" in full and "The event is full" in full
    waiting = book(client, event, django_capture_on_commit_callbacks, email="alex@example.org", name="Alex")
    page = client.get(waiting["Location"]).content.decode()
    assert "You are on the waiting list" in page and "number 1 on the waiting list" in page
    # The same email twice is refused on the page.
    again = book(client, event, django_capture_on_commit_callbacks)
    assert again.status_code == 200 and "already registered" in again.content.decode()
    # Sam cancels by the emailed link: Alex gets the place.
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(booked["Location"])
    assert cancelled.status_code == 302
    assert "Your registration is cancelled" in client.get(booked["Location"]).content.decode()
    assert Registration.objects.get(email="alex@example.org").status == RegistrationStatus.BOOKED
    # Cancelling twice does nothing more.
    assert client.post(booked["Location"]).status_code == 302


def test_registration_form_errors_are_shown_beside_the_fields(client):
    event = EventFactory()
    page = client.post(event_url(event), {"name": "", "email": "nope", "needs": "x" * 2000})
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text
    assert "Enter your name" in text and "correct format" in text and "1000 characters or fewer" in text
    assert not Registration.objects.exists()


def test_no_form_for_a_drop_in_a_cancelled_or_a_past_event(client):
    drop_in = EventFactory(registration=False, capacity=None)
    assert "just come along" in client.get(event_url(drop_in)).content.decode()
    assert client.post(event_url(drop_in), {"name": "A", "email": "a@example.org"}).status_code == 200
    assert not Registration.objects.exists()
    cancelled = EventFactory(cancelled_at=timezone.now())
    assert "has been cancelled" in client.get(event_url(cancelled)).content.decode()
    past = EventFactory(starts_at=timezone.now() - timezone.timedelta(days=2))
    assert "has taken place" in client.get(event_url(past)).content.decode()


def test_the_event_as_ical(client):
    event = EventFactory(title="Forum")
    response = client.get(f"/consultations/{event.consultation_id}/events/{event.pk}.ics")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1 and "Forum" in str(events[0]["SUMMARY"])


@pytest.mark.parametrize(
    "path",
    [
        "/consultations/{pk}/events/999999/",
        "/consultations/{pk}/events/999999.ics",
        "/consultations/{other}/events/{event}/",
        "/consultations/registrations/nonsense/",
        "/consultations/registrations/" + "x" * 500 + "/",
    ],
)
def test_garbage_is_never_a_500(client, path):
    event = EventFactory()
    other = ConsultationFactory()
    target = path.format(pk=event.consultation_id, other=other.pk, event=event.pk)
    assert client.get(target).status_code == 404
    assert client.post(target, {"name": "\x00", "email": "@"}).status_code in (404, 405)


def test_an_event_of_a_draft_consultation_is_not_found(client):
    event = EventFactory(consultation=ConsultationFactory(draft=True))
    assert client.get(event_url(event)).status_code == 404
