"""The workspaces in the demo borough, with every registered app's hooks (not fakes): each demo
log-in reaches its pages, in English and Welsh, and lands where its work is."""

from __future__ import annotations

import pytest

from coproduce.core import selectors
from coproduce.core.demo import build_demo

from .factories import sign_in_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return build_demo()


@pytest.mark.parametrize("language", ["", "/cy"])
def test_every_demo_log_in_reaches_its_workspaces(client, demo, language):
    users, council = demo["users"], demo["organisations"]["council"]
    for key, urls in {
        "resident": ["/", "/work/"],
        "member": ["/", "/work/"],
        "secretary": ["/", "/work/", f"/organisations/{demo['organisations']['leisure'].slug}/audit/"],
        "officer": [
            "/",
            "/work/",
            f"/councils/{council.slug}/programme/",
            f"/councils/{council.slug}/programme/places/",
            f"/councils/{council.slug}/programme/postcodes/",
            f"/councils/{council.slug}/programme/roles/",
        ],
    }.items():
        sign_in_with_mfa(client, users[key])
        for url in urls:
            response = client.get(language + url)
            assert response.status_code == 200, (key, url, response.status_code)
            assert 'style="' not in response.content.decode(), (key, url)


def test_the_demo_lands_people_who_run_things_on_their_work(demo):
    users = demo["users"]
    assert selectors.landing_url(users["resident"]) is None
    assert selectors.landing_url(users["secretary"]) == "/work/"
    assert selectors.landing_url(users["officer"]) == "/work/"


def test_the_demo_officer_sees_the_boroughs_organisations_and_their_contacts(client, demo):
    council = demo["organisations"]["council"]
    sign_in_with_mfa(client, demo["users"]["officer"])
    html = client.get(f"/councils/{council.slug}/programme/").content.decode()
    for name in ("Kingsmere North Homes Co-operative", "Kingsmere Leisure Trust", "Caring Together Co-operative"):
        assert name in html
    assert "secretary@example.org" in html
    places = client.get(f"/councils/{council.slug}/programme/places/").content.decode()
    assert "Ashby Green" in places and "Kingsmere North" in places


def test_the_demo_postcode_hint_is_a_kingsmere_postcode(client, demo):
    html = client.get("/").content.decode()
    assert "For example, KM1 0AP" in html
    assert "KM99 9ZZ is not in Kingsmere" in client.get("/", {"postcode": "KM99 9ZZ"}).content.decode()
