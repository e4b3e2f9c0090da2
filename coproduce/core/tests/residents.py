"""Factories and helpers for the residents, verification and account tests."""

from __future__ import annotations

import factory
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.test import RequestFactory

from coproduce.core.models import OrganisationKind, PlaceKind, Role, RoleKind, User

from .factories import OrganisationFactory, PlaceFactory, PostcodeFactory, UserFactory


class CouncilFactory(OrganisationFactory):
    """A council whose area is a borough."""

    kind = OrganisationKind.COUNCIL
    area = factory.SubFactory(PlaceFactory, kind=PlaceKind.COUNCIL_AREA, code=factory.Sequence(lambda n: f"X06{n:06d}"))


class ResidentFactory(UserFactory):
    """A person with a full address, in ``ward`` (a postcode of that ward is made for them)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    address = "1 Test Street\nKingsmere"
    ward = factory.SubFactory(PlaceFactory)
    postcode = factory.LazyAttribute(lambda person: PostcodeFactory(ward=person.ward).postcode)


def ward_in(council, **kwargs):
    """A ward inside the council's area."""
    return PlaceFactory(parent=council.area, **kwargs)


def officer_of(council) -> User:
    officer = UserFactory()
    Role.objects.create(person=officer, organisation=council, kind=RoleKind.OFFICER)
    return officer


def sign_in_with_mfa(client, user) -> None:
    """Sign ``user`` in with a session that passed a second factor (officers must have)."""
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "mfa", type="totp", id=0)
    request.session.save()
