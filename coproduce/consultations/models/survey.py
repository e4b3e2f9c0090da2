"""The survey: numbered versions of pages, questions and their options."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 2000


class SurveyVersion(models.Model):
    """One version of a consultation's survey. The highest-numbered one is the current one.

    ``locked`` once a response to it has arrived: after that a change makes a new version
    (``note`` says what changed and is shown with the consultation).
    """

    consultation = models.ForeignKey(
        "consultations.Consultation", verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    note_cy = models.CharField(_("what changed, in Welsh"), max_length=500, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="one_survey_version_number")]

    def __str__(self) -> str:
        return f"{self.consultation} v{self.number}"


class Page(models.Model):
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="pages"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), max_length=TEXT_MAX_LENGTH, blank=True)
    intro_cy = models.TextField(_("introduction in Welsh"), max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return self.title

    def localised(self, field: str, language: str | None) -> str:
        welsh = getattr(self, f"{field}_cy", "") if language == "cy" else ""
        return welsh or getattr(self, field)


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    RATING = "rating", _("Rating scale")
    MATRIX = "matrix", _("Rating of several things (matrix)")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    RANKING = "ranking", _("Ranking")
    PLACE = "place", _("Place (ward or postcode)")


# Kinds whose answers are options (counted per option); matrix and ranking also use options.
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
OPTION_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.MATRIX, QuestionKind.RANKING})
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})


class Question(models.Model):
    """A question on a page.

    ``key`` names the question across versions (results are counted by it). A rating asks for
    a whole number from ``scale_min`` to ``scale_max``; a matrix asks that of each option (its
    rows). ``shown_if`` makes the question appear only when an earlier question on the survey
    was answered with that option.
    """

    page = models.ForeignKey(Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    text_cy = models.CharField(_("question in Welsh"), max_length=500, blank=True)
    help = models.CharField(_("help text"), max_length=1000, blank=True)
    help_cy = models.CharField(_("help text in Welsh"), max_length=1000, blank=True)
    required = models.BooleanField(_("required"), default=False)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    scale_min_label = models.CharField(_("label of the lowest"), max_length=100, blank=True)
    scale_min_label_cy = models.CharField(_("label of the lowest, in Welsh"), max_length=100, blank=True)
    scale_max_label = models.CharField(_("label of the highest"), max_length=100, blank=True)
    scale_max_label_cy = models.CharField(_("label of the highest, in Welsh"), max_length=100, blank=True)
    number_min = models.IntegerField(_("smallest number"), null=True, blank=True)
    number_max = models.IntegerField(_("largest number"), null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("most choices"), null=True, blank=True)
    shown_if = models.ForeignKey(
        "consultations.Option",
        verbose_name=_("shown only if the answer was"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reveals",
    )

    class Meta:
        ordering = ["page__order", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="question_scale_widens"),
        ]

    def __str__(self) -> str:
        return self.text

    def localised(self, field: str, language: str | None) -> str:
        welsh = getattr(self, f"{field}_cy", "") if language == "cy" else ""
        return welsh or getattr(self, field)


class Option(models.Model):
    """An option of a choice or ranking question, or a row of a matrix."""

    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=300)
    label_cy = models.CharField(_("label in Welsh"), max_length=300, blank=True)

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="one_option_key_per_question")]

    def __str__(self) -> str:
        return self.label

    def localised_label(self, language: str | None) -> str:
        return self.label_cy if language == "cy" and self.label_cy else self.label
