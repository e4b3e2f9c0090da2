"""The demo borough's meetings (built by ``coproduce demo``, after the members' and elections' demos).

**Kingsmere North Homes** meets under its own rules (a version recorded three years ago: 14 clear
days' notice of a general meeting, a quorum of 20 members with proxies counting, at most three
proxies a person, the chair excepted, appointed 48 hours before; a special resolution needs
three-quarters of the votes cast; the record of its meetings is public). Five tenants sit on its
board; its secretary is the demo secretary (``secretary@example.org``).

* **Last year's AGM** was held, quorate, with the accounts received and the auditors re-appointed on a
  show of hands and a rule change carried by a secret poll (proxies cast as directed); it closed, its
  minutes were drafted from the record, approved at the board meeting five weeks later and published.
  That board meeting's own minutes are drafted, waiting for the next board meeting.
* **This year's AGM** is called: notice sent ten days ago for a hybrid meeting (the community centre
  and online) on a Thursday evening three weeks away or more, with the annual accounts and the
  board's report as PDF papers (drawn here with WeasyPrint, not downloaded), two ordinary resolutions
  and one special resolution. The accounts and the special resolution are voted on online in advance;
  members have voted, and appointed proxies: some directed, to the chair or to another member, some
  left to the holder's discretion.
* **A board meeting** next month is being prepared (its notice not yet sent), and members have started
  a **requisition** for a special general meeting, short of the signatures it needs.

``member@example.org`` rents from the co-op: admitted as a tenant member through the members'
services (their share paid), they have a vote at the AGM and have neither voted nor appointed a proxy.

Everything goes through the services, so the audit trail tells the story; the services check the
clock, so the past is replayed on its days (``core.demo.replaying``, which also drops what they
would queue after the commit: the notices went out back then). Dates are relative to the day the
demo is built; choices come from a seeded random generator, so every machine builds the same meetings.
"""

from __future__ import annotations

import datetime
import functools
import random
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from coproduce.core.demo import replaying
from coproduce.core.models import RoleKind, User
from coproduce.core.services import role_grant
from coproduce.members.models import EmailUse, PaymentMethod, StakeholderClass
from coproduce.members.services import membership_admit, membership_apply, share_payment_record

from . import selectors, services
from .models import Meeting, MeetingKind, Minutes, Resolution, ResolutionKind, VotingMethod

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
PLACE = "Castle Hill Community Centre, Castle Hill Road, Kingsmere"
ONLINE = "https://meet.example.org/north-homes-agm"
BOARD_SIZE = 5
TUESDAY, THURSDAY = 1, 3
LAST_YEAR_PRESENT = 38
PROXIES_TO_CHAIR = 3
ADVANCE_VOTERS = 24


def build_demo_governance(context: dict[str, Any]) -> None:
    rng = random.Random(2019)  # the same borough on every machine
    now = timezone.now()
    today = timezone.localdate(now)
    homes = context["organisations"]["homes"]
    users = context["users"]
    secretary = users["secretary"]
    # This year's AGM on a Thursday evening three weeks away or more; last year's 52 weeks before it.
    agm_day = _weekday_from(today + 24 * DAY, THURSDAY)
    last_day = agm_day - 52 * 7 * DAY
    with replaying(_at(today - 3 * 365 * DAY, 10)):
        rules = services.rules_set(
            organisation=homes,
            by=secretary,
            effective_from=today - 3 * 365 * DAY,
            notice_agm_days=14,
            notice_sgm_days=14,
            quorum_number=20,
            quorum_rule="number",
            proxies_allowed=True,
            proxies_count_to_quorum=True,
            proxy_limit=3,
            proxy_deadline_hours=48,
            special_numerator=3,
            special_denominator=4,
            record_public=True,
        )
    board = _board(rng, homes, secretary, on=last_day - 60 * DAY)
    _member_joins(homes, users["member"], secretary, on=last_day + 100 * DAY)
    last_agm, board_meeting = _last_year(rng, homes, secretary, board, last_day)
    agm = _this_year(rng, homes, secretary, board, agm_day, now, exclude={users["member"].pk})
    draft = _next_board_meeting(homes, secretary, today, now)
    requisition = _requisition(rng, homes, now, exclude={users["member"].pk, *(p.pk for p in board)})
    context["governance"] = {
        "rules": rules,
        "board": board,
        "last_agm": last_agm,
        "board_meeting": board_meeting,
        "agm": agm,
        "draft_board_meeting": draft,
        "requisition": requisition,
    }


