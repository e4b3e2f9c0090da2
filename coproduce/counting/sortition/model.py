"""Frozen data types of the sortition engine.

Everything is immutable so a later Django ``panels`` app can cache, hash and compare inputs
and results, and so no step of the engine can quietly change what another step relies on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def normalise(text: str) -> str:
    """The matching key of a name or value: case-folded, whitespace collapsed and trimmed.

    Practitioners' spreadsheets differ in case and stray spaces ("Female " vs "female"), and
    the Sortition Foundation tools match them as equal, so we do too.
    """
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Quota:
    """How many panel members must have ``feature = value``.

    ``min_flex``/``max_flex`` bound how far the quota may be relaxed when the quotas cannot all
    be met: ``min`` may drop to ``min_flex`` and ``max`` may rise to ``max_flex`` (``None``:
    no upper limit), following the Sortition Foundation's targets files.
    """

    feature: str
    value: str
    min: int
    max: int
    min_flex: int = 0
    max_flex: int | None = None
    line: int | None = None  # line in the targets file, for error messages


@dataclass(frozen=True)
class Targets:
    """The quotas, grouped by feature in file order."""

    features: tuple[str, ...]
    quotas: tuple[Quota, ...]
    source: str = "<targets>"
    sha256: str = ""

    def values_of(self, feature: str) -> tuple[Quota, ...]:
        """The quotas of one feature, in file order."""
        return tuple(q for q in self.quotas if q.feature == feature)


@dataclass(frozen=True)
class Person:
    """One respondent.

    ``values[j]`` is the person's value (spelt as in the targets file) of ``Pool.features[j]``.
    ``household`` is the normalised address, or ``None`` when no address columns were given or
    the address is blank (a blank address cannot be shared).
    """

    id: str
    values: tuple[str, ...]
    household: tuple[str, ...] | None = None
    extra: tuple[tuple[str, str], ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Pool:
    """The respondents, in file order."""

    features: tuple[str, ...]
    people: tuple[Person, ...]
    household_columns: tuple[str, ...] = ()
    id_column: str | None = None
    source: str = "<people>"
    sha256: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.people)


@dataclass(frozen=True)
class Distribution:
    """A lottery over quota-feasible panels, stated over groups of interchangeable people.

    People with the same features who share no household with anyone are interchangeable:
    every quota and household constraint treats them alike. The engine therefore optimises
    over *counts per group* (``groups[g]`` lists the member ids in canonical order), and a
    panel ``counts`` means "take ``counts[g]`` members of group ``g``, chosen uniformly at
    random". Every person of a group then has the same probability, which loses nothing: the
    LEXIMIN allocation is unique, hence symmetric within groups. This is why the engine is
    fast on large pools (``example_large_200`` has 2,000 people but 3 groups).

    ``panels`` is sorted canonically (by ``counts``) with probabilities that sum to 1.
    """

    groups: tuple[tuple[str, ...], ...]
    panels: tuple[tuple[tuple[int, ...], float], ...]

    def person_probabilities(self) -> dict[str, float]:
        """Each person's selection probability, in group order."""
        totals = [0.0] * len(self.groups)
        for counts, probability in self.panels:
            for g, c in enumerate(counts):
                if c:
                    totals[g] += probability * c
        return {pid: totals[g] / len(members) for g, members in enumerate(self.groups) for pid in members}


@dataclass(frozen=True)
class Relaxation:
    """One suggested change to a quota so that some panel exists."""

    feature: str
    value: str
    old_min: int
    old_max: int
    new_min: int
    new_max: int


@dataclass(frozen=True)
class Selection:
    """The result of :func:`coproduce.counting.sortition.select`.

    ``bound`` is the optimisation's certificate: an upper bound, from the dual of the final
    column-generation LP and the pricing MIP's dual bound, on the minimum selection
    probability *any* lottery over feasible panels could give. When ``bound`` equals
    ``min_probability`` (within solver tolerance) the minimum is provably optimal.
    For the legacy algorithm the probabilities are estimates from repeated draws and there is
    no bound.
    """

    algorithm: str
    k: int
    seed: str
    panel: tuple[str, ...]
    probabilities: tuple[tuple[str, float], ...]
    min_probability: float
    bound: float | None
    distribution: Distribution | None
    numbered_panels: tuple[tuple[str, ...], ...] = ()
    estimated: bool = False
    stats: tuple[tuple[str, float], ...] = field(default=())

    def probability_of(self) -> dict[str, float]:
        """The probabilities as a dict (id → probability)."""
        return dict(self.probabilities)
