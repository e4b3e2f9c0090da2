"""Greedy, Method of Equal Shares, completion and ties on hand-made and random instances.

Random instances are checked against our exact-arithmetic MES and against pabutools 1.2.3 (the
field's GPL reference, used here only as an oracle).
"""

from __future__ import annotations

import importlib
import os
import random
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.counting.pb import Ballot, Instance, Project, count, read_pb
from coproduce.counting.pb.batch import BatchMes
from coproduce.counting.pb.mes import ConstantUtilityMes, run_mes_exact
from coproduce.counting.pb.profile import compile_instance
from coproduce.counting.pb.ties import tie_order

from .pabutools_oracle import import_pabutools


def make(
    budget: int | str,
    costs: dict[str, int | str],
    ballots: list[list[str]],
    *,
    points: list[list[int]] | None = None,
    vote_type: str = "approval",
    meta: tuple[tuple[str, str], ...] = (),
) -> Instance:
    return Instance(
        budget=Fraction(budget),
        vote_type=vote_type,
        projects=tuple(Project(id=p, cost=Fraction(c)) for p, c in costs.items()),
        ballots=tuple(
            Ballot(voter_id=str(i), projects=tuple(b), points=tuple(Fraction(x) for x in points[i]) if points else None)
            for i, b in enumerate(ballots)
        ),
        meta=meta,
    )


# A: 5 votes, cost 6; B: 4 votes, cost 5; C: 3 votes, cost 3; budget 10.
GREEDY = make(10, {"A": 6, "B": 5, "C": 3}, [["A", "B", "C"]] * 3 + [["A", "B"], ["A"]])


def test_greedy_skips_what_does_not_fit_and_explains_rank() -> None:
    result = count(GREEDY, rule="greedy")
    assert result.selected == ("A", "C")
    assert result.cost == 9
    assert result.outcome("B").rank == 2
    assert "over budget" in result.outcome("B").reason
    assert "4.00 left" in result.outcome("B").reason
    assert result.outcome("C").funded and result.outcome("C").rank == 3


def test_greedy_no_skip_stops_at_first_misfit() -> None:
    result = count(GREEDY, rule="greedy-no-skip")
    assert result.selected == ("A",)
    assert "not reached" in result.outcome("C").reason


def test_greedy_threshold_from_meta() -> None:
    instance = make(
        10,
        {"A": 6, "B": 5, "C": 3},
        [["A", "B", "C"]] * 3 + [["A", "B"], ["A"]],
        meta=(("rule", "greedy-threshold"), ("min_project_score_threshold", "4")),
    )
    result = count(instance, rule="as-declared")
    assert result.selected == ("A",)
    assert "below the threshold" in result.outcome("C").reason


def _declaring(rule: str, instance: Instance) -> Instance:
    return Instance(
        budget=instance.budget, vote_type=instance.vote_type, projects=instance.projects, ballots=instance.ballots,
        meta=(("rule", rule),),
    )  # fmt: skip


# Budget 13 among 3 voters. MES funds C (all three pay 2) and A (voter 1): {C, A} costs 8 and
# nothing else fits, so an exhaustive stop would end there; raising shares on reaches {C, D} (12).
EXHAUSTIVE_TOO_SOON = make(13, {"A": 2, "B": 9, "C": 6, "D": 6}, [["C", "D"], ["A", "C", "D"], ["C"]])


def test_declared_equal_shares_add1_runs_until_the_next_step_would_overspend() -> None:
    """Pabulib's ``equalshares/add1`` (as its checker verifies files) raises every share by 1 while
    the outcome still fits, even past an outcome to which nothing more fits."""
    assert count(EXHAUSTIVE_TOO_SOON, rule="mes", completion="add1-exhaustive").selected == ("C", "A")
    for rule in ("equalshares/add1", "equalshares/add1-comparison"):
        result = count(_declaring(rule, EXHAUSTIVE_TOO_SOON), rule="as-declared")
        assert (result.selected, result.completion) == (("C", "D"), "add1"), rule
    assert count(_declaring("equalshares", EXHAUSTIVE_TOO_SOON), rule="as-declared").selected == ("C", "A")


