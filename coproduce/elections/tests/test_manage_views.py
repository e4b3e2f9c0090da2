"""The secretary's and the returning officer's pages: setting an election up, deciding nominations,
opening and closing the poll, paper ballots with a second person's check, votes cast for others,
the count; the workspace hooks and the ``elections_due`` command."""

from __future__ import annotations

import datetime
import html
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from coproduce.core.models import AuditEvent, OrganisationKind, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory, sign_in_with_mfa
from coproduce.elections import services, workspaces
from coproduce.elections.models import Constituency, Election, NominationStatus, Stage
from coproduce.elections.tests.factories import ConstituencyFactory, ElectionFactory, NominationFactory, timetable
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory
from coproduce.voting.models import Ballot, Channel, Mark, PaperBatch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _readable_pages(monkeypatch):
    """Read pages as people do: with HTML entities (&#x27; for ') turned back into characters."""
    from django.http import HttpResponse

    monkeypatch.setattr(HttpResponse, "text", property(lambda response: html.unescape(response.content.decode())))


DAY = datetime.timedelta(days=1)


@pytest.fixture
def trust():
    return OrganisationFactory(name="Taff Leisure Trust", slug="taff-leisure")


@pytest.fixture
def tenants(trust):
    return StakeholderClassFactory(organisation=trust, name="Tenants")


@pytest.fixture
def secretary(trust):
    return RoleFactory(organisation=trust, kind=RoleKind.SECRETARY, person__full_name="Sian Secretary").person


@pytest.fixture
def officer(trust):
    """A council officer who is the returning officer (a role holder, so behind two-factor sign-in)."""
    council = OrganisationFactory(kind=OrganisationKind.COUNCIL, slug="kingsmere")
    trust.sponsoring_council = council
    trust.save(update_fields=["sponsoring_council"])
    return RoleFactory(organisation=council, kind=RoleKind.OFFICER, person__full_name="Owen Officer").person


@pytest.fixture
def voters(tenants):
    return [
        MembershipFactory(
            stakeholder_class=tenants,
            admitted_on=datetime.date(2020, 1, 1),
            person__full_name=f"Voter {letter}",
        )
        for letter in "ABCDEF"
    ]


def _moment(prefix: str, when: datetime.datetime) -> dict[str, str]:
    when = timezone.localtime(when)
    return {
        f"{prefix}_day": str(when.day),
        f"{prefix}_month": str(when.month),
        f"{prefix}_year": str(when.year),
        f"{prefix}_time": when.strftime("%H:%M"),
    }


def _election_form(officer, **changes) -> dict[str, str]:
    now = timezone.now().replace(second=0, microsecond=0)
    data = {
        "title": "Board election 2026",
        "title_cy": "Etholiad y bwrdd 2026",
        "description": "Three seats on the board.",
        "rules": "scottish",
        "nominations_need_proposer": "no",
        "returning_officer": str(officer.pk),
        "qualifying_date_day": "1",
        "qualifying_date_month": "4",
        "qualifying_date_year": "2026",
        **_moment("nominations_open", now + 2 * DAY),
        **_moment("nominations_close", now + 10 * DAY),
        **_moment("voting_open", now + 12 * DAY),
        **_moment("voting_close", now + 20 * DAY),
    }
    data.update(changes)
    return data


def _polling(trust, voters, officer, *, candidates=3, seats=2, rules="scottish", **times):
    """An election whose nominations are accepted and whose voting is open."""
    election = ElectionFactory(
        organisation=trust, returning_officer=officer, rules=rules, **(times or timetable("voting"))
    )
    constituency = ConstituencyFactory(election=election, seats=seats, name="All members")
    nominations = [
        NominationFactory(constituency=constituency, candidate=voters[i].person, ballot_name=f"Candidate {'ABC'[i]}")
        for i in range(candidates)
    ]
    return election, constituency, nominations


