"""The core's pages: home, directory, audit trail, error pages and the layout, in English and Welsh."""

from __future__ import annotations

import re

import pytest

from coproduce.core.services import audit_record
from coproduce.core.tests.factories import (
    OrganisationFactory,
    PlaceFactory,
    PostcodeFactory,
    RoleFactory,
    UserFactory,
    sign_in_with_mfa,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return PlaceFactory(code="W05000001", name="Pontypridd Town", name_cy="Tref Pontypridd")


def test_home_in_english_has_the_layout_and_a_welsh_link(client):
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "What's happening where you live" in html
    assert 'class="govuk-skip-link"' in html
    assert 'href="/cy/" lang="cy" hreflang="cy">Cymraeg</a>' in html
    assert "govuk-crest" not in html and "Crown copyright" not in html  # de-branded


def test_home_in_welsh(client):
    html = client.get("/cy/").content.decode()
    assert '<html lang="cy"' in html
    assert "Beth sy’n digwydd lle rydych chi’n byw" in html
    assert 'href="/" lang="en" hreflang="en">English</a>' in html


def test_home_finds_organisations_in_the_ward_of_a_postcode(client, ward):
    PostcodeFactory(postcode="CF37 1AA", ward=ward)
    OrganisationFactory(name="Taff Leisure Trust", area=ward)
    OrganisationFactory(name="Elsewhere Co-op", area=PlaceFactory())
    html = client.get("/", {"postcode": "cf371aa"}).content.decode()
    assert "Taff Leisure Trust" in html
    assert "Elsewhere Co-op" not in html
    welsh = client.get("/cy/", {"postcode": "cf371aa"}).content.decode()
    assert "Tref Pontypridd" in welsh


def test_home_shows_an_unknown_postcode_as_a_form_error(client, ward):
    html = client.get("/", {"postcode": "ZZ9 9ZZ"}).content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_postcode"' in html
    assert "<title>Error:" in html


def test_home_shows_a_signed_in_residents_own_ward(client, ward):
    OrganisationFactory(name="Taff Leisure Trust", area=ward)
    client.force_login(UserFactory(ward=ward))
    assert "Taff Leisure Trust" in client.get("/").content.decode()


def test_directory_filters_by_kind_and_ward(client, ward):
    OrganisationFactory(name="Taff Leisure Trust", area=ward, kind="leisure_trust")
    OrganisationFactory(name="Taff Housing Co-op", area=ward, kind="housing_coop")
    OrganisationFactory(name="Far Leisure Trust", area=PlaceFactory(), kind="leisure_trust")
    html = client.get("/organisations/", {"kind": "leisure_trust", "ward": ward.code}).content.decode()
    assert "Taff Leisure Trust" in html
    assert "Taff Housing Co-op" not in html and "Far Leisure Trust" not in html
    assert "Sefydliadau" in client.get("/cy/organisations/").content.decode()


def test_directory_is_paginated(client):
    OrganisationFactory.create_batch(30)
    html = client.get("/organisations/").content.decode()
    assert "30 organisations" in html
    assert 'class="govuk-pagination' in html
    assert "Page 2 of 2" in client.get("/organisations/", {"page": 2}).content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_directory_runs_a_constant_number_of_queries(client, django_assert_num_queries, rows):
    ward = PlaceFactory()
    OrganisationFactory.create_batch(rows, area=ward)
    # Wards for the filter, the count, the page's keys, then its organisations (with their areas): 4.
    with django_assert_num_queries(4):
        assert client.get("/organisations/").status_code == 200


def test_unknown_page_is_a_404_in_the_design(client):
    response = client.get("/cy/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Heb ddod o hyd i’r dudalen" in html
    assert 'class="govuk-service-navigation' in html


def test_audit_trail_is_for_the_secretary_only(client):
    organisation = OrganisationFactory()
    secretary = RoleFactory(organisation=organisation).person
    audit_record(
        actor=secretary, action="test.thing", organisation=organisation, target=organisation, summary="Did a thing"
    )
    assert client.get(f"/organisations/{organisation.slug}/audit/").status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get(f"/organisations/{organisation.slug}/audit/").status_code == 403
    sign_in_with_mfa(client, secretary)
    html = client.get(f"/cy/organisations/{organisation.slug}/audit/").content.decode()
    assert "Did a thing" in html
    assert "Trywydd archwilio" in html


def test_a_secretary_of_one_organisation_cannot_see_anothers_audit_trail(client):
    other = OrganisationFactory()
    secretary = RoleFactory().person
    sign_in_with_mfa(client, secretary)
    assert client.get(f"/organisations/{other.slug}/audit/").status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_audit_trail_runs_a_constant_number_of_queries(client, django_assert_num_queries, rows):
    organisation = OrganisationFactory()
    secretary = RoleFactory(organisation=organisation).person
    for number in range(rows):
        audit_record(
            actor=UserFactory(), action="test", organisation=organisation, target=organisation, summary=str(number)
        )
    sign_in_with_mfa(client, secretary)
    # Session, user, MFA middleware (is there a role), organisation, permission (2 selectors), count, the page's
    # keys, then its rows, and the service navigation's "Your work" (is there a role): 10 whatever the size.
    with django_assert_num_queries(10):
        assert client.get(f"/organisations/{organisation.slug}/audit/").status_code == 200


def test_the_500_page_renders_without_a_request():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("cy"):
        html = render_to_string("500.html")
    assert '<html lang="cy"' in html
    assert "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth" in html


def test_inline_scripts_carry_the_csp_nonce(client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    assert html.count(f'nonce="{nonce}"') == 3  # js-enabled class, module script, initAll
    assert "<script>" not in html


def test_home_is_marked_current_only_on_the_home_page(client):
    def current(path):
        html = client.get(path).content.decode()
        return re.findall(r'govuk-service-navigation__item--active">\s*<a[^>]*href="([^"]+)"', html)

    assert current("/") == ["/"]
    assert current("/privacy/") == []
    assert current("/organisations/") == ["/organisations/"]


def test_the_header_and_titles_name_the_council_that_runs_the_site(client, settings):
    settings.COPRODUCE_SITE_NAME = "Pontypridd Town Council"
    settings.COPRODUCE_LOGO = "core/kingsmere-logo.svg"
    html = client.get("/").content.decode()
    assert "<title>What's happening where you live – Pontypridd Town Council</title>" in html
    header = html[html.index('class="govuk-generic-header') : html.index("govuk-service-navigation")]
    assert "Pontypridd Town Council" in header
    assert '<img class="app-header__logo" src="/static/core/kingsmere-logo.svg" alt=""' in header
    assert "govuk-crest" not in html and "govuk-logo" not in html


def test_the_logo_is_optional_and_may_be_a_url(client, settings):
    settings.COPRODUCE_LOGO = ""
    assert "app-header__logo" not in client.get("/").content.decode()
    settings.COPRODUCE_LOGO = "https://cdn.example.gov.uk/logo.svg"
    assert 'src="https://cdn.example.gov.uk/logo.svg"' in client.get("/").content.decode()


def test_the_demo_logo_is_a_small_svg_without_a_crown():
    from pathlib import Path

    svg = (Path(__file__).resolve().parents[1] / "static" / "core" / "kingsmere-logo.svg").read_text()
    assert svg.startswith("<svg") and len(svg) < 2000
    assert "crown" not in svg.lower().replace("no crown", "")


def test_long_date_reads_naturally_with_and_without_the_time():
    import datetime

    from django.utils import timezone

    from coproduce.core.jinja import long_date

    moment = datetime.datetime(2026, 12, 4, 10, 41, tzinfo=datetime.UTC)  # 10:41 in London in winter
    assert long_date(moment) == "4 December 2026, 10:41"
    assert long_date(moment, time=False) == "4 December 2026"
    assert long_date(datetime.date(2026, 12, 4)) == "4 December 2026"
    assert long_date(None) == ""
    assert timezone.is_aware(moment)
