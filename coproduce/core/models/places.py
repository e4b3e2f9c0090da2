"""Places: a council area divided into districts and wards, to any depth, and postcodes."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def normalise_postcode(value: str) -> str:
    """Upper-case a UK postcode and put one space before the inward code ("sw2 1aa" → "SW2 1AA")."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_postcode(value: str) -> bool:
    return bool(POSTCODE_RE.match(normalise_postcode(value)))


class PlaceKind(models.TextChoices):
    COUNCIL_AREA = "council_area", _("Council area")
    DISTRICT = "district", _("District")
    WARD = "ward", _("Ward")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")


class PlaceQuerySet(models.QuerySet):
    def wards(self) -> PlaceQuerySet:
        return self.filter(kind=PlaceKind.WARD)

    def within(self, place: Place) -> PlaceQuerySet:
        """Places below ``place`` at any depth (by the materialised path)."""
        return self.filter(path__startswith=place.path + "/")


class Place(models.Model):
    """An area: council area → districts → wards, nested to any depth.

    ``path`` is a materialised path of codes (``/E06000001/D1/W1``) so that "every ward in
    this district" is one indexed prefix query, whatever the depth.
    """

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("ONS/GSS code where there is one"))
    name = models.CharField(_("name"), max_length=200)
    name_cy = models.CharField(_("Welsh name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("within"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=500, editable=False, db_index=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + "/" + self.code
        super().save(*args, **kwargs)

    def localised_name(self, language: str | None) -> str:
        return self.name_cy if language == "cy" and self.name_cy else self.name

    def ancestors(self) -> list[Place]:
        codes = [code for code in self.path.split("/") if code][:-1]
        by_code = {place.code: place for place in Place.objects.filter(code__in=codes)}
        return [by_code[code] for code in codes if code in by_code]


class Postcode(models.Model):
    """A postcode and the ward it lies in (from the ONS Postcode Directory)."""

    postcode = models.CharField(_("postcode"), max_length=8, primary_key=True)
    ward = models.ForeignKey(Place, verbose_name=_("ward"), on_delete=models.CASCADE, related_name="postcodes")

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")

    def __str__(self) -> str:
        return self.postcode
