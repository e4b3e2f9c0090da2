"""Responses, their answers, themes officers tag answers with, and equality answers (apart)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ANSWER_MAX_LENGTH = 8000


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")
    EVENT = "event", _("At an event")


class ResponseState(models.TextChoices):
    DRAFT = "draft", _("Saved, not sent")
    SUBMITTED = "submitted", _("Sent")


class Response(models.Model):
    """One person's response to one version of a consultation's survey.

    Without an account, a response is found again by its resume token (kept only as a hash;
    the person holds it in their session and in the link they may have emailed to themselves).
    ``ward`` is where the respondent lives, from their account, the place question or their
    postcode: the analysis filters by it.
    """

    consultation = models.ForeignKey(
        "consultations.Consultation", verbose_name=_("consultation"), on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        "consultations.SurveyVersion", verbose_name=_("version"), on_delete=models.PROTECT, related_name="responses"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_responses",
    )
    state = models.CharField(_("state"), max_length=20, choices=ResponseState.choices, default=ResponseState.DRAFT)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    resume_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Where to send the copy of the answers and "you said, we did" (optional without an account).
    email = models.EmailField(_("email address"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    ward = models.ForeignKey(
        "core.Place", verbose_name=_("ward"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wants_feedback = models.BooleanField(_("wants to hear what was decided"), default=False)
    publish_consent = models.BooleanField(_("agrees to publication without their name"), default=False)
    # Where an officer has checked and redacted the response and published it (consent given).
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The furthest page reached, so a returning respondent goes back to it.
    page_reached = models.PositiveSmallIntegerField(default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paper_reference = models.CharField(_("paper reference"), max_length=60, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    feedback_sent_at = models.DateTimeField(_("“you said, we did” emailed"), null=True, blank=True)

    class Meta:
        ordering = ["consultation", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["consultation", "state"], name="consultation_response_state")]

    def __str__(self) -> str:
        return f"{self.consultation} #{self.pk}"


class Answer(models.Model):
    """One value of an answer: a text, a number, a date (ISO text), an option, a ranked or rated option.

    Single choice: one row with ``option``. Several choices: a row per option. Ranking: a row
    per option with ``rank`` (1 is first). Rating: ``number``. Matrix: a row per option (row)
    with ``number``. Place: ``place`` (the ward). ``public_text`` is the redacted text published
    where the respondent agreed.
    """

    response = models.ForeignKey(Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "consultations.Question", verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    option = models.ForeignKey(
        "consultations.Option",
        verbose_name=_("option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers",
    )
    number = models.IntegerField(_("number"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    text = models.TextField(_("text"), max_length=ANSWER_MAX_LENGTH, blank=True)
    place = models.ForeignKey(
        "core.Place", verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_text = models.TextField(_("published text (redacted)"), max_length=ANSWER_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["response", "question", "rank", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "option"], name="consultation_answer_option")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option or self.number or self.text[:40]}"


class EqualityAnswer(models.Model):
    """An equality monitoring answer: a question and category of ``core.equality``'s bank.

    Kept apart from the answers, never shown beside a response, read only in aggregate.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="equality_answers")
    question = models.CharField(max_length=40)
    category = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("equality answer")
        verbose_name_plural = _("equality answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_equality_answer_per_question")
        ]
        indexes = [models.Index(fields=["question", "category"], name="consultation_equality_group")]

    def __str__(self) -> str:
        return f"{self.question}={self.category}"


class Theme(models.Model):
    """A theme officers tag free-text answers with; ``considered`` is how it was taken into account."""

    consultation = models.ForeignKey(
        "consultations.Consultation", verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="themes"
    )
    name = models.CharField(_("theme"), max_length=120)
    name_cy = models.CharField(_("theme in Welsh"), max_length=120, blank=True)
    considered = models.TextField(_("how it was considered"), max_length=4000, blank=True)
    considered_cy = models.TextField(_("how it was considered, in Welsh"), max_length=4000, blank=True)

    class Meta:
        ordering = ["consultation", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [models.UniqueConstraint(fields=["consultation", "name"], name="one_theme_name_per_consultation")]

    def __str__(self) -> str:
        return self.name

    def localised(self, field: str, language: str | None) -> str:
        welsh = getattr(self, f"{field}_cy", "") if language == "cy" else ""
        return welsh or getattr(self, field)


class AnswerTag(models.Model):
    answer = models.ForeignKey(Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="tags")
    theme = models.ForeignKey(Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="tags")
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tagged by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    tagged_at = models.DateTimeField(_("tagged"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["answer", "theme"], name="one_tag_per_theme")]

    def __str__(self) -> str:
        return f"{self.theme} #{self.answer_id}"
