"""The one place election rows become engine inputs: a constituency's ballots as a Contest.

Candidates are numbered in ballot-paper order (the box's options, the accepted nominations
by name), so candidate 1 in the published BLT file is the first name on the ballot paper.
Ranked elections are counted by the STV engine; plurality ("vote for up to N") is tallied
here, since most votes win and the only rule to state is how a tie for the last seat falls.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from coproduce.counting.formats.blt import write_blt
from coproduce.counting.stv import Contest
from coproduce.counting.stv import count as stv_count
from coproduce.counting.stv.report import to_dict
from coproduce.voting.selectors import turnout, valid_ballots

from .models import Constituency, Nomination


def candidates(constituency: Constituency) -> list[Nomination]:
    """The candidates on the constituency's ballot paper, in its order."""
    box = constituency.box
    by_id = {str(nomination.pk): nomination for nomination in Nomination.objects.filter(constituency=constituency)}
    return [by_id[key] for key in box.options]


def contest(constituency: Constituency) -> Contest:
    box = constituency.box
    index = {key: number for number, key in enumerate(box.options)}
    rankings: Counter[tuple[int, ...]] = Counter()
    for content in valid_ballots(box):
        rankings[tuple(index[key] for key in content)] += 1
    grouped = sorted(rankings.items())
    return Contest(
        candidates=tuple(nomination.ballot_name for nomination in candidates(constituency)),
        seats=constituency.seats,
        rankings=tuple(ranking for ranking, _ in grouped),
        counts=tuple(count for _, count in grouped),
        title=f"{constituency.election.title} — {constituency.name}",
    )


def ballots_blt(constituency: Constituency) -> str:
    """The published ballots as a BLT file: ``coproduce count stv`` recounts it."""
    return write_blt(contest(constituency))


def plurality(race: Contest, *, seed: str) -> dict[str, Any]:
    """Most votes win; a tie for the last seat is broken by lot, drawn from ``seed``."""
    votes = [0] * len(race.candidates)
    for ranking, weight in zip(race.rankings, race.counts, strict=True):
        for candidate in ranking:
            votes[candidate] += weight
    lot = list(range(len(votes)))
    random.Random(seed).shuffle(lot)  # the order of the lot, used only where votes are equal
    order = sorted(range(len(votes)), key=lambda c: (-votes[c], lot.index(c)))
    elected = order[: race.seats]
    last = votes[elected[-1]] if elected else 0
    tied = [c for c in range(len(votes)) if votes[c] == last]
    lot_used = len(tied) > len([c for c in elected if votes[c] == last])
    return {
        "rules": "plurality",
        "title": race.title,
        "seats": race.seats,
        "candidates": list(race.candidates),
        "valid": str(race.ballots),
        "quota": None,
        "seed": seed,
        "votes": votes,
        "elected": [c + 1 for c in elected],
        "elected_names": [race.candidates[c] for c in elected],
        "lot": [c + 1 for c in tied] if lot_used else [],
        "stages": [],
    }


def count_constituency(constituency: Constituency) -> dict[str, Any]:
    """Count a sealed constituency under its election's rules: the report that is published."""
    election = constituency.election
    race = contest(constituency)
    if election.is_ranked:
        report = to_dict(stv_count(race, rules=election.rules, seed=election.seed or None))
    else:
        report = plurality(race, seed=election.seed)
    figures = turnout(constituency.box)
    report["turnout"] = {
        "electorate": figures.electorate,
        "voted": figures.voted,
        "ballots": figures.ballots,
        "spoilt": figures.spoilt,
    }
    return report