# Ten voters with 1 each. A (cost 9) has 7 supporters, who have too little until shares reach 2,
# when A and B (cost 3, the other 3 voters) together overspend: Equal Shares funds B alone. Greedy
# funds A (most votes), after which B does not fit; 7 voters prefer that, 3 prefer B.
GREEDY_PREFERRED = make(10, {"A": 9, "B": 3}, [["A"]] * 7 + [["B"]] * 3)


def test_declared_comparison_step_takes_greedy_where_more_voters_prefer_it() -> None:
    plain = count(_declaring("equalshares/add1", GREEDY_PREFERRED), rule="as-declared")
    assert plain.selected == ("B",)
    compared = count(_declaring("equalshares/add1-comparison", GREEDY_PREFERRED), rule="as-declared")
    assert compared.selected == ("A",)
    assert compared.notes[-1] == (
        "comparison step: voters preferring the greedy outcome: 7; Equal Shares': 3, so the greedy outcome is chosen"
    )
    assert compared.outcome("A").stage == "greedy" and compared.outcome("A").rank == 1
    assert "over budget" in compared.outcome("B").reason
    # A draw keeps Equal Shares' outcome: greedy funds B (4 votes), Equal Shares C and A; the voter
    # for B alone prefers greedy's, the voter for A alone Equal Shares', the other three either.
    level = make(9, {"A": 1, "B": 9, "C": 2}, [["B", "C"], ["A"], ["B", "C"], ["B", "C"], ["B"]])
    assert count(level, rule="greedy").selected == ("B",)
    kept = count(level, rule="mes", completion="add1", comparison=True)
    assert kept.selected == ("C", "A")
    assert kept.notes[-1] == (
        "comparison step: voters preferring the greedy outcome: 1; Equal Shares': 1, so Equal Shares' outcome stands"
    )


def test_as_declared_refuses_custom_rules() -> None:
    from coproduce.counting.errors import InputError

    with pytest.raises(InputError, match="greedy-custom"):
        count(make(10, {"A": 1}, [["A"]], meta=(("rule", "greedy-custom"),)), rule="as-declared")


# Three voters with 10 each. Z (10) is backed by all, X (20) by voters 0 and 1, Y (15) by voter 2.
MES = make(30, {"X": 20, "Y": 15, "Z": 10}, [["X", "Z"], ["X", "Z"], ["Y", "Z"]])


def test_mes_funds_by_equal_shares_and_explains() -> None:
    result = count(MES, rule="mes")
    assert result.selected == ("Z",)
    z = result.outcome("Z")
    assert z.round == 1
    assert z.effective_votes == pytest.approx(3.0)
    assert z.money_from_supporters == 10
    assert "not enough supporters' money" in result.outcome("X").reason
    assert result.voter_budget == 10


def test_mes_then_greedy_spends_the_rest() -> None:
    result = count(MES, rule="mes", then_greedy=True)
    assert result.selected == ("Z", "X")
    assert result.outcome("X").stage == "completion"
    assert "over budget" in result.outcome("Y").reason


def test_add1_raises_shares_until_next_step_overspends() -> None:
    # With 10 more each, voters 0 and 1 can pay X after Z: Z + X = 30 fits; Y would overspend.
    result = count(MES, rule="mes", completion="add1")
    assert set(result.selected) == {"Z", "X"}
    assert result.cost <= result.budget
    assert result.voter_budget is not None and result.voter_budget > 10


def test_default_ties_prefer_lower_cost_then_votes_then_recorded_lot() -> None:
    cheaper = make(5, {"A": 5, "B": 4}, [["A", "B"]] * 3)
    result = count(cheaper, rule="greedy")
    assert result.selected == ("B",)
    assert result.ties[0].reason == "lower cost"
    assert count(cheaper, rule="greedy", tie_break="project-id").selected == ("A",)

    level = make(5, {"A": 5, "B": 5}, [["A", "B"]] * 3)
    winners = {count(level, rule="greedy", seed=seed).selected for seed in range(20)}
    assert winners == {("A",), ("B",)}
    first = count(level, rule="mes", seed=7)
    assert first.selected == count(level, rule="mes", seed=7).selected
    assert first.ties[0].reason == "lot (seed 7)"


