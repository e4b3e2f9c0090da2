"""ERS97 golden tests, worked by hand from the rules (no ERS97 ballot file with a published
result is available). Candidates are 0-based here; values are in hundredths."""

from __future__ import annotations

from decimal import Decimal

from coproduce.counting.stv import Contest, count


def contest(seats: int, ballots: dict[tuple[int, ...], int], n: int) -> Contest:
    return Contest(
        candidates=tuple("ABCDEFGHIJK"[:n]),
        seats=seats,
        rankings=tuple(ballots),
        counts=tuple(ballots.values()),
    )


def test_model_election_opening():
    """ERS booklet §8: 753 valid votes, 6 seats, quota 107.58; Smith's 134 first preferences
    give a surplus of 26.42 over 123 transferable papers: value 0.21, 0.59 non-transferable."""
    ballots = {(0, 1): 123, (0,): 11}
    # 619 further first preferences spread over ten candidates, all below the quota.
    ballots.update({(k,): 61 for k in range(1, 10)})
    ballots[(10,)] = 70
    result = count(contest(6, ballots, 11), rules="ers97", seed="model")  # later stages tie
    assert result.valid == Decimal("753.00")
    assert result.quota == Decimal("107.58")
    assert result.stages[0].elected == (0,)
    stage = result.stages[1]
    assert stage.action == "surplus" and stage.subjects == (0,)
    assert stage.transfer_value == Decimal("0.21")
    assert stage.transfers[1] == Decimal("25.83")  # 123 × 0.21
    assert stage.non_transferable == Decimal("0.59")
    assert stage.totals[0] == Decimal("107.58")


def test_deferred_surplus_and_bulk_exclusion():
    """A 30, B 28, C 20, D 5, E 3 for 2 seats: quota 86/3 → 28.67. A's surplus 1.33 is
    smaller than the gap D − E = 2, so it is deferred; E and D together (8 + 1.33) are below
    C (20), so both are excluded at once. Their papers take B to 31: elected."""
    ballots = {(0,): 30, (1,): 28, (2,): 20, (3, 2): 5, (4, 1): 3}
    result = count(contest(2, ballots, 5), rules="ers97")
    assert result.quota == Decimal("28.67")
    assert result.stages[0].elected == (0,)
    stage = result.stages[1]
    assert stage.action == "exclusion"
    assert set(stage.excluded) == {3, 4}
    assert stage.totals == tuple(Decimal(v) for v in ("30.00", "31.00", "25.00", "0.00", "0.00"))
    assert result.elected == (0, 1)
    assert any("deferred" in note for note in result.notes)


def test_last_parcel_only_with_truncated_value():
    """A 13, B 3 (B→A→C), C 13, D 12; 2 seats, quota 41/3 → 13.67. B is excluded and A
    reaches 16: only the last parcel (B's 3 papers) is examined, at 2.33/3 = 0.77
    (truncated), so C gains 2.31 and 0.02 is non-transferable; C is elected."""
    ballots = {(0,): 13, (1, 0, 2): 3, (2,): 13, (3,): 12}
    result = count(contest(2, ballots, 4), rules="ers97")
    assert result.quota == Decimal("13.67")
    assert result.stages[1].excluded == (1,)
    assert result.stages[1].elected == (0,)
    surplus = result.stages[2]
    assert surplus.subjects == (0,)
    assert surplus.transfer_value == Decimal("0.77")
    assert surplus.totals[2] == Decimal("15.31")
    assert surplus.non_transferable == Decimal("0.02")
    assert result.elected == (0, 2)


def test_transfer_value_is_capped_at_present_value():
    """A 11 (one paper A→B), B 2, C 3; 2 seats: quota 16/3 → 5.34. A's surplus 5.66 over one
    transferable paper would be 5.66 a paper: capped at its value 1.00, 4.66 non-transferable."""
    ballots = {(0, 1): 1, (0,): 10, (1,): 2, (2,): 3}
    result = count(contest(2, ballots, 3), rules="ers97")
    assert result.quota == Decimal("5.34")
    stage = result.stages[1]
    assert stage.transfer_value == Decimal("1.00")  # 5.66 / 1 paper, capped at its value 1.00
    assert stage.non_transferable == Decimal("4.66")
    # B 3, C 3 tie for exclusion: B was lower at stage 1, so B (5.2.5); that leaves C alone for
    # the last place, deemed elected with no further transfer (5.5.1).
    assert result.elected == (0, 2) and result.elected_at == (1, 2)
    assert len(result.stages) == 2