def test_the_secretary_creates_an_election_with_clear_errors_for_bad_dates(client, trust, secretary, officer):
    sign_in_with_mfa(client, secretary)
    page = client.get("/organisations/taff-leisure/elections/")
    assert page.status_code == 200 and "Create an election" in page.text
    form = client.get("/organisations/taff-leisure/elections/new/")
    assert form.status_code == 200
    assert "Owen Officer" in form.text and "Sian Secretary" in form.text  # who may be returning officer

    impossible = client.post(
        "/organisations/taff-leisure/elections/new/",
        _election_form(officer, nominations_open_day="31", nominations_open_month="2", voting_close_time="25:00"),
    )
    assert impossible.status_code == 200
    assert "Enter a real date for “Nominations open”, like 27 3 2026" in impossible.text
    assert "Enter the time for “Voting closes” as hours and minutes" in impossible.text
    assert not Election.objects.exists()

    now = timezone.now()
    out_of_order = client.post(
        "/organisations/taff-leisure/elections/new/",
        _election_form(officer, **_moment("voting_open", now + 5 * DAY)),
    )
    assert out_of_order.status_code == 200
    assert "Voting must open after nominations close." in out_of_order.text
    assert 'href="#id_voting_open_day"' in out_of_order.text  # the summary links to the date it is about
    assert not Election.objects.exists()

    missing = client.post("/organisations/taff-leisure/elections/new/", {})
    assert "Enter the election's title" in missing.text
    assert "Choose the returning officer" in missing.text

    created = client.post("/organisations/taff-leisure/elections/new/", _election_form(officer))
    election = Election.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/elections/{election.pk}/manage/"
    assert election.stage == Stage.DRAFT and election.returning_officer == officer
    assert election.title_cy == "Etholiad y bwrdd 2026" and election.qualifying_date == datetime.date(2026, 4, 1)
    assert not election.nominations_need_proposer
    assert election.nominations_open < election.nominations_close < election.voting_open < election.voting_close
    manage = client.get(f"/elections/{election.pk}/manage/")
    assert "Add the seats the election fills" in manage.text


def test_the_secretary_adds_seats_for_a_class_and_publishes(client, trust, tenants, secretary, officer):
    election = ElectionFactory(organisation=trust, returning_officer=officer, stage=Stage.DRAFT)
    sign_in_with_mfa(client, secretary)
    refused = client.post(f"/elections/{election.pk}/publish/")
    assert refused.status_code == 200 and "Add at least one constituency with its seats first." in refused.text

    bad = client.post(f"/elections/{election.pk}/constituencies/new/", {"name": "Tenant members", "seats": "0"})
    assert "Enter a number of seats of 1 or more" in bad.text and "Choose who votes for these seats" in bad.text
    added = client.post(
        f"/elections/{election.pk}/constituencies/new/",
        {"name": "Tenant members", "name_cy": "Aelodau tenant", "seats": "7", "elected_by": str(tenants.pk)},
    )
    assert added.status_code == 302
    constituency = Constituency.objects.get(election=election)
    assert constituency.stakeholder_class == tenants and constituency.seats == 7
    client.post(
        f"/elections/{election.pk}/constituencies/new/", {"name": "Independent", "seats": "5", "elected_by": "all"}
    )
    seat = client.post(
        f"/elections/{election.pk}/appointed-seats/new/",
        {"title": "Council nominees", "seats": "3", "appointed_by": "Kingsmere Borough Council"},
    )
    assert seat.status_code == 302
    page = client.get(f"/elections/{election.pk}/manage/")
    assert "Members of the class “Tenants”" in page.text and "Kingsmere Borough Council" in page.text

    independent = Constituency.objects.get(election=election, name="Independent")
    removed = client.post(f"/elections/{election.pk}/constituencies/remove/", {"constituency": independent.pk})
    assert removed.status_code == 302 and not Constituency.objects.filter(pk=independent.pk).exists()

    published = client.post(f"/elections/{election.pk}/publish/")
    assert published.status_code == 302
    election.refresh_from_db()
    assert election.stage == Stage.PUBLISHED
    # Once published and nominations have opened, the seats are fixed.
    Election.objects.filter(pk=election.pk).update(nominations_open=timezone.now() - DAY)
    fixed = client.post(f"/elections/{election.pk}/constituencies/remove/", {"constituency": constituency.pk})
    assert fixed.status_code == 200 and "Once nominations have opened the seats are fixed." in fixed.text


