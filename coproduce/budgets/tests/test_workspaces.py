"""What budget rounds put on a person's home and on the fund holder's workspace: a vote to cast,
ideas open near them, and what the officers' rounds need; in a fixed number of queries; and every
audit action the budget services write has its words."""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.budgets import services, workspaces
from coproduce.budgets.models import BudgetRound, IdeaStatus, Stage
from coproduce.budgets.tests.factories import BudgetRoundFactory, IdeaFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.models import OrganisationKind, PlaceKind, RoleKind, User
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, RoleFactory, UserFactory
from coproduce.core.verification import VerificationLevel
from coproduce.voting import services as voting

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough():
    return PlaceFactory(code="X06000092", name="Kingsmere", kind=PlaceKind.COUNCIL_AREA)


@pytest.fixture
def district(borough):
    return PlaceFactory(code="X07000092", name="North", kind=PlaceKind.DISTRICT, parent=borough)


@pytest.fixture
def elmwood(district):
    return PlaceFactory(code="X05000092", name="Elmwood", parent=district)


@pytest.fixture
def ironbridge(borough):
    return PlaceFactory(code="X05000093", name="Ironbridge", parent=borough)


@pytest.fixture
def council(borough):
    return OrganisationFactory(kind=OrganisationKind.COUNCIL, slug="kingsmere", area=borough)


@pytest.fixture
def officer(council):
    return RoleFactory(organisation=council, kind=RoleKind.OFFICER).person


def _labels(items) -> list[str]:
    return [str(item.label) for item in items]


def test_a_resident_on_the_electorate_is_asked_to_vote_until_they_have(council, officer, elmwood, ironbridge):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, title="Elmwood budget", **phases("voting"))
    project = ProjectFactory(round=budget_round)
    ProjectFactory(round=budget_round)
    voter = ResidentFactory(ward=elmwood)
    elsewhere = ResidentFactory(ward=ironbridge)
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)

    items = workspaces.home_items(voter)
    vote = [item for item in items if str(item.label) == "Vote in Elmwood budget"]
    assert len(vote) == 1 and vote[0].urgent
    assert vote[0].url == f"/budgets/{budget_round.pk}/"
    assert "Voting closes on" in str(vote[0].hint)
    assert "Vote in Elmwood budget" not in _labels(workspaces.home_items(elsewhere))

    services.ballot_cast(budget_round=budget_round, person=voter, content=[str(project.pk)])
    assert "Vote in Elmwood budget" not in _labels(workspaces.home_items(voter))
    # Someone who moved in after voting opened is not on the electorate, so is not asked either.
    newcomer = ResidentFactory(ward=elmwood)
    assert "Vote in Elmwood budget" not in _labels(workspaces.home_items(newcomer))


def test_paper_voters_are_not_asked_to_vote_online(council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, title="Elmwood budget", **phases("voting"))
    ProjectFactory.create_batch(2, round=budget_round)
    voter = ResidentFactory(ward=elmwood)
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    assert "Vote in Elmwood budget" in _labels(workspaces.home_items(voter))
    voting.paper_vote_mark(box=budget_round.box, person=voter, by=officer)
    assert "Vote in Elmwood budget" not in _labels(workspaces.home_items(voter))


def test_ideas_open_is_shown_to_eligible_residents_of_the_place(council, district, elmwood, ironbridge):
    # A district's round: residents of its wards may send ideas; others, the unverified and the
    # too young may not.
    BudgetRoundFactory(organisation=council, place=district, title="North district fund", min_age=18)
    BudgetRoundFactory(organisation=council, place=district, title="Not yet open", stage=Stage.DRAFT)
    BudgetRoundFactory(organisation=council, place=district, title="Ideas closed", **phases("review"))
    resident = ResidentFactory(ward=elmwood)
    items = workspaces.home_items(resident)
    ideas = [item for item in items if "North district fund" in str(item.label)]
    assert _labels(ideas) == ["Ideas are open in North district fund"]
    assert not ideas[0].urgent and "Send an idea for North" in str(ideas[0].hint)
    assert not any("Not yet open" in label or "Ideas closed" in label for label in _labels(items))

    assert workspaces.home_items(ResidentFactory(ward=ironbridge)) == []
    unverified = ResidentFactory(ward=elmwood, verification_level=VerificationLevel.DECLARED)
    assert workspaces.home_items(unverified) == []
    young = ResidentFactory(ward=elmwood, date_of_birth=timezone.localdate() - datetime.timedelta(days=365 * 15))
    assert workspaces.home_items(young) == []
    assert workspaces.home_items(UserFactory()) == []  # no address given


