"""The demo borough's ward budgets (built by ``coproduce demo``, after the elections' demo).

* **Elmwood** is voting now on its £25,000 ward budget, run by the council: ten costed
  projects (benches, trees, a play area, lighting, a community fridge…) whose costs make the
  budget bite, and three ideas an officer marked not feasible with the reason. The round asks
  residents to have at least declared their address: ``resident@example.org`` lives in Elmwood,
  declared her address, is on the electorate and has not voted; a few neighbours have.
* **Ironbridge** finished its £40,000 round two months ago: over 300 residents with confirmed
  addresses voted, Equal Shares with add-one completion counted it, and the result, an
  explanation for every project and the anonymised ballots (``ballots_pb``) are published.
  Its first funded project has been delivered (an update with a photo), two more are under way.

* **A youth poll** for Elmwood's new play park is open: young people aged 11 to 18 who live in
  Elmwood pick up to 3 of 5 pieces of equipment, each with a picture (drawn here with Pillow, not
  downloaded) and words saying what it shows; 9 of the 14 young residents have voted.

Everything goes through the services (their audit trails tell the story). The services check
the phases against the clock, so past phases are replayed on their days (``core.demo.replaying``, as the
elections' demo does: feature apps do not import each other). Residents who take part are
created in bulk with a verification record each, in the members' demo's style. Ballots come
from a seeded random generator, so every machine builds the same borough.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from coproduce.core import eligibility
from coproduce.core.demo import replaying
from coproduce.core.models import Place, User, Verification
from coproduce.core.services import person_declare_address
from coproduce.core.verification import VerificationLevel
from coproduce.members.demo import FIRST, LAST

from . import selectors, services
from .models import BallotKind, BudgetRound, CountRule, DeliveryStatus, Idea, Project, YouthPoll
from .selectors import born_by

DAY = datetime.timedelta(days=1)
ELMWOOD_RESIDENTS = 60
IRONBRIDGE_RESIDENTS = 420
IRONBRIDGE_BALLOTS = 330


def build_demo_budgets(context: dict[str, Any]) -> None:
    rng = random.Random(2018)  # the same borough on every machine
    now = timezone.now()
    wards = {ward.name: ward for ward in context["wards"]}
    context["budgets"] = {
        "elmwood": _elmwood(rng, now, context, wards["Elmwood"]),
        "ironbridge": _ironbridge(rng, now, context, wards["Ironbridge"]),
        "youth_poll": _youth_poll(rng, now, context, wards["Elmwood"]),
    }


def _residents(
    rng: random.Random, context: dict[str, Any], ward: Place, count: int, *, level: int, method: str, prefix: str
) -> list[User]:
    """``count`` adults living in ``ward``, verified at ``level`` by ``method`` (in bulk; they cannot log in)."""
    council = context["organisations"]["council"]
    postcodes = [p for p in context["postcodes"] if p.ward_id == ward.pk]
    today = timezone.localdate()
    password = make_password(None)
    people = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{number}@example.org",
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                address=f"{rng.randint(1, 120)} {rng.choice(LAST)} Street, Kingsmere",
                postcode=rng.choice(postcodes).postcode,
                ward_id=ward.pk,
                date_of_birth=born_by(today, rng.randint(18, 85)) - datetime.timedelta(days=rng.randint(0, 360)),
                preferred_language="cy" if rng.random() < 0.15 else "en",
                verification_level=level,
                password=password,
            )
            for number in range(count)
        ]
    )
    Verification.objects.bulk_create(
        [
            Verification(
                person=person,
                method=method,
                level=level,
                postcode=person.postcode,
                council=council if level >= VerificationLevel.CONFIRMED else None,
                verified_at=timezone.now() - datetime.timedelta(days=rng.randint(150, 900)),
            )
            for person in people
        ]
    )
    return people


def _ballot(rng: random.Random, projects: Sequence[Project], weights: Sequence[float], amount: int) -> list[str]:
    """One voter's knapsack ballot: projects drawn in turn, popular ones more often, kept while
    they fit the budget; most voters stop before it is spent."""
    remaining, weights_left, chosen, total = list(projects), list(weights), [], 0
    wanted = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6])
    while remaining and len(chosen) < wanted:
        pick = rng.choices(range(len(remaining)), weights=weights_left)[0]
        project = remaining.pop(pick)
        weights_left.pop(pick)
        if total + project.cost <= amount:
            chosen.append(str(project.pk))
            total += project.cost
    return chosen


def _ideas(
    budget_round: BudgetRound, ward: Place, proposers: list[User], rows: Sequence[tuple[str, str, str]], officer: User
) -> list[Idea]:
    ideas = [
        services.idea_submit(
            budget_round=budget_round, person=proposer, title=title, description=description, where=where, ward=ward
        )
        for proposer, (title, description, where) in zip(proposers, rows, strict=False)
    ]
    return [services.idea_moderate(idea=idea, by=officer, publish=True) for idea in ideas]


# (title, description, where) of each idea; then its project: (title in Welsh, cost in pence,
# what the cost is made of, delivery time, popularity).
ELMWOOD_IDEAS = [
    ("Benches along the canal path", "Somewhere to rest on the walk into town.", "Canal towpath"),
    ("Plant street trees", "Trees on the bare streets around the school.", "Elm Road and Station Road"),
    ("New play area in Elmwood Park", "The old swings are gone: a play area for under-8s.", "Elmwood Park"),
    ("Lighting on the park path", "The path is dark from four o'clock in winter.", "Elmwood Park path"),
    ("A community fridge", "Share food that would be thrown away.", "Elmwood Community Centre"),
    ("Wildflower verges", "Let the verges grow for bees.", "Station Road"),
    ("Defibrillator at the shops", "The nearest one is a mile away.", "Elmwood Parade"),
    ("Repair café kit", "Tools so volunteers can fix things monthly.", "Elmwood Community Centre"),
    ("Bike shelters", "Covered racks at the parade and the school.", "Elmwood Parade"),
    ("Outdoor gym", "Simple exercise equipment for adults.", "Elmwood Park"),
    ("Swimming pool", "Elmwood needs its own pool.", "Elmwood Park"),
    ("Speed cameras on Elm Road", "Cars race down Elm Road.", "Elm Road"),
    ("Free parking at the parade", "Stop charging for parking.", "Elmwood Parade"),
]
ELMWOOD_PROJECTS = [
    ("Meinciau ar hyd llwybr y gamlas", 3_600_00, "Six benches at £450, fitting £900", "3 months", 6.0),
    ("Plannu coed stryd", 7_200_00, "24 trees with guards at £300", "Next planting season", 7.0),
    ("Man chwarae newydd ym Mharc Elmwood", 14_500_00, "Equipment £9,800, safety surface £4,700", "6 months", 8.0),
    ("Goleuadau ar lwybr y parc", 9_800_00, "14 solar lamp posts at £700", "4 months", 6.5),
    ("Oergell gymunedol", 2_400_00, "Fridge, shelter and a year's electricity", "2 months", 4.0),
    ("Ymylon blodau gwyllt", 1_500_00, "Seed, preparation and signs", "Next spring", 3.5),
    ("Diffibriliwr wrth y siopau", 1_900_00, "Defibrillator, heated cabinet and training", "1 month", 5.0),
    ("Offer caffi trwsio", 1_200_00, "Tools, sewing machines and a store", "1 month", 2.5),
    ("Llochesi beiciau", 5_400_00, "Three covered racks at £1,800", "3 months", 3.0),
    ("Campfa awyr agored", 11_000_00, "Five pieces of equipment and surfacing", "5 months", 4.5),
]
NOT_FEASIBLE = [
    "A pool costs millions to build and run: far more than the ward's budget.",
    "Speed cameras are for the police and the highways authority to decide, not the ward budget.",
    "Parking charges are set by the council's parking order, which this budget cannot change.",
]


def _review(budget_round: BudgetRound, ideas: list[Idea], officer: User) -> list[Project]:
    projects = []
    for idea, (title_cy, cost, breakdown, delivery, _) in zip(ideas, ELMWOOD_PROJECTS, strict=False):
        projects.append(
            services.project_create(
                budget_round=budget_round,
                by=officer,
                ideas=[idea],
                title=idea.title,
                title_cy=title_cy,
                cost=cost,
                description=idea.description,
                cost_breakdown=breakdown,
                delivery_time=delivery,
            )
        )
    for idea, reason in zip(ideas[len(ELMWOOD_PROJECTS) :], NOT_FEASIBLE, strict=True):
        services.project_not_feasible(budget_round=budget_round, by=officer, ideas=[idea], reason=reason)
    return projects


def _round(
    *, council, officer: User, ward: Place, start: datetime.datetime, amount: int, level: int, title_cy: str
) -> BudgetRound:
    with replaying(start):
        budget_round = services.round_create(
            organisation=council,
            by=officer,
            place=ward,
            title=f"{ward.name} ward budget",
            title_cy=title_cy,
            description=(
                f"Kingsmere Borough Council gives {ward.name} £{amount // 100:,} to spend on what its residents "
                "choose. Send ideas, then vote for the projects you want, within the budget."
            ),
            description_cy=(
                f"Mae Cyngor Bwrdeistref Caerfrenin yn rhoi £{amount // 100:,} i {ward.name} i’w wario ar yr hyn "
                "y mae ei drigolion yn ei ddewis. Anfonwch syniadau, yna pleidleisiwch dros y prosiectau rydych "
                "eu heisiau, o fewn y gyllideb."
            ),
            amount=amount,
            ideas_open=start + 5 * DAY,
            ideas_close=start + 19 * DAY,
            review_close=start + 32 * DAY,
            voting_open=start + 38 * DAY,
            voting_close=start + 52 * DAY,
            results_on=timezone.localdate(start + 56 * DAY),
            delivery_by=timezone.localdate(start + 300 * DAY),
            min_level=level,
            ballot_kind=BallotKind.KNAPSACK,
            count_rule=CountRule.MES,
        )
        return services.round_publish(budget_round=budget_round, by=officer)


def _elmwood(rng: random.Random, now: datetime.datetime, context: dict[str, Any], ward: Place) -> BudgetRound:
    """Voting opened two days ago and closes in twelve."""
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    resident = context["users"]["resident"]
    start = now - 40 * DAY
    budget_round = _round(
        council=council,
        officer=officer,
        ward=ward,
        start=start,
        amount=25_000_00,
        level=VerificationLevel.DECLARED,
        title_cy="Cyllideb ward Elmwood",
    )
    people = _residents(
        rng, context, ward, ELMWOOD_RESIDENTS, level=VerificationLevel.DECLARED, method="self_declared", prefix="elm"
    )
    with replaying(start + 8 * DAY):
        ideas = _ideas(budget_round, ward, people[: len(ELMWOOD_IDEAS)], ELMWOOD_IDEAS, officer)
    with replaying(start + 12 * DAY):
        for idea, supporters in zip(ideas, range(len(ideas)), strict=True):
            for person in people[20 + supporters : 20 + supporters + 3]:
                services.idea_support(idea=idea, person=person)
    with replaying(start + 25 * DAY):
        projects = _review(budget_round, ideas, officer)
        # The demo resident declared her address (her posted code will confirm it later).
        person_declare_address(person=resident)
    resident.refresh_from_db()
    answer = eligibility.check(resident, selectors.requirement(budget_round))
    assert answer, f"the demo resident must be able to vote in Elmwood's budget: {answer.reason}"
    with replaying(start + 38 * DAY):
        budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    weights = [row[4] for row in ELMWOOD_PROJECTS]
    for person in people[30:52]:
        services.ballot_cast(
            budget_round=budget_round, person=person, content=_ballot(rng, projects, weights, budget_round.amount)
        )
    return budget_round


IRONBRIDGE = [
    ("Resurface the skate park", "Parc sglefrio newydd", 12_000_00, 7.0),
    ("Youth club minibus", "Bws mini i’r clwb ieuenctid", 18_000_00, 5.0),
    ("Ironbridge in bloom", "Ironbridge yn ei blodau", 3_000_00, 6.0),
    ("Benches at the bus stops", "Meinciau wrth yr arosfannau bysiau", 4_500_00, 5.5),
    ("Community orchard", "Perllan gymunedol", 6_500_00, 4.5),
    ("Lights in the underpass", "Goleuadau yn y tanffordd", 8_000_00, 6.5),
    ("Warm space at the library", "Lle cynnes yn y llyfrgell", 5_000_00, 4.0),
    ("River clean-up kit", "Offer glanhau’r afon", 1_800_00, 3.0),
    ("Murals on the railway bridge", "Murluniau ar bont y rheilffordd", 7_500_00, 3.5),
    ("Table tennis tables", "Byrddau tennis bwrdd", 2_600_00, 2.5),
]


def _ironbridge(rng: random.Random, now: datetime.datetime, context: dict[str, Any], ward: Place) -> BudgetRound:
    """Declared: voting closed eight weeks ago and the count was published."""
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    start = now - 110 * DAY
    budget_round = _round(
        council=council,
        officer=officer,
        ward=ward,
        start=start,
        amount=40_000_00,
        level=VerificationLevel.CONFIRMED,
        title_cy="Cyllideb ward Ironbridge",
    )
    people = _residents(
        rng, context, ward, IRONBRIDGE_RESIDENTS, level=VerificationLevel.CONFIRMED, method="letter", prefix="iron"
    )
    rows = [(title, f"{title}, for everyone in Ironbridge.", "Ironbridge") for title, *_ in IRONBRIDGE]
    with replaying(start + 8 * DAY):
        ideas = _ideas(budget_round, ward, people[: len(rows) + 1], [*rows, ("A cinema", "A cinema.", "")], officer)
    with replaying(start + 25 * DAY):
        projects = [
            services.project_create(
                budget_round=budget_round, by=officer, ideas=[idea], title=title, title_cy=title_cy, cost=cost
            )
            for idea, (title, title_cy, cost, _) in zip(ideas, IRONBRIDGE, strict=False)
        ]
        services.project_not_feasible(
            budget_round=budget_round,
            by=officer,
            ideas=[ideas[-1]],
            reason="A cinema costs far more than the ward's budget, and needs a business to run it.",
        )
    with replaying(start + 38 * DAY):
        budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    weights = [row[3] for row in IRONBRIDGE]
    with replaying(start + 45 * DAY):
        voters = people[:]
        rng.shuffle(voters)
        for person in voters[:IRONBRIDGE_BALLOTS]:
            services.ballot_cast(
                budget_round=budget_round, person=person, content=_ballot(rng, projects, weights, budget_round.amount)
            )
    with replaying(start + 52 * DAY + datetime.timedelta(minutes=1)):
        budget_round = services.round_close_voting(budget_round=budget_round, by=None)
        budget_round = services.round_count(budget_round=budget_round, by=officer)
    _delivery(budget_round, officer, start + 52 * DAY)
    return budget_round


def _delivery(budget_round: BudgetRound, officer: User, declared: datetime.datetime) -> None:
    """Eight weeks on: the first funded project is done (with a photo), the next two are under way."""
    funded = {str(project.pk): project for project in budget_round.projects.all()}
    first, second, third = (funded[key] for key in budget_round.result["selected"][:3])
    with replaying(declared + 14 * DAY):
        for project in (first, second):
            services.project_delivery_set(project=project, status=DeliveryStatus.IN_PROGRESS, by=officer)
            services.project_update_add(
                project=project,
                by=officer,
                text="The contractor is booked and work starts next week.",
                text_cy="Mae'r contractwr wedi'i archebu ac mae'r gwaith yn dechrau wythnos nesaf.",
            )
    with replaying(declared + 40 * DAY):
        services.project_delivery_set(project=first, status=DeliveryStatus.DONE, by=officer)
        services.project_update_add(
            project=first,
            by=officer,
            text="Done: the planters along the high street are in and planted by volunteers.",
            text_cy="Wedi'i wneud: mae'r planwyr ar hyd y stryd fawr yn eu lle a gwirfoddolwyr wedi'u plannu.",
            photos=[
                (
                    _planters(),
                    "Three wooden planters full of red and yellow flowers on a pavement",
                    "Tri phlanwr pren yn llawn blodau coch a melyn ar balmant",
                )
            ],
        )
        services.project_delivery_set(project=third, status=DeliveryStatus.IN_PROGRESS, by=officer)


def _planters() -> ContentFile:
    """Planters full of flowers on a pavement, as a PNG (drawn here, not downloaded)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", PICTURE_SIZE, SKY)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 230, 480, 320], fill=(170, 170, 170))
    for left in (40, 180, 320):
        draw.rectangle([left, 170, left + 120, 240], fill=(140, 90, 40), outline=INK, width=3)
        for step in range(6):
            x = left + 12 + step * 19
            colour = (210, 40, 40) if step % 2 else (240, 200, 20)
            draw.line([(x + 6, 170), (x + 6, 140)], fill=(60, 130, 50), width=3)
            draw.ellipse([x, 125, x + 14, 139], fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="planters.png")


