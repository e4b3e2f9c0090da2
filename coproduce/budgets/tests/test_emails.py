"""Emails at each phase of a budget round: who is sent each one (and nobody else), once, in their
own language — the subject with the round's Welsh title and the links to the ``/cy/`` pages for a
Welsh reader."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from coproduce.budgets import services, tasks
from coproduce.budgets.models import IdeaStatus, ProjectFollow, Stage
from coproduce.budgets.tests.factories import BudgetRoundFactory, IdeaFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.accounts import site_url
from coproduce.core.jinja import long_date
from coproduce.core.tests.factories import PlaceFactory, UserFactory
from coproduce.core.verification import VerificationLevel

pytestmark = pytest.mark.django_db

TITLES = {"title": "Elmwood ward budget", "title_cy": "Cyllideb ward Elmwood"}


def link(name: str, *args, language: str) -> str:
    with translation.override(language):
        return site_url(reverse(name, args=args))


def sent() -> dict[str, object]:
    """The outbox by recipient (each message has one); fails if anyone was sent two."""
    by_address: dict[str, object] = {}
    for message in mail.outbox:
        [address] = message.to
        assert address not in by_address, f"{address} was sent two emails"
        by_address[address] = message
    return by_address


def residents(budget_round) -> dict[str, object]:
    """Who may take part (an English and a Welsh reader), and who may not or cannot be emailed."""
    return {
        "english": ResidentFactory(ward=budget_round.place, preferred_language="en"),
        "welsh": ResidentFactory(ward=budget_round.place, preferred_language="cy"),
        "elsewhere": ResidentFactory(ward=PlaceFactory()),
        "unverified": ResidentFactory(ward=budget_round.place, verification_level=VerificationLevel.DECLARED),
        "inactive": ResidentFactory(ward=budget_round.place, is_active=False),
    }


def assert_languages(message_en, message_cy, name: str, *args) -> None:
    """The English reader has the English title and link; the Welsh reader the Welsh ones."""
    assert TITLES["title"] in message_en.subject and TITLES["title_cy"] not in message_en.subject
    assert TITLES["title_cy"] in message_cy.subject
    english, welsh = link(name, *args, language="en"), link(name, *args, language="cy")
    assert "/cy/" in welsh and "/cy/" not in english
    assert english in message_en.body and "/cy/" not in message_en.body
    assert welsh in message_cy.body


def test_ideas_open_is_sent_once_to_everyone_who_may_take_part():
    budget_round = BudgetRoundFactory(**phases("ideas"), **TITLES)
    people = residents(budget_round)
    tasks.send_ideas_open.call(budget_round.pk)
    messages = sent()
    assert set(messages) == {people["english"].email, people["welsh"].email}
    assert_languages(
        messages[people["english"].email], messages[people["welsh"].email], "budgets:ideas", budget_round.pk
    )
    budget_round.refresh_from_db()
    assert budget_round.ideas_announced_at is not None
    mail.outbox.clear()
    tasks.send_ideas_open.call(budget_round.pk)  # once only
    assert mail.outbox == []


def test_ideas_open_is_not_announced_before_ideas_open_or_in_a_draft():
    upcoming = BudgetRoundFactory(**{**phases("ideas"), "ideas_open": timezone.now() + datetime.timedelta(days=1)})
    draft = BudgetRoundFactory(**phases("ideas"), stage=Stage.DRAFT)
    later = BudgetRoundFactory(**phases("review"))
    for budget_round in (upcoming, draft, later):
        ResidentFactory(ward=budget_round.place)
        tasks.send_ideas_open.call(budget_round.pk)
        budget_round.refresh_from_db()
        assert budget_round.ideas_announced_at is None
    assert mail.outbox == []


def test_the_proposer_is_told_their_idea_was_published_or_hidden_with_the_reason(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("ideas"), **TITLES)
    officer = UserFactory()
    english = IdeaFactory(round=budget_round, status=IdeaStatus.SUBMITTED, proposer__preferred_language="en")
    welsh = IdeaFactory(round=budget_round, status=IdeaStatus.SUBMITTED, proposer__preferred_language="cy")
    ResidentFactory(ward=budget_round.place)  # a neighbour: told nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_moderate(idea=english, by=officer, publish=True)
        services.idea_moderate(idea=welsh, by=officer, publish=False, reason="It names a neighbour.")
    messages = sent()
    assert set(messages) == {english.proposer.email, welsh.proposer.email}
    published, hidden = messages[english.proposer.email], messages[welsh.proposer.email]
    assert english.title in published.subject and "published" in published.subject
    assert welsh.title in hidden.subject
    assert "It names a neighbour." in hidden.body and "It names a neighbour." not in published.body
    assert link("budgets:idea", budget_round.pk, english.pk, language="en") in published.body
    assert link("budgets:idea", budget_round.pk, welsh.pk, language="cy") in hidden.body


def test_the_proposers_are_told_their_idea_is_on_the_ballot(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("review"), **TITLES)
    english = IdeaFactory(round=budget_round, title="Canal benches", proposer__preferred_language="en")
    welsh = IdeaFactory(round=budget_round, title="Seats by the lock", proposer__preferred_language="cy")
    merged = IdeaFactory(round=budget_round, title="Benches please", merged_into=english)
    other = IdeaFactory(round=budget_round, title="A skate park")
    with django_capture_on_commit_callbacks(execute=True):
        project = services.project_create(
            budget_round=budget_round,
            by=UserFactory(),
            ideas=[english, welsh],
            title="Benches along the canal",
            title_cy="Meinciau ar hyd y gamlas",
            cost=4_500_00,
        )
        services.project_create(budget_round=budget_round, by=UserFactory(), title="Officers' own", cost=100_00)
    messages = sent()
    assert set(messages) == {english.proposer.email, welsh.proposer.email, merged.proposer.email}
    assert other.proposer.email not in messages
    message_en, message_cy = messages[english.proposer.email], messages[welsh.proposer.email]
    assert_languages(message_en, message_cy, "budgets:project", budget_round.pk, project.pk)
    assert "Canal benches" in message_en.body and "Benches along the canal" in message_en.body
    assert "£4,500.00" in message_en.body
    assert "Meinciau ar hyd y gamlas" in message_cy.body and "Seats by the lock" in message_cy.body
    assert "Benches please" in messages[merged.proposer.email].body


def voting_round(capture, **fields):
    budget_round = BudgetRoundFactory(**phases("voting"), **TITLES, **fields)
    projects = [ProjectFactory(round=budget_round, cost=cost) for cost in (6_000_00, 3_000_00)]
    people = residents(budget_round)
    with capture(execute=True):
        budget_round = services.round_open_voting(budget_round=budget_round, by=UserFactory())
    return budget_round, projects, people


def test_voting_open_is_sent_to_every_elector_with_the_dates_and_the_ballot(django_capture_on_commit_callbacks):
    budget_round, _projects, people = voting_round(django_capture_on_commit_callbacks)
    messages = sent()
    assert set(messages) == {people["english"].email, people["welsh"].email}
    message_en, message_cy = messages[people["english"].email], messages[people["welsh"].email]
    assert_languages(message_en, message_cy, "budgets:ballot", budget_round.pk)
    with translation.override("en"):
        assert long_date(budget_round.voting_close) in message_en.body
    with translation.override("cy"):
        assert long_date(budget_round.voting_close) in message_cy.body


def test_the_reminder_goes_once_to_the_electors_who_have_not_voted(django_capture_on_commit_callbacks):
    budget_round, projects, people = voting_round(django_capture_on_commit_callbacks)
    services.ballot_cast(budget_round=budget_round, person=people["english"], content=[str(projects[0].pk)])
    late = ResidentFactory(ward=budget_round.place)  # moved in after the vote opened: not on the electorate
    mail.outbox.clear()
    tasks.send_voting_reminder.call(budget_round.pk)
    messages = sent()
    assert set(messages) == {people["welsh"].email}
    assert late.email not in messages
    assert link("budgets:ballot", budget_round.pk, language="cy") in messages[people["welsh"].email].body
    budget_round.refresh_from_db()
    assert budget_round.reminder_sent_at is not None
    mail.outbox.clear()
    tasks.send_voting_reminder.call(budget_round.pk)
    assert mail.outbox == []


def test_the_result_goes_to_electors_and_proposers_with_the_funded_projects(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("closing"), **TITLES, amount=100_00)
    funded = ProjectFactory(round=budget_round, cost=60_00, title="Canal benches", title_cy="Meinciau'r gamlas")
    unfunded = ProjectFactory(round=budget_round, cost=60_00, title="Skate ramp")
    people = residents(budget_round)
    proposer = IdeaFactory(round=budget_round, proposer__preferred_language="cy").proposer  # not on the electorate
    voter_proposer = IdeaFactory(round=budget_round, proposer=people["english"]).proposer  # both: one email
    with django_capture_on_commit_callbacks(execute=True):
        budget_round = services.round_open_voting(budget_round=budget_round, by=None)
    services.ballot_cast(budget_round=budget_round, person=people["english"], content=[str(funded.pk)])
    services.ballot_cast(budget_round=budget_round, person=people["welsh"], content=[str(funded.pk)])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close_voting(budget_round=budget_round, by=None)
    budget_round.refresh_from_db()
    assert budget_round.result["selected"] == [str(funded.pk)]
    messages = sent()
    assert set(messages) == {people["english"].email, people["welsh"].email, proposer.email}
    assert voter_proposer.email in messages
    message_en, message_cy = messages[people["english"].email], messages[people["welsh"].email]
    assert_languages(message_en, message_cy, "budgets:result", budget_round.pk)
    assert "Canal benches" in message_en.body and "Skate ramp" not in message_en.body
    assert "Meinciau'r gamlas" in message_cy.body and unfunded.title not in message_cy.body
    assert "£40.00" in message_en.body  # the money left
    assert link("budgets:result", budget_round.pk, language="cy") in messages[proposer.email].body
    # Counting again changes nothing and sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.round_count(budget_round=budget_round)
    assert mail.outbox == []


def test_a_delivery_update_goes_to_the_projects_followers(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("closing"), **TITLES, amount=100_00)
    project = ProjectFactory(round=budget_round, cost=60_00, title="Canal benches", title_cy="Meinciau'r gamlas")
    other = ProjectFactory(round=budget_round, cost=30_00)
    people = residents(budget_round)
    with django_capture_on_commit_callbacks(execute=True):
        budget_round = services.round_open_voting(budget_round=budget_round, by=None)
    services.ballot_cast(budget_round=budget_round, person=people["english"], content=[str(project.pk), str(other.pk)])
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close_voting(budget_round=budget_round, by=None)
    for person in (people["english"], people["welsh"]):
        ProjectFollow.objects.create(project=project, person=person)
    ProjectFollow.objects.create(project=other, person=people["elsewhere"])  # follows another project
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_update_add(
            project=project,
            by=UserFactory(),
            text="The benches are ordered.",
            text_cy="Mae'r meinciau wedi'u harchebu.",
        )
    messages = sent()
    assert set(messages) == {people["english"].email, people["welsh"].email}
    message_en, message_cy = messages[people["english"].email], messages[people["welsh"].email]
    assert "Canal benches" in message_en.subject and "Meinciau'r gamlas" in message_cy.subject
    assert "The benches are ordered." in message_en.body and "Mae'r meinciau wedi'u harchebu." in message_cy.body
    assert link("budgets:project", budget_round.pk, project.pk, language="en") in message_en.body
    assert link("budgets:project", budget_round.pk, project.pk, language="cy") in message_cy.body
