import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from coproduce.core.models import RoleKind

from .factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [RoleKind.SECRETARY, RoleKind.OFFICER])
def test_officers_and_secretaries_must_set_up_two_factor_authentication(client, kind):
    person = RoleFactory(kind=kind).person
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    # The set-up pages themselves (allauth first asks for the password again) stay reachable.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.request["PATH_INFO"].startswith("/accounts/")
    TOTP.activate(person, "JBSWY3DPEHPK3PXP")
    assert client.get("/").status_code == 200


def test_residents_and_board_members_are_not_forced_into_mfa(client):
    for person in (UserFactory(), RoleFactory(kind=RoleKind.BOARD_MEMBER).person):
        client.force_login(person)
        assert client.get("/").status_code == 200


def test_failed_log_ins_are_rate_limited(client):
    person = UserFactory()
    responses = [client.post(reverse("account_login"), {"login": person.email, "password": "wrong"}) for _ in range(6)]
    assert "Too many failed login attempts" not in responses[0].content.decode()
    assert "Too many failed login attempts" in responses[-1].content.decode()
    # Even the right password is refused while the limit holds.
    right = client.post(reverse("account_login"), {"login": person.email, "password": "correct horse battery staple"})
    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_send_a_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy
