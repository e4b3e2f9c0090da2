"""A resident's and a member's pages: an organisation, joining, my memberships, my entry,
buying, withdrawing, resigning, and the duplicate register."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory
from coproduce.members.models import Membership, MembershipStatus, ShareTransaction
from coproduce.members.services import membership_rules_update
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
    membership_rules_update(organisation=trust, actor=None, payment_instructions="Pay at the pool reception.")
    html = client.get("/organisations/taff-leisure/").content.decode()
    assert "£1.00" in html
    assert "Pay at the pool reception." in html
    assert "Service user" in html and "Closed class" not in html
    assert 'href="/organisations/taff-leisure/join/"' in html
    welsh = client.get("/cy/organisations/taff-leisure/").content.decode()
    assert "Defnyddiwr gwasanaeth" in welsh
    assert "Ymuno â Taff Leisure Trust" in welsh
    assert "Rheolau i aelodau" in welsh


def test_organisation_page_offers_no_join_when_the_rules_take_no_members(client, trust):
    membership_rules_update(organisation=trust, actor=None, accepts_members=False)
    html = client.get("/organisations/taff-leisure/").content.decode()
    assert "/join/" not in html
    assert "is not taking new members" in html


def test_the_directory_links_organisations_to_their_page_through_the_registry(client, trust):
    html = client.get("/organisations/").content.decode()
    assert 'href="/organisations/taff-leisure/"' in html


def test_a_hidden_organisation_is_not_found(client):
    OrganisationFactory(slug="hidden", is_public=False)
    assert client.get("/organisations/hidden/").status_code == 404


def test_joining_needs_a_signed_in_person(client, trust):
    response = client.get("/organisations/taff-leisure/join/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_join_sends_a_person_without_an_address_to_give_it_and_back(client, trust):
    person = UserFactory(address="", postcode="")
    client.force_login(person)
    response = client.get("/organisations/taff-leisure/join/")
    assert response.status_code == 302
    assert response["Location"] == "/account/details/?next=%2Forganisations%2Ftaff-leisure%2Fjoin%2F"
    welsh = client.get("/cy/organisations/taff-leisure/join/")
    assert welsh["Location"] == "/cy/account/details/?next=%2Fcy%2Forganisations%2Ftaff-leisure%2Fjoin%2F"
    # A posted application is refused too: nothing written.
    service_user = trust.stakeholder_classes.get(name="Service user")
    client.post(
        "/organisations/taff-leisure/join/",
        {"stakeholder_class": service_user.pk, "email_use": "notices", "confirm": "1"},
    )
    assert not Membership.objects.exists()
    # Where the rules do not ask for it, the form is shown at once.
    membership_rules_update(organisation=trust, actor=None, details_required_to_apply=False)
    assert client.get("/organisations/taff-leisure/join/").status_code == 200


def test_join_asks_for_a_class_and_email_use_then_checks_then_records_the_application(
    client, trust, resident, django_capture_on_commit_callbacks
):
    service_user = trust.stakeholder_classes.get(name="Service user")
    page = client.get("/organisations/taff-leisure/join/").content.decode()
    assert "Which class of member are you?" in page
    assert "I will pay now" not in page and "pays_now" not in page  # no pretend payments
    assert "owed until the secretary records your payment" in page
    answers = {"stakeholder_class": service_user.pk, "email_use": "notices"}
    # Valid answers are kept and the person is sent to the check page (POST-redirect-GET).
    sent = client.post("/organisations/taff-leisure/join/", answers)
    assert sent.status_code == 302 and sent["Location"] == "/organisations/taff-leisure/join/check/"
    check = client.get(sent["Location"]).content.decode()
    assert "Check your application" in check
    assert "£1.00, owed from when you are admitted until the secretary records your payment" in check
    assert resident.address in check
    # Each row has a "Change" link: the class and email use back to the form, name and address to the details.
    assert 'href="/organisations/taff-leisure/join/#id_stakeholder_class"' in check
    assert 'href="/organisations/taff-leisure/join/#id_email_use"' in check
    assert "/account/details/?next=%2Forganisations%2Ftaff-leisure%2Fjoin%2Fcheck%2F" in check
    assert not Membership.objects.exists()  # nothing written before confirming
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/organisations/taff-leisure/join/check/")
    assert done.status_code == 302 and done["Location"] == "/my-memberships/"
    membership = Membership.objects.get()
    assert (membership.person, membership.stakeholder_class, membership.email_use) == (
        resident,
        service_user,
        "notices",
    )
    mine = client.get("/my-memberships/").content.decode()
    assert "Your application to join Taff Leisure Trust has been sent" in mine  # the success banner
    assert f"Your reference is {membership.reference}." in mine and membership.reference == f"TL-{membership.pk:05d}"
    # The applicant's acknowledgement carries the same reference.
    (ack,) = [message for message in mail.outbox if message.to == [resident.email]]
    assert membership.reference in ack.subject and membership.reference in ack.body


def test_change_links_return_to_the_form_with_the_answers_kept(client, trust, resident):
    service_user = trust.stakeholder_classes.get(name="Service user")
    client.post("/organisations/taff-leisure/join/", {"stakeholder_class": service_user.pk, "email_use": "contact"})
    form = client.get("/organisations/taff-leisure/join/").content.decode()
    assert f'value="{service_user.pk}" checked' in form
    assert 'value="contact" checked' in form
    # Changing one answer keeps the other.
    client.post("/organisations/taff-leisure/join/", {"stakeholder_class": service_user.pk, "email_use": "notices"})
    check = client.get("/organisations/taff-leisure/join/check/").content.decode()
    assert "Service user" in check and "Notices of meetings" in check


def test_the_check_page_without_answers_goes_back_to_the_form(client, trust, resident):
    response = client.get("/organisations/taff-leisure/join/check/")
    assert response.status_code == 302 and response["Location"] == "/organisations/taff-leisure/join/"
    assert client.post("/organisations/taff-leisure/join/check/").status_code == 302
    assert not Membership.objects.exists()


def test_going_back_after_sending_shows_the_application_and_never_sends_twice(client, trust, resident):
    service_user = trust.stakeholder_classes.get(name="Service user")
    client.post("/organisations/taff-leisure/join/", {"stakeholder_class": service_user.pk, "email_use": "notices"})
    client.post("/organisations/taff-leisure/join/check/")
    membership = Membership.objects.get()
    for path in ("/organisations/taff-leisure/join/check/", "/organisations/taff-leisure/join/"):
        again = client.post(path, {"stakeholder_class": service_user.pk, "email_use": "notices"})
        assert again.status_code == 302 and again["Location"] == f"/my-memberships/{membership.pk}/"
        assert client.get(path)["Location"] == f"/my-memberships/{membership.pk}/"
    page = client.get(f"/my-memberships/{membership.pk}/").content.decode()
    assert "You have already applied to join Taff Leisure Trust" in page
    assert membership.reference in page
    assert Membership.objects.count() == 1


def test_the_organisation_page_says_you_have_applied_then_you_are_a_member(client, trust, resident):
    service_user = trust.stakeholder_classes.get(name="Service user")
    application = MembershipFactory(
        person=resident, stakeholder_class=service_user, status=MembershipStatus.APPLIED, admitted_on=None
    )
    html = client.get("/organisations/taff-leisure/").content.decode()
    assert "You have applied" in html and f"/my-memberships/{application.pk}/" in html
    assert application.reference in html
    assert 'href="/organisations/taff-leisure/join/"' not in html
    application.status = MembershipStatus.ADMITTED
    application.admitted_on = datetime.date(2026, 12, 4)
    application.save()
    html = client.get("/organisations/taff-leisure/").content.decode()
    assert "You are a member" in html and "since 4 December 2026" in html
    assert 'href="/organisations/taff-leisure/join/"' not in html
    welsh = client.get("/cy/organisations/taff-leisure/").content.decode()
    assert "4 Rhagfyr 2026" in welsh


def test_join_without_answers_shows_errors_and_writes_nothing(client, trust, resident):
    html = client.post("/cy/organisations/taff-leisure/join/", {}).content.decode()
    assert "govuk-error-summary" in html
    assert "Dewiswch y dosbarth aelodaeth rydych yn gwneud cais amdano" in html
    assert 'href="#id_stakeholder_class"' in html
    assert 'href="#id_email_use"' in html
    assert not Membership.objects.exists()


def test_join_cannot_choose_a_closed_class(client, trust, resident):
    closed = trust.stakeholder_classes.get(name="Closed class")
    html = client.post(
        "/organisations/taff-leisure/join/", {"stakeholder_class": closed.pk, "email_use": "notices", "confirm": "1"}
    ).content.decode()
    assert "govuk-error-message" in html
    assert not Membership.objects.exists()


def test_a_second_application_in_another_tab_shows_the_existing_one(client, trust, resident):
    service_user = trust.stakeholder_classes.get(name="Service user")
    client.post("/organisations/taff-leisure/join/", {"stakeholder_class": service_user.pk, "email_use": "contact"})
    # Meanwhile the application went in (another tab, a double click).
    existing = MembershipFactory(person=resident, stakeholder_class=service_user, status=MembershipStatus.APPLIED)
    response = client.post("/organisations/taff-leisure/join/check/")
    assert response.status_code == 302 and response["Location"] == f"/my-memberships/{existing.pk}/"
    assert Membership.objects.count() == 1


def test_my_memberships_shows_class_shares_owed_and_voting_rights(client, resident):
    membership = MembershipFactory(person=resident, shares=3, stakeholder_class__name="Tenant")
    owing = MembershipFactory(person=resident, shares=1, paid=False)
    html = client.get("/my-memberships/").content.decode()
    assert membership.organisation.name in html
    assert "Tenant" in html
    assert "3 shares (worth £3.00)" in html
    assert "1 share (worth £1.00)" in html
    assert "You owe" in html
    assert f'href="/my-memberships/{membership.pk}/"' in html and f'href="/my-memberships/{owing.pk}/"' in html
    assert "Fy aelodaethau a’m cyfranddaliadau" in client.get("/cy/my-memberships/").content.decode()


def test_my_memberships_is_private(client):
    response = client.get("/my-memberships/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_my_entry_shows_the_register_columns_what_is_owed_and_how_to_pay(client, resident):
    membership = MembershipFactory(
        person=resident, paid=False, rules={"payment_instructions": "Bank transfer to 00-00-00 00000000."}
    )
    html = client.get(f"/my-memberships/{membership.pk}/").content.decode()
    assert resident.full_name in html and resident.address in html and resident.email in html
    assert "You owe £1.00 for 1 share." in html
    assert "Bank transfer to 00-00-00 00000000." in html
    assert "You can vote once your share is paid for." in html
    assert "Owed" in html  # the ledger line
    assert "/account/details/?next=" in html  # name and address are changed on the account page
    # Offered only what works: no further purchases by default, withdrawal only of paid shares.
    assert f"/my-memberships/{membership.pk}/buy/" not in html
    assert f"/my-memberships/{membership.pk}/withdraw/" not in html
    assert f"/my-memberships/{membership.pk}/resign/" in html


def test_my_entry_offers_buying_and_withdrawing_where_the_rules_allow(client, resident):
    membership = MembershipFactory(person=resident, rules={"further_purchases_allowed": True})
    html = client.get(f"/my-memberships/{membership.pk}/").content.decode()
    assert f"/my-memberships/{membership.pk}/buy/" in html
    assert f"/my-memberships/{membership.pk}/withdraw/" in html
    assert "Paid " in html


def test_changing_email_use_on_my_entry(client, resident):
    membership = MembershipFactory(person=resident)
    response = client.post(f"/my-memberships/{membership.pk}/email/", {"email_use": "notices"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.email_use == "notices"
    html = client.post(f"/my-memberships/{membership.pk}/email/", {"email_use": "junk"}).content.decode()
    assert "govuk-error-summary" in html
    assert client.get(f"/my-memberships/{membership.pk}/email/").status_code == 405


def test_buying_shares_is_owed_until_paid_and_capped(client, resident):
    membership = MembershipFactory(person=resident, rules={"further_purchases_allowed": True, "max_holding_pence": 300})
    page = client.get(f"/my-memberships/{membership.pk}/buy/").content.decode()
    assert "You can buy up to 2 more." in page
    html = client.post(f"/my-memberships/{membership.pk}/buy/", {"shares": "3"}).content.decode()
    assert "You can hold at most 3 shares. You can buy 2 more." in html
    assert 'href="#id_shares"' in html
    response = client.post(f"/my-memberships/{membership.pk}/buy/", {"shares": "2"})
    assert response.status_code == 302 and response["Location"] == f"/my-memberships/{membership.pk}/"
    after = client.get(response["Location"]).content.decode()
    assert "You have bought 2 shares. You owe £2.00 for them until the secretary records your payment." in after
    assert "You owe £2.00 for 2 shares." in after
    assert ShareTransaction.objects.get(membership=membership, kind="purchase").shares == 2


def test_buying_where_the_rules_forbid_offers_no_form(client, resident):
    membership = MembershipFactory(person=resident)
    html = client.get(f"/my-memberships/{membership.pk}/buy/").content.decode()
    assert "You cannot buy more shares" in html and 'name="shares"' not in html
    html = client.post(f"/my-memberships/{membership.pk}/buy/", {"shares": "1"}).content.decode()
    assert "do not allow members to buy further shares" in html
    assert not ShareTransaction.objects.filter(kind="purchase").exists()


def test_withdrawing_some_shares(client, resident):
    membership = MembershipFactory(person=resident, shares=3)
    response = client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "2"})
    assert response.status_code == 302
    assert ShareTransaction.objects.filter(membership=membership, kind="withdrawal", shares=-2).exists()
    assert "You have withdrawn 2 shares." in client.get("/my-memberships/").content.decode()


def test_withdrawing_more_than_held_is_an_error_on_the_page(client, resident):
    membership = MembershipFactory(person=resident, shares=1)
    html = client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "5"}).content.decode()
    assert "You hold 1 share, so you cannot withdraw 5." in html
    assert 'href="#id_shares"' in html
    assert ShareTransaction.objects.filter(membership=membership).count() == 1


def test_withdrawing_while_suspended_is_an_error_on_the_page(client, resident):
    membership = MembershipFactory(person=resident, shares=2, rules={"withdrawals_suspended": True})
    html = client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "1"}).content.decode()
    assert "has suspended withdrawals of shares for now" in html
    assert ShareTransaction.objects.filter(membership=membership).count() == 1


def test_withdraw_rejects_a_non_number(client, resident):
    membership = MembershipFactory(person=resident)
    html = client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "two"}).content.decode()
    assert "Enter the number of shares as a whole number, like 1" in html


def test_someone_elses_membership_is_not_found(client, resident):
    membership = MembershipFactory()
    for page in ("", "withdraw/", "buy/", "resign/"):
        assert client.get(f"/my-memberships/{membership.pk}/{page}").status_code == 404
    assert client.post(f"/my-memberships/{membership.pk}/withdraw/", {"shares": "1"}).status_code == 404
    assert client.post(f"/my-memberships/{membership.pk}/resign/").status_code == 404
    assert ShareTransaction.objects.filter(membership=membership).count() == 1


def test_resigning_says_what_happens_to_the_shares_then_ends_the_membership(client, resident):
    membership = MembershipFactory(person=resident, shares=2)
    page = client.get(f"/my-memberships/{membership.pk}/resign/").content.decode()
    assert "Your 2 paid shares will be withdrawn and £2.00 repaid to you." in page
    response = client.post(f"/my-memberships/{membership.pk}/resign/")
    assert response.status_code == 302 and response["Location"] == "/my-memberships/"
    membership.refresh_from_db()
    assert (membership.status, membership.cessation_reason) == ("ceased", "resigned")
    assert "You have resigned from" in client.get("/my-memberships/").content.decode()
    again = client.get(f"/my-memberships/{membership.pk}/resign/").content.decode()
    assert "nothing to resign from" in again


def test_resigning_with_non_withdrawable_shares_says_they_are_cancelled(client, resident):
    membership = MembershipFactory(person=resident, rules={"shares_withdrawable": False})
    page = client.get(f"/my-memberships/{membership.pk}/resign/").content.decode()
    assert "Your 1 share cannot be withdrawn under the rules" in page


def test_resigning_while_repayment_is_suspended_is_an_error_on_the_page(client, resident):
    membership = MembershipFactory(person=resident, rules={"withdrawals_suspended": True})
    html = client.post(f"/my-memberships/{membership.pk}/resign/").content.decode()
    assert "govuk-error-summary" in html and "cannot repay you now" in html
    membership.refresh_from_db()
    assert membership.status == "admitted"


def test_withdraw_page_in_welsh(client, resident):
    membership = MembershipFactory(person=resident, shares=2)
    html = client.get(f"/cy/my-memberships/{membership.pk}/withdraw/").content.decode()
    assert '<html lang="cy"' in html
    assert html.count("<h1") == 1


def test_members_inspect_the_duplicate_register_without_holdings_or_emails(client, trust, resident):
    mine = MembershipFactory(person=resident, stakeholder_class__organisation=trust, shares=7)
    other = MembershipFactory(stakeholder_class__organisation=trust, person__full_name="Dilys Other")
    RoleFactory(organisation=trust, kind="board_member", person__full_name="Bryn Board")
    html = client.get("/organisations/taff-leisure/members/").content.decode()
    assert "Dilys Other" in html and other.person.address in html
    assert other.person.email not in html and mine.person.email not in html
    assert "Shares" not in html and ">7<" not in html
    assert "Bryn Board" in html and "Board member" in html  # the register of officers beside it
    assert "2 members and former members" in html
    assert "Dilys" not in client.get("/organisations/taff-leisure/members/", {"search": "zzz"}).content.decode()
    assert "Inspect the register of members" in client.get("/organisations/taff-leisure/").content.decode()


def test_non_members_cannot_inspect_the_duplicate_register(client, trust, resident):
    MembershipFactory(stakeholder_class__organisation=trust)
    assert client.get("/organisations/taff-leisure/members/").status_code == 403
    assert "Inspect the register" not in client.get("/organisations/taff-leisure/").content.decode()
    former = MembershipFactory(person=resident, stakeholder_class__organisation=trust, status="ceased", shares=0)
    assert former.pk and client.get("/organisations/taff-leisure/members/").status_code == 403
    hidden = OrganisationFactory(slug="hidden-coop", is_public=False)
    assert hidden.pk and client.get("/organisations/hidden-coop/members/").status_code == 404
    assert not AuditEvent.objects.exists()
