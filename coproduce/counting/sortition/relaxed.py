"""LEXIMIN through the LP relaxation: a compact LP sequence, then one decomposition into panels.

Every lottery's expected counts per group lie in the convex hull of the feasible panels, which
lies inside the LP relaxation ``Q`` of the panel constraints (size k, quotas, households,
0 <= count <= group size). LEXIMIN over ``Q`` is a handful of small LPs with no column
generation, and its levels bound every lottery's sorted profile from above. If the LEXIMIN
point of ``Q`` is a lottery over real panels, that lottery is LEXIMIN over panels too, and
the first level certifies the minimum. On the Lambeth-like pool this replaces dozens of column
generation rounds (each re-solving a dense master LP hundreds of times) by one decomposition.

The decomposition walks down faces (Carathéodory): take a panel on the smallest face of ``Q``
holding the remaining point, remove as much of it as keeps the rest inside ``Q``, repeat. Each
step ends on a smaller face, so a few hundred MIP calls suffice; rounding makes the last
steps unreliable, so an LP over the panels found, completed by column generation, gives the
exact lottery. If the point is not a lottery over panels, the caller falls back to the staged
algorithm.
"""

from __future__ import annotations

import highspy
import numpy as np

from coproduce.counting.sortition.panels import INF, Instance, PanelOracle, new_highs, solve_lp

# Dual prices (scaled by group size, summing to 1) above this fix a group at the level.
FIX_TOL = 1e-7
# Fixed levels are imposed with this slack, so LP round-off cannot make a later stage infeasible.
FIX_SLACK = 1e-9
# A face constraint counts as tight within this fraction of the remaining probability mass.
# Only steers the walk (the final LP decides): on the Lambeth-like pool 1e-4 leaves a shortfall
# of 1e-8 for column generation to close (65 re-solves, 64 s CPU), 1e-7 leaves 5e-6 (97, 91 s).
FACE_TOL = 1e-4


def relaxed_leximin(inst: Instance) -> tuple[np.ndarray, np.ndarray, int]:
    """(level of each group, expected counts meeting every level, number of stages) over ``Q``."""
    n = inst.n_groups
    sizes = np.asarray(inst.sizes, dtype=float)
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    none = np.zeros(0, np.int32)
    h.addCols(n, np.zeros(n), np.zeros(n), sizes, 0, none, none, np.zeros(0))
    h.addCol(1.0, 0.0, INF, 0, none, np.zeros(0))  # z, the level of the free groups
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    rows = [(inst.k, inst.k, tuple(range(n)))]
    rows += [(lo, hi, members) for lo, hi, members in inst.quota_rows]
    rows += [(0, 1, members) for members in inst.households]
    for lo, hi, members in rows:
        h.addRow(lo, hi, len(members), np.array(members, dtype=np.int32), np.ones(len(members)))
    first = len(rows)
    for g in range(n):  # count_g - size_g * z >= 0 while g is free
        h.addRow(0.0, INF, 2, np.array([g, n], dtype=np.int32), np.array([1.0, -sizes[g]]))
    level = np.full(n, np.nan)
    counts = np.zeros(n)
    stages = 0
    while np.isnan(level).any():
        solve_lp(h, "relaxed LEXIMIN")
        stages += 1
        solution = h.getSolution()
        z = float(solution.col_value[n])
        counts = np.asarray(solution.col_value[:n])
        free = np.flatnonzero(np.isnan(level))
        price = np.abs(np.asarray(solution.row_dual[first : first + n]))[free] * sizes[free]
        tight = free[price > FIX_TOL]
        if tight.size == 0:  # numerical corner: fix the largest price
            tight = free[[int(np.argmax(price))]]
        for g in tight:
            level[g] = z
            h.changeCoeff(first + int(g), n, 0.0)
            h.changeRowBounds(first + int(g), sizes[g] * max(0.0, z - FIX_SLACK), INF)
    return level, counts, stages


def face_walk(inst: Instance, counts: np.ndarray) -> list[tuple[int, ...]]:
    """Panels found by walking the point ``counts`` of ``Q`` down faces (see the module text)."""
    n = inst.n_groups
    sizes = np.asarray(inst.sizes, dtype=float)
    oracle = PanelOracle(inst)
    every = np.arange(n, dtype=np.int32)
    quota = np.zeros((len(inst.quota_rows), n))
    for i, (_lo, _hi, members) in enumerate(inst.quota_rows):
        quota[i, list(members)] = 1.0
    low = np.array([lo for lo, _hi, _m in inst.quota_rows], dtype=float)
    high = np.array([hi for _lo, hi, _m in inst.quota_rows], dtype=float)
    quota_index = np.arange(1, len(low) + 1, dtype=np.int32)  # row 0 is the panel size
    home = np.zeros((len(inst.households), n))
    for i, members in enumerate(inst.households):
        home[i, list(members)] = 1.0
    home_index = np.arange(len(low) + 1, len(low) + 1 + len(home), dtype=np.int32)
    rest, mass = np.asarray(counts, dtype=float).copy(), 1.0
    panels: list[tuple[int, ...]] = []
    while mass > 1e-9 and len(panels) < 4 * n:
        tol = FACE_TOL * mass
        # The smallest face holding rest/mass: every constraint tight there stays tight.
        oracle.h.changeColsBounds(
            n, every, np.where(rest >= mass * sizes - tol, sizes, 0.0), np.where(rest <= tol, 0.0, sizes)
        )
        at_quota = quota @ rest
        oracle.h.changeRowsBounds(
            len(low),
            quota_index,
            np.where(at_quota >= mass * high - tol, high, low),
            np.where(at_quota <= mass * low + tol, low, high),
        )
        at_home = home @ rest
        if len(home):
            oracle.h.changeRowsBounds(
                len(home), home_index, np.where(at_home >= mass - tol, 1.0, 0.0), np.ones(len(home))
            )
        found = oracle.best(rest / (mass * sizes))
        if found is None:
            break
        panel = np.array(found[0], dtype=float)
        panels.append(found[0])
        # The largest step keeping (rest - step * panel) / (mass - step) inside Q.
        step = mass
        used = panel > 0
        step = min(step, float(np.min(rest[used] / panel[used])))
        short = panel < sizes
        if short.any():
            step = min(step, float(np.min((mass * sizes - rest)[short] / (sizes - panel)[short])))
        on_quota = quota @ panel
        above, below = on_quota > low + 0.5, on_quota < high - 0.5
        if above.any():
            step = min(step, float(np.min((at_quota - mass * low)[above] / (on_quota - low)[above])))
        if below.any():
            step = min(step, float(np.min((mass * high - at_quota)[below] / (high - on_quota)[below])))
        if len(home):
            empty = home @ panel < 0.5
            if empty.any():
                step = min(step, float(np.min(mass - at_home[empty])))
        if step <= 1e-13:
            break
        rest -= step * panel
        mass -= step
    return panels
