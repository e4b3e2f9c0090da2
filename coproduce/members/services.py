"""Writes for members: applications, decisions and the share ledger.

Every service is keyword-only, runs in one transaction, writes its audit event in that
transaction and sends email only once the transaction has committed. Refusals raise
``ValidationError`` with a message fit to show the person, and write nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.core.models import Organisation, User
from coproduce.core.services import audit_record

from .models import (
    CessationReason,
    Membership,
    MembershipStatus,
    ShareTransaction,
    ShareTransactionKind,
    StakeholderClass,
)
from .tasks import send_membership_decision


def _holding(membership: Membership) -> int:
    return membership.share_transactions.aggregate(total=Sum("shares"))["total"] or 0


def _lock(membership: Membership) -> Membership:
    """Re-read the membership under a row lock, so that concurrent share movements queue up."""
    return Membership.objects.select_for_update().select_related("organisation", "person").get(pk=membership.pk)


@transaction.atomic
def membership_apply(
    *, person: User, organisation: Organisation, stakeholder_class: StakeholderClass, pays_now: bool
) -> Membership:
    """Apply to join ``organisation`` in ``stakeholder_class``; the first share is paid now or owed."""
    if not organisation.accepts_members:
        raise ValidationError(_("%(organisation)s is not taking new members."), params={"organisation": organisation})
    if stakeholder_class.organisation_id != organisation.pk or not stakeholder_class.open_to_applications:
        raise ValidationError(_("Choose a class of membership that is open to applications."), code="class")
    if Membership.objects.filter(person=person, organisation=organisation, status__in=["applied", "admitted"]).exists():
        raise ValidationError(_("You have already applied to join, or are already a member."), code="duplicate")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person,
                organisation=organisation,
                stakeholder_class=stakeholder_class,
                pays_on_admission=pays_now,
            )
    except IntegrityError:  # a simultaneous duplicate application lost the race
        raise ValidationError(
            _("You have already applied to join, or are already a member."), code="duplicate"
        ) from None
    audit_record(
        actor=person,
        action="membership.apply",
        organisation=organisation,
        target=membership,
        summary=f"{person.email} applied as {stakeholder_class.name}",
    )
    return membership


@transaction.atomic
def membership_admit(*, membership: Membership, actor: User) -> Membership:
    """Admit an applicant: give a member number and issue the first share (paid or owed)."""
    # Locking the organisation row makes member numbers sequential without gaps or clashes.
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    membership = _lock(membership)
    if membership.status != MembershipStatus.APPLIED:
        raise ValidationError(_("Only an application waiting for a decision can be admitted."), code="state")
    last = Membership.objects.filter(organisation=organisation).aggregate(last=Max("member_number"))["last"] or 0
    membership.status = MembershipStatus.ADMITTED
    membership.member_number = last + 1
    membership.admitted_on = timezone.localdate()
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "member_number", "admitted_on", "decided_at", "decided_by"])
    ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransactionKind.ISSUE,
        shares=1,
        amount_pence=organisation.share_value_pence,
        paid=membership.pays_on_admission,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="membership.admit",
        organisation=organisation,
        target=membership,
        summary=f"{membership.person.email} admitted as member {membership.member_number}",
    )
    transaction.on_commit(lambda: send_membership_decision.enqueue(membership.pk))
    return membership


@transaction.atomic
def membership_refuse(*, membership: Membership, actor: User, reason: str) -> Membership:
    """Refuse an application, giving the reason the applicant will read."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for refusing, so the applicant knows why."), code="reason")
    membership = _lock(membership)
    if membership.status != MembershipStatus.APPLIED:
        raise ValidationError(_("Only an application waiting for a decision can be refused."), code="state")
    membership.status = MembershipStatus.REFUSED
    membership.refusal_reason = reason.strip()
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="membership.refuse",
        organisation=membership.organisation,
        target=membership,
        summary=f"{membership.person.email} refused",
        data={"reason": membership.refusal_reason},
    )
    transaction.on_commit(lambda: send_membership_decision.enqueue(membership.pk))
    return membership


