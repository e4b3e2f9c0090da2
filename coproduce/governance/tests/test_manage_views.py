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

from coproduce.core.models import AuditEvent, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory, sign_in_with_mfa
from coproduce.governance import selectors, services
from coproduce.governance.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingRules,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeLetters,
    Resolution,
    ResolutionKind,
    VotingMethod,
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
    draft_page = client.get(f"/meetings/{meeting.pk}/manage/")
    assert "at least 3/4 (75%) of the votes cast" in draft_page.text
    assert "The copy for the regulator" not in draft_page.text  # nothing has passed yet

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

    assert "Run the vote on “Receive the accounts”" in client.get(f"/meetings/{meeting.pk}/manage/").text

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

    dashboard = client.get(f"/meetings/{meeting.pk}/manage/")
    assert "Every resolution has been declared: close the meeting." in dashboard.text
    assert dashboard.text.count("The copy for the regulator, to sign (PDF)") == 1  # the special one carried

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
    text = _pdf_text(copy.content)
    assert "Adopt the new rules" in text and "Elmwood Housing Co-operative" in text
    assert "Signed by the chair of the meeting" in text and "Countersigned by the secretary" in text
    assert secretary.get_full_name() in text  # the chair, and the secretary who countersigns
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


# -- Each page: bad input is refused on the page and nothing is written ------------------------------


def _rules_data(**changes) -> dict[str, str]:
    tomorrow = timezone.localdate() + DAY
    data = {
        "effective_from_day": str(tomorrow.day),
        "effective_from_month": str(tomorrow.month),
        "effective_from_year": str(tomorrow.year),
        "notice_agm_days": "21",
        "notice_sgm_days": "14",
        "notice_board_days": "7",
        "notice_committee_days": "7",
        "notice_deemed_served_after_days": "2",
        "short_notice_allowed": "yes",
        "short_notice_share": "90%",
        "quorum_number": "10",
        "quorum_share": "10%",
        "quorum_rule": "lower",
        "proxies_count_to_quorum": "no",
        "board_quorum_number": "3",
        "board_quorum_share": "",
        "board_quorum_rule": "number",
        "proxies_allowed": "yes",
        "proxy_limit": "",
        "proxy_deadline_hours": "24",
        "requisition_number": "",
        "requisition_share": "1/10",
        "requisition_rule": "share",
        "requisition_days_to_call": "21",
        "special": "2/3",
        "special_inclusive": "reach",
        "record_public": "yes",
    }
    data.update(changes)
    return data


def test_the_rules_refuse_what_cannot_work_beside_the_field_and_write_nothing(client, world):
    sign_in_with_mfa(client, world.secretary)
    url = f"/organisations/{world.organisation.slug}/meeting-rules/"
    page = client.get(url)
    assert "Record a new version" in page.text
    assert 'value="75%"' in page.text  # the form starts from the version in force
    before = MeetingRules.objects.count()
    cases = [
        ({"special": "50%"}, "A special resolution needs more than half of the votes cast", "#id_special"),
        ({"special": "150%"}, "The special resolution threshold must be more than 0% and at most 100%", "#id_special"),
        (
            {"quorum_share": "lots"},
            "Enter the quorum's share of the members as a percentage, like 75%",
            "#id_quorum_share",
        ),
        (
            {"quorum_rule": "share", "quorum_share": ""},
            "Give the number or the share of members the quorum needs.",
            "#id_quorum_rule",
        ),
        (
            {"notice_agm_days": "two"},
            "Enter the clear days of notice of an annual general meeting as a whole number",
            "#id_notice_agm_days",
        ),
        (
            {"effective_from_month": "13"},
            "The date the rules take effect must be a real date",
            "#id_effective_from_day",
        ),
        ({"effective_from_year": "1999"}, "a new version starts after it", "#id_effective_from_day"),
        ({"quorum_rule": "most"}, "Choose how the quorum is counted", "#id_quorum_rule"),
    ]
    for changes, message, anchor in cases:
        response = client.post(url, _rules_data(**changes))
        assert response.status_code == 200, changes
        assert "There is a problem" in response.text and message in response.text, (changes, message)
        assert f'href="{anchor}' in response.text, anchor
    assert MeetingRules.objects.count() == before

    assert client.post(url, _rules_data()).status_code == 302
    version = MeetingRules.objects.get(organisation=world.organisation, effective_from=timezone.localdate() + DAY)
    assert (version.special_numerator, version.special_denominator) == (2, 3)
    assert version.proxy_limit is None and version.record_public and not version.proxies_count_to_quorum
    assert version.quorum_rule == "lower"
    assert (version.quorum_share_numerator, version.quorum_share_denominator) == (1, 10)
    page = client.get(url)
    assert (
        "not yet in force" in page.text
        and "the lower of 10 members and 10% of the members entitled to vote" in page.text
    )
    assert AuditEvent.objects.filter(action="meeting_rules.set", actor=world.secretary).exists()


