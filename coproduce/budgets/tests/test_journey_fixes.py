"""Faults the browser journey (tests/browser/test_budget_journey.py) found on the pages, each pinned here."""

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
