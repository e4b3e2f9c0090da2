"""Organisations: the council and the co-ops, mutuals and trusts residents run."""

from __future__ import annotations

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", _("Council")
    HOUSING_COOP = "housing_coop", _("Housing co-operative")
    TMO = "tmo", _("Tenant management organisation")
    COMMUNITY_GATEWAY = "community_gateway", _("Community gateway association")
    COMMUNITY_MUTUAL = "community_mutual", _("Community mutual")
    LEISURE_TRUST = "leisure_trust", _("Leisure trust")
    CULTURAL_TRUST = "cultural_trust", _("Cultural trust")
    CARE_COOP = "care_coop", _("Care co-operative")
    TRUST_SCHOOL = "trust_school", _("Co-operative trust school")
    COMMUNITY_GROUP = "community_group", _("Community group")
    NETWORK = "network", _("Network")


class LegalForm(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    CO_OPERATIVE_SOCIETY = "co_operative_society", _("Co-operative society")
    COMMUNITY_BENEFIT_SOCIETY = "community_benefit_society", _("Community benefit society")
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee", _("Company limited by guarantee")
    CIC = "cic", _("Community interest company")
    CIO = "cio", _("Charitable incorporated organisation")
    UNINCORPORATED = "unincorporated", _("Unincorporated association")


class OrganisationQuerySet(models.QuerySet):
    def public(self) -> OrganisationQuerySet:
        return self.filter(is_public=True)


class Organisation(models.Model):
    """A council, co-op, mutual, trust or group.

    What its rules say about membership (shares, withdrawals, quorum, notice) is the members
    app's ``MembershipRules``, so that the core knows nothing of shares.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    legal_form = models.CharField(_("legal form"), max_length=40, choices=LegalForm.choices, blank=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        blank=True,
        help_text=_("FCA society number, company or charity number"),
    )
    sponsoring_council = models.ForeignKey(
        "self",
        verbose_name=_("sponsoring council"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored",
        limit_choices_to={"kind": OrganisationKind.COUNCIL},
    )
    area = models.ForeignKey(
        "core.Place",
        verbose_name=_("area served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_cy = models.CharField(_("summary in Welsh"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Who the council's officers contact about the organisation (shown in the programme workspace,
    # not to the public).
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email address"), blank=True)
    contact_phone = models.CharField(_("contact telephone number"), max_length=40, blank=True)
    is_public = models.BooleanField(_("listed in the directory"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)

    def localised_summary(self, language: str | None) -> str:
        return self.summary_cy if language == "cy" and self.summary_cy else self.summary
