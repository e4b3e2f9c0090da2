"""The demo borough: a fictional council area with its co-ops, people and log-ins.

``build_demo()`` creates the core's part (places, postcodes, organisations, the four demo
log-ins and their roles), then hands the context to every registered feature app's demo hook.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from allauth.account.models import EmailAddress
from django.db import connection, transaction
from django.utils import timezone

from . import registry
from .models import LegalForm, Organisation, OrganisationKind, Place, PlaceKind, Postcode, RoleKind, User
from .services import (
    audit_record,
    letter_request,
    person_declare_address,
    person_verify,
    person_verify_in_person,
    resident_list_upload,
    role_grant,
)

DEMO_PASSWORD = "coproduce-demo"  # noqa: S105 - a published demo password, for the fictional borough only
# Base32 secret of the demo officers' authenticator, printed with the log-ins so the demo works offline.
DEMO_TOTP_SECRET = "COPRODUCEDEMO234"  # noqa: S105 - published on purpose, like the password

DISTRICTS = {
    "North": ["Ashby Green", "Brookfield", "Castle Hill", "Dunmore"],
    "Central": ["Elmwood", "Fairhaven", "Greystones", "Highgate Park"],
    "South": ["Ironbridge", "Juniper Vale", "Kingsmead", "Lowfield"],
}
DISTRICTS_CY = {"North": "Gogledd", "Central": "Canol", "South": "De"}

DEMO_LOGINS = {
    "resident": ("resident@example.org", "Rhian Resident"),
    "member": ("member@example.org", "Marcus Member"),
    "secretary": ("secretary@example.org", "Sunita Secretary"),
    "officer": ("officer@example.org", "Owen Officer"),
    "equalities": ("equalities@example.org", "Efa Equalities"),
}


def _places() -> dict[str, Any]:
    borough = Place.objects.create(
        code="X06000001", name="Kingsmere", name_cy="Caerfrenin", kind=PlaceKind.COUNCIL_AREA
    )
    districts, wards, postcodes = {}, [], []
    ward_number = 0
    for district_number, (district_name, ward_names) in enumerate(DISTRICTS.items(), start=1):
        district = Place.objects.create(
            code=f"X07{district_number:06d}",
            name=f"Kingsmere {district_name}",
            name_cy=f"{DISTRICTS_CY[district_name]} Caerfrenin",
            kind=PlaceKind.DISTRICT,
            parent=borough,
        )
        districts[district_name] = district
        for ward_name in ward_names:
            ward_number += 1
            ward = Place.objects.create(
                code=f"X05{ward_number:06d}", name=ward_name, kind=PlaceKind.WARD, parent=district
            )
            wards.append(ward)
            # KM is not a real postcode area, so demo postcodes never match a real address.
            for unit in range(10):
                postcodes.append(
                    Postcode(postcode=f"KM{ward_number} {unit}{'ABDEFGHJLN'[unit]}{'PQRSTUWXYZ'[unit]}", ward=ward)
                )
    Postcode.objects.bulk_create(postcodes)
    return {"borough": borough, "districts": districts, "wards": wards, "postcodes": postcodes}


def _organisations(context: dict[str, Any]) -> dict[str, Organisation]:
    """The council and its co-ops. What their rules say about members (shares, quorum, notice)
    is the members app's to set, in its own demo hook."""
    borough, districts, wards = context["borough"], context["districts"], context["wards"]
    council = Organisation.objects.create(
        name="Kingsmere Borough Council",
        slug="kingsmere-council",
        kind=OrganisationKind.COUNCIL,
        legal_form=LegalForm.LOCAL_AUTHORITY,
        area=borough,
        summary="A co-operative council: residents decide with us how services are run.",
        summary_cy="Cyngor cydweithredol: mae trigolion yn penderfynu gyda ni sut mae gwasanaethau'n cael eu rhedeg.",
    )
    common = {"sponsoring_council": council}
    return {
        "council": council,
        "homes": Organisation.objects.create(
            name="Kingsmere North Homes Co-operative",
            slug="north-homes",
            kind=OrganisationKind.HOUSING_COOP,
            legal_form=LegalForm.COMMUNITY_BENEFIT_SOCIETY,
            registration_number="RS008811",
            area=districts["North"],
            summary="Tenants own and run 1,200 homes in the north of the borough.",
            contact_name="Sunita Secretary",
            contact_email="secretary@example.org",
            contact_phone="01632 960 101",
            summary_cy="Mae tenantiaid yn berchen ar 1,200 o gartrefi yng ngogledd y fwrdeistref ac yn eu rhedeg.",
            **common,
        ),
        "leisure": Organisation.objects.create(
            name="Kingsmere Leisure Trust",
            slug="leisure-trust",
            kind=OrganisationKind.LEISURE_TRUST,
            legal_form=LegalForm.COMMUNITY_BENEFIT_SOCIETY,
            registration_number="RS008812",
            area=borough,
            summary="Swimming pools, gyms and parks, owned by the people who use them. Join for £1.",
            contact_name="Sunita Secretary",
            contact_email="secretary@example.org",
            contact_phone="01632 960 102",
            summary_cy="Pyllau nofio, campfeydd a pharciau, yn eiddo i'r bobl sy'n eu defnyddio. Ymunwch am £1.",
            **common,
        ),
        "care": Organisation.objects.create(
            name="Caring Together Co-operative",
            slug="caring-together",
            kind=OrganisationKind.CARE_COOP,
            legal_form=LegalForm.CO_OPERATIVE_SOCIETY,
            registration_number="RS008813",
            area=districts["Central"],
            summary="Care workers, the people they support and their families run home care together.",
            contact_name="Sunita Secretary",
            contact_email="secretary@example.org",
            summary_cy=(
                "Mae gweithwyr gofal, y bobl maen nhw'n eu cefnogi a'u teuluoedd yn rhedeg gofal cartref gyda'i gilydd."
            ),
            **common,
        ),
        "group": Organisation.objects.create(
            name="Elmwood Park Friends",
            slug="elmwood-park-friends",
            kind=OrganisationKind.COMMUNITY_GROUP,
            legal_form=LegalForm.UNINCORPORATED,
            area=wards[4],
            summary="Neighbours looking after Elmwood Park: litter picks, planting and the playground.",
            summary_cy="Cymdogion yn gofalu am Barc Elmwood: casglu sbwriel, plannu a'r maes chwarae.",
        ),
    }


