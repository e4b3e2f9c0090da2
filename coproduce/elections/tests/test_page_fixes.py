"""Pages fixed after walking the journeys in the browser: each test failed before its fix."""

from __future__ import annotations

import pytest

from coproduce.elections.tests.factories import ConstituencyFactory, ElectionFactory
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nominating():
    tenant = StakeholderClassFactory()
    member = MembershipFactory(stakeholder_class=tenant)
    election = ElectionFactory(organisation=tenant.organisation)
    ConstituencyFactory(election=election)
    return election, member


def test_the_nominate_page_asks_for_the_member_number_without_a_conditional_reveal(client, nominating):
    """GOV.UK Frontend's script puts ``aria-expanded`` on a radio that reveals a field, which ARIA does
    not allow on a radio (axe: aria-allowed-attr). The member number is asked for in its own box."""
    election, member = nominating
    client.force_login(member.person)
    html = client.get(f"/elections/{election.pk}/nominate/").content.decode()
    assert "govuk-radios__conditional" not in html and "data-aria-controls" not in html
    assert 'name="candidate_number"' in html
    assert "Their member number, if you are nominating another member" in html
