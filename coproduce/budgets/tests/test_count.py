"""The count: Equal Shares and greedy on a crafted example, an explanation for every project, a
fund holder's departure recorded, and the published Pabulib file recounted by the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coproduce.budgets import counting, services
from coproduce.budgets.models import BallotKind, CountRule, Stage
from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.tests.factories import UserFactory
from coproduce.voting import services as voting

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def counted(capture, *, rule: str, ballots: list[list[str]], costs: dict[str, int], amount: int = 100_00, **fields):
    """A round with projects named by ``costs`` (pence), the ``ballots`` cast (project names, or
    [name, points] pairs), closed and counted by its task."""
    budget_round = BudgetRoundFactory(**phases("closing"), amount=amount, count_rule=rule, **fields)
    projects = {name: ProjectFactory(round=budget_round, title=name, cost=cost) for name, cost in costs.items()}
    people = [ResidentFactory(ward=budget_round.place) for _ in ballots]
    budget_round = services.round_open_voting(budget_round=budget_round, by=None)
    for person, ballot in zip(people, ballots, strict=True):
        content = [
            [str(projects[item[0]].pk), item[1]] if isinstance(item, list) else str(projects[item].pk)
            for item in ballot
        ]
        services.ballot_cast(budget_round=budget_round, person=person, content=content)
    with capture(execute=True):
        services.round_close_voting(budget_round=budget_round, by=None)
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DECLARED
    names = {str(project.pk): name for name, project in projects.items()}
    return budget_round, names


# Six voters like A and B, four like only C; each project costs about half the budget of £100.
CRAFTED = {"ballots": [["A", "B"]] * 6 + [["C"]] * 4, "costs": {"A": 45_00, "B": 50_00, "C": 50_00}}


def selected(budget_round, names) -> list[str]:
    return sorted(names[key] for key in budget_round.result["selected"])


def test_greedy_funds_the_majority_twice_equal_shares_gives_the_minority_its_project(
    django_capture_on_commit_callbacks,
):
    greedy, greedy_names = counted(django_capture_on_commit_callbacks, rule=CountRule.GREEDY, **CRAFTED)
    assert selected(greedy, greedy_names) == ["A", "B"]
    mes, names = counted(django_capture_on_commit_callbacks, rule=CountRule.MES, **CRAFTED)
    assert selected(mes, names) == ["A", "C"]
    assert mes.result["left"] == 5_00 and mes.result["cost"] == 95_00
    assert mes.result["turnout"] == {"electorate": 10, "voted": 10, "ballots": 10, "spoilt": 0}
    explained = {names[entry["id"]]: entry["explanation"] for entry in mes.result["projects"]}
    assert explained["A"] == "Funded: its 6 supporters' equal shares covered its cost in round 1."
    assert explained["C"].startswith("Funded: its 4 supporters' equal shares covered its cost in round")
    assert explained["B"] == "Not funded: its 6 supporters' shares ran out after funding A."
    explained = {greedy_names[entry["id"]]: entry["explanation"] for entry in greedy.result["projects"]}
    assert explained["C"] == (
        "Not funded: it was number 3 by votes (4 votes), but it costs £50.00 and only £5.00 was left."
    )
    assert explained["A"].startswith("Funded: it was number ")


def test_every_project_is_explained_in_the_readers_language_and_unsupported_ones_say_so(
    django_capture_on_commit_callbacks,
):
    budget_round, names = counted(
        django_capture_on_commit_callbacks,
        rule=CountRule.MES,
        ballots=[["A", "B"], ["B"], ["A"]],
        costs={"A": 40_00, "B": 40_00, "C": 30_00, "D": 90_00},
    )
    entries = {names[entry["id"]]: entry for entry in budget_round.result["projects"]}
    assert set(entries) == {"A", "B", "C", "D"}
    assert all(entry["explanation"] for entry in entries.values())
    assert entries["C"]["explanation"] == "Not funded: no one voted for it."
    with translation.override("cy"):
        welsh = counting.explain(entries["C"])
    assert welsh and welsh != entries["C"]["explanation"]


@pytest.mark.parametrize(
    ("rule", "kind", "limit", "ballots"),
    [
        (CountRule.MES, BallotKind.KNAPSACK, None, CRAFTED["ballots"]),
        (CountRule.GREEDY, BallotKind.KNAPSACK, None, CRAFTED["ballots"]),
        (CountRule.GREEDY, BallotKind.APPROVAL, 2, CRAFTED["ballots"]),
        (CountRule.MES, BallotKind.APPROVAL, 2, CRAFTED["ballots"]),
        (CountRule.MES, BallotKind.POINTS, 10, [[["A", 6], ["B", 4]]] * 6 + [[["C", 10]]] * 4),
        (CountRule.GREEDY, BallotKind.POINTS, 10, [[["A", 9], ["B", 1]]] * 6 + [[["C", 10]]] * 4),
    ],
)
def test_the_published_ballots_recount_to_the_same_selection_through_the_cli(
    django_capture_on_commit_callbacks, tmp_path, rule, kind, limit, ballots
):
    budget_round, _names = counted(
        django_capture_on_commit_callbacks,
        rule=rule,
        ballot_kind=kind,
        ballot_limit=limit,
        ballots=ballots,
        costs=CRAFTED["costs"],
    )
    path = tmp_path / "ballots.pb"
    path.write_text(budget_round.ballots_pb, encoding="utf-8")
    assert f"rule;{counting.DECLARED_RULE[rule]}" in budget_round.ballots_pb
    # The command as it stands: the seed comes from the file's META.
    command = [sys.executable, "-m", "coproduce", "count", "pb", str(path), "--rule", "as-declared", "--format", "json"]
    run = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, timeout=120)
    recount = json.loads(run.stdout)
    assert recount["selected"] == budget_round.result["selected"]
    assert recount["cost"] * 100 == budget_round.result["cost"]


def test_the_count_waits_for_papers_and_a_departure_is_recorded_with_its_reason(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("closing"), amount=100_00)
    a, b = (ProjectFactory(round=budget_round, cost=60_00) for _ in range(2))
    voter, paper_voter = ResidentFactory(ward=budget_round.place), ResidentFactory(ward=budget_round.place)
    budget_round = services.round_open_voting(budget_round=budget_round, by=None)
    services.ballot_cast(budget_round=budget_round, person=voter, content=[str(a.pk)])
    officer, checker = UserFactory(), UserFactory()
    voting.paper_vote_mark(box=budget_round.box, person=paper_voter, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close_voting(budget_round=budget_round, by=None)
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.CLOSED  # the paper is not yet entered: the task waited
    assert services.count_problems(budget_round)
    batch = voting.paper_batch_start(box=budget_round.box, by=officer)
    services.paper_ballot_enter(budget_round=budget_round, batch=batch, by=officer, content=[str(a.pk)])
    voting.paper_batch_check(batch=batch, by=checker)
    budget_round = services.round_count(budget_round=budget_round, by=officer)
    assert budget_round.result["selected"] == [str(a.pk)]
    assert budget_round.result["turnout"]["voted"] == 2
    with pytest.raises(ValidationError) as caught:
        services.departure_record(budget_round=budget_round, project=a, funded=True, reason="x", by=officer)
    assert "funded" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.departure_record(budget_round=budget_round, project=b, funded=True, reason=" ", by=officer)
    assert "reason" in caught.value.message_dict
    departure = services.departure_record(
        budget_round=budget_round, project=b, funded=True, reason="Match funding from the housing trust.", by=officer
    )
    assert departure.funded and budget_round.departures.get() == departure