# The youth poll ----------------------------------------------------------------------------------------

YOUNG_RESIDENTS = 14
YOUNG_VOTERS = 9
PICTURE_SIZE = (480, 320)
SKY, GRASS, INK = (198, 228, 246), (120, 180, 90), (40, 40, 40)
# (name, in Welsh, what the picture shows, in Welsh, the drawing, popularity)
PARK_EQUIPMENT = [
    (
        "Climbing pyramid",
        "Pyramid ddringo",
        "A rope climbing frame shaped like a pyramid, with a red pole at the top",
        "Ffrâm ddringo o raffau ar siâp pyramid, gyda pholyn coch ar y brig",
        "pyramid",
        5.0,
    ),
    (
        "Zip wire",
        "Weiren wib",
        "A long zip wire between two wooden posts, with a round seat hanging from it",
        "Weiren wib hir rhwng dau bostyn pren, gyda sedd gron yn hongian ohoni",
        "zip",
        6.0,
    ),
    (
        "Basket swing",
        "Siglen fasged",
        "A big round basket swing that three people can share, on a metal frame",
        "Siglen fasged gron fawr y gall tri pherson ei rhannu, ar ffrâm fetel",
        "swing",
        4.0,
    ),
    (
        "Trampoline set into the ground",
        "Trampolîn yn y ddaear",
        "A round trampoline set level with the grass, so no one can fall off the edge",
        "Trampolîn crwn ar yr un lefel â’r glaswellt, fel na all neb gwympo oddi ar yr ymyl",
        "trampoline",
        3.5,
    ),
    (
        "Tall slide",
        "Llithren uchel",
        "A tall yellow slide with a ladder up to a small platform",
        "Llithren felen uchel gydag ysgol i fyny at lwyfan bach",
        "slide",
        3.0,
    ),
]


