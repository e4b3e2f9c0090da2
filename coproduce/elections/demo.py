"""The demo borough's elections (built by ``coproduce demo``, after the members' demo).

Three elections, one in each state a visitor should see:

* **Kingsmere North Homes** has declared its board election, modelled on a community gateway
  housing association's board (tenants, independents and council nominees): three tenant seats
  elected by the tenant members, two independent seats elected by all the members, and the
  council's three nominees listed as appointed. Counted by STV (ERS 1997 rules) with a seed the
  returning officer published; the result and the anonymised ballots are published, so
  ``coproduce count stv`` recounts them. Paper ballots were entered by the secretary and
  checked by the returning officer.
* **Kingsmere Leisure Trust** is polling now, closing in ten days, run by the council's officer
  (``officer@example.org``) as returning officer: ``member@example.org`` is on the electorate
  and has not voted; some others have.
* **Caring Together** is taking nominations: one complete, one waiting for its seconder.

Everything goes through the services, so the audit trails tell the story. The services check
the timetable against the clock, so the finished election is replayed on the days it happened
(``core.demo.replaying`` moves Django's clock back while it runs; the marks and ballots carry no time).
Dates are relative to the day the demo is built. Preferences are drawn from a seeded random
generator, so every machine builds the same borough (receipt codes and the seal's shuffle
excepted: those are drawn from ``secrets``, as they must be).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils import timezone

from coproduce.core.demo import replaying
from coproduce.core.models import User
from coproduce.members.demo import FIRST, LAST
from coproduce.members.models import (
    EmailUse,
    Membership,
    MembershipStatus,
    PaymentMethod,
    SharePayment,
    ShareTransaction,
    ShareTransactionKind,
    StakeholderClass,
)
from coproduce.voting import services as voting
from coproduce.voting.models import Channel

from . import selectors, services
from .models import Constituency, CountRules, Election, Nomination

DAY = datetime.timedelta(days=1)

# More tenants for the housing co-op, so that its election has a few hundred voters: the
# members' demo gives each co-op a small register, and 1,200 homes have more tenants than that.
EXTRA_TENANTS = 300
MORE_FIRST = [
    "Aisha", "Bryn", "Catrin", "Declan", "Efa", "Gethin", "Hana", "Iolo", "Joanna", "Kofi",
    "Llinos", "Mared", "Nasir", "Osian", "Paula", "Rhiannon", "Sioned", "Tariq", "Ursula", "Wiktor",
]  # fmt: skip
MORE_LAST = [
    "Bevan", "Thomas", "Rees", "Iqbal", "Kowalski", "Powell", "Mensah", "Parry", "Singh", "Watkins",
    "Owen", "Baker", "Hussain", "Pritchard", "Edwards", "Lloyd",
]  # fmt: skip


def build_demo_elections(context: dict[str, Any]) -> None:
    rng = random.Random(2017)  # the same borough on every machine
    now = timezone.now()
    organisations, users = context["organisations"], context["users"]
    classes = {
        key: {c.code: c for c in StakeholderClass.objects.filter(organisation=organisations[key])}
        for key in ("homes", "leisure", "care")
    }
    _more_tenants(rng, context, classes["homes"]["tenant"])
    context["elections"] = {
        "homes": _homes_election(rng, now, organisations["homes"], classes["homes"], users),
        "leisure": _leisure_election(rng, now, organisations["leisure"], users),
        "care": _care_election(now, organisations["care"], classes["care"], users),
    }


def _more_tenants(rng: random.Random, context: dict[str, Any], tenant: StakeholderClass) -> None:
    """Tenant members of the housing co-op, admitted over the years, their shares paid
    (in the members' demo's shape: the register is built in bulk, not one application at a time)."""
    today = timezone.localdate()
    organisation = tenant.organisation
    postcodes = [p for p in context["postcodes"] if p.ward.parent_id == context["districts"]["North"].pk]
    password = make_password(None)  # demo members cannot log in
    first, last = FIRST + MORE_FIRST, LAST + MORE_LAST
    people = User.objects.bulk_create(
        [
            User(
                email=f"tenant{number}@example.org",
                full_name=f"{rng.choice(first)} {rng.choice(last)}",
                address=f"{rng.randint(1, 180)} {rng.choice(last)} Close, Kingsmere",
                postcode=(postcode := rng.choice(postcodes)).postcode,
                ward_id=postcode.ward_id,
                preferred_language="cy" if rng.random() < 0.15 else "en",
                password=password,
            )
            for number in range(EXTRA_TENANTS)
        ]
    )
    last = Membership.objects.filter(organisation=organisation).aggregate(last=Max("member_number"))["last"]
    start = (last or 0) + 1
    admitted = sorted(today - datetime.timedelta(days=rng.randint(120, 2900)) for _ in people)
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                person=person,
                organisation=organisation,
                stakeholder_class=tenant,
                status=MembershipStatus.ADMITTED,
                member_number=start + index,
                admitted_on=admitted_on,
                email_use=EmailUse.NOTICES if rng.random() < 0.7 else EmailUse.CONTACT_ONLY,
            )
            for index, (person, admitted_on) in enumerate(zip(people, admitted, strict=True))
        ]
    )
    issues = ShareTransaction.objects.bulk_create(
        [
            ShareTransaction(membership=m, kind=ShareTransactionKind.ISSUE, shares=1, amount_pence=100)
            for m in memberships
        ]
    )
    SharePayment.objects.bulk_create(
        [
            SharePayment(
                share_transaction=issue,
                amount_pence=100,
                method=rng.choice([PaymentMethod.CASH, PaymentMethod.CARD_MACHINE]),
                reference=f"NH{issue.pk:06d}",
                paid_on=issue.membership.admitted_on,
            )
            for issue in issues
        ]
    )


def _voters(constituency: Constituency, *, on: datetime.date | None = None) -> list[User]:
    """Who votes in the constituency on ``on`` (its qualifying date unless given), in a stable order."""
    return list(User.objects.filter(pk__in=selectors.electorate(constituency, on=on)).order_by("pk"))


def _ranking(rng: random.Random, options: Sequence[str], weights: Sequence[float]) -> list[str]:
    """One voter's preferences: candidates drawn in turn, the popular ones more often first;
    most voters rank two to four, a few only one, some every candidate."""
    length = rng.choices(range(1, len(options) + 1), weights=[3, 6, 5, 3, 2, 2, 1, 1][: len(options)])[0]
    remaining, weights_left, ranking = list(options), list(weights), []
    while remaining and len(ranking) < length:
        pick = rng.choices(range(len(remaining)), weights=weights_left)[0]
        ranking.append(remaining.pop(pick))
        weights_left.pop(pick)
    return ranking


def _nominate(
    constituency: Constituency,
    candidate: User,
    supporters: list[User],
    *,
    statement: str,
    statement_cy: str,
    confirm: bool = True,
) -> Nomination:
    """The candidate nominates themself with a proposer and a seconder, who confirm online."""
    proposer, seconder = supporters.pop(), supporters.pop()
    nomination = services.nomination_submit(
        constituency=constituency,
        candidate=candidate,
        by=candidate,
        ballot_name=candidate.full_name,
        statement=statement,
        statement_cy=statement_cy,
        proposer=proposer,
        seconder=seconder,
    )
    services.nomination_confirm(nomination=nomination, by=proposer)
    if confirm:
        services.nomination_confirm(nomination=nomination, by=seconder)
    return nomination


# (statement, statement in Welsh, how popular): the tenant and independent candidates.
TENANT_CANDIDATES = [
    (
        "I have lived on the Brookfield estate for 22 years and chaired our residents' association. "
        "I want repairs done right the first time, and tenants told when they will be.",
        "Rwyf wedi byw ar stad Brookfield ers 22 mlynedd ac wedi cadeirio ein cymdeithas trigolion. "
        "Rwyf am i atgyweiriadau gael eu gwneud yn iawn y tro cyntaf, ac i denantiaid gael gwybod pryd.",
        9.0,
    ),
    (
        "A nurse and a mum of three. Damp and mould make families ill: I will push for every "
        "report to be inspected within a week.",
        "Nyrs a mam i dri. Mae lleithder a llwydni yn gwneud teuluoedd yn sâl: byddaf yn pwyso am "
        "archwilio pob adroddiad o fewn wythnos.",
        7.0,
    ),
    (
        "Retired electrician. I will make sure the co-op's money goes on insulation and heat pumps, "
        "so our bills come down.",
        "Trydanwr wedi ymddeol. Byddaf yn sicrhau bod arian y gydweithfa yn mynd ar inswleiddio a "
        "phympiau gwres, fel bod ein biliau'n gostwng.",
        6.0,
    ),
    (
        "I am 24 and grew up in these homes. Young tenants need a voice on the board, and more homes we can afford.",
        "Rwy’n 24 oed ac fe ges i fy magu yn y cartrefi hyn. Mae angen llais ar y bwrdd i denantiaid "
        "ifanc, a mwy o gartrefi y gallwn eu fforddio.",
        4.5,
    ),
    (
        "Fifteen years on the tenants' panel. I know how the board works and I will keep asking the hard questions.",
        "Pymtheg mlynedd ar banel y tenantiaid. Rwy’n gwybod sut mae’r bwrdd yn gweithio a byddaf "
        "yn dal i ofyn y cwestiynau anodd.",
        4.0,
    ),
    (
        "I run the Castle Hill food bank. No tenant should face eviction without help with money advice first.",
        "Rwy’n rhedeg banc bwyd Castle Hill. Ni ddylai unrhyw denant wynebu cael ei droi allan heb "
        "gymorth gyda chyngor ariannol yn gyntaf.",
        3.0,
    ),
]
INDEPENDENT_CANDIDATES = [
    (
        "A chartered accountant who has audited housing associations for twenty years: I will help "
        "the board keep rents fair and the books sound.",
        "Cyfrifydd siartredig sydd wedi archwilio cymdeithasau tai ers ugain mlynedd: byddaf yn helpu’r "
        "bwrdd i gadw rhenti’n deg a’r cyfrifon yn gadarn.",
        6.0,
    ),
    (
        "A planning solicitor. The co-op wants to build 150 new homes; I can help it do so on time.",
        "Cyfreithiwr cynllunio. Mae’r gydweithfa am adeiladu 150 o gartrefi newydd; gallaf ei helpu i "
        "wneud hynny mewn pryd.",
        5.0,
    ),
    (
        "I manage a community energy co-operative and would bring what we learnt about solar roofs.",
        "Rwy’n rheoli cydweithfa ynni cymunedol a byddwn yn dod â’r hyn a ddysgon ni am doeon solar.",
        4.0,
    ),
    (
        "Former head of a tenants' advice service. Good governance means tenants can see every decision.",
        "Cyn-bennaeth gwasanaeth cyngor i denantiaid. Mae llywodraethu da yn golygu bod tenantiaid yn "
        "gallu gweld pob penderfyniad.",
        2.5,
    ),
]


def _homes_election(
    rng: random.Random,
    now: datetime.datetime,
    organisation,
    classes: dict[str, StakeholderClass],
    users: dict[str, User],
) -> Election:
    """The housing co-op's board election, from its notice to the declared result, five weeks ago to last fortnight."""
    secretary, officer = users["secretary"], users["officer"]
    timetable = {
        "nominations_open": now - 56 * DAY,
        "nominations_close": now - 35 * DAY,
        "voting_open": now - 28 * DAY,
        "voting_close": now - 14 * DAY,
    }
    with replaying(now - 63 * DAY):
        election = services.election_create(
            organisation=organisation,
            by=secretary,
            title="Board election",
            title_cy="Etholiad y bwrdd",
            description=(
                "The board has seven tenant members, five independent members and three nominees of "
                "Kingsmere Borough Council. A third of the elected members stand down each year: this "
                "year three tenant seats, elected by the tenant members, and two independent seats, "
                "elected by all the members."
            ),
            description_cy=(
                "Mae gan y bwrdd saith aelod sy’n denantiaid, pum aelod annibynnol a thri enwebai Cyngor "
                "Bwrdeistref Caerfrenin. Mae traean o’r aelodau etholedig yn camu i lawr bob blwyddyn: "
                "eleni tair sedd i denantiaid, wedi’u hethol gan yr aelodau sy’n denantiaid, a dwy sedd "
                "annibynnol, wedi’u hethol gan yr holl aelodau."
            ),
            rules=CountRules.ERS97,
            qualifying_date=timezone.localdate(now) - 35 * DAY,
            nominations_need_proposer=True,
            returning_officer=officer,
            **timetable,
        )
        tenants = services.constituency_add(
            election=election,
            by=secretary,
            name="Tenant members",
            name_cy="Aelodau sy’n denantiaid",
            seats=3,
            stakeholder_class=classes["tenant"],
        )
        everyone = services.constituency_add(
            election=election, by=secretary, name="Independent members", name_cy="Aelodau annibynnol", seats=2
        )
        services.appointed_seat_add(
            election=election,
            by=secretary,
            title="Council nominee",
            title_cy="Enwebai’r cyngor",
            appointed_by="Kingsmere Borough Council",
            seats=3,
        )
        election = services.election_publish(election=election, by=secretary)
    with replaying(now - 50 * DAY):
        tenant_voters, all_voters = (
            _voters(tenants, on=timezone.localdate()),
            _voters(everyone, on=timezone.localdate()),
        )
        pool = [p for p in all_voters if p.pk not in {u.pk for u in users.values()}]
        rng.shuffle(pool)
        tenant_pool = [p for p in pool if p.pk in {v.pk for v in tenant_voters}]
        others = [p for p in pool if p.pk not in {v.pk for v in tenant_voters}]
        tenant_nominations = [
            _nominate(tenants, tenant_pool.pop(), tenant_pool, statement=text, statement_cy=text_cy)
            for text, text_cy, _ in TENANT_CANDIDATES
        ]
        independent_nominations = [
            _nominate(everyone, others.pop(), others, statement=text, statement_cy=text_cy)
            for text, text_cy, _ in INDEPENDENT_CANDIDATES
        ]
        # A late nomination, withdrawn by the candidate before the close.
        withdrawn = _nominate(
            everyone,
            others.pop(),
            others,
            statement="I would like to help the co-op with its website and its social media.",
            statement_cy="Hoffwn helpu’r gydweithfa gyda’i gwefan a’i chyfryngau cymdeithasol.",
        )
    with replaying(now - 37 * DAY):
        services.nomination_withdraw(nomination=withdrawn, by=withdrawn.candidate)
    with replaying(now - 34 * DAY):
        for nomination in tenant_nominations + independent_nominations:
            services.nomination_decide(nomination=nomination, accept=True, by=officer)
        services.election_seed_set(election=election, seed="north-homes-board-2026", by=officer)
    with replaying(now - 28 * DAY):
        election = services.election_open_voting(election=election, by=officer)
    weights = {
        tenants.pk: {str(n.pk): w for n, (_, _, w) in zip(tenant_nominations, TENANT_CANDIDATES, strict=True)},
        everyone.pk: {
            str(n.pk): w for n, (_, _, w) in zip(independent_nominations, INDEPENDENT_CANDIDATES, strict=True)
        },
    }
    papers: dict[int, list[list[str]]] = {}
    with replaying(now - 20 * DAY):
        for constituency, turnout_ in ((tenants, 0.58), (everyone, 0.5)):
            constituency.refresh_from_db()
            box = constituency.box
            options = box.options
            popularity = [weights[constituency.pk][key] for key in options]
            voters = [p for p in _voters(constituency) if rng.random() < turnout_]
            on_paper = {p.pk for p in voters if rng.random() < 0.12}
            papers[constituency.pk] = []
            for person in voters:
                ranking = _ranking(rng, options, popularity)
                if person.pk in on_paper:
                    voting.paper_vote_mark(box=box, person=person, by=secretary)
                    papers[constituency.pk].append(ranking)
                else:
                    services.vote(constituency=constituency, person=person, choices=ranking)
    with replaying(now - 14 * DAY):
        election = services.election_close_voting(election=election, by=officer)
    with replaying(now - 14 * DAY + datetime.timedelta(hours=2)):
        # The papers, as they read, in batches of up to 25: entered by the secretary, checked by the
        # returning officer. One paper in the tenants' box was spoilt (no first preference): the
        # voter is marked as having voted, and the paper counts for nothing.
        for constituency in (tenants, everyone):
            box, rankings = constituency.box, papers[constituency.pk]
            for start in range(0, len(rankings), 25):
                batch = voting.paper_batch_start(box=box, by=secretary)
                for index, ranking in enumerate(rankings[start : start + 25]):
                    if constituency == tenants and start == 0 and index == 3:
                        voting.paper_ballot_enter(batch=batch, by=secretary, spoilt_reason="No first preference")
                    else:
                        voting.paper_ballot_enter(batch=batch, by=secretary, content=ranking)
                voting.paper_batch_check(batch=batch, by=officer)
        election = services.election_count(election=election, by=officer)
    return election


