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
