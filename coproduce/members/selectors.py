"""Reads for members. Anything private takes the user and authorises in the same call."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.core import selectors as core_selectors
from coproduce.core.models import AuditEvent, Organisation, Role, RoleKind, User

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
        .select_related("person", "stakeholder_class", "organisation")
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
    # A correlated EXISTS: the database checks each member's own ledger rows, whatever plan it picks
    # (an IN over a join of the whole ledger went quadratic on PostgreSQL before statistics existed).
    owing = Q(status=MembershipStatus.ADMITTED) & Q(
        Exists(ShareTransaction.objects.filter(membership=OuterRef("pk"), kind__in=PAYABLE_KINDS, payment__isnull=True))
    )
    if payment == "owed":
        rows = rows.filter(owing)
    elif payment == "paid":
        rows = rows.exclude(owing)
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
    return _("New members can vote from %(date)s.") % {"date": formats.date_format(first_day, "j F Y")}


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


# --- The organisation's workspace (secretary and board) ---------------------------------------


@dataclass(frozen=True)
class RegisterCounts:
    """How many members and former members the register holds (applications are not members)."""

    members: int
    former: int

    def __str__(self) -> str:
        """ "502 members and 25 former members", "1 member and no former members"."""
        members = ngettext("%(num)s member", "%(num)s members", self.members) % {"num": f"{self.members:,}"}
        if not self.former:
            return _("%(members)s and no former members") % {"members": members}
        former = ngettext("%(num)s former member", "%(num)s former members", self.former) % {"num": f"{self.former:,}"}
        return _("%(members)s and %(former)s") % {"members": members, "former": former}


def register_counts(*, organisation: Organisation) -> RegisterCounts:
    """Current and former members, in one query. Does not authorise: the caller has."""
    counts = dict(
        Membership.objects.filter(organisation=organisation)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    return RegisterCounts(
        members=counts.get(MembershipStatus.ADMITTED, 0), former=counts.get(MembershipStatus.CEASED, 0)
    )


@dataclass(frozen=True)
class Workspace:
    """What the workspace page shows about one organisation. Built in a fixed number of queries."""

    organisation: Organisation
    applications: list[Membership]
    counts: RegisterCounts
    by_class: list[StakeholderClass]  # annotated with ``members`` (current)
    by_ward: list[tuple[Any, int]]  # (ward or None, current members)
    owing: list[Membership]  # the first members who owe, with holdings
    owing_members: int
    owed_pence: int
    recent: list[AuditEvent] | None  # None when the user may not read the audit trail


# How many members owing for shares the workspace lists before sending to the register's filter.
OWING_SHOWN = 20
RECENT_SHOWN = 10


def workspace(*, user: User, organisation: Organisation) -> Workspace:
    """The organisation's workspace, for its secretary and board.

    Queries (constant whatever the number of members): applications waiting; members and
    former members; members by class; members by ward; what is owed (count and sum); the
    members owing (first ``OWING_SHOWN``); the last ``RECENT_SHOWN`` audit events — when the
    user may read the audit trail (its check costs queries of its own).
    """
    _authorise(user, "members.view_workspace", organisation)
    applications = list(
        Membership.objects.filter(organisation=organisation, status=MembershipStatus.APPLIED)
        .select_related("person", "stakeholder_class", "organisation")
        .order_by("applied_at")
    )
    current = Membership.objects.filter(organisation=organisation, status=MembershipStatus.ADMITTED)
    by_class = list(
        StakeholderClass.objects.filter(organisation=organisation)
        .annotate(members=Count("memberships", filter=Q(memberships__status=MembershipStatus.ADMITTED)))
        .order_by("order", "name")
    )
    ward_counts = list(
        current.values("person__ward").annotate(n=Count("pk")).order_by().values_list("person__ward", "n")
    )
    wards = {ward.pk: ward for ward in core_selectors.wards().filter(pk__in=[pk for pk, _n in ward_counts if pk])}
    by_ward = sorted(
        ((wards.get(pk), n) for pk, n in ward_counts),
        key=lambda row: (row[0] is None, row[0].name if row[0] else ""),
    )
    unpaid = _unpaid(organisation)
    owed = unpaid.aggregate(members=Count("membership", distinct=True), pence=Sum("amount_pence"))
    owing = list(
        Membership.objects.with_holdings()
        .filter(pk__in=unpaid.values("membership"))
        .select_related("person")
        .order_by("member_number")[:OWING_SHOWN]
    )
    recent = None
    if user.has_perm("core.view_audit_trail", organisation):
        recent = list(core_selectors.audit_trail(user=user, organisation=organisation)[:RECENT_SHOWN])
    return Workspace(
        organisation=organisation,
        applications=applications,
        counts=register_counts(organisation=organisation),
        by_class=by_class,
        by_ward=by_ward,
        owing=owing,
        owing_members=owed["members"] or 0,
        owed_pence=owed["pence"] or 0,
        recent=recent,
    )


@dataclass(frozen=True)
class WorkspaceSummary:
    applications: int
    owing_members: int
    owed_pence: int


def _unpaid(organisation: Organisation) -> QuerySet[ShareTransaction]:
    """Issues and purchases of current members with no payment recorded: what is owed."""
    return ShareTransaction.objects.filter(
        membership__organisation=organisation,
        membership__status=MembershipStatus.ADMITTED,
        kind__in=PAYABLE_KINDS,
        payment__isnull=True,
    )


def workspace_summary(*, user: User, organisation: Organisation) -> WorkspaceSummary:
    """The workspace hub's numbers for one organisation: applications waiting, members owing and
    the total owed. Two queries (after the permission check)."""
    _authorise(user, "members.view_workspace", organisation)
    owed = _unpaid(organisation).aggregate(members=Count("membership", distinct=True), pence=Sum("amount_pence"))
    return WorkspaceSummary(
        applications=Membership.objects.filter(organisation=organisation, status=MembershipStatus.APPLIED).count(),
        owing_members=owed["members"] or 0,
        owed_pence=owed["pence"] or 0,
    )


def member_history(*, user: User, organisation: Organisation, membership: Membership) -> list[AuditEvent]:
    """A member's history in the organisation's audit trail, in words, newest first: their
    application and its decision, corrections, shares and payments."""
    transactions = [str(pk) for pk in membership.share_transactions.values_list("pk", flat=True)]
    payments = [
        str(pk)
        for pk in ShareTransaction.objects.filter(membership=membership, payment__isnull=False).values_list(
            "payment", flat=True
        )
    ]
    events = core_selectors.audit_trail(user=user, organisation=organisation).filter(
        Q(target_type="members.membership", target_id=str(membership.pk))
        | Q(target_type="members.sharetransaction", target_id__in=transactions)
        | Q(target_type="members.sharepayment", target_id__in=payments)
    )
    return list(events)


def own_membership(*, user: User, organisation: Organisation) -> Membership | None:
    """The person's open membership or application in the organisation (for the organisation page)."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(
            person=user, organisation=organisation, status__in=[MembershipStatus.APPLIED, MembershipStatus.ADMITTED]
        )
        .order_by("-applied_at")
        .first()
    )


