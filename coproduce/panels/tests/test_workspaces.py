"""What panels put on a person's home and the council's workspace."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.core.models import RoleKind
from coproduce.core.tests.factories import RoleFactory, UserFactory
from coproduce.panels import workspaces
from coproduce.panels.models import RegistrantStatus, Stage
from coproduce.panels.tests.factories import PanelFactory, RegistrantFactory, registration_dates

pytestmark = pytest.mark.django_db


def officer_of(panel):
    officer = UserFactory()
    RoleFactory(person=officer, organisation=panel.organisation, kind=RoleKind.OFFICER)
    return officer


def test_selected_resident_is_told_to_answer():
    person = UserFactory()
    panel = PanelFactory(title="Climate panel", stage=Stage.PUBLISHED)
    RegistrantFactory(panel=panel, person=person, status=RegistrantStatus.SELECTED)
    items = workspaces.home_items(person)
    assert [item.urgent for item in items] == [True]
    assert "Climate panel" in str(items[0].label)


def test_residents_not_selected_see_nothing():
    person = UserFactory()
    RegistrantFactory(person=person, status=RegistrantStatus.RESERVE)
    assert workspaces.home_items(person) == []


def test_officers_are_told_what_each_panel_needs():
    draft = PanelFactory(title="Draft panel", stage=Stage.DRAFT)
    closed = PanelFactory(
        title="Closed panel", organisation=draft.organisation, stage=Stage.REGISTERING, **registration_dates("closed")
    )
    PanelFactory(title="Open panel", organisation=draft.organisation)
    selected = PanelFactory(title="Selected panel", organisation=draft.organisation, stage=Stage.SELECTED)
    officer = officer_of(draft)
    labels = " | ".join(str(item.label) for item in workspaces.home_items(officer))
    assert "Draft panel: Import the addresses and draw the letters" in labels
    assert "Closed panel: Publish the seed, then run the selection" in labels
    assert "Selected panel: Check the selection and publish it" in labels
    assert "Open panel" not in labels
    items = workspaces.workspace_items(officer, draft.organisation)
    titles = [str(item.label) for item in items]
    assert {"Draft panel", "Closed panel", "Open panel", "Selected panel", "Resident panels"} <= set(titles)
    assert closed.title in titles and selected.title in titles


def test_dropouts_to_replace_are_counted():
    panel = PanelFactory(title="Published panel", stage=Stage.PUBLISHED)
    RegistrantFactory.create_batch(2, panel=panel, status=RegistrantStatus.DECLINED, probability=0.1)
    declined = RegistrantFactory(panel=panel, status=RegistrantStatus.DECLINED, probability=0.1)
    RegistrantFactory(panel=panel, status=RegistrantStatus.REPLACEMENT, replaced=declined, probability=0.1)
    labels = [str(item.label) for item in workspaces.home_items(officer_of(panel))]
    assert labels == ["Published panel: 2 drop-outs to replace"]


def test_people_without_a_role_get_no_workspace_items():
    panel = PanelFactory()
    assert workspaces.workspace_items(UserFactory(), panel.organisation) == []


def test_a_fixed_number_of_queries():
    panel = PanelFactory(stage=Stage.PUBLISHED)
    officer = officer_of(panel)
    with CaptureQueriesContext(connection) as one:
        workspaces.home_items(officer)
        workspaces.workspace_items(officer, panel.organisation)
    for _ in range(4):
        PanelFactory(organisation=panel.organisation, stage=Stage.PUBLISHED)
        RegistrantFactory(panel=panel, status=RegistrantStatus.DECLINED)
    with CaptureQueriesContext(connection) as many:
        workspaces.home_items(officer)
        workspaces.workspace_items(officer, panel.organisation)
    assert len(many) == len(one)
