"""A general meeting in the browser, from its notice to its published minutes, in English and in Welsh (issue 19).

Kingsmere North Homes' secretary (with an authenticator) calls an annual general meeting with an
ordinary and two special resolutions, dated one day inside the fourteen clear days the co-op's rules
ask: the notice is refused with the earliest lawful date, and sent once the meeting is moved to that
date. ``member@example.org`` appoints the chair as a directed proxy (abstain, for, against). The
calendar is moved on to the evening of the meeting (the clock is the test's to pass). At the door
the secretary checks members in one by one while the quorum line counts them with the proxy; business
is refused, with the figures, one short of the quorum, and starts once it is met, chaired by the
chair of last year's AGM. On a show of hands the first special resolution reaches exactly the
three-quarters its kind needs (3 for, 1 against: carried) and the second falls one vote short of it
(2 for, 1 against: not carried); the proxy's votes are in both counts. The meeting closes, the
minutes are drafted from the record and edited; the board's next meeting approves them and the
secretary publishes them; the member reads them and how the meeting voted.

The co-op's rules are the demo's, with a quorum of four instead of twenty (a new version from today,
recorded in the setup), so that the door is reached in three check-ins.

Links and fields are found by ``href``, ``name`` and value (the same in both languages); what a
person reads is asserted through the catalogue (``MeetingJourney.says``). ``check_page`` runs after
every page: no HTTP or script error, ``<html lang>`` right, and no axe WCAG 2.2 AA violation.

Set ``JOURNEY_SHOTS`` to a folder to keep a screenshot of each main page (for reading them, not
for the test).
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.core.jinja import long_date
from coproduce.core.models import Organisation, Role, RoleKind, User
from coproduce.governance import law, selectors, services
from coproduce.governance.models import (
    AttendanceMode,
    Meeting,
    MeetingKind,
    MeetingRules,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Proxy,
    Resolution,
    ResolutionKind,
)
from coproduce.members.models import Membership
from coproduce.voting.models import BallotBox, Channel

from .conftest import check_page
from .test_join_journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "north-homes"
SECRETARY_EMAIL = "secretary@example.org"
MEMBER_EMAIL = "member@example.org"
DEMO_LOGINS = ["secretary@example.org", "member@example.org", "officer@example.org", "resident@example.org"]
QUORUM = 4
TITLE = "Annual general meeting: the rules"
TITLE_CY = "Cyfarfod cyffredinol blynyddol: y rheolau"
PLACE = "Castle Hill Community Centre, Castle Hill Road, Kingsmere"
QUESTIONS = "Questions from members: the repairs backlog on Ashby Green, and next year's rents."
QUESTIONS_CY = "Cwestiynau gan aelodau: yr atgyweiriadau sy'n aros ar Ashby Green, a rhenti'r flwyddyn nesaf."
# The notice task emails hundreds of members and makes the PDF of letters to post, inside the request
# (the tests' task backend runs tasks at once, where a worker would run them): allow it the time.
NOTICE_TIMEOUT_MS = 180_000
SHOTS = os.environ.get("JOURNEY_SHOTS")


@dataclass(frozen=True)
class Business:
    """A resolution the secretary sets out, how the member directs the chair to vote on it, and the
    chair's count on the show of hands (for, against, abstaining)."""

    kind: str
    title: str
    title_cy: str
    text: str
    text_cy: str
    direction: str
    hands: tuple[int, int, int]

    @property
    def totals(self) -> tuple[int, int, int]:
        """The declared figures: the hands, with the member's proxy vote as directed."""
        votes = list(self.hands)
        votes[("for", "against", "abstain").index(self.direction)] += 1
        return votes[0], votes[1], votes[2]


