"""What members gives the core's workspaces through the registry: a person's home, the hub's
lines, the council's programme sections (constant queries), and every audit action in words."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import translation

from coproduce.core import registry
from coproduce.core.models import OrganisationKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, RoleFactory, UserFactory
from coproduce.members import selectors
from coproduce.members.models import MembershipStatus
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory
from coproduce.members.workspaces import AUDIT_ACTIONS

pytestmark = pytest.mark.django_db


def _feature() -> registry.FeatureApp:
    return next(feature for feature in registry.features() if feature.label == "members")


def test_every_action_members_writes_has_words():
    services = (Path(__file__).parents[1] / "services.py").read_text()
    written = set(re.findall(r'action="([a-z_.]+)"', services))
    assert written and written <= set(AUDIT_ACTIONS)
    assert registry.audit_action_label("membership.admit") == "Admitted a member"
    assert registry.audit_action_label("share.payment") == "Recorded a payment"
    assert registry.audit_action_label("register.export") == "Exported the register"


def test_home_lists_memberships_and_what_needs_the_person():
    person = UserFactory()
    owing = MembershipFactory(person=person, paid=False, stakeholder_class__organisation__name="Care Co-op")
    MembershipFactory(person=person, stakeholder_class__organisation__name="Leisure Trust")
    waiting = MembershipFactory(person=person, status=MembershipStatus.APPLIED, member_number=None, admitted_on=None)
    items = _feature().home_items(person)
    labels = [str(item.label) for item in items]
    assert "Pay £1.00 for your share in Care Co-op" in labels
    assert next(item for item in items if "Pay £1.00" in str(item.label)).urgent
    assert "You are a member of Leisure Trust" in labels
    application = next(item for item in items if "waiting for a decision" in str(item.label))
    assert waiting.reference in str(application.hint)
    assert application.url == f"/my-memberships/{waiting.pk}/"
    assert all(item.url.startswith("/my-memberships/") for item in items)
    assert owing.pk


def test_the_hub_counts_applications_and_shares_owed_for_officers_only():
    trust = OrganisationFactory(slug="taff-leisure")
    users = StakeholderClassFactory(organisation=trust)
    MembershipFactory(stakeholder_class=users, paid=False)
    MembershipFactory(stakeholder_class=users)
    MembershipFactory(stakeholder_class=users, status=MembershipStatus.APPLIED, member_number=None)
    secretary = RoleFactory(organisation=trust).person
    board = RoleFactory(organisation=trust, kind="board_member").person
    items = {str(item.label): item for item in _feature().workspace_items(secretary, trust)}
    assert items["Applications waiting for a decision"].count == 1
    assert items["Members who owe for shares"].count == 1
    assert str(items["Members who owe for shares"].hint) == "£1.00 owed in all"
    assert items["Membership workspace"].url == "/organisations/taff-leisure/manage/"
    assert "Register of members" in items and "Download the register (CSV)" in items
    board_items = {str(item.label) for item in _feature().workspace_items(board, trust)}
    assert "Membership workspace" in board_items and "Register of members" not in board_items
    assert _feature().workspace_items(UserFactory(), trust) == []


@pytest.fixture
def borough():
    council = OrganisationFactory(kind=OrganisationKind.COUNCIL, name="Kingsmere Council")
    officer = RoleFactory(organisation=council, kind="officer").person
    castle, quay = PlaceFactory(name="Castle", name_cy="Castell"), PlaceFactory(name="Quay")
    trust = OrganisationFactory(name="Leisure Trust", sponsoring_council=council)
    homes = OrganisationFactory(name="Homes Co-op", sponsoring_council=council)
    OrganisationFactory(name="Not sponsored")
    return council, officer, (castle, quay), (trust, homes)


def _populate(organisations, wards, count: int, today: datetime.date) -> None:
    for number in range(count):
        for organisation in organisations:
            MembershipFactory(
                stakeholder_class=StakeholderClassFactory(organisation=organisation),
                person__ward=wards[number % 2],
                admitted_on=today - datetime.timedelta(days=40 * number + 5),
            )


def test_programme_sections_show_members_by_ward_and_growth_in_constant_queries(borough, django_assert_num_queries):
    council, officer, wards, organisations = borough
    today = datetime.date.today()
    _populate(organisations, wards, 3, today)
    # 1-2 the officer's role (view_programme: the hook's check and the selector's), 3 the
    # organisations sponsored, 4 members by organisation and ward, 5 those wards, 6 members before
    # the 24 months, 7 admitted by month, 8 ceased by month.
    with django_assert_num_queries(8):
        sections = _feature().programme_sections(officer, council)
    _populate(organisations, wards, 9, today - datetime.timedelta(days=3))
    with django_assert_num_queries(8):
        sections = _feature().programme_sections(officer, council)
    by_ward, growth = sections
    (table,) = by_ward.tables  # one table: a ward a row, an organisation a column
    assert list(table.head) == ["Ward", "Homes Co-op", "Leisure Trust"]
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Castle"][1] + rows["Quay"][1] == rows["All wards"][1] == 12
    assert len(growth.series) == 24 and growth.series[-1][1] == 24  # both organisations' members now
    table = growth.tables[0]
    assert len(table.rows) == 24 and table.head[0] == "Month"
    assert sum(row[1] for row in table.rows) <= 24
    with translation.override("cy"):
        welsh = _feature().programme_sections(officer, council)
    assert "Castell" in {row[0] for row in welsh[0].tables[0].rows}


def test_programme_sections_are_for_council_officers_only(borough):
    council, _officer, _wards, organisations = borough
    assert _feature().programme_sections(UserFactory(), council) == []
    secretary = RoleFactory(organisation=organisations[0]).person
    assert _feature().programme_sections(secretary, council) == []


def test_growth_counts_admissions_and_cessations_by_month():
    org = OrganisationFactory()
    users = StakeholderClassFactory(organisation=org)
    today = datetime.date(2026, 12, 4)
    MembershipFactory(stakeholder_class=users, admitted_on=datetime.date(2020, 1, 1))  # before the window
    MembershipFactory(stakeholder_class=users, admitted_on=datetime.date(2026, 11, 3))
    MembershipFactory(stakeholder_class=users, admitted_on=datetime.date(2026, 12, 1))
    MembershipFactory(
        stakeholder_class=users,
        admitted_on=datetime.date(2025, 6, 1),
        status=MembershipStatus.CEASED,
        ceased_on=datetime.date(2026, 12, 2),
    )
    MembershipFactory(stakeholder_class=users, admitted_on=datetime.date(2027, 1, 1))  # a future date is not counted
    growth = selectors.membership_growth(organisations=[org], months=24, today=today)
    assert len(growth) == 24
    assert growth[0].month == datetime.date(2025, 1, 1) and growth[-1].month == datetime.date(2026, 12, 1)
    june = next(row for row in growth if row.month == datetime.date(2025, 6, 1))
    assert (june.admitted, june.members) == (1, 2)
    assert (growth[-2].admitted, growth[-2].members) == (1, 3)
    assert (growth[-1].admitted, growth[-1].ceased, growth[-1].members) == (1, 1, 3)