def _weekday_from(day: datetime.date, weekday: int) -> datetime.date:
    """The first ``weekday`` (Monday is 0) on or after ``day``, out of the Christmas and new year holidays
    (15 December to 10 January): nobody calls a meeting then."""
    if (day.month, day.day) >= (12, 15):
        day = datetime.date(day.year + 1, 1, 11)
    elif (day.month, day.day) <= (1, 10):
        day = datetime.date(day.year, 1, 11)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware moment on ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _voters(homes, on: datetime.date, *, exclude: set[int] = frozenset()) -> list[User]:
    """The members with a vote on ``on``, in member-number order (so the random draws repeat)."""
    ids = selectors.voting_member_ids(homes, on=on) - set(exclude)
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _board(rng: random.Random, homes, secretary: User, *, on: datetime.date) -> list[User]:
    """Five tenant members long on the register, given the board role (the first chairs meetings)."""
    board = rng.sample(_voters(homes, on), BOARD_SIZE)
    with replaying(_at(on, 20)):
        for person in board:
            role_grant(organisation=homes, person=person, kind=RoleKind.BOARD_MEMBER, actor=secretary)
    return board


def _member_joins(homes, member: User, secretary: User, *, on: datetime.date) -> None:
    """The demo member becomes a tenant member of the housing co-op, their share paid at the office."""
    tenant = StakeholderClass.objects.get(organisation=homes, code="tenant")
    with replaying(_at(on, 11)):
        membership = membership_apply(
            person=member, organisation=homes, stakeholder_class=tenant, email_use=EmailUse.NOTICES
        )
        membership = membership_admit(membership=membership, actor=secretary)
        share_payment_record(
            share_transaction=membership.share_transactions.get(),
            actor=secretary,
            method=PaymentMethod.CARD_MACHINE,
            reference="Housing office receipt 4471",
            paid_on=on,
        )


# -- Papers -------------------------------------------------------------------------------------------------


def _financial_year(day: datetime.date) -> str:
    """The last financial year (to 31 March) ended before ``day``, as "2025-26"."""
    end = day.year if day >= datetime.date(day.year, 3, 31) else day.year - 1
    return f"{end - 1}-{end % 100:02d}"


@functools.cache
def _paper_pdf(kind: str, year: str) -> bytes:
    """A short paper as a PDF, drawn with WeasyPrint (kept between builds: the same year draws the same)."""
    from weasyprint import HTML  # imported here: loading Pango costs time only the demo need pay

    style = (
        "<style>body{font-family:sans-serif;margin:2cm;font-size:11pt} h1{font-size:18pt}"
        "table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #999;padding:4px;text-align:left}"
        "td.n,th.n{text-align:right}</style>"
    )
    if kind == "accounts":
        rows = [
            ("Rents and service charges", "6,412,300", "6,188,900"),
            ("Repairs and maintenance", "(2,904,100)", "(2,760,400)"),
            ("Management and services", "(1,630,800)", "(1,571,200)"),
            ("Interest on loans", "(1,120,500)", "(1,164,000)"),
            ("Surplus for the year", "756,900", "693,300"),
        ]
        body = (
            f"<h1>Kingsmere North Homes Co-operative: annual accounts {year}</h1>"
            "<p>Registered society RS008811. Statement of comprehensive income for the year to 31 March.</p>"
            f"<table><caption>Income and expenditure (£)</caption><tr><th></th><th class=n>{year}</th>"
            "<th class=n>Year before</th></tr>"
            + "".join(f"<tr><td>{a}</td><td class=n>{b}</td><td class=n>{c}</td></tr>" for a, b, c in rows)
            + "</table><p>The full accounts, with the auditors' report, are at the housing office.</p>"
        )
    else:
        body = (
            f"<h1>Kingsmere North Homes Co-operative: the board's report {year}</h1>"
            "<p>This year the co-operative re-roofed 140 homes on the Ashby Green estate, answered 94% of "
            "emergency repairs within 24 hours and kept rent rises below inflation.</p>"
            "<p>The tenants' scrutiny panel reviewed how repairs are booked; the board accepted all six of its "
            "recommendations. The board proposes a change to the rules so that members can take part in "
            "general meetings online.</p>"
        )
    return HTML(string=f"<html lang=en><head><meta charset=utf-8>{style}</head><body>{body}</body></html>").write_pdf()


