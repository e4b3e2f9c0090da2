"""A panel, the addresses it may write to, the invitations drawn, its targets and its sessions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 8000
# The feature a panel's ward targets use (the others are keys of core.equality's bank).
WARD_FEATURE = "ward"


class Algorithm(models.TextChoices):
    LEXIMIN = "leximin", _("LEXIMIN (the fairest: raises the lowest chances first)")
    MAXIMIN = "maximin", _("Maximin (raises the lowest chance only)")


class Stage(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    INVITING = "inviting", _("Letters drawn")
    REGISTERING = "registering", _("Taking registrations")
    SELECTING = "selecting", _("Selecting")
    SELECTED = "selected", _("Selected, not yet published")
    PUBLISHED = "published", _("Selection published")


class Panel(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="panels"
    )
    place = models.ForeignKey("core.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    purpose = models.TextField(_("what it is for"), max_length=TEXT_MAX_LENGTH)
    purpose_cy = models.TextField(_("what it is for, in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True)
    size = models.PositiveIntegerField(_("panel size"), validators=[MinValueValidator(1)])
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    payment_policy = models.TextField(_("payment and expenses"), max_length=TEXT_MAX_LENGTH, blank=True)
    payment_policy_cy = models.TextField(_("payment and expenses, in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True)
    benefits_guidance = models.TextField(_("guidance for people on benefits"), max_length=TEXT_MAX_LENGTH, blank=True)
    benefits_guidance_cy = models.TextField(
        _("guidance for people on benefits, in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    # Bank question keys (and "ward") the targets use, in order.
    categories = models.JSONField(_("categories"), default=list, blank=True)
    one_registration_per_household = models.BooleanField(_("one registration per household"), default=False)
    one_selected_per_household = models.BooleanField(_("at most one person per household selected"), default=True)
    algorithm = models.CharField(_("algorithm"), max_length=20, choices=Algorithm.choices, default=Algorithm.LEXIMIN)
    # Addresses in these wards get letters in Welsh (unless the address file says otherwise).
    welsh_wards = models.ManyToManyField(
        "core.Place", verbose_name=_("wards written to in Welsh"), blank=True, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    # The invitation lottery.
    invitation_seed = models.CharField(_("seed for the letters"), max_length=100, blank=True)
    invitations_proportional = models.BooleanField(_("in proportion to each ward's households"), default=True)
    invited_at = models.DateTimeField(_("letters drawn"), null=True, blank=True)
    # The selection: the seed is published (or typed in from a public ceremony) before the draw.
    selection_seed = models.CharField(_("seed for the selection"), max_length=100, blank=True)
    seed_published_at = models.DateTimeField(_("seed published"), null=True, blank=True)
    progress = models.CharField(_("progress"), max_length=300, blank=True)
    selection_problem = models.TextField(_("why the selection could not be made"), blank=True)
    # The engine's result: panel ids, probabilities by id, min probability, bound, engine version.
    result = models.JSONField(_("selection"), null=True, blank=True)
    selected_at = models.DateTimeField(_("selected"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-registration_opens", "pk"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes__gt=models.F("registration_opens")),
                name="panel_registration_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def localised(self, field: str, language: str | None) -> str:
        welsh = getattr(self, f"{field}_cy", "") if language == "cy" else ""
        return welsh or getattr(self, field)


class Target(models.Model):
    """How many of the panel must have ``feature = value``: between ``minimum`` and ``maximum``.

    ``feature`` is a key of ``core.equality``'s bank or ``ward``; ``value`` is a category key or
    a ward's code. ``census_share`` is the place's share (%) the target was computed from.
    """

    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="targets")
    feature = models.CharField(_("category"), max_length=40)
    value = models.CharField(_("value"), max_length=40)
    minimum = models.PositiveIntegerField(_("at least"))
    maximum = models.PositiveIntegerField(_("at most"))
    census_share = models.FloatField(_("share of the population (%)"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["panel", "order", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["panel", "feature", "value"], name="one_target_per_value"),
            models.CheckConstraint(condition=Q(maximum__gte=models.F("minimum")), name="target_max_at_least_min"),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: {self.minimum}–{self.maximum}"


class Address(models.Model):
    """An address the panel may write to (from the officer's file: UPRN, lines, postcode)."""

    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="addresses")
    uprn = models.CharField(_("unique property reference"), max_length=20)
    lines = models.CharField(_("address"), max_length=500)
    postcode = models.CharField(_("postcode"), max_length=8)
    ward = models.ForeignKey(
        "core.Place", verbose_name=_("ward"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "en" or "cy" where the file says which language the household prefers; blank: by ward.
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        ordering = ["panel", "pk"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [models.UniqueConstraint(fields=["panel", "uprn"], name="one_address_per_uprn")]

    def __str__(self) -> str:
        return f"{self.lines}, {self.postcode}"


class Invitation(models.Model):
    """A letter to an address drawn in the lottery, with its one-time registration code."""

    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="invitations")
    address = models.OneToOneField(
        Address, verbose_name=_("address"), on_delete=models.CASCADE, related_name="invitation"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    # Order in the draw (1 first), as the seed gives it.
    position = models.PositiveIntegerField(_("order drawn"))
    # The letter to those not selected (after the draw).
    outcome_letter_at = models.DateTimeField(_("letter sent after the selection"), null=True, blank=True)

    class Meta:
        ordering = ["panel", "position"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.code


class Session(models.Model):
    """A meeting of the panel."""

    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=300)
    access = models.TextField(_("access information"), max_length=2000, blank=True)

    class Meta:
        ordering = ["panel", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title
