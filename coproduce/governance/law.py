"""What the law and a society's rules say about general meetings, as pure functions.

No Django here (plain dataclasses, ``datetime`` and exact ``Fraction`` arithmetic), so that every
rule can be tested as a table and read beside the statute. The models and services turn rows
into these arguments; nothing else decides notice, quorum or whether a resolution passed.

The statute is the Co-operative and Community Benefit Societies Act 2014 ("the 2014 Act"):

* **s.111** (amalgamation, transfer of engagements between societies, ss.109-110): passed at a
  general meeting by at least two-thirds of the eligible members who vote (in person, or by
  proxy where the rules allow), of which notice specifying the intention was duly given, and
  confirmed by over half of the eligible members who vote at a second general meeting held at
  least 14 days and no more than one month from the day of the first.
* **s.113** (conversion into a company, amalgamation with or transfer to a company, s.112): at
  least 75% of the eligible members who vote, **and at least 50% of the eligible members vote
  on it**; confirmed by over 50% of those voting at a second meeting in the same window. (The
  brief for this module said conversion uses s.111's procedure: the Act says otherwise, so
  conversion has its own threshold here, with the turnout condition.)
* **s.119(3)(a)** (dissolution by an instrument of dissolution): at least 75% of the society's
  **members** consent, testified by their signatures. The base is every member, not the votes
  cast, so abstaining and not signing count the same.

"Eligible members" are the members entitled under the rules to vote (s.111(3), s.113(3)).
Abstentions are not votes cast: a member who abstains has not voted for or against, so an
abstention neither helps nor hinders a resolution measured against votes cast, and it does not
count towards s.113's turnout (the stricter reading: open question in the app's README).
"""

from __future__ import annotations

import calendar
from collections.abc import Set
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

# -- Notice in clear days ------------------------------------------------------------------------------


def earliest_meeting_date(sent_on: date, clear_days: int, *, deemed_served_after_days: int = 0) -> date:
    """The first day a meeting may be held after notice sent on ``sent_on``.

    Clear days leave out both the day the notice is served and the day of the meeting: notice
    sent on 1 March with 14 clear days leaves 2-15 March clear, so the meeting may be on 16 March.
    Where the rules deem a notice served some days after it is sent (48 hours for post is common:
    ``deemed_served_after_days=2``), the clear days run from the day it is deemed served.
    """
    if clear_days < 0 or deemed_served_after_days < 0:
        raise ValueError("clear days and days to service cannot be negative")
    served_on = sent_on + timedelta(days=deemed_served_after_days)
    return served_on + timedelta(days=clear_days + 1)


def clear_days_given(sent_on: date, meeting_on: date, *, deemed_served_after_days: int = 0) -> int:
    """How many clear days lie between the notice (as served) and the meeting (0 at least)."""
    served_on = sent_on + timedelta(days=deemed_served_after_days)
    return max((meeting_on - served_on).days - 1, 0)


def notice_is_short(sent_on: date, meeting_on: date, clear_days: int, *, deemed_served_after_days: int = 0) -> bool:
    """True when a meeting on ``meeting_on`` falls inside the notice period of a notice sent on ``sent_on``."""
    return meeting_on < earliest_meeting_date(sent_on, clear_days, deemed_served_after_days=deemed_served_after_days)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day where it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def confirmation_window(first_meeting_on: date) -> tuple[date, date]:
    """The first and last days a second meeting may confirm a s.111 or s.113 resolution: at least 14
    days and no more than one month from the day of the first meeting (both ends allowed)."""
    return first_meeting_on + timedelta(days=14), add_months(first_meeting_on, 1)


# -- Quorum --------------------------------------------------------------------------------------------


class CountRule(StrEnum):
    """How a number and a share of the members combine into a quorum or a requisition threshold."""

    NUMBER = "number"  # the number in the rules
    SHARE = "share"  # the share of the members entitled, rounded up to a whole person
    LOWER = "lower"  # whichever of the two is lower ("10 members or 10%, whichever is less")
    HIGHER = "higher"  # whichever of the two is higher ("3 members or half, whichever is more")