def test_officers_are_told_what_their_rounds_need(council, officer, elmwood):
    ideas = BudgetRoundFactory(organisation=council, place=elmwood, title="Taking ideas")
    IdeaFactory.create_batch(2, round=ideas, status=IdeaStatus.SUBMITTED)
    review = BudgetRoundFactory(organisation=council, place=elmwood, title="Reviewing", **phases("review"))
    IdeaFactory(round=review)
    due = BudgetRoundFactory(organisation=council, place=elmwood, title="Due to open", **phases("voting"))
    ProjectFactory.create_batch(2, round=due)
    closing = BudgetRoundFactory(organisation=council, place=elmwood, title="Closing", **phases("closing"))
    ProjectFactory.create_batch(2, round=closing)
    closing = services.round_open_voting(budget_round=closing, by=officer)
    batch = voting.paper_batch_start(box=closing.box, by=officer)
    quiet = BudgetRoundFactory(organisation=council, place=elmwood, title="Quiet", **phases("ideas"))
    draft = BudgetRoundFactory(organisation=council, place=elmwood, title="Draft", stage=Stage.DRAFT)

    by_title = {str(item.label).split(":")[0]: item for item in workspaces.home_items(officer)}
    assert str(by_title["Taking ideas"].label) == "Taking ideas: 2 ideas to moderate"
    assert by_title["Taking ideas"].urgent and by_title["Taking ideas"].url == f"/budgets/{ideas.pk}/manage/"
    assert str(by_title["Reviewing"].label) == "Reviewing: 1 idea to cost or find not feasible"
    assert str(by_title["Due to open"].label) == "Due to open: Open voting"
    assert str(by_title["Closing"].label) == "Closing: 1 batch of paper ballots to check; Close voting"
    assert str(by_title["Draft"].label) == "Draft: Check the round's details and publish it"
    assert not by_title["Draft"].urgent
    assert quiet.title not in by_title  # nothing to do

    items = workspaces.workspace_items(officer, council)
    titles = {str(item.label): item for item in items}
    assert {"Taking ideas", "Reviewing", "Due to open", "Closing", "Quiet", "Draft", "Budget rounds"} <= set(titles)
    assert titles["Budget rounds"].url == "/organisations/kingsmere/budgets/"
    assert titles["Closing"].urgent and "1 batch of paper ballots to check" in str(titles["Closing"].hint)
    assert not titles["Quiet"].urgent and str(titles["Quiet"].hint) == "Taking ideas"
    assert titles["Draft"].url == f"/budgets/{draft.pk}/manage/"
    assert batch.pk

    stranger = UserFactory()
    assert workspaces.workspace_items(stranger, council) == []
    secretary_elsewhere = RoleFactory(kind=RoleKind.SECRETARY).person
    assert workspaces.workspace_items(secretary_elsewhere, council) == []
    assert not any("Taking ideas" in label for label in _labels(workspaces.home_items(secretary_elsewhere)))


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_hooks_run_a_fixed_number_of_queries(council, officer, elmwood):
    resident = ResidentFactory(ward=elmwood)

    def add_rounds():
        voting_round = BudgetRoundFactory(organisation=council, place=elmwood, **phases("voting"))
        ProjectFactory.create_batch(2, round=voting_round)
        voting_round = services.round_open_voting(budget_round=voting_round, by=officer)
        voting.paper_batch_start(box=voting_round.box, by=officer)
        taking = BudgetRoundFactory(organisation=council, place=elmwood)
        IdeaFactory(round=taking, status=IdeaStatus.SUBMITTED)

    def measure() -> tuple[int, int, int]:
        # Each person read afresh, as a request does.
        return (
            _queries(lambda: workspaces.home_items(User.objects.get(pk=resident.pk))),
            _queries(lambda: workspaces.home_items(User.objects.get(pk=officer.pk))),
            _queries(lambda: workspaces.workspace_items(User.objects.get(pk=officer.pk), council)),
        )

    add_rounds()
    one = measure()
    for _ in range(3):
        add_rounds()
    many = measure()
    assert BudgetRound.objects.count() == 8
    assert len([i for i in workspaces.home_items(resident) if i.urgent]) == 4  # a vote in each round
    assert many == one


def test_every_audit_action_has_words():
    root = pathlib.Path(__file__).resolve().parents[1]
    text = (root / "services.py").read_text()
    codes = set(re.findall(r'action="(budget\.[a-z_]+)"', text))
    codes |= {
        code for pair in re.findall(r'"(budget\.[a-z_]+)" if \w+ else "(budget\.[a-z_]+)"', text) for code in pair
    }
    assert {"budget.create", "budget.idea_publish", "budget.idea_hide", "budget.project_update"} <= codes
    assert codes <= set(workspaces.AUDIT_ACTIONS), sorted(codes - set(workspaces.AUDIT_ACTIONS))
