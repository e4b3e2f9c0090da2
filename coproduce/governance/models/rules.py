"""A society's rules about its meetings, one version per date they took effect.

A meeting is called under the version in force on the day its notice is sent, and keeps it: a
later change of rules does not change a meeting already called, and the record says which
rules applied. Until an organisation sets its own, the defaults come from what its membership
rules (``members.MembershipRules``) already say about notice and quorum.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import law


class MeetingKind(models.TextChoices):
    AGM = "agm", _("Annual general meeting")
    SGM = "sgm", _("Special general meeting")
    BOARD = "board", _("Board meeting")
    COMMITTEE = "committee", _("Committee meeting")


# General meetings are the members'; board and committee meetings are the board members'.
GENERAL_MEETINGS = frozenset({MeetingKind.AGM, MeetingKind.SGM})


class CountRule(models.TextChoices):
    NUMBER = law.CountRule.NUMBER, _("the number of members")
    SHARE = law.CountRule.SHARE, _("the share of the members")
    LOWER = law.CountRule.LOWER, _("whichever of the two is lower")
    HIGHER = law.CountRule.HIGHER, _("whichever of the two is higher")


def _share_fields(verbose, *, numerator: int | None, denominator: int | None, required: bool = False):
    """A share kept exactly as a fraction: two whole numbers (3 and 4 for three-quarters); both
    empty where the rules give no share (unless ``required``)."""
    null = not required
    return (
        models.PositiveSmallIntegerField(
            format_lazy("{} ({})", verbose, _("numerator")),
            null=null,
            blank=null,
            default=numerator,
            validators=[MinValueValidator(1)],
        ),
        models.PositiveSmallIntegerField(
            format_lazy("{} ({})", verbose, _("denominator")),
            null=null,
            blank=null,
            default=denominator,
            validators=[MinValueValidator(1)],
        ),
    )


def _share_check(prefix: str, *, nullable: bool) -> models.CheckConstraint:
    """A share is more than 0 and at most 1, and both of its numbers are given or neither."""
    numerator, denominator = f"{prefix}_numerator", f"{prefix}_denominator"
    valid = Q(**{f"{numerator}__gte": 1}) & LessThanOrEqual(F(numerator), F(denominator))
    if nullable:
        valid |= Q(**{f"{numerator}__isnull": True, f"{denominator}__isnull": True})
    return models.CheckConstraint(condition=valid, name=f"meeting_rules_{prefix}_is_a_share")


def _count_rule_check(prefix: str) -> models.CheckConstraint:
    """A number rule has a number, a share rule a share, and lower or higher at least one of them."""
    number, share = Q(**{f"{prefix}_number__isnull": False}), Q(**{f"{prefix}_share_numerator__isnull": False})
    rule = f"{prefix}_rule"
    return models.CheckConstraint(
        condition=(Q(**{rule: CountRule.NUMBER}) & number)
        | (Q(**{rule: CountRule.SHARE}) & share)
        | (Q(**{f"{rule}__in": [CountRule.LOWER, CountRule.HIGHER]}) & (number | share)),
        name=f"meeting_rules_{prefix}_counts_what_it_says",
    )


def _fraction(numerator: int | None, denominator: int | None) -> Fraction | None:
    return Fraction(numerator, denominator) if numerator and denominator else None


class MeetingRules(models.Model):
    """What an organisation's registered rules say about its meetings, from ``effective_from`` on.

    Versions are never changed once saved (``governance.services.rules_set`` adds a new one), so
    that every meeting keeps the rules it was called under.
    """

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="meeting_rules"
    )
    effective_from = models.DateField(_("in force from"))
    # Notice, in clear days (the day it is served and the day of the meeting not counted).
    notice_agm_days = models.PositiveSmallIntegerField(
        _("notice of an annual general meeting (clear days)"), default=14, validators=[MaxValueValidator(365)]
    )
    notice_sgm_days = models.PositiveSmallIntegerField(
        _("notice of a special general meeting (clear days)"), default=14, validators=[MaxValueValidator(365)]
    )
    notice_board_days = models.PositiveSmallIntegerField(
        _("notice of a board meeting (clear days)"), default=7, validators=[MaxValueValidator(365)]
    )
    notice_committee_days = models.PositiveSmallIntegerField(
        _("notice of a committee meeting (clear days)"), default=7, validators=[MaxValueValidator(365)]
    )
    notice_deemed_served_after_days = models.PositiveSmallIntegerField(
        _("days after sending that a notice is treated as received"),
        default=0,
        validators=[MaxValueValidator(14)],
        help_text=_("Some rules treat a notice as received 48 hours after it is posted: enter 2."),
    )
    short_notice_allowed = models.BooleanField(
        _("a meeting may be held on shorter notice if members agree"), default=False
    )
    short_notice_share_numerator, short_notice_share_denominator = _share_fields(
        _("share of the members who must agree to short notice"), numerator=9, denominator=10, required=True
    )
    # Quorum of a general meeting: members entitled to vote, present (or represented, where proxies count).
    quorum_number = models.PositiveIntegerField(
        _("quorum (members)"), null=True, blank=True, default=10, validators=[MinValueValidator(1)]
    )
    quorum_share_numerator, quorum_share_denominator = _share_fields(
        _("quorum (share of the members)"), numerator=None, denominator=None
    )
    quorum_rule = models.CharField(
        _("quorum counts"), max_length=10, choices=CountRule.choices, default=CountRule.NUMBER
    )
    proxies_count_to_quorum = models.BooleanField(
        _("members represented by a proxy count towards the quorum"), default=True
    )
    # Quorum of a board or committee meeting: its members present.
    board_quorum_number = models.PositiveSmallIntegerField(
        _("board quorum (members of the board)"), null=True, blank=True, default=3, validators=[MinValueValidator(1)]
    )
    board_quorum_share_numerator, board_quorum_share_denominator = _share_fields(
        _("board quorum (share of the board)"), numerator=1, denominator=2
    )
    board_quorum_rule = models.CharField(
        _("board quorum counts"), max_length=10, choices=CountRule.choices, default=CountRule.HIGHER
    )
    proxies_allowed = models.BooleanField(_("members may vote by proxy at general meetings"), default=True)
    proxy_limit = models.PositiveSmallIntegerField(
        _("most proxies one person may hold"),
        null=True,
        blank=True,
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit. The chair of the meeting may always hold any number."),
    )
    proxy_deadline_hours = models.PositiveSmallIntegerField(
        _("proxies must be appointed this many hours before the meeting"),
        default=48,
        validators=[MaxValueValidator(720)],
    )
    # Who may requisition a special general meeting, and how soon it must be called.
    requisition_number = models.PositiveIntegerField(
        _("a requisition needs this many members"), null=True, blank=True, default=20, validators=[MinValueValidator(1)]
    )
    requisition_share_numerator, requisition_share_denominator = _share_fields(
        _("a requisition needs this share of the members"), numerator=1, denominator=10
    )
    requisition_rule = models.CharField(
        _("a requisition needs"), max_length=10, choices=CountRule.choices, default=CountRule.LOWER
    )
    requisition_days_to_call = models.PositiveSmallIntegerField(
        _("days to call a requisitioned meeting"), default=law.DEFAULT_DAYS_TO_CALL, validators=[MaxValueValidator(365)]
    )
    # A special resolution under the society's own rules (the 2014 Act's own kinds are fixed by law).
    special_numerator = models.PositiveSmallIntegerField(
        _("special resolution (numerator)"), default=3, validators=[MinValueValidator(1)]
    )
    special_denominator = models.PositiveSmallIntegerField(
        _("special resolution (denominator)"), default=4, validators=[MinValueValidator(1)]
    )
    special_inclusive = models.BooleanField(
        _("a special resolution passes on reaching the share (not only on passing it)"), default=True
    )
    # Whether anyone (not only the members) may read the record of meetings: results and minutes.
    record_public = models.BooleanField(_("the record of meetings is open to the public"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-effective_from"]
        get_latest_by = "effective_from"
        verbose_name = _("meeting rules")
        verbose_name_plural = _("meeting rules")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "effective_from"], name="one_meeting_rules_version_a_day"),
            _share_check("short_notice_share", nullable=False),
            _share_check("quorum_share", nullable=True),
            _share_check("board_quorum_share", nullable=True),
            _share_check("requisition_share", nullable=True),
            _count_rule_check("quorum"),
            _count_rule_check("board_quorum"),
            _count_rule_check("requisition"),
            # A special resolution asks more than half of the votes cast (and at most all of them).
            models.CheckConstraint(
                condition=GreaterThan(F("special_numerator") * 2, F("special_denominator"))
                & LessThanOrEqual(F("special_numerator"), F("special_denominator")),
                name="meeting_rules_special_more_than_half",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Meeting rules of %(organisation)s from %(date)s")
            % {"organisation": self.organisation, "date": self.effective_from}
        )

    # What the rules say, as the law module's arguments.

    def notice_clear_days(self, kind: str) -> int:
        return {
            MeetingKind.AGM: self.notice_agm_days,
            MeetingKind.SGM: self.notice_sgm_days,
            MeetingKind.BOARD: self.notice_board_days,
            MeetingKind.COMMITTEE: self.notice_committee_days,
        }[kind]

    def earliest_meeting_date(self, kind: str, sent_on: datetime.date) -> datetime.date:
        return law.earliest_meeting_date(
            sent_on, self.notice_clear_days(kind), deemed_served_after_days=self.notice_deemed_served_after_days
        )

    @property
    def short_notice_share(self) -> Fraction:
        return Fraction(self.short_notice_share_numerator, self.short_notice_share_denominator)

    def quorum_required(self, kind: str, members_entitled: int) -> int:
        if kind in GENERAL_MEETINGS:
            share = _fraction(self.quorum_share_numerator, self.quorum_share_denominator)
            return law.quorum_required(members_entitled, self.quorum_number, share, self.quorum_rule)
        share = _fraction(self.board_quorum_share_numerator, self.board_quorum_share_denominator)
        return law.quorum_required(members_entitled, self.board_quorum_number, share, self.board_quorum_rule)

    def requisition_threshold(self, members: int) -> int:
        share = _fraction(self.requisition_share_numerator, self.requisition_share_denominator)
        return law.requisition_threshold(members, self.requisition_number, share, self.requisition_rule)

    @property
    def special_threshold(self) -> law.Threshold:
        return law.Threshold(Fraction(self.special_numerator, self.special_denominator), self.special_inclusive)

    def threshold_for(self, kind: str) -> law.Threshold:
        return law.threshold_for(kind, special=self.special_threshold)


def default_rules(organisation, *, on: datetime.date) -> MeetingRules:
    """The rules an organisation that has set none meets under (unsaved): the defaults above, with
    the notice and quorum its membership rules already give."""
    from coproduce.members.models import rules_for

    membership = rules_for(organisation)
    rules = MeetingRules(
        organisation=organisation,
        effective_from=on,
        notice_agm_days=membership.meeting_notice_clear_days,
        notice_sgm_days=membership.meeting_notice_clear_days,
        quorum_number=membership.quorum_members or None,
    )
    if membership.quorum_percent:
        rules.quorum_share_numerator, rules.quorum_share_denominator = membership.quorum_percent, 100
        rules.quorum_rule = CountRule.LOWER if rules.quorum_number else CountRule.SHARE
    return rules


def rules_in_force(organisation, *, on: datetime.date) -> MeetingRules:
    """The version of the organisation's meeting rules in force on ``on`` (unsaved defaults if none was)."""
    version = (
        MeetingRules.objects.filter(organisation=organisation, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    return version or default_rules(organisation, on=on)
