"""Frozen data types of the participatory-budgeting engine.

A participatory budget (PB) instance is a budget, a list of projects with costs, and the residents'
ballots. The engine (:func:`coproduce.counting.pb.count`) reads these and returns a :class:`Result`
that names the funded projects and explains every decision, so a council can publish why each
project was or was not funded.

Money is exact (:class:`fractions.Fraction`): Pabulib files carry decimal costs such as
``2458488.22`` and rounding them to binary floats could change which project fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring", "choose-1")


@dataclass(frozen=True, slots=True)
class Project:
    """One proposal: its id (a string, as in Pabulib), cost, and the other columns of its row."""

    id: str
    cost: Fraction
    name: str = ""
    # The historical outcome where the file records it (0, 1 or 2 — 2 means selected for a special
    # reason, as Poznań uses it); ``None`` when the file has no ``selected`` column.
    selected: int | None = None
    # Every column of the row as written (``votes``, ``score``, ``category``…), kept so the writer
    # reproduces the file and so callers can show them.
    fields: tuple[tuple[str, str], ...] = ()

    def field(self, key: str) -> str | None:
        """The raw text of a column of this project's row, or ``None``."""
        return dict(self.fields).get(key)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot: the projects listed (in ballot order) and, for points ballots, the points."""

    voter_id: str
    projects: tuple[str, ...]
    # Points per listed project for ``cumulative`` and ``scoring`` ballots; ``None`` otherwise.
    points: tuple[Fraction, ...] | None = None
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Instance:
    """A whole participatory budget: META, projects and ballots."""

    budget: Fraction
    vote_type: str
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    meta: tuple[tuple[str, str], ...] = ()
    # Where it came from (for messages and the CLI's output); not used in counting.
    source: str | None = None

    def meta_value(self, key: str) -> str | None:
        """A META value as written in the file, or ``None``."""
        return dict(self.meta).get(key)

    @property
    def rule(self) -> str | None:
        """The rule the organisers declared (Pabulib META ``rule``), e.g. ``greedy``."""
        return self.meta_value("rule")

    def project(self, project_id: str) -> Project:
        """The project with this id (``KeyError`` if there is none)."""
        for project in self.projects:
            if project.id == project_id:
                return project
        raise KeyError(project_id)


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A tie the engine had to break: which projects were tied, which won, and on what ground."""

    round: int
    tied: tuple[str, ...]
    chosen: str
    # "lower cost", "more votes", "lot (seed …)" or "project id".
    reason: str


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    """What happened to one project, with the reason in words and the figures behind it."""

    id: str
    cost: Fraction
    funded: bool
    votes: int
    # Total points (cumulative/scoring/ordinal) or votes (approval) — what greedy ranks by.
    score: Fraction
    reason: str
    # Greedy: position in the ranking (1 = best). MES: the round it was funded in.
    rank: int | None = None
    round: int | None = None
    # MES: effective vote count when funded (the number of full-paying supporters it was worth)
    # and how much of the supporters' money paid for it.
    effective_votes: float | None = None
    money_from_supporters: Fraction | None = None
    # Which stage funded it: "greedy", "mes", "completion" (greedy top-up after MES).
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of a count, in funding order, with an explanation per project."""

    rule: str
    utility: str | None
    completion: str | None
    tie_break: str
    budget: Fraction
    selected: tuple[str, ...]
    cost: Fraction
    projects: tuple[ProjectOutcome, ...]
    ties: tuple[TieBreak, ...] = ()
    # Per-voter budget of the final MES run (after add-one completion), if MES ran.
    voter_budget: Fraction | None = None
    completion_steps: int | None = None
    seed: int | None = None
    # Notes about how the rule was interpreted (e.g. "as declared: greedy-threshold, threshold 3000").
    notes: tuple[str, ...] = field(default_factory=tuple)

    def outcome(self, project_id: str) -> ProjectOutcome:
        """The explanation for one project."""
        for outcome in self.projects:
            if outcome.id == project_id:
                return outcome
        raise KeyError(project_id)
