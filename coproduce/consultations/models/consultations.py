"""A consultation, its documents and its "you said, we did"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 8000


class Audience(models.TextChoices):
    """Who may respond."""

    ANYONE = "anyone", _("Anyone, without an account")
    SIGNED_IN = "signed_in", _("People signed in to an account")
    RESIDENTS = "residents", _("Residents of the place, signed in")
    MEMBERS = "members", _("Members of the organisation, signed in")


class Stage(models.TextChoices):
    """What officers have done (the dates do the rest)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    FEEDBACK = "feedback", _("“You said, we did” published")


class Status(models.TextChoices):
    """Where a consultation is, from its stage and its dates (what residents are told)."""

    DRAFT = "draft", _("Being prepared")
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    FEEDBACK = "feedback", _("“You said, we did” published")


class Consultation(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="consultations"
    )
    place = models.ForeignKey("core.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=TEXT_MAX_LENGTH)
    summary_cy = models.TextField(_("summary in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True)
    # Who it is for, in words ("Everyone who lives, works or studies in Kingsmere").
    audience_text = models.CharField(_("who it is for"), max_length=300, blank=True)
    audience_text_cy = models.CharField(_("who it is for, in Welsh"), max_length=300, blank=True)
    audience = models.CharField(_("who may respond"), max_length=20, choices=Audience.choices, default=Audience.ANYONE)
    one_response_per_person = models.BooleanField(_("one response per person"), default=False)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    # Keys of core.equality's bank asked at the end of the survey (empty: no equality monitoring).
    equality_questions = models.JSONField(_("equality questions"), default=list, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # "You said, we did": what people said, the decision; each Theme says how it was considered.
    said = models.TextField(_("what people said"), max_length=TEXT_MAX_LENGTH, blank=True)
    said_cy = models.TextField(_("what people said, in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True)
    decision = models.TextField(_("the decision"), max_length=TEXT_MAX_LENGTH, blank=True)
    decision_cy = models.TextField(_("the decision, in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True)
    feedback_published_at = models.DateTimeField(_("“you said, we did” published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="consultation_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised(self, field: str, language: str | None) -> str:
        """``field`` in Welsh where asked for and written, otherwise in English."""
        welsh = getattr(self, f"{field}_cy", "") if language == "cy" else ""
        return welsh or getattr(self, field)

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.stage == Stage.DRAFT:
            return Status.DRAFT
        if self.stage == Stage.FEEDBACK:
            return Status.FEEDBACK
        if now < self.opens_at:
            return Status.UPCOMING
        if now < self.closes_at:
            return Status.OPEN
        return Status.CLOSED

    def status_label(self, now=None) -> str:
        return Status(self.status(now)).label

    def is_open(self, now=None) -> bool:
        return self.status(now) == Status.OPEN

    def is_closed(self, now=None) -> bool:
        return self.status(now) in (Status.CLOSED, Status.FEEDBACK)


class Document(models.Model):
    """A PDF the consultation publishes, with an accessible summary of what it says."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    summary = models.TextField(_("accessible summary"), max_length=TEXT_MAX_LENGTH)
    summary_cy = models.TextField(_("accessible summary in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True)
    file = models.FileField(_("PDF"), upload_to="consultations/documents/")
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title