def test_the_returning_officer_decides_nominations_and_cannot_open_voting_early(
    client, trust, voters, officer, django_capture_on_commit_callbacks
):
    now = timezone.now()
    election, _constituency, nominations = _polling(
        trust,
        voters,
        officer,
        seats=1,
        nominations_open=now - 5 * DAY,
        nominations_close=now - DAY,
        voting_open=now + DAY,
        voting_close=now + 5 * DAY,
    )
    waiting = nominations[2]
    waiting.status = NominationStatus.SUBMITTED
    waiting.save()
    sign_in_with_mfa(client, officer)
    page = client.get(f"/elections/{election.pk}/manage/")
    assert "1 nomination is waiting for your decision." in page.text
    assert "Decide the nominations still waiting" in page.text

    url = f"/elections/nominations/{waiting.pk}/decide/"
    assert client.get(url).status_code == 200
    no_reason = client.post(url, {"decision": "reject", "reason": ""})
    assert no_reason.status_code == 200
    assert "Give the reason for rejecting the nomination: the candidate is sent it." in no_reason.text
    with django_capture_on_commit_callbacks(execute=True):
        rejected = client.post(url, {"decision": "reject", "reason": "Not a member on the qualifying date."})
    assert rejected.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == NominationStatus.REJECTED and waiting.decided_by == officer
    assert any("Not a member on the qualifying date." in message.body for message in mail.outbox)

    early = client.post(f"/elections/{election.pk}/open/")
    assert early.status_code == 200
    assert "Voting opens on the date in the timetable, not before." in early.text
    election.refresh_from_db()
    assert election.stage == Stage.PUBLISHED

    Election.objects.filter(pk=election.pk).update(voting_open=now - 60 * datetime.timedelta(seconds=1))
    opened = client.post(f"/elections/{election.pk}/open/")
    assert opened.status_code == 302
    election.refresh_from_db()
    assert election.stage == Stage.VOTING


def test_a_secretary_cannot_run_the_election_and_a_board_member_cannot_see_it(client, trust, voters, officer):
    election, _constituency, _nominations = _polling(trust, voters, officer)
    board = RoleFactory(organisation=trust, kind=RoleKind.BOARD_MEMBER).person
    sign_in_with_mfa(client, board)
    assert client.get(f"/elections/{election.pk}/manage/").status_code == 403
    secretary = RoleFactory(organisation=trust, kind=RoleKind.SECRETARY).person
    sign_in_with_mfa(client, secretary)
    assert client.get(f"/elections/{election.pk}/manage/").status_code == 200
    assert client.post(f"/elections/{election.pk}/open/").status_code == 403
    election.refresh_from_db()
    assert election.stage == Stage.PUBLISHED


