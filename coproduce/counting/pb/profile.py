"""Turn an :class:`~coproduce.counting.pb.model.Instance` into the compact form the rules count.

Voters with identical ballots are merged into one *group* with a weight: equal ballots always
receive equal treatment under greedy and the Method of Equal Shares, so counting them once is exact
and makes city-sized votes (tens of thousands of voters) cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from coproduce.counting.errors import InputError
from coproduce.counting.pb.model import Instance

BALLOT_MODES = ("native", "approval")
UTILITIES = ("cost", "approval", "points")
POINTS_TYPES = ("cumulative", "scoring", "ordinal")


@dataclass(frozen=True)
class Compiled:
    """Projects by index, and the voters merged into weighted groups."""

    ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    budget: Fraction
    n_voters: int
    # Per project: number of voters listing it, and its total points (= votes for approval).
    votes: tuple[int, ...]
    score: tuple[Fraction, ...]
    # Per project: number of voters giving it positive points (= votes except for 0-point entries).
    backers: tuple[int, ...]
    # Per group: how many voters cast that ballot.
    weights: np.ndarray
    # Per project: indices of the groups that support it and each one's (exact) points for it.
    supporters: tuple[np.ndarray, ...]
    points: tuple[tuple[Fraction, ...], ...]
    # True when the ballots carry points (cumulative/scoring/ordinal read natively).
    has_points: bool


def compile_instance(instance: Instance, *, ballots: str = "native") -> Compiled:
    """Group identical ballots and index supporters per project.

    ``ballots="approval"`` reads every listed project as approved (points 1), whatever the vote
    type. Natively, cumulative/scoring ballots carry their points and an ordinal ballot of length
    ``k`` gives ``k, k-1, …, 1`` points (the ``score`` column Kraków publishes).
    """
    if ballots not in BALLOT_MODES:
        raise ValueError(f"ballots must be one of {BALLOT_MODES}, not {ballots!r}")
    index = {project.id: i for i, project in enumerate(instance.projects)}
    has_points = ballots == "native" and instance.vote_type in POINTS_TYPES
    counts: dict[tuple, int] = {}
    for ballot in instance.ballots:
        listed = [index[p] for p in ballot.projects]
        if not has_points:
            key: tuple = tuple(sorted(set(listed)))
        elif ballot.points is not None:
            # Whole points as int: summing Fractions over every ballot would dominate the time.
            pairs = zip(listed, ballot.points, strict=True)
            key = tuple(sorted((p, int(x) if x.denominator == 1 else x) for p, x in pairs))
        else:
            size = len(listed)
            key = tuple(sorted((p, size - position) for position, p in enumerate(listed)))
        counts[key] = counts.get(key, 0) + 1

    n_projects = len(instance.projects)
    sup: list[list[int]] = [[] for _ in range(n_projects)]
    pts: list[list[int | Fraction]] = [[] for _ in range(n_projects)]
    votes = [0] * n_projects
    backers = [0] * n_projects
    score: list[int | Fraction] = [0] * n_projects
    weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    for group, (key, weight) in enumerate(counts.items()):
        if not has_points:
            for project in key:
                sup[project].append(group)
                backers[project] += weight
            continue
        for project, value in key:
            votes[project] += weight
            if value == 0:
                continue  # listed with 0 points: counted as a vote (as Pabulib does), but no support
            if value < 0:
                raise InputError(f"negative points for project {instance.projects[project].id!r}", file=instance.source)
            sup[project].append(group)
            pts[project].append(value)
            backers[project] += weight
            score[project] += value * weight
    if not has_points:
        # One point per approval: votes, backers and score are the same count.
        votes, score = list(backers), list(backers)
        one = Fraction(1)
        points = tuple((one,) * len(s) for s in sup)
    else:
        points = tuple(tuple(Fraction(x) for x in p) for p in pts)
    return Compiled(
        ids=tuple(p.id for p in instance.projects),
        costs=tuple(p.cost for p in instance.projects),
        budget=instance.budget,
        n_voters=len(instance.ballots),
        votes=tuple(votes),
        score=tuple(Fraction(x) for x in score),
        backers=tuple(backers),
        weights=weights,
        supporters=tuple(np.asarray(s, dtype=np.int64) for s in sup),
        points=points,
        has_points=has_points,
    )
