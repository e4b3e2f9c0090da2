"""Schemathesis over the whole OpenAPI description: no server error, and every answer in the description.

Anonymous, and as a signed-in secretary who passed two-factor authentication, so that the
operations behind a log-in are fuzzed past their 401 too.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from coproduce.core.models import RoleKind
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, sign_in_with_mfa

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
# Signed in, the session cookie is ours, not generated: fuzz everything else.
signed_in = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
signed_in.config.generation.update(with_security_parameters=False)

pytestmark = [pytest.mark.django_db]

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app, which closes the database connection after each request;
    the test's transaction lives on that connection, so do what Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def borough(settings):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"
    OrganisationFactory(slug="visible")
    OrganisationFactory(slug="hidden", is_public=False)


@schema.parametrize()
@FUZZ
def test_api_answers_anonymous_requests_as_described(case, borough):
    case.call_and_validate()


@signed_in.parametrize()
@FUZZ
def test_api_answers_a_signed_in_secretary_as_described(case, borough, client):
    from allauth.mfa.totp.internal.auth import TOTP

    role = RoleFactory(kind=RoleKind.SECRETARY)
    TOTP.activate(role.person, "JBSWY3DPEHPK3PXP")
    sign_in_with_mfa(client, role.person)
    cookies = {"sessionid": client.cookies["sessionid"].value}
    case.call_and_validate(cookies=cookies, excluded_checks=[schemathesis.checks.ignored_auth])