def test_points_utility_on_cumulative_ballots() -> None:
    instance = make(
        10, {"A": 6, "B": 6}, [["A", "B"], ["A", "B"], ["B"]], points=[[3, 1], [3, 1], [2]], vote_type="cumulative"
    )
    greedy = count(instance, rule="greedy")
    assert greedy.selected == ("A",)  # 6 points against 4
    mes = count(instance, rule="mes", utility="points")
    exact = run_mes_exact(compile_instance(instance), "points", Fraction(10, 3), tie_order(compile_instance(instance)))
    assert list(mes.selected) == [instance.projects[p].id for p in exact.funded]


# --- random instances -------------------------------------------------------------------------------


@st.composite
def approval_instances(
    draw: st.DrawFn, max_cost: int = 12, max_voters: int = 9, max_budget: int = 30, max_projects: int = 6
) -> Instance:
    n_projects = draw(st.integers(1, max_projects))
    costs = {f"p{i}": draw(st.integers(0, max_cost)) for i in range(n_projects)}
    ids = list(costs)
    ballots = draw(
        st.lists(st.lists(st.sampled_from(ids), max_size=n_projects, unique=True), min_size=1, max_size=max_voters)
    )
    return make(draw(st.integers(1, max_budget)), costs, ballots)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    approval_instances(),
    st.sampled_from(["cost", "approval"]),
    st.integers(0, 5),
    st.sampled_from(["default", "project-id"]),
)
def test_fast_mes_equals_exact_arithmetic(instance: Instance, utility: str, extra: int, ties: str) -> None:
    compiled = compile_instance(instance)
    order = tie_order(compiled, ties, 3)
    budget = compiled.budget / compiled.n_voters + extra
    fast = ConstantUtilityMes(compiled, utility, order).run(budget)
    exact = run_mes_exact(compiled, utility, budget, order)
    assert fast.funded == exact.funded
    assert fast.rho == exact.rho


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(approval_instances())
def test_random_instances_agree_with_pabutools(instance: Instance) -> None:
    election, rules = import_pabutools()
    projects = {p.id: election.Project(p.id, p.cost) for p in instance.projects}
    pb_instance = election.Instance(projects.values(), budget_limit=instance.budget)
    profile = election.ApprovalProfile(
        [election.ApprovalBallot({projects[x] for x in b.projects}) for b in instance.ballots], instance=pb_instance
    )

    def ours(**options: object) -> list[str]:
        return sorted(count(instance, tie_break="project-id", **options).selected)  # type: ignore[arg-type]

    def theirs(outcome: object) -> list[str]:
        return sorted(p.name for p in outcome)  # type: ignore[attr-defined]

    assert ours(rule="greedy") == theirs(
        rules.greedy_utilitarian_welfare(pb_instance, profile, sat_class=election.Cost_Sat)
    )
    assert ours(rule="mes", utility="cost") == theirs(
        rules.method_of_equal_shares(pb_instance, profile, sat_class=election.Cost_Sat)
    )
    assert ours(rule="mes", utility="approval") == theirs(
        rules.method_of_equal_shares(pb_instance, profile, sat_class=election.Cardinality_Sat)
    )
    assert ours(rule="mes", utility="cost", completion="add1-exhaustive") == theirs(
        rules.method_of_equal_shares(pb_instance, profile, sat_class=election.Cost_Sat, voter_budget_increment=1)
    )


# --- add-one completion: skipping the steps a run's headroom covers ------------------------------


