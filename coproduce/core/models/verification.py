"""Verification of residents' addresses: what was checked, posted codes, and uploaded lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..verification import VerificationLevel


class VerificationQuerySet(models.QuerySet):
    def current(self) -> VerificationQuerySet:
        return self.filter(ended_at__isnull=True)


class Verification(models.Model):
    """One verification of a person at an address, by one method; ended when the address changes.

    The person's current level (``User.verification_level``) is the highest level among their
    current verifications, kept in step by the services.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="verifications"
    )
    method = models.CharField(_("method"), max_length=40)
    level = models.PositiveSmallIntegerField(_("level"), choices=VerificationLevel.choices)
    postcode = models.CharField(_("postcode verified"), max_length=8, blank=True)
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    council = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("council"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the officer saw (documents), or which list matched: erased when the account closes.
    evidence = models.TextField(_("evidence"), blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        ordering = ["-verified_at", "-id"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        indexes = [models.Index(fields=["person", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.method} ({self.verified_at:%Y-%m-%d})"


class LetterBatchStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to print")
    FAILED = "failed", _("Failed")
    EMPTY = "empty", _("Nobody was waiting for a letter")


class LetterBatch(models.Model):
    """One PDF of letters an officer prints and posts: each carries a one-time code.

    The PDF is made by a task and kept in the database with the codes' hashes, written in one
    transaction: either every letter in it can be used, or the batch failed and none exists.
    """

    council = models.ForeignKey(
        "core.Organisation", verbose_name=_("council"), on_delete=models.PROTECT, related_name="letter_batches"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LetterBatchStatus.choices, default=LetterBatchStatus.PENDING
    )
    letter_count = models.PositiveIntegerField(_("letters"), default=0)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    # The printable PDF; cleared once the codes in it have expired.
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    downloaded_at = models.DateTimeField(_("first downloaded"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("batch of letters")
        verbose_name_plural = _("batches of letters")

    def __str__(self) -> str:
        return f"{self.council} letters {self.created_at:%Y-%m-%d %H:%M}"


class LetterCodeQuerySet(models.QuerySet):
    def awaiting_letter(self) -> LetterCodeQuerySet:
        """Requested and not yet printed or cancelled."""
        return self.filter(batch__isnull=True, cancelled_at__isnull=True, used_at__isnull=True)

    def usable(self, *, now=None) -> LetterCodeQuerySet:
        """Printed, unused, unexpired, not cancelled, attempts left."""
        from ..verification import CODE_MAX_ATTEMPTS

        now = now or timezone.now()
        return self.filter(
            batch__isnull=False,
            used_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now,
            attempts__lt=CODE_MAX_ATTEMPTS,
        ).exclude(code_hash="")


class LetterCode(models.Model):
    """A resident's request for a code by post, then the code itself (only its keyed hash).

    Life: requested (no batch) → printed in a batch (hash, expiry) → used, or expired, or
    cancelled (address changed, account closed), or locked after too many wrong tries.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="letter_codes"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # The postcode the letter goes to: a code proves this address, not a later one.
    postcode = models.CharField(_("postcode"), max_length=8)
    batch = models.ForeignKey(
        LetterBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="codes",
    )
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = LetterCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("letter code")
        verbose_name_plural = _("letter codes")
        constraints = [
            # One open request per person: a second click does not post a second letter.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(batch__isnull=True, cancelled_at__isnull=True, used_at__isnull=True),
                name="one_letter_awaited_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} letter ({self.requested_at:%Y-%m-%d})"


class ResidentList(models.Model):
    """A list the council uploaded (e.g. an electoral-register extract), kept minimised.

    Only a keyed hash of each row's normalised name and postcode is kept (``ResidentListEntry``),
    and the whole list is deleted on ``delete_on``.
    """

    council = models.ForeignKey(
        "core.Organisation", verbose_name=_("council"), on_delete=models.PROTECT, related_name="resident_lists"
    )
    name = models.CharField(_("name of the list"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delete_on = models.DateField(_("delete on"))
    entry_count = models.PositiveIntegerField(_("entries"), default=0)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("resident list")
        verbose_name_plural = _("resident lists")

    def __str__(self) -> str:
        return self.name


class ResidentListEntry(models.Model):
    """One row of an uploaded list, reduced to a keyed hash of name and postcode."""

    resident_list = models.ForeignKey(ResidentList, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("resident list entry")
        verbose_name_plural = _("resident list entries")
        constraints = [models.UniqueConstraint(fields=["resident_list", "key"], name="one_entry_per_key_per_list")]

    def __str__(self) -> str:
        return self.key[:12]
