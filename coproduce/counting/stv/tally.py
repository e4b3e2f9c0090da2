"""Papers and piles in integer fixed point: the shared machinery of the WIGM-style rules.

Identical rankings always travel together (every rule treats identical papers alike), so
we keep one entry per distinct ranking with its count, current position and value, and
each candidate's pile is a list of entries. No per-paper objects, no rescans of the whole
profile: a transfer touches only the entries in the pile being transferred.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from operator import sub

from coproduce.counting.errors import CountingError
from coproduce.counting.stv.model import Contest, Result, Stage, TieBreak

CONTINUING, ELECTED, EXCLUDED = 0, 1, 2


class Tally:
    """Piles of grouped papers, candidate totals and the stage record for one count."""

    def __init__(self, contest: Contest, places: int) -> None:
        self.places = places
        self.scale = 10**places
        self.n = len(contest.candidates)
        self.names = contest.candidates
        self.state = [CONTINUING] * self.n
        for c in contest.withdrawn:
            self.state[c] = EXCLUDED
        self.withdrawn = contest.withdrawn
        self.contest = contest
        self.rankings = contest.rankings
        self.counts = contest.counts
        g = len(contest.rankings)
        self.value = [self.scale] * g
        self.pos = [-1] * g
        self.piles: list[list[int]] = [[] for _ in range(self.n)]
        self.totals = [0] * self.n
        self.nt = 0
        self.valid = 0
        if contest.withdrawn:
            for k in range(g):
                if self._advance(k) is not None:
                    # papers naming only withdrawn candidates are not valid votes
                    self.valid += contest.counts[k] * self.scale
        else:
            # Fast path: every entry starts at its first preference, at value 1. One pass
            # with bound appends measured quicker than sorting the entries by first preference.
            self.pos = [0] * g
            add = [pile.append for pile in self.piles]
            for k, ranking in enumerate(contest.rankings):
                add[ranking[0]](k)
            get = contest.counts.__getitem__
            self.totals = [sum(map(get, pile)) * self.scale for pile in self.piles]
            self.valid = sum(self.totals)
        self.history: list[list[int]] = []
        self.stages: list[Stage] = []
        self._last = [0] * self.n
        self._last_nt = 0

    def _advance(self, k: int) -> int | None:
        """Move entry ``k`` to its next continuing preference; return that candidate."""
        prefs = self.rankings[k]
        state = self.state
        p = self.pos[k] + 1
        while p < len(prefs) and state[prefs[p]] != CONTINUING:
            p += 1
        if p < len(prefs):
            self.pos[k] = p
            c = prefs[p]
            self.piles[c].append(k)
            self.totals[c] += self.counts[k] * self.value[k]
            return c
        self.pos[k] = len(prefs)
        return None

    def transfer(self, entries: list[int]) -> int:
        """Pass ``entries`` (already removed from their pile, values set) to next preferences.

        Returns the value that became non-transferable (and adds it to ``nt``).
        """
        lost = 0
        state, pos, rankings, counts, value = self.state, self.pos, self.rankings, self.counts, self.value
        piles, totals = self.piles, self.totals
        for k in entries:
            prefs = rankings[k]
            p = pos[k] + 1
            end = len(prefs)
            while p < end and state[prefs[p]]:
                p += 1
            pos[k] = p
            if p < end:
                c = prefs[p]
                piles[c].append(k)
                totals[c] += counts[k] * value[k]
            else:
                lost += counts[k] * value[k]
        self.nt += lost
        return lost

    def continuing(self) -> list[int]:
        return [c for c in range(self.n) if self.state[c] == CONTINUING]

    def check(self) -> None:
        """Conservation: candidate totals plus non-transferable equal the valid vote."""
        if sum(self.totals) + self.nt != self.valid:
            # Never expected; raised (not asserted) so that python -O cannot switch it off.
            raise CountingError(f"votes not conserved at stage {len(self.stages) + 1}: engine fault")

    def dec(self, v: int) -> Decimal:
        return Decimal(v).scaleb(-self.places)

    def record(
        self,
        action: str,
        subjects: tuple[int, ...],
        description: str,
        *,
        elected: tuple[int, ...] = (),
        excluded: tuple[int, ...] = (),
        transfer_value: int | None = None,
        tie_breaks: tuple[TieBreak, ...] = (),
    ) -> None:
        """Close a stage: check conservation and keep its totals and transfers."""
        self.check()
        totals = list(self.totals)
        self.history.append(totals)
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                subjects=subjects,
                description=description,
                totals=tuple(map(self.dec, totals)),
                transfers=tuple(map(self.dec, map(sub, totals, self._last))),
                non_transferable=self.dec(self.nt),
                non_transferable_change=self.dec(self.nt - self._last_nt),
                elected=elected,
                excluded=excluded,
                transfer_value=None if transfer_value is None else self.dec(transfer_value),
                tie_breaks=tie_breaks,
            )
        )
        self._last = totals
        self._last_nt = self.nt

    def amend_last(self, **changes: object) -> None:
        """Add elections or tie-breaks found after the transfers of the latest stage."""
        stage = self.stages[-1]
        if "elected" in changes:
            changes["elected"] = stage.elected + tuple(changes["elected"])  # type: ignore[arg-type]
        if "tie_breaks" in changes:
            changes["tie_breaks"] = stage.tie_breaks + tuple(changes["tie_breaks"])  # type: ignore[arg-type]
        self.stages[-1] = replace(stage, **changes)  # type: ignore[arg-type]

    def result(
        self,
        rules: str,
        *,
        seats: int,
        quota: int,
        elected: list[int],
        elected_at: list[int],
        seed: str | None,
        notes: list[str],
    ) -> Result:
        """The finished count as a :class:`Result`."""
        return Result(
            rules=rules,
            title=self.contest.title,
            candidates=self.names,
            seats=seats,
            valid=self.dec(self.valid),
            quota=self.dec(quota),
            elected=tuple(elected),
            elected_at=tuple(elected_at),
            stages=tuple(self.stages),
            seed=seed,
            withdrawn=self.withdrawn,
            precision=self.places,
            notes=tuple(notes),
        )
