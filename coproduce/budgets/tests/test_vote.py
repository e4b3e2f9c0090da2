"""The vote: the electorate, the budget limit on a knapsack ballot, approval of up to N, points,
and one person one vote across online and paper (held by ``voting``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coproduce.budgets import services
from coproduce.budgets.models import BallotKind, Stage
from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.tests.factories import PlaceFactory, UserFactory
from coproduce.core.verification import VerificationLevel
from coproduce.voting import services as voting
from coproduce.voting.models import BoxKind, Channel, Mark

pytestmark = pytest.mark.django_db


def voting_round(*, voters: int = 4, costs=(6_000_00, 3_000_00, 2_000_00), **fields):
    """An open vote with projects of ``costs`` (pence) and ``voters`` eligible residents."""
    budget_round = BudgetRoundFactory(**phases("voting"), **fields)
    projects = [ProjectFactory(round=budget_round, cost=cost) for cost in costs]
    people = [ResidentFactory(ward=budget_round.place) for _ in range(voters)]
    ResidentFactory(ward=PlaceFactory())  # another ward's resident: not on the electorate
    ResidentFactory(ward=budget_round.place, verification_level=VerificationLevel.DECLARED)  # not verified enough
    budget_round = services.round_open_voting(budget_round=budget_round, by=UserFactory())
    return budget_round, [str(project.pk) for project in projects], people


def refused(service, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        service(**kwargs)
    return caught.value


def test_opening_fixes_the_eligible_electorate_and_the_ballot():
    budget_round, keys, people = voting_round()
    assert budget_round.stage == Stage.VOTING
    box = budget_round.box
    assert (box.kind, box.app_label, box.electorate_size) == (BoxKind.APPROVAL, "budgets", 4)
    assert sorted(box.options) == sorted(keys)
    assert sorted(box.electors.values_list("person", flat=True)) == sorted(p.pk for p in people)


def test_voting_needs_two_costed_projects_and_its_date():
    lonely = BudgetRoundFactory(**phases("voting"))
    ProjectFactory(round=lonely)
    assert "two projects" in refused(services.round_open_voting, budget_round=lonely, by=None).messages[0]
    early = BudgetRoundFactory(**phases("review"))
    ProjectFactory.create_batch(2, round=early)
    assert refused(services.round_open_voting, budget_round=early, by=None)


def test_a_knapsack_ballot_over_the_budget_is_refused_with_the_totals():
    budget_round, (big, middle, small), (voter, *_) = voting_round()
    error = refused(services.ballot_cast, budget_round=budget_round, person=voter, content=[big, middle, small])
    assert error.code == "over_budget"
    assert error.messages == [
        "The projects you chose cost £11,000.00 together, more than the budget of £10,000.00. "
        "Take some out so that they fit."
    ]
    assert not Mark.objects.exists()
    receipt = services.ballot_cast(budget_round=budget_round, person=voter, content=[big, middle])
    assert receipt and Mark.objects.get().channel == Channel.ONLINE


def test_approval_of_up_to_n_and_points_keep_their_limits():
    approval, keys, (voter, *_) = voting_round(ballot_kind=BallotKind.APPROVAL, ballot_limit=2)
    assert refused(services.ballot_cast, budget_round=approval, person=voter, content=keys).code == "too_many"
    # No budget limit on an approval-of-N ballot: 6,000 + 3,000 + … need not fit.
    assert services.ballot_cast(budget_round=approval, person=voter, content=keys[:2])
    points, keys, (voter, *_) = voting_round(ballot_kind=BallotKind.POINTS, ballot_limit=10)
    assert points.box.kind == BoxKind.POINTS and points.box.max_points == 10
    error = refused(services.ballot_cast, budget_round=points, person=voter, content=[[keys[0], 6], [keys[1], 5]])
    assert error.code == "too_many_points"
    assert refused(services.ballot_cast, budget_round=points, person=voter, content=[[keys[0], 0]]).code == "bad_points"
    assert services.ballot_cast(budget_round=points, person=voter, content=[[keys[0], 6], [keys[1], 4]])


def test_one_person_one_vote_across_online_and_paper():
    budget_round, (big, middle, small), (online, paper, *_) = voting_round()
    officer, checker = UserFactory(), UserFactory()
    services.ballot_cast(budget_round=budget_round, person=online, content=[small])
    assert (
        refused(services.ballot_cast, budget_round=budget_round, person=online, content=[big]).code == "already_voted"
    )
    with pytest.raises(ValidationError) as caught:
        voting.paper_vote_mark(box=budget_round.box, person=online, by=officer)
    assert caught.value.code == "already_voted"
    voting.paper_vote_mark(box=budget_round.box, person=paper, by=officer)
    batch = voting.paper_batch_start(box=budget_round.box, by=officer)
    over = refused(
        services.paper_ballot_enter, budget_round=budget_round, batch=batch, by=officer, content=[big, middle, small]
    )
    assert over.code == "over_budget"
    # Said to the officer entering the paper, not to a voter.
    assert over.messages[0].startswith("The projects marked on this paper cost")
    services.paper_ballot_enter(budget_round=budget_round, batch=batch, by=officer, content=[big, small])
    assert (
        refused(services.ballot_cast, budget_round=budget_round, person=paper, content=[small]).code == "already_voted"
    )
    voting.paper_batch_check(batch=batch, by=checker)
    outsider = ResidentFactory(ward=PlaceFactory())
    assert (
        refused(services.ballot_cast, budget_round=budget_round, person=outsider, content=[small]).code == "not_elector"
    )
    assert budget_round.box.ballots.count() == 2 and budget_round.box.marks.count() == 2