def ceil_share(members: int, share: Fraction) -> int:
    """``share`` of ``members`` rounded up to a whole person (10% of 95 members is 10, not 9.5)."""
    product = share * members
    return -(-product.numerator // product.denominator)


def _check_share(share: Fraction | None) -> None:
    if share is not None and not 0 < share <= 1:
        raise ValueError("a share of the members is more than 0 and at most 1")


def people_needed(members: int, number: int | None, share: Fraction | None, rule: str) -> int:
    """A number of people from a number, a share of ``members`` and the rule combining them (at least 1).

    With ``lower`` or ``higher`` and only one of the two given, that one applies.
    """
    rule = CountRule(rule)
    if members < 0:
        raise ValueError("members cannot be negative")
    if number is not None and number < 1:
        raise ValueError("the number in the rules is at least 1")
    _check_share(share)
    by_number = number
    by_share = max(ceil_share(members, share), 1) if share is not None else None
    if rule == CountRule.NUMBER:
        if by_number is None:
            raise ValueError("the rule counts a number, and none is given")
        return by_number
    if rule == CountRule.SHARE:
        if by_share is None:
            raise ValueError("the rule counts a share, and none is given")
        return by_share
    given = [value for value in (by_number, by_share) if value is not None]
    if not given:
        raise ValueError("give a number, a share or both")
    return max(1, min(given) if rule == CountRule.LOWER else max(given))


def quorum_required(members_entitled: int, number: int | None, share: Fraction | None, rule: str) -> int:
    """The quorum: how many members must be present (as the rules count them) for business to start.

    The number is the rules' and is not capped at the membership: a society with fewer members than
    its quorum cannot hold a quorate meeting until it changes its rules, as the rules say.
    """
    return people_needed(members_entitled, number, share, rule)


def quorum_present(attending_members: Set, proxy_represented: Set, proxies_count: bool) -> int:
    """How many members are present for the quorum.

    ``attending_members`` are the members entitled to vote who are checked in (a proxy holder who
    is a member is among them and counts for themself). ``proxy_represented`` are the appointers
    whose proxy is live and whose holder is present: they count only where the rules say proxies
    count towards the quorum. Each member counts once, whether present, represented or both.
    """
    if proxies_count:
        return len(set(attending_members) | set(proxy_represented))
    return len(set(attending_members))


# -- Resolutions ---------------------------------------------------------------------------------------


class ResolutionKind(StrEnum):
    ORDINARY = "ordinary"
    SPECIAL = "special"  # as the society's rules define it (rule changes and the like)
    AMALGAMATION_OR_TRANSFER = "amalgamation_or_transfer"  # 2014 Act ss.109-111
    CONVERSION = "conversion"  # 2014 Act ss.112-113
    DISSOLUTION = "dissolution"  # 2014 Act s.119(3)(a): an instrument signed by 75% of the members
    CONFIRMATION = "confirmation"  # the second meeting's confirmation under s.111(2)(c) or s.113(2)(d)


class Base(StrEnum):
    """What a resolution's share of votes for is a share of."""

    VOTES_CAST = "votes_cast"  # for + against (abstentions are not votes cast)
    MEMBERS = "members"  # every member (a dissolution's signatures)


@dataclass(frozen=True)
class Threshold:
    """What a resolution needs: votes for as a share of ``base``, reaching ``fraction`` (``inclusive``)
    or passing it (not inclusive: "more than half"); and, where the law asks, a ``turnout``: the share
    of the members entitled who must vote (s.113(2)(b): at least half)."""

    fraction: Fraction
    inclusive: bool
    base: str = Base.VOTES_CAST
    turnout: Fraction | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fraction", Fraction(self.fraction))
        object.__setattr__(self, "base", Base(self.base))
        if not 0 < self.fraction <= 1 or (self.fraction == 1 and not self.inclusive):
            raise ValueError("a threshold is a share of more than 0 and at most 1 (reached, or passed)")
        if self.turnout is not None:
            object.__setattr__(self, "turnout", Fraction(self.turnout))
            if not 0 < self.turnout <= 1:
                raise ValueError("a turnout is a share of more than 0 and at most 1")

    def met(self, share: Fraction) -> bool:
        return share >= self.fraction if self.inclusive else share > self.fraction

    def at_least_as_strict_as(self, other: Threshold) -> bool:
        """Every result that passes this threshold also passes ``other`` (same base)."""
        if self.base != other.base:
            raise ValueError("thresholds of different bases cannot be compared")
        return (self.fraction, not self.inclusive) >= (other.fraction, not other.inclusive) and (self.turnout or 0) >= (
            other.turnout or 0
        )

    def __str__(self) -> str:
        sign = "≥" if self.inclusive else ">"
        text = f"{sign} {self.fraction} of {self.base}"
        return text + (f", turnout ≥ {self.turnout}" if self.turnout else "")


ORDINARY = Threshold(Fraction(1, 2), inclusive=False)
DEFAULT_SPECIAL = Threshold(Fraction(3, 4), inclusive=True)
STATUTORY: dict[str, Threshold] = {
    ResolutionKind.AMALGAMATION_OR_TRANSFER: Threshold(Fraction(2, 3), inclusive=True),  # s.111(2)(a)
    ResolutionKind.CONVERSION: Threshold(Fraction(3, 4), inclusive=True, turnout=Fraction(1, 2)),  # s.113(2)(a)-(b)
    ResolutionKind.DISSOLUTION: Threshold(Fraction(3, 4), inclusive=True, base=Base.MEMBERS),  # s.119(3)(a)
    ResolutionKind.CONFIRMATION: Threshold(Fraction(1, 2), inclusive=False),  # s.111(2)(c), s.113(2)(d)
}
# Passed at a first meeting, these take effect only once confirmed at a second (``confirmation_window``).
NEED_CONFIRMATION = frozenset({ResolutionKind.AMALGAMATION_OR_TRANSFER, ResolutionKind.CONVERSION})


def stricter(first: Threshold, second: Threshold) -> Threshold:
    """The threshold that asks at least what each of the two asks (same base)."""
    if first.base != second.base:
        raise ValueError("thresholds of different bases cannot be combined")
    share = max(first, second, key=lambda t: (t.fraction, not t.inclusive))
    turnouts = [t.turnout for t in (first, second) if t.turnout is not None]
    return Threshold(share.fraction, share.inclusive, first.base, max(turnouts) if turnouts else None)


def threshold_for(
    kind: str, *, special: Threshold = DEFAULT_SPECIAL, raised_by_rules: Threshold | None = None
) -> Threshold:
    """The threshold a resolution of ``kind`` must meet.

    An ordinary resolution needs more than half the votes cast. A special one needs what the
    society's rules say (``special``; 75% of votes cast unless they say otherwise), which must ask
    more than an ordinary one. The statutory kinds need what the 2014 Act says; a society's rules
    may ask more (``raised_by_rules``) but never less, so the stricter of the two applies.
    """
    kind = ResolutionKind(kind)
    if kind == ResolutionKind.ORDINARY:
        return ORDINARY
    if kind == ResolutionKind.SPECIAL:
        if special.base != Base.VOTES_CAST or not special.at_least_as_strict_as(ORDINARY) or special == ORDINARY:
            raise ValueError("a special resolution asks more than a simple majority of the votes cast")
        return special
    statutory = STATUTORY[kind]
    if raised_by_rules is None or raised_by_rules.base != statutory.base:
        return statutory
    return stricter(statutory, raised_by_rules)


@dataclass(frozen=True)
class Result:
    """A resolution's result: the figures, the threshold they were measured against, and why."""

    kind: str
    passed: bool
    for_votes: int
    against_votes: int
    abstentions: int
    votes_cast: int  # for + against
    base: int  # what the share is of: the votes cast, or the members
    share: Fraction | None  # votes for / base; None when the base is 0
    threshold: Threshold
    members_entitled: int | None
    turnout: Fraction | None  # votes cast / members entitled, where known
    turnout_met: bool

    @property
    def reason(self) -> str:
        """Why it passed or failed, as a code the pages put into words: ``passed``, ``no_votes``,
        ``turnout`` (too few voted: s.113) or ``threshold``."""
        if self.passed:
            return "passed"
        if self.share is None:
            return "no_votes"
        if not self.turnout_met:
            return "turnout"
        return "threshold"

    @property
    def votes_needed(self) -> int | None:
        """The fewest votes for that would have passed, with the same base (None when the base is 0)."""
        if not self.base:
            return None
        needed = ceil_share(self.base, self.threshold.fraction)
        if not self.threshold.inclusive and Fraction(needed, self.base) == self.threshold.fraction:
            needed += 1
        return needed


def resolution_result(
    kind: str,
    for_: int,
    against: int,
    abstain: int,
    threshold: Threshold,
    members_entitled: int | None = None,
) -> Result:
    """Whether a resolution passed: the votes for as a share of the base, against ``threshold``.

    ``members_entitled`` is the number of eligible members (those entitled to vote); it is needed
    for a threshold on members (dissolution: every member of the society) and for a turnout
    condition (s.113), and where given no more votes than members can have been cast.
    No votes cast fails: nothing was carried.
    """
    kind = ResolutionKind(kind)
    if min(for_, against, abstain) < 0:
        raise ValueError("votes cannot be negative")
    votes_cast = for_ + against
    if members_entitled is not None:
        if members_entitled < 0:
            raise ValueError("members cannot be negative")
        if votes_cast + abstain > members_entitled:
            raise ValueError("more votes than members entitled: each member has one vote")
    elif threshold.base == Base.MEMBERS or threshold.turnout is not None:
        raise ValueError("this threshold needs the number of members entitled")
    base = members_entitled if threshold.base == Base.MEMBERS else votes_cast
    share = Fraction(for_, base) if base else None
    turnout = Fraction(votes_cast, members_entitled) if members_entitled else None
    turnout_met = threshold.turnout is None or (turnout is not None and turnout >= threshold.turnout)
    passed = share is not None and threshold.met(share) and turnout_met
    return Result(
        kind=kind,
        passed=passed,
        for_votes=for_,
        against_votes=against,
        abstentions=abstain,
        votes_cast=votes_cast,
        base=base or 0,
        share=share,
        threshold=threshold,
        members_entitled=members_entitled,
        turnout=turnout,
        turnout_met=turnout_met,
    )


# -- Short notice, requisitions and proxies ----------------------------------------------------------


def short_notice_consents_required(members_entitled: int, share: Fraction) -> int:
    """How many members must agree to a meeting on short notice: ``share`` of those entitled, rounded up."""
    _check_share(share)
    return max(ceil_share(members_entitled, share), 1)


def requisition_threshold(members: int, number: int | None, share: Fraction | None, rule: str = CountRule.LOWER) -> int:
    """How many members with a vote must sign a requisition for a special general meeting to be
    called (the rules' number, share or whichever is lower, as with a quorum)."""
    return people_needed(members, number, share, rule)


DEFAULT_DAYS_TO_CALL = 28


def requisition_call_by(reached_on: date, days_to_call: int = DEFAULT_DAYS_TO_CALL) -> date:
    """The last day to call (send notice of) the meeting a valid requisition asks for."""
    if days_to_call < 0:
        raise ValueError("days to call cannot be negative")
    return reached_on + timedelta(days=days_to_call)


def proxy_deadline(starts_at: datetime, hours_before: int) -> datetime:
    """The moment after which proxies can no longer be appointed or revoked."""
    if hours_before < 0:
        raise ValueError("hours before the meeting cannot be negative")
    return starts_at - timedelta(hours=hours_before)
