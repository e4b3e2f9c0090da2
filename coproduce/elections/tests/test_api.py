"""The elections API: published elections, results anyone can recount, and nothing that joins a voter to a ballot.

The crawl at the end is part of the secrecy proof (``coproduce/voting/tests/test_secrecy.py``
holds the rest): voting may not import elections, so what the elections API and its exports
publish is checked here, beside the API itself.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.utils import timezone

from coproduce.core.tests.factories import OrganisationFactory, UserFactory, sign_in_with_mfa
from coproduce.elections import counting, services
from coproduce.elections.models import AppointedSeat, Stage
from coproduce.elections.tests.factories import ConstituencyFactory, ElectionFactory, NominationFactory, timetable
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory
from coproduce.voting.models import Ballot, Mark

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"


class Poll:
    """An election with one contested constituency (and one uncontested), voted in through the services."""

    def __init__(self, *, voters: int, candidates: int = 4, seats: int = 2, rules: str = "scottish", seed="seed-17"):
        self.tenant = StakeholderClassFactory()
        self.organisation = self.tenant.organisation
        self.voters = [
            MembershipFactory(
                stakeholder_class=self.tenant,
                admitted_on=datetime.date(2020, 1, 1),
                person=UserFactory(full_name=f"Voter Quillfeather {number}"),
            ).person
            for number in range(voters)
        ]
        self.election = ElectionFactory(organisation=self.organisation, rules=rules, seed=seed, **timetable("voting"))
        self.constituency = ConstituencyFactory(election=self.election, seats=seats, name="All members", order=1)
        self.nominations = [
            NominationFactory(constituency=self.constituency, ballot_name=f"Candidate {chr(65 + i)}")
            for i in range(candidates)
        ]
        self.uncontested = ConstituencyFactory(election=self.election, seats=1, name="Tenants", order=2)
        NominationFactory(constituency=self.uncontested, ballot_name="Sole Candidate")
        AppointedSeat.objects.create(election=self.election, title="Council nominee", appointed_by="The council")
        self.receipts: list[str] = []

    def open(self) -> Poll:
        services.election_open_voting(election=self.election, by=self.election.returning_officer)
        self.constituency.refresh_from_db()
        self.uncontested.refresh_from_db()
        return self

    def vote(self, rankings: list[list[int]]) -> Poll:
        """Each ranking, by the next voters in turn: 0-based candidate numbers in ballot-paper order."""
        options = self.constituency.box.options
        start = len(self.receipts)
        for person, ranking in zip(self.voters[start:], rankings, strict=False):
            choices = [options[number] for number in ranking]
            self.receipts.append(services.vote(constituency=self.constituency, person=person, choices=choices))
        assert len(self.receipts) == start + len(rankings), "not enough voters for the rankings"
        return self

    def declare(self) -> Poll:
        type(self.election).objects.filter(pk=self.election.pk).update(
            voting_close=timezone.now() - datetime.timedelta(seconds=1)
        )
        self.election.refresh_from_db()
        services.election_close_voting(election=self.election, by=self.election.returning_officer)
        services.election_count(election=self.election, by=self.election.returning_officer)
        self.election.refresh_from_db()
        self.constituency.refresh_from_db()
        self.uncontested.refresh_from_db()
        assert self.election.stage == Stage.DECLARED
        return self

    def url(self, tail: str = "", constituency=None) -> str:
        base = f"/api/elections/{self.election.pk}"
        if constituency is not None:
            base += f"/constituencies/{constituency.pk}"
        return base + tail


RANKINGS = [[0, 1], [0, 1, 2], [0], [1, 0], [1, 2], [2, 3, 1], [3, 2], [2], [0, 2, 1], [1]]


def test_the_list_shows_published_elections_of_listed_organisations(client):
    poll = Poll(voters=2)
    ElectionFactory(organisation=poll.organisation, stage=Stage.DRAFT, title="A draft")
    ElectionFactory(organisation=OrganisationFactory(is_public=False), title="Unlisted")
    response = client.get("/api/elections/")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1
    (row,) = page["items"]
    assert row == {
        "id": poll.election.pk,
        "title": poll.election.title,
        "organisation": poll.organisation.name,
        "organisation_slug": poll.organisation.slug,
        "status": "awaiting_poll",
        "voting_close": row["voting_close"],
    }
    closes = datetime.datetime.fromisoformat(row["voting_close"])
    assert abs(closes - poll.election.voting_close) < datetime.timedelta(milliseconds=1)  # JSON keeps milliseconds
    assert client.get("/api/elections/?limit=101").status_code == 422
    assert client.get("/api/elections/?limit=1&offset=1").json() == {"items": [], "count": 1}


def test_one_election_with_its_constituencies_seats_timetable_and_seed(client):
    poll = Poll(voters=5).open()
    body = client.get(poll.url()).json()
    assert body["status"] == "voting" and body["seed"] == "seed-17" and body["rules"] == "scottish"
    assert body["constituencies"] == [
        {"id": poll.constituency.pk, "name": "All members", "seats": 2, "electorate": 5, "uncontested": False},
        {"id": poll.uncontested.pk, "name": "Tenants", "seats": 1, "electorate": None, "uncontested": True},
    ]
    assert body["appointed_seats"] == [{"title": "Council nominee", "appointed_by": "The council", "seats": 1}]
    assert set(body["timetable"]) == {
        "nominations_open",
        "nominations_close",
        "voting_open",
        "voting_close",
        "qualifying_date",
    }
    assert body["declared_at"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/elections/{draft}",
        "/api/elections/{hidden}",
        "/api/elections/999999",
        "/api/elections/{draft}/result",
        "/api/elections/999999/constituencies/1/receipts",
    ],
)
def test_unpublished_and_unknown_elections_are_404_with_a_reason(client, url):
    draft = ElectionFactory(stage=Stage.DRAFT)
    hidden = ElectionFactory(organisation=OrganisationFactory(is_public=False))
    response = client.get(url.format(draft=draft.pk, hidden=hidden.pk))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "There is no published election with this number."


def test_nothing_is_published_before_the_declaration(client):
    poll = Poll(voters=4).open().vote(RANKINGS[:3])
    result = client.get(poll.url("/result"))
    assert result.status_code == 404
    assert result.json()["detail"] == "The result of this election has not been declared yet."
    for tail in ("/ballots.blt", "/receipts"):
        response = client.get(poll.url(tail, poll.constituency))
        assert response.status_code == 404
        assert response.json()["detail"] == "The ballots are published when the count seals the ballot box."
    no_poll = client.get(poll.url("/receipts", poll.uncontested))
    assert no_poll.status_code == 404 and "without a poll" in no_poll.json()["detail"]
    elsewhere = Poll(voters=1)
    wrong = client.get(poll.url(f"/constituencies/{elsewhere.constituency.pk}/receipts"))
    assert wrong.status_code == 404 and wrong.json()["detail"] == "This election has no constituency with this number."


def test_the_declared_result_is_the_engines_report_with_its_files(client):
    poll = Poll(voters=12).open().vote(RANKINGS).declare()
    response = client.get(poll.url("/result"))
    assert response.status_code == 200
    body = response.json()
    assert body["election"] == poll.election.pk and body["seed"] == "seed-17"
    declared_at = datetime.datetime.fromisoformat(body["declared_at"])
    assert abs(declared_at - poll.election.declared_at) < datetime.timedelta(milliseconds=1)
    contested, uncontested = body["constituencies"]
    report = poll.constituency.result
    kwargs = f"{poll.election.pk}/constituencies/{poll.constituency.pk}"
    assert contested["ballots"] == f"http://testserver/api/elections/{kwargs}/ballots.blt"
    assert contested["receipts"] == f"http://testserver/api/elections/{kwargs}/receipts"
    for key in ("rules", "seats", "quota", "valid", "elected", "elected_names", "candidates", "stages", "turnout"):
        assert contested[key] == report[key], key
    assert contested["candidates"] == ["Candidate A", "Candidate B", "Candidate C", "Candidate D"]
    assert contested["turnout"] == {"electorate": 12, "voted": 10, "ballots": 10, "spoilt": 0}
    assert contested["stages"] and contested["quota"] == "4.00000"  # floor(10 / 3) + 1
    assert uncontested["ballots"] is None and uncontested["receipts"] is None
    assert uncontested["rules"] == "uncontested" and uncontested["elected_names"] == ["Sole Candidate"]
    assert uncontested["turnout"] is None and uncontested["quota"] is None


def test_the_ballot_file_and_receipts_once_sealed(client):
    poll = Poll(voters=12).open().vote(RANKINGS).declare()
    response = client.get(poll.url("/ballots.blt", poll.constituency))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert (
        f'filename="election-{poll.election.pk}-constituency-{poll.constituency.pk}.blt"'
        in (response["Content-Disposition"])
    )
    assert response.content.decode() == counting.ballots_blt(poll.constituency)
    assert response.content.decode().splitlines()[0] == "4 2"
    receipts = client.get(poll.url("/receipts", poll.constituency))
    assert receipts.status_code == 200
    assert receipts.json() == sorted(poll.receipts)


def test_a_plurality_result_carries_its_votes(client):
    poll = Poll(voters=5, rules="plurality", seats=1).open().vote([[0], [1], [1], [2]]).declare()
    contested = client.get(poll.url("/result")).json()["constituencies"][0]
    assert contested["rules"] == "plurality" and contested["votes"] == [1, 2, 1, 0]
    assert contested["elected_names"] == ["Candidate B"] and contested["quota"] is None


# Secrecy: what the API and its exports publish. -----------------------------------------------------


def _crawl(client, poll: Poll) -> dict[str, tuple[int, str, str]]:
    """Every operation in the OpenAPI description, its path filled with the declared election's keys."""
    schema = client.get("/api/openapi.json").json()
    membership = poll.voters[0].memberships.first()
    keys = {
        "election_id": poll.election.pk,
        "constituency_id": poll.constituency.pk,
        "slug": poll.organisation.slug,
        "membership_id": membership.pk,
        "postcode": "KM1 1AA",
    }
    answers = {}
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: str(keys.get(m.group(1), 1)), path)
        for method in operations:
            if method == "get":
                response = client.get(url)
            else:
                response = client.generic(method.upper(), url, data="{}", content_type="application/json")
            answer = (response.status_code, response["Content-Type"], response.content.decode())
            answers[f"{method.upper()} {url}"] = answer
    return answers


