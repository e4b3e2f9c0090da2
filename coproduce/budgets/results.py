"""How a declared budget round reads on its result page: figures, charts and every project explained.

The count stored its result as data (see ``counting.count_round``): the rule, the budget, what the
selected projects cost and the money left, and for every project its votes and an explanation
code with its facts. This module turns that into what a resident reads, in their language: the
rule in words, the two charts (the share of the budget and the votes for each project) with the
numbers for their tables, a sentence for every project, and what will be delivered once the fund
holder's departures from the count are taken into account. It reads no rows itself: the view
hands it the round's projects and departures (one query each), so the page costs the same number
of queries however many projects and voters the round had.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.core.charts import bar_chart

from . import counting
from .models import BallotKind, BudgetRound, CountRule, Departure, Project

RECOUNT_FILE = "ballots.pb"


def percent(part: int, whole: int) -> str:
    """A share as people read it: 12.5%, 40%, 0.3% (one decimal place, dropped when it is 0)."""
    if not whole:
        return "0%"
    text = f"{100 * part / whole:.1f}".removesuffix(".0")
    return f"{text}%"


def recount_command() -> str:
    """The command that counts the published ballots again, under the rule the file names."""
    return shlex.join(["coproduce", "count", "pb", RECOUNT_FILE, "--rule", "as-declared", "--format", "json"])


def rule_in_words(budget_round: BudgetRound, result: dict[str, Any]) -> list[str]:
    """How the votes were counted, in plain words (a paragraph each)."""
    rule = result.get("rule", budget_round.count_rule)
    points = result.get("ballot_kind", budget_round.ballot_kind) == BallotKind.POINTS
    if rule == CountRule.GREEDY:
        paragraphs = [
            _(
                "Most votes first: the projects were taken in order of their votes, and each was funded if its "
                "cost fitted in the money left. A project that cost more than was left was passed over, and the "
                "next one tried."
            )
        ]
        if points:
            paragraphs.append(_("On this ballot each voter shared points among the projects: the order is by points."))
        return paragraphs
    paragraphs = [
        _(
            "The Method of Equal Shares: the budget was shared equally among the voters. A project was funded "
            "when the shares of the people who voted for it could pay for it together, taking first the project "
            "that asked least of each of its supporters. A project whose supporters' shares ran out was not "
            "funded, even if many people voted for it, so that every group of voters gets its fair share."
        ),
        _(
            "Any money not spent that way was then used by raising everyone's share a little at a time, "
            "while the money lasted (the ‘add one’ completion)."
        ),
    ]
    if points:
        paragraphs.append(
            _("On this ballot each voter shared points: a project given any points counts as one they voted for.")
        )
    return paragraphs


@dataclass
class ProjectRow:
    """One project on the result page."""

    key: str
    title: str
    project: Project | None
    cost: int
    votes: int
    score: int | float
    funded: bool  # by the count
    explanation: str
    departure: Departure | None = None

    @property
    def delivered(self) -> bool:
        """Funded in the end: by the count, unless the fund holder departed from it."""
        return self.departure.funded if self.departure is not None else self.funded


@dataclass
class ResultView:
    budget: int
    cost: int
    left: int
    rows: list[ProjectRow]  # every project: funded first (in funding order), then by votes
    funded: list[ProjectRow]  # funded by the count, in funding order
    delivered: list[ProjectRow]  # funded once the departures are taken into account
    departures: list[tuple[Departure, ProjectRow | None]]
    rule: list[str]
    points: bool
    share: list[dict[str, Any]]  # the share of the budget chart's table
    share_chart: Any
    ranked: list[ProjectRow]  # every project by votes (points), most first
    votes_chart: Any
    turnout: dict[str, Any]
    seed: int | None
    lot: bool
    command: str


def explanation(entry: dict[str, Any], titles: dict[str, str]) -> str:
    """The project's explanation in the active language, naming other projects by their titles in it."""
    because = entry.get("because") or {}
    after = because.get("after")
    if after is not None and after in titles:
        entry = {**entry, "because": {**because, "after_title": titles[after]}}
    return counting.explain(entry)


