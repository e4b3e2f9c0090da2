"""Sign-up keeps people on their way; allauth's emails carry the site's name and the person's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from coproduce.core.models import User

from .factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long walk by the reservoir"
JOIN = "/organisations/some-trust/join/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.COPRODUCE_SITE_NAME = "Kingsmere Borough Council"
    cache.clear()  # allauth sends one confirmation per address every 3 minutes; the count lives in the cache


def _sign_up(client, **fields):
    data = {"full_name": "Nia Ifans", "email": "nia@example.org", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("account_signup") + "?next=" + JOIN, {**data, **fields})


def test_sign_up_asks_for_a_name(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert page.index('name="full_name"') < page.index('name="email"')  # the name comes first
    refused = _sign_up(client, full_name="")
    assert refused.status_code == 200
    assert "Enter your full name" in refused.content.decode()
    assert not User.objects.filter(email="nia@example.org").exists()
    _sign_up(client)
    assert User.objects.get(email="nia@example.org").full_name == "Nia Ifans"


def test_after_confirming_the_email_a_joiner_returns_to_the_join_form_signed_in(client):
    _sign_up(client)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group()
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert confirmed.url == JOIN
    assert client.session["_auth_user_id"] == str(User.objects.get(email="nia@example.org").pk)


def test_emails_carry_the_sites_name_not_the_host(client):
    _sign_up(client)
    (message,) = mail.outbox
    assert message.subject.startswith("[Kingsmere Borough Council] ")
    assert "Hello from Kingsmere Borough Council!" in message.body
    assert "[testserver]" not in message.subject and "Hello from testserver" not in message.body


def test_a_person_who_prefers_welsh_gets_allauths_emails_in_welsh_from_an_english_page(client):
    person = UserFactory(preferred_language="cy")
    client.post(reverse("account_reset_password"), {"email": person.email})
    (message,) = mail.outbox
    with translation.override("cy"):
        welsh_subject = translation.gettext("Password Reset Email")
        welsh_greeting = translation.gettext("Hello from %(site_name)s!") % {"site_name": "Kingsmere Borough Council"}
    assert welsh_subject != "Password Reset Email", "allauth's subject has no Welsh in the catalogue"
    assert message.subject == f"[Kingsmere Borough Council] {welsh_subject}"
    assert welsh_greeting in message.body


def test_signing_up_in_welsh_keeps_welsh(client):
    client.post(
        "/cy" + reverse("account_signup"),
        {"full_name": "Nia Ifans", "email": "nia@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="nia@example.org").preferred_language == "cy"
    (message,) = mail.outbox
    assert "/cy/accounts/confirm-email/" in message.body


def test_password_rules_are_in_welsh_under_cy(client):
    response = client.post(
        "/cy" + reverse("account_signup"),
        {"full_name": "Nia Ifans", "email": "nia@example.org", "password1": "tree", "password2": "tree"},
    )
    with translation.override("cy"):
        too_short = (
            translation.ngettext(  # Django's own msgid, as its validator asks for it
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                8,
            )
            % 8
        )
    assert "This password is too short" not in too_short, "Django's password rule has no Welsh in the catalogue"
    assert too_short in response.content.decode()
