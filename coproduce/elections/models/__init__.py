"""Board and committee elections: constituencies, appointed seats, nominations and results.

An election belongs to an organisation and is run by a returning officer (never a candidate).
Each constituency elects its seats on its own ballot (a ``voting.BallotBox``): all the
members, or the members of one stakeholder class for seats reserved to it. Results are the
counting engine's own report, stored as it was published, so the page, the API and a recount
of the published ballot file all read the same figures.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STATEMENT_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000


class CountRules(models.TextChoices):
    SCOTTISH = "scottish", _("Single transferable vote (Scottish local government rules)")
    ERS97 = "ers97", _("Single transferable vote (Electoral Reform Society 1997 rules)")
    MEEK = "meek", _("Single transferable vote (Meek's method)")
    PLURALITY = "plurality", _("Vote for up to as many candidates as there are seats (most votes win)")

    @classmethod
    def ranked(cls) -> frozenset[str]:
        return frozenset({cls.SCOTTISH, cls.ERS97, cls.MEEK})


class Stage(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    VOTING = "voting", _("Voting open")
    CLOSED = "closed", _("Voting closed")
    DECLARED = "declared", _("Result declared")


class Status(models.TextChoices):
    """Where an election is, from its stage and its timetable (what people are told)."""

    DRAFT = "draft", _("Being prepared")
    UPCOMING = "upcoming", _("Nominations not yet open")
    NOMINATIONS = "nominations", _("Taking nominations")
    AWAITING_POLL = "awaiting_poll", _("Nominations closed")
    VOTING = "voting", _("Voting open")
    COUNTING = "counting", _("Counting")
    DECLARED = "declared", _("Result declared")


class Election(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="elections"
    )
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    description = models.TextField(_("what is being elected"), blank=True, max_length=2000)
    description_cy = models.TextField(_("what is being elected, in Welsh"), blank=True, max_length=2000)
    rules = models.CharField(_("how votes are counted"), max_length=10, choices=CountRules.choices)
    nominations_open = models.DateTimeField(_("nominations open"))
    nominations_close = models.DateTimeField(_("nominations close"))
    voting_open = models.DateTimeField(_("voting opens"))
    voting_close = models.DateTimeField(_("voting closes"))
    # Members with voting rights on this date make up the electorate.
    qualifying_date = models.DateField(_("qualifying date for voters"))
    nominations_need_proposer = models.BooleanField(
        _("each nomination needs a proposer and a seconder from the constituency"), default=True
    )
    returning_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returning officer"),
        on_delete=models.PROTECT,
        related_name="elections_returning",
    )
    # Published by the returning officer before the close: any lot the count needs uses it.
    seed = models.CharField(_("seed for drawing lots"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.DRAFT)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-voting_close"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [
            models.CheckConstraint(
                condition=Q(nominations_open__lt=models.F("nominations_close"))
                & Q(nominations_close__lte=models.F("voting_open"))
                & Q(voting_open__lt=models.F("voting_close")),
                name="election_timetable_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised_description(self, language: str | None) -> str:
        return self.description_cy if language == "cy" and self.description_cy else self.description

    @property
    def is_ranked(self) -> bool:
        return self.rules in CountRules.ranked()

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.stage == Stage.DRAFT:
            return Status.DRAFT
        if self.stage == Stage.VOTING:
            return Status.VOTING
        if self.stage == Stage.CLOSED:
            return Status.COUNTING
        if self.stage == Stage.DECLARED:
            return Status.DECLARED
        if now < self.nominations_open:
            return Status.UPCOMING
        if now < self.nominations_close:
            return Status.NOMINATIONS
        return Status.AWAITING_POLL

    def status_label(self, now=None) -> str:
        return Status(self.status(now)).label

    @property
    def taking_nominations(self) -> bool:
        return self.status() == Status.NOMINATIONS


class Constituency(models.Model):
    """Seats elected on one ballot: by all the members, or by one class's members for its reserved seats."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="constituencies")
    name = models.CharField(_("name"), max_length=100)
    name_cy = models.CharField(_("name in Welsh"), max_length=100, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    # Empty: every member with voting rights votes; else only members of this class, for seats reserved to it.
    stakeholder_class = models.ForeignKey(
        "members.StakeholderClass",
        verbose_name=_("elected by members of the class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(default=0)
    box = models.OneToOneField("voting.BallotBox", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Elected without a poll: no more valid nominations than seats.
    uncontested = models.BooleanField(_("declared without a poll"), default=False)
    # The engine's report (coproduce.counting.stv.report.to_dict, or the plurality tally), as published.
    result = models.JSONField(_("result"), null=True, blank=True)

    class Meta:
        ordering = ["election", "order", "pk"]
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")

    def __str__(self) -> str:
        return f"{self.election} — {self.name}"

    def localised_name(self, language: str | None) -> str:
        return self.name_cy if language == "cy" and self.name_cy else self.name


class AppointedSeat(models.Model):
    """A seat filled by appointment (a council nominee), listed beside the elected ones."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="appointed_seats")
    title = models.CharField(_("seat"), max_length=100)
    title_cy = models.CharField(_("seat, in Welsh"), max_length=100, blank=True)
    appointed_by = models.CharField(_("appointed by"), max_length=200)
    seats = models.PositiveSmallIntegerField(_("number of seats"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["election", "pk"]
        verbose_name = _("appointed seat")
        verbose_name_plural = _("appointed seats")

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the returning officer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A nomination still standing: one per candidate per election.
STANDING = (NominationStatus.SUBMITTED, NominationStatus.ACCEPTED)


def photo_path(instance: Nomination, filename: str) -> str:
    return f"elections/photos/{instance.constituency.election_id}/{filename}"


class Nomination(models.Model):
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="nominations")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="nominations"
    )
    ballot_name = models.CharField(_("name on the ballot"), max_length=120)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seconder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Each person named confirms online; the candidate's consent is given by nominating themself.
    candidate_consented_at = models.DateTimeField(null=True, blank=True)
    proposer_confirmed_at = models.DateTimeField(null=True, blank=True)
    seconder_confirmed_at = models.DateTimeField(null=True, blank=True)
    statement = models.TextField(
        _("statement"), max_length=STATEMENT_MAX_LENGTH, validators=[MaxLengthValidator(STATEMENT_MAX_LENGTH)]
    )
    statement_cy = models.TextField(
        _("statement in Welsh"),
        blank=True,
        max_length=STATEMENT_MAX_LENGTH,
        validators=[MaxLengthValidator(STATEMENT_MAX_LENGTH)],
    )
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED
    )
    decision_reason = models.TextField(
        _("reason"), blank=True, max_length=REASON_MAX_LENGTH, validators=[MaxLengthValidator(REASON_MAX_LENGTH)]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["constituency", "ballot_name"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["constituency", "candidate"],
                condition=Q(status__in=STANDING),
                name="one_standing_nomination_per_candidate",
                violation_error_message=_("This person is already nominated in this election."),
            )
        ]

    def __str__(self) -> str:
        return self.ballot_name

    def localised_statement(self, language: str | None) -> str:
        return self.statement_cy if language == "cy" and self.statement_cy else self.statement

    @property
    def waiting_for(self) -> list[str]:
        """Who still has to confirm (``candidate``, ``proposer``, ``seconder``)."""
        waiting = []
        if self.candidate_consented_at is None:
            waiting.append("candidate")
        if self.proposer_id and self.proposer_confirmed_at is None:
            waiting.append("proposer")
        if self.seconder_id and self.seconder_confirmed_at is None:
            waiting.append("seconder")
        return waiting

    @property
    def is_complete(self) -> bool:
        return not self.waiting_for


__all__ = [
    "STANDING",
    "AppointedSeat",
    "Constituency",
    "CountRules",
    "Election",
    "Nomination",
    "NominationStatus",
    "Stage",
    "Status",
]