def test_the_board_sees_the_rules_and_runs_meetings_but_only_the_secretary_changes_the_rules(client, world):
    sign_in_with_mfa(client, world.board_member)
    url = f"/organisations/{world.organisation.slug}/meeting-rules/"
    page = client.get(url)
    assert page.status_code == 200 and "Only the secretary records a new version of the rules." in page.text
    assert client.post(url, _rules_data()).status_code == 403
    assert MeetingRules.objects.filter(organisation=world.organisation).count() == 1
    assert client.get(f"/organisations/{world.organisation.slug}/meetings/").status_code == 200


def test_a_meeting_is_created_with_clear_errors_and_changed_until_its_notice(client, world):
    sign_in_with_mfa(client, world.secretary)
    url = f"/organisations/{world.organisation.slug}/meetings/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, _meeting_form(_in_days(20), starts_at_day="31", starts_at_month="2", starts_at_time="25:00"))
    assert "The date of the meeting must be a real date" in bad.text
    assert "Enter the time for “Start of the meeting” as hours and minutes on the 24-hour clock" in bad.text
    missing = client.post(url, {"kind": "", "title": ""})
    assert "Choose the kind of meeting" in missing.text and "Enter the meeting's title" in missing.text
    assert "Enter the date of the meeting" in missing.text
    past = client.post(url, _meeting_form(_in_days(-2)))
    assert "The meeting must start in the future." in past.text and 'href="#id_starts_at_day"' in past.text
    nowhere = client.post(url, _meeting_form(_in_days(20), place=""))
    assert "Give the place, the link to join online, or both." in nowhere.text
    bad_link = client.post(url, _meeting_form(_in_days(20), online_url="not a link"))
    assert "Enter the link as a web address" in bad_link.text
    assert not Meeting.objects.exists()

    created = client.post(url, _meeting_form(_in_days(20), online_url="https://meet.example.org/agm"))
    meeting = Meeting.objects.get()
    assert created.status_code == 302 and meeting.online_url == "https://meet.example.org/agm"
    assert meeting.title_cy == "Cyfarfod cyffredinol blynyddol" and meeting.status == MeetingStatus.DRAFT
    edit = f"/meetings/{meeting.pk}/edit/"
    assert "Elmwood community hall" in client.get(edit).text
    assert client.post(edit, _meeting_form(_in_days(25), title="AGM 2026")).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "AGM 2026" and meeting.starts_on == timezone.localdate() + 25 * DAY

    services.notice_send(meeting=meeting, by=world.secretary)
    locked = client.post(edit, _meeting_form(_in_days(30), title="Too late"))
    assert locked.status_code == 200 and "its date, place and business are fixed" in locked.text
    meeting.refresh_from_db()
    assert meeting.title == "AGM 2026"


def test_a_requisition_that_reached_its_signatures_is_answered_by_a_special_meeting(client, world):
    requisition = services.requisition_open(
        organisation=world.organisation,
        by=world.members[0],
        purpose="The repairs contract",
        proposed_resolutions="That the repairs contract be put to the members.",
    )
    for member in world.members[1:3]:
        services.requisition_sign(requisition=requisition, by=member)
    requisition.refresh_from_db()
    assert requisition.reached_at is not None  # the society's rules: 20 members or 10%, the lower
    sign_in_with_mfa(client, world.secretary)
    listing = client.get(f"/organisations/{world.organisation.slug}/meetings/")
    assert "Members have asked for a meeting" in listing.text and "The repairs contract" in listing.text
    assert _long(requisition.call_by) in listing.text
    url = f"/organisations/{world.organisation.slug}/meetings/new/?requisition={requisition.pk}"
    form = client.get(url)
    assert "Members requisitioned this special general meeting" in form.text
    wrong_kind = client.post(url, _meeting_form(_in_days(20), kind="agm"))
    assert "A meeting members requisitioned is a special general meeting." in wrong_kind.text
    assert not Meeting.objects.exists()
    assert client.post(url, _meeting_form(_in_days(20), kind="sgm")).status_code == 302
    assert Meeting.objects.get().requisition == requisition
    assert (
        "Members have asked for a meeting" not in client.get(f"/organisations/{world.organisation.slug}/meetings/").text
    )
    assert client.get(url).status_code == 404  # answered: it cannot be answered twice


