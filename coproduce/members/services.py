"""Writes for members: rules, applications, decisions, the share ledger and payments.

Every service is keyword-only, runs in one transaction, writes its audit event in that
transaction and sends email only once the transaction has committed. Refusals raise
``ValidationError`` with a message fit to show the person, and write nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.core.models import Organisation, User
from coproduce.core.services import audit_record, person_update_details

from .models import (
    PAYABLE_KINDS,
    REASON_MAX_LENGTH,
    RECORDABLE_METHODS,
    CessationReason,
    EmailUse,
    Membership,
    MembershipRules,
    MembershipStatus,
    SharePayment,
    ShareTransaction,
    ShareTransactionKind,
    StakeholderClass,
    rules_for,
)
from .tasks import (
    send_application_acknowledgement,
    send_application_to_secretaries,
    send_membership_decision,
    send_membership_ended,
)

# The rules a secretary or the demo may change through ``membership_rules_update``.
RULE_FIELDS = frozenset(
    field.name for field in MembershipRules._meta.get_fields() if field.concrete and field.name != "organisation"
)


def _lock(membership: Membership) -> Membership:
    """Re-read the membership under a row lock, so that concurrent share movements queue up.

    The holdings are summed after the lock is taken, so they cannot change underneath us.
    """
    Membership.objects.select_for_update().filter(pk=membership.pk).values_list("pk").get()
    return Membership.objects.with_holdings().select_related("organisation", "person").get(pk=membership.pk)


def _check_length(text: str, *, code: str) -> None:
    """Refuse free text a person would have to read past the limit (the form counts characters too)."""
    if len(text.strip()) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Use %(max)s characters or fewer.") % {"max": f"{REASON_MAX_LENGTH:,}"},
            code=code,
        )


def person_has_register_details(person: User) -> bool:
    """The register of members needs a name and a postal address (with its postcode)."""
    return bool(person.full_name.strip() and person.address.strip() and person.postcode.strip())


@transaction.atomic
def membership_rules_update(*, organisation: Organisation, actor: User | None, **changes: Any) -> MembershipRules:
    """Change an organisation's membership rules (the row is created the first time)."""
    unknown = sorted(set(changes) - RULE_FIELDS)
    if unknown:
        raise ValueError(f"Not a membership rule: {', '.join(unknown)}")
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").get()
    rules, _created = MembershipRules.objects.get_or_create(organisation=organisation)
    before = {field: getattr(rules, field) for field in changes}
    for field, value in changes.items():
        setattr(rules, field, value)
    rules.full_clean(exclude=["organisation"])
    rules.save()
    organisation.membership_rules = rules  # later reads through this instance see the new rules
    audit_record(
        actor=actor,
        action="membership_rules.update",
        organisation=organisation,
        target=rules,
        summary=", ".join(sorted(changes)),
        data={"before": before, "after": changes},
    )
    return rules


@transaction.atomic
def membership_apply(
    *,
    person: User,
    organisation: Organisation,
    stakeholder_class: StakeholderClass,
    email_use: str = EmailUse.CONTACT_ONLY,
) -> Membership:
    """Apply to join ``organisation`` in ``stakeholder_class``. Nothing is paid yet: the first
    share is owed from admission until an officer records the payment."""
    rules = rules_for(organisation)
    if not rules.accepts_members:
        raise ValidationError(_("%(organisation)s is not taking new members."), params={"organisation": organisation})
    if stakeholder_class.organisation_id != organisation.pk or not stakeholder_class.open_to_applications:
        raise ValidationError(_("Choose a class of membership that is open to applications."), code="class")
    if rules.details_required_to_apply and not person_has_register_details(person):
        raise ValidationError(
            _("Give your name and postal address before you apply: the register of members must hold them."),
            code="details",
        )
    if email_use not in EmailUse.values:
        raise ValidationError(_("Choose what we may use your email address for."), code="email_use")
    if Membership.objects.filter(person=person, organisation=organisation, status__in=["applied", "admitted"]).exists():
        raise ValidationError(_("You have already applied to join, or are already a member."), code="duplicate")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person,
                organisation=organisation,
                stakeholder_class=stakeholder_class,
                email_use=email_use,
                email_use_recorded_at=timezone.now(),
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
        data={"email_use": email_use, "reference": membership.reference},
    )
    # The applicant gets a reference to quote; every current secretary learns there is one to decide.
    transaction.on_commit(lambda: send_application_acknowledgement.enqueue(membership.pk))
    transaction.on_commit(lambda: send_application_to_secretaries.enqueue(membership.pk))
    return membership


