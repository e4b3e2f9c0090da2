"""The members' pages: the meetings list, a meeting, its iCal file and papers, proxies, votes in
advance, in the poll and by a discretionary proxy, self check-in with the notice's code, minutes,
and requisitions — in English and Welsh, to the right people only.

The pages call the services with the real clock, so the meetings here are set relative to now: the
services' ``now`` sets the past (the notice, a meeting held last month).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from icalendar import Calendar

from coproduce.core.tests.factories import OrganisationFactory, UserFactory, sign_in_with_mfa
from coproduce.governance import selectors, services
from coproduce.governance.models import (
    Attendance,
    Meeting,
    MeetingRules,
    MeetingStatus,
    Proxy,
    Requisition,
    RequisitionSignature,
    Resolution,
)
from coproduce.governance.tests.factories import society
from coproduce.voting.models import Ballot, Mark

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_meeting(
    world,
    *,
    starts_in=30 * DAY,
    resolutions=(("ordinary", "advance"),),
    online_url="",
    place="Elmwood community hall",
    paper=False,
    kind="agm",
    title="Annual general meeting",
):
    """A meeting of ``world``'s organisation, called with notice 20 days before it (or today)."""
    now = timezone.now()
    starts_at = now + starts_in
    sent = min(now, starts_at - 20 * DAY)
    meeting = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind=kind,
        title=title,
        title_cy="Cyfarfod cyffredinol blynyddol",
        starts_at=starts_at,
        place=place,
        online_url=online_url,
        now=sent,
    )
    if paper:
        services.agenda_item_add(
            meeting=meeting,
            by=world.secretary,
            title="Annual accounts",
            title_cy="Cyfrifon blynyddol",
            paper=ContentFile(PDF, name="accounts.pdf"),
            paper_title="Accounts for the year",
            paper_title_cy="Cyfrifon y flwyddyn",
        )
    made = [
        services.resolution_add(
            meeting=meeting,
            by=world.secretary,
            kind=kind_,
            method=method,
            title=f"Resolution {n}",
            title_cy=f"Penderfyniad {n}",
            text=f"That proposal {n} be adopted.",
            text_cy=f"Bod cynnig {n} yn cael ei fabwysiadu.",
        )
        for n, (kind_, method) in enumerate(resolutions, start=1)
    ]
    services.notice_send(meeting=meeting, by=world.secretary, now=sent)
    return Meeting.objects.get(pk=meeting.pk), [Resolution.objects.get(pk=r.pk) for r in made]


def start(world, meeting, present):
    """Check ``present`` in at the door and start business (the meeting began an hour ago)."""
    for person in present:
        services.attendance_check_in(meeting=meeting, person=person, by=world.secretary, mode="in_person")
    return services.business_start(meeting=meeting, by=world.secretary)


def held_last_month(world):
    """An AGM held last month, its special resolution carried on hands, closed, with minutes approved
    at a later meeting (now in progress) and published."""
    now = timezone.now()
    held_at = now - 30 * DAY
    meeting = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind="agm",
        title="Last AGM",
        title_cy="CCB diwethaf",
        starts_at=held_at,
        place="Hall",
        now=held_at - 20 * DAY,
    )
    resolution = services.resolution_add(
        meeting=meeting, by=world.secretary, kind="special", method="hands", title="New rules", text="That X."
    )
    services.notice_send(meeting=meeting, by=world.secretary, now=held_at - 20 * DAY)
    for person in world.members[:4]:
        services.attendance_check_in(meeting=meeting, person=person, by=world.secretary, mode="in_person", now=held_at)
    services.business_start(meeting=meeting, by=world.secretary, now=held_at)
    services.hands_record(resolution=resolution, by=world.secretary, for_votes=3, against_votes=1, now=held_at)
    services.resolution_declare(resolution=resolution, by=world.secretary, now=held_at)
    meeting = services.meeting_close(meeting=meeting, by=world.secretary, now=held_at + HOUR)
    return meeting, Resolution.objects.get(pk=resolution.pk)


def html(response) -> str:
    return response.content.decode()


# -- The list --------------------------------------------------------------------------------------------