def result_view(
    budget_round: BudgetRound,
    *,
    projects: Iterable[Project],
    departures: Iterable[Departure],
    language: str | None,
) -> ResultView:
    """What the result page shows, from the round's stored result, its projects and departures."""
    result = budget_round.result or {}
    by_key = {str(project.pk): project for project in projects}
    titles = {key: project.localised_title(language) for key, project in by_key.items()}
    selected = [str(key) for key in result.get("selected", [])]
    order = {key: number for number, key in enumerate(selected)}
    departed = {str(departure.project_id): departure for departure in departures}
    points = result.get("ballot_kind", budget_round.ballot_kind) == BallotKind.POINTS
    rows = []
    for entry in result.get("projects", []):
        key = str(entry["id"])
        rows.append(
            ProjectRow(
                key=key,
                title=titles.get(key, entry["title"]),
                project=by_key.get(key),
                cost=entry["cost"],
                votes=entry["votes"],
                score=entry.get("score", entry["votes"]),
                funded=key in order,
                explanation=explanation(entry, titles),
                departure=departed.get(key),
            )
        )
    rows.sort(key=lambda row: (order.get(row.key, len(order)), -row.votes, -row.score, row.title))
    funded = [row for row in rows if row.funded]
    by_row = {row.key: row for row in rows}
    budget, cost = result.get("budget", budget_round.amount), result.get("cost", 0)
    left = result.get("left", budget - cost)
    turnout = dict(result.get("turnout") or {})
    electorate, voted = turnout.get("electorate"), turnout.get("voted")
    turnout["percent"] = percent(voted, electorate) if electorate and voted is not None else None
    engine = result.get("engine") or {}
    by_votes = ranked(rows, points=points)
    return ResultView(
        budget=budget,
        cost=cost,
        left=left,
        rows=rows,
        funded=funded,
        delivered=[row for row in rows if row.delivered],
        departures=[(departure, by_row.get(key)) for key, departure in departed.items()],
        rule=rule_in_words(budget_round, result),
        points=points,
        share=_share(funded, budget=budget, left=left),
        share_chart=_share_chart(budget_round, funded, budget=budget, left=left),
        ranked=by_votes,
        votes_chart=_votes_chart(budget_round, by_votes, points=points),
        turnout=turnout,
        seed=engine.get("seed", budget_round.seed),
        lot=bool(result.get("ties")),
        command=recount_command(),
    )


def _share(funded: list[ProjectRow], *, budget: int, left: int) -> list[dict[str, Any]]:
    """The rows of the share-of-the-budget table: each funded project, then the money left."""
    rows = [
        {"label": row.title, "pence": row.cost, "percent": percent(row.cost, budget), "left": False} for row in funded
    ]
    rows.append({"label": _("Money left"), "pence": left, "percent": percent(left, budget), "left": True})
    return rows


def _share_chart(budget_round: BudgetRound, funded: list[ProjectRow], *, budget: int, left: int):
    rows = _share(funded, budget=budget, left=left)
    return bar_chart(
        [(row["label"], row["pence"] / 100) for row in rows],
        title=_("Bar chart: how the budget of %(budget)s is shared between the funded projects and the money left.")
        % {"budget": counting.money(budget)},
        description=_("Each bar is a funded project's cost; the last, drawn as an outline, is the money left.")
        + " "
        + _("The table beside it gives the numbers."),
        chart_id=f"budget-share-{budget_round.pk}",
        value_labels=[f"{counting.money(row['pence'])} ({row['percent']})" for row in rows],
        tick_format=lambda value: f"£{value:,.0f}",
        hollow={len(rows) - 1},
    )


def ranked(rows: list[ProjectRow], *, points: bool) -> list[ProjectRow]:
    """The projects by their votes (points, on a points ballot), most first: the votes chart's order."""
    return sorted(rows, key=lambda row: (-(row.score if points else row.votes), row.title))


def _votes_chart(budget_round: BudgetRound, rows: list[ProjectRow], *, points: bool):
    values = [(row.title, float(row.score if points else row.votes)) for row in rows]
    count = sum(1 for row in rows if row.funded)
    funded = ngettext(
        "%(count)s project was funded by the count.", "%(count)s projects were funded by the count.", count
    ) % {"count": count}
    return bar_chart(
        values,
        title=_("Bar chart: the points each project was given.")
        if points
        else _("Bar chart: the votes for each project."),
        description=funded + " " + _("The table beside it gives the numbers."),
        chart_id=f"budget-votes-{budget_round.pk}",
        value_labels=[f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}" for _title, value in values],
    )
