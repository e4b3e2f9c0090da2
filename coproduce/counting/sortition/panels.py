"""Groups of interchangeable people, the feasible-panel oracle (a HiGHS MIP) and validity checks.

Why our own: sortition-algorithms builds one binary variable per person and needs Gurobi for
LEXIMIN. We collapse interchangeable people into groups first (same features, no shared
household) so the oracle has one integer variable per *group*; on the paper's
``example_large_200`` that is 3 variables instead of 2,000. HiGHS is free and, with
``threads=1``, deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from coproduce.counting.sortition.model import Pool, Targets

INF = highspy.kHighsInf


def new_highs() -> highspy.Highs:
    """A silent, single-threaded HiGHS instance (the machine is shared; threads also break
    bit-for-bit reproducibility)."""
    h = highspy.Highs()
    h.silent()
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h


def solve_lp(h: highspy.Highs, what: str) -> None:
    """Run HiGHS on an LP that always has an optimum; anything else is an engine fault."""
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS {what} ended with {h.modelStatusToString(status)}")


@dataclass(frozen=True)
class Instance:
    """The optimisation view of a pool: groups, their sizes, their quota rows and households."""

    k: int
    groups: tuple[tuple[str, ...], ...]  # member ids of each group, sorted
    sizes: tuple[int, ...]
    quota_rows: tuple[tuple[int, int, tuple[int, ...]], ...]  # (min, max, groups with the value)
    households: tuple[tuple[int, ...], ...]  # groups (each of one person) sharing an address

    @property
    def n_groups(self) -> int:
        return len(self.groups)


def build_instance(targets: Targets, pool: Pool, k: int, *, quotas: tuple | None = None) -> Instance:
    """Group interchangeable people and index the quotas by group.

    ``quotas`` overrides ``targets.quotas`` (used when testing relaxations).
    People who share an address with anyone stay singletons, so household rows stay exact.
    """
    quota_list = targets.quotas if quotas is None else quotas
    household_size: dict[tuple[str, ...], int] = {}
    for person in pool.people:
        if person.household is not None:
            household_size[person.household] = household_size.get(person.household, 0) + 1
    buckets: dict[tuple, list[str]] = {}
    for person in pool.people:
        shared = person.household is not None and household_size[person.household] > 1
        key = (person.values, person.household if shared else None, person.id if shared else "")
        buckets.setdefault(key, []).append(person.id)
    # Canonical order: by features, then by ids (never by hash or file order).
    ordered = sorted(((key, tuple(sorted(ids))) for key, ids in buckets.items()), key=lambda kv: (kv[0][0], kv[1]))
    groups = tuple(ids for _key, ids in ordered)
    index_of_values = [key[0] for key, _ids in ordered]
    position = {f: j for j, f in enumerate(targets.features)}
    rows = []
    for q in quota_list:
        j = position[q.feature]
        members = tuple(g for g, values in enumerate(index_of_values) if values[j] == q.value)
        rows.append((q.min, q.max, members))
    by_household: dict[tuple[str, ...], list[int]] = {}
    for g, (key, _ids) in enumerate(ordered):
        if key[1] is not None:
            by_household.setdefault(key[1], []).append(g)
    households = tuple(tuple(gs) for _h, gs in sorted(by_household.items()) if len(gs) > 1)
    return Instance(k, groups, tuple(len(ids) for ids in groups), tuple(rows), households)


class PanelOracle:
    """Finds the feasible panel (counts per group) of greatest weight.

    The MIP is built once; each call only changes the objective, so HiGHS reuses its setup.
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        h = new_highs()
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1e-12)
        h.setOptionValue("mip_feasibility_tolerance", 1e-9)
        n = inst.n_groups
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.array(inst.sizes, dtype=float)
        rows: list[tuple[float, float, tuple[int, ...]]] = [(inst.k, inst.k, tuple(range(n)))]
        rows += [(float(lo), float(hi), members) for lo, hi, members in inst.quota_rows]
        rows += [(0.0, 1.0, members) for members in inst.households]
        lp.num_row_ = len(rows)
        lp.row_lower_ = np.array([r[0] for r in rows], dtype=float)
        lp.row_upper_ = np.array([r[1] for r in rows], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        starts, index = [0], []
        for _lo, _hi, members in rows:
            index.extend(members)
            starts.append(len(index))
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(index))
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        lp.sense_ = highspy.ObjSense.kMaximize
        h.passModel(lp)
        self.h = h
        self.calls = 0

    def best(self, weights: np.ndarray) -> tuple[tuple[int, ...], float, float] | None:
        """(counts, objective, dual bound) of a best panel, or ``None`` if no panel exists."""
        self.calls += 1
        n = self.inst.n_groups
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(weights, dtype=float))
        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS pricing MIP ended with {self.h.modelStatusToString(status)}")
        values = self.h.getSolution().col_value
        counts = tuple(round(v) for v in values)
        info = self.h.getInfo()
        objective = float(np.dot(weights, counts))
        return counts, objective, max(float(info.mip_dual_bound), objective)


