"""Participatory budgets: a round for a place, residents' ideas, costed projects, the vote, the result.

A round belongs to its fund holder (a council, or a co-op's community fund) and to a place
(borough, district or ward) whose verified residents take part. Ideas are submitted and
supported, moderated with a published reason, merged, and turned into costed projects (or
found not feasible, with a public reason). The vote is a ``voting.BallotBox`` whose options are
the costed projects; the count is the participatory-budgeting engine's, stored with a
plain-words explanation for every project and the anonymised ballots as a Pabulib file.

Money is held in pence (whole numbers); the engine and the published file use pounds.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.core.verification import VerificationLevel

TEXT_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 1000


class BallotKind(models.TextChoices):
    KNAPSACK = "knapsack", _("Choose any projects whose costs together fit within the budget")
    APPROVAL = "approval", _("Choose up to a number of projects")
    POINTS = "points", _("Share a number of points among the projects")


class CountRule(models.TextChoices):
    MES = "mes", _("Method of Equal Shares (each voter's equal share of the budget pays for what they chose)")
    GREEDY = "greedy", _("Most votes first, while the money lasts")


class Stage(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    VOTING = "voting", _("Voting open")
    CLOSED = "closed", _("Voting closed")
    DECLARED = "declared", _("Result declared")


class Status(models.TextChoices):
    """Where a round is, from its stage and its dates (what residents are told)."""

    DRAFT = "draft", _("Being prepared")
    UPCOMING = "upcoming", _("Ideas not yet open")
    IDEAS = "ideas", _("Taking ideas")
    REVIEW = "review", _("Ideas being reviewed and costed")
    AWAITING_VOTE = "awaiting_vote", _("Voting not yet open")
    VOTING = "voting", _("Voting open")
    COUNTING = "counting", _("Counting")
    DECLARED = "declared", _("Result declared")


class BudgetRound(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("fund holder"), on_delete=models.PROTECT, related_name="budget_rounds"
    )
    place = models.ForeignKey("core.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    description_cy = models.TextField(_("description in Welsh"), blank=True, max_length=TEXT_MAX_LENGTH)
    amount = models.PositiveBigIntegerField(_("budget in pence"), validators=[MinValueValidator(1)])
    ideas_open = models.DateTimeField(_("ideas open"))
    ideas_close = models.DateTimeField(_("ideas close"))
    review_close = models.DateTimeField(_("review ends"))
    voting_open = models.DateTimeField(_("voting opens"))
    voting_close = models.DateTimeField(_("voting closes"))
    results_on = models.DateField(_("results announced"), null=True, blank=True)
    delivery_by = models.DateField(_("projects delivered by"), null=True, blank=True)
    # Who may take part: residents of ``place`` verified at least so, aged between (inclusive).
    min_level = models.PositiveSmallIntegerField(
        _("verified at least"), choices=VerificationLevel.choices, default=VerificationLevel.CONFIRMED
    )
    min_age = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    ballot_kind = models.CharField(
        _("kind of ballot"), max_length=10, choices=BallotKind.choices, default=BallotKind.KNAPSACK
    )
    # Approval: the most projects a voter may choose; points: the points each voter shares.
    ballot_limit = models.PositiveSmallIntegerField(_("limit"), null=True, blank=True)
    count_rule = models.CharField(
        _("how votes are counted"), max_length=10, choices=CountRule.choices, default=CountRule.MES
    )
    # Any lot the count needs is drawn from this published number (fixed once voting has closed).
    seed = models.PositiveIntegerField(_("seed for drawing lots"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.DRAFT)
    box = models.OneToOneField("voting.BallotBox", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The count as published (see budgets.counting.count_round), and the anonymised ballots it counted.
    result = models.JSONField(_("result"), null=True, blank=True)
    ballots_pb = models.TextField(_("ballots (Pabulib)"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    # When the eligible residents were told ideas are open, and reminded to vote (each once).
    ideas_announced_at = models.DateTimeField(_("ideas announced"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-voting_close"]
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(ideas_open__lt=models.F("ideas_close"))
                & Q(ideas_close__lte=models.F("review_close"))
                & Q(review_close__lte=models.F("voting_open"))
                & Q(voting_open__lt=models.F("voting_close")),
                name="budget_round_phases_in_order",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
                name="budget_round_ages_in_order",
            ),
            models.CheckConstraint(
                condition=Q(ballot_kind="knapsack", ballot_limit__isnull=True)
                | (~Q(ballot_kind="knapsack") & Q(ballot_limit__gte=1)),
                name="budget_round_ballot_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised_description(self, language: str | None) -> str:
        return self.description_cy if language == "cy" and self.description_cy else self.description

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
        if now < self.ideas_open:
            return Status.UPCOMING
        if now < self.ideas_close:
            return Status.IDEAS
        if now < self.review_close:
            return Status.REVIEW
        return Status.AWAITING_VOTE

    def status_label(self, now=None) -> str:
        return Status(self.status(now)).label


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Hidden")


class Idea(models.Model):
    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(
        _("description"), max_length=TEXT_MAX_LENGTH, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    where = models.CharField(_("where"), max_length=300, blank=True)
    ward = models.ForeignKey(
        "core.Place", verbose_name=_("ward"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="budget_ideas"
    )
    status = models.CharField(_("status"), max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED)
    # Published beside the idea when an officer hides it (or publishes it after a question).
    moderation_reason = models.TextField(_("moderation reason"), blank=True, max_length=REASON_MAX_LENGTH)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["round", "-submitted_at", "pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")

    def __str__(self) -> str:
        return self.title


class IdeaSupport(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support for an idea")
        verbose_name_plural = _("supports for ideas")
        constraints = [models.UniqueConstraint(fields=["idea", "person"], name="one_support_per_person_per_idea")]

    def __str__(self) -> str:
        return f"{self.person} — {self.idea}"


def photo_path(instance: IdeaPhoto, filename: str) -> str:
    return f"budgets/ideas/{instance.idea.round_id}/{filename}"


class IdeaPhoto(models.Model):
    """A photo of an idea (checked and stripped of metadata by ``core.uploads``), with its alt text."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    alt = models.CharField(_("what the photo shows"), max_length=300)

    class Meta:
        ordering = ["idea", "pk"]
        verbose_name = _("photo of an idea")
        verbose_name_plural = _("photos of ideas")

    def __str__(self) -> str:
        return self.alt


