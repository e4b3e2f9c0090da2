import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import OrganisationFactory, UserFactory
from coproduce.members.models import Membership, MembershipStatus, SharePayment, ShareTransaction, rules_for
from coproduce.members.services import (
    membership_admit,
    membership_apply,
    membership_cease,
    membership_email_use_update,
    membership_refuse,
    membership_resign,
    membership_rules_update,
    share_payment_record,
    share_purchase,
    share_withdraw,
)

from .factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


def entry(membership):
    return Membership.objects.with_holdings().select_related("organisation").get(pk=membership.pk)


def holding(membership):
    return entry(membership).shares_held


@pytest.fixture
def leisure_class():
    return StakeholderClassFactory(organisation=OrganisationFactory(name="Kingsmere Leisure Trust"))


def test_apply_records_application_email_use_and_audit_event(leisure_class):
    person = UserFactory()
    membership = membership_apply(
        person=person, organisation=leisure_class.organisation, stakeholder_class=leisure_class, email_use="notices"
    )
    assert membership.status == MembershipStatus.APPLIED
    assert membership.email_use == "notices" and membership.email_use_recorded_at is not None
    event = AuditEvent.objects.get(action="membership.apply")
    assert (event.actor, event.organisation, event.target_id) == (
        person,
        leisure_class.organisation,
        str(membership.pk),
    )


def test_apply_needs_name_and_address_where_the_rules_say_so(leisure_class):
    organisation = leisure_class.organisation
    person = UserFactory(postcode="")
    with pytest.raises(ValidationError, match="name and postal address"):
        membership_apply(person=person, organisation=organisation, stakeholder_class=leisure_class)
    assert not Membership.objects.exists()
    membership_rules_update(organisation=organisation, actor=None, details_required_to_apply=False)
    assert membership_apply(person=person, organisation=organisation, stakeholder_class=leisure_class).pk


def test_apply_refused_where_the_rules_take_no_members(leisure_class):
    membership_rules_update(organisation=leisure_class.organisation, actor=None, accepts_members=False)
    with pytest.raises(ValidationError, match="not taking new members"):
        membership_apply(person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=leisure_class)
    assert not Membership.objects.exists()


def test_duplicate_application_is_refused_and_writes_nothing(leisure_class):
    person = UserFactory()
    membership_apply(person=person, organisation=leisure_class.organisation, stakeholder_class=leisure_class)
    before = (Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="already applied"):
        membership_apply(person=person, organisation=leisure_class.organisation, stakeholder_class=leisure_class)
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before


def test_class_of_another_organisation_is_refused(leisure_class):
    other = StakeholderClassFactory()
    with pytest.raises(ValidationError):
        membership_apply(person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=other)
    assert not Membership.objects.exists()


def test_admit_numbers_member_issues_one_owed_share_and_the_email_tells_the_truth(leisure_class):
    secretary = UserFactory()
    membership_rules_update(
        organisation=leisure_class.organisation,
        actor=secretary,
        payment_instructions="Pay at reception, cash or card.",
        payment_instructions_cy="Talwch yn y dderbynfa.",
    )
    first = membership_apply(
        person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=leisure_class
    )
    second = membership_apply(
        person=UserFactory(preferred_language="cy"),
        organisation=leisure_class.organisation,
        stakeholder_class=leisure_class,
    )
    with pytest.raises(ValidationError):
        membership_refuse(membership=first, actor=secretary, reason="  ")
    with django_capture_on_commit() as callbacks:
        membership_admit(membership=first, actor=secretary)
        membership_admit(membership=second, actor=secretary)
    assert len(callbacks) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.member_number, second.member_number) == (1, 2)
    issue = ShareTransaction.objects.get(membership=second)
    assert (issue.kind, issue.shares, issue.amount_pence) == ("issue", 1, 100)
    assert not SharePayment.objects.exists()  # nobody has seen any money yet
    assert (holding(first), entry(first).owed_pence, entry(first).paid_pence) == (1, 100, 0)
    assert [message.to for message in mail.outbox] == [[first.person.email], [second.person.email]]
    assert "Kingsmere Leisure Trust" in mail.outbox[0].subject
    body = mail.outbox[0].body
    assert "You owe £1.00 for your 1 share" in body
    assert "Pay at reception, cash or card." in body
    assert "paid" not in body.split("owe")[0]  # no claim that anything was paid
    # The Welsh speaker is written to in Welsh, with the Welsh payment instructions.
    assert "Croeso" in mail.outbox[1].subject
    assert "Talwch yn y dderbynfa." in mail.outbox[1].body