def _picture(drawing: str, name: str) -> ContentFile:
    """A simple drawing of park equipment on grass under a sky, as a PNG (made here, not downloaded)."""
    from PIL import Image, ImageDraw

    width, height = PICTURE_SIZE
    image = Image.new("RGB", PICTURE_SIZE, SKY)
    draw = ImageDraw.Draw(image)
    ground = height - 70
    draw.rectangle([0, ground, width, height], fill=GRASS)
    if drawing == "pyramid":
        apex, left, right = (240, 50), (110, ground), (370, ground)
        draw.polygon([apex, left, right], outline=INK, width=5)
        for step in range(1, 6):  # the ropes: lines across the pyramid at even heights
            y = apex[1] + (ground - apex[1]) * step / 6
            half = (right[0] - left[0]) / 2 * step / 6
            draw.line([(240 - half, y), (240 + half, y)], fill=INK, width=3)
        draw.line([apex, (240, ground)], fill=INK, width=3)
        draw.line([(240, 20), apex], fill=(200, 30, 30), width=8)
    elif drawing == "zip":
        draw.rectangle([50, 60, 70, ground], fill=(140, 90, 40))
        draw.rectangle([410, 140, 430, ground], fill=(140, 90, 40))
        draw.line([(60, 70), (420, 150)], fill=INK, width=4)
        draw.line([(200, 101), (200, 170)], fill=INK, width=3)
        draw.ellipse([180, 165, 220, 185], fill=(30, 90, 200))
    elif drawing == "swing":
        draw.line([(90, ground), (160, 60), (230, ground)], fill=INK, width=6)
        draw.line([(250, ground), (320, 60), (390, ground)], fill=INK, width=6)
        draw.line([(160, 60), (320, 60)], fill=INK, width=6)
        draw.line([(200, 60), (200, 190)], fill=INK, width=3)
        draw.line([(280, 60), (280, 190)], fill=INK, width=3)
        draw.ellipse([170, 180, 310, 215], fill=(230, 120, 30), outline=INK, width=3)
    elif drawing == "trampoline":
        draw.ellipse([100, ground - 30, 380, ground + 40], fill=(30, 30, 30), outline=(30, 90, 200), width=10)
        draw.ellipse([200, 60, 260, 120], fill=(230, 120, 30))  # a ball in the air above it
    else:  # a slide
        draw.line([(120, ground), (120, 90)], fill=INK, width=5)
        draw.line([(160, ground), (160, 90)], fill=INK, width=5)
        for y in range(110, ground, 30):
            draw.line([(120, y), (160, y)], fill=INK, width=4)
        draw.rectangle([115, 80, 200, 95], fill=(140, 90, 40))
        draw.line([(200, 90), (380, ground)], fill=(240, 200, 20), width=22)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name=f"{name}.png")


