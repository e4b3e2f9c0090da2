"""Utilitarian greedy: fund projects from the most supported down, while the money lasts.

This is what most cities run (Pabulib ``rule;greedy``). The variants cities declare:

* ``greedy`` — skip a project that no longer fits and carry on down the list;
* ``greedy-no-skip`` — stop at the first project that does not fit (Gdynia 2023 Green Budget);
* ``greedy-threshold`` — projects below ``min_project_score_threshold`` cannot win (Łódź,
  Katowice, Warszawa 2026);
* ``greedy-exclusive`` — declared by Warszawa 2024 Mokotów, whose file records no groups of
  mutually exclusive projects, so it counts as plain ``greedy`` (this reproduces its winners).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from coproduce.counting.pb.profile import Compiled
from coproduce.counting.pb.ties import TieOrder

GREEDY_VARIANTS = ("greedy", "greedy-no-skip", "greedy-threshold", "greedy-exclusive")


@dataclass
class GreedyRun:
    """Ranking and decisions of one greedy pass."""

    ranking: list[int]
    funded: list[int] = field(default_factory=list)
    below_threshold: list[int] = field(default_factory=list)
    # Projects that did not fit, and (no-skip) those never reached because the count stopped.
    did_not_fit: list[int] = field(default_factory=list)
    not_reached: list[int] = field(default_factory=list)
    ties: list[tuple[int, list[int], int]] = field(default_factory=list)


def support(compiled: Compiled, utility: str | None) -> list[Fraction]:
    """What greedy ranks by: total points/votes, or votes per unit of cost for approval utilities."""
    base = compiled.score if compiled.has_points else [Fraction(v) for v in compiled.votes]
    if utility != "approval":
        return list(base)
    # Cardinality satisfaction: utility per unit of money; free supported projects come first.
    return [
        Fraction(10**30) if c == 0 and b > 0 else (b / c if c else Fraction(0))
        for b, c in zip(base, compiled.costs, strict=True)
    ]


def run_greedy(
    compiled: Compiled,
    order: TieOrder,
    *,
    variant: str = "greedy",
    utility: str | None = "cost",
    threshold: Fraction | None = None,
    budget: Fraction | None = None,
    exclude: frozenset[int] = frozenset(),
) -> GreedyRun:
    """Greedy over the projects not in ``exclude`` with ``budget`` (default: the whole budget).

    Projects nobody supports are still ranked (last) and funded if money remains, as pabutools
    does; a threshold removes them.
    """
    if variant not in GREEDY_VARIANTS:
        raise ValueError(f"unknown greedy variant {variant!r}")
    score = support(compiled, utility)
    candidates = [p for p in range(len(compiled.ids)) if p not in exclude]
    ranking = sorted(candidates, key=lambda p: (-score[p], order.rank[p]))
    run = GreedyRun(ranking=ranking)
    left = compiled.budget if budget is None else budget
    stopped = False
    for p in ranking:
        if threshold is not None and compiled.score[p] < threshold:
            run.below_threshold.append(p)
        elif stopped:
            run.not_reached.append(p)
        elif compiled.costs[p] <= left:
            run.funded.append(p)
            left -= compiled.costs[p]
        else:
            run.did_not_fit.append(p)
            stopped = variant == "greedy-no-skip"
    # Record ties that mattered: equal support where one was funded and another was not.
    funded = set(run.funded)
    position = 0
    while position < len(ranking):
        end = position
        while end + 1 < len(ranking) and score[ranking[end + 1]] == score[ranking[position]]:
            end += 1
        group = ranking[position : end + 1]
        if len(group) > 1 and 0 < len(funded.intersection(group)) < len(group):
            chosen = next(p for p in group if p in funded)
            run.ties.append((position + 1, group, chosen))
        position = end + 1
    return run
