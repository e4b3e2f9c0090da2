"""JSON API for members: a person's own memberships, a secretary's register, withdrawing shares."""

from __future__ import annotations

import datetime

from ninja import Query, Router, Schema
from ninja.security import django_auth

from coproduce.core.api import MAX_OFFSET, MAX_PAGE_SIZE, responses
from coproduce.core.selectors import organisation_get_for

from . import selectors, services

router = Router(tags=["members"], auth=django_auth)


class MembershipOut(Schema):
    id: int
    organisation: str
    stakeholder_class: str
    status: str
    member_number: int | None
    shares_held: int
    admitted_on: datetime.date | None
    ceased_on: datetime.date | None
    cessation_reason: str
    amount_paid_pence: int
    amount_owed_pence: int
    email_use: str
    voting_rights: bool

    @staticmethod
    def resolve_organisation(membership) -> str:
        return membership.organisation.slug

    @staticmethod
    def resolve_amount_paid_pence(membership) -> int:
        return membership.paid_pence

    @staticmethod
    def resolve_amount_owed_pence(membership) -> int:
        return membership.owed_pence

    @staticmethod
    def resolve_voting_rights(membership) -> bool:
        return membership.has_voting_rights()

    @staticmethod
    def resolve_stakeholder_class(membership) -> str:
        return membership.stakeholder_class.code


class RegisterEntryOut(MembershipOut):
    name: str
    address: str
    postcode: str

    @staticmethod
    def resolve_name(membership) -> str:
        return membership.person.full_name

    @staticmethod
    def resolve_address(membership) -> str:
        return membership.person.address

    @staticmethod
    def resolve_postcode(membership) -> str:
        return membership.person.postcode


class WithdrawIn(Schema):
    shares: int


class WithdrawOut(Schema):
    withdrawn: int
    shares_held: int
    status: str


@router.get("/me/memberships", response=responses(list[MembershipOut], 401, 403), summary="My memberships and shares")
def my_memberships(request):
    return selectors.memberships_for_person(user=request.user)


@router.post(
    "/me/memberships/{membership_id}/withdraw",
    response=responses(WithdrawOut, 400, 401, 403, 404),
    summary="Withdraw shares",
)
def withdraw(request, membership_id: int, payload: WithdrawIn):
    membership = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    services.share_withdraw(membership=membership, actor=request.user, shares=payload.shares)
    membership = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    return {"withdrawn": payload.shares, "shares_held": membership.shares_held, "status": membership.status}


class RegisterPage(Schema):
    items: list[RegisterEntryOut]
    count: int


@router.get(
    "/organisations/{slug}/register",
    response=responses(RegisterPage, 401, 403, 404),
    summary="Register of members",
    description="A page of the register. Personal data leaving the system: every page read is in the audit trail.",
)
def register(
    request,
    slug: str,
    status: str = Query(None, pattern=r"^(admitted|ceased)$"),
    stakeholder_class: str = Query(None, pattern=r"^[-a-zA-Z0-9_]{1,40}$"),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    organisation = organisation_get_for(user=request.user, slug=slug, permission="members.view_register")
    rows = selectors.register(
        user=request.user, organisation=organisation, status=status, stakeholder_class=stakeholder_class
    )
    page = list(rows[offset : offset + limit])
    services.register_export_record(
        actor=request.user,
        organisation=organisation,
        fmt="api",
        columns=list(RegisterEntryOut.model_fields),
        filters={"status": status, "stakeholder_class": stakeholder_class, "limit": limit, "offset": offset},
        rows=len(page),
    )
    return {"items": page, "count": rows.count()}