def test_paper_ballots_are_marked_entered_checked_by_another_and_counted(client, trust, voters, officer, secretary):
    election, constituency, nominations = _polling(trust, voters, officer)
    services.election_open_voting(election=election, by=officer)
    constituency.refresh_from_db()
    a, b, _c = (str(n.pk) for n in nominations)
    sign_in_with_mfa(client, officer)
    paper_url = f"/elections/{election.pk}/paper/"

    # Find the voter by member number, then mark the register.
    paper_voter, other_paper_voter = voters[3], voters[4]
    found = client.get(paper_url, {"constituency": constituency.pk, "q": str(paper_voter.member_number)})
    assert found.status_code == 200 and "Voter D" in found.text and "Voter E" not in found.text
    by_name = client.get(paper_url, {"constituency": constituency.pk, "q": "voter e"})
    assert "Voter E" in by_name.text
    for membership in (paper_voter, other_paper_voter):
        marked = client.post(
            paper_url, {"constituency": constituency.pk, "action": "mark", "person": membership.person.pk}
        )
        assert marked.status_code == 302
    assert Mark.objects.filter(box=constituency.box, channel=Channel.PAPER).count() == 2
    twice = client.post(paper_url, {"constituency": constituency.pk, "action": "mark", "person": paper_voter.person.pk})
    assert twice.status_code == 200 and "A vote has already been recorded for this person." in twice.text
    # Marked as voting on paper, the member's online ballot is refused.
    with pytest.raises(ValidationError) as refused:
        services.vote(constituency=constituency, person=paper_voter.person, choices=[a])
    assert refused.value.code == "already_voted"

    # A batch: one ranked paper and one spoilt.
    started = client.post(paper_url, {"constituency": constituency.pk, "action": "batch"})
    batch = PaperBatch.objects.get(box=constituency.box)
    batch_url = f"/elections/{election.pk}/paper/batches/{batch.pk}/"
    assert started.status_code == 302 and started["Location"] == batch_url
    repeated = client.post(batch_url, {"action": "enter", f"rank_{a}": "1", f"rank_{b}": "1"})
    assert repeated.status_code == 200 and "Use each number only once" in repeated.text
    assert client.post(batch_url, {"action": "enter", f"rank_{b}": "1", f"rank_{a}": "2"}).status_code == 302
    no_reason = client.post(batch_url, {"action": "spoilt", "spoilt_reason": ""})
    assert "Say why the paper is spoilt" in no_reason.text
    assert client.post(batch_url, {"action": "spoilt", "spoilt_reason": "No marks on it"}).status_code == 302
    mistake = client.post(batch_url, {"action": "enter", f"rank_{a}": "1"})
    assert mistake.status_code == 302
    wrong = Ballot.objects.get(batch=batch, content=[a])
    assert client.post(batch_url, {"action": "remove", "ballot": str(wrong.pk)}).status_code == 302
    papers = client.get(batch_url)
    assert "Candidate B" in papers.text and "Spoilt: No marks on it" in papers.text
    assert sorted((ballot.spoilt, tuple(ballot.content)) for ballot in Ballot.objects.filter(batch=batch)) == [
        (False, (b, a)),
        (True, ()),
    ]

    # Someone votes online; voting closes; the count waits for the check.
    services.vote(constituency=constituency, person=voters[0].person, choices=[a, b])
    Election.objects.filter(pk=election.pk).update(voting_close=timezone.now() - datetime.timedelta(seconds=1))
    assert client.post(f"/elections/{election.pk}/close/").status_code == 302
    election.refresh_from_db()
    assert election.stage == Stage.CLOSED
    waiting = client.post(f"/elections/{election.pk}/count/")
    assert waiting.status_code == 200
    assert "All members: 1 batch of paper ballots waits for a second officer's check." in waiting.text

    # The officer who entered the batch cannot check it; the secretary can.
    check_url = f"/elections/{election.pk}/paper/batches/{batch.pk}/check/"
    same = client.post(check_url)
    assert same.status_code == 200 and "not the one who entered it" in same.text
    batch.refresh_from_db()
    assert not batch.is_checked
    sign_in_with_mfa(client, secretary)
    listing = client.get(check_url)
    assert "Candidate B" in listing.text and "2 papers in this batch" in listing.text
    assert client.post(check_url).status_code == 302
    batch.refresh_from_db()
    assert batch.checked_by == secretary

    # The returning officer starts the count: declared, with the link to the result.
    sign_in_with_mfa(client, officer)
    counted = client.post(f"/elections/{election.pk}/count/")
    assert counted.status_code == 302
    election.refresh_from_db()
    constituency.refresh_from_db()
    assert election.stage == Stage.DECLARED
    assert constituency.result["turnout"]["voted"] == 3 and constituency.result["turnout"]["spoilt"] == 1
    page = client.get(f"/elections/{election.pk}/manage/")
    assert "See the result" in page.text and "The result has been declared." in page.text
    assert AuditEvent.objects.filter(action="ballot.paper_check", actor=secretary).exists()
    assert "These papers have been counted." in client.get(batch_url).text


