import pytest

from coproduce.core.models import AuditEvent, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, PostcodeFactory, RoleFactory, UserFactory
from coproduce.members.models import ShareTransaction

from .conftest import sign_in_with_mfa
from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_public_directory_and_postcode_lookup(client):
    ward = PlaceFactory(code="X05000077", name="Elmwood")
    PostcodeFactory(postcode="KM5 5AB", ward=ward)
    OrganisationFactory(name="Elmwood Friends", slug="elmwood", area=ward)
    response = client.get("/api/organisations", {"ward": "X05000077"})
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["items"]] == ["elmwood"]
    assert client.get("/api/postcodes/km55ab").json()["code"] == "X05000077"


def test_my_memberships_needs_log_in_and_shows_only_mine(client):
    assert client.get("/api/members/me/memberships").status_code == 401
    mine = MembershipFactory(shares=3)
    MembershipFactory()
    client.force_login(mine.person)
    rows = client.get("/api/members/me/memberships").json()
    assert [(row["id"], row["shares_held"]) for row in rows] == [(mine.pk, 3)]


def test_withdraw_beyond_holding_is_a_400_with_reason_and_writes_nothing(client):
    membership = MembershipFactory(shares=1)
    client.force_login(membership.person)
    url = f"/api/members/me/memberships/{membership.pk}/withdraw"
    response = client.post(url, {"shares": 2}, content_type="application/json")
    assert response.status_code == 400
    assert "cannot withdraw 2" in response.json()["detail"]
    assert ShareTransaction.objects.filter(membership=membership).count() == 1
    malformed = client.post(url, {"shares": "lots"}, content_type="application/json")
    assert malformed.status_code == 422
    ok = client.post(url, {"shares": 1}, content_type="application/json")
    assert ok.json() == {"withdrawn": 1, "shares_held": 0, "status": "ceased"}


def test_someone_elses_membership_is_404(client):
    membership = MembershipFactory()
    client.force_login(UserFactory())
    response = client.post(
        f"/api/members/me/memberships/{membership.pk}/withdraw", {"shares": 1}, content_type="application/json"
    )
    assert response.status_code == 404


def test_register_only_for_the_secretary(client):
    membership = MembershipFactory(shares=2)
    organisation = membership.organisation
    member_of_other = MembershipFactory()
    client.force_login(member_of_other.person)
    assert client.get(f"/api/members/organisations/{organisation.slug}/register").status_code == 403
    secretary = RoleFactory(organisation=organisation, kind=RoleKind.SECRETARY).person
    client.force_login(secretary)
    # Officers and secretaries need MFA in this session; the API answers 403 with a reason rather than redirecting.
    assert client.get(f"/api/members/organisations/{organisation.slug}/register").status_code == 403
    sign_in_with_mfa(client, secretary)
    response = client.get(f"/api/members/organisations/{organisation.slug}/register")
    assert response.status_code == 200
    rows = response.json()["items"]
    assert [(row["name"], row["shares_held"]) for row in rows] == [(membership.person.full_name, 2)]
    assert client.get("/api/members/organisations/no-such-org/register").status_code == 404


def test_reading_the_register_through_the_api_is_audited_like_an_export(client):
    role = RoleFactory(kind=RoleKind.SECRETARY)
    MembershipFactory.create_batch(3, stakeholder_class__organisation=role.organisation)
    sign_in_with_mfa(client, role.person)
    response = client.get(f"/api/members/organisations/{role.organisation.slug}/register?limit=2")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2 and response.json()["count"] == 3
    event = AuditEvent.objects.get(action="register.export", organisation=role.organisation)
    assert event.actor == role.person
    assert event.data["rows"] == 2 and event.data["format"] == "api"
    assert "address" in event.data["columns"]


def test_my_memberships_say_what_is_paid_and_owed_and_whether_i_may_vote(client):
    import datetime

    from coproduce.members import services
    from coproduce.members.models import rules_for

    owing = MembershipFactory(paid=False, admitted_on=datetime.date(2020, 1, 1))
    value = rules_for(owing.organisation).share_value_pence
    client.force_login(owing.person)
    (entry,) = client.get("/api/members/me/memberships").json()
    assert (entry["amount_paid_pence"], entry["amount_owed_pence"]) == (0, value)
    assert entry["voting_rights"] is False  # the rules ask for a paid share before voting
    services.share_payment_record(
        share_transaction=owing.share_transactions.get(),
        actor=owing.person,
        method="cash",
        paid_on=datetime.date(2026, 12, 4),
    )
    (entry,) = client.get("/api/members/me/memberships").json()
    assert (entry["amount_paid_pence"], entry["amount_owed_pence"]) == (value, 0)
    assert entry["voting_rights"] is True