def test_the_list_shows_a_members_meetings_upcoming_first_and_the_public_only_public_ones(client):
    world = society()
    upcoming, _ = make_meeting(world, title="AGM to come")
    past, _ = held_last_month(world)
    services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind="sgm",
        title="Draft SGM",
        starts_at=timezone.now() + 40 * DAY,
        place="Hall",
    )
    other = society()
    MeetingRules.objects.filter(organisation=other.organisation).update(record_public=True)
    public, _ = make_meeting(other, title="Open AGM elsewhere")
    client.force_login(world.members[0])
    page = html(client.get("/meetings/"))
    assert page.index("AGM to come") < page.index("Past meetings") < page.index("Last AGM")
    assert "Open AGM elsewhere" in page and "Draft SGM" not in page
    anonymous = client.__class__()
    seen = html(anonymous.get("/meetings/"))
    assert "Open AGM elsewhere" in seen and "AGM to come" not in seen and "Last AGM" not in seen
    welsh = html(client.get("/cy/meetings/"))
    assert 'lang="cy"' in welsh and "Cyfarfod cyffredinol blynyddol" in welsh
    assert upcoming.pk and past.pk and public.pk


# -- The meeting ------------------------------------------------------------------------------------------


def test_a_member_sees_the_meeting_its_papers_resolutions_proxy_and_check_in_code(client):
    world = society()
    meeting, (ordinary, special) = make_meeting(
        world,
        resolutions=[("ordinary", "advance"), ("special", "poll")],
        online_url="https://meet.example.org/agm",
        paper=True,
    )
    member = world.members[0]
    client.force_login(member)
    page = html(client.get(f"/meetings/{meeting.pk}/"))
    assert "Annual general meeting" in page and "Elmwood community hall" in page
    assert "https://meet.example.org/agm" in page
    assert "the rules require 14 clear days" in page
    item = meeting.agenda_items.get()
    assert f'href="/meetings/papers/{item.pk}"' in page and "Accounts for the year (PDF)" in page
    assert "That proposal 1 be adopted." in page and "That proposal 2 be adopted." in page
    assert "more than 1/2 (50%) of the votes cast" in page and "at least 3/4 (75%) of the votes cast" in page
    assert f'href="/meetings/{meeting.pk}/resolutions/{ordinary.pk}/vote/"' in page
    assert f"/meetings/{meeting.pk}/resolutions/{special.pk}/vote/" not in page  # the poll is at the meeting
    assert "Appoint a proxy" in page and f'href="/meetings/{meeting.pk}.ics"' in page
    # The check-in code: a QR code (SVG) of the member's own link, and the link itself.
    token = selectors.check_in_token(meeting, member)
    assert "<svg" in page and "QR code that checks you in to this meeting" in page
    assert f"/meetings/{meeting.pk}/check-in/{token}/" in page
    assert "Run this meeting" not in page
    welsh = html(client.get(f"/cy/meetings/{meeting.pk}/"))
    assert 'lang="cy"' in welsh and "Cyfarfod cyffredinol blynyddol" in welsh
    assert "Bod cynnig 1 yn cael ei fabwysiadu." in welsh and "Cyfrifon y flwyddyn" in welsh


def test_a_meeting_is_hidden_from_others_unless_its_record_is_public(client):
    world = society()
    meeting, _ = make_meeting(world, online_url="https://meet.example.org/agm")
    client.force_login(UserFactory())
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    MeetingRules.objects.filter(organisation=world.organisation).update(record_public=True)
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert "https://meet.example.org/agm" not in html(page)  # the link to join is for those who may attend
    assert "Sign in to appoint a proxy" in html(page)
    draft = services.meeting_create(
        organisation=world.organisation,
        by=world.secretary,
        kind="sgm",
        title="Draft",
        starts_at=timezone.now() + 40 * DAY,
        place="Hall",
    )
    client.force_login(world.members[0])
    assert client.get(f"/meetings/{draft.pk}/").status_code == 404
    sign_in_with_mfa(client, world.secretary)  # people with a role pass a second factor
    assert "being prepared" in html(client.get(f"/meetings/{draft.pk}/"))