def unit_steps(instance: Instance, utility: str, completion: str, ties: str) -> tuple[list[str], int]:
    """Add-one completion the plain way: exact MES at every step, one currency unit at a time."""
    compiled = compile_instance(instance)
    order = tie_order(compiled, ties, 0)
    start = compiled.budget / compiled.n_voters
    candidates = [p for p in range(len(compiled.ids)) if compiled.backers[p] and compiled.costs[p] > 0]

    def spent(funded: list[int]) -> Fraction:
        return sum((compiled.costs[p] for p in funded), Fraction(0))

    def done(funded: list[int]) -> bool:
        missing = [p for p in candidates if p not in funded]
        if completion == "add1-exhaustive" and all(
            compiled.costs[p] > compiled.budget - spent(funded) for p in missing
        ):
            return True
        return not missing

    step = 0
    funded = run_mes_exact(compiled, utility, start, order).funded
    while not done(funded):
        following = run_mes_exact(compiled, utility, start + step + 1, order).funded
        if spent(following) > compiled.budget:
            break
        funded, step = following, step + 1
    return [compiled.ids[p] for p in funded], step


def costly_instances() -> st.SearchStrategy[Instance]:
    """Few voters and costs far above the equal share: completion takes tens to hundreds of steps."""
    return approval_instances(max_cost=400, max_voters=7, max_budget=600)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    costly_instances(),
    st.sampled_from(["cost", "approval"]),
    st.sampled_from(["add1", "add1-exhaustive"]),
    st.sampled_from(["default", "project-id"]),
)
def test_completion_skipping_equals_unit_steps(instance: Instance, utility: str, completion: str, ties: str) -> None:
    result = count(instance, rule="mes", utility=utility, completion=completion, tie_break=ties)
    assert (list(result.selected), result.completion_steps) == unit_steps(instance, utility, completion, ties)


def crowded_instances() -> st.SearchStrategy[Instance]:
    """More projects and voters than ``costly_instances``: drops, overtakes and payers that change."""
    return approval_instances(max_cost=400, max_voters=24, max_budget=900, max_projects=10)


def keeps_promise(compiled, utility: str, order, run, budget: Fraction, *, same_order: bool) -> None:  # type: ignore[no-untyped-def]
    """Every budget within the run's headroom funds what it funds (checked exactly)."""
    assert run.headroom == 0 or run.headroom >= 1
    if run.headroom == 0:
        return
    reach = Fraction(min(run.headroom, 10_000))
    for budget_then in {budget + reach, budget + reach / 2, *(budget + k for k in range(1, min(int(reach), 40) + 1))}:
        funded = run_mes_exact(compiled, utility, budget_then, order).funded
        assert funded == run.funded if same_order else set(funded) == set(run.funded)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(costly_instances(), crowded_instances()),
    st.sampled_from(["cost", "approval"]),
    st.integers(0, 300),
    st.sampled_from([4.0, 64.0, 1024.0]),
)
def test_headroom_is_a_promise(instance: Instance, utility: str, extra: int, horizon: float) -> None:
    """An exact run's headroom keeps its decisions and their order; a trial run's (which may also
    rest on the robust bounds, over any horizon) keeps what it funds."""
    compiled = compile_instance(instance)
    order = tie_order(compiled, "project-id")
    budget = compiled.budget / compiled.n_voters + extra
    engine = ConstantUtilityMes(compiled, utility, order)
    keeps_promise(compiled, utility, order, engine.run(budget), budget, same_order=True)
    engine.horizon = horizon
    keeps_promise(compiled, utility, order, engine.run(budget, exact_prices=False), budget, same_order=False)


