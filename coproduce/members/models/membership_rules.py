"""The rules a society's members live by: shares, withdrawals, meetings and voting.

They belong to ``members``, not to ``core``'s Organisation: the core knows organisations, the
members app knows what its registered rules say about membership. One row per organisation,
created when the rules are first changed; until then every organisation has the defaults.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Co-operative and Community Benefit Societies Act 2014, s.24: £100,000 cap on a member's
# withdrawable share capital.
STATUTORY_MAX_HOLDING_PENCE = 100_000_00


class MembershipRules(models.Model):
    """What an organisation's registered rules say about membership, shares, meetings and votes."""

    organisation = models.OneToOneField(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="membership_rules",
        primary_key=True,
    )
    accepts_members = models.BooleanField(_("accepts applications for membership"), default=True)
    details_required_to_apply = models.BooleanField(
        _("applicants must give their name and postal address first"),
        default=True,
        help_text=_("The register of members must hold each member's name and postal address."),
    )
    share_value_pence = models.PositiveIntegerField(
        _("value of one share (pence)"), default=100, validators=[MinValueValidator(1)]
    )
    max_holding_pence = models.PositiveIntegerField(
        _("maximum holding (pence)"),
        default=STATUTORY_MAX_HOLDING_PENCE,
        validators=[MaxValueValidator(STATUTORY_MAX_HOLDING_PENCE)],
    )
    further_purchases_allowed = models.BooleanField(_("members may buy further shares"), default=False)
    shares_withdrawable = models.BooleanField(_("shares are withdrawable"), default=True)
    withdrawals_suspended = models.BooleanField(_("withdrawals suspended"), default=False)
    repayment_days = models.PositiveSmallIntegerField(
        _("days within which withdrawn shares are repaid"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("Members who withdraw shares or leave are told they will be repaid within this many days."),
    )
    payment_instructions = models.TextField(
        _("how to pay for shares"),
        blank=True,
        help_text=_("Shown to members who owe for shares: bank details and reference, or where to pay in person."),
    )
    payment_instructions_cy = models.TextField(_("how to pay for shares, in Welsh"), blank=True)
    paid_share_needed_to_vote = models.BooleanField(
        _("a member votes only once a share is paid for"),
        default=True,
        help_text=_(
            "Most model rules admit a member on a fully paid share; untick if your rules let owed shares vote."
        ),
    )
    meeting_notice_clear_days = models.PositiveSmallIntegerField(_("general meeting notice (clear days)"), default=14)
    quorum_members = models.PositiveIntegerField(_("quorum (members present)"), default=10)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percent of voting members)"), default=0, validators=[MaxValueValidator(100)]
    )
    voting_qualifying_days = models.PositiveSmallIntegerField(
        _("days a member must have held membership before voting"), default=0
    )

    class Meta:
        verbose_name = _("membership rules")
        verbose_name_plural = _("membership rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_holding_pence__lte=STATUTORY_MAX_HOLDING_PENCE),
                name="membership_rules_max_holding_within_statutory_cap",
            ),
            models.CheckConstraint(
                condition=models.Q(share_value_pence__gte=1), name="membership_rules_share_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Membership rules of %(organisation)s") % {"organisation": self.organisation})

    @property
    def max_shares(self) -> int:
        """The most shares one member may hold under the cap."""
        return self.max_holding_pence // self.share_value_pence

    def localised_payment_instructions(self, language: str | None) -> str:
        if language == "cy" and self.payment_instructions_cy:
            return self.payment_instructions_cy
        return self.payment_instructions


def rules_for(organisation) -> MembershipRules:
    """The organisation's rules: its saved row, or the defaults (unsaved) if it has none yet.

    Reading never writes; ``membership_rules_update`` saves the row the first time rules change.
    """
    try:
        return organisation.membership_rules
    except MembershipRules.DoesNotExist:
        return MembershipRules(organisation=organisation)
