"""The meetings API, the open record of issue 19: meetings a person may see, and one meeting's
figures (notice, quorum, each resolution's threshold and votes) for its members, its board and —
where the rules make the record public — everyone. Others are answered 404 with the reason.

Meetings are run through the services on a fixed timeline in 2030 (``now`` passed to them), as the
services' own tests do.
"""

from __future__ import annotations

import pytest

from coproduce.core.tests.factories import UserFactory, sign_in_with_mfa
from coproduce.governance import services
from coproduce.governance.models import MeetingKind, MeetingRules, Resolution
from coproduce.governance.tests.factories import at, society
from coproduce.members.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NOTICE_DAY = at(2030, 3, 1, 10)
MEETING = at(2030, 3, 20, 19)
BEFORE_DEADLINE = at(2030, 3, 10, 12)


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"


def _meeting(world, *, kind=MeetingKind.AGM, title="Annual general meeting 2030", resolutions=(), starts_at=MEETING):
    meeting = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind=kind,
        title=title,
        title_cy=f"{title} (cy)",
        starts_at=starts_at,
        place="Elmwood community hall",
        now=NOTICE_DAY,
    )
    made = [
        services.resolution_add(
            meeting=meeting,
            by=world.secretary,
            kind=resolution_kind,
            method=method,
            title=f"Resolution {n}",
            text=f"That resolution {n} be passed.",
        )
        for n, (resolution_kind, method) in enumerate(resolutions, start=1)
    ]
    return meeting, made


def _called(world, **kwargs):
    meeting, made = _meeting(world, **kwargs)
    meeting = services.notice_send(meeting=meeting, by=world.secretary, now=NOTICE_DAY)
    return meeting, [Resolution.objects.get(pk=r.pk) for r in made]


class Held:
    """An AGM of a society of eight members with a vote (and one without): called on 1 March, held on
    20 March with six members present and one represented by the chair's proxy; an ordinary resolution
    carried on a show of hands, a special one voted in advance that failed one vote short of
    three-quarters, a dissolution measured against every member; closed."""

    def __init__(self, *, record_public: bool = False):
        self.world = society(members=8, rules={"quorum_number": 5, "record_public": record_public})
        world = self.world
        self.meeting, (self.ordinary, self.special, self.dissolution) = _called(
            world, resolutions=[("ordinary", "hands"), ("special", "advance"), ("dissolution", "hands")]
        )
        members = world.members
        # Before the meeting: two vote in advance on the special resolution; one appoints the chair.
        for person, choice in ((members[6], "for"), (members[7], "against")):
            services.advance_vote(resolution=self.special, person=person, choice=choice, now=BEFORE_DEADLINE)
        services.proxy_appoint(
            meeting=self.meeting,
            appointer=members[5],
            by=members[5],
            directions={str(self.ordinary.pk): "for", str(self.special.pk): "for", str(self.dissolution.pk): "against"},
            now=BEFORE_DEADLINE,
        )
        for person in [*members[:5], members[6]]:
            services.attendance_check_in(
                meeting=self.meeting, person=person, by=world.secretary, mode="in_person", now=MEETING
            )
        self.meeting = services.business_start(meeting=self.meeting, by=world.secretary, now=MEETING)
        # Ordinary: 4 hands for, 1 against (and the chair's directed proxy for): 5 to 1.
        services.hands_record(resolution=self.ordinary, by=world.secretary, for_votes=4, against_votes=1)
        # Special: the five present who have not voted: 3 for, 1 against, 1 abstains; with the advance
        # votes (1 for, 1 against) and the proxy (for), 5 for and 2 against: 71% < 75%.
        services.hands_record(
            resolution=self.special, by=world.secretary, for_votes=3, against_votes=1, abstain_votes=1
        )
        # Dissolution: 6 hands for, and the chair's proxy directed against; measured against all 9 members.
        services.hands_record(resolution=self.dissolution, by=world.secretary, for_votes=6, against_votes=0)
        for resolution in (self.ordinary, self.special, self.dissolution):
            services.resolution_declare(resolution=resolution, by=world.secretary)
        self.meeting = services.meeting_close(meeting=self.meeting, by=world.secretary, now=at(2030, 3, 20, 21))

    @property
    def url(self) -> str:
        return f"/api/meetings/{self.meeting.pk}"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def test_a_members_tool_reads_the_meetings_record_with_every_figure(client):
    held = Held()
    client.force_login(held.world.members[0])
    response = client.get(held.url)
    assert response.status_code == 200
    record = response.json()
    assert {key: record[key] for key in ("id", "kind", "status", "notice_sent_on", "notice_clear_days")} == {
        "id": held.meeting.pk,
        "kind": "agm",
        "status": "closed",
        "notice_sent_on": "2030-03-01",
        "notice_clear_days": 14,
    }
    assert record["organisation"] == held.world.organisation.name
    assert record["organisation_slug"] == held.world.organisation.slug
    assert record["starts_at"].startswith("2030-03-20T19:00:00")
    # Six members present with a vote and one represented by the chair's proxy, against a quorum of 5.
    assert (record["quorum_required"], record["quorum_present"], record["members_entitled"]) == (5, 7, 8)
    assert record["place"] == "Elmwood community hall" and record["online"] is False
    ordinary, special, dissolution = record["resolutions"]
    assert ordinary == {
        "id": held.ordinary.pk,
        "kind": "ordinary",
        "title": "Resolution 1",
        "text": "That resolution 1 be passed.",
        "threshold": "1/2",
        "threshold_inclusive": False,
        "threshold_base": "votes_cast",
        "threshold_turnout": None,
        "threshold_description": "more than 1/2 (50%) of the votes cast",
        "members_entitled": 8,
        "declared": True,
        "for": 5,
        "against": 1,
        "abstain": 0,
        "passed": True,
    }
    assert (special["threshold"], special["threshold_inclusive"], special["threshold_base"]) == (
        "3/4",
        True,
        "votes_cast",
    )
    assert (special["for"], special["against"], special["abstain"], special["passed"]) == (5, 2, 1, False)
    # A dissolution is measured against every member (the one without a vote too): 6 of 9 is not 75%.
    assert (dissolution["threshold"], dissolution["threshold_base"]) == ("3/4", "members")
    assert dissolution["members_entitled"] == 9
    assert (dissolution["for"], dissolution["against"], dissolution["passed"]) == (6, 1, False)
    assert "of the members" in dissolution["threshold_description"]


