"""A secretary's pages: applications, decisions, the register and its exports, and who may see them."""

from __future__ import annotations

import csv
import io

import pytest
from allauth.mfa.models import Authenticator
from openpyxl import load_workbook

from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory
from coproduce.members.models import Membership, MembershipStatus
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust():
    return OrganisationFactory(name="Taff Leisure Trust", slug="taff-leisure")


@pytest.fixture
def secretary(client, trust):
    person = RoleFactory(organisation=trust).person
    # Secretaries must use two-factor authentication, or the middleware sends them to set it up.
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(person)
    return person


@pytest.fixture
def application(trust):
    return MembershipFactory(
        stakeholder_class__organisation=trust,
        status=MembershipStatus.APPLIED,
        member_number=None,
        admitted_on=None,
        person__full_name="Ceri Jones",
    )


SECRETARY_PAGES = [
    "/organisations/taff-leisure/applications/",
    "/organisations/taff-leisure/register/",
    "/organisations/taff-leisure/register.csv",
    "/organisations/taff-leisure/register.xlsx",
]


@pytest.mark.parametrize("path", SECRETARY_PAGES)
def test_anonymous_people_are_sent_to_log_in(client, trust, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", SECRETARY_PAGES)
def test_a_member_who_is_not_the_secretary_gets_403(client, trust, path):
    member = MembershipFactory(stakeholder_class__organisation=trust).person
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()


@pytest.mark.parametrize("path", SECRETARY_PAGES)
def test_another_organisations_secretary_gets_403(client, trust, path):
    other_secretary = RoleFactory(organisation=OrganisationFactory()).person
    Authenticator.objects.create(user=other_secretary, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(other_secretary)
    assert client.get(path).status_code == 403


def test_only_the_secretary_can_admit(client, trust, application):
    client.force_login(UserFactory())
    response = client.post(f"/organisations/taff-leisure/applications/{application.pk}/", {"decision": "admit"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == MembershipStatus.APPLIED


def test_secretary_sees_applications_in_welsh(client, secretary, application):
    html = client.get("/cy/organisations/taff-leisure/applications/").content.decode()
    assert "Ceri Jones" in html
    assert "Ceisiadau sy’n aros am benderfyniad" in html


def test_secretary_admits_an_application(client, secretary, application):
    url = f"/organisations/taff-leisure/applications/{application.pk}/"
    assert "Ceri Jones" in client.get(url).content.decode()
    response = client.post(url, {"decision": "admit"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == MembershipStatus.ADMITTED
    assert "Ceri Jones is now a member." in client.get(response["Location"]).content.decode()


def test_refusing_needs_a_reason(client, secretary, application):
    url = f"/organisations/taff-leisure/applications/{application.pk}/"
    html = client.post(url, {"decision": "refuse", "reason": "  "}).content.decode()
    assert "Give the reason for refusing, so the applicant knows why." in html
    assert 'href="#id_reason"' in html
    application.refresh_from_db()
    assert application.status == MembershipStatus.APPLIED


def test_secretary_refuses_with_a_reason(client, secretary, application):
    url = f"/organisations/taff-leisure/applications/{application.pk}/"
    client.post(url, {"decision": "refuse", "reason": "You live outside the area."})
    application.refresh_from_db()
    assert (application.status, application.refusal_reason) == (MembershipStatus.REFUSED, "You live outside the area.")


def test_a_decision_without_a_choice_is_an_error(client, secretary, application):
    html = client.post(f"/organisations/taff-leisure/applications/{application.pk}/", {}).content.decode()
    assert "Choose whether to admit or refuse" in html


def test_register_filters_by_class_status_and_search(client, secretary, trust):
    tenants = StakeholderClassFactory(organisation=trust, code="tenant", name="Tenant")
    MembershipFactory(stakeholder_class=tenants, person__full_name="Alys Tenant")
    MembershipFactory(stakeholder_class__organisation=trust, person__full_name="Bryn Worker")
    MembershipFactory(
        stakeholder_class=tenants, person__full_name="Cai Former", status=MembershipStatus.CEASED, shares=0
    )
    html = client.get("/organisations/taff-leisure/register/", {"stakeholder_class": "tenant"}).content.decode()
    assert "Alys Tenant" in html and "Cai Former" in html and "Bryn Worker" not in html
    html = client.get("/organisations/taff-leisure/register/", {"status": "admitted"}).content.decode()
    assert "Cai Former" not in html and "Bryn Worker" in html
    html = client.get("/organisations/taff-leisure/register/", {"search": "bryn"}).content.decode()
    assert "Bryn Worker" in html and "Alys Tenant" not in html
    assert "Cofrestr aelodau" in client.get("/cy/organisations/taff-leisure/register/").content.decode()


def _members(trust, count):
    klass = StakeholderClassFactory(organisation=trust, code="tenant", name="Tenant")
    return [MembershipFactory(stakeholder_class=klass, member_number=n + 1, shares=1) for n in range(count)]


def test_csv_export(client, secretary, trust):
    members = _members(trust, 2)
    members[0].person.full_name = "=HYPERLINK(1)"
    members[0].person.save(update_fields=["full_name"])
    response = client.get("/organisations/taff-leisure/register.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Member number", "Name", "Email"]
    assert [row[0] for row in rows[1:]] == ["1", "2"]
    assert rows[1][1] == "'=HYPERLINK(1)"  # no formula injection
    assert rows[2][2] == members[1].person.email
    assert rows[2][5:7] == ["Tenant", "1"]


def test_xlsx_export_respects_the_filters(client, secretary, trust):
    members = _members(trust, 3)
    response = client.get("/organisations/taff-leisure/register.xlsx", {"search": members[2].person.email})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Member number"
    assert len(rows) == 2
    assert rows[1][0] == 3 and rows[1][2] == members[2].person.email and rows[1][6] == 1


def test_a_board_member_cannot_export(client, trust):
    board_member = RoleFactory(organisation=trust, kind="board_member").person
    client.force_login(board_member)
    assert client.get("/organisations/taff-leisure/register.csv").status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_register_runs_a_constant_number_of_queries(client, django_assert_num_queries, secretary, trust, rows):
    _members(trust, rows)
    # Session, user, MFA middleware (2), organisation, permission (2), export permission, classes, count, page.
    with django_assert_num_queries(12):
        assert client.get("/organisations/taff-leisure/register/").status_code == 200


def test_applications_are_never_in_the_register(client, secretary, application):
    assert "Ceri Jones" not in client.get("/organisations/taff-leisure/register/").content.decode()
    assert Membership.objects.filter(status=MembershipStatus.APPLIED).count() == 1


def test_decision_page_in_welsh(client, secretary, application):
    html = client.get(f"/cy/organisations/taff-leisure/applications/{application.pk}/").content.decode()
    assert "Penderfynu ar gais" in html
    assert "Rheswm dros wrthod" in html
    assert '<html lang="cy"' in html


def test_audit_trail_records_a_decision_made_through_the_pages(client, secretary, application):
    client.post(f"/organisations/taff-leisure/applications/{application.pk}/", {"decision": "admit"})
    html = client.get("/organisations/taff-leisure/audit/").content.decode()
    assert "membership.admit" in html
