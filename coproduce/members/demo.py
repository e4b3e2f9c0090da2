"""Members of the demo borough's co-ops: classes, a few hundred members each, and the demo log-ins' own."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from coproduce.core.models import User

from .models import Membership, MembershipStatus, ShareTransaction, ShareTransactionKind, StakeholderClass
from .services import membership_admit, membership_apply

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
        for number, person in enumerate(people[start : start + count], start=1):
            ceased = rng.random() < 0.05
            memberships.append(
                Membership(
                    person=person,
                    organisation=organisation,
                    stakeholder_class=rng.choice(classes[key]),
                    status=MembershipStatus.CEASED if ceased else MembershipStatus.ADMITTED,
                    member_number=number,
                    admitted_on=today - datetime.timedelta(days=rng.randint(30, 3000)),
                    ceased_on=today - datetime.timedelta(days=rng.randint(1, 29)) if ceased else None,
                    cessation_reason="resigned" if ceased else "",
                )
            )
        start += count
    memberships = Membership.objects.bulk_create(memberships)
    ledger = []
    for membership in memberships:
        value = membership.organisation.share_value_pence
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
    ShareTransaction.objects.bulk_create(ledger)

    # The demo log-ins: the member belongs to the leisure trust and the care co-op; one
    # application waits for the secretary's decision.
    users = context["users"]
    for key in ("leisure", "care"):
        membership = membership_apply(
            person=users["member"],
            organisation=organisations[key],
            stakeholder_class=classes[key][0],
            pays_now=True,
        )
        membership_admit(membership=membership, actor=users["secretary"])
    pending = people[0]
    membership_apply(
        person=pending,
        organisation=organisations["leisure"],
        stakeholder_class=classes["leisure"][0],
        pays_now=False,
    )