def test_refuse_gives_reason_and_cannot_then_admit(leisure_class):
    application = membership_apply(
        person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=leisure_class
    )
    with django_capture_on_commit():
        membership_refuse(membership=application, actor=UserFactory(), reason="You live outside the area of benefit.")
    assert "outside the area of benefit" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        membership_admit(membership=application, actor=UserFactory())
    assert not ShareTransaction.objects.exists()


def test_recording_a_payment_makes_the_share_paid_once_and_is_audited():
    membership = MembershipFactory(paid=False)
    issue = ShareTransaction.objects.get(membership=membership)
    secretary = UserFactory()
    assert entry(membership).owed_pence == 100
    payment = share_payment_record(
        share_transaction=issue,
        actor=secretary,
        method="bank_transfer",
        reference="  BACS 1234 ",
        paid_on=timezone.localdate(),
    )
    assert (payment.amount_pence, payment.reference, payment.recorded_by) == (100, "BACS 1234", secretary)
    assert (entry(membership).owed_pence, entry(membership).paid_pence) == (0, 100)
    event = AuditEvent.objects.get(action="share.payment")
    assert (event.actor, event.data["method"], event.data["amount_pence"]) == (secretary, "bank_transfer", 100)
    with pytest.raises(ValidationError, match="already recorded"):
        share_payment_record(share_transaction=issue, actor=secretary, method="cash", paid_on=timezone.localdate())
    assert SharePayment.objects.count() == 1
    with pytest.raises(ValueError, match="immutable"):
        payment.save()
    with pytest.raises(ValueError, match="immutable"):
        payment.delete()


@pytest.mark.parametrize(
    ("method", "days_ahead", "message"),
    [
        ("earlier_record", 0, "Choose how the member paid"),
        ("bitcoin", 0, "Choose how the member paid"),
        ("cash", 1, "today or in the past"),
        ("cash", -3, "before the shares were issued"),
    ],
)
def test_a_payment_needs_a_real_method_and_date(method, days_ahead, message):
    membership = MembershipFactory(paid=False)
    issue = ShareTransaction.objects.get(membership=membership)
    with pytest.raises(ValidationError, match=message):
        share_payment_record(
            share_transaction=issue,
            actor=UserFactory(),
            method=method,
            paid_on=timezone.localdate() + timedelta(days=days_ahead),
        )
    assert not SharePayment.objects.exists()
    assert not AuditEvent.objects.filter(action="share.payment").exists()


def test_no_payment_for_a_withdrawal_or_a_former_member():
    membership = MembershipFactory(shares=2)
    withdrawal = share_withdraw(membership=membership, actor=membership.person, shares=1)
    with pytest.raises(ValidationError, match="Only shares issued or bought"):
        share_payment_record(
            share_transaction=withdrawal, actor=UserFactory(), method="cash", paid_on=timezone.localdate()
        )
    former = MembershipFactory(paid=False)
    issue = ShareTransaction.objects.get(membership=former)
    membership_cease(membership=former, actor=UserFactory(), reason="lapsed")
    with pytest.raises(ValidationError, match="current member"):
        share_payment_record(share_transaction=issue, actor=UserFactory(), method="cash", paid_on=timezone.localdate())


def test_withdrawal_beyond_holding_is_refused_and_writes_nothing():
    membership = MembershipFactory(shares=2)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="hold 2 shares"):
        share_withdraw(membership=membership, actor=membership.person, shares=3)
    assert holding(membership) == 2
    assert AuditEvent.objects.count() == events


def test_only_paid_shares_can_be_withdrawn():
    membership = MembershipFactory(shares=1, rules={"further_purchases_allowed": True})
    share_purchase(membership=membership, actor=membership.person, shares=2)
    with pytest.raises(ValidationError, match="paid for 1 share, so you can withdraw at most 1"):
        share_withdraw(membership=membership, actor=membership.person, shares=2)
    share_withdraw(membership=membership, actor=membership.person, shares=1)
    after = entry(membership)
    assert (after.status, after.shares_held, after.owed_shares, after.paid_pence) == ("admitted", 2, 2, 0)


