"""factory_boy factories for the core."""

import factory
from allauth.account.models import EmailAddress

from coproduce.core.models import Organisation, OrganisationKind, Place, PlaceKind, Postcode, Role, RoleKind, User


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    # Far above the codes tests write by hand (X05000091 …), so that a long run never collides with them.
    code = factory.Sequence(lambda n: f"X05{n + 500000:06d}")
    name = factory.Sequence(lambda n: f"Ward {n}")
    kind = PlaceKind.WARD


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postcode

    postcode = factory.Sequence(lambda n: f"KM{n % 90 + 1} {n % 10}AB")
    ward = factory.SubFactory(PlaceFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    address = "1 Test Street"
    # A complete postal address: societies' registers need one before a person applies to join.
    postcode = "KM1 0AP"
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Co-op {n}")
    slug = factory.Sequence(lambda n: f"co-op-{n}")
    kind = OrganisationKind.LEISURE_TRUST


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    person = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = RoleKind.SECRETARY


def sign_in_with_mfa(client, user) -> None:
    """Sign ``user`` in with a session that has passed a second factor, as allauth records it."""
    from allauth.account.internal.flows.login import record_authentication
    from django.test import RequestFactory

    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "mfa", type="totp", id=0)
    request.session.save()


def totp_code(secret: str) -> str:
    """An authenticator app's current code, computed with allauth's own HOTP helpers (RFC 6238, 30 s steps).

    allauth accepts only the current step (``MFA_TOTP_TOLERANCE`` is 0), so a code read in the last
    seconds of its step could expire before the form is sent: wait for the next, as a person would.
    """
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if (seconds_left := 30 - time.time() % 30) < 3:
        time.sleep(seconds_left)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