def test_a_vote_is_cast_by_proxy_recording_who_cast_it(client, trust, voters, officer):
    election, constituency, nominations = _polling(trust, voters, officer, rules="plurality")
    services.election_open_voting(election=election, by=officer)
    constituency.refresh_from_db()
    sign_in_with_mfa(client, officer)
    url = f"/elections/{election.pk}/cast-for/"
    a, b, c = (str(n.pk) for n in nominations)
    too_many = client.post(
        url,
        {
            "constituency": constituency.pk,
            "member_number": voters[5].member_number,
            "channel": "proxy",
            "choices_field": [a, b, c],
        },
    )
    assert too_many.status_code == 200 and "You can vote for up to 2 candidates" in too_many.text
    stranger = client.post(
        url, {"constituency": constituency.pk, "member_number": "99999", "channel": "proxy", "choices_field": [a]}
    )
    assert "No one with the member number 99999 is on the electorate for these seats." in stranger.text
    done = client.post(
        url,
        {
            "constituency": constituency.pk,
            "member_number": voters[5].member_number,
            "channel": "proxy",
            "choices_field": [a, c],
        },
    )
    assert done.status_code == 302
    mark = Mark.objects.get(elector__person=voters[5].person)
    assert mark.channel == Channel.PROXY and mark.cast_by == officer
    assert AuditEvent.objects.filter(action="ballot.cast_for", actor=officer).exists()


def test_the_reminder_is_sent_to_those_who_have_not_voted(
    client, trust, voters, officer, django_capture_on_commit_callbacks
):
    election, constituency, nominations = _polling(trust, voters, officer)
    services.election_open_voting(election=election, by=officer)
    constituency.refresh_from_db()
    services.vote(constituency=constituency, person=voters[0].person, choices=[str(nominations[0].pk)])
    sign_in_with_mfa(client, officer)
    mail.outbox.clear()
    assert "No reminder has been sent yet." in client.get(f"/elections/{election.pk}/manage/").text
    assert client.post(f"/elections/{election.pk}/remind/").status_code == 302
    recipients = {address for message in mail.outbox for address in message.to}
    assert voters[0].person.email not in recipients and voters[1].person.email in recipients
    assert len(recipients) == len(voters) - 1
    assert "A reminder was last sent on" in client.get(f"/elections/{election.pk}/manage/").text
    page = client.get(f"/elections/{election.pk}/manage/")
    assert "Turnout" in page.text and "16.7%" in page.text


def test_the_seed_is_published_until_the_close(client, trust, voters, officer):
    election, _constituency, _nominations = _polling(trust, voters, officer)
    sign_in_with_mfa(client, officer)
    assert client.post(f"/elections/{election.pk}/seed/", {"seed": ""}).status_code == 200
    assert client.post(f"/elections/{election.pk}/seed/", {"seed": "12 19 23 31 40 44"}).status_code == 302
    election.refresh_from_db()
    assert election.seed == "12 19 23 31 40 44"
    assert "The seed is: 12 19 23 31 40 44" in client.get(f"/elections/{election.pk}/manage/").text


def test_elections_due_opens_closes_and_reminds(trust, voters, officer, django_capture_on_commit_callbacks):
    now = timezone.now()
    due, _c, _n = _polling(trust, voters, officer)
    pending, _c, pending_nominations = _polling(trust, voters, officer)
    pending_nominations[0].status = NominationStatus.SUBMITTED
    pending_nominations[0].save()
    early, _c, _n = _polling(
        trust,
        voters,
        officer,
        nominations_open=now - 5 * DAY,
        nominations_close=now - DAY,
        voting_open=now + DAY,
        voting_close=now + 5 * DAY,
    )
    closing, _c, _n = _polling(trust, voters, officer)
    services.election_open_voting(election=closing, by=officer)
    Election.objects.filter(pk=closing.pk).update(voting_close=now - datetime.timedelta(seconds=1))
    reminding, _c, _n = _polling(trust, voters, officer)
    services.election_open_voting(election=reminding, by=officer)
    Election.objects.filter(pk=reminding.pk).update(voting_close=now + datetime.timedelta(hours=20))

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("elections_due", stdout=out)
    lines = out.getvalue().splitlines()
    for election in (due, pending, early, closing, reminding):
        election.refresh_from_db()
    assert due.stage == Stage.VOTING
    assert pending.stage == Stage.PUBLISHED and early.stage == Stage.PUBLISHED
    assert closing.stage == Stage.DECLARED  # closed, and the count followed at once
    assert reminding.reminder_sent_at is not None and due.reminder_sent_at is None
    assert any(f"Opened voting in {due.title}" in line for line in lines)
    assert any(f"Closed voting in {closing.title}" in line for line in lines)
    assert any(f"Sent a reminder for {reminding.title}" in line for line in lines)
    assert len(lines) == 3
    assert AuditEvent.objects.filter(action="election.open_voting", actor=None).exists()

    # Run again: nothing more is due.
    again = io.StringIO()
    call_command("elections_due", stdout=again)
    assert again.getvalue() == ""