def test_withdrawal_refused_while_suspended():
    membership = MembershipFactory(rules={"withdrawals_suspended": True})
    with pytest.raises(ValidationError, match="suspended"):
        share_withdraw(membership=membership, actor=membership.person, shares=1)
    assert holding(membership) == 1


def test_withdrawing_last_share_ends_membership_as_resigned():
    membership = MembershipFactory(shares=1)
    withdrawal = share_withdraw(membership=membership, actor=membership.person, shares=1)
    assert (withdrawal.shares, withdrawal.amount_pence) == (-1, -100)
    membership.refresh_from_db()
    assert (membership.status, membership.cessation_reason) == ("ceased", "resigned")
    assert membership.ceased_on is not None
    assert holding(membership) == 0
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == [
        "share.withdraw",
        "membership.cease",
    ]


def test_partial_withdrawal_keeps_membership():
    membership = MembershipFactory(shares=5)
    share_withdraw(membership=membership, actor=membership.person, shares=2)
    membership.refresh_from_db()
    assert membership.status == "admitted"
    assert holding(membership) == 3


def test_purchase_beyond_cap_is_refused_and_a_purchase_is_owed():
    membership = MembershipFactory(shares=3, rules={"further_purchases_allowed": True, "max_holding_pence": 500})
    with pytest.raises(ValidationError, match=r"at most 5 shares\. You can buy 2 more"):
        share_purchase(membership=membership, actor=membership.person, shares=3)
    assert holding(membership) == 3
    purchase = share_purchase(membership=membership, actor=membership.person, shares=2)
    assert (purchase.kind, purchase.amount_pence) == ("purchase", 200)
    after = entry(membership)
    assert (after.shares_held, after.owed_pence, after.paid_pence) == (5, 200, 300)
    with pytest.raises(ValidationError, match=r"at most 5 shares\. You can buy 0 more"):
        share_purchase(membership=membership, actor=membership.person, shares=1)


def test_purchase_refused_where_rules_forbid():
    membership = MembershipFactory()
    assert not rules_for(membership.organisation).further_purchases_allowed  # the default
    with pytest.raises(ValidationError, match="do not allow"):
        share_purchase(membership=membership, actor=membership.person, shares=1)
    assert holding(membership) == 1


def test_cessation_by_an_officer_repays_paid_withdrawable_shares_and_cancels_owed_ones():
    membership = MembershipFactory(shares=4, rules={"further_purchases_allowed": True})
    share_purchase(membership=membership, actor=membership.person, shares=1)
    officer = UserFactory()
    with pytest.raises(ValidationError, match="reason for the expulsion"):
        membership_cease(membership=membership, actor=officer, reason="expelled", note=" ")
    assert holding(membership) == 5
    membership_cease(membership=membership, actor=officer, reason="expelled", note="Broke rule 12 (conduct).")
    kinds = dict(ShareTransaction.objects.filter(membership=membership).values_list("kind", "shares"))
    assert (kinds["withdrawal"], kinds["cancellation"]) == (-4, -1)
    after = entry(membership)
    assert (after.status, after.cessation_reason, after.cessation_note) == (
        "ceased",
        "expelled",
        "Broke rule 12 (conduct).",
    )
    assert (after.shares_held, after.owed_pence) == (0, 0)
    event = AuditEvent.objects.get(action="membership.cease")
    assert (event.data["repaid"], event.data["cancelled"], event.data["note"]) == (4, 1, "Broke rule 12 (conduct).")
    with pytest.raises(ValidationError):
        share_withdraw(membership=membership, actor=membership.person, shares=1)


def test_non_withdrawable_shares_are_cancelled_on_cessation():
    membership = MembershipFactory(shares=1, rules={"shares_withdrawable": False})
    membership_cease(membership=membership, actor=UserFactory(), reason="deceased")
    assert ShareTransaction.objects.get(membership=membership, kind="cancellation").shares == -1
    assert not ShareTransaction.objects.filter(membership=membership, kind="withdrawal").exists()