def _agenda(meeting: Meeting, secretary: User, year: str) -> None:
    services.agenda_item_add(
        meeting=meeting,
        by=secretary,
        title=f"Annual accounts {year}",
        title_cy=f"Cyfrifon blynyddol {year}",
        text="The treasurer presents the accounts for the year to 31 March.",
        text_cy="Mae'r trysorydd yn cyflwyno'r cyfrifon am y flwyddyn hyd at 31 Mawrth.",
        paper=ContentFile(_paper_pdf("accounts", year), name=f"annual-accounts-{year}.pdf"),
        paper_title=f"Annual accounts {year}",
        paper_title_cy=f"Cyfrifon blynyddol {year}",
    )
    services.agenda_item_add(
        meeting=meeting,
        by=secretary,
        title="The board's report",
        title_cy="Adroddiad y bwrdd",
        text="The chair reports on the year, and members ask the board questions.",
        text_cy="Mae'r cadeirydd yn adrodd ar y flwyddyn, ac mae aelodau'n holi'r bwrdd.",
        paper=ContentFile(_paper_pdf("report", year), name=f"board-report-{year}.pdf"),
        paper_title=f"Board report {year}",
        paper_title_cy=f"Adroddiad y bwrdd {year}",
    )


def _resolutions(meeting: Meeting, secretary: User, year: str, *, methods: tuple[str, str, str], special: dict):
    common = {"meeting": meeting, "by": secretary}
    accounts = services.resolution_add(
        **common,
        kind=ResolutionKind.ORDINARY,
        method=methods[0],
        title=f"Receive the annual accounts {year}",
        title_cy=f"Derbyn cyfrifon blynyddol {year}",
        text=f"That the annual accounts for {year} and the auditors' report on them be received.",
        text_cy=f"Bod cyfrifon blynyddol {year} ac adroddiad yr archwilwyr arnynt yn cael eu derbyn.",
    )
    auditors = services.resolution_add(
        **common,
        kind=ResolutionKind.ORDINARY,
        method=methods[1],
        title="Re-appoint the auditors",
        title_cy="Ailbenodi'r archwilwyr",
        text="That Glanfa Audit LLP be re-appointed as the co-operative's auditors until the next annual "
        "general meeting, at a fee the board agrees.",
        text_cy="Bod Glanfa Audit LLP yn cael eu hailbenodi'n archwilwyr y cwmni cydweithredol tan y cyfarfod "
        "cyffredinol blynyddol nesaf, am ffi y mae'r bwrdd yn ei chytuno.",
    )
    rule = services.resolution_add(**common, kind=ResolutionKind.SPECIAL, method=methods[2], **special)
    return accounts, auditors, rule


def _called(*resolutions: Resolution) -> list[Resolution]:
    """The resolutions as the notice left them (each with its ballot box, its meeting called)."""
    fresh = Resolution.objects.select_related("meeting__organisation", "box").in_bulk([r.pk for r in resolutions])
    return [fresh[r.pk] for r in resolutions]


# -- Last year --------------------------------------------------------------------------------------------


