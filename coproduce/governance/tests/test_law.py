"""The rules about meetings as tables: notice in clear days, quorum, every kind of resolution at its
boundary, requisitions. ``law`` is pure Python: none of these touch the database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction as F

import pytest

from coproduce.governance import law
from coproduce.governance.law import Base, ResolutionKind, Threshold

# -- Clear days ----------------------------------------------------------------------------------------

CLEAR_DAYS = [
    # sent on, clear days, deemed served after, earliest meeting date
    (date(2025, 3, 1), 14, 0, date(2025, 3, 16)),  # the textbook case: 2-15 March are clear
    (date(2025, 3, 1), 7, 0, date(2025, 3, 9)),
    (date(2025, 3, 1), 0, 0, date(2025, 3, 2)),  # no clear days: any later day
    (date(2025, 3, 1), 14, 2, date(2025, 3, 18)),  # posted: deemed served 48 hours later
    (date(2025, 1, 20), 14, 0, date(2025, 2, 4)),  # across a month end
    (date(2025, 4, 30), 14, 0, date(2025, 5, 15)),  # from a month's last day
    (date(2025, 2, 14), 14, 0, date(2025, 3, 1)),  # 28 February in a common year
    (date(2024, 2, 14), 14, 0, date(2024, 2, 29)),  # 29 February in a leap year
    (date(2024, 2, 15), 14, 0, date(2024, 3, 1)),
    (date(2100, 2, 14), 14, 0, date(2100, 3, 1)),  # 2100 is not a leap year
    (date(2000, 2, 14), 14, 0, date(2000, 2, 29)),  # 2000 is
    (date(2024, 2, 28), 0, 0, date(2024, 2, 29)),
    (date(2023, 2, 28), 0, 0, date(2023, 3, 1)),
    (date(2025, 12, 20), 14, 0, date(2026, 1, 4)),  # across the year end
    (date(2025, 12, 31), 21, 0, date(2026, 1, 22)),
    (date(2025, 12, 30), 0, 2, date(2026, 1, 2)),  # deemed served in the new year
]


@pytest.mark.parametrize(("sent_on", "clear", "deemed", "earliest"), CLEAR_DAYS)
def test_the_earliest_meeting_date_leaves_the_clear_days_between(sent_on, clear, deemed, earliest):
    assert law.earliest_meeting_date(sent_on, clear, deemed_served_after_days=deemed) == earliest
    # The day before is short notice; the earliest day and any later one are not.
    assert law.notice_is_short(sent_on, earliest - timedelta(days=1), clear, deemed_served_after_days=deemed)
    assert not law.notice_is_short(sent_on, earliest, clear, deemed_served_after_days=deemed)
    assert not law.notice_is_short(sent_on, earliest + timedelta(days=30), clear, deemed_served_after_days=deemed)
    assert law.clear_days_given(sent_on, earliest, deemed_served_after_days=deemed) == clear


@pytest.mark.parametrize(("clear", "deemed"), [(-1, 0), (14, -1)])
def test_negative_days_are_refused(clear, deemed):
    with pytest.raises(ValueError):
        law.earliest_meeting_date(date(2025, 3, 1), clear, deemed_served_after_days=deemed)


@pytest.mark.parametrize(
    ("first", "earliest", "latest"),
    [
        (date(2025, 3, 1), date(2025, 3, 15), date(2025, 4, 1)),
        (date(2024, 1, 31), date(2024, 2, 14), date(2024, 2, 29)),  # one month from 31 January, leap year
        (date(2025, 1, 31), date(2025, 2, 14), date(2025, 2, 28)),
        (date(2025, 12, 20), date(2026, 1, 3), date(2026, 1, 20)),  # across the year end
        (date(2025, 2, 15), date(2025, 3, 1), date(2025, 3, 15)),
    ],
)
def test_a_confirmation_is_held_14_days_to_one_month_after_the_first_meeting(first, earliest, latest):
    assert law.confirmation_window(first) == (earliest, latest)


# -- Quorum --------------------------------------------------------------------------------------------

QUORUMS = [
    # members entitled, number, share, rule, quorum
    (200, 10, None, "number", 10),
    (5, 10, None, "number", 10),  # not capped: the rules say 10
    (200, None, F(1, 10), "share", 20),
    (95, None, F(1, 10), "share", 10),  # 9.5 rounds up to a whole person
    (91, None, F(1, 10), "share", 10),
    (90, None, F(1, 10), "share", 9),
    (0, None, F(1, 10), "share", 1),  # at least one
    (3, None, F(1, 10), "share", 1),
    (200, 10, F(1, 10), "lower", 10),  # "10 members or 10%, whichever is less"
    (50, 10, F(1, 10), "lower", 5),
    (55, 10, F(1, 10), "lower", 6),
    (50, 10, None, "lower", 10),  # only a number given: it applies
    (50, None, F(1, 4), "lower", 13),
    (50, 3, F(1, 2), "higher", 25),  # "3 or half, whichever is more"
    (4, 3, F(1, 2), "higher", 3),
]


@pytest.mark.parametrize(("members", "number", "share", "rule", "quorum"), QUORUMS)
def test_the_quorum_follows_the_rules(members, number, share, rule, quorum):
    assert law.quorum_required(members, number, share, rule) == quorum


@pytest.mark.parametrize(
    ("number", "share", "rule"),
    [(None, F(1, 10), "number"), (10, None, "share"), (None, None, "lower"), (0, None, "number"), (5, F(0), "lower")],
)
def test_a_quorum_rule_without_what_it_counts_is_refused(number, share, rule):
    with pytest.raises(ValueError):
        law.quorum_required(100, number, share, rule)


PRESENT = [
    # attending, represented by a proxy whose holder is present, proxies count, present
    ({"a", "b", "c"}, set(), True, 3),
    ({"a", "b", "c"}, {"d", "e"}, True, 5),
    ({"a", "b", "c"}, {"d", "e"}, False, 3),  # the rules do not count proxies
    ({"a", "b"}, {"b", "c"}, True, 3),  # b came in person after appointing a proxy: counted once
    ({"a"}, {"b", "c", "d"}, True, 4),  # a holds three proxies and counts themself too
    ({"a"}, {"b", "c", "d"}, False, 1),
    (set(), {"b"}, True, 1),  # represented by the chair, nobody else checked in
    (set(), set(), True, 0),
]


@pytest.mark.parametrize(("attending", "represented", "proxies_count", "present"), PRESENT)
def test_members_present_count_once_and_proxies_only_as_the_rules_say(attending, represented, proxies_count, present):
    assert law.quorum_present(attending, represented, proxies_count) == present


# -- Resolutions ---------------------------------------------------------------------------------------

SPECIAL = law.DEFAULT_SPECIAL
TWO_THIRDS_SPECIAL = Threshold(F(2, 3), inclusive=True)

RESULTS = [
    # kind, for, against, abstain, members entitled, rules' special threshold, passed
    # Ordinary: more than half of the votes cast; a tie fails; abstentions are not votes cast.
    ("ordinary", 51, 49, 0, 100, SPECIAL, True),
    ("ordinary", 50, 50, 0, 100, SPECIAL, False),
    ("ordinary", 3, 2, 40, 100, SPECIAL, True),
    ("ordinary", 1, 0, 99, 100, SPECIAL, True),
    ("ordinary", 0, 0, 10, 100, SPECIAL, False),  # nobody voted for or against
    ("ordinary", 0, 0, 0, None, SPECIAL, False),
    # Special (the society's rules; 75% of votes cast by default): exactly 75% passes, one vote below fails.
    ("special", 75, 25, 0, 120, SPECIAL, True),
    ("special", 74, 25, 0, 120, SPECIAL, False),  # 74.7%
    ("special", 74, 26, 0, 120, SPECIAL, False),
    ("special", 3, 1, 0, 4, SPECIAL, True),
    ("special", 2, 1, 1, 4, SPECIAL, False),  # 2 of 3 cast: 66.7%
    ("special", 30, 10, 50, 100, SPECIAL, True),  # abstentions do not count against
    ("special", 2, 1, 0, 10, TWO_THIRDS_SPECIAL, True),  # rules saying two-thirds
    ("special", 0, 0, 0, 10, SPECIAL, False),
    # s.111: at least two-thirds of those voting.
    ("amalgamation_or_transfer", 2, 1, 0, 10, SPECIAL, True),
    ("amalgamation_or_transfer", 20, 10, 5, 50, SPECIAL, True),
    ("amalgamation_or_transfer", 19, 10, 5, 50, SPECIAL, False),
    ("amalgamation_or_transfer", 66, 34, 0, 100, SPECIAL, False),  # 66% < 66.67%
    ("amalgamation_or_transfer", 67, 33, 0, 100, SPECIAL, True),
    # s.113: at least 75% of those voting and at least half of the eligible members voting.
    ("conversion", 45, 15, 0, 120, SPECIAL, True),  # 60 of 120 voted: exactly half
    ("conversion", 45, 14, 0, 120, SPECIAL, False),  # 59 voted: below the turnout
    ("conversion", 45, 14, 1, 120, SPECIAL, False),  # 76% for, but abstaining is not voting: 59 voted
    ("conversion", 44, 16, 0, 120, SPECIAL, False),  # 73.3%
    ("conversion", 90, 0, 0, 100, SPECIAL, True),
    # s.119: three-quarters of the members sign; the base is the members, not votes cast.
    ("dissolution", 75, 0, 0, 100, SPECIAL, True),
    ("dissolution", 74, 0, 0, 100, SPECIAL, False),
    ("dissolution", 74, 1, 25, 100, SPECIAL, False),
    ("dissolution", 3, 0, 0, 4, SPECIAL, True),
    ("dissolution", 2, 0, 0, 3, SPECIAL, False),  # 66.7% of members
    # Confirmation at the second meeting: over half of those voting.
    ("confirmation", 11, 10, 3, 40, SPECIAL, True),
    ("confirmation", 10, 10, 3, 40, SPECIAL, False),
]


@pytest.mark.parametrize(("kind", "for_", "against", "abstain", "members", "special", "passed"), RESULTS)
def test_each_kind_of_resolution_at_its_boundary(kind, for_, against, abstain, members, special, passed):
    threshold = law.threshold_for(kind, special=special)
    result = law.resolution_result(kind, for_, against, abstain, threshold, members)
    assert result.passed is passed
    assert result.votes_cast == for_ + against
    assert (result.reason == "passed") is passed


def test_a_result_says_why_it_failed_and_how_many_votes_would_have_passed_it():
    special = law.threshold_for("special")
    failed = law.resolution_result("special", 74, 25, 0, special, 120)
    assert failed.reason == "threshold" and failed.share == F(74, 99)
    assert failed.votes_needed == 75  # ceil(0.75 x 99) = 75
    at = law.resolution_result("special", 75, 25, 0, special, 120)
    assert at.passed and at.share == F(3, 4) and at.votes_needed == 75
    tie = law.resolution_result("ordinary", 5, 5, 0, law.ORDINARY, 12)
    assert tie.reason == "threshold" and tie.votes_needed == 6  # more than half of 10
    low_turnout = law.resolution_result("conversion", 45, 14, 0, law.threshold_for("conversion"), 120)
    assert low_turnout.reason == "turnout" and low_turnout.turnout == F(59, 120)
    nothing = law.resolution_result("ordinary", 0, 0, 4, law.ORDINARY, 12)
    assert nothing.reason == "no_votes" and nothing.share is None and nothing.votes_needed is None


def test_statutory_thresholds_may_be_raised_by_the_rules_but_never_lowered():
    three_quarters = Threshold(F(3, 4), inclusive=True)
    half = Threshold(F(1, 2), inclusive=True)
    assert law.threshold_for("amalgamation_or_transfer", raised_by_rules=three_quarters) == three_quarters
    statutory = law.STATUTORY["amalgamation_or_transfer"]
    assert law.threshold_for("amalgamation_or_transfer", raised_by_rules=half) == statutory
    # s.113's turnout stays whatever the rules add.
    raised = law.threshold_for("conversion", raised_by_rules=Threshold(F(4, 5), inclusive=True))
    assert raised.fraction == F(4, 5) and raised.turnout == F(1, 2)
    # A society's special resolution must ask more than a simple majority.
    with pytest.raises(ValueError):
        law.threshold_for("special", special=Threshold(F(1, 2), inclusive=False))
    with pytest.raises(ValueError):
        law.threshold_for("special", special=Threshold(F(1, 2), inclusive=True))
    assert law.threshold_for("special", special=Threshold(F(1, 2), inclusive=False, turnout=F(1, 3))).turnout


def test_a_stricter_threshold_passes_the_share_and_reaches_the_turnout():
    assert Threshold(F(1, 2), inclusive=False).at_least_as_strict_as(Threshold(F(1, 2), inclusive=True))
    assert not Threshold(F(1, 2), inclusive=True).at_least_as_strict_as(Threshold(F(1, 2), inclusive=False))
    assert law.stricter(Threshold(F(2, 3), True), Threshold(F(2, 3), False)) == Threshold(F(2, 3), False)
    with pytest.raises(ValueError):
        law.stricter(Threshold(F(3, 4), True), Threshold(F(3, 4), True, base=Base.MEMBERS))


@pytest.mark.parametrize(
    ("for_", "against", "abstain", "members"),
    [(-1, 0, 0, 10), (6, 5, 0, 10), (5, 5, 1, 10)],
)
def test_impossible_figures_are_refused(for_, against, abstain, members):
    with pytest.raises(ValueError):
        law.resolution_result("ordinary", for_, against, abstain, law.ORDINARY, members)


def test_thresholds_on_members_or_turnout_need_the_number_of_members():
    with pytest.raises(ValueError):
        law.resolution_result("dissolution", 3, 0, 0, law.threshold_for("dissolution"))
    with pytest.raises(ValueError):
        law.resolution_result("conversion", 3, 0, 0, law.threshold_for("conversion"))


@pytest.mark.parametrize(
    ("fraction", "inclusive", "turnout"),
    [(F(0), True, None), (F(5, 4), True, None), (F(1), False, None), (F(1, 2), True, F(0))],
)
def test_impossible_thresholds_are_refused(fraction, inclusive, turnout):
    with pytest.raises(ValueError):
        Threshold(fraction, inclusive, turnout=turnout)


def test_every_kind_has_a_threshold_and_the_statutory_ones_need_confirmation_as_the_act_says():
    for kind in ResolutionKind:
        assert isinstance(law.threshold_for(kind), Threshold)
    assert {ResolutionKind.AMALGAMATION_OR_TRANSFER, ResolutionKind.CONVERSION} == law.NEED_CONFIRMATION


# -- Requisitions, short notice and proxies ----------------------------------------------------------

REQUISITIONS = [
    # members, number, share, rule, signatures needed
    (300, 20, F(1, 10), "lower", 20),
    (120, 20, F(1, 10), "lower", 12),
    (125, 20, F(1, 10), "lower", 13),
    (120, 20, None, "number", 20),
    (120, None, F(1, 20), "share", 6),
    (120, 20, F(1, 10), "higher", 20),
]


@pytest.mark.parametrize(("members", "number", "share", "rule", "needed"), REQUISITIONS)
def test_a_requisition_needs_the_signatures_the_rules_say(members, number, share, rule, needed):
    assert law.requisition_threshold(members, number, share, rule) == needed


@pytest.mark.parametrize(
    ("reached", "days", "call_by"),
    [
        (date(2025, 3, 1), 28, date(2025, 3, 29)),
        (date(2024, 2, 10), 28, date(2024, 3, 9)),  # through 29 February
        (date(2025, 2, 10), 28, date(2025, 3, 10)),
        (date(2025, 12, 15), 28, date(2026, 1, 12)),
        (date(2025, 3, 1), 0, date(2025, 3, 1)),
    ],
)
def test_a_requisition_must_be_called_within_the_days_the_rules_give(reached, days, call_by):
    assert law.requisition_call_by(reached, days) == call_by


@pytest.mark.parametrize(("members", "share", "needed"), [(100, F(9, 10), 90), (101, F(9, 10), 91), (3, F(19, 20), 3)])
def test_short_notice_needs_the_share_of_members_the_rules_say(members, share, needed):
    assert law.short_notice_consents_required(members, share) == needed


def test_the_proxy_deadline_is_hours_before_the_start():
    start = datetime(2025, 3, 16, 19, 0)
    assert law.proxy_deadline(start, 48) == datetime(2025, 3, 14, 19, 0)
    assert law.proxy_deadline(start, 0) == start