BUSINESS = [
    Business(
        ResolutionKind.ORDINARY,
        "Receive the annual accounts",
        "Derbyn y cyfrifon blynyddol",
        "That the annual accounts for the year to 31 March and the auditors' report on them be received.",
        "Bod y cyfrifon blynyddol am y flwyddyn hyd at 31 Mawrth ac adroddiad yr archwilwyr arnynt yn cael eu derbyn.",
        direction="abstain",
        hands=(2, 1, 0),
    ),
    # Exactly at the threshold: 3 for and 1 against is three-quarters of the votes cast.
    Business(
        ResolutionKind.SPECIAL,
        "Hold general meetings online as well",
        "Cynnal cyfarfodydd cyffredinol ar-lein hefyd",
        "That rule 38 be amended so that a general meeting may be held at a place, online, or both.",
        "Bod rheol 38 yn cael ei diwygio fel y caniateir cynnal cyfarfod cyffredinol mewn lle, ar-lein, neu'r ddau.",
        direction="for",
        hands=(2, 1, 0),
    ),
    # One vote below it: 2 for and 1 against (the abstention is not a vote cast) is two-thirds.
    Business(
        ResolutionKind.SPECIAL,
        "Raise the share to £5",
        "Codi'r gyfran i £5",
        "That rule 12 be amended so that a member's share is £5 instead of £1.",
        "Bod rheol 12 yn cael ei diwygio fel bod cyfran aelod yn £5 yn lle £1.",
        direction="against",
        hands=(2, 0, 1),
    ),
]


class MeetingJourney(Journey):
    """A ``Journey`` reading the meetings' words through the catalogue as it stands.

    The Welsh catalogue of the meetings' strings is made centrally (``coproduce/core/tests/test_i18n.py``
    fails on a string left untranslated); until a string is translated the Welsh page shows it in
    English, and this journey expects it there, so it passes before and after the translation.
    """

    def says(self, msgid: str, **params) -> str:
        with translation.override(self.lang):
            text = translation.gettext(msgid)
        return text % params if params else text


def _shot(page: Page, lang: str, name: str) -> None:
    """Keep a screenshot of the page when ``JOURNEY_SHOTS`` names a folder (for people to read)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"meeting-{lang}-{name}.png"), full_page=True)


def _in(lang: str, value, **kwargs) -> str:
    """``long_date`` of a date, or a lazy label, as it reads in ``lang``."""
    with translation.override(lang):
        if isinstance(value, datetime.date):
            return long_date(value, **kwargs)
        return str(value)


def _press(you: Journey, msgid: str, *, timeout: float | None = None, **params) -> None:
    """Press the main content's button whose words are ``msgid`` in the journey's language."""
    wait = {"timeout": timeout} if timeout else {}
    with you.page.expect_navigation(**wait):
        you.page.locator("main").get_by_role("button", name=you.says(msgid, **params), exact=True).click(**wait)
    check_page(you.page, lang=you.lang)


def _open(page: Page, details: str) -> None:
    """Unfold the main content's ``details`` element (a form folded away under its summary)."""
    folded = page.locator("main").locator(details)
    if folded.get_attribute("open") is None:
        folded.locator("summary").click()


def _fill_date(page: Page, name: str, day: datetime.date) -> None:
    page.fill(f"input[name={name}_day]", str(day.day))
    page.fill(f"input[name={name}_month]", str(day.month))
    page.fill(f"input[name={name}_year]", str(day.year))


def _summary_value(page: Page, key: str):
    """The value cell of the summary-list row whose key reads exactly ``key``."""
    keyed = page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    return page.locator("main .govuk-summary-list__row").filter(has=keyed).locator("dd").first


def _smaller_quorum(homes: Organisation, secretary: User) -> MeetingRules:
    """The co-op's rules from today: as the demo records them, with a quorum of four members."""
    rules = services.rules_set(
        organisation=homes,
        by=secretary,
        effective_from=timezone.localdate(),
        quorum_number=QUORUM,
        quorum_rule="number",
    )
    assert rules.proxies_allowed and rules.proxies_count_to_quorum and rules.notice_agm_days == 14
    return rules


def _at_the_door(homes: Organisation) -> list[tuple[User, int]]:
    """Who comes, with their member numbers: last year's chair, then two tenants with a vote (not
    the demo's log-ins, not the board)."""
    last_agm = Meeting.objects.filter(organisation=homes, kind=MeetingKind.AGM, status=MeetingStatus.CLOSED).latest(
        "starts_at"
    )
    chair = last_agm.chair
    board = Role.objects.current().filter(organisation=homes, kind=RoleKind.BOARD_MEMBER).values("person")
    voters = selectors.voting_member_ids(homes, on=timezone.localdate())
    assert chair.pk in voters
    others = (
        Membership.objects.current()
        .filter(organisation=homes, person__in=voters)
        .exclude(person__in=board)
        .exclude(person__email__in=DEMO_LOGINS)
        .select_related("person")
        .order_by("member_number")[:2]
    )
    numbers = dict(Membership.objects.filter(organisation=homes).values_list("person_id", "member_number"))
    return [(chair, numbers[chair.pk])] + [(m.person, m.member_number) for m in others]


