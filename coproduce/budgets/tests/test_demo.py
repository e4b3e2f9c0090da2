"""The demo borough's ward budgets: Elmwood voting (the demo resident may vote), Ironbridge declared,
built through the services, and the published ballots recount to the declared selection."""

from __future__ import annotations

import pytest
from django.utils import timezone
from PIL import Image

from coproduce.budgets import selectors
from coproduce.budgets.models import (
    BudgetRound,
    DeliveryStatus,
    PollStage,
    ProjectStatus,
    Stage,
    Status,
    UpdatePhoto,
    YouthPoll,
)
from coproduce.core import eligibility
from coproduce.core.demo import build_demo
from coproduce.core.models import AuditEvent, User
from coproduce.counting import pb
from coproduce.voting import selectors as ballots
from coproduce.voting.models import Ballot, BoxStatus, Elector

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the youth poll's pictures
    return build_demo()


def test_elmwood_is_voting_and_the_demo_resident_may_vote(demo):
    resident = demo["users"]["resident"]
    budget_round = BudgetRound.objects.get(place__name="Elmwood")
    assert budget_round.organisation == demo["organisations"]["council"]
    assert budget_round.stage == Stage.VOTING and budget_round.status() == Status.VOTING
    assert budget_round.voting_open < timezone.now() < budget_round.voting_close
    costed = list(selectors.ballot_projects(budget_round))
    assert len(costed) >= 8 and all(p.cost and p.title_cy for p in costed)
    assert sum(p.cost for p in costed) > budget_round.amount  # the budget makes residents choose
    not_feasible = list(selectors.not_feasible_projects(budget_round))
    assert len(not_feasible) >= 2 and all(p.reason and p.status == ProjectStatus.NOT_FEASIBLE for p in not_feasible)
    resident.refresh_from_db()
    assert eligibility.check(resident, selectors.requirement(budget_round))
    box = budget_round.box
    assert box.status == BoxStatus.OPEN
    assert Elector.objects.filter(box=box, person=resident).exists() and ballots.is_elector(box, resident)
    assert ballots.mark_for(box, resident) is None
    assert 0 < Ballot.objects.filter(box=box).count() < box.electorate_size
    opened = AuditEvent.objects.get(action="budget.open_voting", target_id=str(budget_round.pk))
    assert abs(opened.created_at - budget_round.voting_open).total_seconds() < 600


def test_ironbridge_is_declared_explained_and_recounts_from_its_published_ballots(demo):
    budget_round = BudgetRound.objects.exclude(place__name="Elmwood").get()
    assert budget_round.stage == Stage.DECLARED and budget_round.status() == Status.DECLARED
    assert budget_round.declared_at < timezone.now() and budget_round.box.status == BoxStatus.SEALED
    result = budget_round.result
    assert result["turnout"]["ballots"] == Ballot.objects.filter(box=budget_round.box).count() >= 300
    assert result["engine"]["rule"] == "mes" and result["engine"]["completion"] == "add1"
    assert result["declared_rule"] == "equalshares/add1"
    assert 0 < result["cost"] <= budget_round.amount and result["selected"]
    costed = {str(p.pk) for p in selectors.ballot_projects(budget_round)}
    assert {entry["id"] for entry in result["projects"]} == costed
    assert all(entry["explanation"] and entry["because"]["code"] for entry in result["projects"])
    race = pb.read_pb_text(budget_round.ballots_pb)
    assert len(race.ballots) == result["turnout"]["ballots"] - result["turnout"]["spoilt"]
    assert int(race.meta_value("seed")) == budget_round.seed
    recount = pb.count(race, **pb.declared(race), seed=int(race.meta_value("seed")))
    assert list(recount.selected) == result["selected"]
    # Delivery has started: the first funded project is done, with a photo that has alt text.
    first = budget_round.projects.get(pk=result["selected"][0])
    assert first.delivery_status == DeliveryStatus.DONE
    photo = UpdatePhoto.objects.get(update__project=first)
    assert photo.alt and photo.alt_cy and photo.image.size > 0
    under_way = budget_round.projects.filter(delivery_status=DeliveryStatus.IN_PROGRESS)
    assert {str(p.pk) for p in under_way} <= set(result["selected"][1:]) and under_way.count() == 2


def test_a_youth_poll_for_park_equipment_is_open_with_pictures_and_alt_text(demo):
    poll = YouthPoll.objects.get()
    assert poll.place.name == "Elmwood" and poll.organisation == demo["organisations"]["council"]
    assert poll.stage == PollStage.OPEN and poll.is_open() and poll.opens < timezone.now() < poll.closes
    assert (poll.min_age, poll.max_age, poll.pick_limit) == (11, 18, 3)
    options = list(selectors.poll_options(poll))
    assert len(options) == 5
    for option in options:
        assert option.title_cy and len(option.alt) > 20 and option.alt_cy
        with option.picture.open("rb") as handle, Image.open(handle) as picture:
            assert picture.format == "PNG" and picture.size[0] >= 320
    box = poll.box
    assert box.status == BoxStatus.OPEN and box.max_choices == 3 and box.options == [str(o.pk) for o in options]
    assert 0 < Ballot.objects.filter(box=box).count() < box.electorate_size
    assert all(len(content) <= 3 for content in Ballot.objects.filter(box=box).values_list("content", flat=True))
    electors = User.objects.filter(pk__in=box.electors.values("person"))
    assert electors.count() == box.electorate_size and all(selectors.may_vote(poll, person) for person in electors)
    assert not selectors.may_vote(poll, demo["users"]["resident"])  # an adult
