"""The secretary's and the chair's pages: the rules, calling a meeting (details, agenda, papers,
resolutions, the notice refused inside the notice period), the proxy list, the register at the door
with the quorum live, the chair's screen (hands, the secret poll, the chair's proxies, the
declaration at the threshold's boundary), closing, the minutes, and the copy for the regulator.

The pages use the clock, so a meeting "happens" by moving its start to a moment ago once its
notice has been sent and its proxies appointed, as the elections' tests move their timetable.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import sign_in_with_mfa
from coproduce.governance import selectors, services
from coproduce.governance.models import (
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingRules,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeLetters,
    Resolution,
)
from coproduce.governance.tests.factories import society
from coproduce.members.models import Membership

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _readable_pages(monkeypatch):
    """Read pages as people do: with HTML entities (&#x27; for ') turned back into characters."""
    from django.http import HttpResponse

    monkeypatch.setattr(HttpResponse, "text", property(lambda response: html.unescape(response.content.decode())))


@pytest.fixture(autouse=True)
def _english():
    yield
    translation.activate("en")


@pytest.fixture
def world():
    """A housing co-op with 8 members with a vote (and one without), a secretary and a board member,
    whose rules say: AGMs on 14 clear days' notice, a quorum of 5 with proxies counting, 75% for a
    special resolution."""
    made = society(members=8, rules={"quorum_number": 5, "proxy_limit": 3})
    organisation = made.organisation
    organisation.slug = "elmwood-housing"
    organisation.name = "Elmwood Housing Co-operative"
    organisation.save(update_fields=["slug", "name"])
    for number, person in enumerate(made.members, start=1):
        person.full_name = f"Member {'ABCDEFGH'[number - 1]}"
        person.save(update_fields=["full_name"])
    return made


def _moment(prefix: str, when: datetime.datetime) -> dict[str, str]:
    when = timezone.localtime(when)
    return {
        f"{prefix}_day": str(when.day),
        f"{prefix}_month": str(when.month),
        f"{prefix}_year": str(when.year),
        f"{prefix}_time": when.strftime("%H:%M"),
    }


def _meeting_form(starts_at: datetime.datetime, **changes) -> dict[str, str]:
    data = {
        "kind": "agm",
        "title": "Annual general meeting",
        "title_cy": "Cyfarfod cyffredinol blynyddol",
        "place": "Elmwood community hall",
        "online_url": "",
        **_moment("starts_at", starts_at),
    }
    data.update(changes)
    return data


def _resolution_form(**changes) -> dict[str, str]:
    data = {
        "action": "resolution_add",
        "resolution-kind": "ordinary",
        "resolution-title": "Receive the accounts",
        "resolution-text": "That the annual accounts for 2025 be received.",
        "resolution-method": "hands",
    }
    data.update(changes)
    return data


def _in_days(days: int, hour: int = 19) -> datetime.datetime:
    day = timezone.localdate() + days * DAY
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _draft(world, *, days: int = 20, kind: str = MeetingKind.AGM, resolutions=()) -> tuple[Meeting, list[Resolution]]:
    meeting = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind=kind,
        title="Annual general meeting",
        starts_at=_in_days(days),
        place="Elmwood community hall",
    )
    made = [
        services.resolution_add(
            meeting=meeting, by=world.secretary, kind=k, method=method, title=f"Resolution {n}", text=f"That {n}."
        )
        for n, (k, method) in enumerate(resolutions, start=1)
    ]
    return meeting, made


def _called(world, **kwargs) -> tuple[Meeting, list[Resolution]]:
    meeting, made = _draft(world, **kwargs)
    meeting = services.notice_send(meeting=meeting, by=world.secretary)
    return meeting, [Resolution.objects.get(pk=r.pk) for r in made]


def _now_is_the_meeting(meeting: Meeting) -> Meeting:
    """The meeting's time comes: its start moves to a minute ago."""
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=1))
    return Meeting.objects.get(pk=meeting.pk)


def _started(world, meeting: Meeting, present) -> Meeting:
    meeting = _now_is_the_meeting(meeting)
    for person in present:
        services.attendance_check_in(meeting=meeting, person=person, by=world.secretary, mode="in_person")
    return services.business_start(meeting=meeting, by=world.secretary)


def _quorum(page) -> str:
    match = re.search(r"Quorum: [^<]*", page.text)
    return match.group(0).strip() if match else ""


# -- The whole meeting through the pages -------------------------------------------------------------


