import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.test import RequestFactory


def sign_in_with_mfa(client, user) -> None:
    """Sign ``user`` in with a session that has passed a second factor, as allauth records it."""
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "mfa", type="totp", id=0)
    request.session.save()


@pytest.fixture
def mfa_login():
    return sign_in_with_mfa