class ProjectStatus(models.TextChoices):
    COSTED = "costed", _("Costed: on the ballot")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("Under way")
    DONE = "done", _("Done")


class Project(models.Model):
    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="projects")
    ideas = models.ManyToManyField(Idea, verbose_name=_("ideas"), related_name="projects", blank=True)
    title = models.CharField(_("title"), max_length=150)
    title_cy = models.CharField(_("title in Welsh"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    description_cy = models.TextField(_("description in Welsh"), blank=True, max_length=TEXT_MAX_LENGTH)
    cost = models.PositiveBigIntegerField(_("cost in pence"), null=True, blank=True)
    cost_breakdown = models.TextField(_("what the cost is made of"), blank=True, max_length=TEXT_MAX_LENGTH)
    delivery_time = models.CharField(_("how long it takes to deliver"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.COSTED)
    # Public: why it is not feasible (the proposers are sent it).
    reason = models.TextField(_("reason"), blank=True, max_length=REASON_MAX_LENGTH)
    delivery_status = models.CharField(
        _("delivery"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["round", "title", "pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="not_feasible") | Q(cost__gte=1), name="budget_project_costed_has_a_cost"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised_description(self, language: str | None) -> str:
        return self.description_cy if language == "cy" and self.description_cy else self.description


class ProjectUpdate(models.Model):
    """A dated note on a funded project's delivery."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("date"))
    text = models.TextField(_("update"), max_length=TEXT_MAX_LENGTH)
    text_cy = models.TextField(_("update in Welsh"), blank=True, max_length=TEXT_MAX_LENGTH)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["project", "-on", "-pk"]
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")

    def __str__(self) -> str:
        return f"{self.project} — {self.on}"


def update_photo_path(instance: UpdatePhoto, filename: str) -> str:
    return f"budgets/updates/{instance.update.project_id}/{filename}"


class UpdatePhoto(models.Model):
    """A photo with a delivery update, with its alt text."""

    update = models.ForeignKey(ProjectUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=update_photo_path)
    alt = models.CharField(_("what the photo shows"), max_length=300)
    alt_cy = models.CharField(_("what the photo shows, in Welsh"), max_length=300, blank=True)

    class Meta:
        ordering = ["update", "pk"]
        verbose_name = _("photo of a delivery update")
        verbose_name_plural = _("photos of delivery updates")

    def __str__(self) -> str:
        return self.alt

    def localised_alt(self, language: str | None) -> str:
        return self.alt_cy if language == "cy" and self.alt_cy else self.alt


class ProjectFollow(models.Model):
    """A resident following a funded project's delivery: they are emailed its updates."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follows")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follower of a project")
        verbose_name_plural = _("followers of projects")
        constraints = [models.UniqueConstraint(fields=["project", "person"], name="one_follow_per_person_per_project")]

    def __str__(self) -> str:
        return f"{self.person} — {self.project}"


class Departure(models.Model):
    """The fund holder's decision to depart from the count for one project, with its reason."""

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="departures")
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="departure")
    # True: funded although the count did not select it; False: not funded although it did.
    funded = models.BooleanField(_("funded"))
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "decided_at"]
        verbose_name = _("departure from the count")
        verbose_name_plural = _("departures from the count")

    def __str__(self) -> str:
        return f"{self.round} — {self.project}"


from .polls import PollOption, PollStage, YouthPoll  # noqa: E402

__all__ = [
    "BallotKind",
    "BudgetRound",
    "CountRule",
    "DeliveryStatus",
    "Departure",
    "Idea",
    "IdeaPhoto",
    "IdeaStatus",
    "IdeaSupport",
    "PollOption",
    "PollStage",
    "Project",
    "ProjectFollow",
    "ProjectStatus",
    "ProjectUpdate",
    "Stage",
    "Status",
    "UpdatePhoto",
    "YouthPoll",
]
