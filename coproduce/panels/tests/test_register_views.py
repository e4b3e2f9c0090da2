"""Registering with a letter's code, and a selected person taking or giving up their place."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from coproduce.panels import services
from coproduce.panels.models import Feature, Registrant, RegistrantStatus, Stage
from coproduce.panels.tests.factories import (
    InvitationFactory,
    PanelFactory,
    RegistrantFactory,
    SessionFactory,
    registration_dates,
)

pytestmark = pytest.mark.django_db


def answers(**extra) -> dict[str, str]:
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "phone": "",
        "date_of_birth_day": "",
        "date_of_birth_month": "",
        "date_of_birth_year": "",
        "availability": ["saturday"],
        "feature_age_band": "35_44",
        "feature_sex": "female",
        "access_needs": "A hearing loop",
        "care_needs": "",
        "consent": "on",
    }
    data.update(extra)
    return data


def test_code_page_is_filled_from_the_letters_qr_code(client):
    response = client.get(reverse("panels:register") + "?code=ABCDE-23456")
    assert response.status_code == 200
    assert 'value="ABCDE-23456"' in response.content.decode()


def test_unknown_code_is_explained_on_the_page(client):
    response = client.post(reverse("panels:register"), {"code": "NOPE-NOPE"})
    assert response.status_code == 200
    assert "We cannot find this code" in response.content.decode()
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("code", ["", "x" * 500, "²³", "<script>", "   "])
def test_garbage_codes_never_fail(client, code):
    assert client.post(reverse("panels:register"), {"code": code}).status_code == 200
    assert client.get(reverse("panels:register"), {"code": code}).status_code == 200


@pytest.mark.parametrize("code", ["x" * 300, "%C2%B2", "NOPE"])
def test_garbage_codes_in_the_address_are_404_pages(client, code):
    response = client.get(f"/panels/register/{code}/")
    assert response.status_code == 404
    assert client.get(f"/panels/register/{code}/done/").status_code == 404


def test_a_known_code_goes_to_the_form_whatever_its_case_and_spaces(client):
    invitation = InvitationFactory(code="ABCDE23456")
    response = client.post(reverse("panels:register"), {"code": " abcde-23456 "})
    assert response.status_code == 302
    assert response["Location"] == reverse("panels:register_form", kwargs={"code": invitation.code})


def test_closed_registration_is_explained(client):
    invitation = InvitationFactory(panel=PanelFactory(**registration_dates("closed")))
    response = client.post(reverse("panels:register"), {"code": invitation.code})
    assert "Registration for this panel has closed" in response.content.decode()
    response = client.get(reverse("panels:register_form", kwargs={"code": invitation.code}))
    assert "Registration for this panel has closed" in response.content.decode()


def test_household_already_registered_is_explained(client):
    panel = PanelFactory(one_registration_per_household=True)
    invitation = InvitationFactory(panel=panel)
    RegistrantFactory(panel=panel, invitation=invitation)
    response = client.post(reverse("panels:register"), {"code": invitation.code})
    assert "Someone in your household has already registered" in response.content.decode()


def test_draft_panels_code_is_not_known(client):
    invitation = InvitationFactory(panel=PanelFactory(stage=Stage.DRAFT))
    response = client.post(reverse("panels:register"), {"code": invitation.code})
    assert "We cannot find this code" in response.content.decode()


def test_form_asks_the_panels_questions_but_not_the_ward(client):
    panel = PanelFactory(categories=["age_band", "sex", "ward", "tenure"])
    invitation = InvitationFactory(panel=panel)
    text = client.get(reverse("panels:register_form", kwargs={"code": invitation.code})).content.decode()
    assert 'name="feature_age_band"' in text and 'name="feature_tenure"' in text
    assert 'name="feature_ward"' not in text
    assert "Prefer not to say" in text
    assert "csrfmiddlewaretoken" in text


def test_registering_stores_the_answers_and_emails_a_confirmation(client, django_capture_on_commit_callbacks):
    panel = PanelFactory()
    invitation = InvitationFactory(panel=panel)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("panels:register_form", kwargs={"code": invitation.code}), answers())
    assert response.status_code == 302
    assert response["Location"] == reverse("panels:register_done", kwargs={"code": invitation.code})
    registrant = Registrant.objects.get(invitation=invitation)
    assert registrant.name == "Ada Lovelace" and registrant.consent
    assert registrant.availability == ["saturday"]
    assert dict(Feature.objects.filter(registrant=registrant).values_list("feature", "value")) == {
        "age_band": "35_44",
        "sex": "female",
    }
    assert len(mail.outbox) == 1
    done = client.get(response["Location"]).content.decode()
    assert "You are registered" in done and registrant.public_id in done


def test_session_availability_is_offered_when_the_panel_has_sessions(client):
    panel = PanelFactory()
    session = SessionFactory(panel=panel, title="First weekend")
    invitation = InvitationFactory(panel=panel)
    text = client.get(reverse("panels:register_form", kwargs={"code": invitation.code})).content.decode()
    assert "First weekend" in text
    response = client.post(
        reverse("panels:register_form", kwargs={"code": invitation.code}), answers(availability=[str(session.pk)])
    )
    assert response.status_code == 302
    assert Registrant.objects.get(invitation=invitation).availability in ([str(session.pk)], [session.pk])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": ""}, "Agree to how your answers are used"),
        ({"email": "", "phone": ""}, "Enter an email address or a phone number"),
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"name": ""}, "Enter your full name"),
        ({"feature_sex": "robot"}, "Choose one of the answers"),
        ({"feature_sex": ""}, "Choose an answer, or prefer not to say"),
        ({"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "1990"}, "real date"),
        ({"availability": ["never"]}, "Choose from the list"),
        ({"phone": "call me", "email": ""}, "Enter a phone number"),
    ],
)
def test_bad_answers_are_refused_beside_their_field(client, change, message):
    invitation = InvitationFactory(panel=PanelFactory())
    response = client.post(reverse("panels:register_form", kwargs={"code": invitation.code}), answers(**change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Registrant.objects.exists()


def test_register_in_welsh_records_the_language(client):
    invitation = InvitationFactory(panel=PanelFactory())
    with translation.override("cy"):
        url = reverse("panels:register_form", kwargs={"code": invitation.code})
    response = client.post(url, answers())
    assert response.status_code == 302
    assert Registrant.objects.get().language == "cy"


def _selected(panel=None) -> tuple[Registrant, str]:
    """A registrant offered a place, with the token of their link."""
    registrant = RegistrantFactory(panel=panel or PanelFactory(stage=Stage.PUBLISHED), status=RegistrantStatus.SELECTED)
    token = services.token_issue(registrant)
    return registrant, token


def test_selected_person_confirms_their_place(client):
    panel = PanelFactory(
        stage=Stage.PUBLISHED,
        payment_policy="£150 for the two weekends.",
        benefits_guidance="Tell your work coach.",
    )
    SessionFactory(panel=panel, title="First weekend")
    registrant, token = _selected(panel)
    url = reverse("panels:place", kwargs={"token": token})
    page = client.get(url).content.decode()
    assert "First weekend" in page and "£150" in page and "work coach" in page
    response = client.post(url, {"accept": "yes"})
    assert response.status_code == 302
    registrant.refresh_from_db()
    assert registrant.status == RegistrantStatus.CONFIRMED
    assert "you have confirmed your place" in client.get(url).content.decode()
    # Answering again is refused on the page.
    assert "already answered" in client.post(url, {"accept": "no"}).content.decode()


def test_selected_person_declines(client):
    registrant, token = _selected()
    response = client.post(reverse("panels:place", kwargs={"token": token}), {"accept": "no"})
    assert response.status_code == 302
    registrant.refresh_from_db()
    assert registrant.status == RegistrantStatus.DECLINED


@pytest.mark.parametrize("token", ["short", "x" * 300, "nottherighttoken123"])
def test_bad_tokens_are_a_404_page(client, token):
    response = client.get(f"/panels/places/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert client.post(f"/panels/places/{token}/", {"accept": "yes"}).status_code == 404


def test_place_form_garbage_is_refused_on_the_page(client):
    registrant, token = _selected()
    response = client.post(reverse("panels:place", kwargs={"token": token}), {"accept": "maybe"})
    assert response.status_code == 200
    assert "Choose yes or no" in response.content.decode()
    registrant.refresh_from_db()
    assert registrant.status == RegistrantStatus.SELECTED
