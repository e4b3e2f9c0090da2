"""Tie-breaking between projects that a rule rates exactly equal.

``default``: the cheaper project first (it leaves more money for others), then the one more voters
listed, then a lot drawn from a recorded seed so the draw can be repeated and audited.
``project-id``: lexicographic project id — pabutools' behaviour, used to compare with it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from coproduce.counting.pb.profile import Compiled

TIE_BREAKS = ("default", "project-id")


@dataclass(frozen=True)
class TieOrder:
    """A strict preference order over projects (lower rank wins a tie) and how to explain it."""

    mode: str
    rank: tuple[int, ...]
    seed: int | None
    compiled: Compiled

    def reason(self, tied: list[int], chosen: int) -> str:
        """Why ``chosen`` beat the other ``tied`` projects, in words."""
        if self.mode == "project-id":
            return "project id"
        costs, votes = self.compiled.costs, self.compiled.votes
        others = [p for p in tied if p != chosen]
        if all(costs[chosen] < costs[p] for p in others):
            return "lower cost"
        if all(costs[chosen] <= costs[p] for p in others) and all(
            votes[chosen] > votes[p] for p in others if costs[p] == costs[chosen]
        ):
            return "more votes"
        return f"lot (seed {self.seed})"


def tie_order(compiled: Compiled, mode: str = "default", seed: int | None = 0) -> TieOrder:
    """The tie order for ``mode`` (``default`` needs ``seed`` for its final lot)."""
    if mode not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}, not {mode!r}")
    count = len(compiled.ids)
    if mode == "project-id":
        order = sorted(range(count), key=lambda p: compiled.ids[p])
    else:
        # Lots are drawn in project-id order so the same seed gives the same draw whatever the
        # file's row order.
        rng = random.Random(seed)
        lots = {pid: rng.random() for pid in sorted(compiled.ids)}
        order = sorted(range(count), key=lambda p: (compiled.costs[p], -compiled.votes[p], lots[compiled.ids[p]]))
    rank = [0] * count
    for position, project in enumerate(order):
        rank[project] = position
    return TieOrder(mode=mode, rank=tuple(rank), seed=seed if mode == "default" else None, compiled=compiled)
