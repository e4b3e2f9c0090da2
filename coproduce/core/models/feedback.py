"""Feedback on the service, from the link in the phase banner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEITHER = "neither", _("Neither satisfied nor dissatisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")


class Feedback(models.Model):
    """What someone thought of the service. Anonymous unless they were signed in."""

    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    improve = models.TextField(_("how we could improve the service"), max_length=2000, blank=True)
    # The page the person was on when they followed the link (a path on this site only).
    page = models.CharField(_("page"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.satisfaction}"
