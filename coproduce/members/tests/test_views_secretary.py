"""A secretary's pages: applications, decisions, the registers, payments, cessation, exports,
and who may see them."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone
from openpyxl import load_workbook

from coproduce.core.models import AuditEvent
from coproduce.core.services import role_end
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory
from coproduce.members.models import Membership, MembershipStatus, SharePayment, ShareTransaction
from coproduce.members.tests.conftest import sign_in_with_mfa
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust():
    return OrganisationFactory(name="Taff Leisure Trust", slug="taff-leisure")


@pytest.fixture
def secretary(client, trust):
    # Secretaries must have passed two-factor authentication in this session.
    person = RoleFactory(organisation=trust, person__full_name="Sian Secretary").person
    sign_in_with_mfa(client, person)
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
    "/organisations/taff-leisure/officers/",
    "/organisations/taff-leisure/register/{member}/",
    "/organisations/taff-leisure/register/{member}/payment/",
    "/organisations/taff-leisure/register/{member}/cease/",
]


@pytest.fixture
def member(trust):
    return MembershipFactory(stakeholder_class__organisation=trust, paid=False, person__full_name="Mair Member")


@pytest.mark.parametrize("path", SECRETARY_PAGES)
def test_anonymous_people_are_sent_to_log_in(client, member, path):
    response = client.get(path.format(member=member.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", SECRETARY_PAGES)
def test_a_member_who_is_not_the_secretary_gets_403(client, member, path):
    client.force_login(member.person)
    response = client.get(path.format(member=member.pk))
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()


@pytest.mark.parametrize("path", SECRETARY_PAGES)
def test_another_organisations_secretary_gets_403(client, member, path):
    sign_in_with_mfa(client, RoleFactory(organisation=OrganisationFactory()).person)
    assert client.get(path.format(member=member.pk)).status_code == 403


@pytest.mark.parametrize("path", SECRETARY_PAGES)
def test_a_hidden_organisation_is_404_for_anyone_without_the_permission_as_an_unknown_one_is(client, path):
    hidden = OrganisationFactory(slug="taff-leisure", is_public=False)
    member = MembershipFactory(stakeholder_class__organisation=hidden)
    sign_in_with_mfa(client, RoleFactory(organisation=OrganisationFactory()).person)
    assert client.get(path.format(member=member.pk)).status_code == 404
    assert client.get(path.replace("taff-leisure", "no-such-org").format(member=member.pk)).status_code == 404
    # Its own secretary still reaches it.
    sign_in_with_mfa(client, RoleFactory(organisation=hidden).person)
    assert client.get(path.format(member=member.pk)).status_code == 200


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


def test_secretary_admits_an_application_and_the_share_is_owed(client, secretary, application):
    url = f"/organisations/taff-leisure/applications/{application.pk}/"
    page = client.get(url).content.decode()
    assert "Ceri Jones" in page and "£1.00, owed until you record the payment" in page
    response = client.post(url, {"decision": "admit"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == MembershipStatus.ADMITTED
    assert "Ceri Jones is now a member." in client.get(response["Location"]).content.decode()
    assert not SharePayment.objects.exists()


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


def test_register_filters_by_class_status_payment_and_search(client, secretary, trust):
    tenants = StakeholderClassFactory(organisation=trust, code="tenant", name="Tenant")
    MembershipFactory(stakeholder_class=tenants, person__full_name="Alys Tenant")
    MembershipFactory(stakeholder_class__organisation=trust, person__full_name="Bryn Worker", paid=False)
    MembershipFactory(
        stakeholder_class=tenants, person__full_name="Cai Former", status=MembershipStatus.CEASED, shares=0
    )
    html = client.get("/organisations/taff-leisure/register/", {"stakeholder_class": "tenant"}).content.decode()
    assert "Alys Tenant" in html and "Cai Former" in html and "Bryn Worker" not in html
    html = client.get("/organisations/taff-leisure/register/", {"status": "admitted"}).content.decode()
    assert "Cai Former" not in html and "Bryn Worker" in html
    html = client.get("/organisations/taff-leisure/register/", {"search": "bryn"}).content.decode()
    assert "Bryn Worker" in html and "Alys Tenant" not in html
    html = client.get("/organisations/taff-leisure/register/", {"payment": "owed"}).content.decode()
    assert "Bryn Worker" in html and "Alys Tenant" not in html and "Cai Former" not in html
    html = client.get("/organisations/taff-leisure/register/", {"payment": "paid"}).content.decode()
    assert "Bryn Worker" not in html and "Alys Tenant" in html
    assert "Cofrestr aelodau" in client.get("/cy/organisations/taff-leisure/register/").content.decode()


def _members(trust, count):
    klass = StakeholderClassFactory(organisation=trust, code="tenant", name="Tenant")
    return [MembershipFactory(stakeholder_class=klass, member_number=n + 1, shares=1) for n in range(count)]


def test_csv_export_has_the_register_columns_and_is_audited(client, secretary, trust):
    members = _members(trust, 2)
    members[0].person.full_name = "=HYPERLINK(1)"
    members[0].person.save(update_fields=["full_name"])
    MembershipFactory(stakeholder_class=members[1].stakeholder_class, member_number=3, paid=False)
    response = client.get("/organisations/taff-leisure/register.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Member number",
        "Name",
        "Email",
        "Address",
        "Postcode",
        "Class",
        "Shares held",
        "Amount paid (£)",
        "Amount owed (£)",
        "Email may be used for",
        "Date admitted",
        "Date ceased",
        "Reason ceased",
        "Status",
    ]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert rows[1][1] == "'=HYPERLINK(1)"  # no formula injection
    assert rows[2][2] == members[1].person.email
    assert rows[2][5:9] == ["Tenant", "1", "1.00", "0.00"]
    assert rows[3][7:9] == ["0.00", "1.00"]
    event = AuditEvent.objects.get(action="register.export")
    assert (event.actor, event.organisation) == (secretary, trust)
    assert (event.data["format"], event.data["rows"], event.data["filters"]) == ("csv", 3, {})
    assert event.data["columns"][:3] == ["Member number", "Name", "Email"]


def test_xlsx_export_respects_the_filters_and_the_audit_event_says_which(client, secretary, trust):
    members = _members(trust, 3)
    response = client.get("/organisations/taff-leisure/register.xlsx", {"search": members[2].person.email})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Member number"
    assert len(rows) == 2
    assert rows[1][0] == 3 and rows[1][2] == members[2].person.email and rows[1][6] == 1
    assert float(rows[1][7]) == 1.0
    event = AuditEvent.objects.get(action="register.export")
    assert (event.data["format"], event.data["rows"]) == ("xlsx", 1)
    assert event.data["filters"] == {"search": members[2].person.email}


def test_a_refused_export_is_not_audited(client, trust):
    sign_in_with_mfa(client, RoleFactory(organisation=trust, kind="board_member").person)
    assert client.get("/organisations/taff-leisure/register.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="register.export").exists()


def test_register_runs_the_same_number_of_queries_for_3_rows_as_for_30(client, secretary, trust):
    klass = StakeholderClassFactory(organisation=trust)
    counts = []
    for rows in (3, 27):
        for _ in range(rows):
            MembershipFactory(stakeholder_class=klass, paid=len(counts) == 0)
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/organisations/taff-leisure/register/").content.decode()
        assert html.count('class="govuk-table__row"') == 1 + min(len(counts) * 27 + 3, 25)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


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
    assert "Admitted a member" in html  # the audit trail in words, from the registry


def test_register_entry_shows_the_member_and_offers_payment_and_cessation(client, secretary, member):
    html = client.get(f"/organisations/taff-leisure/register/{member.pk}/").content.decode()
    assert "Mair Member" in html and member.person.address in html and member.person.email in html
    assert "Only contact about membership" in html
    assert f"/organisations/taff-leisure/register/{member.pk}/payment/" in html
    assert f"/organisations/taff-leisure/register/{member.pk}/cease/" in html
    register = client.get("/organisations/taff-leisure/register/").content.decode()
    assert f'href="/organisations/taff-leisure/register/{member.pk}/"' in register


def test_secretary_records_a_payment(client, secretary, member):
    url = f"/organisations/taff-leisure/register/{member.pk}/payment/"
    page = client.get(url).content.decode()
    issue = ShareTransaction.objects.get(membership=member)
    assert "1 share, issued on admission on" in page and "£1.00" in page
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "share_transaction": issue.pk,
            "method": "card",
            "reference": "Receipt 42",
            "day": today.day,
            "month": today.month,
            "year": today.year,
        },
    )
    assert response.status_code == 302
    payment = SharePayment.objects.get()
    assert (payment.share_transaction, payment.method, payment.reference, payment.recorded_by, payment.paid_on) == (
        issue,
        "card",
        "Receipt 42",
        secretary,
        today,
    )
    entry = client.get(response["Location"]).content.decode()
    assert "You recorded a payment of £1.00 from Mair Member." in entry
    assert "Card machine" in entry and "Receipt 42" in entry
    assert "Record a payment" not in entry  # nothing left to pay
    assert "This member owes nothing." in client.get(url).content.decode()


def test_a_payment_form_with_mistakes_shows_errors_and_records_nothing(client, secretary, member):
    url = f"/organisations/taff-leisure/register/{member.pk}/payment/"
    issue = ShareTransaction.objects.get(membership=member)
    html = client.post(url, {"share_transaction": issue.pk, "day": "31", "month": "2", "year": "2026"}).content.decode()
    assert "govuk-error-summary" in html
    assert "Choose how the member paid." in html
    assert "Enter the date paid as a real date" in html and 'href="#id_day"' in html
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    html = client.post(
        url,
        {
            "share_transaction": issue.pk,
            "method": "cash",
            "day": tomorrow.day,
            "month": tomorrow.month,
            "year": tomorrow.year,
        },
    ).content.decode()
    assert "The date paid must be today or in the past." in html
    html = client.post(url, {"share_transaction": "999999", "method": "cash"}).content.decode()
    assert "govuk-error-summary" in html
    assert not SharePayment.objects.exists()


def test_secretary_ends_a_membership_with_the_reason(client, secretary, member):
    url = f"/organisations/taff-leisure/register/{member.pk}/cease/"
    page = client.get(url).content.decode()
    assert "1 unpaid share will be cancelled, and the debt with it." in page
    html = client.post(url, {"reason": "expelled", "note": ""}).content.decode()
    assert "Give the reason for the expulsion, as the rules require." in html and 'href="#id_note"' in html
    html = client.post(url, {}).content.decode()
    assert "Choose why the membership ends." in html
    member.refresh_from_db()
    assert member.status == "admitted"
    response = client.post(url, {"reason": "deceased", "note": "Notified by her son, 3 March."})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.status, member.cessation_reason, member.cessation_note) == (
        "ceased",
        "deceased",
        "Notified by her son, 3 March.",
    )
    entry = client.get(response["Location"]).content.decode()
    assert "membership has ended" in entry and "Notified by her son" in entry
    assert f"/register/{member.pk}/cease/" not in entry  # no longer offered
    assert "This person is not a current member." in client.get(url).content.decode()


def test_register_of_officers_lists_secretary_and_board_with_dates(client, secretary, trust):
    board = RoleFactory(organisation=trust, kind="board_member", person__full_name="Bryn Board")
    former = RoleFactory(organisation=trust, kind="board_member", person__full_name="Ffion Former")
    role_end(role=former, actor=None)
    RoleFactory(organisation=trust, kind="moderator", person__full_name="Mo Moderator")
    html = client.get("/organisations/taff-leisure/officers/").content.decode()
    assert "Sian Secretary" in html and "Bryn Board" in html and "Ffion Former" in html
    assert "Mo Moderator" not in html
    assert formats.date_format(board.started_at, "j F Y") in html  # "4 December 2026"
    assert html.count("Still in office") == 2
    assert (
        'href="/organisations/taff-leisure/officers/"'
        in client.get("/organisations/taff-leisure/register/").content.decode()
    )
