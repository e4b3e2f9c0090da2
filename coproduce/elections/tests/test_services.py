"""An election from nominations to the declared result, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce.core.tests.factories import UserFactory
from coproduce.elections import counting, services
from coproduce.elections.models import NominationStatus, Stage
from coproduce.elections.tests.factories import ConstituencyFactory, ElectionFactory, NominationFactory, timetable
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory
from coproduce.voting import services as voting
from coproduce.voting.models import Ballot, Mark

pytestmark = pytest.mark.django_db


def polling_election(*, voters: int = 6, candidates: int = 3, seats: int = 2, rules: str = "scottish"):
    """An election whose nominations have closed, with ``candidates`` accepted, ready to open."""
    tenant = StakeholderClassFactory()
    members = [
        MembershipFactory(stakeholder_class=tenant, admitted_on=datetime.date(2020, 1, 1)) for _ in range(voters)
    ]
    election = ElectionFactory(organisation=tenant.organisation, rules=rules, **timetable("voting"))
    constituency = ConstituencyFactory(election=election, seats=seats)
    nominations = [
        NominationFactory(
            constituency=constituency, candidate=members[i].person, ballot_name=f"Candidate {chr(65 + i)}"
        )
        for i in range(candidates)
    ]
    return election, constituency, nominations, [m.person for m in members]


def close_now(election) -> None:
    """Bring the close of voting to a moment ago."""
    type(election).objects.filter(pk=election.pk).update(voting_close=timezone.now() - datetime.timedelta(seconds=1))


def test_an_election_runs_from_poll_to_declared_result(django_capture_on_commit_callbacks):
    election, constituency, nominations, people = polling_election()
    services.election_open_voting(election=election, by=election.returning_officer)
    constituency.refresh_from_db()
    assert constituency.box.electorate_size == 6
    a, b, c = (str(n.pk) for n in nominations)
    receipts = [
        services.vote(constituency=constituency, person=people[i], choices=ranking)
        for i, ranking in enumerate([[a, b], [a, b], [a], [b, a], [c, b]])
    ]
    assert len(set(receipts)) == 5
    with pytest.raises(ValidationError) as refused:
        services.vote(constituency=constituency, person=people[0], choices=[b])
    assert refused.value.code == "already_voted"
    close_now(election)
    with django_capture_on_commit_callbacks(execute=True):
        services.election_close_voting(election=election, by=election.returning_officer)
    election.refresh_from_db()
    constituency.refresh_from_db()
    assert election.stage == Stage.DECLARED
    assert constituency.result["elected_names"] == ["Candidate A", "Candidate B"]
    assert constituency.result["turnout"] == {"electorate": 6, "voted": 5, "ballots": 5, "spoilt": 0}
    assert any("result" in message.subject.lower() for message in mail.outbox)
    # The published BLT file counts to the same result.
    from coproduce.counting.formats.blt import parse_blt
    from coproduce.counting.stv import count
    from coproduce.counting.stv.report import to_dict

    recount = to_dict(count(parse_blt(counting.ballots_blt(constituency)), rules="scottish", seed=election.seed))
    assert recount["elected"] == constituency.result["elected"]
    assert recount["stages"] == constituency.result["stages"]


def test_paper_voters_are_marked_entered_and_checked_before_the_count(django_capture_on_commit_callbacks):
    election, constituency, nominations, people = polling_election()
    services.election_open_voting(election=election, by=election.returning_officer)
    constituency.refresh_from_db()
    box = constituency.box
    officer, second = election.returning_officer, UserFactory()
    voting.paper_vote_mark(box=box, person=people[0], by=officer)
    with pytest.raises(ValidationError) as refused:
        services.vote(constituency=constituency, person=people[0], choices=[str(nominations[0].pk)])
    assert refused.value.code == "already_voted"
    batch = voting.paper_batch_start(box=box, by=officer)
    voting.paper_ballot_enter(batch=batch, by=officer, content=[str(nominations[1].pk)])
    close_now(election)
    with django_capture_on_commit_callbacks(execute=True):
        services.election_close_voting(election=election, by=officer)
    election.refresh_from_db()
    assert election.stage == Stage.CLOSED  # the batch waits for its check
    with pytest.raises(ValidationError):
        voting.paper_batch_check(batch=batch, by=officer)
    voting.paper_batch_check(batch=batch, by=second)
    services.election_count(election=election, by=officer)
    election.refresh_from_db()
    assert election.stage == Stage.DECLARED
    assert Ballot.objects.filter(box=box).count() == 1 == Mark.objects.filter(box=box).count()


def test_uncontested_constituency_is_declared_without_a_poll():
    election, constituency, _nominations, _ = polling_election(candidates=2, seats=2)
    services.election_open_voting(election=election, by=election.returning_officer)
    election.refresh_from_db()
    constituency.refresh_from_db()
    assert election.stage == Stage.DECLARED and constituency.box is None and constituency.uncontested
    assert constituency.result["elected_names"] == ["Candidate A", "Candidate B"]


def test_plurality_counts_most_votes(django_capture_on_commit_callbacks):
    election, constituency, nominations, people = polling_election(rules="plurality", seats=1)
    services.election_open_voting(election=election, by=election.returning_officer)
    constituency.refresh_from_db()
    a, b, c = (str(n.pk) for n in nominations)
    for person, choice in zip(people, [a, b, b, c, b], strict=False):
        services.vote(constituency=constituency, person=person, choices=[choice])
    with pytest.raises(ValidationError):
        services.vote(constituency=constituency, person=people[5], choices=[a, b])  # one seat: one choice
    close_now(election)
    with django_capture_on_commit_callbacks(execute=True):
        services.election_close_voting(election=election, by=None)
    constituency.refresh_from_db()
    assert constituency.result["elected_names"] == ["Candidate B"] and constituency.result["votes"] == [1, 3, 1]


def test_nominations_need_a_member_proposer_and_seconder_who_confirm():
    tenant = StakeholderClassFactory()
    candidate, proposer, seconder = (MembershipFactory(stakeholder_class=tenant).person for _ in range(3))
    outsider = UserFactory()
    election = ElectionFactory(organisation=tenant.organisation, nominations_need_proposer=True)
    constituency = ConstituencyFactory(election=election, stakeholder_class=tenant)
    with pytest.raises(ValidationError) as refused:
        services.nomination_submit(
            constituency=constituency,
            candidate=candidate,
            by=candidate,
            ballot_name="C",
            statement="s",
            proposer=outsider,
            seconder=seconder,
        )
    assert "proposer" in refused.value.message_dict
    nomination = services.nomination_submit(
        constituency=constituency,
        candidate=candidate,
        by=candidate,
        ballot_name="  Cara   Jones ",
        statement="s",
        proposer=proposer,
        seconder=seconder,
    )
    assert nomination.ballot_name == "Cara Jones" and nomination.waiting_for == ["proposer", "seconder"]
    with pytest.raises(ValidationError):
        services.nomination_decide(nomination=nomination, accept=True, by=election.returning_officer)
    services.nomination_confirm(nomination=nomination, by=proposer)
    services.nomination_confirm(nomination=nomination, by=seconder)
    nomination = services.nomination_decide(nomination=nomination, accept=True, by=election.returning_officer)
    assert nomination.status == NominationStatus.ACCEPTED


def test_the_close_is_queued_for_the_close_of_voting_where_tasks_can_wait(settings, django_capture_on_commit_callbacks):
    """With a backend that runs tasks later (the database backend in production), opening the poll
    queues its close for the closing time."""
    from django.tasks import default_task_backend, task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    election, _constituency, _nominations, _people = polling_election()
    with django_capture_on_commit_callbacks(execute=True):
        services.election_open_voting(election=election, by=None)
    backend = task_backends["default"]
    queued = [result for result in backend.results if result.task.name == "close_election"]
    assert default_task_backend.supports_defer
    assert len(queued) == 1 and queued[0].task.run_after == election.voting_close