def _the_calendar_reaches_the_meeting(meeting: Meeting) -> None:
    """Time passes: the evening of the meeting comes. Its time and the notice's date move back together
    (so the notice still gave exactly the clear days it gave), and so do the proxies and ballot boxes."""
    now = timezone.now()
    starts_at = now - datetime.timedelta(minutes=1)
    shift = meeting.starts_at - starts_at
    days = datetime.timedelta(days=(meeting.starts_on - timezone.localdate(starts_at)).days)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, notice_sent_on=F("notice_sent_on") - days)
    Proxy.objects.filter(meeting=meeting).update(appointed_at=F("appointed_at") - shift)
    BallotBox.objects.filter(pk__in=meeting.resolutions.values("box")).update(opened_at=F("opened_at") - shift)
    meeting.refresh_from_db()


def _the_board_approves(homes: Organisation, secretary: User) -> Meeting:
    """Time passes again: the board's next meeting (the demo's, being prepared) is called and held,
    through the services on its day; the minutes are approved there."""
    board_meeting = Meeting.objects.get(organisation=homes, kind=MeetingKind.BOARD, status=MeetingStatus.DRAFT)
    board_meeting = services.notice_send(meeting=board_meeting, by=secretary)
    board = [role.person for role in Role.objects.current().filter(organisation=homes, kind=RoleKind.BOARD_MEMBER)]
    arrive = board_meeting.starts_at - datetime.timedelta(minutes=10)
    for person in board[:3]:
        services.attendance_check_in(
            meeting=board_meeting, person=person, by=secretary, mode=AttendanceMode.IN_PERSON, now=arrive
        )
    return services.business_start(
        meeting=board_meeting, by=secretary, chair=board[0], now=board_meeting.starts_at + datetime.timedelta(minutes=1)
    )


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_agm_notice_proxy_quorum_threshold_boundary_and_minutes(page: Page, live_server, borough, lang: str):
    page.set_default_timeout(10_000)
    homes = Organisation.objects.get(slug=SLUG)
    secretary = User.objects.get(email=SECRETARY_EMAIL)
    member = User.objects.get(email=MEMBER_EMAIL)
    rules = _smaller_quorum(homes, secretary)
    arrivals = _at_the_door(homes)
    chair = arrivals[0][0]
    today = timezone.localdate()
    # The law's answers the pages must give: fourteen clear days leave out the day sent and the day
    # of the meeting, so the earliest date is fifteen days on; one day before it is short notice.
    earliest = law.earliest_meeting_date(today, rules.notice_agm_days)
    assert earliest == today + datetime.timedelta(days=15)
    inside = earliest - datetime.timedelta(days=1)
    assert law.notice_is_short(today, inside, 14) and not law.notice_is_short(today, earliest, 14)
    # The boundary: three-quarters of the votes cast, reached (inclusive) by 3 for and 1 against,
    # missed by one vote fewer for.
    special = rules.threshold_for(ResolutionKind.SPECIAL)
    results = [law.resolution_result(b.kind, *b.totals, rules.threshold_for(b.kind)) for b in BUSINESS]
    assert special.inclusive and results[1].share == special.fraction == Fraction(3, 4) and results[1].passed
    assert results[2].for_votes == results[1].for_votes - 1 and results[2].share == Fraction(2, 3)
    assert [r.passed for r in results] == [True, True, False]
    base = live_server.url
    you = MeetingJourney(page, lang)

    # --- The secretary calls the AGM one day inside the notice period ----------------------------------
    page.goto(base + you.path("/"))
    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(base + you.path(f"/organisations/{SLUG}/meetings/"))
    you.heading("Meetings")
    _shot(page, lang, "meetings")
    you.follow(f"main a[href$='/organisations/{SLUG}/meetings/new/']")
    you.heading("Call a meeting")
    page.check("input[name=kind][value=agm]")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=title_cy]", TITLE_CY)
    _fill_date(page, "starts_at", inside)
    page.fill("input[name=starts_at_time]", "19:00")
    page.fill("input[name=place]", PLACE)
    _shot(page, lang, "call")
    you.submit()
    you.banner("You created the meeting. Now add its agenda and resolutions, then send the notice.")
    meeting = Meeting.objects.get(organisation=homes, title=TITLE)
    mid = meeting.pk
    expect(page.locator("main h1")).to_have_text(TITLE_CY if lang == "cy" else TITLE)
    you.sees("If you send the notice today, the earliest date is %(date)s.", date=_in(lang, earliest))
    you.sees("The meeting is on %(date)s, inside the notice period.", date=_in(lang, inside))

    # Its resolutions, set out in full.
    for business in BUSINESS:
        _open(page, "details:has(input[name=resolution-kind])")  # folded away once there is one
        page.check(f"input[name=resolution-kind][value={business.kind}]")
        page.fill("input[name=resolution-title]", business.title)
        page.fill("input[name=resolution-title_cy]", business.title_cy)
        page.fill("textarea[name=resolution-text]", business.text)
        page.fill("textarea[name=resolution-text_cy]", business.text_cy)
        page.check("input[name=resolution-method][value=hands]")
        you.submit("main form:has(input[name=action][value=resolution_add])")
        you.banner("You added the resolution “%(title)s”.", title=business.title)
    resolutions = list(meeting.resolutions.order_by("order", "pk"))
    assert [(r.kind, r.title) for r in resolutions] == [(b.kind, b.title) for b in BUSINESS]
    _shot(page, lang, "manage-draft")

    # The notice is refused, with the earliest lawful date.
    you.follow(f"main a[href$='/meetings/{mid}/notice/']")
    you.heading("Send the notice")
    _press(you, "Send the notice")
    refusal = you.says(
        "The meeting must be at least %(days)s clear days after the notice: the earliest date is %(date)s.",
        days=14,
        date=_in(lang, earliest),
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text(refusal)
    assert page.title().startswith(you.says("Error:")), page.title()
    _shot(page, lang, "notice-refused")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT and meeting.notice_sent_on is None
    assert not Resolution.objects.filter(meeting=meeting, box__isnull=False).exists()

    # Moved to the earliest date, the notice goes out.
    you.follow(f"main a[href$='/meetings/{mid}/edit/']")
    you.heading("Change the meeting")
    _fill_date(page, "starts_at", earliest)
    you.submit()
    you.banner("You saved the changes to the meeting.")
    you.follow(f"main a[href$='/meetings/{mid}/notice/']")
    you.heading("Send the notice")
    _press(you, "Send the notice", timeout=NOTICE_TIMEOUT_MS)
    you.banner("You sent the notice. Members who take notices by email are being emailed now.")
    you.heading("The notice")
    _shot(page, lang, "notice-sent")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.starts_on, meeting.notice_sent_on) == (MeetingStatus.CALLED, earliest, today)
    assert meeting.notice_clear_days == 14 and meeting.rules == rules
    notices = [m for m in mail.outbox if MEMBER_EMAIL in m.to and f"/meetings/{mid}/" in m.body]
    assert len(notices) == 1, "the member takes notices by email"
    you.signs_out()

    # --- The member appoints the chair as a directed proxy ----------------------------------------------
    you.signs_in(MEMBER_EMAIL, DEMO_PASSWORD)
    you.goto(base + you.path("/meetings/"))
    you.follow(f"main a[href$='/meetings/{mid}/']")
    expect(page.locator("main h1")).to_have_text(TITLE_CY if lang == "cy" else TITLE)
    you.follow(f"main a[href$='/meetings/{mid}/proxy/']")
    you.heading("Appoint a proxy")
    page.check("input[name=holder][value=chair]")
    page.check("input[name=kind][value=directed]")
    for resolution, business in zip(resolutions, BUSINESS, strict=True):
        page.check(f"input[name=direction_{resolution.pk}][value={business.direction}]")
    _shot(page, lang, "proxy")
    you.submit("main form:has(input[name=action][value=appoint])")
    you.banner("Your proxy has been appointed.")
    you.sees("Your proxy is the chair of the meeting.")
    you.sees("They must vote as you directed on each resolution.")
    _shot(page, lang, "meeting-with-proxy")
    proxy = Proxy.objects.get(meeting=meeting, appointer=member, revoked_at__isnull=True)
    assert proxy.holder is None and proxy.directed
    assert proxy.directions == {str(r.pk): b.direction for r, b in zip(resolutions, BUSINESS, strict=True)}
    you.signs_out()

    # --- Time passes: the evening of the meeting -----------------------------------------------------------
    _the_calendar_reaches_the_meeting(meeting)
    assert law.clear_days_given(meeting.notice_sent_on, meeting.starts_on) == 14

    # --- At the door: members checked in until the quorum is met --------------------------------------
    cache.clear()  # a TOTP code is accepted only once
    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(base + you.path(f"/meetings/{mid}/manage/"))
    you.sees("Check members in at the door. Business can start once the meeting is quorate.")
    you.follow(f"main a[href$='/meetings/{mid}/register/']")
    you.heading("Attendance register")

    def quorum_line(present: int) -> str:
        # The member's proxy (held by the chair) counts from the start, as the rules count proxies.
        return you.says(
            "Quorum: %(required)s needed, %(present)s count — %(attending)s present with a vote and "
            "%(represented)s by proxy",
            required=QUORUM,
            present=present + 1,
            attending=present,
            represented=1,
        )

    expect(page.locator("#quorum h2")).to_have_text(quorum_line(0))
    expect(page.locator("#quorum")).to_contain_text(you.says("Not quorate"))
    for present, (person, number) in enumerate(arrivals, start=1):
        page.fill("input[name=q]", str(number))
        you.submit("main form[method=get]")
        expect(page.locator("#found")).to_contain_text(person.get_full_name())
        you.submit(f"main form:has(input[name=person][value='{person.pk}'])")
        you.banner("%(name)s is checked in.", name=person.get_full_name())
        expect(page.locator("#quorum h2")).to_have_text(quorum_line(present))
        if present + 1 < QUORUM:
            expect(page.locator("#quorum")).to_contain_text(you.says("Not quorate"))
        if present + 1 == QUORUM - 1:
            # One short: business is refused, with the figures.
            _shot(page, lang, "register-not-quorate")
            page.select_option("select[name=chair]", str(chair.pk))
            _press(you, "Start business")
            counted = you.says(
                "%(attending)s present with a vote and %(represented)s represented by proxy",
                attending=present,
                represented=1,
            )
            expect(page.locator(".govuk-error-summary")).to_contain_text(
                you.says(
                    "The meeting is not quorate: the quorum is %(required)s and %(present)s count (%(counted)s).",
                    required=QUORUM,
                    present=present + 1,
                    counted=counted,
                )
            )
            _shot(page, lang, "start-refused")
            meeting.refresh_from_db()
            assert meeting.status == MeetingStatus.CALLED
    expect(page.locator("#quorum")).to_contain_text(you.says("Quorate"))
    expect(page.locator("#present-table tbody tr")).to_have_count(len(arrivals))
    _shot(page, lang, "register-quorate")
    page.select_option("select[name=chair]", str(chair.pk))
    _press(you, "Start business")
    you.banner("Business has started. The quorum is recorded in the minutes.")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS and meeting.chair == chair
    assert (meeting.quorum_required, meeting.quorum_present) == (QUORUM, QUORUM)

    # --- The votes: the show of hands, with the proxy cast as directed at the declaration ----------------
    for number, (resolution, business, result) in enumerate(zip(resolutions, BUSINESS, results, strict=True), 1):
        you.goto(base + you.path(f"/meetings/{mid}/manage/"))
        you.follow(f"main a[href$='/meetings/{mid}/resolutions/{resolution.pk}/run/']")
        you.heading("Resolution %(number)s: %(title)s", number=number, title=resolution.localised_title(lang))
        with translation.override(lang):
            needs = services.describe_threshold(rules.threshold_for(business.kind))
        you.sees("It needs %(needs)s.", needs=needs)
        for name, count in zip(("for_votes", "against_votes", "abstain_votes"), business.hands, strict=True):
            page.fill(f"input[name={name}]", str(count))
        _press(you, "Record the count")
        you.banner("You recorded the count on the show of hands.")
        _press(you, "Declare the result")
        you.banner(
            "You declared the resolution carried." if result.passed else "You declared the resolution not carried."
        )
        for key, value in (
            ("For", result.for_votes),
            ("Against", result.against_votes),
            ("Abstentions (not votes cast)", result.abstentions),
            ("Votes cast", result.votes_cast),
            ("Share of the votes cast for", f"{float(result.share) * 100:.1f}%"),
        ):
            expect(_summary_value(page, you.says(key))).to_have_text(str(value))
        expect(page.locator("#result ~ p .govuk-tag").first).to_have_text(
            you.says("Carried" if result.passed else "Not carried")
        )
        you.sees(
            "The chair declared the resolution carried."
            if result.passed
            else "The chair declared the resolution not carried."
        )
        _shot(page, lang, f"declared-{number}")
        resolution.refresh_from_db()
        assert (resolution.for_votes, resolution.against_votes, resolution.abstain_votes) == business.totals
        assert resolution.passed is result.passed

    # --- The meeting closes; the minutes are drafted from the record and edited --------------------------
    you.goto(base + you.path(f"/meetings/{mid}/manage/"))
    you.sees("Every resolution has been declared: close the meeting.")
    _press(you, "Close the meeting")
    you.banner("The meeting is closed. Now draft the minutes from the record.")
    you.follow(f"main a[href$='/meetings/{mid}/minutes/edit/']")
    you.heading("Minutes")
    _press(you, "Draft the minutes from the record")
    you.banner("The minutes are drafted from the record. Check and edit them.")
    drafted = page.input_value("textarea[name=text]")
    with translation.override("en"):
        for business in BUSINESS:
            figures = translation.gettext(
                "Voted on by a show of hands. For: %(for)s. Against: %(against)s. Abstentions: %(abstain)s."
            ) % dict(zip(("for", "against", "abstain"), business.totals, strict=True))
            assert figures in drafted, drafted
    assert f"Quorum: {QUORUM} required, {QUORUM} present" in drafted
    assert "1 member represented by proxy." in drafted
    _shot(page, lang, "minutes-draft")
    page.fill("textarea[name=text]", drafted + "\n\n" + QUESTIONS)
    page.fill("textarea[name=text_cy]", page.input_value("textarea[name=text_cy]") + "\n\n" + QUESTIONS_CY)
    _press(you, "Save the minutes")
    you.banner("You saved the minutes.")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == MinutesStatus.DRAFT and minutes.text.endswith(QUESTIONS)

    # --- Time passes: the board's next meeting approves them, and the secretary publishes them -----------
    board_meeting = _the_board_approves(homes, secretary)
    you.goto(base + you.path(f"/meetings/{mid}/minutes/edit/"))
    page.select_option("select[name=approve-at_meeting]", str(board_meeting.pk))
    _press(you, "Record the approval")
    you.banner("You recorded the approval of the minutes. Now publish them to the members.")
    _press(you, "Publish the minutes to the members")
    you.banner("The minutes are published to the members.")
    _shot(page, lang, "minutes-published")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.PUBLISHED and minutes.approved_at_meeting == board_meeting
    you.signs_out()

    # --- The member reads how the meeting voted, and the minutes ---------------------------------------
    you.signs_in(MEMBER_EMAIL, DEMO_PASSWORD)
    you.goto(base + you.path(f"/meetings/{mid}/"))
    for number, result in enumerate(results, 1):
        table = page.locator("main table").filter(
            has=page.locator(
                "caption", has_text=you.says("How the meeting voted on resolution %(number)s", number=number)
            )
        )
        expect(table.locator("tbody td")).to_have_text(
            [
                str(result.for_votes),
                str(result.against_votes),
                str(result.abstentions),
                you.says("Carried" if result.passed else "Not carried"),
            ]
        )
    you.sees(
        "A vote has been recorded for you on this resolution (%(how)s).", how=_in(lang, Channel.PROXY.label).lower()
    )
    you.sees("Your proxy was the chair of the meeting.")
    _shot(page, lang, "member-results")
    you.follow(f"main a[href$='/meetings/{mid}/minutes/']")
    you.heading("Minutes of %(meeting)s", meeting=TITLE_CY if lang == "cy" else TITLE)
    expect(page.locator("main")).to_contain_text(QUESTIONS_CY if lang == "cy" else QUESTIONS)
    _shot(page, lang, "member-minutes")
