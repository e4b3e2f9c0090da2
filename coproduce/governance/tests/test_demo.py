"""The demo borough's meetings: the housing co-op's AGM called with papers, resolutions, proxies and
votes in advance, which ``member@example.org`` can join; last year's AGM held, its minutes approved at a
later meeting and published; all built through the services, on the days it happened."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from coproduce.core.demo import build_demo
from coproduce.core.models import AuditEvent, Role, RoleKind
from coproduce.governance import selectors, services
from coproduce.governance.models import (
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Proxy,
    ResolutionKind,
    VotingMethod,
)
from coproduce.members.models import Membership
from coproduce.voting.models import Channel, Mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the papers
    return build_demo()


def test_the_housing_coops_agm_is_called_with_papers_resolutions_proxies_and_advance_votes(demo):
    homes = demo["organisations"]["homes"]
    agm = demo["governance"]["agm"]
    assert agm.organisation == homes and agm.kind == MeetingKind.AGM
    assert agm.status == MeetingStatus.CALLED and agm.starts_at > timezone.now()
    # Notice sent under the co-op's rules, at least the clear days they ask before the meeting.
    rules = selectors.rules_for(agm)
    assert agm.rules == rules and agm.notice_clear_days == rules.notice_agm_days == 14
    assert agm.notice_sent_on < timezone.localdate()
    assert agm.starts_on >= rules.earliest_meeting_date(MeetingKind.AGM, agm.notice_sent_on)
    assert agm.place and agm.online_url  # hybrid
    # Papers: real PDFs, with titles in English and Welsh.
    papers = list(selectors.papers(agm))
    assert [p.paper_title.split(" 20")[0] for p in papers] == ["Annual accounts", "Board report"]
    for item in papers:
        with item.paper.open("rb") as paper:
            assert paper.read(5) == b"%PDF-"
        assert item.paper_title_cy
    # Two ordinary resolutions and a special one; the accounts and the special one voted in advance.
    resolutions = list(agm.resolutions.order_by("order"))
    assert [r.kind for r in resolutions] == [ResolutionKind.ORDINARY, ResolutionKind.ORDINARY, ResolutionKind.SPECIAL]
    assert [r.method for r in resolutions] == [VotingMethod.ADVANCE, VotingMethod.HANDS, VotingMethod.ADVANCE]
    assert all(r.box_id and r.text and r.text_cy and r.title_cy for r in resolutions)
    # Proxies: directed and discretionary, to the chair and to members, within the rules' limit.
    proxies = list(selectors.live_proxies(agm))
    assert len(proxies) >= 5
    assert any(p.directed for p in proxies) and any(not p.directed for p in proxies)
    assert any(p.holder_id is None for p in proxies) and any(p.holder_id for p in proxies)
    assert all(n <= rules.proxy_limit for holder, n in selectors.proxy_counts(agm).items() if holder)
    # Votes in advance on the two resolutions voted in advance, none on the one voted by hands.
    accounts, auditors, special = resolutions
    for resolution in (accounts, special):
        figures = selectors.resolution_figures(resolution)
        assert figures.voted_online >= 20 and figures.electorate >= 400 and not figures.declared
    assert selectors.resolution_figures(auditors).voted_online == 0
    assert not Mark.objects.filter(box=special.box).exclude(channel=Channel.ONLINE).exists()
    # Nobody voted in advance and by proxy.
    appointers = {p.appointer_id for p in proxies}
    assert not appointers & selectors.marked(special)


def test_the_demo_member_can_appoint_a_proxy_and_vote_in_advance(demo):
    member = demo["users"]["member"]
    agm = demo["governance"]["agm"]
    assert selectors.vote_refusal(agm, member) is None
    assert member.pk in selectors.entitled_to_vote(agm)
    assert selectors.proxy_of(agm, member) is None
    special = agm.resolutions.get(kind=ResolutionKind.SPECIAL)
    assert member.pk not in selectors.marked(special)
    assert agm in selectors.meetings_for_member(user=member)
    # What the pages will do for them, through the services: both work.
    services.advance_vote(resolution=special, person=member, choice="for")
    assert member.pk in selectors.marked(special)
    proxy = services.proxy_appoint(meeting=agm, appointer=member, by=member)
    assert proxy.held_by_chair and not proxy.directed


def test_last_years_agm_was_quorate_declared_and_its_minutes_approved_at_a_later_meeting_and_published(demo):
    last, board_meeting = demo["governance"]["last_agm"], demo["governance"]["board_meeting"]
    agm = demo["governance"]["agm"]
    assert last.status == MeetingStatus.CLOSED and last.kind == MeetingKind.AGM
    assert 300 <= (agm.starts_at - last.starts_at).days <= 380  # a year before
    assert last.quorum_present >= last.quorum_required == 20
    assert last.chair in demo["governance"]["board"]
    resolutions = list(last.resolutions.order_by("order"))
    assert len(resolutions) == 3 and all(r.is_declared and r.passed for r in resolutions)
    assert {r.method for r in resolutions} == {VotingMethod.HANDS, VotingMethod.POLL}
    special = resolutions[2]
    assert special.kind == ResolutionKind.SPECIAL and special.for_votes * 4 >= 3 * (
        special.for_votes + special.against_votes
    )
    assert Mark.objects.filter(box=special.box, channel=Channel.PROXY).count() == 6  # directed, cast at the poll
    minutes = last.minutes
    assert minutes.status == MinutesStatus.PUBLISHED and selectors.published_minutes(last) == minutes
    assert minutes.approved_at_meeting == board_meeting
    assert board_meeting.kind == MeetingKind.BOARD and board_meeting.status == MeetingStatus.CLOSED
    assert last.starts_at < board_meeting.starts_at < minutes.published_at < timezone.now()
    assert "Quorum: 20 required" in minutes.text and "Questions from members" in minutes.text
    assert minutes.text_cy
    # The board meeting's own minutes wait for the next board meeting.
    assert board_meeting.minutes.status == MinutesStatus.DRAFT
    # Replayed on the days it happened: the notice and the declarations carry their own dates.
    notice = AuditEvent.objects.get(action="meeting.notice", target_id=str(last.pk))
    assert notice.created_at.date() == last.notice_sent_on
    declared = AuditEvent.objects.filter(action="meeting.declare", organisation=last.organisation)
    assert {event.created_at.date() for event in declared if event.target_id in {str(r.pk) for r in resolutions}} == {
        last.starts_on
    }


def test_the_secretary_runs_the_housing_coops_meetings_with_more_to_do(demo):
    homes, secretary = demo["organisations"]["homes"], demo["users"]["secretary"]
    assert secretary.has_perm("governance.run_meetings", homes)
    assert secretary.has_perm("governance.change_rules", homes)
    meetings = selectors.meetings_to_run(user=secretary, organisation=homes)
    assert {m.status for m in meetings} == {MeetingStatus.DRAFT, MeetingStatus.CALLED, MeetingStatus.CLOSED}
    draft = demo["governance"]["draft_board_meeting"]
    assert draft.status == MeetingStatus.DRAFT and draft.starts_at > timezone.now()
    board = demo["governance"]["board"]
    assert len(board) == 5 and selectors.board_member_ids(homes) == {p.pk for p in board}
    roles = Role.objects.current().filter(organisation=homes, kind=RoleKind.BOARD_MEMBER)
    assert set(roles.values_list("person_id", flat=True)) == {p.pk for p in board}
    # A requisition under way, short of its signatures: the demo member may still sign it.
    requisition = demo["governance"]["requisition"]
    progress = selectors.requisition_progress(requisition)
    assert 0 < progress.signatures < progress.needed and not progress.reached
    assert demo["users"]["member"].pk not in set(requisition.signatures.values_list("person_id", flat=True))
    # The record is public under the co-op's rules: anyone may read its general meetings.
    assert selectors.record_public(homes)
    public = set(selectors.public_meetings().filter(organisation=homes).values_list("pk", flat=True))
    assert {demo["governance"]["agm"].pk, demo["governance"]["last_agm"].pk} <= public


def test_the_demo_is_built_through_the_services_with_an_audit_trail(demo):
    homes = demo["organisations"]["homes"]
    actions = set(AuditEvent.objects.filter(organisation=homes).values_list("action", flat=True))
    assert {
        "meeting_rules.set",
        "meeting.create",
        "meeting.agenda_add",
        "meeting.resolution_add",
        "meeting.notice",
        "meeting.proxy_appoint",
        "meeting.check_in",
        "meeting.business_start",
        "meeting.poll_open",
        "meeting.hands",
        "meeting.declare",
        "meeting.close",
        "minutes.draft",
        "minutes.approve",
        "minutes.publish",
        "requisition.open",
        "requisition.sign",
    } <= actions
    # The demo member joined the housing co-op through the members' services, their share paid.
    membership = Membership.objects.with_holdings().get(person=demo["users"]["member"], organisation=homes)
    assert membership.paid_shares == 1 and membership.has_voting_rights()
    assert AuditEvent.objects.filter(action="membership.admit", target_id=str(membership.pk)).exists()
    assert Proxy.objects.filter(meeting__organisation=homes).count() >= 11
    assert Meeting.objects.filter(organisation=homes).count() == 4
    assert demo["governance"]["agm"].starts_at - timezone.now() > datetime.timedelta(days=14)
