"""The demo borough's resident panels (built by ``coproduce demo``, after the consultations' demo).

* **The climate mini-conference** (100 residents of Kingsmere, run by the council): the
  officer imported 4,500 addresses across the wards, drew 3,000 letters with a published seed
  (in proportion to each ward's addresses), and 800 people registered (about one household in
  eight with two people). The targets come from the wards' census figures (age and sex, plus
  home ownership), the selection seed was published before the draw, and the panel was selected
  by LEXIMIN through the real engine and published: its audit page, the API's files and the
  command reproduce it. Most of the selected have confirmed; one dropped out and was replaced
  from the reserves. Two sessions are planned.
* **The transport panel** is taking registrations now: 1,200 addresses, 600 letters drawn, a
  few dozen people registered so far. The officer can download the letters (each with its
  code) to try registering.

Everything an officer does goes through the services (their audit trails tell the story); the
past is replayed on its days (``core.demo.replaying``). The 800 registrations are bulk-created in
exactly the shape ``services.register`` writes them (a registrant and one answer per category),
from a seeded random generator, so every machine builds the same borough; the transport panel's
few are registered through the service itself.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from coproduce.core.demo import replaying
from coproduce.core.models import CensusFigure, Place

from . import services, tasks
from .models import Feature, Invitation, Panel, Registrant, RegistrantStatus, Stage

DAY = datetime.timedelta(days=1)
CLIMATE_SIZE = 100
CLIMATE_ADDRESSES = 4_500
CLIMATE_LETTERS = 3_000
CLIMATE_REGISTRATIONS = 800
TRANSPORT_ADDRESSES = 1_200
TRANSPORT_LETTERS = 600
TRANSPORT_REGISTRATIONS = 24
# Fast and real: age, sex and home (the engine solves it in seconds); wards would take a minute.
CLIMATE_CATEGORIES = ["age_band", "sex", "tenure"]
TRANSPORT_CATEGORIES = ["age_band", "sex", "disability", "ward"]

# Who registers is not who lives here: older owners answer letters more often (the targets fix it).
REGISTRANT_WEIGHTS = {
    "age_band": {"16_24": 6, "25_34": 12, "35_44": 15, "45_54": 17, "55_64": 19, "65_74": 18, "75_plus": 13},
    "sex": {"female": 56, "male": 44},
    "tenure": {"owned": 66, "social_rented": 16, "private_rented": 18},
    "disability": {"limited_a_lot": 7, "limited_a_little": 12, "not_disabled": 81},
}
# The census shares used where the consultations' demo has not uploaded figures already.
CENSUS_SHARES = {
    "age_band": {"16_24": 13, "25_34": 19, "35_44": 17, "45_54": 16, "55_64": 14, "65_74": 11, "75_plus": 10},
    "sex": {"female": 51, "male": 49},
    "tenure": {"owned": 55, "social_rented": 22, "private_rented": 23},
    "disability": {"limited_a_lot": 8, "limited_a_little": 11, "not_disabled": 81},
}
STREETS = (
    "High Street", "Station Road", "Church Lane", "Mill Lane", "Park Road", "Victoria Road", "Canal Side",
    "Queen's Road", "Orchard Way", "Chapel Street", "Elm Grove", "Bridge Street", "School Lane", "The Crescent",
    "Market Street", "Holly Close", "Ash Walk", "Brook Road", "Castle View", "Meadow Rise",
)  # fmt: skip
FIRST = ("Aisha", "Ben", "Carys", "Dev", "Eleri", "Femi", "Gareth", "Hana", "Iwan", "Jas", "Kofi", "Lowri",
         "Mo", "Nia", "Owain", "Priya", "Rhys", "Sian", "Tomasz", "Uma", "Yusuf", "Zoe")  # fmt: skip
LAST = ("Ahmed", "Bevan", "Chen", "Davies", "Evans", "Fraser", "Griffiths", "Hughes", "Iqbal", "Jones",
        "Khan", "Lewis", "Morgan", "Nowak", "Owen", "Patel", "Roberts", "Singh", "Thomas", "Williams")  # fmt: skip

CLIMATE_PURPOSE = (
    "Kingsmere has promised to reach net zero by 2040. A hundred residents, chosen by lottery to look like the"
    " borough, will spend two weekends hearing from experts and from each other, and recommend what the"
    " council should do first: homes, transport, green spaces or energy.\n\n"
    "The council will answer every recommendation in public within three months."
)
CLIMATE_PURPOSE_CY = (
    "Mae Caerfrenin wedi addo cyrraedd sero net erbyn 2040. Bydd cant o drigolion, wedi'u dewis drwy loteri i"
    " adlewyrchu'r fwrdeistref, yn treulio dau benwythnos yn clywed gan arbenigwyr a chan ei gilydd, ac yn"
    " argymell beth ddylai'r cyngor ei wneud gyntaf."
)
PAYMENT = (
    "You get £150 for each weekend you take part (£300 in all), paid by bank transfer or as vouchers, and we"
    " pay your travel, and childcare or care for someone you look after, while you take part."
)
PAYMENT_CY = (
    "Rydych yn cael £150 am bob penwythnos (£300 i gyd), drwy drosglwyddiad banc neu dalebau, ac rydym yn talu"
    " am eich teithio a gofal plant tra byddwch yn cymryd rhan."
)
BENEFITS = (
    "If you get Universal Credit or another benefit, payments for taking part may count as income. Tell your"
    " work coach or the benefits office before you are paid; you can choose vouchers instead. Expenses"
    " (travel, care) do not count as income."
)
BENEFITS_CY = (
    "Os ydych yn cael Credyd Cynhwysol neu fudd-dal arall, gall y taliadau gyfrif fel incwm. Dywedwch wrth"
    " eich anogwr gwaith cyn i chi gael eich talu; gallwch ddewis talebau yn lle hynny."
)


def build_demo_panels(context: dict[str, Any]) -> None:
    rng = random.Random(2121)  # the same borough on every machine
    now = timezone.now()
    council, officer = context["organisations"]["council"], context["users"]["officer"]
    wards = list(context["wards"])
    census_figures(rng, wards)
    with tempfile.TemporaryDirectory(prefix="coproduce-demo-panels-") as folder:
        climate = _climate(rng, now, context, council, officer, Path(folder))
        transport = _transport(rng, now, context, council, officer, Path(folder))
    context["panels"] = {"climate": climate, "transport": transport}


def census_figures(rng: random.Random, wards: list[Place]) -> None:
    """The wards' census figures for the panels' categories, only where none were uploaded yet
    (the consultations' demo uploads most of them)."""
    have = set(CensusFigure.objects.filter(place__in=wards).values_list("place", "question").distinct())
    figures = []
    for ward in wards:
        population = rng.randint(8_500, 12_500)
        for question, shares in CENSUS_SHARES.items():
            if (ward.pk, question) in have:
                continue
            for category, percent in shares.items():
                count = round(population * percent / 100 * rng.uniform(0.85, 1.15))
                figures.append(CensusFigure(place=ward, question=question, category=category, count=count))
    CensusFigure.objects.bulk_create(figures)


def _address_file(rng: random.Random, context: dict[str, Any], folder: Path, name: str, count: int, start: int) -> Path:
    """An address file as a council's gazetteer gives it: UPRN, lines, postcode (some households
    have asked for Welsh)."""
    postcodes = context["postcodes"]
    lines = ["uprn,address_1,address_2,address_3,postcode,language"]
    for number in range(count):
        postcode = postcodes[number % len(postcodes)]
        house = rng.randint(1, 240)
        flat = f"Flat {rng.randint(1, 12)}" if rng.random() < 0.25 else ""
        language = "cy" if rng.random() < 0.08 else ""
        street = rng.choice(STREETS)
        lines.append(f"{start + number},{flat or f'{house} {street}'},{f'{house} {street}' if flat else ''},Kingsmere,"
                     f"{postcode.postcode},{language}")  # fmt: skip
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _answers(rng: random.Random, categories: list[str]) -> dict[str, str]:
    return {
        feature: rng.choices(list(REGISTRANT_WEIGHTS[feature]), weights=list(REGISTRANT_WEIGHTS[feature].values()))[0]
        for feature in categories
        if feature in REGISTRANT_WEIGHTS
    }


def bulk_registrations(rng: random.Random, panel: Panel, count: int, moment: datetime.datetime) -> int:
    """``count`` registrations from the panel's letters, in the shape ``services.register`` writes
    them: about one household in eight registers two people."""
    invitations = list(Invitation.objects.filter(panel=panel).select_related("address__ward"))
    rng.shuffle(invitations)
    households: list[Invitation] = []
    people = 0
    for invitation in invitations:
        if people >= count:
            break
        size = 2 if rng.random() < 0.13 and people + 2 <= count else 1
        households.extend([invitation] * size)
        people += size
    ids = rng.sample(range(100_000, 1_000_000), len(households))
    registrants = [
        Registrant(
            panel=panel,
            invitation=invitation,
            public_id=f"P{number}",
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            email=f"panel{panel.pk}.{number}@example.org",
            phone="" if rng.random() < 0.7 else f"07700 9{rng.randint(10000, 99999)}",
            availability=rng.sample(["weekday_evening", "saturday", "sunday"], rng.randint(1, 3)),
            access_needs="Step-free access, please." if rng.random() < 0.05 else "",
            care_needs="I look after my two children." if rng.random() < 0.08 else "",
            consent=True,
            language=invitation.language,
        )
        for invitation, number in zip(households, ids, strict=True)
    ]
    Registrant.objects.bulk_create(registrants)
    registrants = list(Registrant.objects.filter(panel=panel).select_related("invitation__address__ward"))
    Registrant.objects.filter(pk__in=[r.pk for r in registrants]).update(registered_at=moment)
    features = []
    for registrant in registrants:
        for feature, value in _answers(rng, panel.categories).items():
            features.append(Feature(registrant=registrant, feature=feature, value=value))
        ward = registrant.invitation.address.ward
        if "ward" in panel.categories and ward is not None:
            features.append(Feature(registrant=registrant, feature="ward", value=ward.code))
    Feature.objects.bulk_create(features)
    return len(registrants)


def _climate(rng, now, context, council, officer, folder: Path) -> Panel:
    """Published: letters seven weeks ago, registration for four weeks, selected and published."""
    start = now - 50 * DAY
    borough = context["borough"]
    with replaying(start):
        panel = services.panel_create(
            organisation=council,
            actor=officer,
            place=borough,
            title="Kingsmere climate mini-conference",
            title_cy="Cynhadledd fach hinsawdd Caerfrenin",
            purpose=CLIMATE_PURPOSE,
            purpose_cy=CLIMATE_PURPOSE_CY,
            size=CLIMATE_SIZE,
            registration_opens=start + 2 * DAY,
            registration_closes=start + 30 * DAY,
            categories=CLIMATE_CATEGORIES,
            payment_policy=PAYMENT,
            payment_policy_cy=PAYMENT_CY,
            benefits_guidance=BENEFITS,
            benefits_guidance_cy=BENEFITS_CY,
        )
        path = _address_file(rng, context, folder, "climate.csv", CLIMATE_ADDRESSES, 100_000_000)
        services.addresses_import(panel=panel, actor=officer, path=path, name="Kingsmere gazetteer (demo).csv")
        services.invitations_draw(panel=panel, actor=officer, count=CLIMATE_LETTERS, seed="kingsmere-climate-letters")
    with replaying(start + 2 * DAY):
        services.registration_open(panel=panel, actor=officer)
    bulk_registrations(rng, panel, CLIMATE_REGISTRATIONS, start + 12 * DAY)
    with replaying(start + 31 * DAY):
        services.targets_from_census(panel=panel, actor=officer, tolerance=2)
        # Drawn at the public meeting in the town hall, typed in by the officer.
        services.selection_seed_set(panel=panel, actor=officer, seed="2741-0938-5512")
        services.selection_start(panel=panel, actor=officer)
    panel.refresh_from_db()
    if panel.stage == Stage.SELECTING:  # the task was queued for after the commit: run it now
        tasks.select_panel.call(panel.pk)
        panel.refresh_from_db()
    if panel.stage != Stage.SELECTED:
        raise RuntimeError(f"the demo panel's selection failed: {panel.selection_problem or panel.stage}")
    with replaying(start + 32 * DAY):
        services.selection_publish(panel=panel, actor=officer)
    with replaying(start + 33 * DAY):
        services.session_add(
            panel=panel,
            actor=officer,
            title="First weekend: what we know",
            title_cy="Penwythnos cyntaf: beth rydym yn ei wybod",
            starts_at=now + 10 * DAY,
            ends_at=now + 10 * DAY + datetime.timedelta(hours=7),
            venue="Kingsmere Town Hall, Market Street",
            access="Step-free entrance on Chapel Street; hearing loop in the council chamber.",
        )
        services.session_add(
            panel=panel,
            actor=officer,
            title="Second weekend: what we recommend",
            title_cy="Ail benwythnos: beth rydym yn ei argymell",
            starts_at=now + 24 * DAY,
            ends_at=now + 24 * DAY + datetime.timedelta(hours=7),
            venue="Kingsmere Town Hall, Market Street",
        )
    selected = list(panel.registrants.filter(status=RegistrantStatus.SELECTED).order_by("public_id"))
    with replaying(start + 36 * DAY):
        for registrant in selected[1:81]:
            services.place_respond(registrant=registrant, accept=True)
        services.place_respond(registrant=selected[0], accept=False)
        services.dropout_replace(panel=panel, actor=officer, registrant=selected[0])
    panel.refresh_from_db()
    return panel


def _transport(rng, now, context, council, officer, folder: Path) -> Panel:
    """Taking registrations: letters drawn last week, registration open for three more weeks."""
    start = now - 9 * DAY
    borough = context["borough"]
    with replaying(start):
        panel = services.panel_create(
            organisation=council,
            actor=officer,
            place=borough,
            title="Getting around Kingsmere: a residents' panel on transport",
            title_cy="Teithio o gwmpas Caerfrenin: panel trigolion ar drafnidiaeth",
            purpose=(
                "Forty residents will look at buses, cycling, walking and parking, and recommend how the"
                " council spends its transport budget over the next five years."
            ),
            size=40,
            registration_opens=start + 2 * DAY,
            registration_closes=now + 21 * DAY,
            categories=TRANSPORT_CATEGORIES,
            payment_policy=PAYMENT,
            benefits_guidance=BENEFITS,
            algorithm="leximin",
        )
        path = _address_file(rng, context, folder, "transport.csv", TRANSPORT_ADDRESSES, 200_000_000)
        services.addresses_import(panel=panel, actor=officer, path=path, name="Kingsmere gazetteer (demo).csv")
        services.invitations_draw(panel=panel, actor=officer, count=TRANSPORT_LETTERS, seed="kingsmere-transport")
    with replaying(start + 2 * DAY):
        services.registration_open(panel=panel, actor=officer)
    invitations = list(panel.invitations.order_by("position")[:TRANSPORT_REGISTRATIONS])
    with replaying(start + 4 * DAY):
        for number, invitation in enumerate(invitations):
            answers = _answers(rng, [c for c in panel.categories if c != "ward"])
            services.register(
                invitation=invitation,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                email=f"transport{number}@example.org",
                features=answers,
                availability=["saturday"],
                consent=True,
                language=invitation.language,
            )
    panel.refresh_from_db()
    return panel