@pytest.mark.parametrize("who", ["anonymous", "voter"])
def test_no_api_answer_joins_a_receipt_to_a_ballot_or_names_a_voter(client, who):
    poll = Poll(voters=14).open().vote([*RANKINGS, [3, 0, 1], [2, 1]]).declare()
    if who == "voter":
        sign_in_with_mfa(client, poll.voters[0])
    answers = _crawl(client, poll)
    receipts_url = "GET " + poll.url("/receipts", poll.constituency)
    ballots_url = "GET " + poll.url("/ballots.blt", poll.constituency)
    assert answers[receipts_url][0] == 200 and answers[ballots_url][0] == 200
    assert answers["GET " + poll.url("/result")][0] == 200
    receipts = set(poll.receipts)
    for operation, (_status, content_type, text) in answers.items():
        found = set(RECEIPT.findall(text))
        if found:
            # Only the receipts list carries receipts, and it carries nothing else: no choices.
            assert operation == receipts_url, operation
            assert content_type.startswith("application/json")
            assert json.loads(text) == sorted(receipts)
        for person in poll.voters:
            assert person.email not in text, operation
            assert person.full_name not in text, operation
        # Option keys (nomination ids) are the ballot's raw content: no answer repeats a ballot as stored.
        stored = {json.dumps(content) for content in Ballot.objects.values_list("content", flat=True)}
        assert not any(content in text for content in stored if len(json.loads(content)) > 1), operation
    assert receipts == set(Mark.objects.values_list("receipt", flat=True))


def test_the_exports_keep_receipts_and_ballots_apart(client):
    poll = Poll(voters=14).open().vote([*RANKINGS, [3, 0, 1], [2, 1]]).declare()
    blt = client.get(poll.url("/ballots.blt", poll.constituency)).content.decode()
    assert not RECEIPT.search(blt)
    for receipt in poll.receipts:
        assert receipt not in blt
    for person in poll.voters:
        assert person.full_name not in blt and person.email not in blt
    listed = client.get(poll.url("/receipts", poll.constituency)).json()
    assert all(RECEIPT.fullmatch(code) for code in listed) and len(listed) == 12
    options = set(poll.constituency.box.options)
    assert not options & set(listed)
