"""A ward budget in the browser, from an idea to the recounted result, in English and in Welsh (issue 18).

Kingsmere council gives Elmwood £10,000 in a new round taking ideas. The demo resident (her address
declared, as the round asks) sends an idea with a photo and its alt text and is told an officer
will check it. The council's officer (with an authenticator) publishes it, costs it into a project,
costs a neighbour's idea into a second, and marks a third idea not feasible with a reason. The
calendar is moved on by hand (the clock is the test's to pass), and the officer opens voting. The
resident ticks both projects, over the budget, and is refused with the totals in the error summary;
"Update the total" sends the page back worked out on the server (the no-JavaScript path); she casts
a vote within the budget and keeps her receipt. The officer marks a neighbour who posted a paper,
enters that paper in a batch, and is refused when checking their own batch; a second council
officer checks it. Voting closes, the count runs at once, and the result page explains every
project; the published ``.pb`` recounts to the API's selection through the ``coproduce`` command.

A second journey: a resident of another ward, and an Elmwood resident whose address is not
confirmed, are each told why they cannot send an idea or vote.

Links and fields are found by ``href``, ``name`` and value (the same in both languages); what a
person reads is asserted through the catalogue (``Journey.says``). ``check_page`` runs after every
page: no HTTP or script error (a refusal's 403 is expected and asserted where it is the answer),
``<html lang>`` right, and no axe WCAG 2.2 AA violation.

Set ``JOURNEY_SHOTS`` to a folder to keep a screenshot of each main page (for reading them, not
for the test).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import Page, expect

from coproduce.budgets import counting, services
from coproduce.budgets.models import (
    BallotKind,
    BudgetRound,
    CountRule,
    Idea,
    IdeaStatus,
    Project,
    ProjectStatus,
    Stage,
)
from coproduce.budgets.results import explanation
from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.core.models import Organisation, Place, PlaceKind, RoleKind, User
from coproduce.core.services import role_grant
from coproduce.core.verification import VerificationLevel
from coproduce.voting.models import Ballot, Mark

from .conftest import check_page
from .test_join_journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCIL = "kingsmere-council"
RESIDENT_EMAIL = "resident@example.org"
OFFICER_EMAIL = "officer@example.org"
CHECKER_EMAIL = "checker@example.org"
AMOUNT = 10_000_00
IDEA_TITLE = "Benches by the canal lock"
IDEA_DESCRIPTION = "Two benches by the lock, so that older neighbours can rest on the walk to the shops."
PHOTO_ALT = "A bare stretch of towpath beside the canal lock, with nowhere to sit."
SHOTS = os.environ.get("JOURNEY_SHOTS")


def _shot(page: Page, lang: str, name: str) -> None:
    """Keep a screenshot of the page when ``JOURNEY_SHOTS`` names a folder (for people to read)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"budget-{lang}-{name}.png"), full_page=True)


def _in(lang: str, text) -> str:
    """A lazy label (a choice's, a level's) as it reads in ``lang``."""
    with translation.override(lang):
        return str(text)


def _can_sign_in(person: User) -> User:
    """Let a demo resident sign in: the demo password and a verified email (as the demo's log-ins have)."""
    person.set_password(DEMO_PASSWORD)
    person.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=person, email=person.email, defaults={"verified": True, "primary": True})
    return person


def _elmwood() -> Place:
    return Place.objects.get(kind=PlaceKind.WARD, name="Elmwood")


def _neighbours(count: int) -> list[User]:
    """Elmwood residents of the demo with a declared address (not the demo's log-ins)."""
    return list(
        User.objects.filter(
            ward=_elmwood(), email__startswith="elm", verification_level__gte=VerificationLevel.DECLARED
        ).order_by("pk")[:count]
    )


