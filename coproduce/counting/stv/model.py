"""The data the STV engine reads and writes: a contest, and the result of counting it.

Everything here is a frozen dataclass so a result can be stored, compared and
re-rendered (JSON, table, CSV) without anyone being able to alter a count after the fact.
Numbers are :class:`~decimal.Decimal` holding the exact fixed-point value the rule used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Contest:
    """An STV contest: candidates, seats and grouped ballots.

    Ballots are grouped (one entry per distinct ranking, with its count) because real
    profiles repeat the same rankings thousands of times; the engines work on groups.
    ``rankings[i]`` holds 0-based candidate indices, most preferred first.
    """

    candidates: tuple[str, ...]
    seats: int
    rankings: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]
    title: str = ""
    withdrawn: frozenset[int] = frozenset()
    #: Droop's ``[tie …]`` option: an explicit order (most favoured first) to break ties by lot.
    tie_order: tuple[int, ...] | None = None
    source: str | None = None

    @property
    def ballots(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class TieBreak:
    """How a tie was resolved, so anyone can check or repeat it."""

    kind: str  # "surplus", "exclusion" or "election order"
    candidates: tuple[int, ...]
    chosen: int
    method: str  # e.g. "stage 3 (most recent differing)" or "lot (seed 'x')"


@dataclass(frozen=True)
class Stage:
    """One stage of the count, as on an official result sheet."""

    number: int
    action: str  # "first preferences", "surplus", "exclusion"
    subjects: tuple[int, ...]  # candidates whose surplus / papers were transferred
    description: str
    totals: tuple[Decimal, ...]  # candidate totals after the stage (file order)
    transfers: tuple[Decimal, ...]  # change in each total at this stage
    non_transferable: Decimal  # cumulative
    non_transferable_change: Decimal
    elected: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()
    transfer_value: Decimal | None = None
    tie_breaks: tuple[TieBreak, ...] = ()


@dataclass(frozen=True)
class Result:
    """The full outcome of a count: quota, who was elected when, and every stage."""

    rules: str
    title: str
    candidates: tuple[str, ...]
    seats: int
    valid: Decimal
    quota: Decimal
    elected: tuple[int, ...]  # 0-based, in order of election
    elected_at: tuple[int, ...]  # stage number of each election, same order
    stages: tuple[Stage, ...]
    seed: str | None = None
    withdrawn: frozenset[int] = frozenset()
    precision: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