def test_cessation_needs_a_known_reason_and_a_current_member():
    membership = MembershipFactory()
    with pytest.raises(ValidationError, match="Choose why"):
        membership_cease(membership=membership, actor=UserFactory(), reason="bored")
    membership_cease(membership=membership, actor=UserFactory(), reason="lapsed")
    with pytest.raises(ValidationError, match="current member"):
        membership_cease(membership=membership, actor=UserFactory(), reason="lapsed")


def test_resigning_ends_membership_and_is_refused_while_repayment_is_suspended():
    membership = MembershipFactory(shares=2, rules={"withdrawals_suspended": True})
    with pytest.raises(ValidationError, match="cannot repay you now"):
        membership_resign(membership=membership, actor=membership.person)
    assert entry(membership).status == "admitted"
    membership_rules_update(organisation=membership.organisation, actor=None, withdrawals_suspended=False)
    membership_resign(membership=membership, actor=membership.person)
    after = entry(membership)
    assert (after.status, after.cessation_reason, after.shares_held) == ("ceased", "resigned", 0)
    assert ShareTransaction.objects.get(membership=membership, kind="withdrawal").shares == -2


def test_a_member_who_owes_everything_can_resign_even_while_suspended():
    membership = MembershipFactory(paid=False, rules={"withdrawals_suspended": True})
    membership_resign(membership=membership, actor=membership.person)
    assert ShareTransaction.objects.get(membership=membership, kind="cancellation").shares == -1


def test_email_use_can_be_changed_and_is_audited():
    membership = MembershipFactory()
    membership_email_use_update(membership=membership, actor=membership.person, email_use="notices")
    membership.refresh_from_db()
    assert membership.email_use == "notices"
    assert AuditEvent.objects.filter(action="membership.email_use", target_id=str(membership.pk)).exists()
    with pytest.raises(ValidationError):
        membership_email_use_update(membership=membership, actor=membership.person, email_use="spam")


def test_rules_update_creates_the_row_validates_and_audits():
    organisation = OrganisationFactory()
    assert rules_for(organisation)._state.adding  # defaults, not saved: reading never writes
    rules = membership_rules_update(organisation=organisation, actor=None, share_value_pence=500)
    assert rules_for(organisation).share_value_pence == 500
    assert AuditEvent.objects.get(action="membership_rules.update").data["before"] == {"share_value_pence": 100}
    with pytest.raises(ValidationError):
        membership_rules_update(organisation=organisation, actor=None, max_holding_pence=100_000_01)
    with pytest.raises(ValueError, match="Not a membership rule"):
        membership_rules_update(organisation=organisation, actor=None, name="Renamed")
    rules.refresh_from_db()
    assert rules.max_holding_pence == 100_000_00


def test_ledger_is_immutable():
    membership = MembershipFactory()
    issue = ShareTransaction.objects.get(membership=membership)
    issue.shares = 100
    with pytest.raises(ValueError, match="immutable"):
        issue.save()
    with pytest.raises(ValueError, match="immutable"):
        issue.delete()


def test_voting_rights_follow_status_class_payment_and_qualifying_period():
    voter = MembershipFactory(admitted_on="2020-01-01")
    non_voting = MembershipFactory(stakeholder_class__has_voting_rights=False, admitted_on="2020-01-01")
    new = MembershipFactory(
        rules={"voting_qualifying_days": 365}, admitted_on=timezone.localdate() - timedelta(days=10)
    )
    unpaid = MembershipFactory(admitted_on="2020-01-01", paid=False)
    unpaid_but_rules_allow = MembershipFactory(
        admitted_on="2020-01-01", paid=False, rules={"paid_share_needed_to_vote": False}
    )
    rows = {
        m.pk: m
        for m in Membership.objects.with_holdings().select_related(
            "stakeholder_class", "organisation__membership_rules"
        )
    }
    assert rows[voter.pk].has_voting_rights()
    assert not rows[non_voting.pk].has_voting_rights()
    assert not rows[new.pk].has_voting_rights()
    assert rows[new.pk].has_voting_rights(on=timezone.localdate() + timedelta(days=355))
    assert not rows[unpaid.pk].has_voting_rights()
    assert rows[unpaid_but_rules_allow.pk].has_voting_rights()
    share_payment_record(
        share_transaction=unpaid.share_transactions.get(),
        actor=UserFactory(),
        method="cash",
        paid_on=timezone.localdate(),
    )
    assert entry(unpaid).has_voting_rights()
    share_withdraw(membership=voter, actor=voter.person, shares=1)
    assert not entry(voter).has_voting_rights()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_withdrawals_of_the_same_share_cannot_both_succeed():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; the test command runs this on PostgreSQL")
    membership = MembershipFactory(shares=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def withdraw():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            share_withdraw(membership=membership, actor=membership.person, shares=1)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=withdraw) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert ShareTransaction.objects.filter(membership=membership, kind="withdrawal").count() == 1
    assert holding(membership) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_payments_for_the_same_share_record_one():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; the test command runs this on PostgreSQL")
    membership = MembershipFactory(paid=False)
    issue = ShareTransaction.objects.get(membership=membership)
    officer = UserFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def pay():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            share_payment_record(share_transaction=issue, actor=officer, method="cash", paid_on=timezone.localdate())
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1, outcomes
    assert SharePayment.objects.count() == 1