def test_lowest_candidate_excluded_while_a_small_surplus_waits():
    """A 10 ≥ quota 26/3 → 8.67 (surplus 1.33); the two lowest are E 1 and C 4, so the surplus
    (< 4 − 1) is deferred and E alone is excluded (E + C + surplus = 6.33 is not below D's 5)."""
    ballots = {(0,): 8, (0, 2): 2, (1,): 6, (2,): 4, (3,): 5, (4, 3): 1}
    result = count(contest(2, ballots, 5), rules="ers97")
    assert result.stages[0].elected == (0,)
    assert result.stages[0].totals[2] < result.stages[0].totals[3]
    excluded = [c for stage in result.stages for c in stage.excluded]
    assert result.stages[1].excluded == (4,)
    assert excluded[0] == 4
    assert result.notes[0].startswith("Stage 2: surpluses (1.33) deferred")


def test_exact_quota_and_equal_candidates_at_it():
    """5.1.6: 2/2 = 1.00 exactly, and an exact result *is* the quota (no 0.01 added). A 1 and
    B 1 both reach it with one place: by 5.6.2, equal at every stage, neither is deemed
    elected at stage 1. Neither has a surplus (6.18), so one must be excluded (5.2.5): equal
    throughout, so by lot, and 5.5.1 then elects the other without a transfer."""
    result = count(contest(1, {(0,): 1, (1,): 1}, 2), rules="ers97", seed="coin")
    assert result.quota == Decimal("1.00")
    assert len(result.stages) == 1
    assert result.stages[0].elected == result.elected
    assert len(result.elected) == 1
    assert any("(5.6.2)" in note for note in result.notes)
    assert any("(5.5.1)" in note for note in result.notes)
    (lot,) = result.stages[0].tie_breaks
    assert lot.kind == "exclusion" and lot.method.startswith("lot (seed 'coin'")
    again = count(contest(1, {(0,): 1, (1,): 1}, 2), rules="ers97", seed="coin")
    assert again.elected == result.elected


def test_tie_rules_look_back_in_the_right_direction():
    """The tie rule both engines use: A and B tie now; at stage 1 B was lower, at stage 2 A was.
    ERS97 (earliest differing stage) excludes B; Scottish (most recent) excludes A."""
    from coproduce.counting.stv.ties import Ties, TieUnresolved

    history = [[5, 4, 9], [4, 5, 9], [5, 5, 8]]
    ers = Ties(history, seed=None, tie_order=None, most_recent=False, names=("A", "B", "C"))
    scot = Ties(history, seed=None, tie_order=None, most_recent=True, names=("A", "B", "C"))
    assert ers.pick([0, 1], highest=False, kind="exclusion") == 1
    assert scot.pick([0, 1], highest=False, kind="exclusion") == 0
    assert ers.take()[0].method.startswith("stage 1")
    # Equal at every stage: a lot, refused without a seed, repeatable with one.
    flat = [[3, 3], [3, 3]]
    try:
        Ties(flat, seed=None, tie_order=None, most_recent=False, names=("A", "B")).pick([0, 1], highest=False, kind="x")
    except TieUnresolved as error:
        assert "seed" in str(error)
    else:
        raise AssertionError("a lot without a seed must be refused")
    draws = {
        Ties(flat, seed="s", tie_order=None, most_recent=False, names="AB").pick([0, 1], highest=False, kind="x")
        for _ in range(5)
    }
    assert len(draws) == 1


def totals(result, stage: int) -> tuple[str, ...]:
    """Stage ``stage`` (1-based) as on the result sheet: candidates' votes, then non-transferable."""
    s = result.stages[stage - 1]
    return (*(str(v) for v in s.totals), str(s.non_transferable))


def test_quota_recalculated_for_non_transferable_papers_before_anyone_is_elected():
    """5.4.8. A 9 (3 of them A→B), B 8, C 6, D 3 (no further preference), E 2 (E→C); 2 places.
    Quota 28/3 = 9.333… → 9.34 (5.1.6): nobody elected at stage 1.
    Stage 2 (5.2.5): E 2 + D 3 = 5 does not exceed C's 6, E+D+C = 11 exceeds B's 8: E and D
    excluded together; E's papers give C 8, D's 3 become non-transferable. Nobody has been
    elected, so the quota becomes (28 − 3)/3 = 8.333… → 8.34, and A (9) is deemed elected
    (5.4.9). Stage 3: A's surplus 0.66 (5.3.1: all of A's papers; 3 transferable, total value
    3.00 > 0.66) at 0.66/3 = 0.22 a paper: B 8.66 ≥ 8.34, elected. Without 5.4.8 A would have
    stayed below 9.34 and C, not D and E alone, would have been excluded next."""
    ballots = {(0, 1): 3, (0,): 6, (1,): 8, (2,): 6, (3,): 3, (4, 2): 2}
    result = count(contest(2, ballots, 5), rules="ers97")
    assert totals(result, 1) == ("9.00", "8.00", "6.00", "3.00", "2.00", "0.00")
    assert result.stages[0].elected == ()
    assert set(result.stages[1].excluded) == {3, 4}
    assert totals(result, 2) == ("9.00", "8.00", "8.00", "0.00", "0.00", "3.00")
    assert result.stages[1].elected == (0,)
    assert "quota recalculated to 8.34 (5.4.8)" in result.stages[1].description
    assert result.stages[2].subjects == (0,)
    assert result.stages[2].transfer_value == Decimal("0.22")
    assert totals(result, 3) == ("8.34", "8.66", "8.00", "0.00", "0.00", "3.00")
    assert result.stages[2].elected == (1,)
    assert len(result.stages) == 3
    assert result.quota == Decimal("8.34")
    assert result.elected == (0, 1) and result.elected_at == (2, 3)


def test_quota_not_recalculated_once_someone_is_elected():
    """5.4.8 applies only before anyone is deemed elected: in the 5.1.7(b) election below,
    papers become non-transferable after A's election and the quota stays 8.00."""
    ballots = {(0,): 12, (1,): 5, (2,): 4, (3, 2): 2, (3,): 1}
    result = count(contest(2, ballots, 4), rules="ers97")
    assert result.quota == Decimal("8.00")
    assert not any("5.4.8" in note for note in result.notes)


def test_election_by_total_active_vote():
    """5.1.7(b) as applied after transfers (5.3.13(b), 5.4.9(b)). A 12, B 5, C 4, D 3 (2 of them
    D→C, 1 D only); 2 places. Quota 24/3 = 8.00 exactly (5.1.6): A elected at stage 1.
    Stage 2: A's surplus 4.00 (not deferred: 3 + 4 exceeds C's 4 and 3 + 4 + 4 exceeds B's 5)
    has no transferable papers, so all 4.00 is non-transferable. Total active vote (6.20) is
    5 + 4 + 3 = 12; 12/2 = 6.00: nobody reaches it.
    Stage 3: D excluded (3 ≤ 4 but 3 + 4 > 5: alone); C 6, 1.00 more non-transferable.
    Total active vote 5 + 6 = 11, 11/2 = 5.50 < quota: C (6.00) is deemed elected below the
    quota by (b), filling the last place."""
    ballots = {(0,): 12, (1,): 5, (2,): 4, (3, 2): 2, (3,): 1}
    result = count(contest(2, ballots, 4), rules="ers97")
    assert totals(result, 1) == ("12.00", "5.00", "4.00", "3.00", "0.00")
    assert result.stages[0].elected == (0,)
    assert result.stages[1].subjects == (0,) and result.stages[1].transfer_value == Decimal("0.00")
    assert totals(result, 2) == ("8.00", "5.00", "4.00", "3.00", "4.00")
    assert result.stages[1].elected == ()
    assert result.stages[2].excluded == (3,)
    assert totals(result, 3) == ("8.00", "5.00", "6.00", "0.00", "5.00")
    assert result.stages[2].elected == (2,)
    assert len(result.stages) == 3
    assert result.elected == (0, 2) and result.elected_at == (1, 3)


def test_bulk_exclusion_when_votes_equal_the_next_candidate():
    """5.2.5(b): the group's votes must *not exceed* the next candidate's. A 5, B 3, C 2 (C→B),
    D 1 (D→B); 1 place; quota 11/2 = 5.50. D + C = 3 equals B's 3, so D and C go together
    (D + C + B = 6 exceeds A's 5); B reaches 6.00 and is elected at stage 2."""
    ballots = {(0,): 5, (1,): 3, (2, 1): 2, (3, 1): 1}
    result = count(contest(1, ballots, 4), rules="ers97")
    assert result.quota == Decimal("5.50")
    assert set(result.stages[1].excluded) == {2, 3}
    assert totals(result, 2) == ("5.00", "6.00", "0.00", "0.00", "0.00")
    assert result.elected == (1,) and result.elected_at == (2,)
    assert len(result.stages) == 2


def test_surplus_equal_to_the_gap_is_deferred():
    """5.2.2(a): a surplus is deferred if it does *not exceed* the gap between the two lowest.
    A 9 (2 of them A→B), B 6, C 4, D 2 (D→C); 2 places; quota 21/3 = 7.00 exactly (5.1.6):
    A elected with surplus 2.00 = C − D: deferred (and D + C + 2 exceeds B: D alone, 5.2.5).
    Stage 2: D's papers give C 6. Stage 3: now 6 + 2 exceeds B's 6, so A's surplus goes: its
    2 transferable papers are worth 2.00, not more than the surplus, so they pass at their
    present value 1.00 (5.3.7): B 8 ≥ 7.00, elected."""
    ballots = {(0,): 7, (0, 1): 2, (1,): 6, (2,): 4, (3, 2): 2}
    result = count(contest(2, ballots, 4), rules="ers97")
    assert result.quota == Decimal("7.00")
    assert totals(result, 1) == ("9.00", "6.00", "4.00", "2.00", "0.00")
    assert result.stages[0].elected == (0,)
    assert result.notes[0] == "Stage 2: surpluses (2.00) deferred (5.2.2)."
    assert result.stages[1].excluded == (3,)
    assert totals(result, 2) == ("9.00", "6.00", "6.00", "0.00", "0.00")
    assert result.stages[2].subjects == (0,) and result.stages[2].transfer_value == Decimal("1.00")
    assert totals(result, 3) == ("7.00", "8.00", "6.00", "0.00", "0.00")
    assert result.elected == (0, 1) and result.elected_at == (1, 3)
    assert len(result.stages) == 3


TIE_BALLOTS = {(0,): 9, (1, 0): 5, (2,): 6, (3, 2): 2, (3,): 2, (4, 1): 3}


