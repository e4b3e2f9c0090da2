"""Explaining quotas that no panel can meet, and the smallest relaxation that fixes them.

A practitioner facing "infeasible" needs to know *which* quotas clash and what to change.
We first look for plain arithmetic reasons (a feature's minimums add up to more than k, or
fewer respondents have a value than its minimum), then solve a small HiGHS MIP that lowers
minimums (no further than ``min_flex``) and raises maximums (no further than ``max_flex``)
by the fewest seats in total. sortition-algorithms does something similar with its own
solver wrappers; this is our own formulation over groups of interchangeable people.
"""

from __future__ import annotations

import highspy
import numpy as np

from coproduce.counting.errors import InputError
from coproduce.counting.sortition.model import Pool, Relaxation, Targets
from coproduce.counting.sortition.panels import INF, build_instance, new_highs


class InfeasibleQuotas(InputError):
    """No panel meets the quotas; ``conflicts`` explain why, ``relaxations`` suggest a fix."""

    def __init__(
        self, conflicts: tuple[str, ...], relaxations: tuple[Relaxation, ...] | None, *, file: str | None
    ) -> None:
        self.conflicts = conflicts
        self.relaxations = relaxations
        if relaxations:
            fix = "; ".join(
                f"{r.feature}={r.value} min {r.old_min}->{r.new_min} max {r.old_max}->{r.new_max}" for r in relaxations
            )
            suggestion = f"smallest relaxation: {fix}"
        else:
            suggestion = "no relaxation within min_flex/max_flex makes a panel possible"
        super().__init__(f"no panel meets the quotas: {' '.join(conflicts)} {suggestion}", file=file)


def explain(targets: Targets, pool: Pool, k: int) -> tuple[str, ...]:
    """Human-readable reasons the quotas conflict (may be empty if only the MIP can tell)."""
    reasons = []
    for feature in targets.features:
        quotas = targets.values_of(feature)
        low, high = sum(q.min for q in quotas), sum(q.max for q in quotas)
        if low > k:
            reasons.append(f"The minimums of {feature} add up to {low}, more than k={k}.")
        if high < k:
            reasons.append(f"The maximums of {feature} add up to {high}, less than k={k}.")
    position = {f: j for j, f in enumerate(pool.features)}
    for q in targets.quotas:
        j = position[q.feature]
        available = sum(1 for p in pool.people if p.values[j] == q.value)
        if available < q.min:
            reasons.append(f"Only {available} respondents have {q.feature}={q.value}, but min is {q.min}.")
    return tuple(reasons)


def smallest_relaxation(targets: Targets, pool: Pool, k: int) -> tuple[Relaxation, ...] | None:
    """Quota changes of least total size (seats) that admit a panel; ``None`` if none does."""
    inst = build_instance(targets, pool, k)
    n, m = inst.n_groups, len(targets.quotas)
    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    # Columns: group counts (0..n-1), then per quota "lower the min by" and "raise the max by".
    lower = np.zeros(n + 2 * m)
    upper = np.r_[
        np.asarray(inst.sizes, float),
        [q.min - q.min_flex for q in targets.quotas],
        [(q.max_flex if q.max_flex is not None else k) - q.max for q in targets.quotas],
    ]
    upper = np.maximum(upper, 0.0)
    cost = np.r_[np.zeros(n), np.ones(2 * m)]
    h.addVars(n + 2 * m, lower, upper)
    h.changeColsCost(n + 2 * m, np.arange(n + 2 * m, dtype=np.int32), cost)
    h.changeColsIntegrality(
        n + 2 * m, np.arange(n + 2 * m, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * (n + 2 * m))
    )

    def row(lo: float, hi: float, index: list[int], value: list[float]) -> None:
        h.addRow(lo, hi, len(index), np.array(index, dtype=np.int32), np.array(value, dtype=float))

    row(k, k, list(range(n)), [1.0] * n)
    for i, (lo, hi, members) in enumerate(inst.quota_rows):
        row(lo, INF, [*members, n + i], [1.0] * len(members) + [1.0])  # count + lowered >= min
        row(-INF, hi, [*members, n + m + i], [1.0] * len(members) + [-1.0])  # count - raised <= max
    for members in inst.households:
        row(0, 1, list(members), [1.0] * len(members))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = h.getSolution().col_value
    changes = []
    for i, q in enumerate(targets.quotas):
        down, up = round(values[n + i]), round(values[n + m + i])
        if down or up:
            changes.append(Relaxation(q.feature, q.value, q.min, q.max, q.min - down, q.max + up))
    return tuple(changes)


def diagnose(targets: Targets, pool: Pool, k: int) -> InfeasibleQuotas:
    """The error to raise when no panel exists."""
    relaxations = smallest_relaxation(targets, pool, k)
    conflicts = explain(targets, pool, k)
    if not conflicts and relaxations:
        names = ", ".join(f"{r.feature}={r.value}" for r in relaxations)
        conflicts = (f"The quotas on {names} cannot all be met together with k={k} and one person per household.",)
    return InfeasibleQuotas(conflicts, relaxations, file=targets.source)
