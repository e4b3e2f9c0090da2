"""Members' answers to the core's account hooks: data download, retention, closing."""

import pytest

from coproduce.core import registry
from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import UserFactory
from coproduce.members.models import MembershipStatus

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _members():
    return next(feature for feature in registry.features() if feature.label == "members")


def test_personal_data_holds_the_register_entry_ledger_and_payments():
    membership = MembershipFactory(shares=2, person__full_name="Gwen Data")
    data = _members().personal_data(membership.person)
    (entry,) = data["memberships"]
    assert (entry["organisation"], entry["shares_held"], entry["amount_paid_pence"]) == (
        membership.organisation.name,
        2,
        200,
    )
    assert entry["shares"][0]["payment"]["method"] == "cash"


def test_the_register_keeps_name_and_address_of_members_and_former_members_only():
    person = UserFactory()
    assert _members().retention_reasons(person) == []
    MembershipFactory(person=person, status=MembershipStatus.APPLIED, member_number=None, admitted_on=None)
    assert _members().retention_reasons(person) == []
    member = MembershipFactory(person=person, status=MembershipStatus.CEASED, shares=0)
    (reason,) = _members().retention_reasons(person)
    assert member.organisation.name in reason and "register of members" in reason


def test_closing_an_account_withdraws_a_waiting_application():
    application = MembershipFactory(status=MembershipStatus.APPLIED, member_number=None, admitted_on=None)
    current = MembershipFactory(person=application.person)
    _members().on_account_close(application.person)
    application.refresh_from_db()
    current.refresh_from_db()
    assert (application.status, current.status) == ("refused", "admitted")
    assert AuditEvent.objects.filter(action="membership.withdraw_application").count() == 1


def test_eligibility_asks_members_whether_a_person_votes_and_shows_why_not():
    import datetime

    from django.utils import formats, timezone

    from coproduce.core.eligibility import Requirement, check, register_membership_check
    from coproduce.members.selectors import voting_member_reason
    from coproduce.members.services import share_payment_record

    register_membership_check(voting_member_reason)  # as apps.py does (another test may have swapped it)
    today = timezone.localdate()
    voter = MembershipFactory(admitted_on=today - datetime.timedelta(days=400))
    requirement = Requirement(member_of=voter.organisation)
    assert check(voter.person, requirement)
    assert "Only members of" in check(UserFactory(), requirement).reason
    owing = MembershipFactory(stakeholder_class=voter.stakeholder_class, paid=False, admitted_on=today)
    assert "recorded the payment" in check(owing.person, requirement).reason
    share_payment_record(
        share_transaction=owing.share_transactions.get(), actor=voter.person, method="cash", paid_on=today
    )
    assert check(owing.person, requirement)
    new = MembershipFactory(admitted_on=today, rules={"voting_qualifying_days": 30})
    later = formats.date_format(today + datetime.timedelta(days=30), "j F Y")  # "4 December 2026"
    assert later in check(new.person, Requirement(member_of=new.organisation)).reason
