"""Where people work: the signed-in home, the workspace hub, the council's programme workspace
(organisations and their contacts, the apps' sections and charts, places and postcode imports,
role assignments), and the landing page after signing in. Apps reach these pages only through the
registry, so the tests register fake feature apps."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coproduce.core import registry, selectors
from coproduce.core.charts import line_chart, nice_ceiling
from coproduce.core.models import AuditEvent, OrganisationKind, Postcode, Role, RoleKind
from coproduce.core.services import audit_record

from .factories import OrganisationFactory, PlaceFactory, PostcodeFactory, RoleFactory, UserFactory
from .residents import CouncilFactory, officer_of, sign_in_with_mfa, ward_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def features():
    """Only the core is registered (the real apps' hooks are theirs to test); fake feature apps
    registered through this fixture last one test, then the registry is put back as it was."""
    saved = dict(registry._features)
    registry._features.clear()
    registry._features["core"] = saved["core"]
    yield registry.register
    registry._features.clear()
    registry._features.update(saved)


@pytest.fixture
def council():
    return CouncilFactory(name="Kingsmere Borough Council", slug="kingsmere")


@pytest.fixture
def ward(council):
    return ward_in(council, name="Ashby Green", name_cy="Grîn Ashby", kind="ward")


# --- The signed-in home ---------------------------------------------------------------------------


def test_anonymous_visitors_keep_the_public_home(client):
    html = client.get("/").content.decode()
    assert "What&#39;s happening where you live" in html or "What's happening where you live" in html
    assert "For you" not in html


def test_a_resident_sees_their_ward_and_every_apps_items_urgent_first(client, features, ward):
    OrganisationFactory(name="Ashby Green Allotments", area=ward)
    OrganisationFactory(name="Somewhere Else Co-op", area=PlaceFactory())
    features(
        registry.FeatureApp(
            label="fake",
            name="Fake",
            home_items=lambda user: [
                registry.WorkItem("Meeting in your ward", "/meetings/1/"),
                registry.WorkItem("Vote on the park budget", "/votes/1/", urgent=True, hint="Closes on Friday"),
            ],
        )
    )
    resident = UserFactory(ward=ward, full_name="Rhian Resident")
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert "What&#39;s happening for you" in html or "What's happening for you" in html
    assert "In your ward: Ashby Green" in html
    assert "Ashby Green Allotments" in html and "Somewhere Else Co-op" not in html
    assert html.index("Vote on the park budget") < html.index("Meeting in your ward")
    assert "Needs you" in html and "Closes on Friday" in html
    assert "Go to your work" not in html  # no role


def test_a_resident_without_an_address_is_asked_for_it(client):
    client.force_login(UserFactory(ward=None))
    html = client.get("/").content.decode()
    assert reverse("core:account_details") + "?next=/" in html


def test_a_signed_in_person_can_still_look_somewhere_else(client, ward):
    other = PlaceFactory(name="Brookfield")
    PostcodeFactory(postcode="KM2 1AB", ward=other)
    OrganisationFactory(name="Brookfield Bowls Club", area=other)
    client.force_login(UserFactory(ward=ward))
    html = client.get("/", {"postcode": "km21ab"}).content.decode()
    assert "Organisations in Brookfield" in html and "Brookfield Bowls Club" in html


def test_the_signed_in_home_in_welsh(client, ward):
    client.force_login(UserFactory(ward=ward))
    response = client.get("/cy/")
    assert response.status_code == 200
    assert "Grîn Ashby" in response.content.decode()


# --- The workspace hub ----------------------------------------------------------------------------


def test_the_hub_lists_each_organisation_with_the_role_and_the_apps_items_urgent_first(client, features):
    trust = OrganisationFactory(name="Kingsmere Leisure Trust")
    homes = OrganisationFactory(name="North Homes")
    secretary = RoleFactory(organisation=trust, kind=RoleKind.SECRETARY).person
    RoleFactory(organisation=homes, person=secretary, kind=RoleKind.BOARD_MEMBER)

    def items(user, organisation):
        if organisation == trust:
            return [
                registry.WorkItem("Members by class", "/trust/members/"),
                registry.WorkItem("Applications waiting", "/trust/applications/", count=3, urgent=True),
            ]
        return []

    features(registry.FeatureApp(label="fake", name="Fake", workspace_items=items))
    sign_in_with_mfa(client, secretary)
    html = client.get("/work/").content.decode()
    assert "<title>Your work – " in html
    assert "Kingsmere Leisure Trust" in html and "North Homes" in html
    assert "Secretary" in html and "Board member" in html
    trust_part = html[html.index("Kingsmere Leisure Trust") : html.index("North Homes")]
    assert trust_part.index("Applications waiting") < trust_part.index("Members by class")
    assert '<span class="app-work-list__count">3</span>' in trust_part
    assert "1 thing needs you" in trust_part
    assert reverse("core:audit_trail", kwargs={"slug": trust.slug}) in trust_part  # the core's own line
    # A board member has no audit trail, and the fake app has nothing for North Homes.
    assert "Nothing needs doing here at the moment." in html[html.index("North Homes") :]


def test_the_hub_says_when_an_organisation_has_nothing_to_do(client):
    person = RoleFactory(kind=RoleKind.BOARD_MEMBER).person
    sign_in_with_mfa(client, person)
    assert "Nothing needs doing here at the moment." in client.get("/work/").content.decode()


def test_an_officer_finds_the_programme_and_verification_on_the_hub(client, council):
    officer = officer_of(council)
    sign_in_with_mfa(client, officer)
    html = client.get("/work/").content.decode()
    for name in ("core:programme", "core:verification", "core:programme_places", "core:programme_roles"):
        assert reverse(name, kwargs={"slug": council.slug}) in html, name


def test_someone_without_a_role_is_told_where_their_work_will_be(client):
    client.force_login(UserFactory())
    html = client.get("/work/").content.decode()
    assert "You do not hold a role in any organisation" in html
    assert client.get(reverse("core:work")).status_code == 200


def test_role_holders_land_on_their_work_and_see_it_in_the_navigation(client):
    resident = UserFactory()
    assert selectors.landing_url(resident) is None
    secretary = RoleFactory().person
    assert selectors.landing_url(secretary) == "/work/"
    sign_in_with_mfa(client, secretary)
    assert 'href="/work/"' in client.get("/").content.decode()
    client.force_login(resident)
    assert 'href="/work/"' not in client.get("/").content.decode()


def test_signing_in_takes_a_secretary_to_their_work(client, settings):
    from allauth.mfa.totp.internal.auth import TOTP

    from .factories import totp_code

    secretary = RoleFactory().person
    TOTP.activate(secretary, "JBSWY3DPEHPK3PXP")
    client.post(reverse("account_login"), {"login": secretary.email, "password": "correct horse battery staple"})
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code("JBSWY3DPEHPK3PXP")})
    assert done.status_code == 302
    assert done.url == "/work/"


@pytest.mark.parametrize("organisations", [1, 4])
def test_the_hub_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries, organisations):
    person = UserFactory()
    for _ in range(organisations):
        RoleFactory(person=person, kind=RoleKind.SECRETARY)
    sign_in_with_mfa(client, person)
    # Session, user, MFA role check, the navigation's role check, the roles with their organisations,
    # then the core's permission check for the audit trail per organisation (apps add their own).
    with django_assert_max_num_queries(5 + organisations * 2):
        assert client.get("/work/").status_code == 200


# --- The programme workspace ----------------------------------------------------------------------


def _sponsored(council, **kwargs):
    return OrganisationFactory(sponsoring_council=council, **kwargs)


def test_the_programme_lists_the_boroughs_organisations_with_their_contacts(client, council, features):
    _sponsored(
        council,
        name="Kingsmere North Homes",
        kind=OrganisationKind.HOUSING_COOP,
        contact_name="Sunita Secretary",
        contact_email="sunita@example.org",
        contact_phone="01632 960 101",
    )
    _sponsored(council, name="Quiet Co-op", is_public=False)
    OrganisationFactory(name="Another Borough's Trust")
    features(
        registry.FeatureApp(
            label="fake",
            name="Fake",
            programme_sections=lambda user, council: [
                registry.Section(
                    title="Members by ward",
                    tables=(
                        registry.Table(
                            caption="Members in each ward",
                            head=("Ward", "Members"),
                            rows=(("Ashby Green", 12), ("Brookfield", 7)),
                            numeric=frozenset({1}),
                        ),
                    ),
                    series=(("Jan 2026", 10), ("Feb 2026", 14), ("Mar 2026", 19)),
                    series_label="Members over time",
                    links=(registry.WorkItem("Download the figures", "/figures.csv"),),
                )
            ],
        )
    )
    sign_in_with_mfa(client, officer_of(council))
    response = client.get("/councils/kingsmere/programme/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Programme workspace – Kingsmere Borough Council – " in html
    assert "Kingsmere North Homes" in html and "Quiet Co-op" in html and "Not listed" in html
    assert "Another Borough&#39;s Trust" not in html and "Another Borough's Trust" not in html
    assert "Sunita Secretary" in html and 'href="mailto:sunita@example.org"' in html and "01632 960 101" in html
    # The app's section: its table, its series as SVG with the numbers in a table beside it, its links.
    assert "Members by ward" in html and "Members in each ward" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">12</td>' in html
    assert '<svg class="app-chart"' in html and 'role="img"' in html
    assert "Members over time" in html and "Mar 2026" in html
    assert "Download the figures" in html
    assert 'href="/organisations/"' in html  # the directory
    assert 'style="' not in html  # the CSP allows no inline styles
    # Every table scrolls in its own labelled, focusable region.
    regions = re.findall(r'<div class="app-table-region" role="region" aria-labelledby="([^"]+)" tabindex="0">', html)
    assert len(regions) == 3
    for label in regions:
        assert f'id="{label}"' in html


def test_the_programme_is_for_the_councils_officers_and_superusers(client, council):
    url = "/councils/kingsmere/programme/"
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    other_officer = officer_of(CouncilFactory())
    sign_in_with_mfa(client, other_officer)
    assert client.get(url).status_code == 403
    sign_in_with_mfa(client, UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200
    trust = OrganisationFactory(slug="a-trust")
    assert client.get(f"/councils/{trust.slug}/programme/").status_code == 404  # not a council


@pytest.mark.parametrize("count", [2, 20])
def test_the_programme_reads_a_constant_number_of_queries(client, council, django_assert_num_queries, count):
    for _ in range(count):
        _sponsored(council, area=PlaceFactory())
    sign_in_with_mfa(client, officer_of(council))
    # Session, user, MFA role check, the council, its permission (the selector asks twice more: the
    # organisations and the sections), the organisations with their areas, the navigation's role check.
    with django_assert_num_queries(9):
        assert client.get("/councils/kingsmere/programme/").status_code == 200


def test_the_programme_in_welsh(client, council):
    sign_in_with_mfa(client, officer_of(council))
    response = client.get("/cy/councils/kingsmere/programme/")
    assert response.status_code == 200
    assert '<html lang="cy"' in response.content.decode()


# --- Places and postcodes -------------------------------------------------------------------------


def test_places_list_the_area_its_districts_and_wards_with_counts_of_postcodes(client, council):
    district = PlaceFactory(parent=council.area, name="Kingsmere North", kind="district", code="X07000001")
    first = PlaceFactory(parent=district, name="Ashby Green", code="X05000001")
    second = PlaceFactory(parent=district, name="Brookfield", code="X05000002")
    for code in ("KM1 1AA", "KM1 1AB", "KM1 1AD"):
        PostcodeFactory(postcode=code, ward=first)
    PostcodeFactory(postcode="KM2 1AA", ward=second)
    PostcodeFactory(postcode="ZZ1 1AA")  # elsewhere
    sign_in_with_mfa(client, officer_of(council))
    rows = selectors.programme_places(user=officer_of(council), council=council)
    counts = {row.place.name: (row.depth, row.postcodes) for row in rows}
    assert counts == {
        council.area.name: (0, 4),
        "Kingsmere North": (1, 4),
        "Ashby Green": (2, 3),
        "Brookfield": (2, 1),
    }
    html = client.get("/councils/kingsmere/programme/places/").content.decode()
    assert "Ashby Green" in html and "app-place--depth-2" in html
    assert reverse("core:programme_postcodes", kwargs={"slug": "kingsmere"}) in html


@pytest.mark.parametrize("wards", [2, 12])
def test_places_read_a_constant_number_of_queries(client, council, django_assert_num_queries, wards):
    for _ in range(wards):
        PostcodeFactory(ward=ward_in(council))
    sign_in_with_mfa(client, officer_of(council))
    # Session, user, MFA, council, permission (twice), the places with their counts, the navigation.
    with django_assert_num_queries(9):
        assert client.get("/councils/kingsmere/programme/places/").status_code == 200


def _upload(text: str, name: str = "onspd-extract.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_an_officer_imports_postcodes_for_the_boroughs_wards(client, council, ward):
    officer = officer_of(council)
    sign_in_with_mfa(client, officer)
    assert client.get("/councils/kingsmere/programme/postcodes/").status_code == 200
    text = f"pcds,osward,doterm\nKM1 1AA,{ward.code},\nkm11ab,{ward.code},\nKM1 9ZZ,{ward.code},200112\n"
    response = client.post("/councils/kingsmere/programme/postcodes/", {"file": _upload(text)})
    assert response.status_code == 302
    assert response.url == "/councils/kingsmere/programme/places/"
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"KM1 1AA", "KM1 1AB"}
    event = AuditEvent.objects.get(action="postcodes.import")
    assert event.actor == officer and event.organisation == council
    assert event.summary == "2 postcodes from onspd-extract.csv"
    page = client.get(response.url).content.decode()
    assert "2 postcodes imported. 1 was skipped" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pcds,osward\nKM1 1AA,{ward}\nNOT A CODE,{ward}\n", "onspd-extract.csv, line 3: “NOT A CODE” is not a UK"),
        ("pcds,osward\nKM1 1AA,X05999999\n", "onspd-extract.csv, line 2: ward code “X05999999”"),
        ("name,town\nA,B\n", "onspd-extract.csv, line 1: the header needs a postcode column"),
        ("pcds,osward\nKM1 1AA,{ward},extra\n", "onspd-extract.csv, line 2: this row has more fields"),
    ],
)
def test_a_bad_postcode_file_is_an_error_on_the_page_naming_the_file_and_line(client, council, ward, text, message):
    sign_in_with_mfa(client, officer_of(council))
    response = client.post("/councils/kingsmere/programme/postcodes/", {"file": _upload(text.format(ward=ward.code))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "govuk-error-summary" in html and 'href="#id_file"' in html
    assert message in html
    assert "Nothing was imported." in html
    assert not Postcode.objects.exists()


def test_a_file_that_is_not_text_or_missing_is_an_error_not_a_crash(client, council):
    sign_in_with_mfa(client, officer_of(council))
    url = "/councils/kingsmere/programme/postcodes/"
    binary = SimpleUploadedFile("photo.csv", b"pcds,osward\n\xff\xfe\x00\x01garbage\n", content_type="text/csv")
    html = client.post(url, {"file": binary}).content.decode()
    assert "photo.csv, line 2: the file is not text saved as UTF-8" in html
    empty = client.post(url, {})
    assert empty.status_code == 200 and "Select a CSV file" in empty.content.decode()


def test_an_officer_cannot_import_postcodes_into_another_boroughs_wards(client, council):
    elsewhere = ward_in(CouncilFactory())
    sign_in_with_mfa(client, officer_of(council))
    html = client.post(
        "/councils/kingsmere/programme/postcodes/", {"file": _upload(f"pcds,osward\nKM1 1AA,{elsewhere.code}\n")}
    ).content.decode()
    assert "is not a ward we know" in html
    assert not Postcode.objects.exists()


# --- Role assignments -----------------------------------------------------------------------------


def test_an_officer_gives_a_role_in_a_sponsored_organisation_by_email(client, council):
    trust = _sponsored(council, name="Kingsmere Leisure Trust")
    officer = officer_of(council)
    newcomer = UserFactory(email="nia@example.org", full_name="Nia Newcomer")
    sign_in_with_mfa(client, officer)
    page = client.get("/councils/kingsmere/programme/roles/").content.decode()
    assert officer.get_full_name() in page  # the officer's own role is listed
    response = client.post(
        "/councils/kingsmere/programme/roles/",
        {"email": "NIA@example.org", "organisation": str(trust.pk), "kind": RoleKind.SECRETARY},
    )
    assert response.status_code == 302
    role = Role.objects.current().get(person=newcomer)
    assert (role.organisation, role.kind) == (trust, RoleKind.SECRETARY)
    event = AuditEvent.objects.get(action="role.grant", organisation=trust)
    assert event.actor == officer
    newcomer.refresh_from_db()
    assert not newcomer.is_staff and not newcomer.is_superuser
    html = client.get(response.url).content.decode()
    assert "Nia Newcomer is now Secretary, Kingsmere Leisure Trust." in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "email", "Enter the email address of the person"),
        ({"email": "nobody@example.org"}, "email", "Nobody has an account with this email address"),
        ({"email": "not an email"}, "email", "Enter an email address in the correct format"),
        ({"email": "nia@example.org", "kind": "secretary"}, "organisation", "Select the organisation"),
        ({"email": "nia@example.org", "organisation": "{other}", "kind": "secretary"}, "organisation", "Select the"),
        ({"email": "nia@example.org", "organisation": "{trust}", "kind": "superuser"}, "kind", "Select the role"),
        ({"email": "nia@example.org", "organisation": "{trust}", "kind": "board_member"}, "kind", "already has"),
    ],
)
def test_giving_a_role_shows_errors_on_the_page(client, council, data, field, message):
    trust = _sponsored(council)
    other = OrganisationFactory()  # not the council's
    nia = UserFactory(email="nia@example.org")
    RoleFactory(person=nia, organisation=trust, kind=RoleKind.BOARD_MEMBER)
    sign_in_with_mfa(client, officer_of(council))
    data = {key: value.format(trust=trust.pk, other=other.pk) for key, value in data.items()}
    response = client.post("/councils/kingsmere/programme/roles/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and f'href="#id_{field}"' in html
    assert message in html
    assert not Role.objects.filter(organisation=other).exists()
    assert Role.objects.filter(person=nia).count() == 1


def test_an_officer_ends_a_role_after_checking_but_not_their_own(client, council):
    trust = _sponsored(council)
    officer = officer_of(council)
    role = RoleFactory(organisation=trust, kind=RoleKind.SECRETARY)
    sign_in_with_mfa(client, officer)
    url = f"/councils/kingsmere/programme/roles/{role.pk}/end/"
    assert "End the role" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.ended_at is not None
    assert AuditEvent.objects.filter(action="role.end", actor=officer).exists()
    assert client.get(url).status_code == 404  # ended: no longer listed
    own = Role.objects.get(person=officer)
    own_url = f"/councils/kingsmere/programme/roles/{own.pk}/end/"
    assert "You cannot end your own role" in client.get(own_url).content.decode()
    assert client.post(own_url).status_code == 200
    own.refresh_from_db()
    assert own.ended_at is None


def test_roles_elsewhere_cannot_be_seen_or_ended(client, council):
    elsewhere = RoleFactory(organisation=OrganisationFactory())
    sign_in_with_mfa(client, officer_of(council))
    assert client.post(f"/councils/kingsmere/programme/roles/{elsewhere.pk}/end/").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.ended_at is None


@pytest.mark.parametrize("count", [2, 15])
def test_roles_read_a_constant_number_of_queries(client, council, django_assert_num_queries, count):
    trust = _sponsored(council)
    for _ in range(count):
        RoleFactory(organisation=trust)
    sign_in_with_mfa(client, officer_of(council))
    with django_assert_num_queries(10):
        assert client.get("/councils/kingsmere/programme/roles/").status_code == 200


# --- Charts ---------------------------------------------------------------------------------------


def test_nice_ceiling_rounds_the_axis_up_to_1_2_or_5():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 140, 999)] == [1, 1, 5, 10, 10, 20, 200, 1000]


def test_a_line_chart_escapes_its_labels_and_uses_classes_not_styles():
    svg = str(line_chart([("<b>Jan</b>", 3), ("Feb", 5)], title="Members & friends", chart_id="c1"))
    assert svg.startswith('<svg class="app-chart"') and svg.endswith("</svg>")
    assert "&lt;b&gt;Jan&lt;/b&gt;" in svg and "Members &amp; friends" in svg
    assert "style" not in svg and "<script" not in svg
    assert svg.count('<circle class="app-chart__point"') == 2
    assert str(line_chart([], title="x", chart_id="c2")) == ""
    one = str(line_chart([("Now", 0)], title="x", chart_id="c3"))
    assert one.count("<circle") == 1


# --- The audit trail in words ---------------------------------------------------------------------


def test_the_audit_trail_reads_in_words_with_long_dates(client, features):
    import datetime

    from django.utils import timezone

    organisation = OrganisationFactory()
    secretary = RoleFactory(organisation=organisation, person=UserFactory(full_name="Sunita Secretary")).person
    features(registry.FeatureApp(label="fake", name="Fake", audit_actions={"membership.admit": "Admitted a member"}))
    audit_record(actor=secretary, action="membership.admit", organisation=organisation, summary="Nia Newcomer")
    audit_record(actor=None, action="role.grant", organisation=organisation, summary="nia@example.org: Secretary")
    audit_record(actor=secretary, action="something.unknown", organisation=organisation)
    AuditEvent.objects.filter(action="membership.admit").update(
        created_at=datetime.datetime(2026, 12, 4, 10, 41, tzinfo=datetime.UTC)
    )
    sign_in_with_mfa(client, secretary)
    html = client.get(f"/organisations/{organisation.slug}/audit/").content.decode()
    assert "Admitted a member" in html and "membership.admit" not in html
    assert "Gave someone a role" in html and "The system" in html
    assert "something.unknown" in html  # an action nobody describes is shown by its code
    assert "4 December 2026, 10:41" in html and "Sunita Secretary" in html
    assert 'role="region" aria-labelledby="audit-trail-caption" tabindex="0"' in html
    assert timezone.now()


def test_the_core_describes_every_action_it_records():
    import pathlib

    source = "".join(path.read_text() for path in pathlib.Path(__file__).resolve().parents[1].glob("*.py"))
    recorded = set(re.findall(r'action="([a-z_.]+)"', source)) | {"organisation.change", "place.change"}
    described = {action for action in recorded if registry.audit_action_label(action) != action}
    assert recorded == described, sorted(recorded - described)


# --- Postcode hints and errors --------------------------------------------------------------------


def test_the_postcode_hint_is_a_postcode_the_borough_accepts(client, council, ward):
    PostcodeFactory(postcode="KM4 2AB", ward=ward)
    PostcodeFactory(postcode="AA1 1AA")  # outside the borough: not the example
    html = client.get("/").content.decode()
    assert "For example, KM4 2AB" in html
    client.force_login(UserFactory())
    assert "For example, KM4 2AB" in client.get("/account/details/").content.decode()


def test_without_postcodes_the_hint_is_a_made_up_one(client):
    assert "For example, SW2 1AA" in client.get("/").content.decode()


def test_not_a_postcode_and_a_postcode_outside_the_borough_say_so(client, council, ward):
    PostcodeFactory(postcode="KM4 2AB", ward=ward)
    html = client.get("/", {"postcode": "hello"}).content.decode()
    assert "Enter a real postcode" in html
    html = client.get("/", {"postcode": "km99 9zz"}).content.decode()
    assert f"KM99 9ZZ is not in {council.area.name}" in html
    assert "could not find" not in html


def test_x_labels_never_overlap_and_the_first_and_last_stay_inside_the_chart():
    import itertools

    from coproduce.core.charts import CHAR_WIDTH, x_label_indexes

    months = [f"{name} 2026" for name in ("January", "February", "March", "April", "May", "June")] * 4
    shown = x_label_indexes(months, 560)
    assert shown[0] == 0 and shown[-1] == len(months) - 1
    step = 560 / (len(months) - 1)
    widest = max(len(label) for label in months) * CHAR_WIDTH
    # Neighbouring labels, drawn centred (the ends grow inwards), leave room for the widest label.
    assert all((b - a) * step >= widest for a, b in itertools.pairwise(shown))
    svg = str(line_chart([(label, n) for n, label in enumerate(months)], title="t", chart_id="c"))
    assert 'app-chart__label--start" x="56.0"' in svg and 'app-chart__label--end" x="616.0"' in svg