def test_after_the_declaration_the_page_says_how_the_meeting_voted_and_links_the_minutes(client):
    world = society()
    meeting, resolution = held_last_month(world)
    later, _ = make_meeting(world, starts_in=-HOUR, resolutions=())
    later = start(world, later, world.members[:3])
    minutes = services.minutes_draft(meeting=meeting, by=world.secretary)
    minutes = services.minutes_approve(minutes=minutes, by=world.secretary, at_meeting=later)
    client.force_login(world.members[4])
    page = html(client.get(f"/meetings/{meeting.pk}/"))
    row = re.search(r"How the meeting voted on resolution 1.*?</table>", page, re.S).group(0)
    assert re.findall(r'numeric">(\d+)</td>', row) == ["3", "1", "0"] and "Carried" in row
    assert "measured against at least 3/4 (75%) of the votes cast" in page
    assert f"/meetings/{meeting.pk}/minutes/" not in page  # approved, not yet published
    assert client.get(f"/meetings/{meeting.pk}/minutes/").status_code == 404
    services.minutes_publish(minutes=minutes, by=world.secretary)
    page = html(client.get(f"/meetings/{meeting.pk}/"))
    assert f'href="/meetings/{meeting.pk}/minutes/"' in page
    minutes_page = html(client.get(f"/meetings/{meeting.pk}/minutes/"))
    assert "Minutes of Last AGM" in minutes_page and "For: 3. Against: 1. Abstentions: 0." in minutes_page
    assert timezone.localdate().strftime("%-d %B %Y") in minutes_page and "Annual general meeting" in minutes_page
    welsh = html(client.get(f"/cy/meetings/{meeting.pk}/minutes/"))
    assert 'lang="cy"' in welsh and "CCB diwethaf" in welsh
    client.force_login(UserFactory())
    assert client.get(f"/meetings/{meeting.pk}/minutes/").status_code == 404
    assert resolution.passed


def test_the_ical_file_parses_and_holds_the_meeting(client):
    world = society()
    meeting, _ = make_meeting(world)
    client.force_login(world.members[0])
    response = client.get(f"/meetings/{meeting.pk}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)
    assert str(event["summary"]).startswith("Annual general meeting")
    assert str(event["location"]) == "Elmwood community hall"
    welsh = Calendar.from_ical(client.get(f"/cy/meetings/{meeting.pk}.ics").content)
    assert str(welsh.walk("VEVENT")[0]["summary"]).startswith("Cyfarfod cyffredinol blynyddol")
    client.force_login(UserFactory())
    assert client.get(f"/meetings/{meeting.pk}.ics").status_code == 404


def test_a_paper_is_served_to_members_only(client):
    world = society()
    meeting, _ = make_meeting(world, paper=True)
    item = meeting.agenda_items.get()
    client.force_login(world.members[0])
    response = client.get(f"/meetings/papers/{item.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    client.force_login(UserFactory())
    assert client.get(f"/meetings/papers/{item.pk}").status_code == 404
    client.logout()
    assert client.get(f"/meetings/papers/{item.pk}").status_code == 404


# -- Proxies ---------------------------------------------------------------------------------------------


def proxy_url(meeting) -> str:
    return f"/meetings/{meeting.pk}/proxy/"


def number_of(world, person) -> int:
    return person.memberships.get(organisation=world.organisation).member_number


def test_a_member_appoints_a_directed_proxy_changes_it_and_revokes_it(client):
    world = society(rules={"proxy_limit": 2})
    meeting, (one, two) = make_meeting(world, resolutions=[("ordinary", "hands"), ("special", "poll")])
    member, holder = world.members[:2]
    client.force_login(member)
    form = html(client.get(proxy_url(meeting)))
    assert "Who will be your proxy?" in form and "Resolution 2: Resolution 2" in form
    assert form.count('type="radio"') == 2 + 2 + 3 * 2
    response = client.post(
        proxy_url(meeting),
        {
            "holder": "member",
            "holder_number": number_of(world, holder),
            "kind": "directed",
            f"direction_{one.pk}": "for",
            f"direction_{two.pk}": "against",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    proxy = Proxy.objects.get(meeting=meeting, appointer=member, revoked_at__isnull=True)
    assert proxy.holder == holder and proxy.directions == {str(one.pk): "for", str(two.pk): "against"}
    page = html(client.get(response["Location"]))
    assert f"Your proxy is {holder}." in page and "vote as you directed" in page
    # Changing it: the form comes back filled in; the new appointment replaces the old in one go.
    again = html(client.get(proxy_url(meeting)))
    assert re.search(rf'name="direction_{two.pk}"[^>]*value="against"[^>]*checked', again)
    response = client.post(proxy_url(meeting), {"holder": "chair", "kind": "discretionary"})
    assert response.status_code == 302
    live = Proxy.objects.get(meeting=meeting, appointer=member, revoked_at__isnull=True)
    assert live.held_by_chair and not live.directed and Proxy.objects.filter(appointer=member).count() == 2
    # Revoking it.
    response = client.post(proxy_url(meeting), {"action": "revoke"})
    assert response.status_code == 302
    assert not Proxy.objects.filter(appointer=member, revoked_at__isnull=True).exists()
    assert "Appoint a proxy" in html(client.get(f"/meetings/{meeting.pk}/"))
    welsh = client.get(f"/cy{proxy_url(meeting)}")
    assert welsh.status_code == 200 and 'lang="cy"' in html(welsh)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "discretionary"}, "holder", "Choose the chair of the meeting or another member"),
        ({"holder": "member", "kind": "discretionary"}, "holder_number", "Enter your proxy&#39;s member number"),
        ({"holder": "member", "holder_number": "999", "kind": "discretionary"}, "holder_number", "No current member"),
        ({"holder": "member", "holder_number": "x", "kind": "discretionary"}, "holder_number", "whole number"),
        ({"holder": "chair", "kind": "directed"}, "direction", "Choose how your proxy must vote on resolution 1"),
        ({"holder": "chair"}, "kind", "Choose whether you direct"),
    ],
)
def test_a_proxy_form_says_what_is_wrong_and_writes_nothing(client, data, field, message):
    world = society()
    meeting, _ = make_meeting(world, resolutions=[("ordinary", "hands")])
    client.force_login(world.members[0])
    response = client.post(proxy_url(meeting), data)
    page = html(response)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert re.search(rf'href="#id_{field}', page)
    assert not Proxy.objects.exists()