def test_the_agenda_papers_and_resolutions_are_set_before_the_notice(client, world):
    meeting, _made = _draft(world)
    sign_in_with_mfa(client, world.secretary)
    url = f"/meetings/{meeting.pk}/manage/"
    not_pdf = client.post(
        url,
        {
            "action": "agenda_add",
            "title": "Annual accounts",
            "paper": SimpleUploadedFile("accounts.pdf", b"PK\x03\x04 a zip", content_type="application/pdf"),
        },
    )
    assert not_pdf.status_code == 200 and "The paper must be a PDF." in not_pdf.text
    assert 'href="#id_paper"' in not_pdf.text
    no_title = client.post(url, {"action": "agenda_add", "title": ""})
    assert "Enter the agenda item" in no_title.text
    assert not AgendaItem.objects.exists()
    assert client.post(url, {"action": "agenda_add", "title": "Annual accounts"}).status_code == 302
    item = AgendaItem.objects.get()
    no_paper = client.post(url, {"action": "paper_attach", "attach-item": item.pk, "attach-paper_title": "Accounts"})
    assert "Choose the PDF to attach" in no_paper.text
    attached = client.post(
        url,
        {
            "action": "paper_attach",
            "attach-item": item.pk,
            "attach-paper_title": "Accounts 2025",
            "attach-paper": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert attached.status_code == 302
    item.refresh_from_db()
    assert item.paper_title == "Accounts 2025" and bytes(item.paper.read()).startswith(b"%PDF")

    no_text = client.post(url, _resolution_form(**{"resolution-text": ""}))
    assert "Enter the resolution in full" in no_text.text and 'href="#id_resolution-text"' in no_text.text
    no_kind = client.post(url, _resolution_form(**{"resolution-kind": "unanimous"}))
    assert "Choose the kind of resolution" in no_kind.text
    confirmation = client.post(url, _resolution_form(**{"resolution-kind": "confirmation"}))
    assert "Choose the resolution this one confirms." in confirmation.text
    assert not Resolution.objects.exists()
    assert client.post(url, _resolution_form(**{"resolution-agenda_item": item.pk})).status_code == 302
    resolution = Resolution.objects.get()
    assert resolution.agenda_item == item and resolution.method == VotingMethod.HANDS
    change = client.get(url, {"change": resolution.pk})
    assert "Change the resolution “Receive the accounts”" in change.text
    changed = client.post(
        url,
        _resolution_form(
            action="resolution_update",
            resolution=resolution.pk,
            **{"resolution-kind": "special", "resolution-method": "poll", "resolution-title": "Adopt the rules"},
        ),
    )
    assert changed.status_code == 302
    resolution.refresh_from_db()
    assert (resolution.kind, resolution.title) == (ResolutionKind.SPECIAL, "Adopt the rules")
    assert "at least 3/4 (75%) of the votes cast" in client.get(url).text

    # A board meeting takes no special resolution: the service's refusal lands on the kind.
    board, _made = _draft(world, kind=MeetingKind.BOARD)
    refused = client.post(f"/meetings/{board.pk}/manage/", _resolution_form(**{"resolution-kind": "special"}))
    assert "Only a general meeting of the members can pass a special resolution." in refused.text
    assert 'href="#id_resolution-kind"' in refused.text

    assert client.post(url, {"action": "resolution_remove", "resolution": resolution.pk}).status_code == 302
    assert client.post(url, {"action": "agenda_remove", "item": item.pk}).status_code == 302
    assert not Resolution.objects.filter(meeting=meeting).exists() and not AgendaItem.objects.exists()
    nothing = client.post(url, {"action": "agenda_remove", "item": "999999"})
    assert nothing.status_code == 200 and "Choose the agenda item to remove." in nothing.text
    unknown = client.post(url, {"action": "explode"})
    assert unknown.status_code == 200 and "Choose what to do." in unknown.text

    services.notice_send(meeting=meeting, by=world.secretary)
    fixed = client.post(url, _resolution_form())
    assert fixed.status_code == 200
    assert "The notice of this meeting has been sent: its date, agenda and resolutions are fixed." in fixed.text
    assert not Resolution.objects.filter(meeting=meeting).exists()


def test_short_notice_needs_enough_members_agreeing_with_a_reason(client, world):
    services.rules_set(
        organisation=world.organisation,
        by=world.secretary,
        effective_from=timezone.localdate(),
        short_notice_allowed=True,
    )
    meeting, _made = _draft(world, days=5)
    sign_in_with_mfa(client, world.secretary)
    url = f"/meetings/{meeting.pk}/notice/"
    page = client.get(url)
    assert "at least 8 of the 8 members entitled to vote agree" in page.text  # 90%, rounded up
    today = timezone.localdate()
    sent_on = {"sent_on_day": today.day, "sent_on_month": today.month, "sent_on_year": today.year}
    refused = client.post(url, sent_on)
    assert "Your rules allow shorter notice if enough members agree" in refused.text
    too_few = client.post(
        url, {**sent_on, "short_notice_agreed": "on", "short_notice_consents": "6", "short_notice_reason": "Urgent"}
    )
    assert "Short notice needs the agreement of at least 8 members entitled to vote." in too_few.text
    assert 'href="#id_short_notice_consents"' in too_few.text
    no_reason = client.post(url, {**sent_on, "short_notice_agreed": "on", "short_notice_consents": "8"})
    assert "Say why the meeting is held on short notice." in no_reason.text
    future = client.post(url, {"sent_on_day": "1", "sent_on_month": "1", "sent_on_year": str(today.year + 1)})
    assert "The notice cannot be dated after today." in future.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT
    agreed = client.post(
        url,
        {**sent_on, "short_notice_agreed": "on", "short_notice_consents": "8", "short_notice_reason": "The roof"},
    )
    assert agreed.status_code == 302
    meeting.refresh_from_db()
    assert meeting.short_notice_agreed and meeting.short_notice_consents == 8
    assert "Agreed by 8 members: The roof" in client.get(f"/meetings/{meeting.pk}/manage/").text
    again = client.post(url, sent_on)
    assert again.status_code == 200 and "The notice of this meeting has already been sent." in again.text


def test_the_proxy_list_shows_who_holds_what_but_not_how_a_directed_proxy_votes(client, world):
    meeting, (resolution,) = _called(world, resolutions=[(ResolutionKind.ORDINARY, VotingMethod.HANDS)])
    services.proxy_appoint(
        meeting=meeting,
        appointer=world.members[0],
        by=world.members[0],
        holder=world.members[1],
        directions={str(resolution.pk): "against"},
    )
    services.proxy_appoint(meeting=meeting, appointer=world.members[2], by=world.members[2], holder=world.members[1])
    services.proxy_appoint(meeting=meeting, appointer=world.members[3], by=world.members[3])
    sign_in_with_mfa(client, world.secretary)
    page = client.get(f"/meetings/{meeting.pk}/proxies/")
    assert page.status_code == 200
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page.text, re.S)
    held = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in rows if "Member B" in row and "Member A" not in row]
    assert held and held[0][-3:] == ["2", "1", "1"]  # Member B holds 2: 1 directed, 1 to decide
    assert "The chair of the meeting" in page.text and "Your rules let one person hold at most 3 proxies" in page.text
    assert "Against" not in page.text and "against" not in page.text.split("<main", 1)[1]