def test_the_secretary_runs_an_agm_from_the_rules_to_the_signed_copy(client, world, django_capture_on_commit_callbacks):
    secretary, members = world.secretary, world.members
    sign_in_with_mfa(client, secretary)
    slug = world.organisation.slug

    # The rules: a new version from today.
    today = timezone.localdate()
    rules_page = client.get(f"/organisations/{slug}/meeting-rules/")
    assert rules_page.status_code == 200 and "In force today" in rules_page.text
    recorded = client.post(
        f"/organisations/{slug}/meeting-rules/",
        {
            "effective_from_day": today.day,
            "effective_from_month": today.month,
            "effective_from_year": today.year,
            "notice_agm_days": "14",
            "notice_sgm_days": "14",
            "notice_board_days": "7",
            "notice_committee_days": "7",
            "notice_deemed_served_after_days": "0",
            "short_notice_allowed": "no",
            "short_notice_share": "90%",
            "quorum_number": "5",
            "quorum_share": "",
            "quorum_rule": "number",
            "proxies_count_to_quorum": "yes",
            "board_quorum_number": "3",
            "board_quorum_share": "50%",
            "board_quorum_rule": "higher",
            "proxies_allowed": "yes",
            "proxy_limit": "3",
            "proxy_deadline_hours": "48",
            "requisition_number": "4",
            "requisition_share": "10%",
            "requisition_rule": "lower",
            "requisition_days_to_call": "28",
            "special": "75%",
            "special_inclusive": "reach",
            "record_public": "no",
        },
    )
    assert recorded.status_code == 302
    version = MeetingRules.objects.get(organisation=world.organisation, effective_from=today)
    assert (version.quorum_number, version.special_numerator, version.special_denominator) == (5, 3, 4)
    assert (version.requisition_share_numerator, version.requisition_share_denominator) == (1, 10)
    shown = client.get(f"/organisations/{slug}/meeting-rules/")
    assert f"In force since {_long(today)}" in shown.text and "5 members" in shown.text
    assert "at least 3/4 (75%) of the votes cast" in shown.text

    # Call an AGM 10 days away: the notice is refused, with the earliest lawful date.
    listing = client.get(f"/organisations/{slug}/meetings/")
    assert "Call a meeting" in listing.text
    created = client.post(f"/organisations/{slug}/meetings/new/", _meeting_form(_in_days(10)))
    meeting = Meeting.objects.get(organisation=world.organisation)
    assert created.status_code == 302 and created["Location"] == f"/meetings/{meeting.pk}/manage/"
    earliest = today + 15 * DAY
    manage = client.get(f"/meetings/{meeting.pk}/manage/")
    assert f"If you send the notice today, the earliest date is {_long(earliest)}." in manage.text
    assert "inside the notice period" in manage.text

    # The agenda, a paper, and three resolutions: an ordinary one by hands, two special ones by poll.
    added = client.post(
        f"/meetings/{meeting.pk}/manage/",
        {
            "action": "agenda_add",
            "title": "Annual accounts",
            "paper": SimpleUploadedFile("accounts 2025.pdf", PDF, content_type="application/pdf"),
            "paper_title": "Accounts 2025",
        },
    )
    assert added.status_code == 302
    assert AgendaItem.objects.get(meeting=meeting).paper.name.endswith(".pdf")
    for title, kind, method in (
        ("Receive the accounts", "ordinary", "hands"),
        ("Adopt the new rules", "special", "poll"),
        ("Change the name", "special", "poll"),
    ):
        made = client.post(
            f"/meetings/{meeting.pk}/manage/",
            _resolution_form(**{"resolution-title": title, "resolution-kind": kind, "resolution-method": method}),
        )
        assert made.status_code == 302, made.text
    ordinary, special, special_below = Resolution.objects.filter(meeting=meeting).order_by("order")

    with django_capture_on_commit_callbacks(execute=True):
        too_soon = client.post(
            f"/meetings/{meeting.pk}/notice/",
            {"sent_on_day": today.day, "sent_on_month": today.month, "sent_on_year": today.year},
        )
    assert too_soon.status_code == 200
    assert (
        f"The meeting must be at least 14 clear days after the notice: the earliest date is {_long(earliest)}."
        in too_soon.text
    )
    assert 'href="#id_sent_on_day"' in too_soon.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT and not NoticeLetters.objects.exists()

    # Moved to 20 days away, the notice goes: by email to the 8 members, by post to the one without email use.
    moved = client.post(f"/meetings/{meeting.pk}/edit/", _meeting_form(_in_days(20)))
    assert moved.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/meetings/{meeting.pk}/notice/",
            {"sent_on_day": today.day, "sent_on_month": today.month, "sent_on_year": today.year},
        )
    assert sent.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CALLED and meeting.notice_sent_on == today
    notice = client.get(f"/meetings/{meeting.pk}/notice/")
    assert "By email" in notice.text and "8 members" in notice.text and "1 member" in notice.text
    letters = client.get(f"/meetings/{meeting.pk}/notice/letters.pdf")
    assert letters.status_code == 200 and letters.content.startswith(b"%PDF")
    assert letters["Cache-Control"] == "private, no-store"

    # Before the deadline: member G appoints member A, directed; member H appoints the chair, to decide.
    ordinary, special, special_below = (Resolution.objects.get(pk=r.pk) for r in (ordinary, special, special_below))
    services.proxy_appoint(
        meeting=meeting,
        appointer=members[6],
        by=members[6],
        holder=members[0],
        directions={str(ordinary.pk): "for", str(special.pk): "for", str(special_below.pk): "for"},
    )
    services.proxy_appoint(meeting=meeting, appointer=members[7], by=members[7])
    proxies = client.get(f"/meetings/{meeting.pk}/proxies/")
    assert "Member G" in proxies.text and "The chair of the meeting" in proxies.text
    assert "As directed" in proxies.text and "As the proxy decides" in proxies.text

    # At the door: members are checked in until the meeting is quorate.
    meeting = _now_is_the_meeting(meeting)
    register = f"/meetings/{meeting.pk}/register/"
    door = client.get(register)
    assert _quorum(door) == "Quorum: 5 needed, 1 count — 0 present with a vote and 1 by proxy"
    found = client.get(register, {"q": "member a"})
    assert "Member A" in found.text and "Member B" not in found.text
    by_number = client.get(register, {"q": str(Membership.objects.get(person=members[1]).member_number)})
    assert "Member B" in by_number.text
    lines = []
    for person in members[:2]:
        assert client.post(register, {"person": person.pk, "mode": "in_person"}).status_code == 302
        lines.append(_quorum(client.get(register)))
    assert lines == [
        "Quorum: 5 needed, 3 count — 1 present with a vote and 2 by proxy",
        "Quorum: 5 needed, 4 count — 2 present with a vote and 2 by proxy",
    ]
    refused = client.post(f"/meetings/{meeting.pk}/start/", {"chair": secretary.pk})
    assert refused.status_code == 200
    assert (
        "The meeting is not quorate: the quorum is 5 and 4 count (2 present with a vote and 2 represented by proxy)."
        in refused.text
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CALLED
    assert client.post(register, {"person": members[2].pk, "mode": "in_person"}).status_code == 302
    assert _quorum(client.get(register)) == "Quorum: 5 needed, 5 count — 3 present with a vote and 2 by proxy"
    started = client.post(f"/meetings/{meeting.pk}/start/", {"chair": secretary.pk})
    assert started.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS and meeting.quorum_present == 5 and meeting.chair == secretary
    assert client.post(register, {"person": members[3].pk, "mode": "in_person"}).status_code == 302  # late

    # The ordinary resolution by hands: more hands than members present who may vote is refused.
    run = f"/meetings/{meeting.pk}/resolutions/{ordinary.pk}/run/"
    page = client.get(run)
    assert "Up to 4 hands can be counted" in page.text
    too_many = client.post(run, {"action": "hands", "for_votes": "4", "against_votes": "1", "abstain_votes": "0"})
    assert (
        too_many.status_code == 200 and "The count is more than the members present who may still vote" in too_many.text
    )
    assert (
        client.post(run, {"action": "hands", "for_votes": "3", "against_votes": "1", "abstain_votes": "0"}).status_code
        == 302
    )
    assert client.post(run, {"action": "declare"}).status_code == 302
    ordinary.refresh_from_db()
    assert (ordinary.for_votes, ordinary.against_votes, ordinary.passed) == (4, 1, True)  # with G's directed proxy

    # The special resolution by poll: G's directed proxy, H's cast by the chair, A for, B against: exactly 75%.
    run = f"/meetings/{meeting.pk}/resolutions/{special.pk}/run/"
    assert client.post(run, {"action": "declare"}).status_code == 200  # the poll is not open
    assert client.post(run, {"action": "open_poll"}).status_code == 302
    page = client.get(run)
    assert "The vote of Member H" in page.text and "Voted by proxy" in page.text
    proxy = selectors.live_proxies(meeting).get(appointer=members[7])
    assert client.post(run, {"action": "proxy", "proxy": proxy.pk}).status_code == 200  # no choice made
    cast = client.post(run, {"action": "proxy", "proxy": proxy.pk, f"proxy-{proxy.pk}-choice": "for"})
    assert cast.status_code == 302
    services.poll_vote(resolution=special, person=members[0], choice="for")
    services.poll_vote(resolution=special, person=members[1], choice="against")
    services.poll_vote(resolution=special, person=members[2], choice="abstain")
    assert client.post(run, {"action": "declare"}).status_code == 302
    declared = client.get(run)
    special.refresh_from_db()
    assert (special.for_votes, special.against_votes, special.abstain_votes, special.passed) == (3, 1, 1, True)
    assert (
        "Carried" in declared.text
        and "75.0%" in declared.text
        and "at least 3/4 (75%) of the votes cast" in declared.text
    )

    # One vote below: G and H for, A against, B abstains — 2 of 3 votes cast, 66.7%: not carried.
    run = f"/meetings/{meeting.pk}/resolutions/{special_below.pk}/run/"
    client.post(run, {"action": "open_poll"})
    client.post(run, {"action": "proxy", "proxy": proxy.pk, f"proxy-{proxy.pk}-choice": "for"})
    services.poll_vote(resolution=special_below, person=members[0], choice="against")
    services.poll_vote(resolution=special_below, person=members[1], choice="abstain")
    assert client.post(run, {"action": "declare"}).status_code == 302
    special_below.refresh_from_db()
    assert (special_below.for_votes, special_below.against_votes, special_below.passed) == (2, 1, False)
    assert "Not carried" in client.get(run).text

    # Close; the minutes are drafted from the record, edited, approved at a later meeting, published.
    assert client.post(f"/meetings/{meeting.pk}/close/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and not NoticeLetters.objects.filter(meeting=meeting).exists()
    minutes_url = f"/meetings/{meeting.pk}/minutes/edit/"
    assert client.post(minutes_url, {"action": "draft"}).status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    assert "Quorum: 5 required, 5 present" in minutes.text and "Adopt the new rules" in minutes.text
    edited = client.post(
        minutes_url,
        {"action": "save", "text": minutes.text + "\n\nThe chair thanked the members.", "text_cy": minutes.text_cy},
    )
    assert edited.status_code == 302
    minutes.refresh_from_db()
    assert minutes.text.endswith("The chair thanked the members.")
    later = _later_meeting(world, meeting)
    assert client.post(minutes_url, {"action": "approve", "approve-at_meeting": later.pk}).status_code == 302
    assert client.post(minutes_url, {"action": "publish"}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.PUBLISHED and minutes.approved_at_meeting == later

    # The special resolution's copy for the regulator; none for the ordinary one, nor for the one that failed.
    copy = client.get(f"/meetings/{meeting.pk}/resolutions/{special.pk}/copy.pdf")
    assert copy.status_code == 200 and copy.content.startswith(b"%PDF")
    assert _pdf_text(copy.content).count("Adopt the new rules") >= 1
    assert client.get(f"/meetings/{meeting.pk}/resolutions/{ordinary.pk}/copy.pdf").status_code == 404
    assert client.get(f"/meetings/{meeting.pk}/resolutions/{special_below.pk}/copy.pdf").status_code == 404
    for action in (
        "meeting.notice",
        "meeting.check_in",
        "meeting.business_start",
        "meeting.declare",
        "minutes.publish",
    ):
        assert AuditEvent.objects.filter(action=action, actor=secretary).exists(), action


def _long(day: datetime.date) -> str:
    from coproduce.core.jinja import long_date

    return long_date(day)


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _later_meeting(world, meeting: Meeting) -> Meeting:
    """A later meeting of the organisation, already held (to approve the minutes at)."""
    later = Meeting.objects.create(
        organisation=world.organisation,
        kind=MeetingKind.BOARD,
        title="Board meeting",
        starts_at=meeting.starts_at + DAY,
        place="Office",
        status=MeetingStatus.CLOSED,
        notice_sent_on=meeting.notice_sent_on,
        rules=meeting.rules,
        notice_clear_days=7,
        chair=world.secretary,
        business_started_at=meeting.starts_at + DAY,
        members_entitled=1,
        quorum_required=1,
        quorum_present=1,
        closed_at=meeting.starts_at + 2 * DAY,
    )
    return later
