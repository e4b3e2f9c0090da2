"""The one place budget rows become engine inputs: a round's ballots as a Pabulib ``Instance``.

Projects are the box's options (costed projects, by id), costs in pounds (exact fractions of
the pence stored). Voters are numbered 1, 2, 3… in the random order of their ballots' keys, so
the published file says nothing of who voted or when. The file's ``rule`` line names the rule
the round stated in advance, so ``coproduce count pb FILE --rule as-declared`` selects the same
projects as the count published here (the round's ``seed`` is written beside it, and the
command draws its lot from it).

The count's result keeps, for every project, the engine's figures and an explanation code
with its parameters, so that each reader is told why in their own language (:func:`explain`).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.counting import pb
from coproduce.voting.selectors import turnout, valid_ballots

from .models import BallotKind, BudgetRound, CountRule, Project

# How each rule is counted, and the Pabulib name that reproduces it with ``--rule as-declared``.
ENGINE_SETTINGS: dict[str, dict[str, str]] = {
    CountRule.MES: {"rule": "mes", "utility": "cost", "completion": "add1", "ballots": "approval"},
    CountRule.GREEDY: {"rule": "greedy"},
}
DECLARED_RULE = {CountRule.MES: "equalshares/add1", CountRule.GREEDY: "greedy"}


def pounds(pence: int) -> Fraction:
    return Fraction(pence, 100)


def money(pence: int | float) -> str:
    """£1,234.50 — the same in English and Welsh."""
    return f"£{pence / 100:,.2f}"


def projects(budget_round: BudgetRound) -> list[Project]:
    """The projects on the round's ballot paper, in its order."""
    by_id = {str(project.pk): project for project in Project.objects.filter(round=budget_round)}
    return [by_id[key] for key in budget_round.box.options]


def vote_type(budget_round: BudgetRound) -> str:
    return "cumulative" if budget_round.ballot_kind == BallotKind.POINTS else "approval"


def instance(budget_round: BudgetRound) -> pb.Instance:
    """The round's valid ballots and costed projects, as the engine and the published file read them."""
    points = budget_round.ballot_kind == BallotKind.POINTS
    ballots = []
    for number, content in enumerate(valid_ballots(budget_round.box), start=1):
        if points:
            ballots.append(
                pb.Ballot(
                    voter_id=str(number),
                    projects=tuple(str(key) for key, _points in content),
                    points=tuple(Fraction(value) for _key, value in content),
                )
            )
        else:
            ballots.append(pb.Ballot(voter_id=str(number), projects=tuple(str(key) for key in content)))
    meta = [
        ("description", budget_round.title),
        ("country", "United Kingdom"),
        ("unit", budget_round.place.name),
        ("instance", str(budget_round.pk)),
        ("currency", "GBP"),
        ("rule", DECLARED_RULE[budget_round.count_rule]),
        ("seed", str(budget_round.seed or 0)),
    ]
    if budget_round.ballot_kind == BallotKind.APPROVAL:
        meta.append(("max_length", str(budget_round.ballot_limit)))
    if points:
        meta.append(("max_sum_points", str(budget_round.ballot_limit)))
    return pb.Instance(
        budget=pounds(budget_round.amount),
        vote_type=vote_type(budget_round),
        projects=tuple(
            pb.Project(id=str(project.pk), cost=pounds(project.cost), name=project.title)
            for project in projects(budget_round)
        ),
        ballots=tuple(ballots),
        meta=tuple(meta),
        source=f"budget round {budget_round.pk}",
    )


def ballots_pb(budget_round: BudgetRound, race: pb.Instance | None = None) -> str:
    """The published ballots as a Pabulib file: ``coproduce count pb FILE --rule as-declared`` recounts it."""
    return pb.write_pb_text(race or instance(budget_round))


def _pence(value: Fraction | None) -> int | None:
    return None if value is None else round(value * 100)