def test_headroom_keeps_projects_that_share_a_broke_voter_in_order() -> None:
    # Drawn at random. 30 steps on, MES funds p2, p4, p9, p1; one step later p1 (sharing voters
    # who end broke with p9) comes before p9, and p9 is then out of reach. A trial run that let a
    # funded project overtake the ones it depends on would promise that step.
    costs = {"p0": 249, "p1": 66, "p2": 353, "p3": 314, "p4": 349, "p5": 193, "p6": 136, "p7": 219, "p8": 177, "p9": 41}
    ballots = [
        ["p5", "p4"], ["p5", "p1"], ["p3"], ["p0", "p3"], ["p1", "p4", "p9", "p5"], ["p0"], ["p4"],
        ["p7", "p9", "p2"], ["p8"], ["p1", "p8", "p2"], ["p2", "p9"], ["p4", "p1", "p9"], ["p3", "p2"],
        ["p5"], ["p2", "p4"], ["p8", "p2", "p0", "p5"], ["p4", "p1"],
    ]  # fmt: skip
    instance = make(798, costs, ballots)
    compiled = compile_instance(instance)
    order = tie_order(compiled, "project-id")
    budget = compiled.budget / compiled.n_voters + 30
    engine = ConstantUtilityMes(compiled, "cost", order)
    engine.horizon = 64.0
    trial = engine.run(budget, exact_prices=False)
    assert set(run_mes_exact(compiled, "cost", budget + 1, order).funded) != set(trial.funded)
    assert trial.headroom < 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded_instances(), st.sampled_from(["cost", "approval"]), st.sampled_from(["add1", "add1-exhaustive"]))
def test_completion_skipping_equals_unit_steps_on_crowded_instances(
    instance: Instance, utility: str, completion: str
) -> None:
    result = count(instance, rule="mes", utility=utility, completion=completion, tie_break="project-id")
    assert (list(result.selected), result.completion_steps) == unit_steps(instance, utility, completion, "project-id")


def test_completion_jumps_over_steps_that_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Shares of 200: B (3 supporters) and C (2 supporters) are funded at once; A, tied with C at
    # first and losing on cost, needs its 2 supporters to have 200 each after paying 125 for C:
    # a share of 325, 125 steps on — in a handful of MES runs, not 126.
    instance = make(1000, {"A": 400, "B": 300, "C": 250}, [["B"]] * 3 + [["A", "C"]] * 2)
    runs = 0
    real_run = ConstantUtilityMes.run

    def counted(self: ConstantUtilityMes, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        nonlocal runs
        runs += 1
        return real_run(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ConstantUtilityMes, "run", counted)
    for completion in ("add1", "add1-exhaustive"):
        runs = 0
        result = count(instance, rule="mes", completion=completion)
        expected = unit_steps(instance, "cost", completion, "default")
        assert (list(result.selected), result.completion_steps) == expected == (["B", "C", "A"], 125)
        assert runs < 10


def check_trial_runs_at_moving_budgets(
    instance: Instance, utility: str, rises: list[int], horizon: float | None = None
) -> int:
    """Trial runs at budgets moving by ``rises`` (never below the start), each checked against exact
    MES and its headroom's promise (``horizon``: the robust one to start with); returns the rounds carried."""
    compiled = compile_instance(instance)
    order = tie_order(compiled, "project-id")
    engine = ConstantUtilityMes(compiled, utility, order)
    if horizon is not None:
        engine.horizon = horizon
    start = budget = compiled.budget / compiled.n_voters
    carried = 0
    for rise in rises:
        budget = max(start, budget + rise)
        trial = engine.run(budget, exact_prices=False)
        assert trial.funded == run_mes_exact(compiled, utility, budget, order).funded
        keeps_promise(compiled, utility, order, trial, budget, same_order=False)
        carried += trial.carried
    return carried


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(costly_instances(), st.sampled_from(["cost", "approval"]), st.lists(st.integers(0, 80), min_size=2, max_size=8))
def test_trial_runs_resuming_a_checkpoint_decide_exactly(instance: Instance, utility: str, rises: list[int]) -> None:
    """Trial runs at rising budgets resume earlier runs' checkpoints; each must still fund exactly
    what exact MES funds at its budget, and keep its headroom's promise."""
    check_trial_runs_at_moving_budgets(instance, utility, rises)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crowded_instances(),
    st.sampled_from(["cost", "approval"]),
    st.lists(st.integers(-2, 6), min_size=2, max_size=10),
    st.sampled_from([8.0, 64.0]),
)
def test_trial_runs_starting_from_carried_bounds_decide_exactly(
    instance: Instance, utility: str, rises: list[int], horizon: float
) -> None:
    """A trial run within an earlier one's robust horizon starts its rounds from that run's price
    bounds and drops; it must still fund exactly what exact MES funds at its budget (and one at a
    lower budget must not use them)."""
    check_trial_runs_at_moving_budgets(instance, utility, rises, horizon)


