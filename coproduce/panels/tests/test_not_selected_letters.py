"""The letter to everyone who registered and was not selected: one PDF to post, in each person's language."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from coproduce.core.models import RoleKind
from coproduce.core.tests.factories import RoleFactory, sign_in_with_mfa
from coproduce.panels.models import RegistrantStatus, Stage
from coproduce.panels.tests.factories import PanelFactory, RegistrantFactory

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_a_letter_to_each_person_not_selected_in_their_language(client):
    panel = PanelFactory(stage=Stage.PUBLISHED, title="Climate panel", title_cy="Panel hinsawdd")
    RegistrantFactory(panel=panel, name="Ada Reserve", status=RegistrantStatus.RESERVE, email="")
    RegistrantFactory(panel=panel, name="Bryn Wrth Gefn", status=RegistrantStatus.RESERVE, language="cy")
    RegistrantFactory(panel=panel, name="Cara Selected", status=RegistrantStatus.CONFIRMED)
    officer = RoleFactory(organisation=panel.organisation, kind=RoleKind.OFFICER).person
    sign_in_with_mfa(client, officer)
    members = client.get(f"/panels/{panel.pk}/manage/members/")
    assert f"/panels/{panel.pk}/manage/not-selected.pdf" in members.text
    response = client.get(f"/panels/{panel.pk}/manage/not-selected.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2  # the two not selected, none for the member
    text = _text(response.content)
    assert "Ada Reserve" in text and "Bryn Wrth Gefn" in text and "Cara Selected" not in text
    assert "The selection for Climate panel" in text
    with translation.override("cy"):
        welsh = gettext("The selection for %(title)s") % {"title": "Panel hinsawdd"}
    assert welsh in text


def test_no_letters_before_the_selection_is_published(client):
    panel = PanelFactory(stage=Stage.SELECTED)
    RegistrantFactory(panel=panel, status=RegistrantStatus.RESERVE)
    officer = RoleFactory(organisation=panel.organisation, kind=RoleKind.OFFICER).person
    sign_in_with_mfa(client, officer)
    assert client.get(f"/panels/{panel.pk}/manage/not-selected.pdf").status_code == 404
    assert "not-selected.pdf" not in client.get(f"/panels/{panel.pk}/manage/members/").text