def test_before_the_declaration_the_record_says_the_threshold_and_no_figures(client):
    world = society(members=3, rules={"quorum_number": 2})
    meeting, (special,) = _called(world, resolutions=[("special", "advance")])
    services.advance_vote(resolution=special, person=world.members[0], choice="for", now=BEFORE_DEADLINE)
    client.force_login(world.members[1])
    record = client.get(f"/api/meetings/{meeting.pk}").json()
    assert record["status"] == "called" and record["notice_sent_on"] == "2030-03-01"
    assert record["quorum_required"] is None and record["quorum_present"] is None
    (row,) = record["resolutions"]
    assert (row["threshold"], row["threshold_inclusive"], row["declared"]) == ("3/4", True, False)
    # The box is secret until the chair declares: not even how many have voted for.
    assert (row["for"], row["against"], row["abstain"], row["passed"]) == (None, None, None, None)


def test_the_record_is_its_members_and_the_public_only_where_the_rules_say(client):
    held = Held()
    world = held.world
    outsider, elsewhere = UserFactory(), MembershipFactory().person
    # Members, the secretary and the board read it (the secretary with their second factor).
    for person in (world.members[0], world.non_voter, world.board_member, world.secretary):
        sign_in_with_mfa(client, person)
        assert client.get(held.url).status_code == 200, person
        assert _ids(client.get("/api/meetings/")) == [held.meeting.pk]
    # Anyone else: 404 with the reason, the same as for a meeting that does not exist.
    for person in (None, outsider, elsewhere):
        client.logout()
        if person is not None:
            client.force_login(person)
        response = client.get(held.url)
        assert response.status_code == 404
        assert "open to its organisation's members" in response.json()["detail"]
        assert response.json() == client.get("/api/meetings/999999").json()
        assert _ids(client.get("/api/meetings/")) == []
    # Once the rules make the record public, everyone reads it.
    MeetingRules.objects.filter(organisation=world.organisation).update(record_public=True)
    client.logout()
    assert client.get(held.url).status_code == 200
    assert _ids(client.get("/api/meetings/")) == [held.meeting.pk]