def _cease(membership: Membership, *, actor: User, reason: str) -> None:
    """End a locked membership and cancel whatever shares remain (caller holds the transaction)."""
    remaining = _holding(membership)
    if remaining:
        ShareTransaction.objects.create(
            membership=membership,
            kind=ShareTransactionKind.CANCELLATION,
            shares=-remaining,
            amount_pence=-remaining * membership.organisation.share_value_pence,
            created_by=actor,
        )
    membership.status = MembershipStatus.CEASED
    membership.ceased_on = timezone.localdate()
    membership.cessation_reason = reason
    membership.save(update_fields=["status", "ceased_on", "cessation_reason"])
    audit_record(
        actor=actor,
        action="membership.cease",
        organisation=membership.organisation,
        target=membership,
        summary=f"{membership.person.email}: {CessationReason(reason).label}",
    )


@transaction.atomic
def membership_cease(*, membership: Membership, actor: User, reason: str) -> Membership:
    """End a membership (resigned, expelled, deceased, lapsed); remaining shares are cancelled."""
    if reason not in CessationReason.values:
        raise ValidationError(_("Choose why the membership ends."), code="reason")
    membership = _lock(membership)
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member's membership can end."), code="state")
    _cease(membership, actor=actor, reason=reason)
    return membership


@transaction.atomic
def share_purchase(*, membership: Membership, actor: User, shares: int) -> ShareTransaction:
    """Buy further shares where the rules allow, up to the maximum holding."""
    membership = _lock(membership)
    organisation = membership.organisation
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member can buy shares."), code="state")
    if not organisation.further_purchases_allowed:
        raise ValidationError(
            _("%(organisation)s's rules do not allow members to buy further shares."),
            params={"organisation": organisation},
            code="not_allowed",
        )
    if shares < 1:
        raise ValidationError(_("Enter a number of shares of 1 or more."), code="shares")
    held = _holding(membership)
    if held + shares > organisation.max_shares:
        raise ValidationError(
            _("You can hold at most %(max)s shares; you hold %(held)s, so you can buy %(room)s more."),
            params={
                "max": organisation.max_shares,
                "held": held,
                "room": max(organisation.max_shares - held, 0),
            },
            code="cap",
        )
    purchase = ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransactionKind.PURCHASE,
        shares=shares,
        amount_pence=shares * organisation.share_value_pence,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="share.purchase",
        organisation=organisation,
        target=purchase,
        summary=f"{membership.person.email} bought {shares}",
    )
    return purchase


@transaction.atomic
def share_withdraw(*, membership: Membership, actor: User, shares: int) -> ShareTransaction:
    """Withdraw shares. Withdrawing the last share ends the membership (resigned), as society rules have it."""
    membership = _lock(membership)
    organisation = membership.organisation
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member can withdraw shares."), code="state")
    if not organisation.shares_withdrawable:
        raise ValidationError(
            _("%(organisation)s's shares cannot be withdrawn."),
            params={"organisation": organisation},
            code="not_withdrawable",
        )
    if organisation.withdrawals_suspended:
        raise ValidationError(
            _("%(organisation)s has suspended withdrawals of shares for now. Your shares are safe."),
            params={"organisation": organisation},
            code="suspended",
        )
    if shares < 1:
        raise ValidationError(_("Enter a number of shares of 1 or more."), code="shares")
    held = _holding(membership)
    if shares > held:
        raise ValidationError(
            _("You hold %(held)s shares, so you cannot withdraw %(shares)s."),
            params={"held": held, "shares": shares},
            code="beyond_holding",
        )
    withdrawal = ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransactionKind.WITHDRAWAL,
        shares=-shares,
        amount_pence=-shares * organisation.share_value_pence,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="share.withdraw",
        organisation=organisation,
        target=withdrawal,
        summary=f"{membership.person.email} withdrew {shares}",
    )
    if shares == held:
        _cease(membership, actor=actor, reason=CessationReason.RESIGNED)
    return withdrawal
