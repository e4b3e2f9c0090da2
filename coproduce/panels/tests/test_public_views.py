"""Residents' pages of the panels: the list, a panel's page, and the public audit page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from coproduce.core.models import RoleKind
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory, sign_in_with_mfa
from coproduce.panels.models import Stage
from coproduce.panels.tests.factories import PanelFactory, SessionFactory, registration_dates

pytestmark = pytest.mark.django_db


def test_list_shows_panels_out_of_draft_with_their_status(client):
    taking = PanelFactory(title="Climate panel")
    upcoming = PanelFactory(title="Transport panel", **registration_dates("before"), stage=Stage.INVITING)
    PanelFactory(title="Secret draft", stage=Stage.DRAFT)
    PanelFactory(title="Hidden council", organisation=OrganisationFactory(is_public=False))
    response = client.get(reverse("panels:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert taking.title in text and upcoming.title in text
    assert "Secret draft" not in text and "Hidden council" not in text
    assert "Taking registrations" in text and "Letters sent" in text


def test_panel_page_says_how_the_lottery_works_with_payment_and_benefits(client):
    panel = PanelFactory(
        title="Climate panel",
        payment_policy="You get £150 for taking part.",
        benefits_guidance="Payments may affect Universal Credit: tell your work coach.",
        categories=["age_band", "sex", "ward"],
    )
    SessionFactory(panel=panel, title="First weekend", venue="Town hall")
    response = client.get(reverse("panels:detail", kwargs={"pk": panel.pk}))
    text = response.content.decode()
    assert response.status_code == 200
    assert "How the civic lottery works" in text
    assert "£150" in text and "Universal Credit" in text
    assert "First weekend" in text and "Town hall" in text
    assert "Register with your code" in text
    assert "Ward" in text and "Sex" in text
    # Not published: no link to the audit page.
    assert reverse("panels:audit", kwargs={"pk": panel.pk}) not in text


def test_panel_page_in_welsh_shows_welsh_fields(client):
    panel = PanelFactory(
        title="Climate panel", title_cy="Panel hinsawdd", purpose_cy="Beth ddylai'r fwrdeistref ei wneud?"
    )
    with translation.override("cy"):
        url = reverse("panels:detail", kwargs={"pk": panel.pk})
    assert url.startswith("/cy/")
    response = client.get(url)
    text = response.content.decode()
    assert "Panel hinsawdd" in text and "Beth ddylai" in text


def test_draft_panel_is_404_except_for_its_officers(client):
    panel = PanelFactory(stage=Stage.DRAFT)
    url = reverse("panels:detail", kwargs={"pk": panel.pk})
    assert client.get(url).status_code == 404
    officer = UserFactory()
    RoleFactory(person=officer, organisation=panel.organisation, kind=RoleKind.OFFICER)
    sign_in_with_mfa(client, officer)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", ["/panels/99999999999999999999/", "/panels/abc/", "/panels/0/selection/"])
def test_garbage_addresses_are_404(client, path):
    assert client.get(path).status_code == 404


def test_audit_page_is_404_before_publication(client):
    panel = PanelFactory(stage=Stage.SELECTED, result={"panel": []})
    assert client.get(reverse("panels:audit", kwargs={"pk": panel.pk})).status_code == 404