def _logins(context: dict[str, Any]) -> dict[str, User]:
    from allauth.mfa.totp.internal.auth import TOTP

    postcodes = context["postcodes"]
    users = {}
    for index, (key, (email, name)) in enumerate(DEMO_LOGINS.items()):
        # The demo resident lives in Elmwood (the fifth ward), where the ward budget is open for voting.
        postcode = postcodes[43] if key == "resident" else postcodes[index * 10 + 3]
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            full_name=name,
            address=f"{index + 12} Demo Street, Kingsmere",
            postcode=postcode.postcode,
            ward=postcode.ward,
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        users[key] = user
    orgs = context["organisations"]
    # The officer works in the programme workspace, not the Django admin (kept for superusers).
    role_grant(organisation=orgs["council"], person=users["officer"], kind=RoleKind.OFFICER, actor=None)
    # The council's equalities officer reads consultations' equality monitoring, in aggregate only.
    role_grant(organisation=orgs["council"], person=users["equalities"], kind=RoleKind.EQUALITIES, actor=None)
    for key in ("homes", "leisure", "care"):
        role_grant(organisation=orgs[key], person=users["secretary"], kind=RoleKind.SECRETARY, actor=None)
    for key in ("secretary", "officer", "equalities"):
        TOTP.activate(users[key], DEMO_TOTP_SECRET)
    return users