def _young_people(rng: random.Random, context: dict[str, Any], ward: Place, count: int) -> list[User]:
    """``count`` young people aged 11 to 18 living in ``ward``, who declared their address (they cannot log in)."""
    postcodes = [p for p in context["postcodes"] if p.ward_id == ward.pk]
    today = timezone.localdate()
    password = make_password(None)
    people = User.objects.bulk_create(
        [
            User(
                email=f"young{number}@example.org",
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                address=f"{rng.randint(1, 120)} {rng.choice(LAST)} Street, Kingsmere",
                postcode=rng.choice(postcodes).postcode,
                ward_id=ward.pk,
                # At least 11 and at most 18 until the poll closes (a birthday 15 to 330 days ago).
                date_of_birth=born_by(today, rng.randint(11, 18)) - datetime.timedelta(days=rng.randint(15, 330)),
                preferred_language="cy" if rng.random() < 0.15 else "en",
                verification_level=VerificationLevel.DECLARED,
                password=password,
            )
            for number in range(count)
        ]
    )
    Verification.objects.bulk_create(
        [
            Verification(
                person=person,
                method="self_declared",
                level=VerificationLevel.DECLARED,
                postcode=person.postcode,
                verified_at=timezone.now() - datetime.timedelta(days=rng.randint(30, 300)),
            )
            for person in people
        ]
    )
    return people