def test_at_the_door_only_those_entitled_are_checked_in_and_business_waits_for_the_quorum(client, world):
    meeting, _made = _called(world)
    sign_in_with_mfa(client, world.secretary)
    url = f"/meetings/{meeting.pk}/register/"
    early = client.post(url, {"person": world.members[0].pk, "mode": "in_person"})
    assert early.status_code == 200 and "Check-in opens at" in early.text
    meeting = _now_is_the_meeting(meeting)
    stranger = UserFactory()
    refused = client.post(url, {"person": stranger.pk, "mode": "in_person"})
    assert refused.status_code == 200 and "Find the member to check in first." in refused.text
    online = client.post(url, {"person": world.members[0].pk, "mode": "online"})
    assert "This meeting is held in person only." in online.text
    assert not Attendance.objects.exists()
    by_email = client.get(url, {"q": world.members[4].email})
    assert "Member E" in by_email.text
    empty = client.get(url, {"q": ""})
    assert "Enter a name, a member number or an email address" in empty.text
    non_voter = client.post(url, {"person": world.non_voter.pk, "mode": "in_person"})
    assert non_voter.status_code == 302
    assert "Attends without a vote" in client.get(url).text
    twice = client.post(url, {"person": world.non_voter.pk, "mode": "in_person"})
    assert "is already checked in" in twice.text
    assert _quorum(client.get(url)) == "Quorum: 5 needed, 0 count — 0 present with a vote and 0 by proxy"
    # The code on a member's notice, typed or scanned: the notice's link, or the token alone.
    token = selectors.check_in_token(meeting, world.members[0])
    link = f"https://coproduce.example/meetings/{meeting.pk}/check-in/?token={token.replace(':', '%3A')}"
    scanned = client.post(url, {"action": "code", "code": link, "mode": "in_person"})
    assert scanned.status_code == 302
    second = selectors.check_in_token(meeting, world.members[1])
    path = f"https://coproduce.example/cy/meetings/{meeting.pk}/check-in/{second}/"
    assert client.post(url, {"action": "code", "code": path, "mode": "in_person"}).status_code == 302
    other, _made = _called(world)
    wrong = client.post(
        url, {"action": "code", "code": selectors.check_in_token(other, world.members[2]), "mode": "in_person"}
    )
    assert wrong.status_code == 200 and "This check-in code is not for this meeting." in wrong.text
    assert "Type or scan the code" in client.post(url, {"action": "code", "code": " ", "mode": "in_person"}).text
    attended = Attendance.objects.filter(meeting=meeting, may_vote=True)
    assert {a.person for a in attended} == {world.members[0], world.members[1]}
    assert all(a.checked_in_by == world.secretary for a in attended)
    assert _quorum(client.get(url)) == "Quorum: 5 needed, 2 count — 2 present with a vote and 0 by proxy"
    no_chair = client.post(f"/meetings/{meeting.pk}/start/", {"chair": ""})
    assert "Choose who chairs the meeting" in no_chair.text
    not_quorate = client.post(f"/meetings/{meeting.pk}/start/", {"chair": world.secretary.pk})
    assert "The meeting is not quorate: the quorum is 5 and 2 count" in not_quorate.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CALLED


