"""A resident's pages: an organisation, joining, my memberships, withdrawing shares."""

from __future__ import annotations

import pytest

from coproduce.core.tests.factories import OrganisationFactory, UserFactory
from coproduce.members.models import Membership, MembershipStatus, ShareTransaction
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust():
    organisation = OrganisationFactory(name="Taff Leisure Trust", slug="taff-leisure")
    StakeholderClassFactory(organisation=organisation, name="Service user", name_cy="Defnyddiwr gwasanaeth", order=1)
    StakeholderClassFactory(organisation=organisation, name="Closed class", open_to_applications=False)
    return organisation


@pytest.fixture
def resident(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_organisation_page_shows_rules_and_open_classes_in_english_and_welsh(client, trust):
    html = client.get("/organisations/taff-leisure/").content.decode()
    assert "£1.00" in html
    assert "Service user" in html and "Closed class" not in html
    assert 'href="/organisations/taff-leisure/join/"' in html
    welsh = client.get("/cy/organisations/taff-leisure/").content.decode()
    assert "Defnyddiwr gwasanaeth" in welsh
    assert "Ymuno â Taff Leisure Trust" in welsh
    assert "Rheolau i aelodau" in welsh


def test_joining_needs_a_signed_in_person(client, trust):
    response = client.get("/organisations/taff-leisure/join/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_join_asks_for_a_class_then_checks_then_records_the_application(client, trust, resident):
    service_user = trust.stakeholder_classes.get(name="Service user")
    page = client.get("/cy/organisations/taff-leisure/join/").content.decode()
    assert "Pa ddosbarth o aelod ydych chi?" in page
    answers = {"stakeholder_class": service_user.pk, "pays_now": "no"}
    check = client.post("/organisations/taff-leisure/join/", answers)
    assert "Check your application" in check.content.decode()
    assert not Membership.objects.exists()  # nothing written before confirming
    done = client.post("/organisations/taff-leisure/join/", {**answers, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == "/my-memberships/"
    membership = Membership.objects.get()
    assert (membership.person, membership.stakeholder_class, membership.pays_on_admission) == (
        resident,
        service_user,
        False,
    )
    mine = client.get("/my-memberships/").content.decode()
    assert "Your application to join Taff Leisure Trust has been sent" in mine  # the success banner


def test_join_without_answers_shows_errors_and_writes_nothing(client, trust, resident):
    html = client.post("/cy/organisations/taff-leisure/join/", {}).content.decode()
    assert "govuk-error-summary" in html
    assert "Dewiswch y dosbarth aelodaeth rydych yn gwneud cais amdano" in html
    assert 'href="#id_stakeholder_class"' in html
    assert not Membership.objects.exists()


def test_join_cannot_choose_a_closed_class(client, trust, resident):
    closed = trust.stakeholder_classes.get(name="Closed class")
    html = client.post(
        "/organisations/taff-leisure/join/", {"stakeholder_class": closed.pk, "pays_now": "yes", "confirm": "1"}
    ).content.decode()
    assert "govuk-error-message" in html
    assert not Membership.objects.exists()


def test_a_second_application_is_a_form_error(client, trust, resident):
    service_user = trust.stakeholder_classes.get(name="Service user")
    MembershipFactory(person=resident, stakeholder_class=service_user, status=MembershipStatus.APPLIED)
    response = client.post(
        "/organisations/taff-leisure/join/", {"stakeholder_class": service_user.pk, "pays_now": "yes", "confirm": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "You have already applied to join, or are already a member." in html
    assert "govuk-error-summary" in html
    assert Membership.objects.count() == 1


def test_my_memberships_shows_class_shares_and_voting_rights(client, resident):
    membership = MembershipFactory(person=resident, shares=3, stakeholder_class__name="Tenant")
    html = client.get("/my-memberships/").content.decode()
    assert membership.organisation.name in html
    assert "Tenant" in html
    assert "3 (worth £3.00)" in html
    assert f'href="/my-memberships/{membership.pk}/withdraw/"' in html
    assert "Fy aelodaethau a’m cyfranddaliadau" in client.get("/cy/my-memberships/").content.decode()


def test_my_memberships_is_private(client):
    response = client.get("/my-memberships/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_withdrawing_some_shares(client, resident):
    membership = MembershipFactory(person=resident, shares=3)
    response = client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "2"})
    assert response.status_code == 302
    assert ShareTransaction.objects.filter(membership=membership, kind="withdrawal", shares=-2).exists()
    assert "You have withdrawn 2 shares." in client.get("/my-memberships/").content.decode()


def test_withdrawing_more_than_held_is_an_error_on_the_page(client, resident):
    membership = MembershipFactory(person=resident, shares=1)
    html = client.post(f"/cy/my-memberships/{membership.pk}/withdraw/", {"shares": "5"}).content.decode()
    assert "Rydych yn dal 1 o gyfranddaliadau, felly ni allwch dynnu 5 yn ôl." in html
    assert 'href="#id_shares"' in html
    assert ShareTransaction.objects.filter(membership=membership).count() == 1


def test_withdrawing_while_suspended_is_an_error_on_the_page(client, resident):
    membership = MembershipFactory(
        person=resident, shares=2, stakeholder_class__organisation__withdrawals_suspended=True
    )
    html = client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "1"}).content.decode()
    assert "has suspended withdrawals of shares for now" in html
    assert ShareTransaction.objects.filter(membership=membership).count() == 1


def test_withdraw_rejects_a_non_number(client, resident):
    membership = MembershipFactory(person=resident)
    html = client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "two"}).content.decode()
    assert "Enter the number of shares as a whole number, like 1" in html


def test_someone_elses_membership_is_not_found(client, resident):
    membership = MembershipFactory()
    assert client.get(f"/my-memberships/{membership.pk}/withdraw/").status_code == 404
    assert client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "1"}).status_code == 404
    assert ShareTransaction.objects.filter(membership=membership).count() == 1


def test_check_page_in_welsh_says_the_share_is_owed(client, trust, resident):
    service_user = trust.stakeholder_classes.get(name="Service user")
    html = client.post(
        "/cy/organisations/taff-leisure/join/", {"stakeholder_class": service_user.pk, "pays_now": "no"}
    ).content.decode()
    assert "Gwirio eich cais" in html
    assert "£1.00, yn ddyledus" in html
    assert "Defnyddiwr gwasanaeth" in html


def test_withdraw_page_in_welsh(client, resident):
    membership = MembershipFactory(person=resident, shares=2)
    html = client.get(f"/cy/my-memberships/{membership.pk}/withdraw/").content.decode()
    assert "Faint o gyfranddaliadau rydych chi am eu tynnu’n ôl?" in html
    assert html.count("<h1") == 1
