"""What meetings put on a person's home and on the organisation's workspace: the papers, a proxy to
appoint and a vote to cast in advance (urgent until cast), requisitions to sign; for the secretary and
the board a notice to send before the notice period runs out, the door, the declarations, a requisition
to answer by its date, minutes to draft, approve and publish; in a fixed number of queries.

Meetings follow the services' tests' timeline in 2030; where a hook reads the clock, the clock is set.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.core import registry
from coproduce.core.demo import build_demo
from coproduce.core.models import RoleKind, User
from coproduce.core.tests.factories import RoleFactory, UserFactory
from coproduce.governance import law, services, workspaces
from coproduce.governance.models import Meeting, MeetingKind, Minutes, Resolution
from coproduce.governance.tests.factories import at, society

pytestmark = pytest.mark.django_db

NOTICE_DAY = at(2030, 3, 1, 10)
MEETING = at(2030, 3, 20, 19)
BEFORE_DEADLINE = at(2030, 3, 10, 12)


@contextmanager
def clock(moment: datetime.datetime):
    """The hooks read the clock: set it (the services are given ``now`` themselves)."""
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield


def _meeting(world, *, resolutions=(), starts_at=MEETING, title="Annual general meeting 2030", kind=MeetingKind.AGM):
    meeting = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind=kind,
        title=title,
        starts_at=starts_at,
        place="Elmwood community hall",
        now=NOTICE_DAY,
    )
    for n, (resolution_kind, method) in enumerate(resolutions, start=1):
        services.resolution_add(
            meeting=meeting,
            by=world.secretary,
            kind=resolution_kind,
            method=method,
            title=f"Resolution {n}",
            text=f"That resolution {n} be passed.",
        )
    return meeting


def _called(world, **kwargs) -> tuple[Meeting, list[Resolution]]:
    meeting = services.notice_send(meeting=_meeting(world, **kwargs), by=world.secretary, now=NOTICE_DAY)
    return meeting, list(Resolution.objects.filter(meeting=meeting).order_by("order"))


def _items(items, meeting: Meeting) -> list:
    return [item for item in items if str(item.label).startswith(meeting.title)]


def _labels(items) -> list[str]:
    return [str(item.label) for item in items]


def test_a_member_is_asked_to_vote_in_advance_and_to_appoint_a_proxy_until_they_have():
    world = society(members=4, rules={"quorum_number": 2})
    a, b, *_ = world.members
    meeting, (advance, _hands) = _called(world, resolutions=[("ordinary", "advance"), ("special", "hands")])
    _meeting(world, title="A draft nobody sees yet", starts_at=at(2030, 4, 2))
    name = world.organisation.name

    (item,) = workspaces.home_items(a)
    assert str(item.label) == (
        f"Annual general meeting 2030 of {name} on 20 March 2030: read the papers, appoint a proxy or vote in advance"
    )
    assert item.urgent and item.url == f"/meetings/{meeting.pk}/"
    assert str(item.hint) == (
        "Voting in advance closes when the meeting starts. Proxies must be appointed by 18 March 2030, 19:00."
    )
    # Voted in advance: a proxy may still vote on the show of hands for them.
    services.advance_vote(resolution=advance, person=a, choice="for", now=BEFORE_DEADLINE)
    (item,) = workspaces.home_items(a)
    assert str(item.label).endswith("read the papers, and appoint a proxy if you cannot come") and not item.urgent
    services.proxy_appoint(meeting=meeting, appointer=a, by=a, now=BEFORE_DEADLINE)
    (item,) = workspaces.home_items(a)
    assert str(item.label) == f"Annual general meeting 2030 of {name} on 20 March 2030: read the papers"
    assert not item.urgent and str(item.hint) == ""
    # A proxy first: still urgent, to vote in advance.
    services.proxy_appoint(meeting=meeting, appointer=b, by=b, now=BEFORE_DEADLINE)
    (item,) = workspaces.home_items(b)
    assert str(item.label).endswith("read the papers and vote in advance") and item.urgent
    # After the proxy deadline, voting in advance alone is offered.
    c = world.members[2]
    with clock(at(2030, 3, 19, 12)):
        (item,) = workspaces.home_items(c)
    assert str(item.label).endswith("read the papers and vote in advance")
    # A member without a vote reads the papers; others see nothing of it.
    (item,) = workspaces.home_items(world.non_voter)
    assert str(item.label).endswith(": read the papers") and not item.urgent
    assert workspaces.home_items(UserFactory()) == []
    assert workspaces.home_items(society(members=1).members[0]) == []


def test_members_are_told_when_a_meeting_is_under_way_and_not_once_it_has_closed():
    world = society(members=3, rules={"quorum_number": 1})
    meeting, (resolution,) = _called(world, resolutions=[("ordinary", "hands")])
    services.attendance_check_in(
        meeting=meeting, person=world.members[0], by=world.secretary, mode="in_person", now=MEETING
    )
    services.business_start(meeting=meeting, by=world.secretary, now=MEETING)
    (item,) = workspaces.home_items(world.members[1])
    assert str(item.label) == f"Annual general meeting 2030 of {world.organisation.name} is under way"
    assert "QR code on your notice" in str(item.hint)
    services.hands_record(resolution=resolution, by=world.secretary, for_votes=1, against_votes=0)
    services.resolution_declare(resolution=resolution, by=world.secretary)
    services.meeting_close(meeting=meeting, by=world.secretary)
    assert workspaces.home_items(world.members[1]) == []


def test_members_with_a_vote_are_asked_to_sign_a_requisition_until_they_have():
    world = society(members=4, rules={"requisition_number": 3, "requisition_rule": "number"})
    a, b, c, d = world.members
    requisition = services.requisition_open(
        organisation=world.organisation,
        by=a,
        purpose="To decide on the new community garden.",
        proposed_resolutions="That the garden be built.",
    )
    label = f"Sign the requisition for a special general meeting of {world.organisation.name}"
    (item,) = workspaces.home_items(b)
    assert str(item.label) == label and item.url == f"/requisitions/{requisition.pk}/"
    assert str(item.hint) == "To decide on the new community garden. 1 member has signed."
    assert workspaces.home_items(a) == []  # opened it, so signed it
    assert workspaces.home_items(world.non_voter) == []  # no vote
    services.requisition_sign(requisition=requisition, by=b)
    assert workspaces.home_items(b) == []
    assert str(workspaces.home_items(c)[0].hint).endswith("2 members have signed.")
    # The secretary learns nothing until it reaches its signatures; then must call the meeting by a date.
    assert workspaces.home_items(world.secretary) == []
    services.requisition_sign(requisition=requisition, by=c)
    requisition.refresh_from_db()
    (item,) = workspaces.home_items(world.secretary)
    assert str(item.label) == (f"Members of {world.organisation.name} requisitioned a special general meeting: call it")
    assert (
        item.urgent
        and item.url == f"/organisations/{world.organisation.slug}/meetings/new/?requisition={requisition.pk}"
    )
    assert "must be called by" in str(item.hint)
    with clock(
        timezone.make_aware(datetime.datetime.combine(requisition.call_by, datetime.time(12)))
        + datetime.timedelta(days=1)
    ):
        assert "had to be called by" in str(workspaces.home_items(world.secretary)[0].hint)
    assert str(workspaces.home_items(d)[0].label) == label  # still open to sign until a meeting answers it
    # Once a meeting answers it, it is nobody's to do.
    services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind=MeetingKind.SGM,
        title="Special general meeting",
        starts_at=MEETING,
        place="Hall",
        requisition=requisition,
        now=NOTICE_DAY,
    )
    assert not any("requisition" in label.lower() for label in _labels(workspaces.home_items(world.secretary)))
    assert workspaces.home_items(d) == []


def test_the_secretary_is_told_what_each_meeting_needs_from_its_notice_to_its_published_minutes():
    world = society(members=4, rules={"quorum_number": 2})
    secretary, board_member = world.secretary, world.board_member
    meeting = _meeting(world, resolutions=[("ordinary", "hands")])
    # Draft: the last day to send the notice is the 5th (14 clear days, 6th to 19th, before the 20th).
    latest = datetime.date(2030, 3, 5)
    assert not law.notice_is_short(latest, meeting.starts_on, 14)
    assert law.notice_is_short(latest + datetime.timedelta(days=1), meeting.starts_on, 14)
    (item,) = _items(workspaces.home_items(secretary), meeting)
    assert str(item.label) == "Annual general meeting 2030: Send the notice by 5 March 2030"
    assert not item.urgent and item.url == f"/meetings/{meeting.pk}/notice/"
    assert f"of {world.organisation.name} on 20 March 2030" in str(item.hint)
    with clock(at(2030, 3, 1, 9)):
        assert _items(workspaces.home_items(secretary), meeting)[0].urgent  # four days left
    with clock(at(2030, 3, 10, 9)):
        (item,) = _items(workspaces.home_items(secretary), meeting)
    assert str(item.label).endswith("Move the meeting: with notice sent today, the earliest date is 25 March 2030")
    assert item.urgent and item.url == f"/meetings/{meeting.pk}/manage/"
    # Called: nothing to do until the doors open; then the register.
    meeting = services.notice_send(meeting=meeting, by=secretary, now=NOTICE_DAY)
    assert _items(workspaces.home_items(secretary), meeting) == []
    with clock(at(2030, 3, 20, 18)):
        (item,) = _items(workspaces.home_items(secretary), meeting)
    assert str(item.label).endswith("Check members in and start the business")
    assert item.urgent and item.url == f"/meetings/{meeting.pk}/register/"
    # In progress: the declarations.
    for person in world.members[:3]:
        services.attendance_check_in(meeting=meeting, person=person, by=secretary, mode="in_person", now=MEETING)
    meeting = services.business_start(meeting=meeting, by=secretary, now=MEETING)
    (item,) = _items(workspaces.home_items(board_member), meeting)  # the board runs meetings too
    assert str(item.label).endswith("Declare the results and close the meeting") and item.urgent
    resolution = meeting.resolutions.get()
    services.hands_record(resolution=resolution, by=secretary, for_votes=3, against_votes=0)
    services.resolution_declare(resolution=resolution, by=secretary)
    meeting = services.meeting_close(meeting=meeting, by=secretary, now=at(2030, 3, 20, 21))
    # Closed: the minutes, drafted, approved at a later meeting, published.
    (item,) = _items(workspaces.home_items(secretary), meeting)
    assert str(item.label).endswith("Draft the minutes") and item.url == f"/meetings/{meeting.pk}/minutes/edit/"
    minutes = services.minutes_draft(meeting=meeting, by=secretary)
    assert _items(workspaces.home_items(secretary), meeting) == []  # nothing to do until a later meeting
    (row,) = [i for i in workspaces.workspace_items(secretary, world.organisation) if str(i.label) == meeting.title]
    assert "The minutes wait for approval at the next meeting." in str(row.hint) and not row.urgent
    later, _ = _called(world, title="Special general meeting", starts_at=at(2030, 3, 27), kind=MeetingKind.SGM)
    for person in world.members[:2]:
        services.attendance_check_in(
            meeting=later, person=person, by=secretary, mode="in_person", now=at(2030, 3, 27, 19)
        )
    later = services.business_start(meeting=later, by=secretary, now=at(2030, 3, 27, 19))
    (item,) = [i for i in workspaces.home_items(secretary) if str(i.label).startswith("Annual general meeting")]
    assert str(item.label).endswith("Record the approval of the minutes at the later meeting") and item.urgent
    minutes = services.minutes_approve(minutes=minutes, by=secretary, at_meeting=later)
    (item,) = _items(workspaces.home_items(secretary), meeting)
    assert str(item.label).endswith("Publish the approved minutes") and item.urgent
    services.minutes_publish(minutes=Minutes.objects.get(pk=minutes.pk), by=secretary)
    assert _items(workspaces.home_items(secretary), meeting) == []
    assert meeting.title not in _labels(workspaces.workspace_items(secretary, world.organisation))
    # Members and people elsewhere are told none of it.
    other_secretary = RoleFactory(kind=RoleKind.SECRETARY).person
    assert workspaces.home_items(other_secretary) == []
    assert not any(
        "Publish" in label or "Declare" in label for label in _labels(workspaces.home_items(world.members[3]))
    )


def test_the_workspace_lists_the_meetings_with_their_status_and_links_to_all_of_them():
    world = society(members=3, rules={"quorum_number": 2, "requisition_number": 3, "requisition_rule": "number"})
    draft = _meeting(world, title="Board meeting", kind=MeetingKind.BOARD, starts_at=at(2030, 4, 10))
    called, _ = _called(world)
    items = workspaces.workspace_items(world.secretary, world.organisation)
    by_label = {str(item.label): item for item in items}
    assert list(by_label) == ["Annual general meeting 2030", "Board meeting", "Meetings"]  # soonest first
    assert str(by_label["Annual general meeting 2030"].hint) == "Notice sent. 20 March 2030, 19:00."
    assert by_label["Annual general meeting 2030"].url == f"/meetings/{called.pk}/manage/"
    assert (
        str(by_label["Board meeting"].hint) == "Being prepared. 10 April 2030, 19:00. Send the notice by 2 April 2030."
    )
    assert by_label["Board meeting"].url == f"/meetings/{draft.pk}/notice/"
    assert by_label["Meetings"].url == f"/organisations/{world.organisation.slug}/meetings/"
    assert workspaces.workspace_items(world.board_member, world.organisation)
    # A requisition collecting signatures is listed for the secretary.
    services.requisition_open(
        organisation=world.organisation, by=world.members[0], purpose="A garden.", proposed_resolutions="That it be."
    )
    labels = _labels(workspaces.workspace_items(world.secretary, world.organisation))
    assert "A requisition for a special general meeting is collecting signatures" in labels
    for person in (world.members[0], UserFactory(), RoleFactory(kind=RoleKind.SECRETARY).person):
        assert workspaces.workspace_items(person, world.organisation) == []


def test_meetings_are_in_the_navigation_after_ward_budgets():
    items = registry.navigation(authenticated=False)
    names = [item.url_name for item in items]
    assert "governance:list" in names
    assert names.index("governance:list") > names.index("budgets:list")
    (meetings,) = [item for item in items if item.url_name == "governance:list"]
    assert str(meetings.label) == "Meetings" and not meetings.login_required


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_hooks_run_a_fixed_number_of_queries():
    world = society(members=4, rules={"quorum_number": 2, "requisition_number": 4, "requisition_rule": "number"})
    member, secretary = world.members[0], world.secretary
    starts = iter(range(1, 28))

    def add_meetings():
        day = next(starts)
        _called(world, title=f"Called {day}", starts_at=at(2030, 4, day), resolutions=[("ordinary", "advance")])
        _meeting(world, title=f"Draft {day}", starts_at=at(2030, 5, day))
        closed, (resolution,) = _called(world, title=f"Closed {day}", resolutions=[("ordinary", "hands")])
        for person in (member, world.members[2]):
            services.attendance_check_in(meeting=closed, person=person, by=secretary, mode="in_person", now=MEETING)
        closed = services.business_start(meeting=closed, by=secretary, now=MEETING)
        services.hands_record(resolution=resolution, by=secretary, for_votes=1, against_votes=0)
        services.resolution_declare(resolution=resolution, by=secretary)
        services.meeting_close(meeting=closed, by=secretary)
        services.requisition_open(
            organisation=world.organisation, by=world.members[1], purpose=f"Garden {day}", proposed_resolutions="Yes."
        )

    def measure() -> tuple[int, int, int]:
        return (
            _queries(lambda: workspaces.home_items(User.objects.get(pk=member.pk))),
            _queries(lambda: workspaces.home_items(User.objects.get(pk=secretary.pk))),
            _queries(lambda: workspaces.workspace_items(User.objects.get(pk=secretary.pk), world.organisation)),
        )

    add_meetings()
    one = measure()
    for _ in range(3):
        add_meetings()
    many = measure()
    assert Meeting.objects.count() == 12
    assert len([i for i in workspaces.home_items(member) if i.urgent]) == 4  # a vote in advance in each
    assert len(workspaces.home_items(secretary)) == 8  # four notices to send, four minutes to draft
    assert many == one


def test_in_the_demo_the_member_is_asked_to_vote_and_the_secretary_has_work(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo = build_demo()
    member, secretary = demo["users"]["member"], demo["users"]["secretary"]
    homes = demo["organisations"]["homes"]
    agm = demo["governance"]["agm"]
    (item,) = [i for i in workspaces.home_items(member) if i.url == f"/meetings/{agm.pk}/"]
    assert str(item.label).startswith(f"{agm.title} of Kingsmere North Homes Co-operative on ")
    assert str(item.label).endswith(": read the papers, appoint a proxy or vote in advance") and item.urgent
    assert any(str(i.label).startswith("Sign the requisition") for i in workspaces.home_items(member))
    labels = _labels(workspaces.home_items(secretary))
    assert any(label.startswith("Board meeting: Send the notice by") for label in labels)
    items = workspaces.workspace_items(secretary, homes)
    by_label = {str(i.label): i for i in items}
    assert {agm.title, "Board meeting", "Meetings"} <= set(by_label)
    board_meeting = demo["governance"]["board_meeting"]
    assert "wait for approval" in str(by_label[board_meeting.title].hint)
    assert demo["governance"]["last_agm"].title not in by_label  # its minutes are published
