"""MAXIMIN and LEXIMIN selection lotteries by column generation (Flanigan et al., Nature 2021).

The master LP chooses probabilities over a growing set of feasible panels to maximise the
smallest selection probability ``z`` of the people not yet fixed; the pricing problem
(:class:`PanelOracle`) asks the MIP for the panel the LP's dual prices value most. When no
panel beats the dual price, ``z`` is optimal, and the dual bound proves it. LEXIMIN then fixes
the people whose dual price is positive (complementary slackness: they sit at ``z`` in every
optimal lottery) and repeats for the rest.

LEXIMIN first tries the shortcut in :mod:`relaxed` (LEXIMIN of the LP relaxation, written as a
lottery over panels by one column generation); the staged rounds above run only when that
point is not a lottery over panels.

Written ourselves because the reference implementation needs the commercial Gurobi solver
for LEXIMIN (falling back to maximin silently without it) and is not reproducible across
processes. Everything here uses HiGHS with one thread and a canonical order of groups and
panels, so the same inputs give the same lottery bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from coproduce.counting.sortition.panels import INF, Instance, PanelOracle, SwapSearch, new_highs, solve_lp
from coproduce.counting.sortition.relaxed import face_walk, relaxed_leximin

# A panel is added only if it beats the dual price by more than this.
PRICE_TOL = 1e-9
# Local searches per iteration, from the panels the dual prices value most.
SWAP_STARTS = 3
# The decomposition needs hundreds of panels against a slow dense LP, so it asks for more per
# re-solve (Lambeth-like: 97 re-solves, 91 s CPU; with 3 starts 236 re-solves, 165 s).
DECOMPOSE_SWAP_STARTS = 10
# Dual prices above this mark a person as tight (fixed) in LEXIMIN.
FIX_TOL = 1e-7
# Fixed probabilities are imposed with this slack, so accumulated LP round-off cannot make
# the next round infeasible.
FIX_SLACK = 1e-9
# The relaxed LEXIMIN point counts as a lottery over panels if its shortfall (in expected
# members) is at most this.
DECOMPOSE_TOL = 1e-8


class NoPanelError(Exception):
    """No panel of size k meets every quota and household constraint."""


@dataclass(frozen=True)
class Lottery:
    """The result of column generation, over groups."""

    panels: tuple[tuple[tuple[int, ...], float], ...]
    group_probabilities: tuple[float, ...]
    min_probability: float
    bound: float
    iterations: int
    rounds: int


class _Panels:
    """The panels an LP has taken in, each once; how a panel enters the LP is the subclass's."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.columns: list[tuple[int, ...]] = []
        self.known: set[tuple[int, ...]] = set()
        self._matrix = np.zeros((0, inst.n_groups))

    def add(self, counts: tuple[int, ...]) -> bool:
        """Take in a new panel (False if already known)."""
        if counts in self.known:
            return False
        self.known.add(counts)
        self.columns.append(counts)
        rows = np.array([g for g, c in enumerate(counts) if c], dtype=np.int32)
        share = np.array([counts[g] / self.inst.sizes[g] for g in rows])
        # Each group it takes, with its share of the group's members; last, the extra variable.
        self._insert(np.r_[rows, self.inst.n_groups].astype(np.int32), share)
        return True

    def _insert(self, index: np.ndarray, share: np.ndarray) -> None:
        raise NotImplementedError

    def matrix(self) -> np.ndarray:
        """The panels as rows of a matrix (grown in blocks, not rebuilt every iteration)."""
        if self._matrix.shape[0] < len(self.columns):
            self._matrix = np.vstack([self._matrix, np.array(self.columns[self._matrix.shape[0] :])])
        return self._matrix