def test_the_chair_cannot_declare_without_a_count_nor_close_before_every_declaration(client, world):
    meeting, (hands, poll) = _called(
        world,
        resolutions=[(ResolutionKind.ORDINARY, VotingMethod.HANDS), (ResolutionKind.SPECIAL, VotingMethod.POLL)],
    )
    meeting = _started(world, meeting, world.members[:5])
    sign_in_with_mfa(client, world.secretary)
    run = f"/meetings/{meeting.pk}/resolutions/{hands.pk}/run/"
    uncounted = client.post(run, {"action": "declare"})
    assert "Record the count on the show of hands first" in uncounted.text
    bad = client.post(run, {"action": "hands", "for_votes": "-1", "against_votes": "x", "abstain_votes": ""})
    assert "Enter the count for “For” as a whole number, 0 or more" in bad.text
    assert "Enter the count for “Against” as a whole number, like 12" in bad.text
    assert "Enter the count for “Abstaining”: 0 where nobody raised a hand" in bad.text
    hands.refresh_from_db()
    assert hands.hands_recorded_at is None
    poll_page = client.get(f"/meetings/{meeting.pk}/resolutions/{poll.pk}/run/")
    assert "Open the poll" in poll_page.text and "The show of hands" not in poll_page.text
    wrong = client.post(
        f"/meetings/{meeting.pk}/resolutions/{poll.pk}/run/",
        {"action": "hands", "for_votes": "1", "against_votes": "0", "abstain_votes": "0"},
    )
    assert "This resolution is voted on by a poll, not by a show of hands." in wrong.text
    closing = client.post(f"/meetings/{meeting.pk}/close/")
    assert closing.status_code == 200 and "Declare the result of every resolution first" in closing.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS
    _other, (elsewhere,) = _called(world, resolutions=[(ResolutionKind.ORDINARY, VotingMethod.HANDS)])
    assert client.get(f"/meetings/{meeting.pk}/resolutions/{elsewhere.pk}/run/").status_code == 404


