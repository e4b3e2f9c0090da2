"""The engine's Method of Equal Shares against a reference written straight from its definition.

The fast-versus-exact tests in ``test_pb_rules.py`` compare two engines that share their start
(``_start``), the instance's compiled form (``compile_instance``) and the tie order (``tie_order``):
a mistake in any of those would be in both. The reference here shares nothing with the engine: it
reads the :class:`Instance` itself, keeps every voter apart with her money as a
:class:`~fractions.Fraction`, and follows the definition (Peters, Pierczyński & Skowron, NeurIPS
2021; Pabulib's ``equalshares/add1``):

* every voter starts with an equal share of the budget (or a given share);
* a project is *ρ-affordable* if its supporters, each paying ``min(her money, ρ × her utility)``,
  pay exactly its cost; each round funds the project affordable for the least ρ (ties here: the
  lower project id, as the engine's ``tie_break="project-id"``) and its supporters pay so; the
  count ends when no project is affordable for any ρ;
* utility: the project's cost (cost utilities) or 1 (approval utilities) for each voter who listed
  it. A free project is worth nothing under cost utilities, so it is never funded; under approval
  utilities it is affordable for ρ = 0;
* add-one completion: raise every share by 1 while the outcome at the next share still fits the
  budget (``add1``), and also stop at an outcome to which no further project fits
  (``add1-exhaustive``), or once every project someone would pay for is funded.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.counting.pb import Ballot, Instance, Project, count, read_pb


def _utility(project: Project, utility: str) -> Fraction:
    return project.cost if utility == "cost" else Fraction(1)


def _affordability(project: Project, supporters: list[int], money: list[Fraction], utility: str) -> Fraction | None:
    """The least ρ for which the supporters, each paying min(money, ρ × utility), pay the cost;
    None if all they have is less than the cost."""
    cost, u = project.cost, _utility(project, utility)
    if sum((money[i] for i in supporters), Fraction(0)) < cost:
        return None
    # Poorest first: while the equal payment of those left is more than the poorest has, she pays
    # all she has and the rest share what remains.
    paid, left = Fraction(0), len(supporters)
    for i in sorted(supporters, key=lambda i: money[i]):
        rho = (cost - paid) / (left * u)
        if rho * u <= money[i]:
            return rho
        paid += money[i]
        left -= 1
    raise AssertionError("supporters with enough money and no price")  # pragma: no cover


def reference_mes(instance: Instance, utility: str, share: Fraction) -> list[tuple[str, Fraction]]:
    """The projects MES funds with every voter starting with ``share``, in order, each with its ρ."""
    money = [share] * len(instance.ballots)
    supporters = {p.id: [i for i, b in enumerate(instance.ballots) if p.id in b.projects] for p in instance.projects}
    # Those with no supporter, or (cost utilities) free, are worth nothing to anyone.
    open_ = [p for p in instance.projects if supporters[p.id] and _utility(p, utility) > 0]
    funded: list[tuple[str, Fraction]] = []
    while True:
        prices = {p.id: _affordability(p, supporters[p.id], money, utility) for p in open_}
        affordable = {pid: rho for pid, rho in prices.items() if rho is not None}
        if not affordable:
            return funded
        best = min(affordable.values())
        chosen = min(pid for pid, rho in affordable.items() if rho == best)
        project = next(p for p in open_ if p.id == chosen)
        for i in supporters[chosen]:
            money[i] -= min(money[i], best * _utility(project, utility))
        funded.append((chosen, best))
        # (A project its supporters cannot afford now never becomes affordable: money only falls.)
        open_ = [p for p in open_ if p.id != chosen and prices[p.id] is not None]


def reference_completion(instance: Instance, utility: str, completion: str) -> tuple[list[tuple[str, Fraction]], int]:
    """MES with add-one completion: the outcome and the number of steps (each raises every share by 1)."""
    start = instance.budget / len(instance.ballots)
    costs = {p.id: p.cost for p in instance.projects}
    wanted = {p.id for p in instance.projects if any(p.id in b.projects for b in instance.ballots)}
    wanted -= {p.id for p in instance.projects if _utility(p, utility) == 0}

    def spent(outcome: list[tuple[str, Fraction]]) -> Fraction:
        return sum((costs[pid] for pid, _ in outcome), Fraction(0))

    def stops(outcome: list[tuple[str, Fraction]]) -> bool:
        chosen = {pid for pid, _ in outcome}
        if wanted <= chosen:
            return True
        left = instance.budget - spent(outcome)
        return completion == "add1-exhaustive" and all(costs[pid] > left for pid in wanted - chosen)

    step, outcome = 0, reference_mes(instance, utility, start)
    while completion != "none" and not stops(outcome):
        following = reference_mes(instance, utility, start + step + 1)
        if spent(following) > instance.budget:
            break
        step, outcome = step + 1, following
    return outcome, step


def _engine(instance: Instance, utility: str, completion: str) -> tuple[list[tuple[str, Fraction]], int]:
    result = count(instance, rule="mes", utility=utility, completion=completion, tie_break="project-id")
    # The engine reports ρ as an effective vote count: cost / (ρ × utility).
    outcome = []
    for pid in result.selected:
        project = instance.project(pid)
        effective = result.outcome(pid).effective_votes
        outcome.append((pid, project.cost / (Fraction(effective) * _utility(project, utility)) if effective else None))
    return outcome, result.completion_steps or 0


def _agree(instance: Instance, utility: str, completion: str) -> None:
    expected, expected_steps = reference_completion(instance, utility, completion)
    actual, steps = _engine(instance, utility, completion)
    assert [pid for pid, _ in actual] == [pid for pid, _ in expected]
    assert steps == expected_steps
    for (pid, rho), (_, exact) in zip(actual, expected, strict=True):
        # (Free projects, funded at ρ = 0, report no effective vote count.)
        assert (rho is None and exact == 0) or rho == pytest.approx(exact, rel=1e-12), pid


@st.composite
def instances(draw: st.DrawFn, max_cost: int = 12, max_voters: int = 9, max_budget: int = 30) -> Instance:
    """Up to 6 projects with ids in file order (the engine funds free projects in file order,
    the reference in id order)."""
    n_projects = draw(st.integers(1, 6))
    costs = [draw(st.integers(0, max_cost)) for _ in range(n_projects)]
    ids = [f"p{i}" for i in range(n_projects)]
    ballots = draw(
        st.lists(st.lists(st.sampled_from(ids), max_size=n_projects, unique=True), min_size=1, max_size=max_voters)
    )
    return Instance(
        budget=Fraction(draw(st.integers(1, max_budget))),
        vote_type="approval",
        projects=tuple(Project(id=pid, cost=Fraction(cost)) for pid, cost in zip(ids, costs, strict=True)),
        ballots=tuple(Ballot(voter_id=str(i), projects=tuple(b)) for i, b in enumerate(ballots)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from(["cost", "approval"]), st.sampled_from(["none", "add1", "add1-exhaustive"]))
def test_engine_equals_the_definition_on_drawn_instances(instance: Instance, utility: str, completion: str) -> None:
    _agree(instance, utility, completion)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    instances(max_cost=400, max_voters=7, max_budget=600),
    st.sampled_from(["cost", "approval"]),
    st.sampled_from(["add1", "add1-exhaustive"]),
)
def test_engine_equals_the_definition_over_long_completions(instance: Instance, utility: str, completion: str) -> None:
    """Costs far above the equal share: completion takes tens to hundreds of steps, which the engine
    jumps over (its headroom) or counts in batches."""
    _agree(instance, utility, completion)


# Small real votes, read as approval ballots: (file, utility, completion); the steps completion takes.
ALL = ("none", "add1", "add1-exhaustive")
REAL = [
    *(("Netherlands_Amsterdam_643.pb", u, c) for u in ("cost", "approval") for c in ALL),  # 38 steps
    *(("Worldwide_Mechanical_Turk_Ranking_value_3.pb", u, c) for u in ("cost", "approval") for c in ALL),  # ≤ 144
    *(("Poland_Czestochowa_2020_Podjasnogorska.pb", u, c) for u in ("cost", "approval") for c in ALL),  # ≤ 240
    ("Netherlands_Assen_2024.pb", "cost", "add1"),  # 843 steps: the real Equal Shares election
    ("Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb", "cost", "none"),
    ("Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb", "approval", "none"),
]


@pytest.mark.parametrize(("name", "utility", "completion"), REAL)
def test_engine_equals_the_definition_on_real_votes(shared_data, name: str, utility: str, completion: str) -> None:
    read = read_pb(shared_data("pabulib", name))
    instance = Instance(
        budget=read.budget,
        vote_type="approval",
        projects=read.projects,
        ballots=tuple(Ballot(voter_id=b.voter_id, projects=b.projects) for b in read.ballots),
    )
    _agree(instance, utility, completion)