def check_panel(inst: Instance, counts: tuple[int, ...]) -> str | None:
    """Why ``counts`` is not a valid panel, or ``None`` if it is."""
    if len(counts) != inst.n_groups or any(c < 0 or c > s for c, s in zip(counts, inst.sizes, strict=True)):
        return "counts out of range"
    if sum(counts) != inst.k:
        return f"panel has {sum(counts)} members, not {inst.k}"
    for lo, hi, members in inst.quota_rows:
        total = sum(counts[g] for g in members)
        if not lo <= total <= hi:
            return f"quota [{lo}, {hi}] broken ({total})"
    for members in inst.households:
        if sum(counts[g] for g in members) > 1:
            return "two members of one household"
    return None


class SwapSearch:
    """Cheap improving panels: best-improvement local search by one-for-one swaps.

    Column generation spends most of its time proving a panel is best; most of the panels it
    adds need no proof, only to beat the current dual price. Starting from panels already in
    the lottery we swap one member for another while every quota and household stays met, and
    hand the MIP only the iterations where no swap helps. The MIP still certifies the end.
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        n = inst.n_groups
        n_quotas = len(inst.quota_rows)
        # quota_of[g, j]: index of group g's quota row for feature j.
        member = np.zeros((n, n_quotas), dtype=bool)
        for q, (_lo, _hi, members) in enumerate(inst.quota_rows):
            member[list(members), q] = True
        self.member = member.astype(np.int64)
        # rows[g, j]: the quota row of group g's value of feature j (one per feature).
        self.rows = np.nonzero(member)[1].reshape(n, -1)
        self.low = np.array([lo for lo, _hi, _m in inst.quota_rows])
        self.high = np.array([hi for _lo, hi, _m in inst.quota_rows])
        self.sizes = np.asarray(inst.sizes)
        self.home = np.full(n, -1)
        for h, members in enumerate(inst.households):
            self.home[list(members)] = h
        self.n_homes = len(inst.households)

    def improve(self, counts: tuple[int, ...], weights: np.ndarray) -> tuple[int, ...]:
        """A local optimum reached from ``counts`` by improving swaps."""
        c = np.array(counts)
        for _ in range(4 * self.inst.k):
            support = np.flatnonzero(c)
            # Only groups worth more than the cheapest member can improve the panel; dual
            # prices are sparse, so this is usually a handful of groups.
            into = np.flatnonzero((weights > weights[support].min() + 1e-12) & (c < self.sizes))
            if into.size == 0:
                break
            out = support[weights[support] < weights[into].max() - 1e-12]
            totals = c @ self.member  # members per quota row
            removable = totals - 1 >= self.low  # a quota row may lose one
            addable = totals + 1 <= self.high  # a quota row may gain one
            # A swap a -> b is allowed if, for every feature where a and b differ, a's row may
            # lose one and b's row may gain one.
            rows_a, rows_b = self.rows[out], self.rows[into]
            ok = np.ones((len(out), len(into)), dtype=bool)
            for j in range(self.rows.shape[1]):
                same = rows_a[:, j, None] == rows_b[None, :, j]
                ok &= same | (removable[rows_a[:, j]][:, None] & addable[rows_b[:, j]][None, :])
            if self.n_homes:
                occupied = np.zeros(self.n_homes + 1, dtype=np.int64)
                np.add.at(occupied, self.home, c)  # index -1 collects the unshared
                home_b = self.home[into][None, :]
                freed = self.home[out][:, None] == home_b
                ok &= (home_b < 0) | (occupied[home_b] - freed == 0)
            delta = np.where(ok, weights[into][None, :] - weights[out][:, None], -np.inf)
            if delta.size == 0:
                break
            best = int(np.argmax(delta))
            if delta.flat[best] <= 1e-12:
                break
            c[out[best // delta.shape[1]]] -= 1
            c[into[best % delta.shape[1]]] += 1
        return tuple(int(x) for x in c)