def _number(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


def count_round(budget_round: BudgetRound, race: pb.Instance | None = None) -> dict[str, Any]:
    """Count a sealed round under its stated rule: the result that is published."""
    race = race or instance(budget_round)
    result = pb.count(race, **ENGINE_SETTINGS[budget_round.count_rule], seed=budget_round.seed or 0)
    titles = {project.id: project.name for project in race.projects}
    funded_in_round = {o.round: o.id for o in result.projects if o.funded and o.round is not None}
    left_after = _money_left_in_rank_order(result)
    entries = []
    for outcome in result.projects:
        code, params = _because(budget_round, outcome, titles, funded_in_round, left_after)
        entry = {
            "id": outcome.id,
            "title": titles[outcome.id],
            "cost": _pence(outcome.cost),
            "funded": outcome.funded,
            "votes": outcome.votes,
            "score": _number(outcome.score),
            "rank": outcome.rank,
            "round": outcome.round,
            "stage": outcome.stage,
            "effective_votes": outcome.effective_votes,
            "engine_reason": outcome.reason,
            "because": {"code": code, **params},
        }
        with translation.override("en"):
            entry["explanation"] = explain(entry)
        entries.append(entry)
    figures = turnout(budget_round.box)
    cost = _pence(result.cost) or 0
    return {
        "rule": budget_round.count_rule,
        "declared_rule": DECLARED_RULE[budget_round.count_rule],
        "ballot_kind": budget_round.ballot_kind,
        "engine": {
            "rule": result.rule,
            "utility": result.utility,
            "completion": result.completion,
            "tie_break": result.tie_break,
            "seed": result.seed,
            "notes": list(result.notes),
        },
        "budget": budget_round.amount,
        "cost": cost,
        "left": budget_round.amount - cost,
        "selected": list(result.selected),
        "projects": entries,
        "ties": [
            {"round": tie.round, "tied": list(tie.tied), "chosen": tie.chosen, "reason": tie.reason}
            for tie in result.ties
        ],
        "turnout": {
            "electorate": figures.electorate,
            "voted": figures.voted,
            "ballots": figures.ballots,
            "spoilt": figures.spoilt,
        },
    }


def _money_left_in_rank_order(result: pb.Result) -> dict[str, int]:
    """Greedy: the money left (in pence) once each project in the ranking was funded or passed over."""
    left = result.budget
    after: dict[str, int] = {}
    for outcome in sorted((o for o in result.projects if o.rank is not None), key=lambda o: o.rank):
        if outcome.funded:
            left -= outcome.cost
        after[outcome.id] = _pence(left) or 0
    return after


def _because(
    budget_round: BudgetRound,
    outcome: pb.ProjectOutcome,
    titles: dict[str, str],
    funded_in_round: dict[int, str],
    left_after: dict[str, int],
) -> tuple[str, dict[str, Any]]:
    """Why, as a code and the facts it needs (turned into words by :func:`explain`)."""
    votes = {"votes": outcome.votes, "score": _number(outcome.score)}
    if outcome.votes == 0:
        return "no_support", {}
    if outcome.stage == "mes":
        return "mes_funded", {**votes, "round": outcome.round}
    if outcome.stage == "greedy" and outcome.funded:
        return "greedy_funded", {**votes, "rank": outcome.rank, "left": left_after.get(outcome.id, 0)}
    if outcome.stage is None and outcome.rank is not None and not outcome.funded:
        return "greedy_over", {
            **votes,
            "rank": outcome.rank,
            "cost": _pence(outcome.cost),
            "left": left_after.get(outcome.id, 0),
        }
    if budget_round.count_rule == CountRule.MES and not outcome.funded:
        dropped = re.search(r"from round (\d+)", outcome.reason)
        after = funded_in_round.get(int(dropped.group(1)) - 1) if dropped else None
        if after is not None:
            return "mes_ran_out", {**votes, "after": after, "after_title": titles[after]}
        return "mes_too_dear", votes
    return "engine", {}


def explain(entry: dict[str, Any]) -> str:
    """A project's explanation, in the active language, from the facts the count stored."""
    because = entry["because"]
    code = because["code"]
    votes = because.get("votes", 0)
    points = "score" in because and entry.get("score") != votes and code.startswith("greedy")
    if code == "no_support":
        return _("Not funded: no one voted for it.")
    if code == "mes_funded":
        return ngettext(
            "Funded: its %(votes)s supporter's equal share covered its cost in round %(round)s.",
            "Funded: its %(votes)s supporters' equal shares covered its cost in round %(round)s.",
            votes,
        ) % {"votes": votes, "round": because["round"]}
    if code == "mes_ran_out":
        return ngettext(
            "Not funded: its %(votes)s supporter's share ran out after funding %(project)s.",
            "Not funded: its %(votes)s supporters' shares ran out after funding %(project)s.",
            votes,
        ) % {"votes": votes, "project": because["after_title"]}
    if code == "mes_too_dear":
        return ngettext(
            "Not funded: its %(votes)s supporter's equal share came to less than its cost.",
            "Not funded: even together, its %(votes)s supporters' equal shares came to less than its cost.",
            votes,
        ) % {"votes": votes}
    if code == "greedy_funded":
        values = {"rank": because["rank"], "votes": votes, "score": because["score"], "left": money(because["left"])}
        if points:
            return (
                _(
                    "Funded: it was number %(rank)s by points (%(score)s), and its cost fitted in the money left "
                    "(%(left)s after it)."
                )
                % values
            )
        return (
            ngettext(
                "Funded: it was number %(rank)s by votes (%(votes)s vote), and its cost fitted in the money left "
                "(%(left)s after it).",
                "Funded: it was number %(rank)s by votes (%(votes)s votes), and its cost fitted in the money left "
                "(%(left)s after it).",
                votes,
            )
            % values
        )
    if code == "greedy_over":
        values = {
            "rank": because["rank"],
            "votes": votes,
            "score": because["score"],
            "cost": money(because["cost"]),
            "left": money(because["left"]),
        }
        if points:
            return (
                _(
                    "Not funded: it was number %(rank)s by points (%(score)s), but it costs %(cost)s and only "
                    "%(left)s was left."
                )
                % values
            )
        return (
            ngettext(
                "Not funded: it was number %(rank)s by votes (%(votes)s vote), but it costs %(cost)s and only "
                "%(left)s was left.",
                "Not funded: it was number %(rank)s by votes (%(votes)s votes), but it costs %(cost)s and only "
                "%(left)s was left.",
                votes,
            )
            % values
        )
    return entry["engine_reason"]