LEISURE_CANDIDATES = [
    (
        "Swimming coach at Fairhaven pool. I want lessons for every child in the borough, "
        "whatever their family can pay.",
        "Hyfforddwr nofio ym mhwll Fairhaven. Rwyf am weld gwersi i bob plentyn yn y fwrdeistref, "
        "beth bynnag y gall eu teulu ei dalu.",
        6.0,
    ),
    (
        "I use the gym at Highgate Park five mornings a week. Keep the prices down and open at 6.",
        "Rwy’n defnyddio campfa Parc Highgate bum bore'r wythnos. Cadwch y prisiau'n isel ac agorwch am 6.",
        4.0,
    ),
    (
        "A physiotherapist: I will work for classes for people recovering from illness, with the NHS.",
        "Ffisiotherapydd: byddaf yn gweithio dros ddosbarthiadau i bobl sy’n gwella o salwch, gyda’r GIG.",
        5.0,
    ),
    (
        "Parks volunteer and Elmwood Park Friends member. Our green spaces deserve the same care as our pools.",
        "Gwirfoddolwr parciau ac aelod o Gyfeillion Parc Elmwood. "
        "Mae ein mannau gwyrdd yn haeddu'r un gofal â’n pyllau.",
        3.5,
    ),
    (
        "Accountant and five-a-side goalkeeper. The trust must balance its books without closing a single centre.",
        "Cyfrifydd a gôl-geidwad pump-bob-ochr. Rhaid i’r ymddiriedolaeth gydbwyso'i chyfrifon heb gau un ganolfan.",
        3.0,
    ),
]


