"""Reads for elections: who may vote and stand, what a person may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from coproduce.core.models import Organisation, User
from coproduce.members.models import Membership

from .models import STANDING, Constituency, Election, Nomination, NominationStatus, Stage


def voting_memberships(constituency: Constituency, *, on=None, person: User | None = None) -> list[Membership]:
    """The memberships whose holders vote in ``constituency`` on ``on`` (the qualifying date);
    only ``person``'s, if given."""
    on = on or constituency.election.qualifying_date
    memberships = (
        Membership.objects.current()
        .with_holdings()
        .filter(organisation_id=constituency.election.organisation_id)
        .select_related("stakeholder_class", "organisation__membership_rules")
    )
    if constituency.stakeholder_class_id:
        memberships = memberships.filter(stakeholder_class_id=constituency.stakeholder_class_id)
    if person is not None:
        memberships = memberships.filter(person=person)
    return [membership for membership in memberships if membership.has_voting_rights(on=on)]


def electorate(constituency: Constituency, *, on=None) -> list[int]:
    """The ids of the people who vote in ``constituency``."""
    return sorted(membership.person_id for membership in voting_memberships(constituency, on=on))


def may_vote_in(constituency: Constituency, person: User, *, on=None) -> bool:
    if not person.is_authenticated:
        return False
    return bool(voting_memberships(constituency, on=on, person=person))


def constituencies_for(election: Election, person: User, *, on=None) -> list[Constituency]:
    """The constituencies ``person`` belongs to (may stand, propose or second in) today."""
    on = on or timezone.localdate()
    return [c for c in election.constituencies.all() if may_vote_in(c, person, on=on)]


def elections_for_organisation(organisation: Organisation, *, include_drafts: bool = False) -> QuerySet[Election]:
    elections = Election.objects.filter(organisation=organisation)
    if not include_drafts:
        elections = elections.exclude(stage=Stage.DRAFT)
    return elections


def public_elections() -> QuerySet[Election]:
    """Elections anyone may see: published, of a listed organisation."""
    return (
        Election.objects.exclude(stage=Stage.DRAFT)
        .filter(organisation__in=Organisation.objects.public())
        .select_related("organisation")
    )


def accepted_nominations(constituency: Constituency) -> QuerySet[Nomination]:
    return constituency.nominations.filter(status=NominationStatus.ACCEPTED).select_related("candidate")


def standing_nominations(constituency: Constituency) -> QuerySet[Nomination]:
    return constituency.nominations.filter(status__in=STANDING).select_related("candidate")


def nominations_waiting_for(person: User) -> QuerySet[Nomination]:
    """Nominations in which ``person`` is named and has still to confirm, while nominations are open."""
    from django.db.models import Q

    now = timezone.now()
    return Nomination.objects.filter(
        Q(candidate=person, candidate_consented_at__isnull=True)
        | Q(proposer=person, proposer_confirmed_at__isnull=True)
        | Q(seconder=person, seconder_confirmed_at__isnull=True),
        status=NominationStatus.SUBMITTED,
        constituency__election__nominations_open__lte=now,
        constituency__election__nominations_close__gt=now,
    ).select_related("constituency__election__organisation", "candidate")