def django_capture_on_commit():
    """Run on_commit callbacks (emails) inside a test transaction, like a real commit would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_long_reasons_are_refused_by_the_services_and_the_model(leisure_class):
    from coproduce.members.services import membership_cease

    application = membership_apply(
        person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=leisure_class
    )
    with pytest.raises(ValidationError, match="1,000 characters or fewer"):
        membership_refuse(membership=application, actor=UserFactory(), reason="x" * 1001)
    member = MembershipFactory(stakeholder_class=leisure_class)
    with pytest.raises(ValidationError):
        membership_cease(membership=member, actor=UserFactory(), reason="expelled", note="y" * 1001)
    member.refresh_from_db()
    assert member.status == MembershipStatus.ADMITTED
    member.cessation_note = "z" * 1001
    with pytest.raises(ValidationError):
        member.full_clean()


def test_correcting_details_goes_through_core_and_the_organisations_trail():
    from coproduce.core.tests.factories import PostcodeFactory
    from coproduce.members.services import member_details_correct

    ward = PostcodeFactory(postcode="KM3 3CD").ward
    member = MembershipFactory(person__full_name="Jon Jnoes", person__preferred_language="cy")
    secretary = UserFactory()
    member_details_correct(
        membership=member, actor=secretary, full_name="Jon Jones", address="4 Mill Lane", postcode="km3 3cd"
    )
    person = member.person
    person.refresh_from_db()
    assert (person.full_name, person.address, person.postcode, person.ward) == (
        "Jon Jones",
        "4 Mill Lane",
        "KM3 3CD",
        ward,
    )
    assert person.preferred_language == "cy"  # what the secretary does not correct stays as it was
    ours = AuditEvent.objects.get(action="membership.correct_details")
    assert (ours.actor, ours.organisation) == (secretary, member.organisation)
    assert ours.data["before"]["full_name"] == "Jon Jnoes" and ours.data["after"]["postcode"] == "KM3 3CD"
    assert AuditEvent.objects.filter(action="person.update_details").exists()  # core's own event too
    # An unknown postcode is refused, and nothing is written.
    with pytest.raises(ValidationError):
        member_details_correct(membership=member, actor=secretary, full_name="X", address="Y", postcode="ZZ9 9ZZ")
    person.refresh_from_db()
    assert person.full_name == "Jon Jones"
    assert AuditEvent.objects.filter(action="membership.correct_details").count() == 1


def test_updating_a_class_is_audited_with_what_changed(leisure_class):
    from coproduce.members.services import stakeholder_class_update

    actor = UserFactory()
    stakeholder_class_update(
        stakeholder_class=leisure_class, actor=actor, name=leisure_class.name, name_cy="Aelod", description=""
    )
    event = AuditEvent.objects.get(action="stakeholder_class.update")
    assert event.data["after"] == {"name_cy": "Aelod"} and event.organisation == leisure_class.organisation
    # Saving the same again writes no event.
    stakeholder_class_update(stakeholder_class=leisure_class, actor=actor, name=leisure_class.name, name_cy="Aelod")
    assert AuditEvent.objects.filter(action="stakeholder_class.update").count() == 1
    with pytest.raises(ValidationError):
        stakeholder_class_update(stakeholder_class=leisure_class, actor=actor, name=" ")
