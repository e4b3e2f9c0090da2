"""Setting an election up and standing in one, in the browser, in English and in Welsh (issue 17).

The secretary of a housing co-op creates its next board election through the form (a date that
does not exist is refused in the error summary first), adds seats elected by all the members and
seats the council appoints, publishes it, and finds it on the public list of elections. Then, in
the care co-op's election, which is taking nominations, a member nominates themself with a
statement, a proposer and a seconder (the election asks for them); the proposer and seconder
confirm online; the returning officer accepts the nomination; and the member sees it accepted.
Every page is checked with axe, in the journey's language.
"""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.core.models import Role, RoleKind, User
from coproduce.elections import selectors
from coproduce.elections.models import Election, Nomination, NominationStatus, Stage
from coproduce.members.models import Membership, MembershipStatus

from .conftest import check_page
from .test_join_journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRETARY_EMAIL = "secretary@example.org"
TITLE = "Board election 2027"
TITLE_CY = "Etholiad y bwrdd 2027"
STATEMENT = "I have worked nights for the co-op for six years. Rotas should be set with us, not for us."


def _with_password(membership: Membership) -> Membership:
    """Let a demo member sign in: the demo password and a verified email (as the demo's log-ins have)."""
    membership.person.set_password(DEMO_PASSWORD)
    membership.person.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=membership.person, email=membership.person.email, defaults={"verified": True, "primary": True}
    )
    return membership


def _care_members(election: Election, constituency) -> tuple[Membership, Membership, Membership]:
    """Three members with a vote for ``constituency`` today, named in no nomination yet: a candidate,
    a proposer and a seconder."""
    named = set()
    for nomination in Nomination.objects.filter(constituency__election=election):
        named |= {nomination.candidate_id, nomination.proposer_id, nomination.seconder_id}
    demo_people = ["member@example.org", "secretary@example.org", "officer@example.org", "resident@example.org"]
    candidate, proposer, seconder = (
        Membership.objects.filter(
            organisation=election.organisation,
            status=MembershipStatus.ADMITTED,
            person__in=selectors.electorate(constituency, on=timezone.localdate()),
        )
        .exclude(person__in=named)
        .exclude(person__email__in=demo_people)
        .select_related("person")
        .order_by("member_number")[:3]
    )
    return _with_password(candidate), _with_password(proposer), _with_password(seconder)


