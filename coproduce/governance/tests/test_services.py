"""Meetings through the services: the rules, calling a meeting, requisitions, proxies, the meeting
itself (check-in, quorum, votes across every channel, the declaration), minutes. Each refusal is
checked to write nothing.

The timeline is fixed in 2030 and passed to the services as ``now``, so that notice periods and
deadlines read as dates in the tests.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import UserFactory
from coproduce.governance import selectors, services
from coproduce.governance.audit import AUDIT_ACTIONS
from coproduce.governance.models import (
    Attendance,
    Meeting,
    MeetingKind,
    MeetingRules,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeLetters,
    Proxy,
    Requisition,
    Resolution,
    ResolutionKind,
    VotingMethod,
    rules_in_force,
)
from coproduce.governance.tests.factories import MeetingRulesFactory, at, society
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory
from coproduce.voting.models import Ballot, Channel, Mark

pytestmark = pytest.mark.django_db

NOTICE_DAY = at(2030, 3, 1, 10)  # notices go out on 1 March 2030
MEETING = at(2030, 3, 20, 19)  # the meeting is on 20 March, well after the 14 clear days
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def refused(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def draft(world, *, starts_at=MEETING, kind=MeetingKind.AGM, resolutions=(), online_url=""):
    meeting = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind=kind,
        title="Annual general meeting 2030",
        title_cy="Cyfarfod cyffredinol blynyddol 2030",
        starts_at=starts_at,
        place="Elmwood community hall",
        online_url=online_url,
        now=NOTICE_DAY,
    )
    made = [
        services.resolution_add(
            meeting=meeting,
            by=world.secretary,
            kind=kind_,
            method=method,
            title=f"Resolution {n}",
            text=f"That resolution {n} be passed.",
        )
        for n, (kind_, method) in enumerate(resolutions, start=1)
    ]
    return meeting, made


def called(world, **kwargs):
    meeting, resolutions = draft(world, **kwargs)
    meeting = services.notice_send(meeting=meeting, by=world.secretary, now=NOTICE_DAY)
    return meeting, [Resolution.objects.get(pk=r.pk) for r in resolutions]


def started(world, meeting, *, present, now=MEETING):
    for person in present:
        services.attendance_check_in(meeting=meeting, person=person, by=world.secretary, mode="in_person", now=now)
    return services.business_start(meeting=meeting, by=world.secretary, now=now)


# -- The society's rules ---------------------------------------------------------------------------------


def test_rules_are_versioned_by_date_and_a_meeting_keeps_the_version_it_was_called_under():
    world = society()
    first = MeetingRules.objects.get(organisation=world.organisation)
    new = services.rules_set(
        organisation=world.organisation,
        by=world.secretary,
        effective_from=datetime.date(2030, 3, 10),
        notice_agm_days=21,
        quorum_number=None,
        quorum_share_numerator=1,
        quorum_share_denominator=10,
        quorum_rule="share",
    )
    assert new.quorum_required(MeetingKind.AGM, 95) == 10
    assert new.proxy_deadline_hours == first.proxy_deadline_hours  # what was not given carries over
    assert rules_in_force(world.organisation, on=datetime.date(2030, 3, 9)) == first
    assert rules_in_force(world.organisation, on=datetime.date(2030, 3, 10)) == new
    meeting, _ = called(world)
    assert meeting.rules == first and meeting.notice_clear_days == 14
    assert AuditEvent.objects.filter(action="meeting_rules.set", target_id=str(new.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"special_numerator": 1, "special_denominator": 2}, "special_numerator"),
        ({"special_numerator": 5, "special_denominator": 4}, "special_numerator"),
        ({"quorum_rule": "share", "quorum_share_numerator": None, "quorum_share_denominator": None}, "quorum_rule"),
        ({"quorum_share_numerator": 3, "quorum_share_denominator": 2}, "quorum_share_numerator"),
        ({"quorum_number": None, "quorum_share_numerator": None, "quorum_share_denominator": None}, "quorum_rule"),
    ],
)
def test_rules_that_cannot_work_are_refused_in_words_and_nothing_is_written(changes, field):
    world = society()
    error = refused(
        services.rules_set,
        organisation=world.organisation,
        by=world.secretary,
        effective_from=datetime.date(2030, 1, 1),
        **changes,
    )
    assert field in error.message_dict
    assert MeetingRules.objects.filter(organisation=world.organisation).count() == 1


def test_a_new_version_of_the_rules_starts_after_the_last_one():
    world = society()
    error = refused(
        services.rules_set,
        organisation=world.organisation,
        by=world.secretary,
        effective_from=datetime.date(1999, 1, 1),
    )
    assert "1 January 2000" in messages(error)


def test_without_rules_of_its_own_an_organisation_meets_under_what_its_membership_rules_say():
    member = MembershipFactory(rules={"meeting_notice_clear_days": 21, "quorum_members": 8, "quorum_percent": 10})
    rules = rules_in_force(member.organisation, on=datetime.date(2030, 1, 1))
    assert rules.pk is None and rules.notice_agm_days == 21
    assert rules.quorum_required(MeetingKind.AGM, 50) == 5  # 8 members or 10%, whichever is lower
    assert rules.quorum_required(MeetingKind.AGM, 200) == 8


# -- Calling a meeting -----------------------------------------------------------------------------------


def test_a_meeting_needs_a_future_start_and_a_place_or_a_link():
    world = society()
    base = {
        "organisation": world.organisation,
        "by": world.secretary,
        "kind": "agm",
        "title": "AGM",
        "now": NOTICE_DAY,
    }
    assert "starts_at" in refused(services.meeting_create, starts_at=at(2030, 2, 1), place="Hall", **base).message_dict
    assert "place" in refused(services.meeting_create, starts_at=MEETING, **base).message_dict
    assert not Meeting.objects.exists()
    hybrid = services.meeting_create(starts_at=MEETING, online_url="https://meet.example.org/agm", **base)
    assert hybrid.status == MeetingStatus.DRAFT


def test_papers_must_be_pdfs_within_the_size_limit(monkeypatch):
    world = society()
    meeting, _ = draft(world)
    item = services.agenda_item_add(
        meeting=meeting,
        by=world.secretary,
        title="Annual accounts",
        paper=ContentFile(PDF, name="Accounts 2029.pdf"),
        paper_title="Accounts for 2029",
    )
    assert item.paper.name.endswith("accounts-2029.pdf") and item.paper.read().startswith(b"%PDF-")
    error = refused(
        services.agenda_item_add,
        meeting=meeting,
        by=world.secretary,
        title="Report",
        paper=ContentFile(b"<html>not a pdf</html>", name="report.pdf"),
    )
    assert error.message_dict["paper"] == ["The paper must be a PDF."]
    monkeypatch.setattr(services, "PAPER_MAX_BYTES", 10)
    error = refused(services.agenda_item_add, meeting=meeting, by=world.secretary, title="R", paper=ContentFile(PDF))
    assert "20 MB" in messages(error)
    assert meeting.agenda_items.count() == 1


def test_a_meeting_inside_the_notice_period_is_refused_with_the_earliest_date():
    world = society()
    meeting, _ = draft(world, starts_at=at(2030, 3, 15), resolutions=[("ordinary", "hands")])
    error = refused(services.notice_send, meeting=meeting, by=world.secretary, now=NOTICE_DAY)
    assert error.message_dict["starts_at"] == [
        "The meeting must be at least 14 clear days after the notice: the earliest date is 16 March 2030."
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT and meeting.notice_sent_on is None
    assert not Resolution.objects.filter(box__isnull=False).exists()
    # 16 March is the earliest lawful day: 2 to 15 March are clear.
    services.meeting_update(meeting=meeting, by=world.secretary, starts_at=at(2030, 3, 16), now=NOTICE_DAY)
    assert services.notice_send(meeting=meeting, by=world.secretary, now=NOTICE_DAY).status == MeetingStatus.CALLED


def test_short_notice_needs_rules_that_allow_it_and_enough_members_agreeing_with_a_reason():
    world = society(members=10, rules={"short_notice_allowed": True})
    meeting, _ = draft(world, starts_at=at(2030, 3, 8))
    error = refused(services.notice_send, meeting=meeting, by=world.secretary, now=NOTICE_DAY)
    assert "record their agreement" in messages(error)
    error = refused(
        services.notice_send,
        meeting=meeting,
        by=world.secretary,
        now=NOTICE_DAY,
        short_notice_agreed=True,
        short_notice_reason="The roof needs mending before the spring.",
        short_notice_consents=8,
    )
    assert "at least 9 members" in messages(error)  # 90% of 10
    meeting = services.notice_send(
        meeting=meeting,
        by=world.secretary,
        now=NOTICE_DAY,
        short_notice_agreed=True,
        short_notice_reason="The roof needs mending before the spring.",
        short_notice_consents=9,
    )
    assert meeting.short_notice_agreed and meeting.short_notice_consents == 9


def test_the_notice_opens_each_resolutions_box_and_goes_by_email_or_post_in_each_members_language(
    django_capture_on_commit_callbacks,
):
    world = society(members=3)
    welsh = world.members[0]
    welsh.preferred_language = "cy"
    welsh.save()
    posted = MembershipFactory(
        stakeholder_class=world.organisation.stakeholder_classes.first(), admitted_on=datetime.date(2020, 1, 1)
    ).person
    meeting, _ = draft(world, resolutions=[("ordinary", "advance"), ("special", "poll")])
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.notice_send(meeting=meeting, by=world.secretary, now=NOTICE_DAY)
    boxes = [r.box for r in meeting.resolutions.all()]
    assert all(box.is_open and box.electorate_size == 4 for box in boxes)  # the non-voter is not on it
    emailed = {message.to[0] for message in mail.outbox}
    assert emailed == {person.email for person in world.members}  # the 4th takes notices by post
    english = next(m for m in mail.outbox if m.to == [world.members[1].email])
    assert english.subject == "Notice of the annual general meeting: Annual general meeting 2030"
    assert "That resolution 1 be passed." in english.body and "at least 3/4 (75%) of the votes cast" in english.body
    name, ical, content_type = english.attachments[0]
    assert name.endswith(".ics") and content_type == "text/calendar" and "BEGIN:VEVENT" in str(ical)
    welsh_mail = next(m for m in mail.outbox if m.to == [welsh.email])
    assert "Cyfarfod cyffredinol blynyddol 2030" in welsh_mail.subject
    letters = NoticeLetters.objects.get(meeting=meeting)
    assert bytes(letters.pdf).startswith(b"%PDF-") and letters.letters == 2  # the non-voter and the posted member
    assert posted.email not in emailed


def test_once_the_notice_is_sent_the_agenda_and_resolutions_are_fixed():
    world = society()
    meeting, (resolution,) = called(world, resolutions=[("ordinary", "hands")])
    assert "fixed" in messages(
        refused(services.resolution_update, resolution=resolution, by=world.secretary, text="Something else")
    )
    assert "fixed" in messages(refused(services.resolution_remove, resolution=resolution, by=world.secretary))
    assert "fixed" in messages(
        refused(services.meeting_update, meeting=meeting, by=world.secretary, starts_at=at(2030, 4, 1))
    )


# -- Requisitions ----------------------------------------------------------------------------------------


def test_a_requisition_reaches_its_signatures_and_the_secretary_is_told_the_deadline(
    django_capture_on_commit_callbacks,
):
    world = society(
        members=10,
        rules={
            "requisition_number": 3,
            "requisition_share_numerator": None,
            "requisition_share_denominator": None,
            "requisition_rule": "number",
        },
    )
    first, second, third = world.members[:3]
    requisition = services.requisition_open(
        organisation=world.organisation,
        by=first,
        purpose="The board has not consulted tenants on the repairs contract.",
        proposed_resolutions="That the repairs contract be put to the members.",
        now=NOTICE_DAY,
    )
    assert selectors.requisition_progress(requisition).still_needed == 2
    services.requisition_sign(requisition=requisition, by=second, now=NOTICE_DAY)
    error = refused(services.requisition_sign, requisition=requisition, by=second, now=NOTICE_DAY)
    assert error.messages == ["You have already signed this requisition."]
    error = refused(services.requisition_sign, requisition=requisition, by=world.non_voter, now=NOTICE_DAY)
    assert "cannot vote" in messages(error)
    assert requisition.signatures.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_sign(requisition=requisition, by=third, now=NOTICE_DAY)
    requisition.refresh_from_db()
    assert requisition.reached_at == NOTICE_DAY and requisition.signatures_needed == 3
    assert requisition.call_by == datetime.date(2030, 3, 29)  # 28 days
    assert requisition.secretary_notified_at is not None
    (message,) = mail.outbox
    assert message.to == [world.secretary.email] and "29 March 2030" in message.body
    # The special general meeting called for it.
    meeting = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind="sgm",
        title="Special general meeting on repairs",
        starts_at=MEETING,
        place="Hall",
        requisition=requisition,
        now=NOTICE_DAY,
    )
    assert meeting.requisition == requisition and selectors.requisition_progress(requisition).called
    assert "already been called" in messages(
        refused(services.requisition_sign, requisition=requisition, by=world.members[3], now=NOTICE_DAY)
    )


def test_a_requisition_not_yet_reached_cannot_be_answered_by_a_meeting():
    # The default rules ask for 20 members or 10%, whichever is lower: one member in a society of 6.
    world = society(rules={"requisition_rule": "number"})
    requisition = services.requisition_open(
        organisation=world.organisation, by=world.members[0], purpose="Why", proposed_resolutions="What", now=NOTICE_DAY
    )
    error = refused(
        services.meeting_create,
        organisation=world.organisation,
        by=world.secretary,
        kind="sgm",
        title="SGM",
        starts_at=MEETING,
        place="Hall",
        requisition=requisition,
        now=NOTICE_DAY,
    )
    assert "requisition" in error.message_dict
    assert "Only members" in messages(
        refused(
            services.requisition_open,
            organisation=world.organisation,
            by=UserFactory(),
            purpose="Why",
            proposed_resolutions="What",
        )
    )
    assert Requisition.objects.count() == 1


# -- Proxies ---------------------------------------------------------------------------------------------

BEFORE_DEADLINE = at(2030, 3, 18, 18)  # the deadline is 48 hours before 19:00 on 20 March
AFTER_DEADLINE = at(2030, 3, 18, 19, 1)


def test_a_member_appoints_a_directed_proxy_and_can_revoke_it_before_the_deadline():
    world = society(rules={"proxy_limit": 2})
    meeting, (one, two) = called(world, resolutions=[("ordinary", "hands"), ("special", "poll")])
    appointer, holder = world.members[:2]
    directions = {str(one.pk): "for", str(two.pk): "against"}
    proxy = services.proxy_appoint(
        meeting=meeting, appointer=appointer, by=appointer, holder=holder, directions=directions, now=BEFORE_DEADLINE
    )
    assert proxy.directed and proxy.direction(two) == "against"
    assert selectors.proxy_of(meeting, appointer) == proxy
    assert "revoke it" in messages(
        refused(services.proxy_appoint, meeting=meeting, appointer=appointer, by=appointer, now=BEFORE_DEADLINE)
    )
    services.proxy_revoke(proxy=proxy, by=appointer, now=BEFORE_DEADLINE)
    chair = services.proxy_appoint(meeting=meeting, appointer=appointer, by=appointer, now=BEFORE_DEADLINE)
    assert chair.held_by_chair and not chair.directed
    assert Proxy.objects.filter(meeting=meeting).count() == 2
    assert not AuditEvent.objects.filter(action="meeting.proxy_appoint", data__has_key="directions").exists()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("after_deadline", "had to be appointed by 18 March 2030, 19:00"),
        ("directions_missing", "on every resolution"),
        ("bad_direction", "on every resolution"),
        ("holder_not_member", "must be a member"),
        ("self", "someone else"),
        ("non_voter", "cannot vote"),
        ("limit", "already holds 2 proxies"),
        ("not_allowed", "do not allow voting by proxy"),
    ],
)
def test_proxies_are_refused_as_the_rules_say_and_nothing_is_written(case, expected):
    world = society(rules={"proxy_limit": 2, "proxies_allowed": case != "not_allowed"})
    meeting, (one, two) = called(world, resolutions=[("ordinary", "hands"), ("ordinary", "hands")])
    appointer, holder = world.members[:2]
    kwargs = {"meeting": meeting, "appointer": appointer, "by": appointer, "holder": holder, "now": BEFORE_DEADLINE}
    if case == "limit":
        for other in world.members[2:4]:
            services.proxy_appoint(meeting=meeting, appointer=other, by=other, holder=holder, now=BEFORE_DEADLINE)
    before = Proxy.objects.count()
    kwargs.update(
        {
            "after_deadline": {"now": AFTER_DEADLINE},
            "directions_missing": {"directions": {str(one.pk): "for"}},
            "bad_direction": {"directions": {str(one.pk): "for", str(two.pk): "maybe"}},
            "holder_not_member": {"holder": UserFactory()},
            "self": {"holder": appointer},
            "non_voter": {"appointer": world.non_voter, "by": world.non_voter},
        }.get(case, {})
    )
    assert expected in messages(refused(services.proxy_appoint, **kwargs))
    assert Proxy.objects.count() == before


def test_the_chair_may_hold_any_number_of_proxies_and_revoking_after_the_deadline_is_refused():
    world = society(members=6, rules={"proxy_limit": 1})
    meeting, _ = called(world, resolutions=[("ordinary", "hands")])
    proxies = [
        services.proxy_appoint(meeting=meeting, appointer=member, by=member, now=BEFORE_DEADLINE)
        for member in world.members[:4]
    ]
    assert selectors.proxy_counts(meeting) == {None: 4}
    error = refused(services.proxy_revoke, proxy=proxies[0], by=world.members[0], now=AFTER_DEADLINE)
    assert "had to be revoked by" in messages(error)
    assert Proxy.objects.get(pk=proxies[0].pk).revoked_at is None


# -- At the meeting ----------------------------------------------------------------------------------------


def test_members_check_in_at_the_door_or_with_their_notices_code():
    world = society(members=3)
    meeting, _ = called(world, online_url="https://meet.example.org/agm")
    early = refused(
        services.attendance_check_in,
        meeting=meeting,
        person=world.members[0],
        by=world.secretary,
        mode="in_person",
        now=at(2030, 3, 20, 16, 59),
    )
    assert "Check-in opens at 20 March 2030, 17:00" in messages(early)
    door = services.attendance_check_in(
        meeting=meeting, person=world.members[0], by=world.secretary, mode="in_person", now=MEETING
    )
    assert door.may_vote and door.checked_in_by == world.secretary
    token = selectors.check_in_token(meeting, world.members[1])
    own = services.attendance_check_in(
        meeting=meeting, person=world.members[1], token=token, mode="online", now=MEETING
    )
    assert own.checked_in_by is None and own.mode == "online"
    assert "not for this meeting" in messages(
        refused(
            services.attendance_check_in,
            meeting=meeting,
            person=world.members[2],
            token=token,
            mode="online",
            now=MEETING,
        )
    )
    assert "QR code" in messages(
        refused(services.attendance_check_in, meeting=meeting, person=world.members[2], mode="online", now=MEETING)
    )
    assert "Only members" in messages(
        refused(
            services.attendance_check_in,
            meeting=meeting,
            person=UserFactory(),
            by=world.secretary,
            mode="in_person",
            now=MEETING,
        )
    )
    assert "already checked in" in messages(
        refused(
            services.attendance_check_in,
            meeting=meeting,
            person=world.members[0],
            by=world.secretary,
            mode="online",
            now=MEETING,
        )
    )
    supporter = services.attendance_check_in(
        meeting=meeting, person=world.non_voter, by=world.secretary, mode="in_person", now=MEETING
    )
    assert not supporter.may_vote  # attends, but does not vote
    assert Attendance.objects.filter(meeting=meeting).count() == 3


def test_business_starts_only_when_quorate_with_proxies_counted_as_the_rules_say():
    world = society(members=6, rules={"quorum_number": 4})
    meeting, _ = called(world)
    services.proxy_appoint(
        meeting=meeting, appointer=world.members[4], by=world.members[4], holder=world.members[0], now=BEFORE_DEADLINE
    )
    for person in [*world.members[:2], world.non_voter]:
        services.attendance_check_in(meeting=meeting, person=person, by=world.secretary, mode="in_person", now=MEETING)
    error = refused(services.business_start, meeting=meeting, by=world.secretary, now=MEETING)
    assert error.messages == [
        "The meeting is not quorate: the quorum is 4 and 3 count (2 present with a vote and 1 represented by proxy)."
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CALLED and meeting.quorum_present is None
    services.attendance_check_in(
        meeting=meeting, person=world.members[2], by=world.secretary, mode="in_person", now=MEETING
    )
    live = selectors.quorum_now(meeting)
    assert (live.required, live.present, live.attending, live.represented) == (4, 4, 3, 1)
    meeting = services.business_start(meeting=meeting, by=world.secretary, chair=world.board_member, now=MEETING)
    assert meeting.status == MeetingStatus.IN_PROGRESS and meeting.chair == world.board_member
    assert (meeting.quorum_required, meeting.quorum_present, meeting.members_entitled) == (4, 4, 6)


def test_without_proxies_counting_the_same_room_is_not_quorate():
    world = society(members=6, rules={"quorum_number": 4, "proxies_count_to_quorum": False})
    meeting, _ = called(world)
    services.proxy_appoint(meeting=meeting, appointer=world.members[4], by=world.members[4], now=BEFORE_DEADLINE)
    error = refused(started, world, meeting, present=world.members[:3])
    assert "the quorum is 4 and 3 count (3 present with a vote)" in messages(error)


def test_one_vote_per_member_across_advance_votes_proxies_the_poll_and_hands(django_capture_on_commit_callbacks):
    world = society(members=6, rules={"quorum_number": 3})
    a, b, c, d, e, f = world.members
    meeting, (advance, poll) = called(world, resolutions=[("ordinary", "advance"), ("ordinary", "poll")])
    # Before the meeting: A votes in advance on the first resolution; B directs C to vote against
    # the first and for the second; D leaves both to the chair's discretion.
    receipt = services.advance_vote(resolution=advance, person=a, choice="for", now=BEFORE_DEADLINE)
    assert len(receipt) == 14
    assert refused(services.advance_vote, resolution=advance, person=a, choice="against", now=BEFORE_DEADLINE).code == (
        "already_voted"
    )
    assert "not in advance" in messages(
        refused(services.advance_vote, resolution=poll, person=a, choice="for", now=BEFORE_DEADLINE)
    )
    assert "cannot vote" in messages(
        refused(services.advance_vote, resolution=advance, person=world.non_voter, choice="for", now=BEFORE_DEADLINE)
    )
    services.proxy_appoint(
        meeting=meeting,
        appointer=b,
        by=b,
        holder=c,
        directions={str(advance.pk): "against", str(poll.pk): "for"},
        now=BEFORE_DEADLINE,
    )
    chairs = services.proxy_appoint(meeting=meeting, appointer=d, by=d, now=BEFORE_DEADLINE)
    assert "until the meeting starts" in messages(
        refused(services.advance_vote, resolution=advance, person=e, choice="for", now=MEETING)
    )
    # At the meeting A, C and E come; the secretary chairs.
    meeting = started(world, meeting, present=[a, c, e])
    # Hands on the first resolution: only C and E may still vote (A voted in advance).
    error = refused(services.hands_record, resolution=advance, by=world.secretary, for_votes=2, against_votes=1)
    assert error.code == "too_many_hands" and "2 members" in messages(error)
    services.hands_record(resolution=advance, by=world.secretary, for_votes=1, against_votes=1)
    # The chair votes D's discretionary proxy; C cannot vote B's directed one by hand.
    services.proxy_vote(resolution=advance, proxy=chairs, by=world.secretary, choice="for")
    b_proxy = selectors.proxy_of(meeting, b)
    assert refused(services.proxy_vote, resolution=advance, proxy=b_proxy, by=c, choice="for").code == "directed"
    assert refused(services.proxy_vote, resolution=advance, proxy=chairs, by=c, choice="for").code == "not_holder"
    assert refused(services.proxy_vote, resolution=advance, proxy=chairs, by=world.secretary, choice="for").code == (
        "already_voted"
    )
    declared = services.resolution_declare(resolution=advance, by=world.secretary)
    # A (advance) for, D (the chair's proxy) for, one hand for; B (directed) against, one hand against.
    assert (declared.for_votes, declared.against_votes, declared.abstain_votes) == (3, 2, 0)
    assert declared.passed and declared.threshold == declared.meeting.rules.threshold_for("ordinary")
    marks = dict(Mark.objects.filter(box=declared.box).values_list("elector__person_id", "channel"))
    assert marks == {a.pk: Channel.ONLINE, b.pk: Channel.PROXY, d.pk: Channel.PROXY}
    # The poll: B's directed proxy is cast as the poll opens; members present vote once.
    assert refused(services.poll_vote, resolution=poll, person=c, choice="for").code == "not_open"
    services.poll_open(resolution=poll, by=world.secretary)
    assert selectors.resolution_figures(Resolution.objects.get(pk=poll.pk)).voted_by_proxy == 1
    for person, choice in ((a, "against"), (c, "against"), (e, "abstain")):
        services.poll_vote(resolution=poll, person=person, choice=choice)
    assert refused(services.poll_vote, resolution=poll, person=c, choice="for").code == "already_voted"
    assert refused(services.poll_vote, resolution=poll, person=f, choice="for").code == "not_present"
    figures = selectors.resolution_figures(Resolution.objects.get(pk=poll.pk))
    assert (figures.voted_online, figures.for_votes) == (3, None)  # nothing of the contents before the declaration
    services.proxy_vote(resolution=poll, proxy=chairs, by=world.secretary, choice="for")
    declared = services.resolution_declare(resolution=poll, by=world.secretary)
    assert (declared.for_votes, declared.against_votes, declared.abstain_votes) == (2, 2, 1)
    assert declared.passed is False  # a tie fails
    assert Ballot.objects.filter(box=declared.box).count() == 5
    assert refused(services.poll_vote, resolution=poll, person=e, choice="for").code == "declared"


def test_a_special_resolution_passes_at_exactly_three_quarters_and_fails_one_vote_below():
    world = society(members=8, rules={"quorum_number": 3})
    meeting, (at_threshold, below) = called(world, resolutions=[("special", "hands"), ("special", "hands")])
    meeting = started(world, meeting, present=world.members[:8])
    services.hands_record(resolution=at_threshold, by=world.secretary, for_votes=6, against_votes=2, abstain_votes=0)
    services.hands_record(resolution=below, by=world.secretary, for_votes=5, against_votes=2, abstain_votes=1)
    carried = services.resolution_declare(resolution=at_threshold, by=world.secretary)
    lost = services.resolution_declare(resolution=below, by=world.secretary)
    assert carried.passed and (carried.threshold.fraction, carried.threshold.inclusive) == (Fraction(3, 4), True)
    assert not lost.passed  # 5 of 7 cast is 71.4%


def test_a_declaration_needs_the_count_and_the_meeting_closes_only_when_all_are_declared():
    world = society(rules={"quorum_number": 1})
    meeting, (resolution,) = called(world, resolutions=[("ordinary", "hands")])
    meeting = started(world, meeting, present=world.members[:2])
    assert refused(services.resolution_declare, resolution=resolution, by=world.secretary).code == "no_hands"
    assert "Resolution 1" in messages(refused(services.meeting_close, meeting=meeting, by=world.secretary))
    assert refused(
        services.hands_record, resolution=resolution, by=world.secretary, for_votes=-1, against_votes=0
    ).code == ("bad_count")
    services.hands_record(resolution=resolution, by=world.secretary, for_votes=2, against_votes=0)
    services.resolution_declare(resolution=resolution, by=world.secretary)
    assert refused(
        services.hands_record, resolution=resolution, by=world.secretary, for_votes=1, against_votes=0
    ).code == ("declared")
    meeting = services.meeting_close(meeting=meeting, by=world.secretary)
    assert meeting.status == MeetingStatus.CLOSED


# -- Statutory resolutions and their confirmation ---------------------------------------------------------


def test_a_transfer_of_engagements_is_confirmed_at_a_second_meeting_within_the_window():
    world = society(members=6, rules={"quorum_number": 3})
    first, (transfer,) = called(world, resolutions=[("amalgamation_or_transfer", "hands")])
    first = started(world, first, present=world.members[:6])
    services.hands_record(resolution=transfer, by=world.secretary, for_votes=4, against_votes=2)
    transfer = services.resolution_declare(resolution=transfer, by=world.secretary)
    assert transfer.passed and not selectors.is_confirmed(transfer)  # exactly two-thirds
    services.meeting_close(meeting=first, by=world.secretary, now=at(2030, 3, 20, 21))
    assert selectors.confirmation_due(transfer) == (datetime.date(2030, 4, 3), datetime.date(2030, 4, 20))
    assert list(selectors.awaiting_confirmation(world.organisation)) == [transfer]
    too_late = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind="sgm",
        title="Too late",
        starts_at=at(2030, 4, 21),
        place="Hall",
        now=NOTICE_DAY,
    )
    error = refused(
        services.resolution_add,
        meeting=too_late,
        by=world.secretary,
        kind="confirmation",
        method="hands",
        title="Confirm",
        text="That the transfer be confirmed.",
        confirms=transfer,
    )
    assert "between 3 April 2030 and 20 April 2030" in messages(error)
    second = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind="sgm",
        title="Confirmation",
        starts_at=at(2030, 4, 10),
        place="Hall",
        now=at(2030, 3, 21),
    )
    confirmation = services.resolution_add(
        meeting=second,
        by=world.secretary,
        kind="confirmation",
        method="hands",
        title="Confirm",
        text="That the transfer be confirmed.",
        confirms=transfer,
    )
    services.notice_send(meeting=second, by=world.secretary, now=at(2030, 3, 21))
    second = started(world, second, present=world.members[:4], now=at(2030, 4, 10, 19))
    services.hands_record(resolution=confirmation, by=world.secretary, for_votes=3, against_votes=1)
    services.resolution_declare(resolution=confirmation, by=world.secretary)
    assert selectors.is_confirmed(transfer)
    copy = selectors.special_resolution_copy(transfer)
    assert copy.section == "111" and copy.confirmed_on == datetime.date(2030, 4, 10)
    assert copy.confirmation_figures == (3, 1, 0) and copy.secretaries == (str(world.secretary),)


def test_dissolution_counts_every_member_and_special_resolutions_belong_to_general_meetings():
    world = society(members=4, rules={"quorum_number": 1})
    meeting, (dissolution,) = called(world, resolutions=[("dissolution", "hands")])
    meeting = started(world, meeting, present=world.members[:4])
    services.hands_record(resolution=dissolution, by=world.secretary, for_votes=4, against_votes=0)
    dissolution = services.resolution_declare(resolution=dissolution, by=world.secretary)
    # 4 for, of 5 members (the member without a vote is a member too): 80%.
    assert dissolution.members_entitled == 5 and dissolution.passed
    board, _ = draft(world, kind=MeetingKind.BOARD)
    error = refused(
        services.resolution_add, meeting=board, by=world.secretary, kind="special", method="hands", title="T", text="X"
    )
    assert "general meeting" in messages(error)


# -- Minutes ----------------------------------------------------------------------------------------------


def test_minutes_are_drafted_from_the_record_approved_at_a_later_meeting_and_published():
    world = society(members=4, rules={"quorum_number": 2})
    meeting, (resolution,) = called(world, resolutions=[("special", "hands")])
    meeting = started(world, meeting, present=world.members[:3])
    assert refused(services.minutes_draft, meeting=meeting, by=world.secretary).code == "not_closed"
    services.hands_record(resolution=resolution, by=world.secretary, for_votes=3, against_votes=0)
    services.resolution_declare(resolution=resolution, by=world.secretary)
    meeting = services.meeting_close(meeting=meeting, by=world.secretary, now=at(2030, 3, 20, 20, 30))
    minutes = services.minutes_draft(meeting=meeting, by=world.secretary)
    assert "Quorum: 2 required, 3 present when business started at 19:00." in minutes.text
    assert "For: 3. Against: 0. Abstentions: 0." in minutes.text
    assert "Needed: at least 3/4 (75%) of the votes cast." in minutes.text
    assert "The chair declared the resolution carried." in minutes.text
    assert "The meeting closed at 20:30." in minutes.text
    assert minutes.text_cy  # drafted in Welsh too (in English words until the translations are in)
    assert refused(services.minutes_draft, meeting=meeting, by=world.secretary).code == "drafted"
    services.minutes_update(minutes=minutes, by=world.secretary, text=minutes.text + "\nApologies: none.")
    assert refused(services.minutes_publish, minutes=minutes, by=world.secretary).code == "not_approved"
    error = refused(services.minutes_approve, minutes=minutes, by=world.secretary, at_meeting=meeting)
    assert "at_meeting" in error.message_dict
    next_year, _ = called(world, starts_at=at(2030, 3, 27))
    next_year = started(world, next_year, present=world.members[:2], now=at(2030, 3, 27, 19))
    minutes = services.minutes_approve(minutes=minutes, by=world.secretary, at_meeting=next_year)
    assert minutes.status == MinutesStatus.APPROVED
    assert refused(services.minutes_update, minutes=minutes, by=world.secretary, text="Rewritten").code == "approved"
    minutes = services.minutes_publish(minutes=minutes, by=world.secretary)
    assert selectors.published_minutes(meeting) == minutes
    assert Minutes.objects.get(pk=minutes.pk).text.endswith("Apologies: none.")


# -- What people may see, and the audit trail -------------------------------------------------------------


def test_members_see_their_organisations_meetings_and_the_public_only_where_the_record_is_public():
    world = society()
    meeting, _ = called(world)
    draft_meeting, _ = draft(world)
    member, outsider = world.members[0], UserFactory()
    assert list(selectors.meetings_for_member(user=member)) == [meeting]
    assert not selectors.meetings_for_member(user=outsider).exists()
    assert not selectors.public_meetings().filter(pk=meeting.pk).exists()
    assert selectors.meeting_for_member(user=member, meeting_id=meeting.pk) == meeting
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.meeting_for_member(user=outsider, meeting_id=meeting.pk)
    with pytest.raises(Http404):
        selectors.meeting_for_member(user=member, meeting_id=draft_meeting.pk)
    assert selectors.meeting_to_run(user=world.secretary, meeting_id=draft_meeting.pk) == draft_meeting
    services.rules_set(
        organisation=world.organisation,
        by=world.secretary,
        effective_from=datetime.date(2001, 1, 1),
        record_public=True,
    )
    assert selectors.public_meetings().filter(pk=meeting.pk).exists()
    assert selectors.meeting_for_member(user=outsider, meeting_id=meeting.pk) == meeting
    # The board's meetings stay the board's, and a hidden organisation's record is not listed.
    board, _ = called(world, kind=MeetingKind.BOARD)
    assert not selectors.public_meetings().filter(pk=board.pk).exists()
    world.organisation.is_public = False
    world.organisation.save(update_fields=["is_public"])
    assert not selectors.public_meetings().exists()
    with pytest.raises(Http404):  # its meeting's page too, not only the list and the API
        selectors.meeting_for_member(user=outsider, meeting_id=meeting.pk)
    world.organisation.is_public = True
    world.organisation.save(update_fields=["is_public"])
    record = selectors.meeting_record(meeting)
    assert record["notice_clear_days"] == 14 and record["notice_sent_on"] == "2030-03-01"


def test_every_action_written_has_words_for_the_audit_trail(django_capture_on_commit_callbacks):
    test_one_vote_per_member_across_advance_votes_proxies_the_poll_and_hands(django_capture_on_commit_callbacks)
    written = set(
        AuditEvent.objects.filter(action__regex=r"^(meeting|minutes|requisition)").values_list("action", flat=True)
    )
    assert written and written <= set(AUDIT_ACTIONS)
    assert set(AUDIT_ACTIONS) >= {"meeting_rules.set", "requisition.reached", "minutes.publish"}
    assert StakeholderClassFactory and MeetingRulesFactory and ResolutionKind and VotingMethod  # imported for readers


def test_a_draft_resolution_can_be_changed_and_a_paper_added_until_the_meeting_starts():
    world = society(rules={"quorum_number": 1})
    meeting, (resolution,) = draft(world, resolutions=[("ordinary", "hands")])
    item = services.agenda_item_add(meeting=meeting, by=world.secretary, title="Annual accounts")
    resolution = services.resolution_update(
        resolution=resolution, by=world.secretary, kind="special", method="poll", agenda_item=item, text="  New text. "
    )
    assert (resolution.kind, resolution.method, resolution.text) == ("special", "poll", "New text.")
    meeting = services.notice_send(meeting=meeting, by=world.secretary, now=NOTICE_DAY)
    item = services.agenda_paper_attach(
        item=item, by=world.secretary, paper=ContentFile(PDF, name="accounts.pdf"), paper_title="Accounts"
    )
    assert item.paper and list(selectors.papers(meeting)) == [item]
    started(world, meeting, present=world.members[:1])
    error = refused(
        services.agenda_paper_attach, item=item, by=world.secretary, paper=ContentFile(PDF), paper_title="Later"
    )
    assert "until the meeting starts" in messages(error)


def test_self_check_in_needs_the_person_signed_in_and_their_own_code():
    world = society()
    meeting, _ = called(world)
    token = selectors.check_in_token(meeting, world.members[0])
    assert refused(services.attendance_check_in, meeting=meeting, token=token, mode="in_person", now=MEETING).code == (
        "no_token"
    )
    assert selectors.check_in_person_id(meeting, token + "x") is None
    other, _ = called(world)
    assert selectors.check_in_person_id(other, token) is None


def test_a_board_meeting_is_the_boards_its_quorum_the_board_rules_and_it_takes_no_proxies(
    django_capture_on_commit_callbacks,
):
    world = society(rules={"board_quorum_number": 1, "board_quorum_rule": "number"})
    meeting, (resolution,) = draft(
        world, kind=MeetingKind.BOARD, starts_at=at(2030, 3, 9), resolutions=[("ordinary", "hands")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.notice_send(meeting=meeting, by=world.secretary, now=NOTICE_DAY)  # 7 clear days
    assert [message.to for message in mail.outbox] == [[world.board_member.email]]
    assert Resolution.objects.get(pk=resolution.pk).box.electorate_size == 1
    assert (
        refused(
            services.proxy_appoint,
            meeting=meeting,
            appointer=world.board_member,
            by=world.board_member,
            now=at(2030, 3, 2),
        ).code
        == "not_general"
    )
    assert "board" in messages(
        refused(
            services.attendance_check_in,
            meeting=meeting,
            person=world.members[0],
            by=world.secretary,
            mode="in_person",
            now=at(2030, 3, 9, 19),
        )
    )
    meeting = started(world, meeting, present=[world.board_member], now=at(2030, 3, 9, 19))
    assert (meeting.quorum_required, meeting.quorum_present) == (1, 1)