def _last_year(rng: random.Random, homes, secretary: User, board: list[User], day: datetime.date):
    """Last year's AGM from its calling to its published minutes, and the board meeting that approved them."""
    starts_at = _at(day, 19)
    year = _financial_year(day)
    with replaying(starts_at - 40 * DAY):
        meeting = services.meeting_create(
            organisation=homes,
            by=secretary,
            kind=MeetingKind.AGM,
            title=f"Annual general meeting {day.year}",
            title_cy=f"Cyfarfod cyffredinol blynyddol {day.year}",
            starts_at=starts_at,
            place=PLACE,
        )
        _agenda(meeting, secretary, year)
        accounts, auditors, rule = _resolutions(
            meeting,
            secretary,
            year,
            methods=(VotingMethod.HANDS, VotingMethod.HANDS, VotingMethod.POLL),
            special={
                "title": "Send notices by email",
                "title_cy": "Anfon hysbysiadau drwy e-bost",
                "text": "That rule 45 be amended so that the co-operative may send a notice to a member by email "
                "where the member has agreed to receive notices that way.",
                "text_cy": "Bod rheol 45 yn cael ei diwygio fel y caiff y cwmni cydweithredol anfon hysbysiad at "
                "aelod drwy e-bost lle mae'r aelod wedi cytuno i gael hysbysiadau felly.",
            },
        )
    with replaying(starts_at - 30 * DAY):
        meeting = services.notice_send(meeting=meeting, by=secretary)
    accounts, auditors, rule = _called(accounts, auditors, rule)
    entitled = _voters(homes, day, exclude={p.pk for p in board})
    rng.shuffle(entitled)
    present = entitled[:LAST_YEAR_PRESENT] + board
    proxies = entitled[LAST_YEAR_PRESENT : LAST_YEAR_PRESENT + 6]
    with replaying(starts_at - 9 * DAY):
        for appointer in proxies:
            services.proxy_appoint(
                meeting=meeting,
                appointer=appointer,
                by=appointer,
                directions={str(accounts.pk): "for", str(auditors.pk): "for", str(rule.pk): "for"},
            )
    with replaying(starts_at - HOUR):
        for person in present:
            services.attendance_check_in(meeting=meeting, person=person, by=secretary, mode="in_person")
    with replaying(starts_at + 2 * MINUTE):
        meeting = services.business_start(meeting=meeting, by=secretary, chair=board[0])
    with replaying(starts_at + 20 * MINUTE):
        services.hands_record(resolution=accounts, by=secretary, for_votes=39, against_votes=0, abstain_votes=4)
        services.resolution_declare(resolution=accounts, by=secretary)
        services.hands_record(resolution=auditors, by=secretary, for_votes=36, against_votes=3, abstain_votes=4)
        services.resolution_declare(resolution=auditors, by=secretary)
    with replaying(starts_at + 45 * MINUTE):
        rule = services.poll_open(resolution=rule, by=secretary)
        # About four in five of those voting are for: carried, the six proxies directed for with them.
        for number, person in enumerate(present):
            choice = "against" if number % 5 == 0 else "abstain" if number % 7 == 3 else "for"
            services.poll_vote(resolution=rule, person=person, choice=choice)
        services.resolution_declare(resolution=rule, by=secretary)
    with replaying(starts_at + 90 * MINUTE):
        meeting = services.meeting_close(meeting=meeting, by=secretary)
    with replaying(starts_at + 3 * DAY):
        minutes = services.minutes_draft(meeting=meeting, by=secretary)
        services.minutes_update(
            minutes=minutes,
            by=secretary,
            text=minutes.text + "\n\nQuestions from members: the repairs backlog on Ashby Green and the rent "
            "setting for next year. The chair thanked the staff and the tenants' scrutiny panel.",
            text_cy=minutes.text_cy,
        )
    board_meeting = _board_meeting(homes, secretary, board, starts_at + 35 * DAY, approves=minutes)
    with replaying(board_meeting.starts_at + 2 * DAY):
        services.minutes_publish(minutes=Minutes.objects.get(pk=minutes.pk), by=secretary)
    return Meeting.objects.get(pk=meeting.pk), board_meeting


def _board_meeting(homes, secretary: User, board: list[User], starts_at: datetime.datetime, *, approves: Minutes):
    """A board meeting five weeks after the AGM: four of the five come, and it approves the AGM's minutes."""
    with replaying(starts_at - 14 * DAY):
        meeting = services.meeting_create(
            organisation=homes,
            by=secretary,
            kind=MeetingKind.BOARD,
            title=f"Board meeting, {starts_at:%B %Y}",
            title_cy="Cyfarfod y bwrdd",
            starts_at=starts_at,
            place="Housing office, Castle Hill Road",
        )
        services.agenda_item_add(
            meeting=meeting,
            by=secretary,
            title="Minutes of the annual general meeting",
            title_cy="Cofnodion y cyfarfod cyffredinol blynyddol",
        )
        services.notice_send(meeting=meeting, by=secretary)
    with replaying(starts_at - 15 * MINUTE):
        for person in board[:4]:
            services.attendance_check_in(meeting=meeting, person=person, by=secretary, mode="in_person")
    with replaying(starts_at + MINUTE):
        meeting = services.business_start(meeting=meeting, by=secretary, chair=board[0])
    with replaying(starts_at + 10 * MINUTE):
        services.minutes_approve(minutes=approves, by=secretary, at_meeting=meeting)
    with replaying(starts_at + 80 * MINUTE):
        meeting = services.meeting_close(meeting=meeting, by=secretary)
    with replaying(starts_at + DAY):
        services.minutes_draft(meeting=meeting, by=secretary)
    return Meeting.objects.get(pk=meeting.pk)


# -- This year --------------------------------------------------------------------------------------------


