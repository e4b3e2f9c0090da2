"""allauth's pages wear our layout and GOV.UK form markup, in English and Welsh."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from coproduce.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_ACCOUNT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]


@pytest.mark.parametrize("path", PUBLIC_ACCOUNT_PAGES)
def test_account_pages_use_the_layout(client, path):
    html = client.get(path).content.decode()
    assert 'class="govuk-service-navigation' in html
    assert html.count("<h1") == 1
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert "– Kingsmere Borough Council</title>" in html


@pytest.mark.parametrize("path", PUBLIC_ACCOUNT_PAGES)
def test_account_pages_in_welsh(client, path):
    html = client.get("/cy" + path).content.decode()
    assert '<html lang="cy"' in html
    assert "Neidio i’r prif gynnwys" in html
    assert 'lang="en" hreflang="en">English</a>' in html


def test_log_in_page_has_labelled_govuk_inputs(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label class="govuk-label" for="id_login">' in html
    assert '<label class="govuk-label" for="id_password">' in html
    assert 'class="govuk-input"' in html
    assert 'class="govuk-button"' in html


def test_failed_log_in_shows_the_error_summary(client):
    UserFactory(email="ceri@example.org")
    html = client.post("/accounts/login/", {"login": "ceri@example.org", "password": "wrong"}).content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "There is a problem" in html
    assert "<title>Error: Sign In – Kingsmere Borough Council</title>" in html


def test_sign_up_errors_link_to_their_fields(client):
    html = client.post("/accounts/signup/", {"email": "not-an-email"}).content.decode()
    assert "govuk-form-group--error" in html
    assert 'href="#id_email"' in html
    assert 'aria-describedby="id_email-error"' in html or "id_email-error" in html


def test_sign_up_sends_a_verification_email_and_shows_the_page_in_the_layout(client):
    response = client.post(
        "/accounts/signup/",
        {
            "full_name": "Nia New",
            "email": "new@example.org",
            "password1": "a long enough passphrase 7",
            "password2": "a long enough passphrase 7",
        },
        follow=True,
    )
    html = response.content.decode()
    assert 'class="govuk-service-navigation' in html
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[0].body).group(0)
    confirm = client.get(link.split("testserver", 1)[-1]).content.decode()
    assert 'class="govuk-button"' in confirm


def test_mfa_pages_use_the_layout(client):
    user = UserFactory()
    client.force_login(user)
    # allauth may first ask for the password again (reauthentication); either page must be ours.
    html = client.get("/accounts/2fa/totp/activate/", follow=True).content.decode()
    assert 'class="govuk-service-navigation' in html
    assert re.search(r'<label class="govuk-label" for="id_(code|password)">', html)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert 'class="govuk-service-navigation' in client.get("/accounts/2fa/").content.decode()


def test_log_out_page_in_welsh(client):
    client.force_login(UserFactory())
    html = client.get("/cy/accounts/logout/").content.decode()
    assert '<html lang="cy"' in html
    assert "Allgofnodi" in html


def test_allauth_strings_are_in_welsh(client):
    # allauth ships no Welsh; our catalogue carries the strings of the pages we use.
    html = client.get("/cy/accounts/login/").content.decode()
    assert '<label class="govuk-label" for="id_password">Cyfrinair</label>' in html
    assert "Wedi anghofio eich cyfrinair?" in html
    assert "Cofrestru" in client.get("/cy/accounts/signup/").content.decode()
