"""Stakeholder classes and memberships."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StakeholderClass(models.Model):
    """A class of member set by the organisation's rules: tenant, worker, service user, …"""

    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="stakeholder_classes",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    name_cy = models.CharField(_("Welsh name"), max_length=100, blank=True)
    description = models.CharField(_("who can join this class"), max_length=300, blank=True)
    description_cy = models.CharField(_("who can join this class, in Welsh"), max_length=300, blank=True)
    has_voting_rights = models.BooleanField(_("members of this class may vote"), default=True)
    open_to_applications = models.BooleanField(_("open to applications"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "order", "name"]
        verbose_name = _("stakeholder class")
        verbose_name_plural = _("stakeholder classes")
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="stakeholder_class_code_unique")]

    def __str__(self) -> str:
        return self.name

    def localised_name(self, language: str | None) -> str:
        return self.name_cy if language == "cy" and self.name_cy else self.name

    def localised_description(self, language: str | None) -> str:
        return self.description_cy if language == "cy" and self.description_cy else self.description


# Free text a person reads (a refusal, why a membership ended): long enough to explain, short
# enough to read. Forms show a character count; the model and the services refuse more.
REASON_MAX_LENGTH = 1000


def organisation_prefix(organisation) -> str:
    """A short prefix from the organisation's short name: the first letter of each word."""
    words = [word for word in organisation.slug.split("-") if word]
    return "".join(word[0] for word in words).upper()[:6] or "APP"


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ADMITTED = "admitted", _("Member")
    REFUSED = "refused", _("Refused")
    CEASED = "ceased", _("Ceased")


class CessationReason(models.TextChoices):
    RESIGNED = "resigned", _("Resigned")
    EXPELLED = "expelled", _("Expelled")
    DECEASED = "deceased", _("Deceased")
    LAPSED = "lapsed", _("Lapsed")


class EmailUse(models.TextChoices):
    """What a member agreed their email address may be used for (the register records it)."""

    NOTICES = "notices", _("Notices of meetings, accounts and other documents, as well as contact")
    CONTACT_ONLY = "contact", _("Only contact about membership; notices and documents by post")


# An application still being decided, or a current membership: one at a time per organisation.
OPEN_STATUSES = (MembershipStatus.APPLIED, MembershipStatus.ADMITTED)


class MembershipQuerySet(models.QuerySet):
    def with_holdings(self) -> MembershipQuerySet:
        """Annotate the ledger's sums, never stored twice: ``shares_held`` and ``value_pence``
        (all movements), ``unpaid_shares`` and ``unpaid_pence`` (issues and purchases with no
        payment recorded). ``owed_pence``, ``paid_pence`` and ``paid_shares`` follow from them.

        Correlated subqueries, not a join with GROUP BY: the database then sums the ledger
        only for the rows of the page being shown, and counting the register stays cheap.
        """
        from .shares import PAYABLE_KINDS, ShareTransaction

        def total(field: str, **filters) -> Coalesce:
            ledger = (
                ShareTransaction.objects.filter(membership=OuterRef("pk"), **filters)
                .order_by()
                .values("membership")
                .annotate(total=Sum(field))
                .values("total")
            )
            return Coalesce(Subquery(ledger, output_field=models.IntegerField()), 0)

        unpaid = {"kind__in": PAYABLE_KINDS, "payment__isnull": True}
        return self.annotate(
            shares_held=total("shares"),
            value_pence=total("amount_pence"),
            unpaid_shares=total("shares", **unpaid),
            unpaid_pence=total("amount_pence", **unpaid),
        )

    def current(self) -> MembershipQuerySet:
        return self.filter(status=MembershipStatus.ADMITTED)


class Membership(models.Model):
    """A person's membership of one organisation, in one stakeholder class, from application to cessation."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    stakeholder_class = models.ForeignKey(
        StakeholderClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="memberships"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.APPLIED
    )
    member_number = models.PositiveIntegerField(_("member number"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refusal_reason = models.TextField(
        _("reason for refusal"),
        blank=True,
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    admitted_on = models.DateField(_("date admitted"), null=True, blank=True)
    ceased_on = models.DateField(_("date ceased"), null=True, blank=True)
    cessation_reason = models.CharField(_("reason ceased"), max_length=10, choices=CessationReason.choices, blank=True)
    cessation_note = models.TextField(
        _("why the membership ended"),
        blank=True,
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    email_use = models.CharField(
        _("what the member's email may be used for"),
        max_length=10,
        choices=EmailUse.choices,
        default=EmailUse.CONTACT_ONLY,
    )
    email_use_recorded_at = models.DateTimeField(_("email use agreed"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "member_number", "applied_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_membership_per_organisation",
                violation_error_message=_("You have already applied to join, or are already a member."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "member_number"], name="member_number_unique_in_organisation"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.organisation}"

    @property
    def reference(self) -> str:
        """The application's reference for letters and calls: the organisation's initials and the
        application's number ("KLT-00042" for Kingsmere Leisure Trust), never reused."""
        return f"{organisation_prefix(self.organisation)}-{self.pk:05d}"

    # What the ledger says, from the sums ``with_holdings()`` annotates. A cancelled or
    # withdrawn share is no longer owed, so what is owed never exceeds what is held.
    @property
    def owed_shares(self) -> int:
        return max(min(self.unpaid_shares, self.shares_held), 0)

    @property
    def owed_pence(self) -> int:
        return max(min(self.unpaid_pence, self.value_pence), 0)

    @property
    def paid_shares(self) -> int:
        return self.shares_held - self.owed_shares

    @property
    def paid_pence(self) -> int:
        """The amount paid on the shares held (the register's column)."""
        return self.value_pence - self.owed_pence

    @property
    def rules(self):
        from .membership_rules import rules_for

        return rules_for(self.organisation)

    def has_voting_rights(self, *, on: datetime.date | None = None) -> bool:
        """Voting rights follow from status, class, holding and the organisation's rules.

        A member votes while admitted, in a class with voting rights, holding at least one
        share — paid for, where the rules say so (the default: most model rules admit members
        on a fully paid share) — once the qualifying period in the rules has passed. Needs the
        holdings annotated (``Membership.objects.with_holdings()``).
        """
        on = on or timezone.localdate()
        if self.status != MembershipStatus.ADMITTED or not self.stakeholder_class.has_voting_rights:
            return False
        if getattr(self, "shares_held", 0) < 1 or self.admitted_on is None:
            return False
        rules = self.rules
        if rules.paid_share_needed_to_vote and self.paid_shares < 1:
            return False
        return (on - self.admitted_on).days >= rules.voting_qualifying_days
