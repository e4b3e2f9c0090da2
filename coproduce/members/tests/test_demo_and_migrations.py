"""The demo's members and rules, and the migration that moved the rules out of core."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coproduce.core.demo import build_demo
from coproduce.core.models import Organisation as CurrentOrganisation
from coproduce.members.models import Membership, SharePayment, rules_for


@pytest.mark.django_db
def test_demo_sets_each_organisations_rules_through_the_members_hook():
    context = build_demo()
    orgs, users = context["organisations"], context["users"]
    assert not rules_for(orgs["council"]).accepts_members
    assert not rules_for(orgs["homes"]).shares_withdrawable
    assert rules_for(orgs["care"]).further_purchases_allowed and rules_for(orgs["care"]).max_shares == 500
    assert rules_for(orgs["group"]).share_value_pence == 1
    assert "member number" in rules_for(orgs["leisure"]).payment_instructions
    mine = {m.organisation.slug: m for m in Membership.objects.with_holdings().filter(person=users["member"])}
    assert (mine["leisure-trust"].owed_pence, mine["leisure-trust"].paid_pence) == (0, 100)
    assert mine["caring-together"].owed_pence == 100  # the demo shows an owed share too
    owing = Membership.objects.with_holdings().filter(organisation=orgs["leisure"], status="admitted")
    assert any(m.owed_pence for m in owing) and any(m.paid_pence for m in owing)
    assert SharePayment.objects.filter(method="card", reference="Demo receipt 0001").exists()


@pytest.mark.django_db(transaction=True)
def test_moving_the_rules_and_payments_keeps_existing_data():
    executor = MigrationExecutor(connection)
    before = [("core", "0002_verification_and_feedback"), ("members", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Organisation = old.get_model("core", "Organisation")
    User = old.get_model("core", "User")
    StakeholderClass = old.get_model("members", "StakeholderClass")
    Membership_ = old.get_model("members", "Membership")
    ShareTransaction = old.get_model("members", "ShareTransaction")
    org = Organisation.objects.create(
        name="Old Co-op",
        slug="old-coop",
        kind="care_coop",
        share_value_pence=500,
        max_holding_pence=5000,
        further_purchases_allowed=True,
        shares_withdrawable=False,
        withdrawals_suspended=True,
        accepts_members=False,
        meeting_notice_clear_days=21,
        quorum_members=7,
        quorum_percent=10,
        voting_qualifying_days=30,
    )
    person = User.objects.create(email="old@example.org", password="!")
    klass = StakeholderClass.objects.create(organisation=org, code="worker", name="Worker")
    membership = Membership_.objects.create(
        person=person, organisation=org, stakeholder_class=klass, status="admitted", member_number=1
    )
    paid = ShareTransaction.objects.create(membership=membership, kind="issue", shares=1, amount_pence=500, paid=True)
    owed = ShareTransaction.objects.create(
        membership=membership, kind="purchase", shares=2, amount_pence=1000, paid=False
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rules = rules_for(CurrentOrganisation.objects.get(pk=org.pk))
    assert (rules.share_value_pence, rules.max_holding_pence, rules.quorum_members, rules.quorum_percent) == (
        500,
        5000,
        7,
        10,
    )
    assert rules.further_purchases_allowed and not rules.shares_withdrawable and rules.withdrawals_suspended
    assert not rules.accepts_members
    assert (rules.meeting_notice_clear_days, rules.voting_qualifying_days) == (21, 30)
    payment = SharePayment.objects.get()
    assert (payment.share_transaction_id, payment.amount_pence, payment.method) == (paid.pk, 500, "earlier_record")
    assert not SharePayment.objects.filter(share_transaction_id=owed.pk).exists()
    entry = Membership.objects.with_holdings().get(pk=membership.pk)
    assert (entry.paid_pence, entry.owed_pence) == (500, 1000)


@pytest.mark.django_db
def test_every_members_page_of_the_demo_borough_answers(client):
    from coproduce.members.models import Membership as M

    from .conftest import sign_in_with_mfa

    context = build_demo()
    users = context["users"]
    owing = M.objects.with_holdings().filter(organisation__slug="leisure-trust", status="admitted")
    owing = next(m for m in owing if m.owed_pence)
    sign_in_with_mfa(client, users["secretary"])
    for path in (
        "/organisations/leisure-trust/",
        "/organisations/leisure-trust/applications/",
        "/organisations/leisure-trust/register/",
        "/organisations/leisure-trust/register/?payment=owed",
        f"/organisations/leisure-trust/register/{owing.pk}/",
        f"/organisations/leisure-trust/register/{owing.pk}/payment/",
        f"/organisations/leisure-trust/register/{owing.pk}/cease/",
        "/organisations/leisure-trust/officers/",
        "/cy/organisations/leisure-trust/register/",
        "/organisations/leisure-trust/manage/",
        "/cy/organisations/leisure-trust/manage/",
        "/organisations/leisure-trust/manage/rules/",
        f"/organisations/leisure-trust/register/{owing.pk}/details/",
        "/organisations/north-homes/manage/",
    ):
        assert client.get(path).status_code == 200, path
    client.force_login(users["member"])
    mine = M.objects.filter(person=users["member"]).select_related("organisation")
    pages = ["/my-memberships/", "/cy/my-memberships/", "/organisations/leisure-trust/members/", "/organisations/"]
    for membership in mine:
        pages += [f"/my-memberships/{membership.pk}/{page}" for page in ("", "buy/", "withdraw/", "resign/")]
    for path in pages:
        assert client.get(path).status_code == 200, path
    care = next(m for m in mine if m.organisation.slug == "caring-together")
    assert "Buy more shares" in client.get(f"/my-memberships/{care.pk}/").content.decode()


@pytest.mark.django_db
def test_the_demo_workspace_looks_alive():
    """Applications waiting with addresses, shares owed, a history in words and two years' growth."""
    from coproduce.core import registry
    from coproduce.members import selectors

    context = build_demo()
    secretary, officer = context["users"]["secretary"], context["users"]["officer"]
    leisure = context["organisations"]["leisure"]
    data = selectors.workspace(user=secretary, organisation=leisure)
    assert len(data.applications) >= 5
    assert all(application.person.address and application.person.postcode for application in data.applications)
    assert data.owing_members >= 5 and data.owed_pence > 0
    assert data.recent and {"Admitted a member", "Recorded a payment", "Refused an application"} <= {
        str(registry.audit_action_label(event.action)) for event in data.recent
    }
    members = next(feature for feature in registry.features() if feature.label == "members")
    sections = members.programme_sections(officer, context["organisations"]["council"])
    growth = next(section for section in sections if section.series)
    values = [members_then for _month, members_then in growth.series]
    assert values[-1] > values[0]  # the co-ops grew over the two years
    assert any(row[2] for row in growth.tables[0].rows)  # and some members left along the way