def test_carried_bounds_are_used() -> None:
    # 12 projects and 30 voters drawn once (fixed seed): close prices that shift as the budget rises.
    draw = random.Random(7)
    costs = {f"p{i}": draw.randint(40, 400) for i in range(12)}
    ballots = [draw.sample(sorted(costs), draw.randint(1, 6)) for _ in range(30)]
    instance = make(1200, costs, ballots)
    assert check_trial_runs_at_moving_budgets(instance, "cost", [1, 2, 1, 3, 1, 2, 1, 1], 64.0) > 0


# --- add-one completion: batches of budgets --------------------------------------------------------

# (The package exports the function ``count`` under the module's name.)
count_module = importlib.import_module("coproduce.counting.pb.count")
batch_module = importlib.import_module("coproduce.counting.pb.batch")


def batch_outcomes(instance: Instance, utility: str, extras: list[int]) -> list[tuple[Fraction, list[int] | None]]:
    """BatchMes at the start budget plus each of ``extras``: (exact budget, its outcome or None)."""
    compiled = compile_instance(instance)
    order = tie_order(compiled, "project-id")
    start = compiled.budget / compiled.n_voters
    budgets = [start + extra for extra in extras]
    engine = BatchMes(compiled, utility, order, ConstantUtilityMes(compiled, utility, order).overlaps)
    return list(zip(budgets, engine.run([float(b) for b in budgets]), strict=True))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(costly_instances(), crowded_instances()),
    st.sampled_from(["cost", "approval"]),
    st.integers(0, 200),
    st.integers(1, 40),
)
def test_batch_decides_what_exact_arithmetic_decides(instance: Instance, utility: str, first: int, size: int) -> None:
    """Every budget of a batch that it decides (it may leave near ties undecided) funds what exact
    MES funds there, in the same order."""
    compiled = compile_instance(instance)
    order = tie_order(compiled, "project-id")
    for budget, outcome in batch_outcomes(instance, utility, list(range(first, first + size))):
        if outcome is not None:
            assert outcome == run_mes_exact(compiled, utility, budget, order).funded


def test_batch_settles_exact_ties_between_equal_splits_and_leaves_near_ones_undecided() -> None:
    # Shares of 75 + k. B (cost 120) and C (cost 180) each have 3 supporters who can all pay an
    # equal split: both cost 1/3 per unit of utility, an exact tie that B wins on project id. C's
    # supporters then have 75 + 2·35 < 180 until k = 12 (3k + 145 ≥ 180). A (cost 90) has one
    # supporter, with 35 + k left: at k = 55 exactly its cost, which floating point cannot tell
    # from just short of it, so the batch leaves that budget to the exact engine.
    instance = make(300, {"A": 90, "B": 120, "C": 180}, [["C"], ["B", "C"], ["B", "C"], ["A", "B"]])
    compiled = compile_instance(instance)
    order = tie_order(compiled, "project-id")
    outcomes = batch_outcomes(instance, "cost", [0, 11, 12, 54, 55, 56])
    named = [[compiled.ids[p] for p in outcome] if outcome is not None else None for _, outcome in outcomes]
    assert named == [["B"], ["B"], ["B", "C"], ["B", "C"], None, ["B", "C", "A"]]
    for budget, outcome in outcomes:
        assert outcome in (None, run_mes_exact(compiled, "cost", budget, order).funded)


