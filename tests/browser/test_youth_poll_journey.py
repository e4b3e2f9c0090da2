"""The demo's youth poll in the browser, in English and in Welsh (issue 18's Stevenage park).

A young person of Elmwood opens the poll from the list, sees the options as pictures with alt
text, signs in, ticks four of the five (one too many) and is told so on the page, then sends
three and is thanked. An adult resident is told why they cannot vote, in the eligibility's words. The council's officer
(with an authenticator) reads the poll's page for running it. Once counted, the results page
shows a bar chart and a table with the stored votes. ``check_page`` runs after every page: no
HTTP or script error, ``<html lang>`` right, and no axe WCAG 2.2 AA violation.

Links and fields are found by ``href``, ``name`` and ``type`` (the same in both languages); the
English words are asserted in the English run only, as the Welsh catalogue is made centrally.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.utils import translation
from playwright.sync_api import Page, expect

from coproduce.budgets import selectors, services
from coproduce.budgets.models import PollOption, YouthPoll
from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.core.models import User
from coproduce.voting.models import Ballot, Mark

from .test_join_journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo poll's pictures


def _young_voter(poll: YouthPoll) -> User:
    """A young person on the poll's electorate who has not voted, given the demo password."""
    voted = Mark.objects.filter(box=poll.box).values("elector__person")
    person = User.objects.filter(pk__in=poll.box.electors.exclude(person__in=voted).values("person")).first()
    person.set_password(DEMO_PASSWORD)
    person.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=person, email=person.email, defaults={"verified": True, "primary": True})
    return person


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_young_person_votes_with_pictures_and_sees_the_result(page: Page, live_server, borough, lang: str):
    page.set_default_timeout(10_000)
    poll = YouthPoll.objects.get()
    young = _young_voter(poll)
    options = list(PollOption.objects.filter(poll=poll).order_by("order", "pk"))
    you = Journey(page, lang)

    you.goto(live_server.url + you.path("/budgets/polls/"))
    you.follow(f"main a[href$='/budgets/polls/{poll.pk}/']")
    for option in options:  # every picture is there with what it shows, in the page's language
        expect(page.locator(f"main img[alt='{option.localised_alt(lang)}']")).to_be_visible()
    expect(page.locator("main input[type=checkbox]")).to_have_count(0)

    you.signs_in(young.email, DEMO_PASSWORD)
    you.goto(live_server.url + you.path(f"/budgets/polls/{poll.pk}/"))
    boxes = page.locator("main input[type=checkbox][name=options]")
    expect(boxes).to_have_count(5)
    # One tap on a picture picks its option: the picture is inside the checkbox's label.
    for option in options[:4]:
        page.locator(f"main label img[alt='{option.localised_alt(lang)}']").click()
    you.submit()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("main .govuk-error-message")).to_be_visible()
    if lang == "en":
        you.sees("You picked 4: pick up to 3.")
    assert not Mark.objects.filter(box=poll.box, elector__person=young).exists()
    page.locator(f"main label img[alt='{options[3].localised_alt(lang)}']").click()  # untick the fourth
    you.submit()
    expect(page.locator("main .govuk-panel")).to_be_visible()
    if lang == "en":
        you.sees("Thank you — your vote is in")
    assert Mark.objects.filter(box=poll.box, elector__person=young).exists()
    you.signs_out()

    # An adult of Elmwood is told why they cannot vote.
    you.signs_in("resident@example.org", DEMO_PASSWORD)
    you.goto(live_server.url + you.path(f"/budgets/polls/{poll.pk}/"))
    expect(page.locator("main .govuk-warning-text")).to_be_visible()
    expect(page.locator("main input[type=checkbox]")).to_have_count(0)
    with translation.override(lang):  # the eligibility's own reason (this adult gave no date of birth)
        reason = selectors.may_vote(poll, User.objects.get(email="resident@example.org")).reason
    expect(page.locator("main .govuk-warning-text")).to_contain_text(reason)
    you.signs_out()

    # The council's officer runs the poll from its page.
    you.signs_in("officer@example.org", DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(live_server.url + you.path(f"/budgets/polls/{poll.pk}/manage/"))
    expect(page.locator("main img")).to_have_count(len(options))

    # Counted at its close (the demo's poll closes in eleven days: the clock is the service's to pass).
    poll = services.poll_close(poll=poll, by=None, now=poll.closes)
    you.goto(live_server.url + you.path(f"/budgets/polls/{poll.pk}/result/"))
    expect(page.locator("main svg.app-chart[role=img]")).to_be_visible()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(options))
    votes = sorted((int(rows.nth(n).locator("td").last.inner_text()) for n in range(len(options))), reverse=True)
    assert votes == sorted(poll.result["votes"].values(), reverse=True)
    assert sum(votes) == sum(
        len(content) for content in Ballot.objects.filter(box=poll.box).values_list("content", flat=True)
    )
