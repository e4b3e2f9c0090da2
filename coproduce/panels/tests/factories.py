"""Factories for panels: a panel taking registrations, addresses, invitations and registrants."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from coproduce.core.models import OrganisationKind, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, RoleFactory, UserFactory
from coproduce.panels.models import (
    Address,
    Feature,
    Invitation,
    Panel,
    Registrant,
    RegistrantStatus,
    Session,
    Stage,
    Target,
)


def registration_dates(phase: str = "open") -> dict[str, datetime.datetime]:
    """Dates that put a panel's registration ``phase``: "before", "open" or "closed"."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    if phase == "before":
        return {"registration_opens": now + day, "registration_closes": now + 10 * day}
    if phase == "closed":
        return {"registration_opens": now - 10 * day, "registration_closes": now - day}
    return {"registration_opens": now - day, "registration_closes": now + 10 * day}


class PanelFactory(factory.django.DjangoModelFactory):
    """A council's panel of 10 taking registrations, with age band and sex as categories."""

    class Meta:
        model = Panel

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COUNCIL)
    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Residents' panel {n}")
    purpose = "What should the borough do about the climate?"
    size = 10
    categories = factory.LazyFunction(lambda: ["age_band", "sex"])
    stage = Stage.REGISTERING
    registration_opens = factory.LazyFunction(lambda: registration_dates()["registration_opens"])
    registration_closes = factory.LazyFunction(lambda: registration_dates()["registration_closes"])


class OfficerFactory(RoleFactory):
    """A council officer role (pass ``organisation=panel.organisation``)."""

    kind = RoleKind.OFFICER
    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COUNCIL)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    panel = factory.SubFactory(PanelFactory)
    feature = "sex"
    value = factory.Iterator(["female", "male"])
    minimum = 0
    maximum = 10
    order = factory.Sequence(lambda n: n)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    panel = factory.SubFactory(PanelFactory)
    uprn = factory.Sequence(lambda n: f"{100000 + n}")
    lines = factory.Sequence(lambda n: f"{n} High Street, Kingsmead")
    postcode = "KM1 0AP"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    panel = factory.SubFactory(PanelFactory)
    address = factory.LazyAttribute(lambda o: AddressFactory(panel=o.panel))
    code = factory.Sequence(lambda n: f"TEST{n:06d}")
    language = "en"
    position = factory.Sequence(lambda n: n + 1)


class RegistrantFactory(factory.django.DjangoModelFactory):
    """A registrant (status REGISTERED) with its own invitation; ``features={"sex": "female"}``
    adds demographic answers."""

    class Meta:
        model = Registrant
        skip_postgeneration_save = True

    panel = factory.SubFactory(PanelFactory)
    invitation = factory.LazyAttribute(lambda o: InvitationFactory(panel=o.panel))
    public_id = factory.Sequence(lambda n: f"P{n:06d}")
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"resident{n}@example.org")
    consent = True
    status = RegistrantStatus.REGISTERED

    @factory.post_generation
    def features(obj, create, extracted, **kwargs):
        if create and extracted:
            Feature.objects.bulk_create(Feature(registrant=obj, feature=f, value=v) for f, v in extracted.items())


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    panel = factory.SubFactory(PanelFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    venue = "Town hall, Kingsmead"


SEXES = ("female", "male")
AGES = ("16_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_plus")


def panel_with_registrants(
    *,
    people: int = 40,
    size: int = 8,
    wards: int = 2,
    shared: int = 5,
    seed: int = 1,
    targets: bool = True,
    **panel_fields,
) -> Panel:
    """A panel whose registration has closed with ``people`` registrants answering sex (and their
    ward from the letter's address) across ``wards`` wards; the first ``shared`` letters were used
    by two people each (households). With ``targets``, sex and ward targets anyone can meet."""
    import random

    from coproduce.core.models import PlaceKind

    rng = random.Random(seed)
    fields = {"size": size, "categories": ["sex", "ward"], **registration_dates("closed"), **panel_fields}
    panel = PanelFactory(**fields)
    ward_places = [PlaceFactory(parent=panel.place, kind=PlaceKind.WARD) for _ in range(wards)]
    invitations = []
    made = 0
    number = 0
    while made < people:
        ward = ward_places[number % wards]
        address = AddressFactory(panel=panel, ward=ward)
        invitation = InvitationFactory(panel=panel, address=address)
        number += 1
        for _ in range(2 if len(invitations) < shared else 1):
            if made == people:
                break
            RegistrantFactory(
                panel=panel,
                invitation=invitation,
                public_id=f"P{100000 + made:06d}",
                features={"sex": rng.choice(SEXES), "ward": ward.code},
            )
            made += 1
        invitations.append(invitation)
    if targets:
        order = 0
        for sex in SEXES:
            TargetFactory(
                panel=panel, feature="sex", value=sex, minimum=size // 2 - 1, maximum=size // 2 + 1, order=order
            )
            order += 1
        per_ward = size // wards
        for ward in ward_places:
            TargetFactory(
                panel=panel,
                feature="ward",
                value=ward.code,
                minimum=max(0, per_ward - 1),
                maximum=per_ward + 1,
                order=order,
            )
            order += 1
    return panel


__all__ = [
    "AddressFactory",
    "InvitationFactory",
    "OfficerFactory",
    "PanelFactory",
    "RegistrantFactory",
    "SessionFactory",
    "TargetFactory",
    "UserFactory",
    "panel_with_registrants",
    "registration_dates",
]
