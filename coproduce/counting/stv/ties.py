"""Tie-breaking shared by the rule sets: look back over earlier stages, then draw lots.

Lots are drawn from an explicit, recorded seed so that anyone can repeat the count; with
no seed (and no tie order in the file) a tie that needs a lot is refused, never guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from coproduce.counting.errors import CountingError
from coproduce.counting.stv.model import TieBreak


class TieUnresolved(CountingError):
    """A tie that only a lot can break, but no seed was given."""


class Ties:
    """Breaks ties between candidates by their totals at earlier stages, then by lot.

    ``history`` is the list of per-stage totals the engine keeps (any comparable numbers).
    ``most_recent=True`` is the Scottish rule (most recent stage where they differed);
    ``False`` is the ERS rule (earliest stage where they differed).
    """

    def __init__(
        self,
        history: list[Sequence[int]],
        *,
        seed: str | None,
        tie_order: Sequence[int] | None,
        most_recent: bool,
        names: Sequence[str],
    ) -> None:
        self.history = history
        self.seed = seed
        self.tie_order = tuple(tie_order) if tie_order else None
        self.most_recent = most_recent
        self.names = names
        self.draws = 0
        self.used: list[TieBreak] = []

    def pick(self, tied: Sequence[int], *, highest: bool, kind: str) -> int:
        """The candidate to favour (``highest``) or disfavour among ``tied``."""
        group = sorted(tied)
        if len(group) == 1:
            return group[0]
        order = range(len(self.history) - 1, -1, -1) if self.most_recent else range(len(self.history))
        for s in order:
            totals = self.history[s]
            values = [totals[c] for c in group]
            if min(values) != max(values):
                target = max(values) if highest else min(values)
                group = [c for c in group if totals[c] == target]
                if len(group) == 1:
                    method = (
                        f"stage {s + 1} ({'most recent' if self.most_recent else 'earliest'} stage where they differed)"
                    )
                    self.used.append(TieBreak(kind, tuple(sorted(tied)), group[0], method))
                    return group[0]
        chosen = self._lot(group, highest=highest, kind=kind)
        self.used.append(TieBreak(kind, tuple(sorted(tied)), chosen, self._lot_method))
        return chosen

    def _lot(self, group: list[int], *, highest: bool, kind: str) -> int:
        if self.tie_order is not None and all(c in self.tie_order for c in group):
            # Droop's [tie …] convention: the candidate listed first is the one picked, for
            # whatever is being decided (a surplus to transfer, a candidate to exclude).
            ranked = sorted(group, key=self.tie_order.index)
            self._lot_method = "lot (order given in the file)"
            return ranked[0]
        if self.seed is None:
            names = ", ".join(self.names[c] for c in group)
            raise TieUnresolved(
                f"tie for {kind} between {names} cannot be broken by earlier stages; "
                "a lot is needed: give a seed (--seed) so the draw is recorded and repeatable"
            )
        # A hash of seed and draw number: the same seed always draws the same candidates,
        # independent of Python's random module version.
        self.draws += 1
        digest = hashlib.sha256(f"{self.seed}:{self.draws}".encode()).digest()
        chosen = group[int.from_bytes(digest[:8], "big") % len(group)]
        self._lot_method = f"lot (seed {self.seed!r}, draw {self.draws})"
        return chosen

    def take(self) -> tuple[TieBreak, ...]:
        """Tie-breaks used since the last call (to attach to a stage)."""
        used, self.used = tuple(self.used), []
        return used
