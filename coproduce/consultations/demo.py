"""The demo borough's consultations (built by ``coproduce demo``, after the budgets' demo).

* **"Becoming a co-operative council"**, Kingsmere Borough Council's borough-wide consultation,
  is open (three weeks in, five to go), in English and Welsh: a PDF with its accessible
  summary, a survey of three pages using most question kinds (one question shown only to those
  who said they had been involved before), 300 sent responses (some on paper, entered by the
  officer) from every ward, their long answers partly tagged with themes, equality monitoring
  answers from most respondents (one group under ten, so suppression shows), the census figures
  of the borough's wards so representativeness shows, and a road show of 15 events in the
  wards: past ones with attendance and notes, coming ones with registrations and, where full,
  a waiting list. ``resident@example.org`` has not answered it (her home says so).
* **"The future of Kingsmere's libraries"** closed two months ago and its "you said, we did" is
  published: what people said, the decision, and how each theme was considered.
* **"Kingsmere's climate action plan"** is a draft the officer is still writing.

Rows are created in bulk, in the shapes the services write (a response's answers one row per
value, the version locked once answered, tokens kept only as hashes), so the part stays fast.
Answers come from a seeded random generator: every machine builds the same borough.
``equalities@example.org`` (the council's equalities officer) is one of the core demo's log-ins.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from coproduce.core import equality
from coproduce.core.demo import replaying
from coproduce.core.models import CensusFigure, Place, User

from .models import (
    Answer,
    AnswerTag,
    Audience,
    Channel,
    Consultation,
    Document,
    EqualityAnswer,
    Event,
    EventKind,
    Option,
    Page,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Response,
    ResponseState,
    Stage,
    SurveyVersion,
    Theme,
)

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
OPEN_RESPONSES = 300
PAPER_RESPONSES = 42
LIBRARY_RESPONSES = 120
EQUALITY_KEYS = ["age_band", "sex", "ethnicity", "disability", "tenure", "welsh_language"]


def build_demo_consultations(context: dict[str, Any]) -> None:
    rng = random.Random(2020)  # the same borough on every machine
    now = timezone.now()
    wards: list[Place] = list(context["wards"])
    _census(rng, wards)
    context["census"] = True  # the wards' census figures exist (panels' demo may read them)
    context["consultations"] = {
        "cooperative": _cooperative(rng, now, context, wards),
        "libraries": _libraries(rng, now, context, wards),
        "climate": _climate(now, context),
    }
    for consultation in context["consultations"].values():
        _audit_trail(consultation, context["users"]["officer"])


def _audit(consultation: Consultation, actor: User, action: str, moment: datetime.datetime, target=None, summary=""):
    """The audit event the service would have written at ``moment`` (the rows themselves are made in bulk)."""
    from coproduce.core.services import audit_record

    with replaying(moment):
        audit_record(
            actor=actor,
            action=action,
            organisation=consultation.organisation,
            target=target if target is not None else consultation,
            summary=summary or consultation.title,
        )


def _audit_trail(consultation: Consultation, officer: User) -> None:
    """What the officer did, in the audit trail: created, published, documents, events, paper responses,
    themes, "you said, we did"."""
    created = consultation.published_at or consultation.opens_at - 10 * DAY
    _audit(consultation, officer, "consultation.create", created - 5 * DAY)
    if consultation.stage == Stage.DRAFT:
        return
    _audit(consultation, officer, "consultation.publish", consultation.published_at)
    for document in consultation.documents.all():
        _audit(consultation, officer, "consultation.document_add", created - DAY, document, document.title)
    for event in consultation.events.all():
        _audit(consultation, officer, "consultation.event_add", created, event, event.title)
    paper = Response.objects.filter(consultation=consultation, channel=Channel.PAPER).order_by("pk")
    for response in paper:
        _audit(
            consultation,
            officer,
            "consultation.paper_submit",
            response.submitted_at,
            response,
            response.paper_reference,
        )
    for theme in consultation.themes.all():
        _audit(consultation, officer, "consultation.theme_add", consultation.opens_at + 7 * DAY, theme, theme.name)
    if consultation.feedback_published_at:
        _audit(consultation, officer, "consultation.feedback_publish", consultation.feedback_published_at)


def _token_hash() -> str:
    """The hash a service keeps of a token nobody holds (the demo's people never use theirs)."""
    return hashlib.sha256(secrets.token_urlsafe(24).encode()).hexdigest()


# The census ------------------------------------------------------------------------------------

# Each category's share of the borough's residents (percent), roughly the 2021 census for a
# mixed urban borough; wards vary around it.
CENSUS_SHARES = {
    "age_band": {"16_24": 13, "25_34": 19, "35_44": 17, "45_54": 16, "55_64": 14, "65_74": 11, "75_plus": 10},
    "sex": {"female": 51, "male": 49},
    "ethnicity": {"asian": 14, "black": 9, "mixed": 5, "white": 68, "other": 4},
    "disability": {"limited_a_lot": 8, "limited_a_little": 11, "not_disabled": 81},
    "tenure": {"owned": 55, "social_rented": 22, "private_rented": 23},
    "welsh_language": {"yes": 12, "no": 88},
}


def _census(rng: random.Random, wards: list[Place]) -> None:
    """Census figures for every ward, as an officer would upload them (``core.services.census_import``)."""
    figures = []
    for ward in wards:
        population = rng.randint(8_500, 12_500)
        for question, shares in CENSUS_SHARES.items():
            for category, percent in shares.items():
                count = round(population * percent / 100 * rng.uniform(0.8, 1.2))
                figures.append(CensusFigure(place=ward, question=question, category=category, count=count))
    CensusFigure.objects.bulk_create(figures)


# The survey -------------------------------------------------------------------------------------


def _version(consultation: Consultation, officer: User, *, locked: bool) -> SurveyVersion:
    return SurveyVersion.objects.create(consultation=consultation, number=1, locked=locked, created_by=officer)


def _page(version: SurveyVersion, order: int, title: str, title_cy: str, intro: str = "", intro_cy: str = "") -> Page:
    return Page.objects.create(
        version=version, order=order, title=title, title_cy=title_cy, intro=intro, intro_cy=intro_cy
    )


def _question(
    page: Page, order: int, key: str, kind: str, text: str, text_cy: str, options=(), **fields
) -> tuple[Question, list[Option]]:
    question = Question.objects.create(page=page, order=order, key=key, kind=kind, text=text, text_cy=text_cy, **fields)
    created = Option.objects.bulk_create(
        [
            Option(question=question, order=number, key=option_key, label=label, label_cy=label_cy)
            for number, (option_key, label, label_cy) in enumerate(options)
        ]
    )
    return question, created


SUPPORT = [
    ("strongly-support", "Strongly support", "Cefnogi'n gryf"),
    ("support", "Support", "Cefnogi"),
    ("neither", "Neither support nor oppose", "Dim yn cefnogi nor gwrthwynebu"),
    ("oppose", "Oppose", "Gwrthwynebu"),
    ("strongly-oppose", "Strongly oppose", "Gwrthwynebu'n gryf"),
]
INVOLVED = [
    ("surveys", "Answering surveys like this one", "Ateb arolygon fel hwn"),
    ("meetings", "Coming to meetings in my ward", "Dod i gyfarfodydd yn fy ward"),
    ("budgets", "Deciding how ward budgets are spent", "Penderfynu sut mae cyllidebau ward yn cael eu gwario"),
    ("boards", "Sitting on the board of a co-op that runs a service", "Bod ar fwrdd cwmni cydweithredol"),
    ("volunteering", "Volunteering", "Gwirfoddoli"),
]
YES_NO = [("yes", "Yes", "Ydw"), ("no", "No", "Nac ydw")]
PRIORITIES = [
    ("housing", "Housing", "Tai"),
    ("youth", "Youth services", "Gwasanaethau ieuenctid"),
    ("care", "Care for older people", "Gofal i bobl hŷn"),
    ("parks", "Parks and green spaces", "Parciau a mannau gwyrdd"),
    ("libraries", "Libraries", "Llyfrgelloedd"),
]
SERVICES = [
    ("parks", "Parks", "Parciau"),
    ("libraries", "Libraries", "Llyfrgelloedd"),
    ("repairs", "Housing repairs", "Atgyweirio tai"),
    ("bins", "Bin collections", "Casglu biniau"),
]
HEARD = [
    ("letter", "A letter or leaflet", "Llythyr neu daflen"),
    ("social", "Social media", "Cyfryngau cymdeithasol"),
    ("event", "A road show event", "Digwyddiad sioe deithiol"),
    ("word", "Someone told me", "Dywedodd rhywun wrthyf"),
]

FIRST_STEPS = [
    "Let tenants run their estates",
    "Ask us before cutting services",
    "Fix the repairs backlog first",
    "More youth clubs run by young people",
    "Ward budgets in every ward",
    "Support community energy",
    "Open council meetings in the evenings",
    "Keep the libraries open",
]
# (theme, in Welsh, what people wrote, how the theme was considered)
COOPERATIVE_THEMES = [
    ("Trust in the council", "Ymddiriedaeth yn y cyngor"),
    ("Time and money to take part", "Amser ac arian i gymryd rhan"),
    ("Young people's voice", "Llais pobl ifanc"),
    ("Housing and repairs", "Tai ac atgyweirio"),
    ("Accessible meetings", "Cyfarfodydd hygyrch"),
]
COMMENTS = [
    (0, "The council has promised to listen before. I want to see what changes this time."),
    (0, "I would believe it if the decisions were published with the reasons."),
    (1, "I work shifts, so evening meetings are hard. Let us take part online."),
    (1, "People on low incomes need their bus fare and childcare paid to come to meetings."),
    (2, "Young people should have seats on the boards, not just a youth forum."),
    (2, "Ask at the schools and colleges, that is where we are."),
    (3, "Tenants know what needs fixing. Let us run the repairs budget."),
    (3, "My flat has had damp for two years. Sort that before anything else."),
    (4, "Meetings need a hearing loop and step-free access."),
    (4, "Please have papers in Welsh and in easy read."),
    (None, "Good idea, as long as it is not a way to cut services."),
    (None, "I did not know the council could do this. Tell us more at the library."),
    (None, "Co-ops run the leisure centre well already, so why not more?"),
    (None, "Thank you for asking."),
]
INVOLVED_HOW = [
    "I was on the residents' panel for the estate regeneration. It felt like the decision was already made.",
    "I came to a budget meeting in Ironbridge and we voted on the projects. That worked.",
    "I answered a survey about the bins and never heard back.",
    "I sit on the board of the housing co-op.",
]


def _cooperative_survey(consultation: Consultation, officer: User) -> dict[str, Any]:
    """Three pages; two questions on page two shown only after an answer on page one."""
    version = _version(consultation, officer, locked=True)
    one = _page(
        version,
        0,
        "What you think of the idea",
        "Beth rydych chi'n ei feddwl o'r syniad",
        "A co-operative council shares decisions and the running of services with residents.",
        "Mae cyngor cydweithredol yn rhannu penderfyniadau a rhedeg gwasanaethau gyda thrigolion.",
    )
    two = _page(version, 1, "How you would take part", "Sut y byddech chi'n cymryd rhan")
    three = _page(version, 2, "Services and anything else", "Gwasanaethau ac unrhyw beth arall")
    questions: dict[str, tuple[Question, list[Option]]] = {}
    questions["ward"] = _question(
        one,
        0,
        "ward",
        QuestionKind.PLACE,
        "Which ward do you live in?",
        "Ym mha ward ydych chi'n byw?",
        help="Choose your ward, or give your postcode.",
        help_cy="Dewiswch eich ward, neu rhowch eich cod post.",
        required=True,
    )
    questions["support"] = _question(
        one,
        1,
        "support",
        QuestionKind.SINGLE,
        "Do you support Kingsmere becoming a co-operative council?",
        "Ydych chi'n cefnogi Caerfrenin yn dod yn gyngor cydweithredol?",
        SUPPORT,
        required=True,
    )
    questions["involved-before"] = _question(
        one,
        2,
        "involved-before",
        QuestionKind.SINGLE,
        "Have you taken part in a council decision before?",
        "Ydych chi wedi cymryd rhan mewn penderfyniad gan y cyngor o'r blaen?",
        YES_NO,
        required=True,
    )
    questions["first-step"] = _question(
        one,
        3,
        "first-step",
        QuestionKind.SHORT_TEXT,
        "In a few words, what should a co-operative council do first?",
        "Mewn ychydig eiriau, beth ddylai cyngor cydweithredol ei wneud yn gyntaf?",
    )
    questions["heard"] = _question(
        one,
        4,
        "heard",
        QuestionKind.SINGLE,
        "How did you hear about this consultation?",
        "Sut glywsoch chi am yr ymgynghoriad hwn?",
        HEARD,
    )
    questions["involved-how"] = _question(
        two,
        0,
        "involved-how",
        QuestionKind.LONG_TEXT,
        "How were you involved, and what was it like?",
        "Sut oeddech chi'n rhan ohono, a sut brofiad oedd e?",
        shown_if=questions["involved-before"][1][0],
    )
    questions["take-part"] = _question(
        two,
        1,
        "take-part",
        QuestionKind.MULTIPLE,
        "How would you like to take part?",
        "Sut hoffech chi gymryd rhan?",
        INVOLVED,
        help="Choose all that apply.",
        help_cy="Dewiswch bob un sy'n berthnasol.",
    )
    questions["hours"] = _question(
        two,
        2,
        "hours",
        QuestionKind.NUMBER,
        "How many hours a month could you give?",
        "Sawl awr y mis allech chi ei roi?",
        number_min=0,
        number_max=200,
    )
    questions["event-date"] = _question(
        two,
        3,
        "event-date",
        QuestionKind.DATE,
        "If you came to a road show, on what day?",
        "Os daethoch chi i sioe deithiol, ar ba ddiwrnod?",
        shown_if=questions["heard"][1][2],
    )
    questions["priorities"] = _question(
        three,
        0,
        "priorities",
        QuestionKind.RANKING,
        "Put these services in the order residents should share in running them first",
        "Rhowch y gwasanaethau hyn yn y drefn y dylai trigolion rannu eu rhedeg yn gyntaf",
        PRIORITIES,
    )
    questions["services"] = _question(
        three,
        1,
        "services",
        QuestionKind.MATRIX,
        "How satisfied are you with these services today?",
        "Pa mor fodlon ydych chi â'r gwasanaethau hyn heddiw?",
        SERVICES,
        scale_min_label="Very dissatisfied",
        scale_min_label_cy="Anfodlon iawn",
        scale_max_label="Very satisfied",
        scale_max_label_cy="Bodlon iawn",
    )
    questions["trust"] = _question(
        three,
        2,
        "trust",
        QuestionKind.RATING,
        "How much do you trust the council to act on what residents say?",
        "Faint ydych chi'n ymddiried yn y cyngor i weithredu ar yr hyn y mae trigolion yn ei ddweud?",
        scale_min=0,
        scale_max=10,
        scale_min_label="Not at all",
        scale_min_label_cy="Dim o gwbl",
        scale_max_label="Completely",
        scale_max_label_cy="Yn llwyr",
        required=True,
    )
    questions["comments"] = _question(
        three,
        3,
        "comments",
        QuestionKind.LONG_TEXT,
        "Is there anything else you would like to tell us?",
        "Oes unrhyw beth arall yr hoffech ei ddweud wrthym?",
    )
    return {"version": version, "questions": questions}


def _answers(
    rng: random.Random, response: Response, survey: dict[str, Any], ward: Place, *, opened: datetime.date
) -> tuple[list[Answer], list[tuple[Answer, int]]]:
    """One respondent's answers (one row per value), and the long comments with their theme index."""
    q = survey["questions"]
    answers: list[Answer] = [Answer(response=response, question=q["ward"][0], place=ward)]

    def single(key: str, weights: list[float]) -> Option:
        option = rng.choices(q[key][1], weights=weights)[0]
        answers.append(Answer(response=response, question=q[key][0], option=option))
        return option

    support = single("support", [30, 34, 16, 12, 8])
    involved = single("involved-before", [35, 65])
    if rng.random() < 0.55:
        answers.append(Answer(response=response, question=q["first-step"][0], text=rng.choice(FIRST_STEPS)))
    if involved.key == "yes" and rng.random() < 0.7:
        answers.append(Answer(response=response, question=q["involved-how"][0], text=rng.choice(INVOLVED_HOW)))
    if rng.random() < 0.9:
        ways = q["take-part"][1]
        for option in rng.sample(ways, rng.randint(1, 3)):
            answers.append(Answer(response=response, question=q["take-part"][0], option=option))
    if rng.random() < 0.7:
        answers.append(Answer(response=response, question=q["hours"][0], number=rng.choice([0, 1, 2, 2, 4, 4, 6, 10])))
    heard = single("heard", [35, 25, 20, 20])
    if heard.key == "event" and rng.random() < 0.8:
        day = opened + datetime.timedelta(days=rng.randint(0, 20))
        answers.append(Answer(response=response, question=q["event-date"][0], text=day.isoformat()))
    if rng.random() < 0.8:
        order = list(q["priorities"][1])
        rng.shuffle(order)
        order.sort(key=lambda option: rng.random() * (0.6 if option.key in ("housing", "youth") else 1))
        for rank, option in enumerate(order, start=1):
            answers.append(Answer(response=response, question=q["priorities"][0], option=option, rank=rank))
    if rng.random() < 0.85:
        for option in q["services"][1]:
            answers.append(
                Answer(response=response, question=q["services"][0], option=option, number=rng.randint(1, 5))
            )
    supportive = support.key in ("strongly-support", "support")
    answers.append(
        Answer(
            response=response,
            question=q["trust"][0],
            number=min(10, max(0, round(rng.gauss(6 if supportive else 3, 2)))),
        )
    )
    comments = []
    if rng.random() < 0.45:
        theme, text = rng.choice(COMMENTS)
        comment = Answer(response=response, question=q["comments"][0], text=text)
        answers.append(comment)
        comments.append((comment, theme))
    return answers, comments


def _equality(rng: random.Random) -> dict[str, str]:
    """A respondent's equality monitoring answers: most answer, some skip a question or prefer not to say.

    Few say "Another ethnic group", so that group stays under ten and is suppressed.
    """
    weights = {
        "age_band": {"16_24": 6, "25_34": 15, "35_44": 19, "45_54": 19, "55_64": 18, "65_74": 14, "75_plus": 7},
        "sex": {"female": 56, "male": 42},
        "ethnicity": {"asian": 11, "black": 8, "mixed": 4, "white": 74, "other": 1.2},
        "disability": {"limited_a_lot": 7, "limited_a_little": 14, "not_disabled": 75},
        "tenure": {"owned": 60, "social_rented": 24, "private_rented": 14},
        "welsh_language": {"yes": 15, "no": 85},
    }
    answers = {}
    for key, categories in weights.items():
        draw = rng.random()
        if draw < 0.06:
            continue  # skipped
        if draw < 0.1:
            answers[key] = equality.PREFER_NOT_TO_SAY
            continue
        answers[key] = rng.choices(list(categories), weights=list(categories.values()))[0]
    return answers


def _responses(
    rng: random.Random,
    consultation: Consultation,
    survey: dict[str, Any],
    wards: list[Place],
    *,
    count: int,
    paper: int,
    officer: User,
    first: datetime.datetime,
    last: datetime.datetime,
    equality_share: float = 0.85,
    feedback_share: float = 0.5,
) -> list[tuple[Answer, int]]:
    """``count`` sent responses (the first ``paper`` of them entered from paper by the officer), their
    answers and equality answers; returns the comments with the index of their theme (or None)."""
    version = survey["version"]
    span = (last - first).total_seconds()
    pages = version.pages.count()
    responses = []
    for number in range(count):
        sent = first + datetime.timedelta(seconds=rng.uniform(0, span))
        on_paper = number < paper
        wants_feedback = rng.random() < feedback_share
        responses.append(
            Response(
                consultation=consultation,
                version=version,
                state=ResponseState.SUBMITTED,
                channel=Channel.PAPER if on_paper else Channel.ONLINE,
                email=f"respondent{consultation.pk}-{number}@example.org" if wants_feedback else "",
                language="cy" if rng.random() < 0.12 else "en",
                ward=rng.choice(wards),
                wants_feedback=wants_feedback,
                publish_consent=rng.random() < 0.3,
                page_reached=pages,
                entered_by=officer if on_paper else None,
                paper_reference=f"P-{number + 1:03d}" if on_paper else "",
                submitted_at=sent,
            )
        )
    responses = Response.objects.bulk_create(responses)
    # started_at is set when the row is written: give each the day its respondent began.
    for response in responses:
        response.started_at = response.submitted_at - datetime.timedelta(minutes=rng.randint(4, 40))
    Response.objects.bulk_update(responses, ["started_at"])
    answers, comments, equality_rows = [], [], []
    opened = timezone.localdate(consultation.opens_at)
    for response in responses:
        rows, said = survey["answer"](rng, response, survey, response.ward, opened=opened)
        answers += rows
        comments += said
        if rng.random() < equality_share:
            equality_rows += [
                EqualityAnswer(response=response, question=key, category=category)
                for key, category in _equality(rng).items()
                if key in consultation.equality_questions
            ]
    Answer.objects.bulk_create(answers)
    EqualityAnswer.objects.bulk_create(equality_rows)
    return comments


def _themes(
    consultation: Consultation, rows: list[tuple[str, str]], comments: list[tuple[Answer, int]], officer: User, share
) -> list[Theme]:
    """The themes, and tags on ``share`` of the comments that have one (the rest are still to tag)."""
    themes = Theme.objects.bulk_create([Theme(consultation=consultation, name=n, name_cy=cy) for n, cy in rows])
    tags = [
        AnswerTag(answer=answer, theme=themes[theme], tagged_by=officer)
        for number, (answer, theme) in enumerate(comments)
        if theme is not None and number % 100 < share * 100
    ]
    AnswerTag.objects.bulk_create(tags)
    return themes


def _pdf(title: str, paragraphs: list[str]) -> bytes:
    """A short PDF document (made here with WeasyPrint, not downloaded)."""
    from django.utils.html import escape
    from weasyprint import HTML

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        f"<html lang='en'><head><title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()


PROPOSAL = [
    "Kingsmere Borough Council proposes to become a co-operative council: to share decisions, and the "
    "running of services, with the residents who use them.",
    "What would change: every ward gets a budget its residents decide; tenants can run their estates "
    "through co-ops; the leisure trust's model is offered to other services; decisions are published "
    "with the responses that shaped them.",
    "What would not change: the council stays responsible for its statutory services and their budgets. "
    "Nobody loses a service because a co-op does not yet run it.",
    "The timetable: this consultation closes in five weeks. The cabinet decides in the spring, and we "
    "will publish what you said and what we did.",
]


def _cooperative(rng: random.Random, now: datetime.datetime, context: dict[str, Any], wards: list[Place]):
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    opens = now - 21 * DAY
    consultation = Consultation.objects.create(
        organisation=council,
        place=context["borough"],
        title="Becoming a co-operative council",
        title_cy="Dod yn gyngor cydweithredol",
        summary=(
            "We want Kingsmere to become a co-operative council, where residents share the decisions and the "
            "running of services. Tell us what you think of the idea, how you would like to take part, and "
            "what should change first."
        ),
        summary_cy=(
            "Rydym eisiau i Gaerfrenin ddod yn gyngor cydweithredol, lle mae trigolion yn rhannu'r "
            "penderfyniadau a rhedeg gwasanaethau. Dywedwch wrthym beth rydych chi'n ei feddwl o'r syniad, "
            "sut hoffech chi gymryd rhan, a beth ddylai newid yn gyntaf."
        ),
        audience_text="Everyone who lives, works or studies in Kingsmere",
        audience_text_cy="Pawb sy'n byw, yn gweithio neu'n astudio yng Nghaerfrenin",
        audience=Audience.ANYONE,
        opens_at=opens,
        closes_at=now + 35 * DAY,
        equality_questions=EQUALITY_KEYS,
        stage=Stage.PUBLISHED,
        published_at=opens - 2 * DAY,
        created_by=officer,
    )
    content = _pdf("Becoming a co-operative council: the proposal", PROPOSAL)
    Document.objects.create(
        consultation=consultation,
        title="The proposal",
        title_cy="Y cynnig",
        summary=(
            "The council would share decisions and the running of services with residents: a budget for every "
            "ward, tenants running their estates, more services run as co-ops, and decisions published with "
            "the responses that shaped them. The council stays responsible for its services."
        ),
        summary_cy=(
            "Byddai'r cyngor yn rhannu penderfyniadau a rhedeg gwasanaethau gyda thrigolion: cyllideb i bob "
            "ward, tenantiaid yn rhedeg eu stadau, mwy o wasanaethau'n cael eu rhedeg fel cwmnïau "
            "cydweithredol, a phenderfyniadau'n cael eu cyhoeddi gyda'r ymatebion a'u lluniodd."
        ),
        file=ContentFile(content, name="co-operative-council-proposal.pdf"),
        size=len(content),
        pages=1,
    )
    survey = _cooperative_survey(consultation, officer)
    survey["answer"] = _answers
    comments = _responses(
        rng,
        consultation,
        survey,
        wards,
        count=OPEN_RESPONSES,
        paper=PAPER_RESPONSES,
        officer=officer,
        first=opens + HOUR,
        last=now - HOUR,
    )
    _themes(consultation, COOPERATIVE_THEMES, comments, officer, share=0.6)
    _road_show(rng, now, consultation, wards, context)
    return consultation


# The road show ------------------------------------------------------------------------------------

VENUES = [
    ("Ashby Green Community Centre", "2 Green Lane, Ashby Green", "KM1 2DR"),
    ("Brookfield Library", "Brook Street, Brookfield", "KM2 1BQ"),
    ("Castle Hill Methodist Hall", "14 Castle Road, Castle Hill", "KM3 3ES"),
    ("Dunmore Leisure Centre", "Dunmore Park, Dunmore", "KM4 0AP"),
    ("Elmwood Community Centre", "Elm Road, Elmwood", "KM5 4FT"),
    ("Fairhaven Market", "Market Square, Fairhaven", "KM6 1BQ"),
    ("Greystones Primary School hall", "School Lane, Greystones", "KM7 2DR"),
    ("Highgate Park café", "Highgate Park, Highgate", "KM8 3ES"),
    ("Ironbridge Library", "Bridge Street, Ironbridge", "KM9 0AP"),
    ("Juniper Vale Mosque community room", "21 Vale Road, Juniper Vale", "KM10 4FT"),
    ("Kingsmead Youth Centre", "Mead Way, Kingsmead", "KM11 1BQ"),
    ("Lowfield Tenants' Hall", "Lowfield Estate, Lowfield", "KM12 2DR"),
    ("Kingsmere College", "College Road, Fairhaven", "KM6 3ES"),
    ("Kingsmere Town Hall", "Town Hall Square, Elmwood", "KM5 0AP"),
    ("Online", "", ""),
]
ACCESS = [
    (
        "Step-free entrance and an accessible toilet. Hearing loop in the main hall. Free parking for blue badges.",
        "Mynedfa heb risiau a thoiled hygyrch. Dolen sain yn y brif neuadd. Parcio am ddim i fathodynnau glas.",
    ),
    (
        "Ramp at the side door. Accessible toilet on the ground floor. Buses 12 and 14 stop outside.",
        "Ramp wrth y drws ochr. Toiled hygyrch ar y llawr gwaelod. Mae bysiau 12 a 14 yn stopio y tu allan.",
    ),
    (
        "Outdoors under a gazebo, on level paving. Seating provided. Toilets in the market hall.",
        "Yn yr awyr agored o dan gasebo, ar balmant gwastad. Seddau ar gael. Toiledau yn neuadd y farchnad.",
    ),
    (
        "First floor with a lift. British Sign Language interpreter booked. Quiet room available.",
        "Llawr cyntaf gyda lifft. Dehonglydd Iaith Arwyddion Prydain wedi'i drefnu. Ystafell dawel ar gael.",
    ),
]
EVENT_NOTES = [
    "About {n} people came. Most supported the idea but asked how decisions would really change. Housing "
    "repairs came up again and again; several tenants offered to join a repairs co-op working group.",
    "{n} people, many of them young. They want seats on boards, not a separate youth forum, and meetings "
    "after school. Two asked for the survey on paper for their grandparents.",
    "A busy market day: we spoke to {n} people. Worries that this is a way to cut services; we explained "
    "the council stays responsible. Paper surveys handed in: 11.",
    "{n} came, including a group from the Welsh-medium school who answered in Welsh. Requests for a hearing "
    "loop at future meetings and for easy-read papers.",
]


def _road_show(
    rng: random.Random, now: datetime.datetime, consultation: Consultation, wards: list[Place], context
) -> list[Event]:
    """Fifteen events: six past (attendance and notes), nine to come (registrations, two full with a waiting list)."""
    events = []
    for number, (venue, address, postcode) in enumerate(VENUES):
        # Every third or fourth day from a week after opening; the past ones are the first six.
        offset = -14 + number * 3.5 if number < 6 else 3 + (number - 6) * 3
        day = timezone.localtime(now + offset * DAY).replace(minute=0, second=0, microsecond=0)
        start = day.replace(hour=18 if number % 3 == 0 else 10)
        online = venue == "Online"
        kind = EventKind.ONLINE if online else (EventKind.FOCUS_GROUP if number in (7, 12) else EventKind.ROAD_SHOW)
        if number == 5:
            kind = EventKind.DROP_IN
        access, access_cy = ACCESS[number % len(ACCESS)]
        past = start < now
        ward_name = address.rsplit(", ", 1)[-1] if address else ""
        events.append(
            Event(
                consultation=consultation,
                kind=kind,
                title=(
                    "Co-operative council: online discussion"
                    if online
                    else f"Co-operative council road show: {ward_name or venue}"
                ),
                title_cy=(
                    "Cyngor cydweithredol: trafodaeth ar-lein"
                    if online
                    else f"Sioe deithiol y cyngor cydweithredol: {ward_name or venue}"
                ),
                starts_at=start,
                ends_at=start + 2 * HOUR,
                venue=venue,
                address=address,
                postcode=postcode,
                access="Captions on, and a link sent when you register." if online else access,
                access_cy="Capsiynau ymlaen, a dolen yn cael ei hanfon pan fyddwch chi'n cofrestru."
                if online
                else access_cy,
                capacity=None if number == 5 else (12 if kind == EventKind.FOCUS_GROUP else 40),
                registration=number != 5,  # the market drop-in: people just come
                attended_count=rng.randint(18, 45) if past else None,
                notes=EVENT_NOTES[number % len(EVENT_NOTES)].format(n=rng.randint(18, 45)) if past else "",
            )
        )
    events = Event.objects.bulk_create(events)
    registrations = []
    people = [context["users"]["member"], *context["residents"].values()]
    for event in events:
        if not event.registration:
            continue
        full = event.capacity == 12  # the focus groups are full, with a waiting list
        booked = event.capacity if full else rng.randint(6, 25)
        waiting = rng.randint(2, 4) if full else 0
        for number in range(booked + waiting):
            person = people[number] if number < len(people) and event.starts_at > now else None
            status = RegistrationStatus.BOOKED if number < booked else RegistrationStatus.WAITING
            registrations.append(
                Registration(
                    event=event,
                    person=person,
                    name=person.full_name if person else f"Guest {number + 1}",
                    email=person.email if person else f"guest{event.pk}-{number}@example.org",
                    needs="Step-free access, please" if number % 9 == 4 else "",
                    language="cy" if number % 7 == 3 else "en",
                    status=status,
                    token_hash=_token_hash(),
                    attended=(rng.random() < 0.8)
                    if event.starts_at < now and status == RegistrationStatus.BOOKED
                    else None,
                )
            )
    Registration.objects.bulk_create(registrations)
    return events


# The closed consultation, with "you said, we did" ------------------------------------------------------

HOURS = [
    ("keep", "Keep the hours as they are", "Cadw'r oriau fel y maent"),
    ("evenings", "Open later on weekday evenings", "Agor yn hwyrach ar nosweithiau'r wythnos"),
    ("weekends", "Open on Sundays", "Agor ar ddydd Sul"),
    ("fewer", "Fewer branches, open longer", "Llai o ganghennau, ar agor yn hirach"),
]
LIBRARY_THEMES = [
    (
        "Evening opening",
        "Agor gyda'r nos",
        "Brookfield and Ironbridge libraries will open until 8pm on Tuesdays and Thursdays from April.",
        "Bydd llyfrgelloedd Brookfield ac Ironbridge ar agor tan 8pm ar ddydd Mawrth a dydd Iau o fis Ebrill.",
    ),
    (
        "Keep every branch",
        "Cadw pob cangen",
        "No branch will close. Lowfield moves into the tenants' hall, run with the tenants' co-op.",
        "Ni fydd unrhyw gangen yn cau. Bydd Lowfield yn symud i neuadd y tenantiaid, "
        "gyda chwmni cydweithredol y tenantiaid.",
    ),
    (
        "Quiet study space",
        "Lle tawel i astudio",
        "We looked at this and could not fund new rooms this year; study tables are kept free at exam times.",
        "Edrychwyd ar hyn ac ni allem ariannu ystafelloedd newydd eleni; "
        "cedwir byrddau astudio'n rhydd adeg arholiadau.",
    ),
]
LIBRARY_COMMENTS = [
    (0, "I work until six, so I can never get to the library."),
    (0, "Late opening one night a week would make all the difference."),
    (1, "Please don't close Lowfield, it's the only warm place some people have."),
    (1, "Smaller branches matter more than longer hours in town."),
    (2, "Students need somewhere quiet to revise."),
    (None, "The staff are brilliant."),
]


def _library_answers(rng: random.Random, response: Response, survey: dict[str, Any], ward: Place, *, opened):
    q = survey["questions"]
    answers = [
        Answer(response=response, question=q["ward"][0], place=ward),
        Answer(
            response=response, question=q["hours"][0], option=rng.choices(q["hours"][1], weights=[20, 45, 20, 15])[0]
        ),
    ]
    comments = []
    if rng.random() < 0.6:
        theme, text = rng.choice(LIBRARY_COMMENTS)
        comment = Answer(response=response, question=q["comments"][0], text=text)
        answers.append(comment)
        comments.append((comment, theme))
    return answers, comments


def _libraries(rng: random.Random, now: datetime.datetime, context: dict[str, Any], wards: list[Place]):
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    opens, closes = now - 120 * DAY, now - 60 * DAY
    consultation = Consultation.objects.create(
        organisation=council,
        place=context["borough"],
        title="The future of Kingsmere's libraries",
        title_cy="Dyfodol llyfrgelloedd Caerfrenin",
        summary="How should our twelve libraries open, with the same budget? Tell us what matters to you.",
        summary_cy="Sut ddylai ein deuddeg llyfrgell agor, gyda'r un gyllideb? Dywedwch wrthym beth sy'n bwysig i chi.",
        audience_text="Everyone who uses, or could use, Kingsmere's libraries",
        audience_text_cy="Pawb sy'n defnyddio, neu a allai ddefnyddio, llyfrgelloedd Caerfrenin",
        audience=Audience.ANYONE,
        opens_at=opens,
        closes_at=closes,
        equality_questions=["age_band", "disability"],
        stage=Stage.FEEDBACK,
        published_at=opens - DAY,
        said=(
            "120 people responded. Most wanted libraries open later on weekday evenings, and many asked us "
            "not to close any branch, especially Lowfield. Students asked for quiet study space."
        ),
        said_cy=(
            "Ymatebodd 120 o bobl. Roedd y rhan fwyaf eisiau i lyfrgelloedd agor yn hwyrach ar nosweithiau'r "
            "wythnos, a gofynnodd llawer i ni beidio â chau unrhyw gangen, yn enwedig Lowfield. Gofynnodd "
            "myfyrwyr am le tawel i astudio."
        ),
        decision=(
            "The cabinet decided to keep every branch open, to open two libraries late twice a week, and to "
            "move Lowfield library into the tenants' hall, run with the tenants' co-op."
        ),
        decision_cy=(
            "Penderfynodd y cabinet gadw pob cangen ar agor, agor dwy lyfrgell yn hwyr ddwywaith yr wythnos, a "
            "symud llyfrgell Lowfield i neuadd y tenantiaid, gyda chwmni cydweithredol y tenantiaid."
        ),
        feedback_published_at=now - 10 * DAY,
        created_by=officer,
    )
    version = _version(consultation, officer, locked=True)
    page = _page(version, 0, "Opening hours", "Oriau agor")
    questions = {
        "ward": _question(
            page, 0, "ward", QuestionKind.PLACE, "Which ward do you live in?", "Ym mha ward ydych chi'n byw?"
        ),
        "hours": _question(
            page,
            1,
            "hours",
            QuestionKind.SINGLE,
            "What would you most like to change?",
            "Beth hoffech chi ei newid fwyaf?",
            HOURS,
            required=True,
        ),
        "comments": _question(
            page,
            2,
            "comments",
            QuestionKind.LONG_TEXT,
            "Tell us why",
            "Dywedwch wrthym pam",
        ),
    }
    survey = {"version": version, "questions": questions, "answer": _library_answers}
    comments = _responses(
        rng,
        consultation,
        survey,
        wards,
        count=LIBRARY_RESPONSES,
        paper=15,
        officer=officer,
        first=opens + HOUR,
        last=closes - HOUR,
        equality_share=0.7,
        feedback_share=0.4,
    )
    themes = _themes(consultation, [(n, cy) for n, cy, *_ in LIBRARY_THEMES], comments, officer, share=1.0)
    for theme, (_name, _name_cy, considered, considered_cy) in zip(themes, LIBRARY_THEMES, strict=True):
        theme.considered, theme.considered_cy = considered, considered_cy
    Theme.objects.bulk_update(themes, ["considered", "considered_cy"])
    # Everyone who asked to hear was emailed when it was published.
    Response.objects.filter(consultation=consultation, wants_feedback=True).exclude(email="").update(
        feedback_sent_at=consultation.feedback_published_at
    )
    # A few respondents agreed to publication: an officer checked their words and published them.
    for response in Response.objects.filter(consultation=consultation, publish_consent=True)[:8]:
        for answer in Answer.objects.filter(response=response, question=questions["comments"][0]):
            answer.public_text = answer.text
            answer.save(update_fields=["public_text"])
        response.published_at = closes + 5 * DAY
        response.save(update_fields=["published_at"])
    return consultation


def _climate(now: datetime.datetime, context: dict[str, Any]) -> Consultation:
    """A draft: the officer is still writing its survey."""
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    consultation = Consultation.objects.create(
        organisation=council,
        place=context["borough"],
        title="Kingsmere's climate action plan",
        title_cy="Cynllun gweithredu hinsawdd Caerfrenin",
        summary="Our draft plan to reach net zero by 2035. What should we do first?",
        summary_cy="Ein cynllun drafft i gyrraedd sero net erbyn 2035. Beth ddylem ni ei wneud yn gyntaf?",
        opens_at=now + 30 * DAY,
        closes_at=now + 86 * DAY,
        equality_questions=EQUALITY_KEYS,
        created_by=officer,
    )
    version = _version(consultation, officer, locked=False)
    page = _page(version, 0, "Your priorities", "Eich blaenoriaethau")
    _question(
        page,
        0,
        "first",
        QuestionKind.LONG_TEXT,
        "What should the council do first to cut carbon?",
        "Beth ddylai'r cyngor ei wneud yn gyntaf i leihau carbon?",
    )
    return consultation