class _Master(_Panels):
    """The master LP: columns are panels plus ``z``; rows are groups plus the convexity row."""

    def __init__(self, inst: Instance) -> None:
        super().__init__(inst)
        n = inst.n_groups
        h = new_highs()
        h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        h.setOptionValue("dual_feasibility_tolerance", 1e-10)
        # Primal simplex: a new column keeps the basis primal feasible, so re-solves are short.
        h.setOptionValue("simplex_strategy", 4)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        # Rows 0..n-1: coverage of group g minus z >= 0; row n: probabilities sum to 1.
        h.addRows(
            n + 1,
            np.r_[np.zeros(n), 1.0],
            np.r_[np.full(n, INF), 1.0],
            0,
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0),
        )
        # z <= 1 keeps the LP bounded once everyone is fixed.
        h.addCol(1.0, 0.0, 1.0, n, np.arange(n, dtype=np.int32), -np.ones(n))  # z
        self.h = h
        self.fixed = np.full(n, np.nan)

    def _insert(self, index: np.ndarray, share: np.ndarray) -> None:
        self.h.addCol(0.0, 0.0, INF, len(index), index, np.r_[share, 1.0])

    def fix(self, groups: np.ndarray, value: float) -> None:
        """Hold ``groups`` at probability >= value and take them out of the objective."""
        for g in groups:
            self.fixed[g] = value
            self.h.changeCoeff(int(g), 0, 0.0)
            self.h.changeRowBounds(int(g), max(0.0, value - FIX_SLACK), INF)

    def solve(self) -> tuple[float, np.ndarray, float]:
        """(z, dual prices per group normalised to sum 1 over free groups, dual price of a panel)."""
        solve_lp(self.h, "master LP")
        solution = self.h.getSolution()
        n = self.inst.n_groups
        duals = np.abs(np.asarray(solution.row_dual[:n]))  # sign conventions differ by sense
        z = float(solution.col_value[0])
        free = np.isnan(self.fixed)
        total = duals[free].sum()
        if total > 0:
            duals = duals / total
        # The LP dual objective equals z: price - sum(fixed * dual) = z.
        fixed_part = float(np.dot(np.nan_to_num(self.fixed[~free]), duals[~free]))
        return z, duals, z + fixed_part

    def lottery(self) -> list[tuple[tuple[int, ...], float]]:
        values = self.h.getSolution().col_value[1:]
        return [(c, float(p)) for c, p in zip(self.columns, values, strict=True)]


class _Decomposition(_Panels):
    """The LP for writing target probabilities as a lottery, in dual form (one row per panel).

    Primal: minimise the total shortfall sum_g size_g * u_g subject to
    sum_P x_P counts_P[g] / size_g + u_g >= target_g, sum_P x_P = 1, x, u >= 0. Its dual,
    maximise sum_g target_g y_g - t with 0 <= y_g <= size_g and y . counts_P / size <= t for
    every panel, gains one row per panel, which dual simplex re-solves from the last basis.
    """

    def __init__(self, inst: Instance, target: np.ndarray) -> None:
        super().__init__(inst)
        n = inst.n_groups
        h = new_highs()
        h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        h.setOptionValue("dual_feasibility_tolerance", 1e-10)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        none = np.zeros(0, np.int32)
        h.addCols(
            n,
            np.asarray(target, dtype=float),
            np.zeros(n),
            np.asarray(inst.sizes, dtype=float),
            0,
            none,
            none,
            np.zeros(0),
        )
        h.addCol(-1.0, -INF, INF, 0, none, np.zeros(0))  # t
        self.h = h

    def _insert(self, index: np.ndarray, share: np.ndarray) -> None:
        self.h.addRow(-INF, 0.0, len(index), index, np.r_[share, -1.0])

    def solve(self) -> tuple[float, np.ndarray, float]:
        """(minus the shortfall, dual prices per group, dual price of a panel), as _Master.solve."""
        solve_lp(self.h, "decomposition LP")
        solution = self.h.getSolution()
        n = self.inst.n_groups
        shortfall = float(self.h.getInfo().objective_function_value)
        return -shortfall, np.maximum(np.asarray(solution.col_value[:n]), 0.0), float(solution.col_value[n])

    def lottery(self) -> list[tuple[tuple[int, ...], float]]:
        values = self.h.getSolution().row_dual
        return [(c, float(p)) for c, p in zip(self.columns, values, strict=True)]


def _leximin_by_relaxation(inst: Instance, oracle: PanelOracle, search: SwapSearch) -> Lottery | None:
    """LEXIMIN over the LP relaxation, decomposed into panels; ``None`` if it is not a lottery."""
    level, counts, stages = relaxed_leximin(inst)
    master = _Decomposition(inst, level - FIX_SLACK)
    for panel in face_walk(inst, counts):
        master.add(panel)
    if not master.columns:
        _seed_columns(inst, oracle, master)
    z, _duals, _bound, iterations = _generate(master, oracle, search, DECOMPOSE_SWAP_STARTS)
    if -z > DECOMPOSE_TOL:
        return None
    # conv(panels) lies inside the relaxation, so its maximin level bounds every lottery.
    return _finish(inst, master.lottery(), float(level.min()), iterations, stages)