@transaction.atomic
def membership_admit(*, membership: Membership, actor: User) -> Membership:
    """Admit an applicant: give a member number and issue the first share, owed until paid."""
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
        amount_pence=rules_for(organisation).share_value_pence,
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
    _check_length(reason, code="reason")
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


@transaction.atomic
def membership_application_withdraw(*, membership: Membership, actor: User) -> Membership:
    """The applicant withdraws an application still waiting for a decision (recorded as refused,
    with the reason, so the history stays whole)."""
    membership = _lock(membership)
    if membership.status != MembershipStatus.APPLIED:
        raise ValidationError(_("Only an application waiting for a decision can be withdrawn."), code="state")
    membership.status = MembershipStatus.REFUSED
    membership.refusal_reason = _("Withdrawn by the applicant.")
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="membership.withdraw_application",
        organisation=membership.organisation,
        target=membership,
        summary=f"{membership.person.email} withdrew their application",
    )
    return membership


def repaid_on_cessation(membership: Membership) -> bool:
    """Whether the paid shares of a membership that ends are repaid (withdrawn) rather than cancelled.

    Withdrawable shares are repaid to the member (or their estate) unless withdrawals are
    suspended; non-withdrawable shares are cancelled, their value staying with the society.
    Shares still owed are always cancelled, and the debt with them.
    """
    rules = membership.rules
    return rules.shares_withdrawable and not rules.withdrawals_suspended


def _cease(membership: Membership, *, actor: User, reason: str, note: str = "") -> None:
    """End a locked membership (with holdings annotated): paid withdrawable shares are withdrawn
    (repaid), the rest cancelled. The caller holds the transaction."""
    value = membership.rules.share_value_pence
    repaid = membership.paid_shares if repaid_on_cessation(membership) else 0
    cancelled = membership.shares_held - repaid
    if repaid:
        ShareTransaction.objects.create(
            membership=membership,
            kind=ShareTransactionKind.WITHDRAWAL,
            shares=-repaid,
            amount_pence=-repaid * value,
            created_by=actor,
        )
    if cancelled:
        ShareTransaction.objects.create(
            membership=membership,
            kind=ShareTransactionKind.CANCELLATION,
            shares=-cancelled,
            amount_pence=-cancelled * value,
            created_by=actor,
        )
    membership.status = MembershipStatus.CEASED
    membership.ceased_on = timezone.localdate()
    membership.cessation_reason = reason
    membership.cessation_note = note.strip()
    membership.save(update_fields=["status", "ceased_on", "cessation_reason", "cessation_note"])
    audit_record(
        actor=actor,
        action="membership.cease",
        organisation=membership.organisation,
        target=membership,
        summary=f"{membership.person.email}: {CessationReason(reason).label}",
        data={"reason": reason, "note": membership.cessation_note, "repaid": repaid, "cancelled": cancelled},
    )


@transaction.atomic
def membership_cease(*, membership: Membership, actor: User, reason: str, note: str = "") -> Membership:
    """An officer ends a membership (resigned by letter, expelled, deceased, lapsed), saying why.

    An expulsion needs the reason written down: the member is owed it.
    """
    if reason not in CessationReason.values:
        raise ValidationError(_("Choose why the membership ends."), code="reason")
    if reason == CessationReason.EXPELLED and not note.strip():
        raise ValidationError(_("Give the reason for the expulsion, as the rules require."), code="note")
    _check_length(note, code="note")
    membership = _lock(membership)
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member's membership can end."), code="state")
    _cease(membership, actor=actor, reason=reason, note=note)
    return membership


@transaction.atomic
def membership_resign(*, membership: Membership, actor: User) -> Membership:
    """A member resigns. Paid withdrawable shares are repaid; owed shares are cancelled."""
    membership = _lock(membership)
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member can resign."), code="state")
    rules = membership.rules
    if rules.shares_withdrawable and rules.withdrawals_suspended and membership.paid_shares:
        # Resigning now would forfeit money the member is owed back; they keep it by waiting.
        raise ValidationError(
            _(
                "%(organisation)s has suspended withdrawals of shares, so it cannot repay you now. "
                "Your shares are safe: resign once withdrawals start again, or ask the secretary."
            ),
            params={"organisation": membership.organisation},
            code="suspended",
        )
    _cease(membership, actor=actor, reason=CessationReason.RESIGNED)
    transaction.on_commit(lambda: send_membership_ended.enqueue(membership.pk))
    return membership