def test_a_proxy_over_the_holders_limit_or_for_oneself_is_refused_with_the_reason(client):
    world = society(rules={"proxy_limit": 1})
    meeting, _ = make_meeting(world, resolutions=[("ordinary", "hands")])
    first, second, holder = world.members[:3]
    services.proxy_appoint(meeting=meeting, appointer=first, by=first, holder=holder)
    client.force_login(second)
    response = client.post(
        proxy_url(meeting), {"holder": "member", "holder_number": number_of(world, holder), "kind": "discretionary"}
    )
    page = html(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert f"{holder} already holds 1 proxy, the most the rules allow" in page and 'href="#id_holder_number"' in page
    response = client.post(
        proxy_url(meeting), {"holder": "member", "holder_number": number_of(world, second), "kind": "discretionary"}
    )
    assert "Choose someone else as your proxy" in html(response)
    assert Proxy.objects.count() == 1


def test_proxies_are_closed_after_the_deadline_and_refused_to_members_without_a_vote(client):
    world = society()
    meeting, _ = make_meeting(world, starts_in=24 * HOUR, resolutions=[("ordinary", "hands")])
    client.force_login(world.members[0])
    response = client.get(proxy_url(meeting))
    page = html(response)
    assert response.status_code == 200 and "Proxies are closed" in page
    assert "Proxies for this meeting had to be appointed by" in page and 'name="holder"' not in page
    client.post(proxy_url(meeting), {"holder": "chair", "kind": "discretionary"})
    assert not Proxy.objects.exists()
    assert "had to be appointed by" in html(client.get(f"/meetings/{meeting.pk}/"))
    open_meeting, _ = make_meeting(world, resolutions=[("ordinary", "hands")])
    client.force_login(world.non_voter)
    response = client.get(proxy_url(open_meeting))
    assert response.status_code == 403 and "cannot vote" in html(response)
    assert client.post(proxy_url(open_meeting), {"holder": "chair", "kind": "discretionary"}).status_code == 403
    assert not Proxy.objects.exists()
    client.logout()
    assert client.get(proxy_url(open_meeting))["Location"].startswith("/accounts/login/")
    board, _ = make_meeting(world, kind="board", resolutions=(), title="Board meeting")
    sign_in_with_mfa(client, world.board_member)
    assert client.get(f"/meetings/{board.pk}/").status_code == 200
    assert client.get(proxy_url(board)).status_code == 404  # proxies are for general meetings


# -- Voting ----------------------------------------------------------------------------------------------


def vote_url(meeting, resolution) -> str:
    return f"/meetings/{meeting.pk}/resolutions/{resolution.pk}/vote/"


def test_a_member_votes_in_advance_once_and_sees_the_receipt(client):
    world = society()
    meeting, (resolution,) = make_meeting(world)
    member = world.members[0]
    client.force_login(member)
    page = html(client.get(vote_url(meeting, resolution)))
    assert "That proposal 1 be adopted." in page and page.count('type="radio"') == 3
    welsh = client.get(f"/cy{vote_url(meeting, resolution)}")
    assert welsh.status_code == 200 and 'lang="cy"' in html(welsh)
    empty = client.post(vote_url(meeting, resolution), {"voter": "self"})
    assert "There is a problem" in html(empty) and "Choose for, against or abstain" in html(empty)
    response = client.post(vote_url(meeting, resolution), {"voter": "self", "self-choice": "against"})
    assert response.status_code == 302
    mark = Mark.objects.get(box=resolution.box, elector__person=member)
    assert mark.channel == "online"
    assert list(Ballot.objects.filter(box=resolution.box).values_list("content", flat=True)) == [["against"]]
    receipt = html(client.get(vote_url(meeting, resolution)))
    assert "You have voted on this resolution" in receipt and mark.receipt in receipt
    assert 'name="self-choice"' not in receipt
    twice = client.post(vote_url(meeting, resolution), {"voter": "self", "self-choice": "for"}, follow=True)
    assert twice.status_code == 200 and "You have already voted on this resolution" in html(twice)
    assert Mark.objects.filter(box=resolution.box).count() == 1 == Ballot.objects.filter(box=resolution.box).count()
    assert mark.receipt in html(client.get(f"/meetings/{meeting.pk}/"))


def test_a_vote_is_refused_to_those_without_one_and_closed_outside_its_time(client):
    world = society()
    meeting, (advance, hands) = make_meeting(world, resolutions=[("ordinary", "advance"), ("ordinary", "hands")])
    client.force_login(world.non_voter)
    response = client.get(vote_url(meeting, advance))
    assert response.status_code == 403 and "cannot vote" in html(response)
    sign_in_with_mfa(client, world.secretary)
    assert client.get(vote_url(meeting, advance)).status_code == 403
    client.force_login(world.members[0])
    closed = client.get(vote_url(meeting, hands))
    assert closed.status_code == 200 and "show of hands at the meeting" in html(closed)
    client.post(vote_url(meeting, hands), {"voter": "self", "self-choice": "for"})
    assert not Mark.objects.exists()
    client.force_login(UserFactory())
    assert client.get(vote_url(meeting, advance)).status_code == 404


def test_at_the_meeting_members_checked_in_vote_in_the_poll_and_a_proxy_holder_for_their_members(client):
    world = society(members=6)
    meeting, (resolution,) = make_meeting(world, starts_in=-HOUR, resolutions=[("special", "poll")])
    appointer, holder, absent = world.members[5], world.members[0], world.members[4]
    proxy = Proxy.objects.create(meeting=meeting, appointer=appointer, holder=holder, appointed_at=timezone.now())
    meeting = start(world, meeting, world.members[:3])
    services.poll_open(resolution=resolution, by=world.secretary)
    client.force_login(holder)
    page = html(client.get(f"/meetings/{meeting.pk}/"))
    assert "Vote in the poll on resolution 1" in page and "Proxies you hold" in page
    page = html(client.get(vote_url(meeting, resolution)))
    assert "secret poll at the meeting" in page and f"How do you vote for {appointer}?" in page
    client.post(vote_url(meeting, resolution), {"voter": "self", "self-choice": "for"})
    response = client.post(
        vote_url(meeting, resolution), {"voter": f"proxy-{proxy.pk}", f"proxy-{proxy.pk}-choice": "against"}
    )
    assert response.status_code == 302
    marks = dict(Mark.objects.filter(box=resolution.box).values_list("elector__person_id", "channel"))
    assert marks == {holder.pk: "online", appointer.pk: "proxy"}
    after = html(client.get(vote_url(meeting, resolution)))
    assert f"A vote has been recorded for {appointer}." in after
    # A member who has not checked in is told to.
    client.force_login(absent)
    page = html(client.get(vote_url(meeting, resolution)))
    assert "Check in at the meeting to vote in the poll." in page and 'name="self-choice"' not in page
    client.post(vote_url(meeting, resolution), {"voter": "self", "self-choice": "for"})
    assert Mark.objects.filter(box=resolution.box).count() == 2


# -- Checking in ------------------------------------------------------------------------------------------


def test_a_member_checks_in_with_their_notices_code(client):
    world = society()
    meeting, _ = make_meeting(world, starts_in=HOUR, online_url="https://meet.example.org/agm")
    member, other = world.members[:2]
    token = selectors.check_in_token(meeting, member)
    url = f"/meetings/{meeting.pk}/check-in/{token}/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(member)
    page = html(client.get(url))
    assert "Check in to the meeting" in page and page.count('type="radio"') == 2
    welsh = client.get(f"/cy{url}")
    assert welsh.status_code == 200 and 'lang="cy"' in html(welsh)
    assert "There is a problem" in html(client.post(url, {}))
    response = client.post(url, {"mode": "online"})
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    attendance = Attendance.objects.get(meeting=meeting, person=member)
    assert attendance.mode == "online" and attendance.checked_in_by is None and attendance.may_vote
    assert "You are checked in" in html(client.get(url))
    assert "You are checked in" in html(client.get(f"/meetings/{meeting.pk}/"))
    # The notices' link carries the code as ?token=.
    client.force_login(other)
    own = selectors.check_in_token(meeting, other)
    assert client.post(f"/meetings/{meeting.pk}/check-in/?token={own}", {"mode": "in_person"}).status_code == 302
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    # Someone else's code, or a code for another meeting, is refused in words.
    third = world.members[2]
    client.force_login(third)
    response = client.get(url)
    assert response.status_code == 403 and "someone else" in html(response)
    response = client.get(f"/meetings/{meeting.pk}/check-in/not-a-code/")
    assert response.status_code == 403 and "not for this meeting" in html(response)
    assert client.post(url, {"mode": "online"}).status_code == 403
    assert not Attendance.objects.filter(person=third).exists()


def test_check_in_before_it_opens_is_refused_on_the_form(client):
    world = society()
    meeting, _ = make_meeting(world, starts_in=5 * DAY)
    member = world.members[0]
    client.force_login(member)
    url = f"/meetings/{meeting.pk}/check-in/{selectors.check_in_token(meeting, member)}/"
    assert "Check-in opens at" in html(client.get(url))
    response = client.post(url, {"mode": "in_person"})
    assert response.status_code == 200 and "There is a problem" in html(response)
    assert not Attendance.objects.exists()


# -- Requisitions ----------------------------------------------------------------------------------------


REQUISITION_RULES = {
    "requisition_number": 3,
    "requisition_share_numerator": None,
    "requisition_share_denominator": None,
    "requisition_rule": "number",
}


def test_members_open_and_sign_a_requisition_until_the_secretary_is_told(client, django_capture_on_commit_callbacks):
    world = society(members=6, rules=REQUISITION_RULES)
    slug = world.organisation.slug
    first, second, third = world.members[:3]
    client.force_login(first)
    page = html(client.get(f"/organisations/{slug}/requisitions/"))
    assert "There are no open requisitions." in page and "When 3 members with a vote have signed" in page
    welsh = client.get(f"/cy/organisations/{slug}/requisitions/")
    assert welsh.status_code == 200 and 'lang="cy"' in html(welsh)
    empty = html(client.post(f"/organisations/{slug}/requisitions/", {"purpose": " "}))
    assert "There is a problem" in empty and "Say why the members ask for a meeting" in empty
    response = client.post(
        f"/organisations/{slug}/requisitions/",
        {"purpose": "The repairs contract.", "proposed_resolutions": "That the repairs contract be put to members."},
    )
    requisition = Requisition.objects.get()
    assert response["Location"] == f"/requisitions/{requisition.pk}/"
    listed = html(client.get(f"/organisations/{slug}/requisitions/"))
    assert "1 of 3 signatures needed" in listed and "You have signed" in listed
    client.force_login(second)
    page = html(client.get(f"/requisitions/{requisition.pk}/"))
    assert "That the repairs contract be put to members." in page and "2 more signatures are needed." in page
    assert client.post(f"/requisitions/{requisition.pk}/").status_code == 302
    twice = client.post(f"/requisitions/{requisition.pk}/")
    assert "There is a problem" in html(twice) and "You have already signed this requisition." in html(twice)
    client.force_login(world.non_voter)
    refused = html(client.post(f"/requisitions/{requisition.pk}/"))
    assert "There is a problem" in refused and "cannot vote" in refused
    assert mail.outbox == []
    client.force_login(third)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/requisitions/{requisition.pk}/").status_code == 302
    requisition.refresh_from_db()
    assert requisition.reached_at is not None and RequisitionSignature.objects.count() == 3
    (message,) = mail.outbox
    assert message.to == [world.secretary.email]
    page = html(client.get(f"/requisitions/{requisition.pk}/"))
    assert "3 of 3 signatures needed" in page and "The meeting must be called by" in page
    welsh = client.get(f"/cy/requisitions/{requisition.pk}/")
    assert welsh.status_code == 200 and 'lang="cy"' in html(welsh)


def test_requisitions_are_for_the_organisations_members(client):
    world = society(rules=REQUISITION_RULES)
    requisition = services.requisition_open(
        organisation=world.organisation, by=world.members[0], purpose="Why", proposed_resolutions="What"
    )
    slug = world.organisation.slug
    client.force_login(UserFactory())
    assert client.get(f"/organisations/{slug}/requisitions/").status_code == 403
    assert client.get(f"/requisitions/{requisition.pk}/").status_code == 403
    assert client.post(f"/requisitions/{requisition.pk}/").status_code == 403
    hidden = OrganisationFactory(is_public=False)
    assert client.get(f"/organisations/{hidden.slug}/requisitions/").status_code == 404
    sign_in_with_mfa(client, world.secretary)  # runs its meetings: sees them, but signs only as a member
    page = html(client.get(f"/requisitions/{requisition.pk}/"))
    assert "Only members of" in page and "Sign the requisition" not in page
    client.logout()
    assert client.get(f"/organisations/{slug}/requisitions/")["Location"].startswith("/accounts/login/")
    assert RequisitionSignature.objects.count() == 1


def test_the_status_of_a_meeting_in_progress_shows_on_the_list(client):
    world = society()
    meeting, _ = make_meeting(world, starts_in=-HOUR, resolutions=())
    start(world, meeting, world.members[:3])
    client.force_login(world.members[0])
    page = html(client.get("/meetings/"))
    assert "In progress" in page and page.index("Annual general meeting") < page.index("Past meetings")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS


def test_the_list_and_the_requisitions_take_the_same_queries_however_many_there_are(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = society(rules=REQUISITION_RULES)
    member = world.members[0]
    client.force_login(member)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_meeting(world, resolutions=())
    services.requisition_open(organisation=world.organisation, by=member, purpose="One", proposed_resolutions="A")
    slug = world.organisation.slug
    few = count("/meetings/"), count(f"/organisations/{slug}/requisitions/")
    for n in range(4):
        make_meeting(world, resolutions=(), starts_in=(31 + n) * DAY)
        services.requisition_open(
            organisation=world.organisation, by=world.members[n + 1], purpose=f"Why {n}", proposed_resolutions="A"
        )
    assert (count("/meetings/"), count(f"/organisations/{slug}/requisitions/")) == few
