"""The budgets API: published rounds, the declared result with every project explained, and the
published Pabulib file, which the real CLI recounts to the same selection. No answer names a voter."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coproduce.budgets import services
from coproduce.budgets.models import CountRule, Stage
from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]

# Six voters like A and B, four like only C; each project costs about half the budget of £100.
BALLOTS = [["A", "B"]] * 6 + [["C"]] * 4
COSTS = {"A": 45_00, "B": 50_00, "C": 50_00}


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"


class Round:
    """A round with projects A, B and C, voted in by residents through the services."""

    def __init__(self, *, rule: str = CountRule.MES, **fields):
        self.round = BudgetRoundFactory(**phases("closing"), amount=100_00, count_rule=rule, **fields)
        self.projects = {
            name: ProjectFactory(round=self.round, title=f"Project {name}", cost=cost) for name, cost in COSTS.items()
        }
        self.voters = [
            ResidentFactory(ward=self.round.place, full_name=f"Voter Quillfeather {number}")
            for number in range(len(BALLOTS))
        ]

    def open(self) -> Round:
        self.round = services.round_open_voting(budget_round=self.round, by=None)
        return self

    def vote(self) -> Round:
        for person, ballot in zip(self.voters, BALLOTS, strict=True):
            content = [str(self.projects[name].pk) for name in ballot]
            services.ballot_cast(budget_round=self.round, person=person, content=content)
        return self

    def declare(self, capture) -> Round:
        with capture(execute=True):
            services.round_close_voting(budget_round=self.round, by=None)
        self.round.refresh_from_db()
        assert self.round.stage == Stage.DECLARED
        return self

    def url(self, tail: str = "") -> str:
        return f"/api/budgets/{self.round.pk}{tail}"

    def key(self, name: str) -> str:
        return str(self.projects[name].pk)


def test_the_list_shows_published_rounds_of_listed_fund_holders(client):
    shown = BudgetRoundFactory(**phases("voting"))
    BudgetRoundFactory(stage=Stage.DRAFT, title="A draft")
    BudgetRoundFactory(organisation=OrganisationFactory(is_public=False), title="Unlisted")
    response = client.get("/api/budgets/")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1
    (row,) = page["items"]
    assert row == {
        "id": shown.pk,
        "title": shown.title,
        "place": shown.place.name,
        "status": "awaiting_vote",  # published, its voting dates come but the vote not yet opened
        "voting_close": row["voting_close"],
    }
    assert client.get("/api/budgets/?limit=101").status_code == 422
    assert client.get("/api/budgets/?limit=1&offset=1").json() == {"items": [], "count": 1}


def test_the_list_gives_each_rounds_status_as_the_model_computes_it(client, django_capture_on_commit_callbacks):
    ideas = BudgetRoundFactory(**phases("ideas"))
    voting = Round().open()
    declared = Round().open().vote().declare(django_capture_on_commit_callbacks)
    statuses = {row["id"]: row["status"] for row in client.get("/api/budgets/").json()["items"]}
    assert statuses == {ideas.pk: "ideas", voting.round.pk: "voting", declared.round.pk: "declared"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/budgets/{draft}/result",
        "/api/budgets/{hidden}/result",
        "/api/budgets/999999/result",
        "/api/budgets/{draft}/ballots.pb",
        "/api/budgets/{hidden}/ballots.pb",
        "/api/budgets/999999/ballots.pb",
    ],
)
def test_unpublished_and_unknown_rounds_are_404_with_a_reason(client, url):
    draft = BudgetRoundFactory(stage=Stage.DRAFT)
    hidden = BudgetRoundFactory(organisation=OrganisationFactory(is_public=False))
    response = client.get(url.format(draft=draft.pk, hidden=hidden.pk))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "There is no published budget round with this number."


@pytest.mark.parametrize("url", ["/api/budgets/0/result", f"/api/budgets/{2**63}/ballots.pb", "/api/budgets/x/result"])
def test_numbers_out_of_range_are_refused_by_the_schema(client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_nothing_is_published_before_the_declaration(client):
    poll = Round().open().vote()
    for tail in ("/result", "/ballots.pb"):
        response = client.get(poll.url(tail))
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"] == "The result of this budget round has not been declared yet."


def test_the_declared_result_explains_every_project(client, django_capture_on_commit_callbacks):
    poll = Round().open().vote().declare(django_capture_on_commit_callbacks)
    response = client.get(poll.url("/result"))
    assert response.status_code == 200
    body = response.json()
    assert body["round"] == poll.round.pk and body["title"] == poll.round.title
    assert body["ballots"] == f"http://testserver/api/budgets/{poll.round.pk}/ballots.pb"
    assert body["rule"] == "equalshares/add1" and body["seed"] == 7
    assert body["budget"] == 100_00 and body["cost"] == 95_00
    assert body["selected"] == poll.round.result["selected"]
    assert sorted(body["selected"]) == sorted([poll.key("A"), poll.key("C")])
    projects = {entry["id"]: entry for entry in body["projects"]}
    assert set(projects) == {poll.key(name) for name in COSTS}
    a, b, c = (projects[poll.key(name)] for name in "ABC")
    assert a == {
        "id": poll.key("A"),
        "title": "Project A",
        "cost": 45_00,
        "votes": 6,
        "selected": True,
        "explanation": "Funded: its 6 supporters' equal shares covered its cost in round 1.",
    }
    assert c["selected"] and c["votes"] == 4
    assert (
        not b["selected"]
        and b["explanation"] == "Not funded: its 6 supporters' shares ran out after funding Project A."
    )
    assert body["departures"] == []
    rule_line = next(line for line in poll.round.ballots_pb.splitlines() if line.startswith("rule;"))
    assert rule_line == f"rule;{body['rule']}"


def test_a_greedy_result_names_its_rule_and_a_departure_is_shown_with_its_reason(
    client, django_capture_on_commit_callbacks
):
    poll = Round(rule=CountRule.GREEDY, seed=41).open().vote().declare(django_capture_on_commit_callbacks)
    services.departure_record(
        budget_round=poll.round,
        project=poll.projects["C"],
        funded=True,
        reason="Match funding from the housing trust.",
        by=UserFactory(),
    )
    body = client.get(poll.url("/result")).json()
    assert body["rule"] == "greedy" and body["seed"] == 41
    assert sorted(body["selected"]) == sorted([poll.key("A"), poll.key("B")])
    (departure,) = body["departures"]
    assert departure["project"] == poll.key("C") and departure["title"] == "Project C"
    assert departure["funded"] is True and departure["reason"] == "Match funding from the housing trust."


@pytest.mark.parametrize("rule", [CountRule.MES, CountRule.GREEDY])
def test_the_published_ballots_recount_through_the_cli_to_the_apis_selection(
    client, django_capture_on_commit_callbacks, tmp_path, rule
):
    poll = Round(rule=rule, seed=12345).open().vote().declare(django_capture_on_commit_callbacks)
    body = client.get(poll.url("/result")).json()
    response = client.get(body["ballots"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f'filename="budget-round-{poll.round.pk}.pb"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text == poll.round.ballots_pb
    assert "seed;12345" in text and f"rule;{body['rule']}" in text
    path = tmp_path / "ballots.pb"
    path.write_bytes(response.content)
    # The command as it stands: no --seed, the CLI reads the file's META seed.
    command = [sys.executable, "-m", "coproduce", "count", "pb", str(path), "--rule", "as-declared", "--format", "json"]
    run = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, timeout=120)
    recount = json.loads(run.stdout)
    assert recount["selected"] == body["selected"]
    assert recount["cost"] * 100 == body["cost"]


def test_no_answer_names_a_voter(client, django_capture_on_commit_callbacks):
    poll = Round().open().vote().declare(django_capture_on_commit_callbacks)
    schema = client.get("/api/openapi.json").json()
    budget_paths = [path for path in schema["paths"] if path.startswith("/api/budgets")]
    assert len(budget_paths) == 3
    for path in budget_paths:
        url = re.sub(r"\{round_id\}", str(poll.round.pk), path)
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for person in poll.voters:
            assert person.full_name not in text, url
            assert person.email not in text, url
    # The file's voters are numbers 1, 2, 3… in the order of their ballots' random keys, not people.
    text = poll.round.ballots_pb
    votes = text[text.index("VOTES") :].splitlines()[2:]
    assert sorted(int(line.split(";")[0]) for line in votes) == list(range(1, len(BALLOTS) + 1))