@pytest.mark.parametrize(
    ("budget", "costs", "ballots", "extras", "expected"),
    [
        # After B, budgets up to 21 more fund E then D; from 22 on, D then E. With B, D and E
        # funded, the two batches that parted there go on as one, each budget with its own money:
        # from 37 on, A comes before C. (Some voters are broke in one batch and not the other, so
        # the joined classes are split where they differ.)
        (
            80,
            {"A": 20, "B": 40, "C": 30, "D": 50, "E": 40},
            [["B", "D"], ["A", "B", "E"], ["C"], ["D"], ["B"], ["B", "E"]],
            [20, 21, 22, 36, 37],
            ["BEDC", "BEDC", "BDEC", "BDEC", "BDEAC"],
        ),
        # After B, budgets up to 29 more fund C then A; from 31 on, A then C; from 36 on, D as well.
        # (The same classes under other numbers in the two batches.)
        (
            60,
            {"A": 30, "B": 90, "C": 20, "D": 20, "E": 30},
            [["B"], ["A", "C"], ["B", "D"], ["A", "B", "C"]],
            [26, 29, 31, 34, 36, 39],
            ["BCA", "BCA", "BAC", "BAC", "BACD", "BACD"],
        ),
    ],
)
def test_batch_rows_that_fund_the_same_projects_in_another_order_join_again(
    budget: int, costs: dict[str, int], ballots: list[list[str]], extras: list[int], expected: list[str]
) -> None:
    instance = make(budget, costs, ballots)
    compiled = compile_instance(instance)
    order = tie_order(compiled, "project-id")
    joined = []
    join = batch_module._Batch.join
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            batch_module._Batch, "join", lambda batch, other: joined.append(len(other.rows)) or join(batch, other)
        )
        outcomes = batch_outcomes(instance, "cost", extras)
    assert joined  # (the rows of one batch joined the other's)
    assert ["".join(compiled.ids[p] for p in outcome) for _, outcome in outcomes] == expected
    for budget, outcome in outcomes:
        assert outcome == run_mes_exact(compiled, "cost", budget, order).funded


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(costly_instances(), crowded_instances()),
    st.sampled_from(["cost", "approval"]),
    st.sampled_from(["add1", "add1-exhaustive"]),
)
def test_completion_counting_batches_equals_unit_steps(instance: Instance, utility: str, completion: str) -> None:
    """With batches tried at every step (small ones, so they split and follow each other),
    completion still stops where exact MES one step at a time stops."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_module, "NARROW", 0)
        patch.setattr(count_module, "BATCH_FIRST", 3)
        patch.setattr(count_module, "BATCH_MOST", 6)
        result = count(instance, rule="mes", utility=utility, completion=completion, tie_break="project-id")
    assert (list(result.selected), result.completion_steps) == unit_steps(instance, utility, completion, "project-id")


# Where each chunk of add-one completion a process walks is written down (see _chunk_and_tell).
_told: list[Path] = []
_walk_chunk = count_module._Completion.chunk


def _chunk_and_tell(self, first: int, end: int) -> int | None:  # type: ignore[no-untyped-def]
    with _told[0].open("a") as out:
        out.write(f"{os.getpid()}\n")
    return _walk_chunk(self, first, end)


def walks_in_parallel(patch: pytest.MonkeyPatch, chunk: int, told: Path) -> None:
    """Completion walks in parallel from its first step, in chunks of ``chunk`` steps; the process
    id of each chunk's walker is written to ``told`` (forked workers inherit the patches)."""
    patch.setattr(count_module, "PARALLEL_AFTER", 0.0)
    patch.setattr(count_module, "CHUNK_LEAST", chunk)
    patch.setattr(count_module._Completion, "chunk", _chunk_and_tell)
    patch.setattr(sys.modules[__name__], "_told", [told])