def test_drafts_are_nobodys_record_and_board_meetings_are_the_boards(client):
    world = society(members=3, rules={"quorum_number": 2, "record_public": True})
    draft, _ = _meeting(world, title="Not yet called")
    board, _ = _called(world, kind=MeetingKind.BOARD, title="Board meeting")
    agm, _ = _called(world, title="Annual general meeting")
    for person in (None, world.members[0], UserFactory()):
        client.logout()
        if person is not None:
            client.force_login(person)
        assert _ids(client.get("/api/meetings/")) == [agm.pk]
        assert client.get(f"/api/meetings/{board.pk}").status_code == 404
        assert client.get(f"/api/meetings/{draft.pk}").status_code == 404
    sign_in_with_mfa(client, world.secretary)
    assert sorted(_ids(client.get("/api/meetings/"))) == sorted([agm.pk, board.pk])
    assert client.get(f"/api/meetings/{board.pk}").json()["kind"] == "board"
    assert client.get(f"/api/meetings/{draft.pk}").status_code == 404
    sign_in_with_mfa(client, world.board_member)
    assert client.get(f"/api/meetings/{board.pk}").status_code == 200


def test_a_hidden_organisations_record_is_not_public_even_where_its_rules_say_so(client):
    world = society(members=3, rules={"quorum_number": 2, "record_public": True})
    world.organisation.is_public = False
    world.organisation.save(update_fields=["is_public"])
    agm, _ = _called(world)
    assert client.get(f"/api/meetings/{agm.pk}").status_code == 404
    client.force_login(world.members[0])
    assert client.get(f"/api/meetings/{agm.pk}").status_code == 200


def test_the_list_is_paginated_newest_first_and_filtered_by_organisation(client):
    world = society(members=3, rules={"quorum_number": 2})
    meetings = [_called(world, title=f"Meeting {day}", starts_at=at(2030, 3, day))[0] for day in (20, 21, 22, 23, 24)]
    other = society(members=1, rules={"quorum_number": 1})
    MembershipFactory(person=world.members[0], stakeholder_class=other.organisation.stakeholder_classes.first())
    theirs, _ = _called(other, title="Elsewhere", starts_at=at(2030, 4, 1))
    client.force_login(world.members[0])
    page = client.get("/api/meetings/", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 6
    assert [row["id"] for row in page["items"]] == [meetings[4].pk, meetings[3].pk]
    row = page["items"][0]
    assert set(row) == {"id", "title", "organisation", "organisation_slug", "kind", "status", "starts_at"}
    assert (row["kind"], row["status"], row["title"]) == ("agm", "called", "Meeting 24")
    only = client.get("/api/meetings/", {"organisation": world.organisation.slug}).json()
    assert only["count"] == 5 and theirs.pk not in [r["id"] for r in only["items"]]
    assert client.get("/api/meetings/", {"limit": 1000}).status_code == 422
    assert client.get("/api/meetings/", {"organisation": "no spaces!"}).status_code == 422


def test_no_answer_names_anyone_and_keys_beyond_64_bits_are_refused(client):
    held = Held()
    client.force_login(held.world.members[0])
    text = client.get(held.url).content.decode() + client.get("/api/meetings/").content.decode()
    people = [*held.world.members, held.world.non_voter, held.world.secretary, held.world.board_member]
    for person in people:
        assert person.full_name not in text and person.email not in text
    assert client.get(f"/api/meetings/{2**63}").status_code == 422
    assert client.get("/api/meetings/0").status_code == 422


def test_the_openapi_description_says_for_and_every_refusal(client):
    schema = client.get("/api/openapi.json").json()
    detail = schema["paths"]["/api/meetings/{meeting_id}"]["get"]
    assert {"200", "404", "422", "429"} <= set(detail["responses"])
    properties = schema["components"]["schemas"]["ResolutionOut"]["properties"]
    assert {"for", "against", "abstain", "passed", "threshold", "threshold_base"} <= set(properties)
    assert "for_" not in properties
    assert "/api/meetings/" in schema["paths"]


def test_a_superuser_reads_every_called_meeting(client):
    world = society(members=2, rules={"quorum_number": 1})
    agm, _ = _called(world)
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_mfa(client, admin)
    assert agm.pk in _ids(client.get("/api/meetings/"))