def _seed_columns(inst: Instance, oracle: PanelOracle, master: _Master | _Decomposition) -> None:
    """Start with panels that reach every group that can be reached at all.

    Multiplicative weights spread the first panels across groups; then each group no panel
    covers yet gets a panel that favours it (if none exists, its probability is 0 and the LP
    finds that itself).
    """
    n = inst.n_groups
    weights = np.ones(n) / np.asarray(inst.sizes)
    first = oracle.best(weights)
    if first is None:
        raise NoPanelError
    master.add(first[0])
    covered = np.array(first[0]) > 0
    for _ in range(min(n, 30)):
        weights = weights * np.where(np.array(master.columns[-1]) > 0, 0.5, 1.0)
        found = oracle.best(weights)
        assert found is not None
        master.add(found[0])
        covered |= np.array(found[0]) > 0
    while not covered.all():
        found = oracle.best(np.where(covered, 0.0, 1.0))
        assert found is not None
        newly = (np.array(found[0]) > 0) & ~covered
        if not newly.any():
            break  # the rest can never be selected
        master.add(found[0])
        covered |= newly


def _generate(
    master: _Master | _Decomposition, oracle: PanelOracle, search: SwapSearch, starts: int = SWAP_STARTS
) -> tuple[float, np.ndarray, float, int]:
    """Add panels until none beats the dual prices: (z, duals, certified upper bound, iterations).

    Swaps from the best current panels find most improving panels; the MIP is asked only when
    they fail, and its answer (with its dual bound) is what certifies the end.
    """
    iterations = 0
    sizes = np.asarray(master.inst.sizes)
    while True:
        iterations += 1
        z, duals, price = master.solve()
        weights = duals / sizes
        values = master.matrix() @ weights
        added = False
        for start in np.argsort(-values, kind="stable")[:starts]:
            candidate = search.improve(master.columns[start], weights)
            if np.dot(weights, candidate) > price + PRICE_TOL:
                added |= master.add(candidate)
        if added:
            continue
        found = oracle.best(weights)
        assert found is not None
        counts, value, dual_bound = found
        if value <= price + PRICE_TOL or not master.add(counts):
            # Any lottery's smallest free probability <= sum(duals * probs) <= best panel value
            # minus what fixed people already absorb: the bound below.
            return z, duals, dual_bound - (price - z), iterations


def optimise(inst: Instance, *, leximin: bool) -> Lottery:
    """Run MAXIMIN (one round) or LEXIMIN (through the relaxation, else rounds until everyone is fixed)."""
    oracle = PanelOracle(inst)
    search = SwapSearch(inst)
    if oracle.best(np.ones(inst.n_groups)) is None:
        raise NoPanelError
    if leximin:
        lottery = _leximin_by_relaxation(inst, oracle, search)
        if lottery is not None:
            return lottery
    master = _Master(inst)
    _seed_columns(inst, oracle, master)
    z, duals, bound, iterations = _generate(master, oracle, search)
    first_bound = bound
    rounds = 1
    if leximin:
        while np.isnan(master.fixed).any():
            free = np.isnan(master.fixed)
            tight = np.flatnonzero(free & (duals > FIX_TOL))
            if tight.size == 0:  # numerical corner: fix the largest price
                tight = np.flatnonzero(free)[[int(np.argmax(np.where(free, duals, -1)[free]))]]
            master.fix(tight, z)
            if not np.isnan(master.fixed).any():
                break
            z, duals, _bound, more = _generate(master, oracle, search)
            iterations += more
            rounds += 1
        master.solve()
    return _finish(inst, master.lottery(), first_bound, iterations, rounds)


def _finish(
    inst: Instance, raw: list[tuple[tuple[int, ...], float]], bound: float, iterations: int, rounds: int
) -> Lottery:
    """Drop zero panels, renormalise, sort canonically and compute group probabilities."""
    kept = [(c, max(p, 0.0)) for c, p in raw if p > 1e-12]
    total = sum(p for _c, p in kept)
    panels = tuple(sorted((c, p / total) for c, p in kept))
    probs = np.zeros(inst.n_groups)
    for counts, p in panels:
        probs += p * np.asarray(counts) / np.asarray(inst.sizes)
    return Lottery(panels, tuple(float(x) for x in probs), float(probs.min()), bound, iterations, rounds)
