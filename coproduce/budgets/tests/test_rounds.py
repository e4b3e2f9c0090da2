"""Setting a round up (its phases, ballot and rules checked), publishing it, the seed, and a
funded project's delivery with dated updates."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coproduce.budgets import services
from coproduce.budgets.models import BallotKind, CountRule, DeliveryStatus, Stage, Status
from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.models import AuditEvent, OrganisationKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields(**changes):
    return {
        "title": "Elmwood ward budget",
        "place": PlaceFactory(name="Elmwood"),
        "amount": 50_000_00,
        "ballot_kind": BallotKind.KNAPSACK,
        "count_rule": CountRule.MES,
        **phases("ideas"),
        **changes,
    }


def refused(**changes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        services.round_create(
            organisation=OrganisationFactory(kind=OrganisationKind.COUNCIL), by=UserFactory(), **fields(**changes)
        )
    return caught.value


def test_a_round_is_created_as_a_draft_with_its_audit_event_and_published():
    council, officer = OrganisationFactory(kind=OrganisationKind.COUNCIL), UserFactory()
    budget_round = services.round_create(organisation=council, by=officer, **fields())
    assert budget_round.stage == Stage.DRAFT and budget_round.status() == Status.DRAFT
    assert AuditEvent.objects.filter(action="budget.create", organisation=council).exists()
    budget_round = services.round_publish(budget_round=budget_round, by=officer)
    assert budget_round.status() == Status.IDEAS
    with pytest.raises(ValidationError):
        services.round_publish(budget_round=budget_round, by=officer)
    with pytest.raises(ValidationError):
        services.round_update(budget_round=budget_round, by=officer, amount=1)  # ideas have opened


def test_a_rounds_phases_ballot_and_ages_are_checked():
    dates = phases("ideas")
    assert "ideas_close" in refused(ideas_close=dates["ideas_open"]).message_dict
    assert "voting_open" in refused(voting_open=dates["ideas_close"]).message_dict
    assert "voting_close" in refused(voting_close=dates["voting_open"]).message_dict
    assert "ballot_limit" in refused(ballot_kind=BallotKind.POINTS).message_dict
    assert "ballot_limit" in refused(ballot_kind=BallotKind.APPROVAL, ballot_limit=0).message_dict
    assert "max_age" in refused(min_age=18, max_age=16).message_dict
    assert "count_rule" in refused(count_rule="borda").message_dict
    assert "review_close" in refused(review_close=None).message_dict
    with pytest.raises(TypeError):
        services.round_create(organisation=OrganisationFactory(), by=UserFactory(), **fields(colour="red"))


def test_the_seed_is_published_before_the_close_and_fixed_after():
    budget_round = BudgetRoundFactory(**phases("closing"))
    ProjectFactory.create_batch(2, round=budget_round)
    officer = UserFactory()
    with pytest.raises(ValidationError):
        services.round_seed_set(budget_round=budget_round, seed=-1, by=officer)
    assert services.round_seed_set(budget_round=budget_round, seed=2026, by=officer).seed == 2026
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    services.round_close_voting(budget_round=budget_round, by=officer)
    with pytest.raises(ValidationError):
        services.round_seed_set(budget_round=budget_round, seed=1, by=officer)


def test_a_funded_project_has_its_delivery_followed_with_dated_updates(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("closing"), amount=100_00)
    funded, unfunded = ProjectFactory(round=budget_round, cost=60_00), ProjectFactory(round=budget_round, cost=60_00)
    voter = ResidentFactory(ward=budget_round.place)
    budget_round = services.round_open_voting(budget_round=budget_round, by=None)
    services.ballot_cast(budget_round=budget_round, person=voter, content=[str(funded.pk)])
    officer = UserFactory()
    with pytest.raises(ValidationError):
        services.project_update_add(project=funded, by=officer, text="Too soon.")
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close_voting(budget_round=budget_round, by=None)
    update = services.project_update_add(project=funded, by=officer, text="The benches are ordered.")
    assert list(funded.updates.all()) == [update]
    assert (
        services.project_delivery_set(project=funded, status=DeliveryStatus.DONE, by=officer).delivery_status == "done"
    )
    with pytest.raises(ValidationError) as caught:
        services.project_update_add(project=unfunded, by=officer, text="Nothing to say.")
    assert caught.value.messages == ["Only a funded project has a delivery to follow."]
    services.departure_record(
        budget_round=budget_round, project=unfunded, funded=True, reason="Grant found.", by=officer
    )
    assert services.project_update_add(project=unfunded, by=officer, text="Funded by the grant.")


def test_the_fund_holders_officers_and_secretaries_run_its_rounds():
    from coproduce.core.models import RoleKind
    from coproduce.core.tests.factories import RoleFactory

    budget_round = BudgetRoundFactory()
    officer = RoleFactory(organisation=budget_round.organisation, kind=RoleKind.OFFICER).person
    secretary = RoleFactory(organisation=budget_round.organisation, kind=RoleKind.SECRETARY).person
    elsewhere = RoleFactory(kind=RoleKind.OFFICER).person
    for person in (officer, secretary):
        assert person.has_perm("budgets.manage_rounds", budget_round.organisation)
        assert person.has_perm("budgets.run_round", budget_round)
    assert not elsewhere.has_perm("budgets.run_round", budget_round)
    assert not ResidentFactory().has_perm("budgets.manage_rounds", budget_round.organisation)


def test_every_audit_action_the_services_write_is_described():
    import re
    from pathlib import Path

    from coproduce.budgets.audit import AUDIT_ACTIONS

    written = set(re.findall(r'"(budget\.[a-z_]+)"', (Path(services.__file__)).read_text()))
    assert written == set(AUDIT_ACTIONS)
