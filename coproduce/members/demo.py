"""Members of the demo borough's co-ops: classes, a few hundred members each, and the demo log-ins' own."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from coproduce.core.models import User

from .models import (
    EmailUse,
    Membership,
    MembershipStatus,
    PaymentMethod,
    SharePayment,
    ShareTransaction,
    ShareTransactionKind,
    StakeholderClass,
)
from .services import (
    membership_admit,
    membership_apply,
    membership_refuse,
    membership_rules_update,
    share_payment_record,
)

# What each demo organisation's registered rules say about membership.
RULES: dict[str, dict[str, Any]] = {
    "council": {"accepts_members": False},
    "homes": {
        "shares_withdrawable": False,
        "meeting_notice_clear_days": 14,
        "quorum_members": 20,
        "payment_instructions": "Pay £1 at the housing office on Castle Hill Road, in cash or by card.",
        "payment_instructions_cy": "Talwch £1 yn y swyddfa dai ar Heol Castle Hill, ag arian parod neu gerdyn.",
    },
    "leisure": {
        "quorum_members": 25,
        "voting_qualifying_days": 0,
        "payment_instructions": (
            "Pay £1 at any leisure centre reception, in cash or by card, or by bank transfer to Kingsmere "
            "Leisure Trust (sort code 00-00-00, account 00000000) with your member number as the reference."
        ),
        "payment_instructions_cy": (
            "Talwch £1 yn nerbynfa unrhyw ganolfan hamdden, ag arian parod neu gerdyn, neu drwy drosglwyddiad "
            "banc i Ymddiriedolaeth Hamdden Caerfrenin (cod didoli 00-00-00, cyfrif 00000000) gyda'ch rhif "
            "aelod yn gyfeirnod."
        ),
    },
    "care": {
        "further_purchases_allowed": True,
        "max_holding_pence": 500_00,
        "quorum_members": 10,
        "payment_instructions": (
            "Pay by bank transfer (sort code 00-00-01, account 00000001) or by cheque to the office."
        ),
    },
    "group": {"share_value_pence": 1, "quorum_members": 5, "shares_withdrawable": False},
}

CLASSES = {
    "homes": [
        ("tenant", "Tenant", "Tenant", "You rent a home from the co-operative.", True),
        (
            "council-nominee",
            "Council nominee",
            "Enwebai'r cyngor",
            "Nominated by the council to the board.",
            False,
        ),
        ("independent", "Independent", "Annibynnol", "You bring skills the board needs.", False),
    ],
    "leisure": [("user", "Community member", "Aelod cymunedol", "You live or work in Kingsmere.", True)],
    "care": [
        (
            "service-user",
            "Service user",
            "Defnyddiwr gwasanaeth",
            "You receive care from the co-operative.",
            True,
        ),
        ("worker", "Care worker", "Gweithiwr gofal", "You work for the co-operative.", True),
        ("family", "Family member", "Aelod o'r teulu", "Someone in your family receives care.", True),
        ("volunteer", "Volunteer", "Gwirfoddolwr", "You volunteer with the co-operative.", True),
    ],
    "group": [("neighbour", "Neighbour", "Cymydog", "You live near Elmwood Park.", True)],
}
MEMBER_COUNTS = {"homes": 200, "leisure": 500, "care": 60, "group": 25}
FIRST = [
    "Aled",
    "Bethan",
    "Carys",
    "Dafydd",
    "Ellie",
    "Femi",
    "Grace",
    "Harun",
    "Ifan",
    "Jas",
    "Kemi",
    "Lowri",
    "Megan",
    "Nia",
    "Omar",
    "Priya",
    "Rhys",
    "Sian",
    "Tomos",
    "Uzma",
    "Wyn",
    "Yusuf",
    "Zara",
    "Alys",
]
LAST = [
    "Jones",
    "Davies",
    "Khan",
    "Evans",
    "Okafor",
    "Williams",
    "Patel",
    "Roberts",
    "Hughes",
    "Nowak",
    "Price",
    "Lewis",
    "Ahmed",
    "Morgan",
    "Griffiths",
    "Chen",
]


def build_demo_members(context: dict[str, Any]) -> None:
    rng = random.Random(2026)  # the same borough on every machine
    organisations = context["organisations"]
    for key, rules in RULES.items():
        membership_rules_update(organisation=organisations[key], actor=None, **rules)
    classes: dict[str, list[StakeholderClass]] = {}
    for key, rows in CLASSES.items():
        classes[key] = [
            StakeholderClass.objects.create(
                organisation=organisations[key],
                code=code,
                name=name,
                name_cy=name_cy,
                description=description,
                has_voting_rights=True,
                open_to_applications=open_,
                order=order,
            )
            for order, (code, name, name_cy, description, open_) in enumerate(rows)
        ]
    postcodes = context["postcodes"]
    password = make_password(None)  # demo members cannot log in; the four demo log-ins can
    people = User.objects.bulk_create(
        [
            User(
                email=f"member{number}@example.org",
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                address=f"{rng.randint(1, 240)} {rng.choice(LAST)} Road, Kingsmere",
                postcode=(postcode := rng.choice(postcodes)).postcode,
                ward_id=postcode.ward_id,
                password=password,
            )
            for number in range(sum(MEMBER_COUNTS.values()))
        ]
    )
    today = timezone.localdate()
    memberships: list[Membership] = []
    start = 0
    for key, count in MEMBER_COUNTS.items():
        organisation = organisations[key]
        # Admissions spread over eight years and quickening lately (the programme's growth chart
        # and the workspace have a history to show); member numbers follow the admission dates.
        admitted = sorted(_admission_day(rng, today) for _ in range(count))
        for number, (person, admitted_on) in enumerate(zip(people[start : start + count], admitted, strict=True), 1):
            ceased = rng.random() < 0.05
            memberships.append(
                Membership(
                    person=person,
                    organisation=organisation,
                    stakeholder_class=rng.choice(classes[key]),
                    status=MembershipStatus.CEASED if ceased else MembershipStatus.ADMITTED,
                    member_number=number,
                    admitted_on=admitted_on,
                    ceased_on=_cessation_day(rng, admitted_on, today) if ceased else None,
                    cessation_reason="resigned" if ceased else "",
                    email_use=EmailUse.NOTICES if rng.random() < 0.7 else EmailUse.CONTACT_ONLY,
                )
            )
        start += count
    memberships = Membership.objects.bulk_create(memberships)
    ledger = []
    for membership in memberships:
        value = RULES.get(_key(organisations, membership.organisation), {}).get("share_value_pence", 100)
        ledger.append(
            ShareTransaction(membership=membership, kind=ShareTransactionKind.ISSUE, shares=1, amount_pence=value)
        )
        if membership.status == MembershipStatus.CEASED:
            ledger.append(
                ShareTransaction(
                    membership=membership,
                    kind=ShareTransactionKind.CANCELLATION,
                    shares=-1,
                    amount_pence=-value,
                )
            )
    ledger = ShareTransaction.objects.bulk_create(ledger)
    # Most members have paid for their share; about one in twenty still owes it.
    methods = [PaymentMethod.CASH, PaymentMethod.CARD_MACHINE, PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE]
    SharePayment.objects.bulk_create(
        [
            SharePayment(
                share_transaction=issue,
                amount_pence=issue.amount_pence,
                method=rng.choice(methods),
                reference=f"KM{issue.pk:06d}",
                paid_on=issue.membership.admitted_on,
            )
            for issue in ledger
            if issue.kind == ShareTransactionKind.ISSUE
            and (issue.membership.status == MembershipStatus.CEASED or rng.random() >= 0.05)
        ]
    )

    # The demo log-ins: the member belongs to the leisure trust and the care co-op; one
    # application waits for the secretary's decision.
    # The member has paid the leisure trust for their share and still owes the care co-op.
    users = context["users"]
    for key in ("leisure", "care"):
        membership = membership_apply(
            person=users["member"],
            organisation=organisations[key],
            stakeholder_class=classes[key][0],
            email_use=EmailUse.NOTICES,
        )
        membership_admit(membership=membership, actor=users["secretary"])
        if key == "leisure":
            share_payment_record(
                share_transaction=membership.share_transactions.get(),
                actor=users["secretary"],
                method=PaymentMethod.CARD_MACHINE,
                reference="Demo receipt 0001",
                paid_on=timezone.localdate(),
            )
    # The secretary's workspace has work waiting and a recent history, all through the services
    # (so the audit trail tells it): three newcomers admitted this month, two of whom have paid;
    # one refused; five applications waiting (with their addresses, to check eligibility); and
    # a few waiting at the housing co-op too.
    secretary = users["secretary"]
    newcomers = people[1:5]
    for person in newcomers:
        membership_apply(
            person=person,
            organisation=organisations["leisure"],
            stakeholder_class=classes["leisure"][0],
            email_use=EmailUse.NOTICES,
        )
    leisure_applications = Membership.objects.filter(
        organisation=organisations["leisure"], status=MembershipStatus.APPLIED
    ).order_by("pk")
    admitted_now = [membership_admit(membership=m, actor=secretary) for m in leisure_applications[:3]]
    for membership in admitted_now[:2]:
        share_payment_record(
            share_transaction=membership.share_transactions.get(),
            actor=secretary,
            method=PaymentMethod.CASH,
            reference=f"Reception receipt {membership.member_number}",
            paid_on=today,
        )
    membership_refuse(
        membership=Membership.objects.get(organisation=organisations["leisure"], person=newcomers[3]),
        actor=secretary,
        reason="You live outside Kingsmere, the area our rules say members come from.",
    )
    for person in [people[0], *people[5:9]]:
        membership_apply(person=person, organisation=organisations["leisure"], stakeholder_class=classes["leisure"][0])
    for person in people[9:11]:
        membership_apply(person=person, organisation=organisations["care"], stakeholder_class=classes["care"][0])
    for person in people[260:262]:  # leisure trust members who rent from the housing co-op
        membership_apply(person=person, organisation=organisations["homes"], stakeholder_class=classes["homes"][0])


def _admission_day(rng: random.Random, today: datetime.date) -> datetime.date:
    """A day in the last eight years, more often recent: the co-ops are growing."""
    return today - datetime.timedelta(days=int(2900 * rng.random() ** 1.5) + 3)


def _cessation_day(rng: random.Random, admitted_on: datetime.date, today: datetime.date) -> datetime.date:
    """A day after admission, within the last two years where it can be."""
    earliest = max(admitted_on + datetime.timedelta(days=1), today - datetime.timedelta(days=730))
    return earliest + datetime.timedelta(days=rng.randint(0, max((today - earliest).days, 0)))


def _key(organisations: dict[str, Any], organisation) -> str:
    return next(key for key, value in organisations.items() if value.pk == organisation.pk)