@transaction.atomic
def share_purchase(*, membership: Membership, actor: User, shares: int) -> ShareTransaction:
    """Buy further shares where the rules allow, up to the maximum holding. Owed until paid."""
    membership = _lock(membership)
    organisation = membership.organisation
    rules = membership.rules
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member can buy shares."), code="state")
    if not rules.further_purchases_allowed:
        raise ValidationError(
            _("%(organisation)s's rules do not allow members to buy further shares."),
            params={"organisation": organisation},
            code="not_allowed",
        )
    if shares < 1:
        raise ValidationError(_("Enter a number of shares of 1 or more."), code="shares")
    held = membership.shares_held
    room = max(rules.max_shares - held, 0)
    if shares > room:
        raise ValidationError(
            ngettext(
                "You can hold at most %(max)s share.",
                "You can hold at most %(max)s shares.",
                rules.max_shares,
            )
            % {"max": rules.max_shares}
            + " "
            + ngettext("You can buy %(room)s more.", "You can buy %(room)s more.", room) % {"room": room},
            code="cap",
        )
    purchase = ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransactionKind.PURCHASE,
        shares=shares,
        amount_pence=shares * rules.share_value_pence,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="share.purchase",
        organisation=organisation,
        target=purchase,
        summary=f"{membership.person.email} bought {shares}, owed until paid",
        data={"shares": shares, "amount_pence": purchase.amount_pence},
    )
    return purchase


@transaction.atomic
def share_withdraw(*, membership: Membership, actor: User, shares: int) -> ShareTransaction:
    """Withdraw paid shares. Withdrawing the last share ends the membership (resigned), as society rules have it."""
    membership = _lock(membership)
    organisation = membership.organisation
    rules = membership.rules
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member can withdraw shares."), code="state")
    if not rules.shares_withdrawable:
        raise ValidationError(
            _("%(organisation)s's shares cannot be withdrawn."),
            params={"organisation": organisation},
            code="not_withdrawable",
        )
    if rules.withdrawals_suspended:
        raise ValidationError(
            _("%(organisation)s has suspended withdrawals of shares for now. Your shares are safe."),
            params={"organisation": organisation},
            code="suspended",
        )
    if shares < 1:
        raise ValidationError(_("Enter a number of shares of 1 or more."), code="shares")
    held, paid = membership.shares_held, membership.paid_shares
    if shares > held:
        raise ValidationError(
            ngettext(
                "You hold %(held)s share, so you cannot withdraw %(shares)s.",
                "You hold %(held)s shares, so you cannot withdraw %(shares)s.",
                held,
            ),
            params={"held": held, "shares": shares},
            code="beyond_holding",
        )
    if shares > paid:
        # Only money paid in can be paid back.
        raise ValidationError(
            ngettext(
                "You have paid for %(paid)s share, so you can withdraw at most %(paid)s.",
                "You have paid for %(paid)s shares, so you can withdraw at most %(paid)s.",
                paid,
            ),
            params={"paid": paid},
            code="unpaid",
        )
    withdrawal = ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransactionKind.WITHDRAWAL,
        shares=-shares,
        amount_pence=-shares * rules.share_value_pence,
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
        membership.shares_held = 0  # the ledger now sums to nothing; _cease cancels nothing more
        membership.value_pence = membership.unpaid_shares = membership.unpaid_pence = 0
        _cease(membership, actor=actor, reason=CessationReason.RESIGNED)
        transaction.on_commit(lambda: send_membership_ended.enqueue(membership.pk))
    return withdrawal


@transaction.atomic
def share_payment_record(
    *,
    share_transaction: ShareTransaction,
    actor: User,
    method: str,
    paid_on: datetime.date,
    reference: str = "",
) -> SharePayment:
    """Record money received for an issue or purchase of shares: the shares are then paid."""
    membership = _lock(share_transaction.membership)
    share_transaction = ShareTransaction.objects.select_related("membership").get(pk=share_transaction.pk)
    if share_transaction.kind not in PAYABLE_KINDS:
        raise ValidationError(_("Only shares issued or bought are paid for."), code="kind")
    if SharePayment.objects.filter(share_transaction=share_transaction).exists():
        raise ValidationError(_("A payment for these shares is already recorded."), code="duplicate")
    if membership.status != MembershipStatus.ADMITTED:
        raise ValidationError(_("Only a current member's shares can be paid for."), code="state")
    if method not in RECORDABLE_METHODS:
        raise ValidationError(_("Choose how the member paid."), code="method")
    if paid_on > timezone.localdate():
        raise ValidationError(_("The date paid must be today or in the past."), code="paid_on")
    if paid_on < timezone.localdate(share_transaction.created_at):
        raise ValidationError(_("The date paid cannot be before the shares were issued."), code="paid_on")
    payment = SharePayment.objects.create(
        share_transaction=share_transaction,
        amount_pence=share_transaction.amount_pence,
        method=method,
        reference=reference.strip(),
        paid_on=paid_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="share.payment",
        organisation=membership.organisation,
        target=payment,
        summary=f"{membership.person.email} paid {payment.amount_pence}p by {method}",
        data={
            "share_transaction": share_transaction.pk,
            "amount_pence": payment.amount_pence,
            "method": method,
            "reference": payment.reference,
            "paid_on": paid_on.isoformat(),
        },
    )
    return payment