def _leisure_election(rng: random.Random, now: datetime.datetime, organisation, users: dict[str, User]) -> Election:
    """The leisure trust's election: voting opened this morning and closes in ten days."""
    secretary, member, officer = users["secretary"], users["member"], users["officer"]
    with replaying(now - 30 * DAY):
        election = services.election_create(
            organisation=organisation,
            by=secretary,
            title="Election of community trustees",
            title_cy="Ethol ymddiriedolwyr cymunedol",
            description="Three community trustees, elected by the members for three years.",
            description_cy="Tri ymddiriedolwr cymunedol, wedi’u hethol gan yr aelodau am dair blynedd.",
            rules=CountRules.SCOTTISH,
            nominations_open=now - 24 * DAY,
            nominations_close=now - 3 * DAY,
            voting_open=now - datetime.timedelta(hours=2),
            voting_close=now + 10 * DAY,
            # The register on the day the poll opens (the trust's rules ask no qualifying period).
            qualifying_date=timezone.localdate(now),
            nominations_need_proposer=False,
            # A council officer runs it, as councils lend returning officers to the co-ops they sponsor.
            returning_officer=officer,
        )
        constituency = services.constituency_add(
            election=election, by=secretary, name="Community trustees", name_cy="Ymddiriedolwyr cymunedol", seats=3
        )
        election = services.election_publish(election=election, by=secretary)
    with replaying(now - 15 * DAY):
        members = [
            p for p in _voters(constituency, on=timezone.localdate()) if p.pk not in {u.pk for u in users.values()}
        ]
        rng.shuffle(members)
        nominations = [
            services.nomination_submit(
                constituency=constituency,
                candidate=(person := members.pop()),
                by=person,
                ballot_name=person.full_name,
                statement=text,
                statement_cy=text_cy,
            )
            for text, text_cy, _ in LEISURE_CANDIDATES
        ]
    with replaying(now - 2 * DAY):
        for nomination in nominations:
            services.nomination_decide(nomination=nomination, accept=True, by=officer)
    with replaying(now - datetime.timedelta(hours=2)):
        election = services.election_open_voting(election=election, by=officer)
    constituency.refresh_from_db()
    options = constituency.box.options
    popularity = [w for _, _, w in LEISURE_CANDIDATES]
    by_key = {str(n.pk): w for n, w in zip(nominations, popularity, strict=True)}
    weights = [by_key[key] for key in options]
    electorate = set(selectors.electorate(constituency))
    assert member.pk in electorate, "the demo member must be able to vote in the leisure trust's election"
    early = [p for p in members if p.pk in electorate][:37]
    for person in early:
        services.vote(constituency=constituency, person=person, choices=_ranking(rng, options, weights))
    # One member, at the reception desk, voted with a member of staff's help.
    helped = members[40]
    services.vote_for(
        constituency=constituency,
        person=helped,
        choices=_ranking(rng, options, weights),
        by=secretary,
        channel=Channel.ASSISTED,
    )
    return election


