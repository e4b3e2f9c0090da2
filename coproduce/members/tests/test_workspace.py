"""The organisation's workspace for its secretary and board, the rules and classes pages,
correcting a member's details, and a member's history — with who may see them and how many
queries they cost."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import formats, translation

from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, PostcodeFactory, RoleFactory, UserFactory
from coproduce.members.models import MembershipStatus, rules_for
from coproduce.members.services import membership_admit, membership_apply, share_payment_record
from coproduce.members.tests.conftest import sign_in_with_mfa
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust():
    return OrganisationFactory(name="Taff Leisure Trust", slug="taff-leisure")


@pytest.fixture
def users_class(trust):
    return StakeholderClassFactory(
        organisation=trust, code="user", name="Community member", description="You live in Kingsmere."
    )


@pytest.fixture
def secretary(client, trust):
    person = RoleFactory(organisation=trust, person__full_name="Sian Secretary").person
    sign_in_with_mfa(client, person)
    return person


@pytest.fixture
def ward():
    return PlaceFactory(name="Castle", name_cy="Castell")


def _members(users_class, ward, count: int, *, owing: int = 0) -> list:
    made = [
        MembershipFactory(stakeholder_class=users_class, person__ward=ward, paid=number >= owing)
        for number in range(count)
    ]
    return made


def _application(users_class, **person):
    return MembershipFactory(
        stakeholder_class=users_class,
        status=MembershipStatus.APPLIED,
        member_number=None,
        admitted_on=None,
        **{f"person__{key}": value for key, value in person.items()},
    )


# --- The workspace page ------------------------------------------------------------------------


def test_the_workspace_shows_what_waits_for_the_secretary(client, secretary, trust, users_class, ward):
    members = _members(users_class, ward, 3, owing=1)
    former = MembershipFactory(stakeholder_class=users_class, status=MembershipStatus.CEASED)
    applicant = _application(users_class, full_name="Ceri Jones", address="12 Quay Street\nKingsmere")
    membership_admit(membership=_application(users_class, full_name="Dewi Admitted"), actor=secretary)
    html = client.get("/organisations/taff-leisure/manage/").content.decode()
    assert "Membership workspace" in html
    # Applications waiting, with the name and postal address to check eligibility, and a link to decide.
    assert "Ceri Jones" in html and "12 Quay Street<br>Kingsmere" in html
    assert f'href="/organisations/taff-leisure/applications/{applicant.pk}/"' in html
    assert applicant.reference in html
    # Members and former members apart; by class and by ward.
    assert "4 members and 1 former member" in html
    assert "Community member" in html and "Castle" in html
    # Shares owed: the members owing (Dewi, just admitted, and one who never paid), the total, links.
    assert "2 members owe £2.00 in all." in html
    assert f'href="/organisations/taff-leisure/register/{members[0].pk}/"' in html
    # Recent changes in words, exports and the rules.
    assert "Admitted a member" in html and "membership.admit" not in html
    assert 'href="/organisations/taff-leisure/register.csv"' in html
    assert 'href="/organisations/taff-leisure/register.xlsx"' in html
    assert 'href="/organisations/taff-leisure/manage/rules/"' in html
    assert former.person.get_full_name() not in html.split("Shares owed")[1].split("Members by class")[0]


def test_the_workspace_in_welsh(client, secretary, trust, users_class, ward):
    _members(users_class, ward, 1)
    html = client.get("/cy/organisations/taff-leisure/manage/").content.decode()
    assert "Castell" in html  # the ward's Welsh name


def test_board_members_see_the_workspace_but_not_the_register_or_decisions(client, trust, users_class, ward):
    board = RoleFactory(organisation=trust, kind="board_member").person
    sign_in_with_mfa(client, board)
    applicant = _application(users_class, full_name="Ceri Jones")
    response = client.get("/organisations/taff-leisure/manage/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ceri Jones" in html
    assert f"/applications/{applicant.pk}/" not in html  # deciding is the secretary's
    assert "/register/" not in html and "register.csv" not in html
    assert client.get("/organisations/taff-leisure/register/").status_code == 403
    assert client.get("/organisations/taff-leisure/manage/rules/").status_code == 403


@pytest.mark.parametrize("path", ["/organisations/taff-leisure/manage/", "/organisations/taff-leisure/manage/rules/"])
def test_members_and_strangers_may_not_open_the_workspace(client, trust, users_class, path):
    member = MembershipFactory(stakeholder_class=users_class)
    assert client.get(path)["Location"].startswith("/accounts/login/")
    client.force_login(member.person)
    assert client.get(path).status_code == 403


def test_a_hidden_organisation_workspace_is_not_found_for_strangers(client):
    OrganisationFactory(slug="hidden-coop", is_public=False)
    client.force_login(UserFactory())
    assert client.get("/organisations/hidden-coop/manage/").status_code == 404


def test_the_workspace_costs_the_same_queries_whatever_the_number_of_members(
    client, secretary, trust, users_class, ward, django_assert_num_queries
):
    def visit():
        # 1 session, 2 user, 3 the MFA check's roles, 4 organisation with its rules, 5-6 view_workspace
        # (the view's fetch and the selector's own check), 7 applications with person, class and
        # organisation, 8 classes with their counts, 9 members by ward, 10 those wards' names,
        # 11 what is owed (count and sum), 12 the members owing, 13-14 the audit trail's permission
        # (ours and core's selector), 15 the last 10 events with their actors, 16 members and
        # former members, 17-20 the page's links (decide, register, export, rules), 21 the layout's
        # check for a current role (core's header links to the person's work).
        with django_assert_num_queries(QUERIES):
            assert client.get("/organisations/taff-leisure/manage/").status_code == 200

    _members(users_class, ward, 2, owing=1)
    _application(users_class)
    visit()
    _members(users_class, PlaceFactory(), 12, owing=5)
    for _ in range(4):
        _application(users_class)
    visit()


QUERIES = 21


# --- Rules and classes -------------------------------------------------------------------------


def test_the_rules_page_marks_welsh_missing_and_saves_through_the_service(client, secretary, trust, users_class):
    html = client.get("/organisations/taff-leisure/manage/rules/").content.decode()
    assert "Welsh missing" in html  # the class has neither a Welsh name nor description
    assert "Community member" in html
    rules = rules_for(trust)
    data = {
        "accepts_members": "on",
        "details_required_to_apply": "on",
        "share_value_pence": 100,
        "max_holding_pence": rules.max_holding_pence,
        "shares_withdrawable": "on",
        "repayment_days": 14,
        "payment_instructions": "Pay at reception.",
        "payment_instructions_cy": "",
        "paid_share_needed_to_vote": "on",
        "voting_qualifying_days": 0,
        "meeting_notice_clear_days": 14,
        "quorum_members": 10,
        "quorum_percent": 0,
    }
    response = client.post("/organisations/taff-leisure/manage/rules/", data)
    assert response.status_code == 302
    trust.refresh_from_db()
    saved = rules_for(trust)
    assert (saved.repayment_days, saved.payment_instructions) == (14, "Pay at reception.")
    event = AuditEvent.objects.get(action="membership_rules.update")
    assert event.actor == secretary and "repayment_days" in event.summary
    # English instructions without Welsh: marked missing to the secretary; Welsh readers see the English.
    html = client.get("/organisations/taff-leisure/manage/rules/").content.decode()
    assert "People reading in Welsh see the English instructions" in html
    welsh_page = client.get("/cy/organisations/taff-leisure/").content.decode()
    assert "Pay at reception." in welsh_page and "You live in Kingsmere." in welsh_page
    # A bad number is an error on the page, never a 500.
    bad = client.post("/organisations/taff-leisure/manage/rules/", {**data, "share_value_pence": "0"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    words = client.post("/organisations/taff-leisure/manage/rules/", {**data, "quorum_members": "many"})
    assert words.status_code == 200 and "Enter a whole number" in words.content.decode()


def test_changing_a_class_in_english_and_welsh_is_audited(client, secretary, trust, users_class):
    path = f"/organisations/taff-leisure/manage/classes/{users_class.pk}/"
    assert client.get(path).status_code == 200
    empty = client.post(path, {"name": "", "name_cy": ""})
    assert empty.status_code == 200 and "Enter the name of the class" in empty.content.decode()
    done = client.post(
        path,
        {
            "name": "Community member",
            "name_cy": "Aelod cymunedol",
            "description": "You live in Kingsmere.",
            "description_cy": "Rydych yn byw yng Nghaerfrenin.",
        },
    )
    assert done.status_code == 302
    users_class.refresh_from_db()
    assert users_class.name_cy == "Aelod cymunedol"
    event = AuditEvent.objects.get(action="stakeholder_class.update")
    assert event.organisation == trust and event.data["after"]["name_cy"] == "Aelod cymunedol"
    assert "Welsh missing" not in client.get("/organisations/taff-leisure/manage/rules/").content.decode()
    assert "Rydych yn byw yng Nghaerfrenin." in client.get("/cy/organisations/taff-leisure/").content.decode()
    # Another organisation's class is not found here.
    other = StakeholderClassFactory()
    assert client.get(f"/organisations/taff-leisure/manage/classes/{other.pk}/").status_code == 404


# --- A member's page: correcting details, history --------------------------------------------


def test_the_secretary_corrects_a_members_address_and_sees_it_in_the_history(client, secretary, users_class):
    PostcodeFactory(postcode="KM2 1AB")
    member = MembershipFactory(stakeholder_class=users_class, paid=False, person__full_name="Mair Membr")
    entry = f"/organisations/taff-leisure/register/{member.pk}/"
    assert f'href="{entry}details/"' in client.get(entry).content.decode()
    form = client.get(f"{entry}details/").content.decode()
    assert "Mair Membr" in form
    unknown = client.post(
        f"{entry}details/", {"full_name": "Mair Member", "address": "3 Hill Road", "postcode": "ZZ9 9ZZ"}
    )
    assert unknown.status_code == 200 and "govuk-error-summary" in unknown.content.decode()
    missing = client.post(f"{entry}details/", {"full_name": "", "address": "", "postcode": ""})
    assert missing.status_code == 200 and "Enter the member&#39;s full name" in missing.content.decode()
    done = client.post(
        f"{entry}details/", {"full_name": "Mair Member", "address": "3 Hill Road", "postcode": "km2 1ab"}
    )
    assert done.status_code == 302 and done["Location"] == entry
    member.person.refresh_from_db()
    assert (member.person.full_name, member.person.address, member.person.postcode) == (
        "Mair Member",
        "3 Hill Road",
        "KM2 1AB",
    )
    event = AuditEvent.objects.get(action="membership.correct_details")
    assert event.actor == secretary and event.organisation == member.organisation
    assert event.data["before"]["full_name"] == "Mair Membr"
    # The payment, then the history in words on the member's page.
    share_payment_record(
        share_transaction=member.share_transactions.get(),
        actor=secretary,
        method="cash",
        paid_on=datetime.date.today(),
    )
    html = client.get(entry).content.decode()
    history = html.split('id="history"')[1]
    assert "Corrected a member&#39;s name or address" in history and "Recorded a payment" in history
    assert "Sian Secretary" in history


def test_only_the_secretary_corrects_details(client, trust, users_class):
    member = MembershipFactory(stakeholder_class=users_class)
    board = RoleFactory(organisation=trust, kind="board_member").person
    sign_in_with_mfa(client, board)
    assert client.get(f"/organisations/taff-leisure/register/{member.pk}/details/").status_code == 403


# --- Notifications -----------------------------------------------------------------------------


def test_every_current_secretary_is_told_of_an_application_in_their_language(
    trust, users_class, django_capture_on_commit_callbacks
):
    english = RoleFactory(organisation=trust, person__full_name="Sian Secretary").person
    welsh = RoleFactory(organisation=trust, person__preferred_language="cy").person
    former = RoleFactory(organisation=trust, ended_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)).person
    RoleFactory(organisation=trust, kind="board_member")
    applicant = UserFactory(full_name="Ceri Jones", preferred_language="cy")
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_apply(person=applicant, organisation=trust, stakeholder_class=users_class)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {applicant.email, english.email, welsh.email}
    assert former.email not in by_recipient
    assert membership.reference in by_recipient[applicant.email].subject
    assert (
        "Ceri Jones" in by_recipient[english.email].body and membership.reference in by_recipient[english.email].subject
    )
    # Dates in each reader's language (the Welsh month names are Django's own).
    with translation.override("cy"):
        welsh_date = formats.date_format(membership.applied_at, "j F Y")
    with translation.override("en"):
        english_date = formats.date_format(membership.applied_at, "j F Y")
    assert welsh_date in by_recipient[welsh.email].body
    assert english_date in by_recipient[english.email].body


def test_withdrawing_the_last_share_asks_first_explains_repayment_and_emails(
    client, trust, users_class, django_capture_on_commit_callbacks
):
    member = MembershipFactory(stakeholder_class=users_class, rules={"repayment_days": 21})
    client.force_login(member.person)
    path = f"/my-memberships/{member.pk}/withdraw/"
    ask = client.post(path, {"shares": 1})
    html = ask.content.decode()
    assert ask.status_code == 200 and "Are you sure you want to withdraw your last share?" in html
    assert "will repay you £1.00 within 21 days" in html
    member.refresh_from_db()
    assert member.status == MembershipStatus.ADMITTED  # nothing written yet
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path, {"shares": 1, "confirm": "1"})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.status == MembershipStatus.CEASED
    (message,) = mail.outbox
    assert message.to == [member.person.email] and "You have left Taff Leisure Trust" in message.subject
    assert "£1.00 within 21 days" in message.body


def test_resigning_says_when_the_money_comes_back_and_emails(client, users_class, django_capture_on_commit_callbacks):
    member = MembershipFactory(stakeholder_class=users_class)
    client.force_login(member.person)
    html = client.get(f"/my-memberships/{member.pk}/resign/").content.decode()
    assert "within 30 days" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/my-memberships/{member.pk}/resign/")
    (message,) = mail.outbox
    assert "£1.00 within 30 days" in message.body


def test_a_refusal_reason_has_a_limit_with_a_character_count(client, secretary, users_class):
    applicant = _application(users_class)
    path = f"/organisations/taff-leisure/applications/{applicant.pk}/"
    html = client.get(path).content.decode()
    assert 'data-module="govuk-character-count"' in html and 'data-maxlength="1000"' in html
    too_long = client.post(path, {"decision": "refuse", "reason": "x" * 1001})
    assert too_long.status_code == 200 and "Use 1000 characters or fewer" in too_long.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == MembershipStatus.APPLIED
    assert client.post(path, {"decision": "refuse", "reason": "x" * 1000}).status_code == 302
