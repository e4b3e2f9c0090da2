"""Engagement events: road shows, focus groups, forums, drop-ins; registration with a waiting list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    ROAD_SHOW = "road_show", _("Road show")
    FOCUS_GROUP = "focus_group", _("Focus group")
    FORUM = "forum", _("Public forum")
    DROP_IN = "drop_in", _("Drop-in")
    COFFEE_MORNING = "coffee_morning", _("Coffee morning")
    ONLINE = "online", _("Online meeting")


class Event(models.Model):
    consultation = models.ForeignKey(
        "consultations.Consultation", verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200)
    address = models.CharField(_("address"), max_length=400, blank=True)
    postcode = models.CharField(_("postcode"), max_length=8, blank=True)
    access = models.TextField(_("access information"), max_length=2000, blank=True)
    access_cy = models.TextField(_("access information in Welsh"), max_length=2000, blank=True)
    # Null: no limit. Registration off: people just come (a drop-in); attendance is counted.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    registration = models.BooleanField(_("people register"), default=True)
    attended_count = models.PositiveIntegerField(_("people who came"), null=True, blank=True)
    notes = models.TextField(_("notes from the event"), max_length=20000, blank=True)
    notes_cy = models.TextField(_("notes from the event in Welsh"), max_length=20000, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title

    def localised(self, field: str, language: str | None) -> str:
        welsh = getattr(self, f"{field}_cy", "") if language == "cy" else ""
        return welsh or getattr(self, field)


class RegistrationStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A place at an event, or a place on its waiting list (first come, first offered)."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_event_registrations",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    needs = models.CharField(_("access or other needs"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    # Cancelling needs this token (kept only as a hash) from the confirmation email, or the account.
    token_hash = models.CharField(max_length=64, editable=False, db_index=True)
    attended = models.BooleanField(_("came"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="one_live_registration_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"
