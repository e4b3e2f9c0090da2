"""Reads for members. Anything private takes the user and authorises in the same call."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from coproduce.core.models import Organisation, Role, RoleKind, User

from .models import PAYABLE_KINDS, Membership, MembershipStatus, ShareTransaction, StakeholderClass

# The officers the register of officers lists (2014 Act, s.30: the secretary and the board).
REGISTER_OFFICER_KINDS = (RoleKind.SECRETARY, RoleKind.BOARD_MEMBER)


def classes_open_to_applications(*, organisation: Organisation) -> QuerySet[StakeholderClass]:
    return organisation.stakeholder_classes.filter(open_to_applications=True).order_by("order", "name")


def memberships_for_person(*, user: User) -> QuerySet[Membership]:
    """The person's own memberships and applications, with their holdings and rules."""
    return (
        Membership.objects.with_holdings()
        .filter(person=user)
        .select_related("organisation__membership_rules", "stakeholder_class", "person")
        .order_by("organisation__name", "-applied_at")
    )


def membership_for_member(*, user: User, membership_id: int) -> Membership:
    """One of the person's own memberships (404 for anyone else's)."""
    return get_object_or_404(memberships_for_person(user=user), pk=membership_id)


def share_history(*, membership: Membership) -> QuerySet[ShareTransaction]:
    """The membership's ledger, oldest first, each issue or purchase with its payment if any."""
    return membership.share_transactions.select_related("payment__recorded_by").order_by("created_at", "id")


def owed_share_transactions(*, membership: Membership) -> QuerySet[ShareTransaction]:
    """Issues and purchases still waiting for a payment (none once the membership has ended)."""
    if membership.status != MembershipStatus.ADMITTED:
        return ShareTransaction.objects.none()
    return membership.share_transactions.filter(kind__in=PAYABLE_KINDS, payment__isnull=True).order_by(
        "created_at", "id"
    )


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
    payment: str | None = None,
    permission: str = "members.view_register",
) -> QuerySet[Membership]:
    """The register of members (2014 Act, s.30: name and postal address, electronic address and
    its use, shares held and the amount paid on them, dates admitted and ceased), filtered.

    By default admitted and ceased members — the register the Act requires; applications and
    refusals are not members. ``payment="owed"`` keeps members who owe for shares, ``"paid"``
    those who owe nothing. One query whatever the size.
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
    owing = Q(status=MembershipStatus.ADMITTED) & Q(
        share_transactions__kind__in=PAYABLE_KINDS, share_transactions__payment__isnull=True
    )
    if payment == "owed":
        rows = rows.filter(pk__in=Membership.objects.filter(owing).values("pk"))
    elif payment == "paid":
        rows = rows.exclude(pk__in=Membership.objects.filter(owing).values("pk"))
    return rows


def register_entry(*, user: User, organisation: Organisation, membership_id: int) -> Membership:
    """One member's entry in the register, for the officers who keep it."""
    return get_object_or_404(register(user=user, organisation=organisation, status=None), pk=membership_id)


def duplicate_register(*, user: User, organisation: Organisation, search: str | None = None) -> QuerySet[Membership]:
    """The duplicate register members may inspect (2014 Act, Part 8): the register without holdings.

    Current and former members' numbers, names, postal addresses and dates. Email addresses are
    left out: each member agreed to a use of theirs, and other members were not part of it.
    """
    _authorise(user, "members.inspect_register", organisation)
    rows = (
        Membership.objects.filter(
            organisation=organisation, status__in=[MembershipStatus.ADMITTED, MembershipStatus.CEASED]
        )
        .select_related("person")
        .only(
            "member_number",
            "status",
            "admitted_on",
            "ceased_on",
            "person__full_name",
            "person__email",
            "person__address",
            "person__postcode",
        )
        .order_by("member_number", "applied_at")
    )
    if search:
        rows = rows.filter(person__full_name__icontains=search)
    return rows


def officers_register(*, user: User, organisation: Organisation, permission: str) -> QuerySet[Role]:
    """The register of officers beside the register of members: the secretary and board
    members, current and former, with the dates they started and ended (from core's roles)."""
    _authorise(user, permission, organisation)
    return (
        Role.objects.filter(organisation=organisation, kind__in=REGISTER_OFFICER_KINDS)
        .select_related("person")
        .order_by("ended_at", "kind", "started_at")
    )


def voting_member_reason(*, person: User, organisation: Organisation, on: datetime.date) -> str | None:
    """None when ``person`` is a member of ``organisation`` with a vote on ``on``; else why not.

    Core's eligibility check asks this (registered in ``apps.py``); the reason is shown to the person.
    """
    membership = (
        Membership.objects.with_holdings()
        .filter(person=person, organisation=organisation, status=MembershipStatus.ADMITTED)
        .select_related("stakeholder_class", "organisation__membership_rules")
        .first()
    )
    if membership is None or membership.admitted_on is None or membership.admitted_on > on:
        return _("Only members of %(organisation)s can take part.") % {"organisation": organisation.name}
    if membership.has_voting_rights(on=on):
        return None
    rules = membership.rules
    if not membership.stakeholder_class.has_voting_rights:
        return _("Members of your class cannot vote in %(organisation)s.") % {"organisation": organisation.name}
    if rules.paid_share_needed_to_vote and membership.paid_shares < 1:
        return _("You can vote once the secretary has recorded the payment for your share.")
    first_day = membership.admitted_on + datetime.timedelta(days=rules.voting_qualifying_days)
    return _("New members can vote from %(date)s.") % {"date": first_day.isoformat()}


def organisation_for_secretary(*, user: User, slug: str, permission: str = "members.view_register") -> Organisation:
    """Fetch an organisation and authorise ``permission`` on it in one call.

    A hidden organisation (not listed in the directory) answers 404 to anyone without the
    permission, exactly as an unknown slug does, so its existence does not leak; a listed
    one answers 403.
    """
    organisation = get_object_or_404(Organisation.objects.select_related("membership_rules"), slug=slug)
    if not user.has_perm(permission, organisation):
        if not organisation.is_public:
            raise Http404
        raise PermissionDenied
    return organisation


def organisation_for_member(*, user: User, slug: str) -> Organisation:
    """An organisation whose duplicate register ``user`` may inspect (404 if hidden from them)."""
    return organisation_for_secretary(user=user, slug=slug, permission="members.inspect_register")
