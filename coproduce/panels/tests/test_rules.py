"""Who may set panels up and run them."""

import pytest

from coproduce.core.models import OrganisationKind, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory

from .factories import OfficerFactory, PanelFactory, RegistrantFactory

pytestmark = pytest.mark.django_db


def test_officer_of_the_council_runs_its_panels_only():
    panel = PanelFactory()
    officer = OfficerFactory(organisation=panel.organisation).person
    other = PanelFactory()
    assert officer.has_perm("panels.manage", panel.organisation)
    assert officer.has_perm("panels.run", panel)
    assert not officer.has_perm("panels.run", other)
    assert not officer.has_perm("panels.manage", other.organisation)


def test_secretary_and_superuser_may_run_a_panel():
    panel = PanelFactory()
    secretary = RoleFactory(organisation=panel.organisation, kind=RoleKind.SECRETARY).person
    assert secretary.has_perm("panels.run", panel)
    superuser = UserFactory(is_superuser=True)
    assert superuser.has_perm("panels.run", panel)
    assert superuser.has_perm("panels.manage", panel.organisation)


def test_residents_and_other_roles_may_not():
    panel = PanelFactory()
    resident = UserFactory()
    board = RoleFactory(organisation=panel.organisation, kind=RoleKind.BOARD_MEMBER).person
    for user in (resident, board):
        assert not user.has_perm("panels.run", panel)
        assert not user.has_perm("panels.manage", panel.organisation)
    assert not resident.has_perm("panels.run", None)


def test_factories_make_a_registrant_with_answers():
    registrant = RegistrantFactory(features={"sex": "female", "age_band": "25_34"})
    assert {f.feature: f.value for f in registrant.features.all()} == {"sex": "female", "age_band": "25_34"}
    assert registrant.invitation.panel == registrant.panel
    assert OrganisationFactory(kind=OrganisationKind.COUNCIL).kind == OrganisationKind.COUNCIL
