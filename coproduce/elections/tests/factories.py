"""Factories for elections: an election with its timetable, constituencies and nominations."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from coproduce.core.tests.factories import OrganisationFactory, UserFactory
from coproduce.elections.models import Constituency, CountRules, Election, Nomination, NominationStatus, Stage


def timetable(stage: str) -> dict[str, datetime.datetime]:
    """Dates that put an election in ``stage``: "nominations", "awaiting_poll", "voting" or "closing"
    (voting open, its close already passed)."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    starts = {"nominations": -2, "awaiting_poll": -6, "voting": -10, "closing": -14}[stage]
    nominations_open = now + starts * day
    if stage == "nominations":
        return {
            "nominations_open": nominations_open,
            "nominations_close": now + 5 * day,
            "voting_open": now + 6 * day,
            "voting_close": now + 10 * day,
        }
    voting_close = now + (3 * day if stage != "closing" else -datetime.timedelta(minutes=1))
    return {
        "nominations_open": nominations_open,
        "nominations_close": nominations_open + 3 * day,
        "voting_open": nominations_open + 4 * day,
        "voting_close": voting_close,
    }


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Board election {n}")
    rules = CountRules.SCOTTISH
    returning_officer = factory.SubFactory(UserFactory)
    stage = Stage.PUBLISHED
    nominations_open = factory.LazyFunction(lambda: timetable("nominations")["nominations_open"])
    nominations_close = factory.LazyFunction(lambda: timetable("nominations")["nominations_close"])
    voting_open = factory.LazyFunction(lambda: timetable("nominations")["voting_open"])
    voting_close = factory.LazyFunction(lambda: timetable("nominations")["voting_close"])
    qualifying_date = factory.LazyFunction(timezone.localdate)
    nominations_need_proposer = False


class ConstituencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Constituency

    election = factory.SubFactory(ElectionFactory)
    name = "All members"
    seats = 2


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    constituency = factory.SubFactory(ConstituencyFactory)
    candidate = factory.SubFactory(UserFactory)
    ballot_name = factory.LazyAttribute(lambda o: o.candidate.full_name or o.candidate.email)
    nominated_by = factory.LazyAttribute(lambda o: o.candidate)
    statement = "I will listen to tenants."
    candidate_consented_at = factory.LazyFunction(timezone.now)
    status = NominationStatus.ACCEPTED
