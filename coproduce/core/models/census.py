"""Census figures per ward, uploaded by a council's officer, for representativeness and quotas."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CensusFigure(models.Model):
    """How many residents of a ward fall in one category of an equality bank question.

    ``question`` and ``category`` are keys of ``core.equality`` (e.g. ``ethnicity``/``asian``).
    Figures for a larger place are the sum over its wards.
    """

    place = models.ForeignKey(
        "core.Place", verbose_name=_("ward"), on_delete=models.CASCADE, related_name="census_figures"
    )
    question = models.CharField(_("question"), max_length=40)
    category = models.CharField(_("category"), max_length=40)
    count = models.PositiveIntegerField(_("residents"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("census figure")
        verbose_name_plural = _("census figures")
        constraints = [
            models.UniqueConstraint(fields=["place", "question", "category"], name="one_census_figure_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.place}: {self.question}/{self.category} = {self.count}"
