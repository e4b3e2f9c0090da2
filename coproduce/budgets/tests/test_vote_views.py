"""The ballot pages: the running total without JavaScript, the budget limit, approval of N, points,
who is refused and why, casting once and the receipt, in English and Welsh."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from coproduce.budgets import services
from coproduce.budgets.models import BallotKind, Stage
from coproduce.budgets.tests.factories import BudgetRoundFactory, ResidentFactory, phases
from coproduce.budgets.tests.test_vote import voting_round
from coproduce.core.tests.factories import PlaceFactory, UserFactory
from coproduce.core.verification import VerificationLevel
from coproduce.voting import services as voting
from coproduce.voting.models import Ballot, Channel, Mark

pytestmark = pytest.mark.django_db

OVER_BUDGET = (
    "The projects you chose cost £11,000.00 together, more than the budget of £10,000.00. "
    "Take some out so that they fit."
)


def url(budget_round, tail: str = "", *, welsh: bool = False) -> str:
    return f"{'/cy' if welsh else ''}/budgets/{budget_round.pk}/vote/{tail}"


@pytest.fixture
def knapsack():
    """An open knapsack vote (budget £10,000): projects costing £6,000, £3,000 and £2,000; 4 voters."""
    return voting_round()


def checked(html: str, key: str) -> bool:
    """Whether the checkbox for project ``key`` is ticked on the page."""
    tag = re.search(rf'<input[^>]*name="projects"[^>]*value="{key}"[^>]*>', html)
    assert tag, f"no checkbox for {key}"
    return "checked" in tag.group(0)


def test_a_knapsack_ballot_within_the_budget_is_checked_cast_once_and_receipted(client, knapsack):
    budget_round, (big, middle, small), (voter, *_) = knapsack
    client.force_login(voter)
    page = client.get(url(budget_round)).content.decode()
    assert "You have chosen £0.00 of £10,000.00; £10,000.00 left." in page
    assert "£6,000.00" in page and "£2,000.00" in page and 'data-cost="600000"' in page
    assert "Update the total" in page and "Continue" in page
    response = client.post(url(budget_round), {"projects": [big, small], "action": "continue"})
    assert response.status_code == 302 and response["Location"] == url(budget_round, "check/")
    check = client.get(response["Location"]).content.decode()
    assert "£8,000.00 of the budget of £10,000.00" in check and "Cast my vote" in check
    assert "Change my choices" in check
    # "Change my choices" brings the ticks back.
    again = client.get(url(budget_round)).content.decode()
    assert checked(again, big) and checked(again, small) and not checked(again, middle)
    assert "You have chosen £8,000.00 of £10,000.00; £2,000.00 left." in again
    cast = client.post(url(budget_round, "check/"))
    assert cast.status_code == 302 and cast["Location"] == url(budget_round, "receipt/")
    mark = Mark.objects.get(box=budget_round.box, elector__person=voter)
    assert mark.channel == Channel.ONLINE
    assert [sorted(ballot.content) for ballot in Ballot.objects.filter(box=budget_round.box)] == [sorted([big, small])]
    assert f"budgets:ballot:{budget_round.pk}" not in client.session  # what was voted is only in the box
    receipt = client.get(cast["Location"]).content.decode()
    assert mark.receipt in receipt and "Your vote has been recorded" in receipt
    assert "Voting closes on" in receipt


def test_over_the_budget_the_ballot_says_so_with_the_services_message_and_nothing_is_cast(client, knapsack):
    budget_round, keys, (voter, *_) = knapsack
    client.force_login(voter)
    response = client.post(url(budget_round), {"projects": keys, "action": "continue"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and html.count(OVER_BUDGET) == 2  # the summary and beside the boxes
    assert 'href="#id_projects"' in html
    assert "£1,000.00 over the budget" in html
    assert all(checked(html, key) for key in keys)  # the choices are kept to take some out
    assert f"budgets:ballot:{budget_round.pk}" not in client.session
    assert client.get(url(budget_round, "check/"))["Location"] == url(budget_round)
    assert not Mark.objects.filter(box=budget_round.box).exists()


def test_update_the_total_works_without_javascript_and_keeps_the_choices(client, knapsack):
    budget_round, (big, middle, small), (voter, *_) = knapsack
    client.force_login(voter)
    response = client.post(url(budget_round), {"projects": [big, middle], "action": "update"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "You have chosen £9,000.00 of £10,000.00; £1,000.00 left." in html
    assert checked(html, big) and checked(html, middle) and not checked(html, small)
    assert "There is a problem" not in html
    over = client.post(url(budget_round), {"projects": [big, middle, small], "action": "update"}).content.decode()
    assert "You have chosen £11,000.00 of £10,000.00: £1,000.00 over the budget. Take some projects out." in over
    assert "There is a problem" not in over  # only the total: nothing was sent to be checked yet
    # An option not on the ballot is dropped, not counted.
    odd = client.post(url(budget_round), {"projects": [small, "999999"], "action": "update"}).content.decode()
    assert "You have chosen £2,000.00 of £10,000.00; £8,000.00 left." in odd
    assert not Mark.objects.exists() and f"budgets:ballot:{budget_round.pk}" not in client.session


def test_the_live_total_is_a_nonced_script_with_the_sentences_to_fill(client, knapsack):
    budget_round, _keys, (voter, *_) = knapsack
    client.force_login(voter)
    response = client.get(url(budget_round))
    html = response.content.decode()
    nonce = re.search(r'<script type="module" nonce="([^"]+)">\s*const panel', html)
    assert nonce and nonce.group(1) in response["Content-Security-Policy"]
    assert 'data-within="You have chosen {chosen} of {budget}; {left} left."' in html
    assert 'aria-live="polite"' in html


def test_an_empty_ballot_is_refused_on_the_page(client, knapsack):
    budget_round, _keys, (voter, *_) = knapsack
    client.force_login(voter)
    html = client.post(url(budget_round), {"action": "continue"}).content.decode()
    assert "Your ballot is empty" in html and "There is a problem" in html


def test_approval_of_up_to_n_refuses_too_many(client):
    budget_round, keys, (voter, *_) = voting_round(ballot_kind=BallotKind.APPROVAL, ballot_limit=2)
    client.force_login(voter)
    page = client.get(url(budget_round)).content.decode()
    assert "Choose up to 2 projects" in page and "Update the total" not in page
    html = client.post(url(budget_round), {"projects": keys, "action": "continue"}).content.decode()
    assert "You can choose up to 2 projects. You have ticked 3: untick some." in html
    assert not Mark.objects.exists()
    # No budget limit here: £6,000 and £3,000 together are fine.
    assert client.post(url(budget_round), {"projects": keys[:2]})["Location"] == url(budget_round, "check/")
    assert client.post(url(budget_round, "check/"))["Location"] == url(budget_round, "receipt/")
    assert sorted(Ballot.objects.get(box=budget_round.box).content) == sorted(keys[:2])


@pytest.fixture
def points():
    return voting_round(ballot_kind=BallotKind.POINTS, ballot_limit=10)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (("two", "", ""), "Enter a whole number of points for"),
        (("-1", "3", ""), "cannot be less than 0"),
        (("6", "5", ""), "You have 10 points to share but have given 11: take some away."),
        (("", "", "0"), "Your ballot is empty. Share your 10 points among the projects you want to vote for."),
    ],
)
def test_points_say_what_is_wrong(client, points, given, message):
    budget_round, keys, (voter, *_) = points
    client.force_login(voter)
    data = {f"points_{key}": value for key, value in zip(keys, given, strict=True)}
    response = client.post(url(budget_round), {**data, "action": "continue"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert f'href="#id_points_{keys[0]}"' in html  # each error links to a box (the totals to the first)
    assert not Mark.objects.exists()


def test_points_shared_within_the_limit_are_cast(client, points):
    budget_round, (first, second, third), (voter, *_) = points
    client.force_login(voter)
    page = client.get(url(budget_round)).content.decode()
    assert "Share your 10 points among the projects" in page
    response = client.post(
        url(budget_round), {f"points_{first}": "6", f"points_{second}": " 4 ", f"points_{third}": ""}
    )
    assert response["Location"] == url(budget_round, "check/")
    check = client.get(response["Location"]).content.decode()
    assert "6 points" in check and "4 points" in check and "10 of your 10 points" in check
    client.post(url(budget_round, "check/"))
    assert Ballot.objects.get(box=budget_round.box).content == [[first, 6], [second, 4]]


def test_a_resident_of_another_ward_or_not_verified_enough_is_refused_with_the_reason(client, knapsack):
    budget_round, _keys, _voters = knapsack
    outsider = ResidentFactory(ward=PlaceFactory(name="Hollins"))
    client.force_login(outsider)
    response = client.get(url(budget_round))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot vote in this budget round" in html
    assert f"This is for people who live in {budget_round.place.name}" in html
    unverified = ResidentFactory(ward=budget_round.place, verification_level=VerificationLevel.DECLARED)
    client.force_login(unverified)
    response = client.get(url(budget_round))
    assert response.status_code == 403 and "You need to confirm your address" in response.content.decode()
    # Eligible now, but not when the list of voters was fixed.
    newcomer = ResidentFactory(ward=budget_round.place)
    client.force_login(newcomer)
    response = client.get(url(budget_round))
    assert (
        response.status_code == 403 and "The list of voters was fixed when voting opened" in response.content.decode()
    )
    for person in (outsider, unverified, newcomer):  # the check page and a cast are refused the same way
        client.force_login(person)
        assert client.post(url(budget_round, "check/")).status_code == 403
    assert not Mark.objects.exists()


def test_signing_in_is_needed(client, knapsack):
    budget_round, _keys, _voters = knapsack
    for tail in ("", "check/", "receipt/"):
        response = client.get(url(budget_round, tail))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_second_tab_or_double_click_is_told_it_has_already_voted(client, knapsack):
    budget_round, (big, _middle, small), (voter, *_) = knapsack
    client.force_login(voter)
    client.post(url(budget_round), {"projects": [small], "action": "continue"})
    session = client.session
    assert session[f"budgets:ballot:{budget_round.pk}"] == [small]
    # The other tab casts first.
    services.ballot_cast(budget_round=budget_round, person=voter, content=[big])
    response = client.post(url(budget_round, "check/"), follow=True)
    assert response.redirect_chain[-1][0] == url(budget_round, "receipt/")
    assert "You have already voted in this budget round" in response.content.decode()
    assert Mark.objects.filter(box=budget_round.box).count() == 1
    assert Ballot.objects.get(box=budget_round.box).content == [big]
    # And the ballot sends them to their receipt.
    assert client.get(url(budget_round))["Location"] == url(budget_round, "receipt/")
    assert client.post(url(budget_round, "check/"))["Location"] == url(budget_round, "receipt/")


def test_a_session_from_a_double_click_with_the_choices_in_it_casts_once(client, knapsack):
    budget_round, (_big, _middle, small), (voter, *_) = knapsack
    client.force_login(voter)
    session = client.session
    session[f"budgets:ballot:{budget_round.pk}"] = [small]
    session.save()
    assert client.post(url(budget_round, "check/"))["Location"] == url(budget_round, "receipt/")
    assert client.post(url(budget_round, "check/"))["Location"] == url(budget_round, "receipt/")
    assert Mark.objects.filter(box=budget_round.box).count() == 1 and Ballot.objects.count() == 1


def test_a_paper_voter_is_told_they_have_voted_on_paper(client, knapsack):
    budget_round, _keys, (_online, paper, *_) = knapsack
    voting.paper_vote_mark(box=budget_round.box, person=paper, by=UserFactory())
    client.force_login(paper)
    html = client.get(url(budget_round)).content.decode()
    assert "You have already voted on paper" in html
    assert client.get(url(budget_round, "receipt/")).status_code == 200


def test_the_check_page_without_choices_and_the_receipt_without_a_vote_go_back_to_the_ballot(client, knapsack):
    budget_round, _keys, (voter, *_) = knapsack
    client.force_login(voter)
    assert client.get(url(budget_round, "check/"))["Location"] == url(budget_round)
    assert client.get(url(budget_round, "receipt/"))["Location"] == url(budget_round)
    session = client.session
    session[f"budgets:ballot:{budget_round.pk}"] = ["not-a-project"]
    session.save()
    assert client.get(url(budget_round, "check/"))["Location"] == url(budget_round)
    client.force_login(ResidentFactory(ward=PlaceFactory()))
    assert client.get(url(budget_round, "receipt/")).status_code == 404


def test_a_closed_or_unopened_vote_says_so(client, knapsack, django_capture_on_commit_callbacks):
    budget_round, _keys, (voter, *_) = knapsack
    later = BudgetRoundFactory(place=budget_round.place, **phases("review"))
    client.force_login(voter)
    html = client.get(url(later)).content.decode()
    assert "Voting is not open" in html and "Voting opens on" in html
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close_voting(budget_round=budget_round, by=None, now=timezone.now() + datetime.timedelta(days=4))
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DECLARED
    html = client.get(url(budget_round)).content.decode()
    assert "Voting is not open" in html and "Voting closed on" in html and "See the result" in html


def test_a_draft_round_is_not_found(client):
    draft = BudgetRoundFactory(stage=Stage.DRAFT)
    client.force_login(ResidentFactory(ward=draft.place))
    assert client.get(url(draft)).status_code == 404


def test_every_ballot_page_in_welsh(client, knapsack):
    budget_round, (big, _middle, small), (voter, *_) = knapsack
    budget_round.title_cy = "Cyllideb y ward"
    budget_round.save(update_fields=["title_cy"])
    client.force_login(voter)
    page = client.get(url(budget_round, welsh=True))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="cy"' in html and "Cyllideb y ward" in html
    assert 'action="/cy/budgets/' in html
    response = client.post(url(budget_round, welsh=True), {"projects": [big, small], "action": "continue"})
    assert response["Location"] == url(budget_round, "check/", welsh=True)
    check = client.get(response["Location"])
    assert check.status_code == 200 and "Cyllideb y ward" in check.content.decode()
    cast = client.post(url(budget_round, "check/", welsh=True))
    assert cast["Location"] == url(budget_round, "receipt/", welsh=True)
    receipt = client.get(cast["Location"])
    assert receipt.status_code == 200 and '<html lang="cy"' in receipt.content.decode()
    outsider = ResidentFactory(ward=PlaceFactory())
    client.force_login(outsider)
    assert client.get(url(budget_round, welsh=True)).status_code == 403
