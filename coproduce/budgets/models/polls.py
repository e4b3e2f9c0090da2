"""Youth polls: a simpler ballot for young residents of a place (Stevenage let its young people
choose the equipment for their park).

Plain words and pictures with alt text; a young person picks one option, or up to a number of
them. The vote is a ``voting.BallotBox`` (approval ballot) like a budget round's, so one person
has one vote; the result is the number of votes for each option.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.core.verification import VerificationLevel


class PollStage(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    PUBLISHED = "published", _("Published")
    OPEN = "open", _("Voting open")
    DECLARED = "declared", _("Result declared")


class YouthPoll(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="youth_polls"
    )
    place = models.ForeignKey("core.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    # The question in plain words ("Which things should we put in the new play park?").
    question = models.TextField(_("question"), max_length=1000)
    question_cy = models.TextField(_("question in Welsh"), max_length=1000, blank=True)
    opens = models.DateTimeField(_("voting opens"))
    closes = models.DateTimeField(_("voting closes"))
    min_age = models.PositiveSmallIntegerField(_("youngest age"))
    max_age = models.PositiveSmallIntegerField(_("oldest age"))
    min_level = models.PositiveSmallIntegerField(
        _("verified at least"), choices=VerificationLevel.choices, default=VerificationLevel.CONFIRMED
    )
    # 1: pick one; more: pick up to this many.
    pick_limit = models.PositiveSmallIntegerField(_("how many each person may pick"), default=1)
    stage = models.CharField(_("stage"), max_length=10, choices=PollStage.choices, default=PollStage.DRAFT)
    box = models.OneToOneField("voting.BallotBox", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # {"votes": {option id: votes}, "voters": n, "electorate": n}
    result = models.JSONField(_("result"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-closes"]
        verbose_name = _("youth poll")
        verbose_name_plural = _("youth polls")
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="youth_poll_dates_in_order"),
            models.CheckConstraint(condition=Q(min_age__lte=models.F("max_age")), name="youth_poll_ages_in_order"),
            models.CheckConstraint(condition=Q(pick_limit__gte=1), name="youth_poll_pick_at_least_one"),
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised_question(self, language: str | None) -> str:
        return self.question_cy if language == "cy" and self.question_cy else self.question

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.stage == PollStage.OPEN and now < self.closes


def option_picture_path(instance: PollOption, filename: str) -> str:
    return f"budgets/polls/{instance.poll_id}/{filename}"


class PollOption(models.Model):
    poll = models.ForeignKey(YouthPoll, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(_("name"), max_length=150)
    title_cy = models.CharField(_("name in Welsh"), max_length=150, blank=True)
    picture = models.ImageField(_("picture"), upload_to=option_picture_path, blank=True)
    alt = models.CharField(_("what the picture shows"), max_length=300, blank=True)
    alt_cy = models.CharField(_("what the picture shows, in Welsh"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["poll", "order", "pk"]
        verbose_name = _("option in a youth poll")
        verbose_name_plural = _("options in youth polls")
        constraints = [
            models.CheckConstraint(condition=Q(picture="") | ~Q(alt=""), name="youth_poll_picture_has_alt_text")
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised_alt(self, language: str | None) -> str:
        return self.alt_cy if language == "cy" and self.alt_cy else self.alt