# Residents at each verification level: (email, name, language, how verified).
DEMO_RESIDENTS = [
    ("una@example.org", "Una Unverified", "en", None),
    ("dafydd@example.org", "Dafydd Datgan", "cy", "self_declared"),
    ("lowri@example.org", "Lowri Llythyr", "cy", "letter_pending"),
    ("lewis@example.org", "Lewis Letter", "en", "letter"),
    ("lisa@example.org", "Lisa Listed", "en", "resident_list"),
    ("ian@example.org", "Ian Inperson", "en", "in_person"),
]


def _residents(context: dict[str, Any]) -> dict[str, User]:
    """Residents at every verification level, letters waiting to be printed, and one uploaded list.

    The demo resident (resident@example.org) has asked for a code by post: the officer makes the
    letters (one PDF), and the code in it confirms her address.
    """
    postcodes, council = context["postcodes"], context["organisations"]["council"]
    officer = context["users"]["officer"]
    residents = {}
    for index, (email, name, language, method) in enumerate(DEMO_RESIDENTS):
        postcode = postcodes[(index * 17 + 5) % len(postcodes)]
        person = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            full_name=name,
            address=f"{index + 3} Verification Row\nKingsmere",
            postcode=postcode.postcode,
            ward=postcode.ward,
            preferred_language=language,
        )
        EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
        residents[email] = person
        if method == "self_declared":
            person_declare_address(person=person)
        elif method == "letter_pending":
            letter_request(person=person)
        elif method == "letter":
            person_verify(person=person, method="letter", actor=None, evidence="demo letter", council=council)
        elif method == "in_person":
            person_verify_in_person(
                person=person, council=council, actor=officer, seen=["council_tax"], notes="Kingsmere Central Library"
            )
    letter_request(person=context["users"]["resident"])
    listed = residents["lisa@example.org"]
    rows = [
        ("Lisa Listed", listed.postcode),
        ("Anwen Thomas", postcodes[7].postcode),
        ("Joe Bloggs", postcodes[42].postcode),
    ]
    resident_list_upload(
        council=council,
        actor=officer,
        name="Electoral register extract (demo)",
        content=("name,postcode\n" + "".join(f"{name},{code}\n" for name, code in rows)).encode(),
        delete_on=timezone.localdate() + timedelta(days=90),
    )
    return residents


def holds_only_the_demo() -> bool:
    """True for an empty database or one that ``build_demo`` filled (its audit event says so).

    Anything else may be real data, which must never get the demo's published log-ins.
    """
    from .models import AuditEvent

    if not (User.objects.exists() or Organisation.objects.exists()):
        return True
    return AuditEvent.objects.filter(action="demo.build").exists()


@contextlib.contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Run services as if it were ``moment`` (time still passes from there), for demo builders that
    replay a finished election or budget round on the days it happened. The services check their
    timetables against the clock, so the past is built through them, audit trail and all.

    What they would queue for after the commit (that day's emails, a count the builder runs itself)
    is dropped: those emails went out back then, and the demo's mailbox holds only today's.
    """
    real_now = timezone.now
    start = real_now()
    with (
        mock.patch("django.utils.timezone.now", lambda: moment + (real_now() - start)),
        mock.patch("django.db.transaction.on_commit", lambda func, using=None, robust=False: None),
    ):
        yield


@transaction.atomic
def build_demo() -> dict[str, Any]:
    """Create the whole demo borough; call only on an empty database."""
    context = _places()
    context["organisations"] = _organisations(context)
    context["users"] = _logins(context)
    context["residents"] = _residents(context)
    for feature in registry.features():
        if (builder := registry.demo_builder(feature)) is not None:
            builder(context)
    audit_record(actor=None, action="demo.build", summary="Demo borough created")
    if connection.vendor == "postgresql":
        # Thousands of rows arrived at once: give the planner statistics before anyone asks a question.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return context
