"""Faults the browser journey (tests/browser/test_budget_journey.py) and review found on the pages, each pinned here."""

from __future__ import annotations

import pytest

from coproduce.budgets.tests.test_vote import voting_round

pytestmark = pytest.mark.django_db


def test_the_check_page_shows_the_total_in_bold_not_its_tags(client):
    """The "Together" row joined a plain "<strong>" to escaped text, so the tags were escaped too
    and the voter read "<strong>£8,000.00 of the budget of £10,000.00</strong>"."""
    budget_round, (big, _middle, small), (voter, *_) = voting_round()
    client.force_login(voter)
    client.post(f"/budgets/{budget_round.pk}/vote/", {"projects": [big, small], "action": "continue"})
    html = client.get(f"/budgets/{budget_round.pk}/vote/check/").content.decode()
    assert "<strong>£8,000.00 of the budget of £10,000.00</strong>" in html
    assert "&lt;strong&gt;" not in html


def test_every_form_on_the_paper_pages_carries_its_csrf_token():
    """The papers table came from a macro imported without the page's context, so its "Remove"
    forms had no CSRF token and a real browser's post was refused (the test client does not check)."""
    import re

    from django.test import Client

    from coproduce.budgets import services
    from coproduce.core.models import RoleKind
    from coproduce.core.tests.factories import RoleFactory, sign_in_with_mfa
    from coproduce.voting import services as voting

    budget_round, (big, *_), (paper_voter, *_) = voting_round()
    officer = RoleFactory(organisation=budget_round.organisation, kind=RoleKind.OFFICER).person
    voting.paper_vote_mark(box=budget_round.box, person=paper_voter, by=officer)
    batch = voting.paper_batch_start(box=budget_round.box, by=officer)
    services.paper_ballot_enter(budget_round=budget_round, batch=batch, by=officer, content=[big])
    client = Client(enforce_csrf_checks=True)
    sign_in_with_mfa(client, officer)
    forms = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)
    for url in (
        f"/budgets/{budget_round.pk}/paper/batches/{batch.pk}/",
        f"/budgets/{budget_round.pk}/paper/batches/{batch.pk}/check/",
    ):
        page = client.get(url).content.decode()
        posting = forms.findall(page)
        assert any('value="remove"' in form for form in posting) or url.endswith("check/"), url
        assert posting and all("csrfmiddlewaretoken" in form for form in posting), url


def test_officers_forms_refuse_digits_int_cannot_read_instead_of_failing():
    """"²" passes ``str.isdigit`` but not ``int``: moderating, marking a paper voter and taking an
    option off a youth poll answered 500."""
    from django.test import Client

    from coproduce.budgets.models import IdeaStatus, PollOption
    from coproduce.budgets.tests.factories import IdeaFactory
    from coproduce.budgets.tests.test_polls import new_poll
    from coproduce.core.models import RoleKind
    from coproduce.core.tests.factories import RoleFactory, sign_in_with_mfa

    budget_round, _keys, _people = voting_round()
    officer = RoleFactory(organisation=budget_round.organisation, kind=RoleKind.OFFICER).person
    IdeaFactory(round=budget_round, status=IdeaStatus.SUBMITTED)
    client = Client()
    sign_in_with_mfa(client, officer)
    moderate = client.post(f"/budgets/{budget_round.pk}/moderate/", {"idea": "²"})
    assert moderate.status_code == 200 and "no longer waiting for moderation" in moderate.content.decode()
    mark = client.post(f"/budgets/{budget_round.pk}/paper/", {"action": "mark", "person": "²"})
    assert mark.status_code == 200 and "Find the resident on the electorate first" in mark.content.decode()
    poll = new_poll((budget_round.organisation, budget_round.place, officer))
    for option in ("²", "abc", "9" * 30):
        removed = client.post(f"/budgets/polls/{poll.pk}/manage/", {"action": "remove_option", "option": option})
        assert removed.status_code == 200 and "Choose an option of this poll to take off" in removed.content.decode()
    assert PollOption.objects.filter(poll=poll).count() == 3


def test_a_hidden_ideas_title_is_not_published_only_its_reason(client):
    """The title is the resident's own words too, often what the idea was hidden for."""
    from coproduce.budgets.models import IdeaStatus
    from coproduce.budgets.tests.factories import BudgetRoundFactory, IdeaFactory

    budget_round = BudgetRoundFactory()
    idea = IdeaFactory(
        round=budget_round,
        title="Jim at no. 4 is a thief",
        status=IdeaStatus.HIDDEN,
        moderation_reason="It names a neighbour.",
    )
    for url in (f"/budgets/{budget_round.pk}/ideas/", f"/budgets/{budget_round.pk}/ideas/{idea.pk}/"):
        page = client.get(url).content.decode()
        assert "It names a neighbour." in page and "Jim at no. 4" not in page, url
    client.force_login(idea.proposer)  # the proposer still sees what they sent
    assert "Jim at no. 4" in client.get(f"/budgets/{budget_round.pk}/ideas/{idea.pk}/").content.decode()


def test_a_project_is_public_once_the_ideas_are_reviewed_not_before(client):
    """The round's page lists projects only after the review; their own pages followed suit."""
    from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory, phases
    from coproduce.core.models import RoleKind
    from coproduce.core.tests.factories import RoleFactory, sign_in_with_mfa

    budget_round = BudgetRoundFactory(**phases("ideas"))
    project = ProjectFactory(round=budget_round, title="Unannounced scheme")
    url = f"/budgets/{budget_round.pk}/projects/{project.pk}/"
    assert client.get(url).status_code == 404
    officer = RoleFactory(organisation=budget_round.organisation, kind=RoleKind.OFFICER).person
    sign_in_with_mfa(client, officer)
    assert client.get(url).status_code == 200  # the people who run the round see it
    client.logout()
    budget_round.ideas_close = budget_round.ideas_open + (budget_round.ideas_close - budget_round.ideas_open) / 10
    budget_round.review_close = budget_round.ideas_close
    budget_round.voting_open = budget_round.ideas_close
    budget_round.save()
    assert "Unannounced scheme" in client.get(url).content.decode()
