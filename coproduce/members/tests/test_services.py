import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import OrganisationFactory, UserFactory
from coproduce.members.models import Membership, MembershipStatus, ShareTransaction
from coproduce.members.services import (
    membership_admit,
    membership_apply,
    membership_cease,
    membership_refuse,
    share_purchase,
    share_withdraw,
)

from .factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


def holding(membership):
    return Membership.objects.with_holdings().get(pk=membership.pk).shares_held


@pytest.fixture
def leisure_class():
    return StakeholderClassFactory(organisation=OrganisationFactory(name="Kingsmere Leisure Trust"))


def test_apply_records_application_and_audit_event(leisure_class):
    person = UserFactory()
    membership = membership_apply(
        person=person, organisation=leisure_class.organisation, stakeholder_class=leisure_class, pays_now=False
    )
    assert membership.status == MembershipStatus.APPLIED
    assert not membership.pays_on_admission
    event = AuditEvent.objects.get(action="membership.apply")
    assert (event.actor, event.organisation, event.target_id) == (
        person,
        leisure_class.organisation,
        str(membership.pk),
    )


def test_duplicate_application_is_refused_and_writes_nothing(leisure_class):
    person = UserFactory()
    membership_apply(
        person=person, organisation=leisure_class.organisation, stakeholder_class=leisure_class, pays_now=True
    )
    before = (Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="already applied"):
        membership_apply(
            person=person, organisation=leisure_class.organisation, stakeholder_class=leisure_class, pays_now=True
        )
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before


def test_class_of_another_organisation_is_refused(leisure_class):
    other = StakeholderClassFactory()
    with pytest.raises(ValidationError):
        membership_apply(
            person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=other, pays_now=True
        )
    assert not Membership.objects.exists()


def test_admit_numbers_member_issues_one_share_and_emails_applicant(leisure_class):
    secretary = UserFactory()
    first = membership_apply(
        person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=leisure_class, pays_now=True
    )
    second = membership_apply(
        person=UserFactory(preferred_language="cy"),
        organisation=leisure_class.organisation,
        stakeholder_class=leisure_class,
        pays_now=False,
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
    assert (issue.kind, issue.shares, issue.amount_pence, issue.paid) == ("issue", 1, 100, False)
    assert holding(first) == 1
    assert [message.to for message in mail.outbox] == [[first.person.email], [second.person.email]]
    assert "Kingsmere Leisure Trust" in mail.outbox[0].subject
    # The Welsh speaker is written to in Welsh.
    assert "Croeso" in mail.outbox[1].subject


def test_refuse_gives_reason_and_cannot_then_admit(leisure_class):
    application = membership_apply(
        person=UserFactory(), organisation=leisure_class.organisation, stakeholder_class=leisure_class, pays_now=True
    )
    with django_capture_on_commit():
        membership_refuse(membership=application, actor=UserFactory(), reason="You live outside the area of benefit.")
    assert "outside the area of benefit" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        membership_admit(membership=application, actor=UserFactory())
    assert not ShareTransaction.objects.exists()


def test_withdrawal_beyond_holding_is_refused_and_writes_nothing():
    membership = MembershipFactory(shares=2)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="hold 2 shares"):
        share_withdraw(membership=membership, actor=membership.person, shares=3)
    assert holding(membership) == 2
    assert AuditEvent.objects.count() == events


def test_withdrawal_refused_while_suspended():
    membership = MembershipFactory(stakeholder_class__organisation__withdrawals_suspended=True)
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


def test_purchase_beyond_cap_is_refused():
    membership = MembershipFactory(
        shares=3,
        stakeholder_class__organisation__further_purchases_allowed=True,
        stakeholder_class__organisation__max_holding_pence=500,
    )
    with pytest.raises(ValidationError, match="at most 5 shares"):
        share_purchase(membership=membership, actor=membership.person, shares=3)
    assert holding(membership) == 3
    share_purchase(membership=membership, actor=membership.person, shares=2)
    assert holding(membership) == 5


def test_purchase_refused_where_rules_forbid():
    membership = MembershipFactory(stakeholder_class__organisation__further_purchases_allowed=False)
    with pytest.raises(ValidationError, match="do not allow"):
        share_purchase(membership=membership, actor=membership.person, shares=1)
    assert holding(membership) == 1


def test_cessation_cancels_remaining_shares():
    membership = MembershipFactory(shares=4)
    membership_cease(membership=membership, actor=UserFactory(), reason="expelled")
    cancellation = ShareTransaction.objects.get(membership=membership, kind="cancellation")
    assert cancellation.shares == -4
    assert holding(membership) == 0
    with pytest.raises(ValidationError):
        share_withdraw(membership=membership, actor=membership.person, shares=1)


def test_ledger_is_immutable():
    membership = MembershipFactory()
    issue = ShareTransaction.objects.get(membership=membership)
    issue.shares = 100
    with pytest.raises(ValueError, match="immutable"):
        issue.save()
    with pytest.raises(ValueError, match="immutable"):
        issue.delete()


def test_voting_rights_follow_status_class_and_qualifying_period():
    voter = MembershipFactory(admitted_on="2020-01-01")
    non_voting = MembershipFactory(stakeholder_class__has_voting_rights=False, admitted_on="2020-01-01")
    new = MembershipFactory(
        stakeholder_class__organisation__voting_qualifying_days=365,
        admitted_on=timezone.localdate() - timedelta(days=10),
    )
    rows = {m.pk: m for m in Membership.objects.with_holdings().select_related("stakeholder_class", "organisation")}
    assert rows[voter.pk].has_voting_rights()
    assert not rows[non_voting.pk].has_voting_rights()
    assert not rows[new.pk].has_voting_rights()
    assert rows[new.pk].has_voting_rights(on=timezone.localdate() + timedelta(days=355))
    share_withdraw(membership=voter, actor=voter.person, shares=1)
    assert not Membership.objects.with_holdings().get(pk=voter.pk).has_voting_rights()


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


def django_capture_on_commit():
    """Run on_commit callbacks (emails) inside a test transaction, like a real commit would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