@transaction.atomic
def membership_email_use_update(*, membership: Membership, actor: User, email_use: str) -> Membership:
    """A member changes what their email address may be used for (the register records it)."""
    if email_use not in EmailUse.values:
        raise ValidationError(_("Choose what we may use your email address for."), code="email_use")
    membership = _lock(membership)
    if membership.status not in (MembershipStatus.APPLIED, MembershipStatus.ADMITTED):
        raise ValidationError(_("Only a current member or applicant can change this."), code="state")
    membership.email_use = email_use
    membership.email_use_recorded_at = timezone.now()
    membership.save(update_fields=["email_use", "email_use_recorded_at"])
    audit_record(
        actor=actor,
        action="membership.email_use",
        organisation=membership.organisation,
        target=membership,
        summary=f"{membership.person.email}: {email_use}",
        data={"email_use": email_use},
    )
    return membership


@transaction.atomic
def register_export_record(
    *,
    actor: User,
    organisation: Organisation,
    fmt: str,
    columns: list[str],
    filters: dict[str, Any],
    rows: int,
) -> None:
    """Personal data is leaving the system: record who took the register, when, what and how much."""
    audit_record(
        actor=actor,
        action="register.export",
        organisation=organisation,
        summary=f"{actor.email} exported {rows} rows as {fmt.upper()}",
        data={
            "format": fmt,
            "columns": [str(column) for column in columns],
            "filters": {key: value for key, value in filters.items() if value not in (None, "")},
            "rows": rows,
        },
    )


@transaction.atomic
def stakeholder_class_update(
    *,
    stakeholder_class: StakeholderClass,
    actor: User | None,
    name: str,
    name_cy: str = "",
    description: str = "",
    description_cy: str = "",
) -> StakeholderClass:
    """The secretary renames a class or rewrites who can join it, in English and Welsh.

    A Welsh text left empty is shown in English under /cy/ (and marked missing to officers).
    """
    if not name.strip():
        raise ValidationError(_("Enter the name of the class"), code="name")
    changes = {
        "name": name.strip(),
        "name_cy": name_cy.strip(),
        "description": description.strip(),
        "description_cy": description_cy.strip(),
    }
    stakeholder_class = StakeholderClass.objects.select_for_update().get(pk=stakeholder_class.pk)
    before = {field: getattr(stakeholder_class, field) for field in changes}
    changed = sorted(field for field, value in changes.items() if before[field] != value)
    for field, value in changes.items():
        setattr(stakeholder_class, field, value)
    stakeholder_class.full_clean(exclude=["organisation"])
    if not changed:
        return stakeholder_class
    stakeholder_class.save(update_fields=changed)
    audit_record(
        actor=actor,
        action="stakeholder_class.update",
        organisation=stakeholder_class.organisation,
        target=stakeholder_class,
        summary=f"{stakeholder_class.code}: {', '.join(changed)}",
        data={"before": {f: before[f] for f in changed}, "after": {f: changes[f] for f in changed}},
    )
    return stakeholder_class


@transaction.atomic
def member_details_correct(
    *, membership: Membership, actor: User, full_name: str, address: str, postcode: str
) -> Membership:
    """The secretary corrects a member's name and postal address for the register.

    The change goes through the core's ``person_update_details`` (which finds the ward from the
    postcode and ends verifications of the old address), and is recorded in the organisation's
    audit trail too, with who corrected it: the person's own trail has only their own changes.
    """
    if not full_name.strip():
        raise ValidationError(_("Enter the member's full name"), code="full_name")
    if not address.strip() or not postcode.strip():
        raise ValidationError(_("Enter the member's postal address and postcode"), code="address")
    membership = Membership.objects.select_related("person", "organisation").get(pk=membership.pk)
    person = membership.person
    before = {"full_name": person.full_name, "address": person.address, "postcode": person.postcode}
    person_update_details(
        person=person,
        full_name=full_name,
        address=address,
        postcode=postcode,
        preferred_language=person.preferred_language,
        access_needs=list(person.access_needs),
    )
    after = {"full_name": person.full_name, "address": person.address, "postcode": person.postcode}
    audit_record(
        actor=actor,
        action="membership.correct_details",
        organisation=membership.organisation,
        target=membership,
        summary=f"{person.email}: {', '.join(sorted(k for k in after if before[k] != after[k])) or 'no change'}",
        data={"before": before, "after": after},
    )
    return membership