def in_a_fresh_process(call: str) -> list[str]:
    """Run ``call`` (on this module, as ``tests``) in a new interpreter and return the lines it
    printed. Completion walks in one process where other threads run (see ``parallel_jobs``), as
    they do in this one once the browser tests have started theirs."""
    code = f"import coproduce.counting.tests.test_pb_rules as tests\n{call}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def parallel_equals_unit_steps(told: str) -> None:
    """Random instances walked in chunks of one to five steps (so that stops fall at every place in
    a chunk and on its edges) stop where exact MES one step at a time stops. Prints how many chunks
    worker processes walked."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        costly_instances(),
        st.sampled_from(["cost", "approval"]),
        st.sampled_from(["add1", "add1-exhaustive"]),
        st.integers(1, 5),
    )
    def check(instance: Instance, utility: str, completion: str, chunk: int) -> None:
        with pytest.MonkeyPatch.context() as patch:
            walks_in_parallel(patch, chunk, Path(told))
            result = count(instance, rule="mes", utility=utility, completion=completion, tie_break="project-id", jobs=3)
        expected = unit_steps(instance, utility, completion, "project-id")
        assert (list(result.selected), result.completion_steps) == expected

    check()
    print(sum(pid != str(os.getpid()) for pid in Path(told).read_text().split()))


def test_completion_walked_in_parallel_stops_where_unit_steps_stop(tmp_path: Path) -> None:
    [workers] = in_a_fresh_process(f"tests.parallel_equals_unit_steps({str(tmp_path / 'told')!r})")
    assert int(workers) > 20


def parallel_equals_one_walk(path: str, told: str) -> None:
    """A real vote in chunks of 32 steps counts as one walk does; prints each chunk's walker."""
    instance = read_pb(path)
    options = {"rule": "mes", "utility": "cost", "ballots": "approval", "tie_break": "project-id"}
    for completion in ("add1", "add1-exhaustive"):
        alone = count(instance, completion=completion, jobs=1, **options)
        with pytest.MonkeyPatch.context() as patch:
            walks_in_parallel(patch, 32, Path(told))
            shared = count(instance, completion=completion, jobs=2, **options)
        assert (shared.selected, shared.completion_steps) == (alone.selected, alone.completion_steps)
        assert alone.completion_steps > 3 * 32
    print(os.getpid(), *sorted(set(Path(told).read_text().split())))


def test_completion_walked_in_parallel_on_a_real_vote(shared_data, tmp_path: Path) -> None:
    """Toulouse 2019 (636 steps): this process and a worker both walk chunks, and the count is the same."""
    path = str(shared_data("pabulib", "France_Toulouse_2019.pb"))
    [line] = in_a_fresh_process(f"tests.parallel_equals_one_walk({path!r}, {str(tmp_path / 'told')!r})")
    process, *walkers = line.split()
    assert process in walkers and len(walkers) == 3  # (and a worker for each of the two counts)


# One voter's project needs shares of 9 before she can pay for it: eight steps of completion.
LONG_WALK = make(10, {"A": 9, "B": 1}, [["A"]] + [["B"]] * 9)


def forks_only_when_asked(told: str) -> None:
    """In a process running no other thread (where forking is safe): how many processes a
    completion may use when asked for 4; then, walking in chunks of one step from the start, how
    many chunks other processes walked with count()'s defaults and with ``jobs=2``."""
    print(count_module.parallel_jobs(4))
    options = {"rule": "mes", "completion": "add1", "tie_break": "project-id"}
    for jobs in ({}, {"jobs": 2}):
        Path(told).write_text("")
        with pytest.MonkeyPatch.context() as patch:
            walks_in_parallel(patch, 1, Path(told))
            result = count(LONG_WALK, **options, **jobs)  # type: ignore[arg-type]
        assert (result.selected, result.completion_steps) == (("B", "A"), 8)
        print(sum(pid != str(os.getpid()) for pid in Path(told).read_text().split()))


def test_a_library_call_counts_in_its_own_process_unless_asked(tmp_path: Path) -> None:
    """``count()`` from a web process must not fork it: only a caller that asks (the CLI's --jobs,
    a task that opts in) gets worker processes."""
    allowed, by_default, asked = in_a_fresh_process(f"tests.forks_only_when_asked({str(tmp_path / 'told')!r})")
    assert int(allowed) == 4
    assert int(by_default) == 0
    assert int(asked) > 0


def test_completion_walks_in_one_process_where_other_threads_run() -> None:
    """Forking a process that runs other threads could deadlock the copy, so even a caller asking
    for processes gets one there (a fresh process with no thread gets what it asks for: above)."""
    ready, done = threading.Event(), threading.Event()
    thread = threading.Thread(target=lambda: (ready.set(), done.wait()))
    thread.start()
    ready.wait()
    try:
        assert count_module.parallel_jobs(4) == 1
    finally:
        done.set()
        thread.join()