def test_minutes_wait_for_the_close_and_refuse_empty_text_and_a_meeting_that_cannot_approve_them(client, world):
    meeting, _made = _called(world)
    sign_in_with_mfa(client, world.secretary)
    url = f"/meetings/{meeting.pk}/minutes/edit/"
    early = client.post(url, {"action": "draft"})
    assert early.status_code == 200 and "Minutes are drafted once the meeting has closed." in early.text
    meeting = _started(world, meeting, world.members[:5])
    services.meeting_close(meeting=meeting, by=world.secretary)
    assert client.post(url, {"action": "draft"}).status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    again = client.post(url, {"action": "draft"})
    assert "The minutes have already been drafted" in again.text
    empty = client.post(url, {"action": "save", "text": "", "text_cy": ""})
    assert "Enter the minutes" in empty.text and 'href="#id_text"' in empty.text
    minutes.refresh_from_db()
    assert minutes.text
    page = client.get(url)
    assert "Once a later meeting has started, record its approval here." in page.text
    earlier = _later_meeting(world, meeting)
    Meeting.objects.filter(pk=earlier.pk).update(starts_at=meeting.starts_at - 30 * DAY)
    tampered = client.post(url, {"action": "approve", "approve-at_meeting": earlier.pk})
    assert "Choose the meeting that approved the minutes" in tampered.text
    unapproved = client.post(url, {"action": "publish"})
    assert "Minutes are published once a meeting has approved them." in unapproved.text
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT


# -- Who may use the pages ----------------------------------------------------------------------------


def _pages(world) -> list[str]:
    meeting, (resolution,) = _called(world, resolutions=[(ResolutionKind.ORDINARY, VotingMethod.HANDS)])
    slug = world.organisation.slug
    return [
        f"/organisations/{slug}/meetings/",
        f"/organisations/{slug}/meeting-rules/",
        f"/organisations/{slug}/meetings/new/",
        f"/meetings/{meeting.pk}/manage/",
        f"/meetings/{meeting.pk}/edit/",
        f"/meetings/{meeting.pk}/notice/",
        f"/meetings/{meeting.pk}/proxies/",
        f"/meetings/{meeting.pk}/register/",
        f"/meetings/{meeting.pk}/resolutions/{resolution.pk}/run/",
        f"/meetings/{meeting.pk}/minutes/edit/",
    ]


def test_the_secretary_and_the_board_need_two_factor_sign_in(client, world):
    urls = _pages(world)
    for person in (world.secretary, world.board_member):
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/2fa/" in response["Location"], (url, response)
    sign_in_with_mfa(client, world.secretary)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_members_and_other_secretaries_are_refused_and_write_nothing(client, world):
    urls = _pages(world)
    other = RoleFactory(kind=RoleKind.SECRETARY, organisation=OrganisationFactory()).person
    for person in (world.members[0], other):
        sign_in_with_mfa(client, person)
        for url in urls:
            assert client.get(url).status_code == 403, (person, url)
    meeting = Meeting.objects.get()
    assert client.post(f"/meetings/{meeting.pk}/manage/", _resolution_form()).status_code == 403
    assert (
        client.post(
            f"/meetings/{meeting.pk}/register/", {"person": world.members[0].pk, "mode": "in_person"}
        ).status_code
        == 403
    )
    assert not Attendance.objects.exists() and Resolution.objects.count() == 1
    client.logout()
    assert client.get(urls[0])["Location"].startswith("/accounts/login/")
    hidden = OrganisationFactory(is_public=False)
    hidden_meeting = services.meeting_create(
        organisation=hidden, by=world.secretary, kind="agm", title="Hidden", starts_at=_in_days(20), place="Hall"
    )
    sign_in_with_mfa(client, world.secretary)
    assert client.get(f"/meetings/{hidden_meeting.pk}/manage/").status_code == 404
    assert client.get(f"/organisations/{hidden.slug}/meetings/").status_code == 404


def test_the_pages_read_in_welsh(client, world):
    meeting, (resolution,) = _called(world, resolutions=[(ResolutionKind.ORDINARY, VotingMethod.HANDS)])
    meeting = _started(world, meeting, world.members[:5])
    sign_in_with_mfa(client, world.secretary)
    slug = world.organisation.slug
    for url in (
        f"/cy/organisations/{slug}/meetings/",
        f"/cy/organisations/{slug}/meeting-rules/",
        f"/cy/organisations/{slug}/meetings/new/",
        f"/cy/meetings/{meeting.pk}/manage/",
        f"/cy/meetings/{meeting.pk}/notice/",
        f"/cy/meetings/{meeting.pk}/proxies/",
        f"/cy/meetings/{meeting.pk}/register/",
        f"/cy/meetings/{meeting.pk}/resolutions/{resolution.pk}/run/",
        f"/cy/meetings/{meeting.pk}/minutes/edit/",
    ):
        response = client.get(url)
        assert response.status_code == 200 and 'lang="cy"' in response.text, url
    # The meeting's Welsh title is used where there is one.
    Meeting.objects.filter(pk=meeting.pk).update(title_cy="Cyfarfod blynyddol")
    assert "Cyfarfod blynyddol" in client.get(f"/cy/meetings/{meeting.pk}/manage/").text