def _fill_date(page: Page, name: str, day: datetime.date | tuple[int, int, int], time: str | None = None) -> None:
    year, month, date = (day.year, day.month, day.day) if isinstance(day, datetime.date) else day
    page.fill(f"input[name={name}_day]", str(date))
    page.fill(f"input[name={name}_month]", str(month))
    page.fill(f"input[name={name}_year]", str(year))
    if time is not None:
        page.fill(f"input[name={name}_time]", time)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_secretary_sets_up_an_election_and_a_member_stands(page: Page, live_server, borough, lang: str):
    page.set_default_timeout(10_000)
    secretary = User.objects.get(email=SECRETARY_EMAIL)
    # The secretary's organisations are their current secretary roles; the housing co-op is one.
    slugs = set(
        Role.objects.current()
        .filter(person=secretary, kind=RoleKind.SECRETARY)
        .values_list("organisation__slug", flat=True)
    )
    assert "north-homes" in slugs, slugs
    slug = "north-homes"
    you = Journey(page, lang)

    # --- The secretary creates the election: a date that does not exist is refused first ------------
    page.goto(live_server.url + you.path("/"))
    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.heading("Your work")  # where people who run things land; each organisation's elections are there
    you.follow(f"main a[href$='/organisations/{slug}/elections/']")
    you.heading("Elections")
    you.follow(f"main a[href$='/organisations/{slug}/elections/new/']")
    you.heading("Create an election")

    today = timezone.localdate()
    moments = {
        "nominations_open": (today + datetime.timedelta(days=7), "09:00"),
        "nominations_close": (today + datetime.timedelta(days=28), "17:00"),
        "voting_open": (today + datetime.timedelta(days=35), "09:00"),
        "voting_close": (today + datetime.timedelta(days=49), "17:30"),
    }
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=title_cy]", TITLE_CY)
    page.fill("textarea[name=description]", "Two board members elected by all the members, and a council nominee.")
    page.check("input[name=rules][value=scottish]")
    for name, (day, time) in moments.items():
        _fill_date(page, name, day, time)
    _fill_date(page, "voting_close", (day.year, 2, 30))  # 30 February: no such day
    _fill_date(page, "qualifying_date", today + datetime.timedelta(days=28))
    page.check("input[name=nominations_need_proposer][value=no]")
    page.select_option("select[name=returning_officer]", str(User.objects.get(email="officer@example.org").pk))
    you.submit()
    assert page.title().startswith(you.says("Error:")), page.title()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        you.says("Enter a real date for “%(what)s”, like 27 3 2026", what=you.says("Voting closes"))
    )
    expect(summary.locator("a[href='#id_voting_close_day']")).to_have_count(1)
    expect(page.locator("input[name=title]")).to_have_value(TITLE)  # what was typed is kept
    _fill_date(page, "voting_close", moments["voting_close"][0])
    you.submit()
    election = Election.objects.get(organisation__slug=slug, title=TITLE)
    assert election.stage == Stage.DRAFT and election.title_cy == TITLE_CY
    assert timezone.localtime(election.voting_close).strftime("%H:%M") == "17:30"
    you.banner("You created the election. Now add the seats it elects, then publish it.")
    expect(page.locator("main h1")).to_have_text(TITLE_CY if lang == "cy" else TITLE)

    # --- Seats elected by all the members, and seats the council appoints --------------------------
    you.follow(f"main a[href$='/elections/{election.pk}/constituencies/new/']")
    you.heading("Add elected seats")
    page.fill("input[name=name]", "Independent members")
    page.fill("input[name=name_cy]", "Aelodau annibynnol")
    page.fill("input[name=seats]", "2")
    page.check("input[name=elected_by][value=all]")
    you.submit()
    you.banner("You added the seats “%(name)s”.", name="Independent members")
    you.follow(f"main a[href$='/elections/{election.pk}/appointed-seats/new/']")
    you.heading("Add appointed seats")
    page.fill("input[name=title]", "Council nominee")
    page.fill("input[name=title_cy]", "Enwebai'r cyngor")
    page.fill("input[name=seats]", "1")
    page.fill("input[name=appointed_by]", "Kingsmere Borough Council")
    you.submit()
    you.banner("You added the appointed seats “%(name)s”.", name="Council nominee")
    (constituency,) = election.constituencies.all()
    assert constituency.seats == 2 and constituency.stakeholder_class is None
    assert election.appointed_seats.get().appointed_by == "Kingsmere Borough Council"

    # --- Published, and on the public list ---------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("button", name=you.says("Publish the election")).click()
    check_page(page, lang=lang)
    you.banner("You published the election. Members can now see it and its timetable.")
    election.refresh_from_db()
    assert election.stage == Stage.PUBLISHED
    you.goto(live_server.url + you.path("/elections/"))
    you.heading("Elections")
    listed = page.locator(f"main a[href$='/elections/{election.pk}/']")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(TITLE_CY if lang == "cy" else TITLE)
    you.follow(f"main a[href$='/elections/{election.pk}/']")
    expect(page.locator("main")).to_contain_text(constituency.localised_name(lang))
    you.signs_out()

    # --- In the care co-op's election, a member stands, with a proposer and a seconder ----------------
    care = Election.objects.get(organisation__slug="caring-together", stage=Stage.PUBLISHED)
    assert care.nominations_need_proposer, "the demo's care election asks for a proposer and a seconder"
    everyone = care.constituencies.get(stakeholder_class=None)
    candidate, proposer, seconder = _care_members(care, everyone)
    you.signs_in(candidate.person.email, DEMO_PASSWORD)
    you.goto(live_server.url + you.path(f"/elections/{care.pk}/"))
    you.follow(f"main a[href$='/elections/{care.pk}/nominate/']")
    you.heading("Nominate a candidate")
    if page.locator("input[name=constituency]").count():  # a care worker also has the workers' seats
        page.check(f"input[name=constituency][value='{everyone.pk}']")
    page.check("input[name=candidate][value=self]")
    expect(page.locator("input[name=ballot_name]")).to_have_value(candidate.person.full_name)
    page.fill("textarea[name=statement]", STATEMENT)
    page.fill("input[name=proposer]", str(proposer.member_number))
    page.fill("input[name=seconder]", str(seconder.member_number))
    you.submit()
    nomination = Nomination.objects.get(constituency__election=care, candidate=candidate.person)
    you.heading("Nomination of %(name)s", name=candidate.person.full_name)
    you.banner(
        "Your nomination has been sent. We have asked the people named in it to confirm it; "
        "the returning officer decides on it once they have."
    )
    you.sees(str(NominationStatus.SUBMITTED.label))
    expect(page.locator("main")).to_contain_text(STATEMENT)
    you.signs_out()

    # The proposer and the seconder each confirm it from its page.
    for supporter in (proposer, seconder):
        you.signs_in(supporter.person.email, DEMO_PASSWORD)
        you.goto(live_server.url + you.path(f"/elections/nominations/{nomination.pk}/"))
        with page.expect_navigation():
            page.locator("main form[method=post]").filter(
                has=page.locator("input[name=action][value=confirm]")
            ).locator("button").click()
        check_page(page, lang=lang)
        you.banner("You have confirmed the nomination.")
        you.signs_out()
    nomination.refresh_from_db()
    assert nomination.is_complete

    # --- The returning officer (the co-op's secretary) accepts it on the decide page ------------------
    assert care.returning_officer == secretary
    cache.clear()  # a TOTP code is accepted only once, and the secretary signed in with one already
    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(live_server.url + you.path(f"/elections/{care.pk}/manage/"))
    you.follow(f"main a[href$='/elections/nominations/{nomination.pk}/decide/']")
    you.heading("Decide on a nomination")
    expect(page.locator("main")).to_contain_text(STATEMENT)
    page.check("input[name=decision][value=accept]")
    you.submit()
    you.banner("You accepted the nomination of %(name)s.", name=candidate.person.full_name)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED and nomination.decided_by == secretary
    you.signs_out()

    # --- The member sees their nomination accepted ---------------------------------------------------
    you.signs_in(candidate.person.email, DEMO_PASSWORD)
    you.goto(live_server.url + you.path(f"/elections/nominations/{nomination.pk}/"))
    you.heading("Nomination of %(name)s", name=candidate.person.full_name)
    expect(page.locator("main .govuk-tag")).to_have_text(you.says(str(NominationStatus.ACCEPTED.label)))
