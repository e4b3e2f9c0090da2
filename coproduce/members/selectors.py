"""Reads for members. Anything private takes the user and authorises in the same call."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from coproduce.core.models import Organisation, User

from .models import Membership, MembershipStatus, ShareTransaction, StakeholderClass


def classes_open_to_applications(*, organisation: Organisation) -> QuerySet[StakeholderClass]:
    return organisation.stakeholder_classes.filter(open_to_applications=True).order_by("order", "name")


def memberships_for_person(*, user: User) -> QuerySet[Membership]:
    """The person's own memberships and applications, with their holdings."""
    return (
        Membership.objects.with_holdings()
        .filter(person=user)
        .select_related("organisation", "stakeholder_class")
        .order_by("organisation__name", "-applied_at")
    )


def membership_for_member(*, user: User, membership_id: int) -> Membership:
    """One of the person's own memberships (404 for anyone else's)."""
    return get_object_or_404(memberships_for_person(user=user), pk=membership_id)


def share_history(*, membership: Membership) -> QuerySet[ShareTransaction]:
    return membership.share_transactions.order_by("created_at", "id")


def _authorise(user: User, permission: str, organisation: Organisation) -> None:
    if not user.has_perm(permission, organisation):
        raise PermissionDenied


def applications_pending(*, user: User, organisation: Organisation) -> QuerySet[Membership]:
    _authorise(user, "members.decide_application", organisation)
    return (
        Membership.objects.filter(organisation=organisation, status=MembershipStatus.APPLIED)
        .select_related("person", "stakeholder_class")
        .order_by("applied_at")
    )


def application_for_decision(*, user: User, organisation: Organisation, membership_id: int) -> Membership:
    return get_object_or_404(applications_pending(user=user, organisation=organisation), pk=membership_id)


def register(
    *,
    user: User,
    organisation: Organisation,
    status: str | None = None,
    stakeholder_class: str | None = None,
    search: str | None = None,
    permission: str = "members.view_register",
) -> QuerySet[Membership]:
    """The register of members (name, address, shares held, dates admitted and ceased), filtered.

    By default admitted and ceased members — the register the 2014 Act requires; applications
    and refusals are not members. One query whatever the size.
    """
    _authorise(user, permission, organisation)
    rows = (
        Membership.objects.with_holdings()
        .filter(organisation=organisation)
        .select_related("person", "stakeholder_class")
        .order_by("member_number", "applied_at")
    )
    rows = (
        rows.filter(status=status)
        if status
        else rows.filter(status__in=[MembershipStatus.ADMITTED, MembershipStatus.CEASED])
    )
    if stakeholder_class:
        rows = rows.filter(stakeholder_class__code=stakeholder_class)
    if search:
        rows = rows.filter(
            Q(person__full_name__icontains=search)
            | Q(person__email__icontains=search)
            | Q(person__postcode__icontains=search)
        )
    return rows


def organisation_for_secretary(*, user: User, slug: str, permission: str = "members.view_register") -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    _authorise(user, permission, organisation)
    return organisation
