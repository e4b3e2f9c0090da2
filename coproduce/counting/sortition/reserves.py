"""Replacements for panel members who drop out.

Given the drawn panel and the ids who dropped out, we go through the other respondents in an
order shuffled by the published seed and take each one whose addition still leaves a way to
complete the panel within every quota and household constraint (checked by the same
feasibility MIP as the lottery, over groups). This "random priority with feasibility" is
reproducible from the seed and never breaks a quota; it does not reproduce the lottery's
optimal probabilities, which no longer exist once part of the panel is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coproduce.counting.errors import InputError
from coproduce.counting.sortition.draw import SeedStream
from coproduce.counting.sortition.model import Pool, Targets
from coproduce.counting.sortition.panels import PanelOracle, build_instance


def replacements(
    targets: Targets, pool: Pool, k: int, panel: Sequence[str], dropouts: Sequence[str], seed: str
) -> tuple[str, ...]:
    """Ids (in the order chosen) that replace ``dropouts`` in ``panel``."""
    inst = build_instance(targets, pool, k)
    group_of = {pid: g for g, members in enumerate(inst.groups) for pid in members}
    for pid in (*panel, *dropouts):
        if pid not in group_of:
            raise InputError(f"unknown id {pid!r}", file=pool.source)
    gone = set(dropouts)
    if not gone <= set(panel):
        raise InputError("every drop-out must be on the panel", file=pool.source)
    kept = [pid for pid in panel if pid not in gone]
    lower = np.zeros(inst.n_groups)
    upper = np.asarray(inst.sizes, dtype=float)
    for pid in kept:
        lower[group_of[pid]] += 1
    for pid in dropouts:
        upper[group_of[pid]] -= 1  # a drop-out is not asked again
    oracle = PanelOracle(inst)
    every = np.arange(inst.n_groups, dtype=np.int32)

    def feasible() -> bool:
        oracle.h.changeColsBounds(inst.n_groups, every, lower, upper)
        return oracle.best(np.zeros(inst.n_groups)) is not None

    if not feasible():
        raise InputError(
            "no respondents left can replace these drop-outs within the quotas and households",
            file=targets.source,
        )
    on_panel = set(panel)
    candidates = sorted(pid for pid in pool.ids if pid not in on_panel)
    chosen: list[str] = []
    for pid in SeedStream(seed, "reserves").shuffled(candidates):
        if len(chosen) == len(gone):
            break
        g = group_of[pid]
        if lower[g] >= upper[g]:
            continue
        lower[g] += 1
        if feasible():
            chosen.append(pid)
        else:
            lower[g] -= 1
    return tuple(chosen)