def _youth_poll(rng: random.Random, now: datetime.datetime, context: dict[str, Any], ward: Place) -> YouthPoll:
    """Elmwood's young people choose the equipment for the new play park: open three days ago, closing
    in eleven, ages 11 to 18, pick up to 3 of 5, and some have voted."""
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    young = _young_people(rng, context, ward, YOUNG_RESIDENTS)
    with replaying(now - 10 * DAY):
        poll = services.poll_create(
            organisation=council,
            by=officer,
            place=ward,
            title="Choose the new play park in Elmwood Park",
            title_cy="Dewiswch y parc chwarae newydd ym Mharc Elmwood",
            question="What would you like most in the new play park?",
            question_cy="Beth hoffech chi fwyaf yn y parc chwarae newydd?",
            opens=now - 3 * DAY,
            closes=now + 11 * DAY,
            min_age=11,
            max_age=18,
            min_level=VerificationLevel.DECLARED,
            pick_limit=3,
        )
        for title, title_cy, alt, alt_cy, drawing, _weight in PARK_EQUIPMENT:
            services.poll_option_add(
                poll=poll,
                by=officer,
                title=title,
                title_cy=title_cy,
                picture=_picture(drawing, drawing),
                alt=alt,
                alt_cy=alt_cy,
            )
        poll = services.poll_publish(poll=poll, by=officer)
    with replaying(now - 3 * DAY):
        poll = services.poll_open(poll=poll, by=officer)
    options = list(selectors.poll_options(poll))
    weights = [row[5] for row in PARK_EQUIPMENT]
    with replaying(now - 2 * DAY):
        for person in young[:YOUNG_VOTERS]:
            picked: list[str] = []
            for _ in range(rng.randint(1, 3)):
                choice = str(rng.choices(options, weights=weights)[0].pk)
                if choice not in picked:
                    picked.append(choice)
            services.poll_vote(poll=poll, person=person, option_ids=picked)
    return poll