def _this_year(
    rng: random.Random,
    homes,
    secretary: User,
    board: list[User],
    day: datetime.date,
    now: datetime.datetime,
    *,
    exclude: set[int],
) -> Meeting:
    """This year's AGM, called ten days ago: papers, resolutions, proxies and votes in advance so far."""
    starts_at = _at(day, 19)
    year = _financial_year(day)
    with replaying(now - 12 * DAY):
        meeting = services.meeting_create(
            organisation=homes,
            by=secretary,
            kind=MeetingKind.AGM,
            title=f"Annual general meeting {day.year}",
            title_cy=f"Cyfarfod cyffredinol blynyddol {day.year}",
            starts_at=starts_at,
            place=PLACE,
            online_url=ONLINE,
        )
        _agenda(meeting, secretary, year)
        accounts, auditors, rule = _resolutions(
            meeting,
            secretary,
            year,
            methods=(VotingMethod.ADVANCE, VotingMethod.HANDS, VotingMethod.ADVANCE),
            special={
                "title": "Hold general meetings online as well as in person",
                "title_cy": "Cynnal cyfarfodydd cyffredinol ar-lein yn ogystal ag wyneb yn wyneb",
                "text": "That rule 38 be amended to read: “A general meeting may be held at a place, online, or "
                "both; a member taking part online who can hear and be heard is present at the meeting and may "
                "vote.”",
                "text_cy": "Bod rheol 38 yn cael ei diwygio i ddarllen: “Caniateir cynnal cyfarfod cyffredinol "
                "mewn lle, ar-lein, neu'r ddau; mae aelod sy'n cymryd rhan ar-lein ac sy'n gallu clywed a chael ei "
                "glywed yn bresennol yn y cyfarfod a chaiff bleidleisio.”",
            },
        )
    with replaying(now - 10 * DAY):
        meeting = services.notice_send(meeting=meeting, by=secretary)
    accounts, auditors, rule = _called(accounts, auditors, rule)
    voters = _voters(homes, day, exclude={*exclude, *(p.pk for p in board)})
    rng.shuffle(voters)
    resolutions = (accounts, auditors, rule)
    with replaying(now - 8 * DAY):
        # Proxies: three directed to the chair, one directed to a board member, two at a board
        # member's discretion (the holders within the rules' limit of three).
        for appointer in voters[:PROXIES_TO_CHAIR]:
            services.proxy_appoint(
                meeting=meeting,
                appointer=appointer,
                by=appointer,
                directions={str(r.pk): rng.choice(["for", "for", "against"]) for r in resolutions},
            )
        services.proxy_appoint(
            meeting=meeting,
            appointer=voters[3],
            by=voters[3],
            holder=board[2],
            directions={str(accounts.pk): "for", str(auditors.pk): "abstain", str(rule.pk): "against"},
        )
        for appointer in voters[4:6]:
            services.proxy_appoint(meeting=meeting, appointer=appointer, by=appointer, holder=board[1])
    for number, person in enumerate(voters[6 : 6 + ADVANCE_VOTERS]):
        with replaying(now - (7 - number % 7) * DAY + number * 17 * MINUTE):
            services.advance_vote(
                resolution=accounts, person=person, choice=rng.choices(["for", "against", "abstain"], [9, 1, 1])[0]
            )
            services.advance_vote(
                resolution=rule, person=person, choice=rng.choices(["for", "against", "abstain"], [7, 3, 1])[0]
            )
    return Meeting.objects.get(pk=meeting.pk)


def _next_board_meeting(homes, secretary: User, today: datetime.date, now: datetime.datetime) -> Meeting:
    """Next month's board meeting, being prepared: its notice is still to send."""
    with replaying(now - 2 * DAY):
        return services.meeting_create(
            organisation=homes,
            by=secretary,
            kind=MeetingKind.BOARD,
            title="Board meeting",
            title_cy="Cyfarfod y bwrdd",
            starts_at=_at(_weekday_from(today + 40 * DAY, TUESDAY), 18, 30),
            place="Housing office, Castle Hill Road",
        )


def _requisition(rng: random.Random, homes, now: datetime.datetime, *, exclude: set[int]):
    """Members asking for a special general meeting about building on the Castle Hill green: five have signed."""
    people = _voters(homes, timezone.localdate(now), exclude=exclude)
    signers = rng.sample(people, 5)
    with replaying(now - 6 * DAY):
        requisition = services.requisition_open(
            organisation=homes,
            by=signers[0],
            purpose="We ask for a special general meeting to decide whether the co-operative should build "
            "new homes on the Castle Hill green, before the board applies for planning permission.",
            purpose_cy="Gofynnwn am gyfarfod cyffredinol arbennig i benderfynu a ddylai'r cwmni cydweithredol "
            "adeiladu cartrefi newydd ar lawnt Castle Hill, cyn i'r bwrdd wneud cais am ganiatâd cynllunio.",
            proposed_resolutions="That the board does not apply for planning permission to build on the Castle "
            "Hill green until a general meeting has approved the plans.",
        )
    for number, person in enumerate(signers[1:], start=1):
        with replaying(now - 6 * DAY + number * 11 * HOUR):
            services.requisition_sign(requisition=requisition, by=person)
    return requisition