# --- Growth and members by ward, for the council's programme workspace -------------------------


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class GrowthMonth:
    month: datetime.date  # the first day of the month
    admitted: int
    ceased: int
    members: int  # current members at the end of the month


def membership_growth(
    *, organisations: QuerySet[Organisation] | list[Organisation], months: int = 24, today: datetime.date | None = None
) -> list[GrowthMonth]:
    """Members admitted and ceased in each of the last ``months`` months (this one included), and
    the members at each month's end, computed from the register's dates, not from the audit trail
    (the register is the record; imported members have no audit events). Three queries.
    """
    today = today or timezone.localdate()
    first = _month_start(today, months - 1)
    rows = Membership.objects.filter(organisation__in=organisations)
    before = rows.aggregate(
        admitted=Count("pk", filter=Q(admitted_on__lt=first)), ceased=Count("pk", filter=Q(ceased_on__lt=first))
    )

    def by_month(field: str) -> dict[datetime.date, int]:
        counted = (
            rows.filter(**{f"{field}__gte": first, f"{field}__lte": today})
            .annotate(month=TruncMonth(field))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("month", "n")
        )
        return {(m.date() if isinstance(m, datetime.datetime) else m): n for m, n in counted}

    admitted, ceased = by_month("admitted_on"), by_month("ceased_on")
    members = before["admitted"] - before["ceased"]
    growth = []
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        members += admitted.get(month, 0) - ceased.get(month, 0)
        growth.append(GrowthMonth(month, admitted.get(month, 0), ceased.get(month, 0), members))
    return growth


def sponsored_organisations(*, user: User, council: Organisation) -> list[Organisation]:
    """The co-ops, mutuals and trusts ``council`` sponsors, for its officers."""
    _authorise(user, "members.view_programme", council)
    return list(Organisation.objects.filter(sponsoring_council=council).order_by("name"))


def members_by_ward(*, organisations: list[Organisation]) -> dict[int, list[tuple[Any, int]]]:
    """Current members of each organisation by ward: {organisation id: [(ward or None, n)]}. Two queries."""
    counts = list(
        Membership.objects.filter(organisation__in=organisations, status=MembershipStatus.ADMITTED)
        .values("organisation", "person__ward")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation", "person__ward", "n")
    )
    wards = {ward.pk: ward for ward in core_selectors.wards().filter(pk__in={pk for _o, pk, _n in counts if pk})}
    result: dict[int, list[tuple[Any, int]]] = {organisation.pk: [] for organisation in organisations}
    for organisation_id, ward_id, n in counts:
        result[organisation_id].append((wards.get(ward_id), n))
    for rows in result.values():
        rows.sort(key=lambda row: (row[0] is None, row[0].name if row[0] else ""))
    return result
