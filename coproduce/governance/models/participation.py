"""What members do about meetings: requisition one, appoint a proxy, attend."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .meetings import REASON_MAX_LENGTH, TEXT_MAX_LENGTH


class Requisition(models.Model):
    """Members asking for a special general meeting, with what they want it to decide.

    Members with a vote sign it online, once each; when the signatures reach what the rules ask
    the secretary is told and the days to call the meeting start to run (``call_by``). The
    meeting called for it points back here (``Meeting.requisition``).
    """

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="requisitions"
    )
    purpose = models.TextField(
        _("why the members ask for a meeting"),
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    purpose_cy = models.TextField(
        _("why the members ask for a meeting, in Welsh"),
        blank=True,
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    proposed_resolutions = models.TextField(
        _("the resolutions proposed"), max_length=TEXT_MAX_LENGTH, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    # The signatures the rules asked for when it was reached (kept: the membership changes later).
    signatures_needed = models.PositiveIntegerField(_("signatures needed"), null=True, blank=True)
    reached_at = models.DateTimeField(_("enough members signed"), null=True, blank=True)
    call_by = models.DateField(_("the meeting must be called by"), null=True, blank=True)
    secretary_notified_at = models.DateTimeField(_("secretary told"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(reached_at__isnull=True) | Q(call_by__isnull=False, signatures_needed__isnull=False),
                name="requisition_reached_with_a_deadline",
            )
        ]

    def __str__(self) -> str:
        return self.purpose[:80]

    def localised_purpose(self, language: str | None) -> str:
        return self.purpose_cy if language == "cy" and self.purpose_cy else self.purpose


class RequisitionSignature(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="signatures")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)

    class Meta:
        ordering = ["requisition", "signed_at"]
        verbose_name = _("signature on a requisition")
        verbose_name_plural = _("signatures on requisitions")
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "person"],
                name="one_signature_per_member",
                violation_error_message=_("You have already signed this requisition."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.requisition} — {self.person}"


class Proxy(models.Model):
    """A member's appointment of a proxy for one general meeting: another member, or the chair
    (``holder`` empty); directed (how to vote on each resolution) or discretionary.

    One live proxy per member per meeting is the database's rule; a revoked one stays for the record.
    ``directions`` maps each resolution's id (as text) to ``for``, ``against`` or ``abstain``.
    """

    meeting = models.ForeignKey("governance.Meeting", on_delete=models.CASCADE, related_name="proxies")
    appointer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member appointing"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: the chair of the meeting, whoever that is on the day.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proxy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    directed = models.BooleanField(_("directed how to vote"), default=False)
    directions = models.JSONField(_("how to vote"), default=dict, blank=True)
    appointed_at = models.DateTimeField(_("appointed"), default=timezone.now)
    # Who lodged it: the member online, or the secretary entering a paper form.
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "appointed_at"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "appointer"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_proxy_per_member",
                violation_error_message=_("You have already appointed a proxy for this meeting."),
            ),
            models.CheckConstraint(
                condition=Q(holder__isnull=True) | ~Q(holder=F("appointer")), name="proxy_is_someone_else"
            ),
        ]
        indexes = [
            models.Index(
                fields=["meeting", "holder"], condition=Q(revoked_at__isnull=True), name="live_proxies_by_holder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointer} → {self.holder or _('the chair')}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @property
    def held_by_chair(self) -> bool:
        return self.holder_id is None

    def direction(self, resolution) -> str | None:
        """How a directed proxy must vote on ``resolution`` (None for a discretionary one)."""
        return self.directions.get(str(resolution.pk)) if self.directed else None


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class Attendance(models.Model):
    """A person on the meeting's attendance register: checked in by the secretary at the door, or
    by themself with the QR code on their notice (``checked_in_by`` empty)."""

    meeting = models.ForeignKey("governance.Meeting", on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("attending"), max_length=10, choices=AttendanceMode.choices)
    # Entitled to vote when checked in (a member of a class without a vote attends but does not vote).
    may_vote = models.BooleanField(_("may vote"), default=True)
    checked_in_at = models.DateTimeField(_("checked in"), default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "checked_in_at"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance register")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="one_attendance_per_person",
                violation_error_message=_("This person is already checked in."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_mode_display()})"
