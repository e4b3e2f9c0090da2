"""Security: two-factor authentication that cannot be skipped, a locked admin, an API that refuses in JSON.

Each test here failed on the main branch before the foundation work (issue 15 §1).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.forms.models import model_to_dict
from django.urls import reverse

from coproduce.core.models import AuditEvent, Organisation, OrganisationKind, RoleKind

from .factories import OrganisationFactory, RoleFactory, UserFactory, sign_in_with_mfa, totp_code

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery staple"
SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _secretary_with_totp():
    role = RoleFactory(kind=RoleKind.SECRETARY)
    TOTP.activate(role.person, SECRET)
    return role


# --- Two-factor authentication -----------------------------------------------------------------


@pytest.mark.parametrize("kind", [RoleKind.SECRETARY, RoleKind.OFFICER, RoleKind.BOARD_MEMBER])
def test_role_holders_without_an_authenticator_must_set_one_up(client, kind):
    person = RoleFactory(kind=kind).person
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    # The set-up pages themselves (allauth first asks for the password again) stay reachable.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.request["PATH_INFO"].startswith("/accounts/")


def test_an_authenticator_that_exists_is_not_enough_this_session_must_have_used_it(client):
    """The old middleware let a password-only session through once TOTP existed."""
    role = _secretary_with_totp()
    client.force_login(role.person)  # signed in by password alone
    for url in (
        "/",
        f"/organisations/{role.organisation.slug}/register/",
        f"/organisations/{role.organisation.slug}/register.csv",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("mfa_reauthenticate"))
    api = client.get(f"/api/members/organisations/{role.organisation.slug}/register")
    assert api.status_code == 403
    assert "Two-factor" in api.json()["detail"]


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_staff_and_superusers_need_two_factor_authentication_too(client, flag):
    person = UserFactory(**{flag: True, "is_staff": True})
    client.force_login(person)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_residents_need_no_second_factor(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200


def test_signing_in_with_password_then_code_passes_and_opens_the_register(client):
    role = _secretary_with_totp()
    response = client.post(reverse("account_login"), {"login": role.person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(SECRET)})
    assert done.status_code == 302
    assert client.get(f"/organisations/{role.organisation.slug}/register/").status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth signals the new authenticator on commit, inside the request
def test_setting_up_an_authenticator_counts_as_the_second_factor_for_this_session(client):
    role = RoleFactory(kind=RoleKind.SECRETARY)
    client.post(reverse("account_login"), {"login": role.person.email, "password": PASSWORD})
    assert client.get("/").status_code == 302
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    if page.request["PATH_INFO"] == reverse("account_reauthenticate"):  # allauth asks for the password again
        page = client.post(
            reverse("account_reauthenticate") + "?next=" + reverse("mfa_activate_totp"),
            {"password": PASSWORD},
            follow=True,
        )
    assert page.request["PATH_INFO"] == reverse("mfa_activate_totp")
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    secret = client.session[SECRET_SESSION_KEY]  # what the page shows as a QR code and text
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=role.person, type="totp").exists()
    assert client.get(f"/organisations/{role.organisation.slug}/register/").status_code == 200


def test_the_admin_has_no_password_form_of_its_own(client):
    """Before: /admin/login/ signed an officer with TOTP in on a password alone."""
    officer = UserFactory(is_staff=True)
    TOTP.activate(officer, SECRET)
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302
    assert page.url.startswith(reverse("account_login"))
    posted = client.post("/admin/login/?next=/admin/", {"username": officer.email, "password": PASSWORD})
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


def test_twelve_wrong_admin_passwords_are_rate_limited_like_the_main_sign_in(client):
    officer = UserFactory(is_staff=True)
    for _ in range(12):
        client.post("/admin/login/", {"username": officer.email, "password": "wrong"})
        client.post(reverse("account_login"), {"login": officer.email, "password": "wrong"})
    right = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_log_ins_are_rate_limited(client):
    person = UserFactory()
    responses = [client.post(reverse("account_login"), {"login": person.email, "password": "wrong"}) for _ in range(6)]
    assert "Too many failed login attempts" not in responses[0].content.decode()
    assert "Too many failed login attempts" in responses[-1].content.decode()
    right = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


# --- The admin ---------------------------------------------------------------------------------


def _officer(*, staff: bool = False):
    """A council officer; with ``staff``, one whose account was (wrongly) given staff status and
    every permission on the core's models: the admin must still show them nothing."""
    from django.contrib.auth.models import Permission

    officer = RoleFactory(kind=RoleKind.OFFICER, organisation=OrganisationFactory(kind=OrganisationKind.COUNCIL))
    person = officer.person
    if staff:
        person.is_staff = True
        person.save(update_fields=["is_staff"])
        person.user_permissions.set(Permission.objects.filter(content_type__app_label="core"))
    return person


def test_an_officer_is_refused_the_admin(client):
    sign_in_with_mfa(client, _officer())
    final = client.get("/admin/", follow=True)
    assert final.status_code == 403
    assert client.get("/admin/core/organisation/", follow=True).status_code == 403


def test_the_admin_is_for_superusers_whatever_permissions_a_staff_account_holds(client):
    person = _officer(staff=True)
    sign_in_with_mfa(client, person)
    index = client.get("/admin/")
    assert index.status_code == 200  # Django shows staff an empty index
    assert "/admin/core/" not in index.content.decode()
    for url in ("/admin/core/organisation/", "/admin/core/auditevent/", "/admin/core/place/", "/admin/core/postcode/"):
        assert client.get(url).status_code == 403, url