def _care_election(now: datetime.datetime, organisation, classes: dict[str, StakeholderClass], users) -> Election:
    """The care co-op's election, taking nominations until next week."""
    secretary = users["secretary"]
    with replaying(now - 6 * DAY):
        election = services.election_create(
            organisation=organisation,
            by=secretary,
            title="Board election",
            title_cy="Etholiad y bwrdd",
            description=(
                "Two seats for care workers, elected by the care workers, and two seats elected by all the "
                "members: the people we support, their families, our workers and volunteers."
            ),
            description_cy=(
                "Dwy sedd i weithwyr gofal, wedi’u hethol gan y gweithwyr gofal, a dwy sedd wedi’u hethol gan "
                "yr holl aelodau: y bobl rydym yn eu cefnogi, eu teuluoedd, ein gweithwyr a’n gwirfoddolwyr."
            ),
            rules=CountRules.MEEK,
            nominations_open=now - 4 * DAY,
            nominations_close=now + 8 * DAY,
            voting_open=now + 12 * DAY,
            voting_close=now + 26 * DAY,
            qualifying_date=timezone.localdate(now) + 8 * DAY,
            nominations_need_proposer=True,
            returning_officer=secretary,
        )
        workers = services.constituency_add(
            election=election,
            by=secretary,
            name="Care workers",
            name_cy="Gweithwyr gofal",
            seats=2,
            stakeholder_class=classes["worker"],
        )
        everyone = services.constituency_add(
            election=election, by=secretary, name="All members", name_cy="Pob aelod", seats=2
        )
        election = services.election_publish(election=election, by=secretary)
    with replaying(now - 2 * DAY):
        in_workers = [
            p for p in _voters(workers, on=timezone.localdate()) if p.pk not in {u.pk for u in users.values()}
        ]
        in_all = [
            p
            for p in _voters(everyone, on=timezone.localdate())
            if p.pk not in {u.pk for u in users.values()} and p not in in_workers
        ]
        _nominate(
            workers,
            in_workers[0],
            in_workers[1:3],
            statement="Care worker for nine years. Fair rotas, paid travel time and a say in how we work.",
            statement_cy=(
                "Gweithiwr gofal ers naw mlynedd. Rotâu teg, tâl am amser teithio a llais yn y ffordd rydym yn "
                "gweithio."
            ),
        )
        # Waiting for the seconder to confirm online.
        _nominate(
            everyone,
            in_all[0],
            in_all[1:3],
            statement=(
                "My mother has had care from the co-op for four years. Families should be heard before changes "
                "are made."
            ),
            statement_cy=(
                "Mae fy mam wedi cael gofal gan y gydweithfa ers pedair blynedd. Dylai teuluoedd gael eu clywed cyn "
                "i newidiadau gael eu gwneud."
            ),
            confirm=False,
        )
    return election