def _round_taking_ideas() -> tuple[BudgetRound, list[Idea]]:
    """A new £10,000 round for Elmwood, taking ideas now (knapsack ballot, Equal Shares), asking for
    a declared address as the demo resident has; two neighbours' ideas already published."""
    council = Organisation.objects.get(slug=COUNCIL)
    officer = User.objects.get(email=OFFICER_EMAIL)
    now = timezone.now()
    day = datetime.timedelta(days=1)
    budget_round = services.round_create(
        organisation=council,
        by=officer,
        place=_elmwood(),
        title="Elmwood small grants 2027",
        title_cy="Grantiau bach Elmwood 2027",
        description="£10,000 for small things that make Elmwood better. Send ideas, then vote.",
        description_cy="£10,000 ar gyfer pethau bach sy’n gwella Elmwood. Anfonwch syniadau, yna pleidleisiwch.",
        amount=AMOUNT,
        ideas_open=now - day,
        ideas_close=now + 7 * day,
        review_close=now + 14 * day,
        voting_open=now + 15 * day,
        voting_close=now + 29 * day,
        min_level=VerificationLevel.DECLARED,
        ballot_kind=BallotKind.KNAPSACK,
        count_rule=CountRule.MES,
    )
    budget_round = services.round_publish(budget_round=budget_round, by=officer)
    first, second = _neighbours(2)
    ideas = [
        services.idea_submit(
            budget_round=budget_round,
            person=first,
            title="Planters on the parade",
            description="Big planters with flowers all along Elmwood Parade.",
            where="Elmwood Parade",
        ),
        services.idea_submit(
            budget_round=budget_round,
            person=second,
            title="A lido in the park",
            description="An open-air pool for the summer.",
            where="Elmwood Park",
        ),
    ]
    return budget_round, [services.idea_moderate(idea=idea, by=officer, publish=True) for idea in ideas]


def _second_officer() -> User:
    """A second council officer, with an authenticator, to check the first one's batch of papers."""
    council = Organisation.objects.get(slug=COUNCIL)
    checker = User.objects.create_user(CHECKER_EMAIL, DEMO_PASSWORD, full_name="Carys Checker")
    EmailAddress.objects.create(user=checker, email=CHECKER_EMAIL, verified=True, primary=True)
    role_grant(organisation=council, person=checker, kind=RoleKind.OFFICER, actor=None)
    TOTP.activate(checker, DEMO_TOTP_SECRET)
    return checker


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "towpath.png"
    Image.new("RGB", (320, 200), (120, 160, 110)).save(path, format="PNG")
    return path


def _press(you: Journey, msgid: str, **params) -> None:
    """Press the main content's button whose words are ``msgid`` in the journey's language."""
    with you.page.expect_navigation():
        you.page.locator("main").get_by_role("button", name=you.says(msgid, **params), exact=True).click()
    check_page(you.page, lang=you.lang)


