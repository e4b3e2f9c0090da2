"""Factories for budgets: a round with its phases, residents who may take part, ideas and projects."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from coproduce.budgets.models import BallotKind, BudgetRound, CountRule, Idea, IdeaStatus, Project, Stage
from coproduce.budgets.selectors import born_by
from coproduce.core.models import OrganisationKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, UserFactory
from coproduce.core.verification import VerificationLevel


def phases(phase: str) -> dict[str, datetime.datetime]:
    """Dates that put a round in ``phase``: "ideas", "review", "voting" or "closing" (voting open,
    its close already passed)."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    if phase == "ideas":
        start = now - 2 * day
        return {
            "ideas_open": start,
            "ideas_close": now + 5 * day,
            "review_close": now + 10 * day,
            "voting_open": now + 11 * day,
            "voting_close": now + 20 * day,
        }
    if phase == "review":
        start = now - 8 * day
        return {
            "ideas_open": start,
            "ideas_close": now - day,
            "review_close": now + 5 * day,
            "voting_open": now + 6 * day,
            "voting_close": now + 10 * day,
        }
    start = now - 20 * day
    return {
        "ideas_open": start,
        "ideas_close": start + 5 * day,
        "review_close": start + 10 * day,
        "voting_open": start + 11 * day,
        "voting_close": now + 3 * day if phase == "voting" else now - datetime.timedelta(minutes=1),
    }


class BudgetRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetRound

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COUNCIL)
    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Ward budget {n}")
    amount = 10_000_00
    ballot_kind = BallotKind.KNAPSACK
    count_rule = CountRule.MES
    min_level = VerificationLevel.CONFIRMED
    stage = Stage.PUBLISHED
    seed = 7
    ideas_open = factory.LazyFunction(lambda: phases("ideas")["ideas_open"])
    ideas_close = factory.LazyFunction(lambda: phases("ideas")["ideas_close"])
    review_close = factory.LazyFunction(lambda: phases("ideas")["review_close"])
    voting_open = factory.LazyFunction(lambda: phases("ideas")["voting_open"])
    voting_close = factory.LazyFunction(lambda: phases("ideas")["voting_close"])


class ResidentFactory(UserFactory):
    """A resident verified by a posted code, aged 40."""

    verification_level = VerificationLevel.CONFIRMED
    date_of_birth = factory.LazyFunction(lambda: born_by(timezone.localdate(), 40))


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    round = factory.SubFactory(BudgetRoundFactory)
    title = factory.Sequence(lambda n: f"Idea {n}")
    description = "Benches along the canal path."
    proposer = factory.SubFactory(ResidentFactory)
    status = IdeaStatus.PUBLISHED


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    round = factory.SubFactory(BudgetRoundFactory)
    title = factory.Sequence(lambda n: f"Project {n:02d}")
    cost = 1_000_00