def test_an_officer_cannot_make_themselves_superuser(client):
    person = _officer(staff=True)
    sign_in_with_mfa(client, person)
    url = f"/admin/core/user/{person.pk}/change/"
    response = client.post(url, {"email": person.email, "is_superuser": "on", "is_staff": "on", "is_active": "on"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.is_superuser
    assert client.get("/admin/auth/group/").status_code == 403


def test_admin_changes_to_an_organisation_go_through_the_service_and_are_audited(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_mfa(client, superuser)
    organisation = OrganisationFactory(name="Old name")
    form = client.get(f"/admin/core/organisation/{organisation.pk}/change/")
    assert form.status_code == 200
    data = {
        key: ("on" if value is True else value)
        for key, value in model_to_dict(organisation).items()
        if value is not None and value is not False
    }
    data.update(
        {
            "name": "New name",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(f"/admin/core/organisation/{organisation.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(pk=organisation.pk).name == "New name"
    event = AuditEvent.objects.get(action="organisation.change", target_id=str(organisation.pk))
    assert event.actor == superuser
    assert "name" in event.data["fields"]


def test_officers_see_the_registers_of_members_nowhere_in_the_admin(client):
    sign_in_with_mfa(client, _officer(staff=True))
    assert client.get("/admin/members/membership/").status_code == 403
    assert client.get("/admin/members/sharetransaction/").status_code in (403, 404)


# --- The API -----------------------------------------------------------------------------------


def test_api_refuses_in_json_instead_of_redirecting(client):
    anonymous = client.get("/api/members/me/memberships")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"]
    client.force_login(UserFactory())
    forbidden = client.get(f"/api/members/organisations/{OrganisationFactory().slug}/register")
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"]


@pytest.mark.parametrize(
    "query", ["limit=1000", "limit=0", "offset=-1", "offset=100000000000000000000", "limit=99999999999999999999"]
)
def test_api_pages_are_bounded_and_huge_numbers_are_refused_not_crashed(client, query):
    response = client.get(f"/api/organisations?{query}")
    assert response.status_code == 422
    assert response.json()["detail"]


def test_api_page_size_is_capped_at_a_hundred(client):
    for number in range(105):
        Organisation.objects.create(name=f"Org {number}", slug=f"org-{number}", kind=OrganisationKind.COMMUNITY_GROUP)
    page = client.get("/api/organisations?limit=100").json()
    assert len(page["items"]) == 100
    assert page["count"] == 105


def test_api_is_throttled_per_address(client, settings):
    settings.API_THROTTLE_PER_ADDRESS = "3/m"
    statuses = [client.get("/api/wards").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/wards").json()["detail"]


def test_api_is_throttled_per_person_wherever_they_are(client, settings):
    settings.API_THROTTLE_PER_USER = "2/m"
    client.force_login(UserFactory())
    first = [client.get("/api/members/me/memberships", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)]
    assert first == [200, 200, 429]


def test_hidden_organisations_answer_like_unknown_ones(client):
    hidden = OrganisationFactory(is_public=False)
    client.force_login(UserFactory())
    for url in ("/organisations/{}/register/", "/organisations/{}/audit/", "/api/members/organisations/{}/register"):
        assert client.get(url.format(hidden.slug)).status_code == client.get(url.format("no-such-slug")).status_code
        assert client.get(url.format(hidden.slug)).status_code == 404


# --- Failing closed ----------------------------------------------------------------------------


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    # A clean slate: no settings of the test run (its DATABASE_URL names the test cluster's database).
    test_run = ("COPRODUCE_", "DJANGO_", "DATABASE_")
    base = {key: value for key, value in os.environ.items() if not key.startswith(test_run)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**base, **env}, timeout=120
    )


def test_production_is_the_default_and_refuses_to_start_without_a_secret_key(tmp_path):
    result = _python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'coproduce.config.settings'; django.setup()",
        COPRODUCE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_development_runs_without_debug_unless_asked(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'coproduce.config.settings'; django.setup();"
        "from django.conf import settings; print(settings.DEBUG)"
    )
    assert _python(code, COPRODUCE_ENV="development", COPRODUCE_DATA_DIR=str(tmp_path)).stdout.strip() == "False"
    asked = _python(code, COPRODUCE_ENV="development", COPRODUCE_DEBUG="1", COPRODUCE_DATA_DIR=str(tmp_path))
    assert asked.stdout.strip() == "True"


def test_an_unknown_address_gets_the_styled_page_not_a_list_of_routes(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "govuk-heading-l" in page
    assert "URLconf" not in page and "admin/" not in page


def test_starting_the_site_does_not_import_the_demo(tmp_path):
    code = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'coproduce.config.settings'; django.setup();"
        "import coproduce.config.urls;"
        "print(sorted(name for name in sys.modules if name.endswith('.demo')))"
    )
    result = _python(code, COPRODUCE_ENV="development", COPRODUCE_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_demo_refuses_a_database_that_holds_real_data(tmp_path):
    env = {"COPRODUCE_ENV": "development", "COPRODUCE_DATA_DIR": str(tmp_path)}
    setup = _python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'coproduce.config.settings'; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from coproduce.core.models import User; User.objects.create_user('real@example.org', 'a real password 9')",
        **env,
    )
    assert setup.returncode == 0, setup.stderr
    result = subprocess.run(
        [sys.executable, "-m", "coproduce", "demo", "--data-dir", str(tmp_path), "--no-serve"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("COPRODUCE_", "DJANGO_", "DATABASE_"))}},
        timeout=120,
    )
    assert result.returncode == 2
    assert "refusing" in result.stderr
    assert "demo@" not in result.stdout and "coproduce-demo" not in result.stdout


def test_pages_send_a_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy
