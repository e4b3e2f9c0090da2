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


def test_quota_is_above_an_exact_division():
    """A 1, B 1 for one seat: 2/2 = 1.00 exactly, so the quota is 1.01 and nobody reaches it
    on first preferences (rounding up would give 1.00 and elect both to one seat)."""
    result = count(contest(1, {(0,): 1, (1,): 1}, 2), rules="ers97", seed="coin")
    assert result.quota == Decimal("1.01")
    assert result.stages[0].elected == ()
    assert len(result.elected) == 1


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