def _refused(you: Journey, url: str) -> None:
    """Open a page whose answer is a refusal (403), and check it as any other page."""
    response = you.page.goto(url)
    assert response is not None and response.status == 403, f"{url}: {response and response.status}"
    problems = you.page.problems.take()  # type: ignore[attr-defined]
    # The browser reports the status in its console too; nothing else may have gone wrong.
    expected = [
        f"HTTP error: 403 GET {response.url}",
        "browser console error: Failed to load resource: the server responded with a status of 403 (Forbidden)",
    ]
    assert problems == expected, problems
    check_page(you.page, lang=you.lang)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_idea_to_costed_vote_paper_count_and_recount(page: Page, live_server, borough, lang: str, tmp_path):
    page.set_default_timeout(10_000)
    budget_round, (planters, lido) = _round_taking_ideas()
    rid = budget_round.pk
    checker = _second_officer()
    (paper_voter,) = _neighbours(3)[2:]
    base = live_server.url
    you = Journey(page, lang)

    # --- The resident sends an idea with a photo ------------------------------------------------------
    page.goto(base + you.path("/"))
    you.signs_in(RESIDENT_EMAIL, DEMO_PASSWORD)
    you.goto(base + you.path("/budgets/"))
    you.follow(f"main a[href$='/budgets/{rid}/']")
    expect(page.locator("main h1")).to_have_text(budget_round.localised_title(lang))
    you.sees("You can take part in this budget.")
    _shot(page, lang, "round-ideas")
    you.follow(f"main a[href$='/budgets/{rid}/ideas/new/']")
    you.heading("Submit an idea")
    page.fill("input[name=title]", IDEA_TITLE)
    page.fill("textarea[name=description]", IDEA_DESCRIPTION)
    page.fill("input[name=where]", "Canal lock, Mill Lane")
    page.set_input_files("input[name=photo_1]", str(_photo(tmp_path)))
    page.fill("input[name=alt_1]", PHOTO_ALT)
    _shot(page, lang, "idea-form")
    you.submit()
    you.banner("Thank you: your idea has been sent. An officer will check it before it is published.")
    expect(page.locator("main h1")).to_have_text(IDEA_TITLE)
    expect(page.locator(f"main img[alt='{PHOTO_ALT}']")).to_be_visible()
    _shot(page, lang, "idea-sent")
    idea = Idea.objects.get(round=budget_round, title=IDEA_TITLE)
    assert idea.status == IdeaStatus.SUBMITTED and idea.photos.get().alt == PHOTO_ALT
    you.signs_out()

    # --- The officer publishes it, costs two projects and finds the lido not feasible -------------------
    you.signs_in(OFFICER_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(base + you.path(f"/budgets/{rid}/manage/"))
    you.sees("What to do next")
    you.follow(f"main a[href$='/budgets/{rid}/moderate/']")
    you.heading("Moderate ideas")
    expect(page.locator(f"main img[alt='{PHOTO_ALT}']")).to_be_visible()
    _shot(page, lang, "moderate")
    page.check(f"input[name='idea-{idea.pk}-decision'][value=publish]")
    you.submit(f"main form:has(input[name=idea][value='{idea.pk}'])")
    you.banner("You published the idea “%(title)s”.", title=IDEA_TITLE)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PUBLISHED

    costs = {}
    for source, title, title_cy, pounds in (
        (idea, "Canal lock benches", "Meinciau wrth loc y gamlas", "4000"),
        (planters, "Parade planters", "Planwyr ar y rhodfa", "7500"),
    ):
        you.goto(base + you.path(f"/budgets/{rid}/review/"))
        you.heading("Review ideas")
        page.check(f"#idea-{source.pk}")
        _press(you, "Cost a project from these ideas")
        you.heading("Cost a project")
        expect(page.locator(f"input[name=ideas][value='{source.pk}']")).to_be_checked()
        page.fill("input[name=title]", title)
        page.fill("input[name=title_cy]", title_cy)
        page.fill("textarea[name=description]", source.description)
        page.fill("input[name=cost]", pounds)
        page.fill("textarea[name=cost_breakdown]", "Supply and fitting")
        page.fill("input[name=delivery_time]", "3 months")
        _shot(page, lang, "cost-project")
        you.submit()
        you.heading("Review ideas")
        you.banner(
            "“%(title)s” is costed at %(cost)s and will be on the ballot.",
            title=title,
            cost=counting.money(int(pounds) * 100),
        )
        costs[title] = int(pounds) * 100
    page.check(f"#idea-{lido.pk}")
    _press(you, "Mark these ideas not feasible")
    you.heading("Mark ideas or a project not feasible")
    reason = "An open-air pool costs far more than £10,000 to build, and more each year to run."
    page.fill("textarea[name=reason]", reason)
    you.submit()
    you.banner("“%(title)s” is marked not feasible. Its proposers are being emailed the reason.", title=lido.title)
    expect(page.locator("#not-feasible-table")).to_contain_text(reason)
    _shot(page, lang, "review")
    projects = {p.title: p for p in Project.objects.filter(round=budget_round, status=ProjectStatus.COSTED)}
    assert {title: p.cost for title, p in projects.items()} == costs
    benches, planters_project = projects["Canal lock benches"], projects["Parade planters"]
    assert benches.cost + planters_project.cost > AMOUNT, "together the two projects must not fit the budget"

    # --- Time passes: the calendar reaches the vote (dates moved by hand), and the officer opens it ------
    now = timezone.now()
    day = datetime.timedelta(days=1)
    BudgetRound.objects.filter(pk=rid).update(
        ideas_open=now - 20 * day,
        ideas_close=now - 10 * day,
        review_close=now - 2 * day,
        voting_open=now - datetime.timedelta(minutes=1),
        voting_close=now + 10 * day,
    )
    you.goto(base + you.path(f"/budgets/{rid}/manage/"))
    you.sees("Every idea is reviewed and it is time to open voting.")
    _press(you, "Open voting")
    you.banner("Voting is open. The residents who can vote are on the electorate and have been told.")
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.VOTING
    assert budget_round.box.electors.filter(person__email=RESIDENT_EMAIL).exists()
    you.signs_out()

    # --- The resident votes: over the budget refused, the total updated, then cast within it -------------
    you.signs_in(RESIDENT_EMAIL, DEMO_PASSWORD)
    you.goto(base + you.path(f"/budgets/{rid}/"))
    expect(page.locator("#projects")).to_contain_text(benches.localised_title(lang))
    expect(page.locator("main")).to_contain_text(reason)  # the idea that cannot go ahead, and why
    _shot(page, lang, "round-voting")
    you.follow(f"main a[href$='/budgets/{rid}/vote/']")
    you.heading("Your ballot paper")
    page.check(f"input[name=projects][value='{benches.pk}']")
    page.check(f"input[name=projects][value='{planters_project.pk}']")
    over = you.says(
        "You have chosen %(chosen)s of %(budget)s: %(over)s over the budget. Take some projects out.",
        chosen=counting.money(benches.cost + planters_project.cost),
        budget=counting.money(AMOUNT),
        over=counting.money(benches.cost + planters_project.cost - AMOUNT),
    )
    expect(page.locator("#ballot-total")).to_have_text(over)  # live, where JavaScript runs
    _press(you, "Continue")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        you.says(
            "The projects you chose cost %(total)s together, more than the budget of %(amount)s. "
            "Take some out so that they fit.",
            total=counting.money(benches.cost + planters_project.cost),
            amount=counting.money(AMOUNT),
        )
    )
    assert page.title().startswith(you.says("Error:")), page.title()
    expect(page.locator(f"input[name=projects][value='{planters_project.pk}']")).to_be_checked()  # kept
    _shot(page, lang, "ballot-over-budget")
    assert not Mark.objects.filter(box=budget_round.box, elector__person__email=RESIDENT_EMAIL).exists()
    page.uncheck(f"input[name=projects][value='{planters_project.pk}']")
    _press(you, "Update the total")  # the page comes back from the server with the total worked out there
    expect(page.locator("#ballot-total")).to_have_text(
        you.says(
            "You have chosen %(chosen)s of %(budget)s; %(left)s left.",
            chosen=counting.money(benches.cost),
            budget=counting.money(AMOUNT),
            left=counting.money(AMOUNT - benches.cost),
        )
    )
    expect(page.locator(f"input[name=projects][value='{benches.pk}']")).to_be_checked()
    expect(page.locator(f"input[name=projects][value='{planters_project.pk}']")).not_to_be_checked()
    _press(you, "Continue")
    you.heading("Check your vote")
    expect(page.locator("main .govuk-summary-list")).to_contain_text(benches.localised_title(lang))
    together = you.says(
        "%(chosen)s of the budget of %(budget)s", chosen=counting.money(benches.cost), budget=counting.money(AMOUNT)
    )
    expect(page.locator("main .govuk-summary-list strong")).to_have_text(together)  # bold, not its tags
    _shot(page, lang, "ballot-check")
    _press(you, "Cast my vote")
    you.heading("Your vote has been recorded")
    receipt = page.locator("main .app-receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt), receipt
    _shot(page, lang, "receipt")
    you.signs_out()

    # --- The officer marks a paper voter and enters the paper; they cannot check their own batch ---------
    cache.clear()  # the demo's officers share one TOTP secret, and a code is accepted only once
    you.signs_in(OFFICER_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(base + you.path(f"/budgets/{rid}/manage/"))
    you.follow(f"main a[href$='/budgets/{rid}/paper/']")
    you.heading("Paper ballots")
    page.fill("input[name=q]", paper_voter.email)
    you.submit("main form[method=get]")
    expect(page.locator("#found")).to_contain_text(paper_voter.full_name)
    you.submit(f"main form:has(input[name=person][value='{paper_voter.pk}'])")
    you.sees(
        "%(voted)s of %(electorate)s have voted so far, %(paper)s of them on paper.",
        voted=2,
        electorate=budget_round.box.electorate_size,
        paper=1,
    )
    _press(you, "Start a new batch")
    you.heading("Batch %(number)s of paper ballots", number=1)
    page.check(f"input[name=projects][value='{planters_project.pk}']")
    _press(you, "Enter this paper")
    you.banner("Paper entered. Enter the next one.")
    expect(page.locator("main table")).to_contain_text(planters_project.localised_title(lang))
    _shot(page, lang, "paper-batch")
    batch = budget_round.box.paper_batches.get()
    assert Ballot.objects.filter(batch=batch).count() == 1
    you.goto(base + you.path(f"/budgets/{rid}/paper/batches/{batch.pk}/check/"))
    you.sees("You entered this batch, so someone else must check it.")
    _press(you, "The papers match: confirm the check")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        you.says("A batch is checked by a second officer, not the one who entered it.")
    )
    batch.refresh_from_db()
    assert batch.checked_at is None
    you.signs_out()

    # --- A second council officer checks the batch ------------------------------------------------------
    cache.clear()
    you.signs_in(CHECKER_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(base + you.path(f"/budgets/{rid}/paper/"))
    you.follow(f"main a[href$='/paper/batches/{batch.pk}/check/']")
    you.heading("Check batch %(number)s", number=1)
    expect(page.locator("main table")).to_contain_text(planters_project.localised_title(lang))
    _shot(page, lang, "paper-check")
    _press(you, "The papers match: confirm the check")
    you.banner("You checked batch %(number)s.", number=1)
    batch.refresh_from_db()
    assert batch.checked_by == checker

    # --- Time passes: voting's close comes; the officer closes it and the count runs at once -------------
    BudgetRound.objects.filter(pk=rid).update(voting_close=timezone.now() - datetime.timedelta(minutes=1))
    you.goto(base + you.path(f"/budgets/{rid}/manage/"))
    you.sees("The time for voting has passed: close voting.")
    _press(you, "Close voting")
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DECLARED, "the count runs as soon as voting closes"
    you.follow(f"main a[href$='/budgets/{rid}/result/']")
    you.heading("Result: %(round)s", round=budget_round.localised_title(lang))
    _shot(page, lang, "result")
    you.signs_out()

    # --- Anyone reads the result: every project explained -----------------------------------------------------
    you.goto(base + you.path(f"/budgets/{rid}/"))
    you.follow(f"main a[href$='/budgets/{rid}/result/']")
    you.heading("Result: %(round)s", round=budget_round.localised_title(lang))
    result = page.request.get(f"{base}/api/budgets/{rid}/result").json()
    assert {entry["id"] for entry in result["projects"]} == {str(benches.pk), str(planters_project.pk)}
    titles = {str(p.pk): p.localised_title(lang) for p in projects.values()}
    rows = page.locator("#budget-projects tbody tr")
    expect(rows).to_have_count(len(result["projects"]))
    for entry in budget_round.result["projects"]:
        row = rows.filter(has=page.locator("th", has_text=titles[str(entry["id"])]))
        expect(row).to_have_count(1)
        with translation.override(lang):
            why = explanation(entry, titles)
        assert why.strip()
        expect(row).to_contain_text(why)
        funded = str(entry["id"]) in result["selected"]
        expect(row.locator(".govuk-tag")).to_have_text(you.says("Funded" if funded else "Not funded"))
        if lang == "en":  # the words a resident reads, not a code
            assert why.startswith("Funded: " if funded else "Not funded: "), why

    # --- Anyone recounts the published ballots through the command line --------------------------------------
    ballots = page.request.get(result["ballots"])
    assert ballots.ok
    path = tmp_path / "ballots.pb"
    path.write_bytes(ballots.body())
    command = [sys.executable, "-m", "coproduce", "count", "pb", str(path), "--rule", "as-declared", "--format", "json"]
    recount = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    assert recount["selected"] == result["selected"]
    assert result["selected"], "the count funds at least one project"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_another_ward_and_not_verified_enough_are_told_why(page: Page, live_server, borough, lang: str):
    page.set_default_timeout(10_000)
    ideas_round, _ideas = _round_taking_ideas()
    voting_round = BudgetRound.objects.get(place__name="Elmwood", stage=Stage.VOTING)
    elmwood = _elmwood()
    outsider = _can_sign_in(
        User.objects.filter(ward__name="Ironbridge", email__startswith="iron").order_by("pk").first()
    )
    neighbour = _neighbours(1)[0]
    unconfirmed = User.objects.create_user(
        "nia@example.org",
        DEMO_PASSWORD,
        full_name="Nia Newydd",
        address="9 Canal Row, Kingsmere",
        postcode=neighbour.postcode,
        ward=elmwood,
    )
    _can_sign_in(unconfirmed)
    assert unconfirmed.verification_level < voting_round.min_level
    base = live_server.url
    you = Journey(page, lang)
    page.goto(base + you.path("/"))

    with translation.override(lang):
        place = elmwood.localised_name(lang)
    another_ward = you.says("This is for people who live in %(place)s ward.", place=place)
    not_confirmed = you.says(
        "You need to confirm your address before you can take part (at least: %(level)s).",
        level=_in(lang, VerificationLevel(voting_round.min_level).label),
    )
    # Who cannot take part, why, and whether they are shown where to put it right (only the address
    # check can be put right; where someone lives is not the round's to change).
    for person, reason, remedies, name in (
        (outsider, another_ward, 0, "another-ward"),
        (unconfirmed, not_confirmed, 1, "unconfirmed"),
    ):
        you.signs_in(person.email, DEMO_PASSWORD)
        # The round's page says so before they try.
        you.goto(base + you.path(f"/budgets/{ideas_round.pk}/"))
        # "yet" only where they can put it right.
        you.sees("You cannot take part in this budget yet." if remedies else "You cannot take part in this budget.")
        expect(page.locator("main")).to_contain_text(reason)
        expect(page.locator("main a[href$='/account/#verification']")).to_have_count(remedies)
        _shot(page, lang, f"refused-round-{name}")
        expect(page.locator(f"main a[href$='/budgets/{ideas_round.pk}/ideas/new/']")).to_have_count(0)
        # Sending an idea: refused, with the reason.
        _refused(you, base + you.path(f"/budgets/{ideas_round.pk}/ideas/new/"))
        you.heading("You cannot send an idea to this budget")
        expect(page.locator("main")).to_contain_text(reason)
        _shot(page, lang, f"refused-idea-{name}")
        # Voting in the demo's Elmwood round: refused, with the reason.
        _refused(you, base + you.path(f"/budgets/{voting_round.pk}/vote/"))
        you.heading("You cannot vote in this budget round")
        expect(page.locator("main")).to_contain_text(reason)
        expect(page.locator("main input[name=projects]")).to_have_count(0)
        _shot(page, lang, f"refused-vote-{name}")
        assert not Mark.objects.filter(box=voting_round.box, elector__person=person).exists()
        you.signs_out()