def test_home_and_workspace_say_what_needs_doing(trust, voters, officer, secretary):
    election, constituency, nominations = _polling(trust, voters, officer)
    services.election_open_voting(election=election, by=officer)
    voter_items = workspaces.home_items(voters[1].person)
    assert any(item.urgent and election.title in str(item.label) for item in voter_items)
    services.vote(
        constituency=Constituency.objects.get(pk=constituency.pk),
        person=voters[1].person,
        choices=[str(nominations[0].pk)],
    )
    assert not any(
        election.title in str(item.label) and item.urgent for item in workspaces.home_items(voters[1].person)
    )

    now = timezone.now()
    nominating = ElectionFactory(organisation=trust, returning_officer=officer, nominations_need_proposer=True)
    nominee = NominationFactory(
        constituency=ConstituencyFactory(election=nominating),
        candidate=voters[2].person,
        proposer=voters[3].person,
        seconder=voters[4].person,
        status=NominationStatus.SUBMITTED,
    )
    proposer_items = workspaces.home_items(voters[3].person)
    assert any(
        nominating.title in str(item.label) and nominee.ballot_name in str(item.label) for item in proposer_items
    )

    Election.objects.filter(pk=election.pk).update(voting_close=now - DAY)
    officer_items = workspaces.home_items(officer)
    assert any(item.url == f"/elections/{election.pk}/manage/" and item.urgent for item in officer_items)

    items = workspaces.workspace_items(secretary, trust)
    assert any(item.url == "/organisations/taff-leisure/elections/" for item in items)
    assert any(election.title in str(item.label) for item in items)
    stranger = UserFactory()
    assert workspaces.workspace_items(stranger, trust) == []


def test_every_audit_action_has_words():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    codes = set()
    for path in (root / "elections" / "services.py", root / "voting" / "services.py"):
        text = path.read_text()
        codes |= set(re.findall(r'action="([a-z_.]+)"', text))
        for pair in re.findall(r'"(election\.[a-z_]+)" if accept else "(election\.[a-z_]+)"', text):
            codes |= set(pair)
    assert codes and codes <= set(workspaces.AUDIT_ACTIONS), sorted(codes - set(workspaces.AUDIT_ACTIONS))


def test_the_secretary_changes_a_draft_until_nominations_open(client, trust, secretary, officer):
    election = ElectionFactory(organisation=trust, returning_officer=officer, stage=Stage.DRAFT)
    sign_in_with_mfa(client, secretary)
    page = client.get(f"/elections/{election.pk}/edit/")
    assert page.status_code == 200 and election.title in page.text
    changed = client.post(f"/elections/{election.pk}/edit/", _election_form(officer, title="Trustee election"))
    assert changed.status_code == 302
    election.refresh_from_db()
    assert election.title == "Trustee election"
    assert AuditEvent.objects.filter(action="election.update", actor=secretary).exists()

    Election.objects.filter(pk=election.pk).update(stage=Stage.PUBLISHED, nominations_open=timezone.now() - DAY)
    locked = client.post(f"/elections/{election.pk}/edit/", _election_form(officer, title="Too late"))
    assert locked.status_code == 200 and "timetable and rules are fixed" in locked.text
    election.refresh_from_db()
    assert election.title == "Trustee election"


def test_the_pages_read_in_welsh(client, trust, voters, officer):
    election, _constituency, _nominations = _polling(trust, voters, officer)
    services.election_open_voting(election=election, by=officer)
    sign_in_with_mfa(client, officer)
    for url in (
        f"/cy/elections/{election.pk}/manage/",
        f"/cy/elections/{election.pk}/paper/",
        f"/cy/elections/{election.pk}/cast-for/",
    ):
        response = client.get(url)
        assert response.status_code == 200 and 'lang="cy"' in response.text, url
    from django.utils import translation

    translation.activate("en")
