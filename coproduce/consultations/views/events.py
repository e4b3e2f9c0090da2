"""A consultation's events: the page (when, where, access, places left), registering for a place
or a place on the waiting list, the event as iCal, and a registration seen and cancelled from the
link in its confirmation email."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coproduce.core.views.helpers import call_service

from .. import selectors, services
from ..forms import RegistrationForm
from ..models import Event, Registration, RegistrationStatus
from .public import consultation_for, events_ical, ical_response, places_left

TOKEN_MAX_LENGTH = 200


def _event(request, pk: int, event_id: int) -> Event:
    consultation = consultation_for(request, pk)
    event = get_object_or_404(Event, pk=event_id, consultation=consultation)
    event.consultation = consultation
    return event


def _booked(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.BOOKED).count()


def registration_open(event: Event) -> bool:
    """People can register: the event takes registrations, is not cancelled and has not started."""
    return event.registration and event.cancelled_at is None and event.starts_at > timezone.now()


@require_http_methods(["GET", "POST"])
def event_page(request, pk: int, event: int):
    """An event: when, where, access, places left; the form to book a place or join the waiting list."""
    item = _event(request, pk, event)
    language = get_language()
    user = request.user
    initial = {"name": user.full_name, "email": user.email} if user.is_authenticated else None
    can_register = registration_open(item)
    form = RegistrationForm(request.POST if request.method == "POST" and can_register else None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = call_service(
            form,
            services.event_register,
            event=item,
            name=data["name"],
            email=data["email"],
            needs=data["needs"],
            person=user if user.is_authenticated else None,
            language=language or "en",
        )
        if result is not None and form.is_valid():
            registration, token = result
            if registration.status == RegistrationStatus.BOOKED:
                messages.success(
                    request,
                    _("You have a place. We have emailed a confirmation to %(email)s.") % {"email": registration.email},
                )
            else:
                messages.success(
                    request,
                    _(
                        "The event is full, so you are on the waiting list. "
                        "We will email %(email)s if a place comes free."
                    )
                    % {"email": registration.email},
                )
            return redirect("consultations:registration", token=token)
    booked = _booked(item)
    return render(
        request,
        "consultations/events/event.html",
        {
            "consultation": item.consultation,
            "event": item,
            "form": form,
            "can_register": can_register,
            "places_left": places_left(item, booked),
            "is_past": item.ends_at <= timezone.now(),
            "language": language,
        },
    )


@require_GET
def event_ics(request, pk: int, event: int):
    """The event as a calendar file."""
    item = _event(request, pk, event)
    content = events_ical([item], consultation=item.consultation, request=request, language=get_language())
    return ical_response(content, f"consultation-event-{item.pk}.ics")


def _registration(token: str) -> Registration:
    if len(token) > TOKEN_MAX_LENGTH:
        raise Http404
    registration = selectors.registration_for_token(token)
    if registration is None:
        raise Http404
    return registration


@require_http_methods(["GET", "POST"])
def registration(request, token: str):
    """A registration from its email's link: what it is (booked, waiting list, cancelled), and Cancel."""
    item = _registration(token)
    event = item.event
    consultation = event.consultation
    if request.method == "POST":
        # Cancel is offered only before the event starts (after it, the attendance recorded stays).
        if item.status != RegistrationStatus.CANCELLED and event.starts_at > timezone.now():
            try:
                services.registration_cancel(registration=item)
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
            else:
                messages.success(request, _("Your registration is cancelled."))
        return redirect("consultations:registration", token=token)
    position = None
    if item.status == RegistrationStatus.WAITING:
        position = (
            event.registrations.filter(status=RegistrationStatus.WAITING).filter(created_at__lt=item.created_at).count()
            + 1
        )
    return render(
        request,
        "consultations/events/registration.html",
        {
            "consultation": consultation,
            "event": event,
            "registration": item,
            "position": position,
            "token": token,
            "can_cancel": item.status != RegistrationStatus.CANCELLED and event.starts_at > timezone.now(),
            "language": get_language(),
        },
    )


urlpatterns = [
    path("consultations/<int:pk>/events/<int:event>/", event_page, name="event"),
    path("consultations/<int:pk>/events/<int:event>.ics", event_ics, name="event_ics"),
    path("consultations/registrations/<str:token>/", registration, name="registration"),
]
