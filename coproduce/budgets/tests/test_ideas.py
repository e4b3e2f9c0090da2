"""Ideas and their review: who may send one (and the reason when not), support once, moderation
with a published reason, merging duplicates, costed and not-feasible projects."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from coproduce.budgets import selectors, services
from coproduce.budgets.models import IdeaStatus, ProjectStatus
from coproduce.budgets.selectors import born_by
from coproduce.budgets.tests.factories import BudgetRoundFactory, IdeaFactory, ResidentFactory, phases
from coproduce.core.models import PlaceKind
from coproduce.core.tests.factories import PlaceFactory, UserFactory
from coproduce.core.verification import VerificationLevel

pytestmark = pytest.mark.django_db


def submit(budget_round, person, **extra):
    return services.idea_submit(
        budget_round=budget_round, person=person, title="Benches by the canal", description="Three benches.", **extra
    )


def refusal(service, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        service(**kwargs)
    return caught.value


def test_a_verified_resident_of_the_ward_submits_an_idea_for_moderation():
    budget_round = BudgetRoundFactory()
    idea = submit(budget_round, ResidentFactory(ward=budget_round.place), where="Canal path", ward=budget_round.place)
    assert idea.status == IdeaStatus.SUBMITTED
    assert list(selectors.ideas_to_moderate(budget_round)) == [idea]
    assert not selectors.published_ideas(budget_round).exists()


def test_ideas_are_refused_with_the_reason_another_ward_not_verified_enough_too_young():
    budget_round = BudgetRoundFactory(min_age=16, max_age=25, place__name="Elmwood")
    other = refusal(submit, budget_round=budget_round, person=ResidentFactory(ward=PlaceFactory()))
    assert other.code == "not_eligible"
    assert other.messages == ["This is for people who live in Elmwood ward."]
    unverified = refusal(
        submit,
        budget_round=budget_round,
        person=ResidentFactory(ward=budget_round.place, verification_level=VerificationLevel.DECLARED),
    )
    assert "confirm your address" in unverified.messages[0] and "Address confirmed" in unverified.messages[0]
    today = timezone.localdate()
    young = refusal(
        submit,
        budget_round=budget_round,
        person=ResidentFactory(ward=budget_round.place, date_of_birth=born_by(today, 15)),
    )
    assert young.messages[0].startswith("You need to be 16 or older on")
    old = refusal(
        submit,
        budget_round=budget_round,
        person=ResidentFactory(ward=budget_round.place, date_of_birth=born_by(today, 26)),
    )
    assert old.messages[0].startswith("This is for people aged 25 or younger")
    assert submit(budget_round, ResidentFactory(ward=budget_round.place, date_of_birth=born_by(today, 25)))


def test_a_district_round_takes_residents_of_its_wards_and_ideas_only_for_its_wards():
    district = PlaceFactory(kind=PlaceKind.DISTRICT, name="North")
    ward = PlaceFactory(parent=district)
    budget_round = BudgetRoundFactory(place=district)
    assert submit(budget_round, ResidentFactory(ward=ward), ward=ward)
    error = refusal(submit, budget_round=budget_round, person=ResidentFactory(ward=ward), ward=PlaceFactory())
    assert "ward" in error.message_dict


def test_ideas_are_taken_only_while_the_round_takes_them():
    budget_round = BudgetRoundFactory(**phases("review"))
    error = refusal(submit, budget_round=budget_round, person=ResidentFactory(ward=budget_round.place))
    assert error.code == "closed"


def test_an_idea_is_supported_once_per_person_and_only_once_published():
    idea = IdeaFactory()
    supporter = ResidentFactory(ward=idea.round.place)
    services.idea_support(idea=idea, person=supporter)
    assert refusal(services.idea_support, idea=idea, person=supporter).code == "already_supported"
    assert idea.supports.count() == 1
    hidden = IdeaFactory(round=idea.round, status=IdeaStatus.SUBMITTED)
    assert refusal(services.idea_support, idea=hidden, person=supporter).code == "not_published"
    outsider = refusal(services.idea_support, idea=idea, person=ResidentFactory(ward=PlaceFactory()))
    assert outsider.code == "not_eligible"


def test_an_officer_hides_an_idea_only_with_a_reason_and_publishes_one():
    officer = UserFactory()
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED)
    error = refusal(services.idea_moderate, idea=idea, by=officer, publish=False, reason="  ")
    assert "reason" in error.message_dict
    hidden = services.idea_moderate(idea=idea, by=officer, publish=False, reason="It names a neighbour.")
    assert (hidden.status, hidden.moderation_reason) == (IdeaStatus.HIDDEN, "It names a neighbour.")
    shown = services.idea_moderate(idea=idea, by=officer, publish=True)
    assert shown.status == IdeaStatus.PUBLISHED and shown.moderated_by == officer


def test_merging_duplicates_moves_their_supporters_once():
    into = IdeaFactory()
    budget_round = into.round
    duplicate = IdeaFactory(round=budget_round)
    both, only_duplicate = (ResidentFactory(ward=budget_round.place) for _ in range(2))
    for idea, person in ((into, both), (duplicate, both), (duplicate, only_duplicate)):
        services.idea_support(idea=idea, person=person)
    services.ideas_merge(ideas=[duplicate], into=into, by=UserFactory())
    duplicate.refresh_from_db()
    assert duplicate.merged_into == into
    assert sorted(into.supports.values_list("person", flat=True)) == sorted([both.pk, only_duplicate.pk])
    assert [idea.pk for idea in selectors.published_ideas(budget_round)] == [into.pk]
    other_round = IdeaFactory()
    assert refusal(services.ideas_merge, ideas=[other_round], into=into, by=UserFactory())


def test_a_costed_project_from_ideas_and_its_checks():
    idea = IdeaFactory(round=BudgetRoundFactory(**phases("review")))
    budget_round, officer = idea.round, UserFactory()
    project = services.project_create(
        budget_round=budget_round,
        by=officer,
        ideas=[idea],
        title="Canal benches",
        cost=2_400_00,
        cost_breakdown="Three benches at £650, fitting £450",
        delivery_time="About three months",
    )
    assert project.status == ProjectStatus.COSTED and list(project.ideas.all()) == [idea]
    too_dear = refusal(
        services.project_create, budget_round=budget_round, by=officer, title="Bridge", cost=budget_round.amount + 1
    )
    assert "cost" in too_dear.message_dict and "£10,000.00" in too_dear.message_dict["cost"][0]
    assert (
        "cost"
        in refusal(services.project_create, budget_round=budget_round, by=officer, title="X", cost=0).message_dict
    )


def test_not_feasible_is_published_and_the_proposer_emailed_in_their_language(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("review"), title="Elmwood budget", title_cy="Cyllideb Elmwood")
    welsh = IdeaFactory(round=budget_round, title="Pool on the roof", proposer__preferred_language="cy")
    english = IdeaFactory(round=budget_round, title="Zip wire", proposer__preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        project = services.project_not_feasible(
            budget_round=budget_round, by=UserFactory(), ideas=[welsh], reason="The roof cannot bear it."
        )
    assert (project.status, project.reason, project.cost) == (
        ProjectStatus.NOT_FEASIBLE,
        "The roof cannot bear it.",
        None,
    )
    [message] = mail.outbox
    assert message.to == [welsh.proposer.email]
    assert "Cyllideb Elmwood" in message.subject and "syniad" in message.subject.lower()
    assert "The roof cannot bear it." in message.body and "Pool on the roof" in message.body
    mail.outbox.clear()
    costed = services.project_create(
        budget_round=budget_round, by=UserFactory(), ideas=[english], title="Zip", cost=500
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.project_not_feasible(budget_round=budget_round, by=UserFactory(), project=costed, reason="No site.")
    [message] = mail.outbox
    assert message.to == [english.proposer.email]
    assert message.subject == "Your idea is not feasible: Elmwood budget"
    reason = refusal(
        services.project_not_feasible, budget_round=budget_round, by=UserFactory(), ideas=[english], reason=""
    )
    assert "reason" in reason.message_dict


def test_the_electorate_query_agrees_with_eligibility_check_person_by_person():
    district = PlaceFactory(kind=PlaceKind.DISTRICT)
    ward = PlaceFactory(parent=district)
    budget_round = BudgetRoundFactory(place=district, min_age=16, max_age=25)
    today = timezone.localdate()
    people = [
        ResidentFactory(ward=ward, date_of_birth=born_by(today, age) + datetime.timedelta(days=shift))
        for age in (15, 16, 25, 26)
        for shift in (-1, 0, 1)
    ]
    people += [
        ResidentFactory(ward=PlaceFactory(), date_of_birth=born_by(today, 20)),
        ResidentFactory(ward=ward, date_of_birth=None),
        ResidentFactory(ward=ward, date_of_birth=born_by(today, 20), verification_level=VerificationLevel.DECLARED),
        ResidentFactory(ward=ward, date_of_birth=born_by(today, 20), is_active=False),
    ]
    expected = sorted(p.pk for p in people if selectors.may_take_part(budget_round, p))
    assert selectors.electorate(budget_round) == expected
    assert len(expected) == 6  # two turned 16, three aged 24 or 25, one a day short of 26
