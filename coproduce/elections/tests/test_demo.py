"""The demo borough's elections: one declared, one polling, one taking nominations, built through
the services (so their audit trails exist), and the declared one recounts from its published file."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.core.demo import build_demo
from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import sign_in_with_mfa
from coproduce.counting.formats.blt import parse_blt
from coproduce.counting.stv import count
from coproduce.counting.stv.report import to_dict
from coproduce.elections import counting
from coproduce.elections.models import AppointedSeat, Election, NominationStatus, Stage, Status
from coproduce.voting import selectors as ballots
from coproduce.voting.models import Ballot, BoxStatus, Channel, Elector, Mark, PaperBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return build_demo()


def _election(slug: str) -> Election:
    return Election.objects.get(organisation__slug=slug)


def test_the_housing_coops_board_election_is_declared_and_recounts_from_its_published_ballots(demo):
    election = _election("north-homes")
    assert election.stage == Stage.DECLARED and election.status() == Status.DECLARED
    assert election.voting_close < timezone.now() and election.declared_at is not None
    assert election.rules == "ers97" and election.seed
    tenants, everyone = election.constituencies.order_by("order")
    assert tenants.stakeholder_class.code == "tenant" and everyone.stakeholder_class is None
    assert AppointedSeat.objects.get(election=election).appointed_by == "Kingsmere Borough Council"
    # Statements in English and Welsh; a withdrawn nomination beside the accepted ones.
    accepted = election.constituencies.values_list("nominations__status", flat=True)
    assert NominationStatus.WITHDRAWN in accepted
    for constituency in (tenants, everyone):
        candidates = counting.candidates(constituency)
        assert len(candidates) > constituency.seats
        assert all(n.statement and n.statement_cy and n.status == NominationStatus.ACCEPTED for n in candidates)
    total = 0
    for constituency in (tenants, everyone):
        box = constituency.box
        assert box.status == BoxStatus.SEALED
        ballots_in_box = Ballot.objects.filter(box=box).count()
        total += ballots_in_box
        # Every voter marked has exactly one ballot: online, and paper entered and checked.
        assert ballots_in_box == Mark.objects.filter(box=box).count()
        assert (
            Mark.objects.filter(box=box, channel=Channel.PAPER).count()
            == sum(batch.papers for batch in PaperBatch.objects.filter(box=box))
            > 0
        )
        batches = PaperBatch.objects.filter(box=box)
        assert batches and all(b.checked_by_id and b.checked_by_id != b.entered_by_id for b in batches)
        # Sealed: no ballot keeps the batch that would tell a paper ballot from one cast online.
        assert not Ballot.objects.filter(box=box, batch__isnull=False).exists()
        # The result is published, and the BLT file parsed back counts to the same elected set.
        result = constituency.result
        assert len(result["elected"]) == constituency.seats
        assert len(result["stages"]) > 1  # transfers happened: not decided on first preferences alone
        recount = to_dict(
            count(parse_blt(counting.ballots_blt(constituency)), rules=election.rules, seed=election.seed)
        )
        assert recount["elected"] == result["elected"]
        assert recount["quota"] == result["quota"] and recount["stages"] == result["stages"]
        assert result["turnout"]["ballots"] == ballots_in_box
        assert len(ballots.published_receipts(box)) == ballots_in_box
    assert total >= 150
    assert result["turnout"]["electorate"] > result["turnout"]["voted"] > 0
    assert Ballot.objects.filter(box=tenants.box, spoilt=True).count() == 1
    # The audit trail tells the story, from the draft to the declaration.
    actions = set(AuditEvent.objects.filter(organisation=election.organisation).values_list("action", flat=True))
    assert {
        "election.create",
        "election.publish",
        "election.nominate",
        "election.nomination_withdraw",
        "election.nomination_accept",
        "election.open_voting",
        "ballot.paper_mark",
        "ballot.paper_check",
        "election.close_voting",
        "ballot.seal",
        "election.declare",
    } <= actions
    # Replayed on the days it happened: the poll opened on its opening day, four weeks ago.
    opened = AuditEvent.objects.get(action="election.open_voting", target_id=str(election.pk))
    assert abs(opened.created_at - election.voting_open).total_seconds() < 600


def test_the_leisure_trust_is_polling_and_the_demo_member_can_vote(demo, client):
    users = demo["users"]
    member, secretary, officer = users["member"], users["secretary"], users["officer"]
    election = _election("leisure-trust")
    assert election.status() == Status.VOTING
    assert election.voting_open < timezone.now() < election.voting_close
    assert 9 <= (election.voting_close - timezone.now()).days <= 10
    (constituency,) = election.constituencies.all()
    box = constituency.box
    assert box.status == BoxStatus.OPEN
    assert Elector.objects.filter(box=box, person=member).exists() and ballots.is_elector(box, member)
    assert ballots.mark_for(box, member) is None
    assert 0 < Mark.objects.filter(box=box).count() == Ballot.objects.filter(box=box).count() < box.electorate_size
    assert Mark.objects.filter(box=box, channel=Channel.ASSISTED, cast_by=secretary).count() == 1
    # The returning officer holds a role: the council's officer runs it, and the trust's secretary
    # (who handles paper ballots) reaches its management pages too.
    assert election.returning_officer == officer and officer.has_perm("elections.run_election", election)
    assert secretary.has_perm("elections.view_management", election)
    assert not member.has_perm("elections.view_management", election)
    for person in (officer, secretary):
        sign_in_with_mfa(client, person)
        assert client.get(reverse("elections:manage", args=[election.pk])).status_code == 200
    # The member reaches the ballot paper.
    client.force_login(member)
    response = client.get(reverse("elections:ballot", args=[election.pk, constituency.pk]))
    assert response.status_code == 200
    # The council officer is the housing co-op's returning officer too, and reaches its management page.
    homes = _election("north-homes")
    assert homes.returning_officer == officer and officer.has_perm("elections.run_election", homes)
    sign_in_with_mfa(client, officer)
    assert client.get(reverse("elections:manage", args=[homes.pk])).status_code == 200


def test_the_care_coop_is_taking_nominations(demo):
    election = _election("caring-together")
    assert election.status() == Status.NOMINATIONS and election.taking_nominations
    nominations = [n for c in election.constituencies.all() for n in c.nominations.all()]
    assert len(nominations) == 2 and all(n.status == NominationStatus.SUBMITTED for n in nominations)
    assert sorted(len(n.waiting_for) for n in nominations) == [0, 1]  # one waits for its seconder
    assert all(n.statement_cy for n in nominations)
    assert all(c.box is None for c in election.constituencies.all())
