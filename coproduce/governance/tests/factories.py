"""Factories for meetings: a society's rules, a meeting and its resolutions, and a society with members."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import factory
from django.utils import timezone

from coproduce.core.models import Organisation, RoleKind, User
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory
from coproduce.governance.models import (
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingRules,
    Resolution,
    ResolutionKind,
    VotingMethod,
)
from coproduce.members.models import EmailUse
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory


def at(year: int, month: int, day: int, hour: int = 19, minute: int = 0) -> datetime.datetime:
    """An aware moment in the site's time zone."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


class MeetingRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingRules

    organisation = factory.SubFactory(OrganisationFactory)
    effective_from = datetime.date(2000, 1, 1)
    quorum_number = 3


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    organisation = factory.SubFactory(OrganisationFactory)
    kind = MeetingKind.AGM
    title = factory.Sequence(lambda n: f"Annual general meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    place = "Community hall"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Item {n}")


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    meeting = factory.SubFactory(MeetingFactory)
    kind = ResolutionKind.ORDINARY
    title = factory.Sequence(lambda n: f"Resolution {n}")
    text = "That the annual accounts be received."
    method = VotingMethod.HANDS


@dataclass
class Society:
    """An organisation with ``members`` (admitted in 2020, a paid share each, a vote), a member
    without a vote, a secretary and a board member."""

    organisation: Organisation
    members: list[User]
    non_voter: User
    secretary: User
    board_member: User


def society(*, members: int = 6, rules: dict | None = None, email_notices: bool = True) -> Society:
    organisation = OrganisationFactory()
    tenants = StakeholderClassFactory(organisation=organisation)
    supporters = StakeholderClassFactory(organisation=organisation, has_voting_rights=False)
    people = [
        MembershipFactory(
            stakeholder_class=tenants,
            admitted_on=datetime.date(2020, 1, 1),
            email_use=EmailUse.NOTICES if email_notices else EmailUse.CONTACT_ONLY,
        ).person
        for _ in range(members)
    ]
    non_voter = MembershipFactory(stakeholder_class=supporters, admitted_on=datetime.date(2020, 1, 1)).person
    secretary = RoleFactory(organisation=organisation, kind=RoleKind.SECRETARY, person=UserFactory()).person
    board_member = RoleFactory(organisation=organisation, kind=RoleKind.BOARD_MEMBER, person=UserFactory()).person
    MeetingRulesFactory(organisation=organisation, **(rules or {}))
    return Society(organisation, people, non_voter, secretary, board_member)