def test_exclusion_tie_broken_at_the_earliest_differing_stage():
    """5.2.5 ties. A 9, B 5 (B→A), C 6, D 4 (2 D→C, 2 D only), E 3 (E→B); 1 place.
    Quota 27/2 = 13.50. Stage 2: E alone (3 ≤ 4, 3 + 4 > 5): B 8. Stage 3: D alone
    (4 ≤ 6, 4 + 6 > 8): C 8, 2.00 non-transferable, nobody elected, so the quota becomes
    25/2 = 12.50 (5.4.8). Stage 4: B and C tie at 8 for exclusion. They differed at stage 1
    (B 5 < C 6) and again at stages 2 (B 8 > C 6): the earliest difference excludes B (the
    Scottish most-recent rule would exclude C). B's 5 papers give A 14, E's 3 exhaust: 5.00
    non-transferable, quota (27 − 5)/2 = 11.00, A elected."""
    result = count(contest(1, TIE_BALLOTS, 5), rules="ers97")  # no seed: no lot may be needed
    assert result.quota == Decimal("11.00")
    assert totals(result, 1) == ("9.00", "5.00", "6.00", "4.00", "3.00", "0.00")
    assert result.stages[1].excluded == (4,)
    assert totals(result, 2) == ("9.00", "8.00", "6.00", "4.00", "0.00", "0.00")
    assert result.stages[2].excluded == (3,)
    assert totals(result, 3) == ("9.00", "8.00", "8.00", "0.00", "0.00", "2.00")
    assert "quota recalculated to 12.50 (5.4.8)" in result.stages[2].description
    stage = result.stages[3]
    assert stage.excluded == (1,)
    (tie,) = stage.tie_breaks
    assert (tie.kind, tie.candidates, tie.chosen) == ("exclusion", (1, 2), 1)
    assert tie.method == "stage 1 (earliest stage where they differed)"
    assert totals(result, 4) == ("14.00", "0.00", "8.00", "0.00", "0.00", "5.00")
    assert stage.elected == (0,)
    assert result.elected == (0,) and len(result.stages) == 4


LOT_BALLOTS = {(0,): 3, (1, 0): 2, (2, 0): 2, (3,): 3}


def test_exclusion_tie_equal_at_every_stage_needs_the_seeded_lot():
    """5.2.5 ties, equal throughout. A 3, B 2 (B→A), C 2 (C→A), D 3; 1 place; quota 10/2 =
    5.00. B and C tie for exclusion (2 + 2 exceeds A's 3, so not together) and only stage 1
    exists, where they were equal: a lot. Refused without a seed; with one, recorded and
    repeatable. Either way A then has 5.00 and is elected at stage 2."""
    from coproduce.counting.stv.ties import TieUnresolved

    try:
        count(contest(1, LOT_BALLOTS, 4), rules="ers97")
    except TieUnresolved as error:
        assert "seed" in str(error)
    else:
        raise AssertionError("a lot without a seed must be refused")
    result = count(contest(1, LOT_BALLOTS, 4), rules="ers97", seed="ballot box 7")
    assert result.quota == Decimal("5.00")
    stage = result.stages[1]
    (tie,) = stage.tie_breaks
    assert tie.kind == "exclusion" and tie.candidates == (1, 2)
    assert tie.method == "lot (seed 'ballot box 7', draw 1)"
    assert stage.excluded == (tie.chosen,)
    other = 3 - tie.chosen  # the one of B (1) and C (2) left in
    expected = ["5.00", "0.00", "0.00", "3.00", "0.00"]
    expected[other] = "2.00"
    assert totals(result, 2) == tuple(expected)
    assert result.elected == (0,) and result.elected_at == (2,)
    for _ in range(3):
        again = count(contest(1, LOT_BALLOTS, 4), rules="ers97", seed="ballot box 7")
        assert again.stages == result.stages


def test_more_candidates_at_the_quota_than_places_taken_by_earliest_difference():
    """5.6.2. A 9, B 8, C 3 (1 C→A, 2 C→B); 1 place; quota 20/2 = 10.00 exactly (5.1.6).
    Stage 2: C excluded; A and B both reach 10.00 with one place left. They differed at
    stage 1 (A 9 > B 8), so A is deemed elected and B is not; the count is then complete."""
    ballots = {(0,): 9, (1,): 8, (2, 0): 1, (2, 1): 2}
    result = count(contest(1, ballots, 3), rules="ers97")
    assert result.quota == Decimal("10.00")
    assert totals(result, 2) == ("10.00", "10.00", "0.00", "0.00")
    stage = result.stages[1]
    assert stage.excluded == (2,) and stage.elected == (0,)
    (tie,) = stage.tie_breaks
    assert (tie.kind, tie.candidates, tie.chosen) == ("election order", (0, 1), 0)
    assert tie.method == "stage 1 (earliest stage where they differed)"
    assert result.elected == (0,) and len(result.stages) == 2
