"""A person's account pages: details, verification, data download and closing, through the browser's requests."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from pypdf import PdfReader

from coproduce.core import registry
from coproduce.core.models import AuditEvent, Feedback, LetterCode, User, Verification
from coproduce.core.services import feedback_give, letter_batch_create, letter_batch_render, person_verify_in_person
from coproduce.core.verification import VerificationLevel

from .factories import PostcodeFactory, UserFactory
from .residents import CouncilFactory, ResidentFactory, officer_of, sign_in_with_mfa, ward_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory(name="Kingsmere Borough Council")


@pytest.fixture
def ward(council):
    return ward_in(council, name="Ashby Green", name_cy="Grîn Ashby")


@pytest.fixture
def resident(client, ward):
    person = ResidentFactory(ward=ward, full_name="Rhian Resident")
    client.force_login(person)
    return person


def details(code: str, **overrides) -> dict:
    data = {
        "full_name": "Rhian Resident",
        "address_line_1": "12 Demo Street",
        "address_line_2": "",
        "town": "Kingsmere",
        "postcode": code,
        "preferred_language": "cy",
        "access_needs": ["large_print", "bsl"],
        "date_of_birth_day": "27",
        "date_of_birth_month": "3",
        "date_of_birth_year": "2007",
    }
    data.update(overrides)
    return data


def test_the_account_pages_need_a_sign_in(client):
    for path in ("/account/", "/account/details/", "/account/data/", "/account/close/", "/verify/code/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), path


def test_account_page_shows_details_status_and_links(client, resident):
    html = client.get("/account/").content.decode()
    assert '<h1 class="govuk-heading-xl">Your account</h1>' in html
    assert "Rhian Resident" in html and "Ashby Green" in html
    assert "Not verified" in html
    for url_name in ("/account/details/", "/account/data/", "/account/close/", "/account/verify/letter/"):
        assert f'href="{url_name}"' in html or f'action="{url_name}"' in html
    assert 'href="/account/"' in html  # in the service navigation
    welsh = client.get("/cy/account/").content.decode()
    assert "Grîn Ashby" in welsh


def test_details_are_saved_with_ward_and_date_of_birth(client, resident, ward):
    postcode = PostcodeFactory(ward=ward).postcode
    response = client.post("/account/details/", details(postcode.lower().replace(" ", "")))
    assert response.status_code == 302 and response.url == "/account/"
    resident.refresh_from_db()
    assert resident.address == "12 Demo Street\nKingsmere"
    assert resident.postcode == postcode and resident.ward == ward
    assert resident.date_of_birth == date(2007, 3, 27)
    assert resident.preferred_language == "cy" and resident.access_needs == ["large_print", "bsl"]
    form = client.get("/account/details/").content.decode()
    assert 'value="12 Demo Street"' in form and 'value="2007"' in form


def test_details_go_back_to_a_safe_next_page_only(client, resident, ward):
    postcode = PostcodeFactory(ward=ward).postcode
    page = client.get("/account/details/?next=/organisations/trust/join/").content.decode()
    assert 'name="next" value="/organisations/trust/join/"' in page
    response = client.post("/account/details/", {**details(postcode), "next": "/organisations/trust/join/"})
    assert response.url == "/organisations/trust/join/"
    response = client.post("/account/details/", {**details(postcode), "next": "https://evil.example/"})
    assert response.url == "/account/"
    assert 'name="next"' not in client.get("/account/details/?next=//evil.example/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"postcode": "ZZ9 9ZZ"}, "postcode", "ZZ9 9ZZ is not in "),
        ({"postcode": "nonsense"}, "postcode", "Enter a real postcode"),
        ({"full_name": ""}, "full_name", "Enter your full name"),
        ({"address_line_1": ""}, "address_line_1", "Enter address line 1"),
        ({"date_of_birth_month": ""}, "date_of_birth_month", "Date of birth must include a month"),
        ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "date_of_birth_day", "must be a real date"),
        ({"date_of_birth_year": "2999"}, "date_of_birth_day", "must be in the past"),
        ({"access_needs": ["telepathy"]}, "access_needs", "Select access needs from the list"),
    ],
)
def test_details_errors_are_shown_on_the_page(client, resident, ward, overrides, field, message):
    postcode = PostcodeFactory(ward=ward).postcode
    response = client.post("/account/details/", details(postcode, **overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "govuk-error-summary" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    resident.refresh_from_db()
    assert resident.date_of_birth is None  # nothing saved


def test_an_empty_post_is_refused_with_errors_not_ignored(client, resident):
    html = client.post("/account/details/", {}).content.decode()
    assert "Enter your full name" in html and "Enter postcode" in html


def test_declaring_from_the_account_page(client, resident):
    html = client.post("/account/verify/declare/", {}).content.decode()
    assert "Confirm that you live at this address" in html and 'href="#id_declare"' in html
    response = client.post("/account/verify/declare/", {"declare": "on"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.DECLARED
    assert "Self-declared" in client.get("/account/").content.decode()
    assert client.get("/account/verify/declare/").status_code == 405


def test_asking_for_a_letter_then_entering_the_code(client, resident, council):
    response = client.post("/account/verify/letter/", follow=True)
    assert "We will post a letter" in response.content.decode()
    assert "You asked for a letter on" in client.get("/account/").content.decode()
    again = client.post("/account/verify/letter/", follow=True).content.decode()
    assert "already asked" in again
    assert LetterCode.objects.filter(person=resident).count() == 1

    batch = letter_batch_create(council=council, actor=officer_of(council), base_url="https://x/")
    batch = letter_batch_render(batch_id=batch.pk, base_url="https://x/")
    text = PdfReader(io.BytesIO(bytes(batch.pdf))).pages[0].extract_text()
    code = re.search(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b", text).group(0)

    page = client.get(f"/verify/code/?code={code}").content.decode()
    assert f'value="{code}"' in page  # the QR code's link fills the code in
    wrong = client.post("/verify/code/", {"code": "AAAA-AAAA"}).content.decode()
    assert "That code is wrong" in wrong and "4 tries left" in wrong and 'href="#id_code"' in wrong
    assert "8 letters and numbers" in client.post("/verify/code/", {"code": "ABC"}).content.decode()
    response = client.post("/verify/code/", {"code": code})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.CONFIRMED


def test_data_download_includes_every_apps_data(client, resident, council):
    officer = officer_of(council)
    person_verify_in_person(person=resident, council=council, actor=officer, seen=["council_tax"])
    feedback_give(person=resident, satisfaction="satisfied", improve="Lovely")
    registry.register(
        registry.FeatureApp(
            label="testapp",
            name="Test app",
            personal_data=lambda person: {"memberships": [{"organisation": "Trust", "email": person.email}]},
        )
    )
    try:
        response = client.get("/account/data/")
    finally:
        registry._features.pop("testapp")
    assert response["Content-Disposition"] == 'attachment; filename="coproduce-my-data.json"'
    data = json.loads(response.content)
    assert data["person"]["full_name"] == "Rhian Resident"
    assert data["verifications"][0]["evidence"] == "Council tax bill"
    assert data["feedback"][0]["improve"] == "Lovely"
    assert data["apps"]["testapp"] == {"memberships": [{"organisation": "Trust", "email": resident.email}]}
    assert AuditEvent.objects.filter(action="person.data_download", actor=resident).exists()


def test_closing_an_account_with_nothing_to_keep_erases_name_and_address(client, resident, council):
    officer = officer_of(council)
    person_verify_in_person(person=resident, council=council, actor=officer, seen=["council_tax"])
    resident.date_of_birth, resident.access_needs = date(1990, 1, 1), ["braille"]
    resident.save()
    Authenticator.objects.create(user=resident, type=Authenticator.Type.TOTP, data={"secret": "x"})
    feedback_give(person=resident, satisfaction="satisfied", improve="")
    page = client.get("/account/close/").content.decode()
    assert "your name and address" in page and "What we must keep" not in page

    html = client.post("/account/close/").content.decode()

    assert "Your account is closed" in html and "We have deleted your name and address too." in html
    person = User.objects.get(pk=resident.pk)
    assert not person.is_active and not person.has_usable_password() and person.closed_at
    assert person.date_of_birth is None and person.access_needs == []
    assert person.full_name == "" and person.address == "" and person.postcode == "" and person.ward is None
    assert person.email.endswith("@closed.invalid")
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert Verification.objects.get(person=person).evidence == ""
    assert person.verification_level == VerificationLevel.NONE
    assert Feedback.objects.get().person is None
    assert AuditEvent.objects.filter(action="person.close", target_id=str(person.pk)).exists()
    assert client.get("/account/").status_code == 302  # signed out


def test_closing_keeps_name_and_address_that_a_register_must_keep_and_says_why(client, resident):
    calls = []
    registry.register(
        registry.FeatureApp(
            label="testregister",
            name="Register",
            retention_reasons=lambda person: ["Kingsmere Leisure Trust's register of members keeps them for 10 years."],
            on_account_close=calls.append,
        )
    )
    try:
        page = client.get("/account/close/").content.decode()
        html = client.post("/account/close/").content.decode()
    finally:
        registry._features.pop("testregister")
    assert "register of members keeps them for 10 years" in page
    assert "We have kept your name and postal address because:" in html
    assert "register of members keeps them for 10 years" in html
    person = User.objects.get(pk=resident.pk)
    assert person.full_name == "Rhian Resident" and person.address and person.postcode
    assert not person.is_active and person.email.endswith("@closed.invalid")
    assert calls == [person]


def test_the_account_page_links_an_officer_to_verification_and_feedback(client, council):
    officer = officer_of(council)
    sign_in_with_mfa(client, officer)
    html = client.get("/account/").content.decode()
    assert f'href="/councils/{council.slug}/verification/"' in html
    assert 'href="/feedback/received/"' in html


def test_a_resident_sees_no_officer_links(client, resident):
    html = client.get("/account/").content.decode()
    assert "/verification/" not in html and "/feedback/received/" not in html


def test_unused_user_factory_defaults_do_not_break_the_page(client):
    person = UserFactory(postcode="", ward=None, address="")
    client.force_login(person)
    html = client.get("/account/").content.decode()
    assert "Give your address" in html
