"""The authorisation matrix: every role against every page, export, admin page and API endpoint.

One table says, for each target, which roles may use it; every other role must be refused —
a signed-in person with 403 or 404, an anonymous one sent to sign in (pages) or answered 401
(the API). Everyone who needs two-factor authentication has passed it in their session here, so
what is tested is the permission itself; ``test_security`` tests the second factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from allauth.account.internal.flows.login import record_authentication
from django.contrib.auth.models import Group
from django.test import RequestFactory

from coproduce.core.demo import _officers_group
from coproduce.core.models import OrganisationKind, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, RoleFactory, UserFactory
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "resident",
    "member",
    "secretary",
    "other_secretary",
    "officer",
    "staff",
    "superuser",
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
ADMINS = frozenset({"officer", "staff", "superuser"})  # is_staff: the admin's front door


@dataclass(frozen=True)
class Target:
    name: str
    url: str  # formatted with the world's keys: {org}, {hidden}, {membership}, {application}, {org_id} …
    allowed: frozenset[str]
    api: bool = False


# The table. Pages and exports first, then the admin, then the API.
TARGETS = [
    Target("home", "/", EVERYONE),
    Target("home in Welsh", "/cy/", EVERYONE),
    Target("directory", "/organisations/", EVERYONE),
    Target("organisation page", "/organisations/{org}/", EVERYONE),
    Target("hidden organisation page", "/organisations/{hidden}/", frozenset()),
    Target("join form", "/organisations/{org}/join/", SIGNED_IN),
    Target("my memberships", "/my-memberships/", SIGNED_IN),
    Target("withdraw my shares", "/my-memberships/{membership}/withdraw/", frozenset({"member"})),
    Target("applications", "/organisations/{org}/applications/", frozenset({"secretary", "superuser"})),
    Target("decide", "/organisations/{org}/applications/{application}/", frozenset({"secretary", "superuser"})),
    Target("register", "/organisations/{org}/register/", frozenset({"secretary", "superuser"})),
    Target("register CSV", "/organisations/{org}/register.csv", frozenset({"secretary", "superuser"})),
    Target("register XLSX", "/organisations/{org}/register.xlsx", frozenset({"secretary", "superuser"})),
    Target("hidden register", "/organisations/{hidden}/register/", frozenset({"superuser"})),
    Target("audit trail", "/organisations/{org}/audit/", frozenset({"secretary", "superuser"})),
    Target("hidden audit trail", "/organisations/{hidden}/audit/", frozenset({"superuser"})),
    # The admin: officers may look at the core's records; accounts, groups, permissions and the
    # members' registers are for superusers alone.
    Target("admin index", "/admin/", ADMINS),
    Target("admin people", "/admin/core/user/", frozenset({"superuser"})),
    Target("admin a person", "/admin/core/user/{resident_id}/change/", frozenset({"superuser"})),
    Target("admin groups", "/admin/auth/group/", frozenset({"superuser"})),
    Target("admin organisations", "/admin/core/organisation/", frozenset({"officer", "superuser"})),
    Target("admin an organisation", "/admin/core/organisation/{org_id}/change/", frozenset({"officer", "superuser"})),
    Target("admin roles via audit", "/admin/core/auditevent/", frozenset({"officer", "superuser"})),
    Target("admin memberships", "/admin/members/membership/", frozenset({"superuser"})),
    Target("admin a membership", "/admin/members/membership/{membership}/change/", frozenset({"superuser"})),
    # The JSON API.
    Target("API directory", "/api/organisations", EVERYONE, api=True),
    Target("API organisation", "/api/organisations/{org}", EVERYONE, api=True),
    Target("API hidden organisation", "/api/organisations/{hidden}", frozenset(), api=True),
    Target("API my memberships", "/api/members/me/memberships", SIGNED_IN, api=True),
    Target(
        "API register", "/api/members/organisations/{org}/register", frozenset({"secretary", "superuser"}), api=True
    ),
    Target("API hidden register", "/api/members/organisations/{hidden}/register", frozenset({"superuser"}), api=True),
]


def sign_in_with_mfa(client, user) -> None:
    """Sign ``user`` in with a session that has passed a second factor, as allauth records it."""
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "mfa", type="totp", id=0)
    request.session.save()


@pytest.fixture
def world(settings):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"
    council = OrganisationFactory(kind=OrganisationKind.COUNCIL, slug="council")
    org = OrganisationFactory(slug="trust")
    hidden = OrganisationFactory(slug="hidden", is_public=False)
    other = OrganisationFactory(slug="other")
    member_class = StakeholderClassFactory(organisation=org)
    people = {role: UserFactory() for role in ROLES if role != "anonymous"}
    membership = MembershipFactory(person=people["member"], organisation=org, stakeholder_class=member_class)
    application = MembershipFactory(
        organisation=org, stakeholder_class=member_class, status="applied", member_number=None, admitted_on=None
    )
    RoleFactory(person=people["secretary"], organisation=org, kind=RoleKind.SECRETARY)
    RoleFactory(person=people["other_secretary"], organisation=other, kind=RoleKind.SECRETARY)
    RoleFactory(person=people["officer"], organisation=council, kind=RoleKind.OFFICER)
    people["officer"].is_staff = True
    people["officer"].save(update_fields=["is_staff"])
    people["officer"].groups.add(_officers_group())
    people["staff"].is_staff = True
    people["staff"].save(update_fields=["is_staff"])
    people["superuser"].is_staff = people["superuser"].is_superuser = True
    people["superuser"].save(update_fields=["is_staff", "is_superuser"])
    keys = {
        "org": org.slug,
        "org_id": org.pk,
        "hidden": hidden.slug,
        "membership": membership.pk,
        "application": application.pk,
        "resident_id": people["resident"].pk,
    }
    return people, keys


def _matrix():
    return [pytest.param(target, role, id=f"{target.name}-{role}") for target in TARGETS for role in ROLES]


@pytest.mark.parametrize(("target", "role"), _matrix())
def test_authorisation_matrix(client, world, target: Target, role: str):
    people, keys = world
    if role != "anonymous":
        sign_in_with_mfa(client, people[role])
    response = client.get(target.url.format(**keys))
    status = response.status_code
    if role in target.allowed:
        assert status == 200, f"{role} should reach {target.name}: {status}"
        return
    if target.api:
        assert status == (401 if role == "anonymous" else 403) or status == 404, status
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]
    elif role == "anonymous" and status == 302:
        assert "/accounts/login/" in response.url
    else:
        assert status in (403, 404), f"{role} must be refused {target.name}: {status}"


def test_the_table_covers_every_page_of_the_site():
    """A new URL pattern without a row in the table fails here, so the matrix cannot fall behind."""
    from django.urls import get_resolver

    from coproduce.config.urls import urlpatterns

    assert urlpatterns  # the resolver below reads the same configuration
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if (pattern.namespace or "") in {"admin", "api"} or "allauth" in str(pattern.urlconf_name):
                    continue  # admin, API and allauth are tested through the rows above and test_security
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name and namespace:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    covered = {
        "core:home",
        "core:directory",
        "core:audit_trail",
        "members:organisation",
        "members:join",
        "members:mine",
        "members:withdraw",
        "members:applications",
        "members:decide",
        "members:register",
        "members:register_export",
    }
    assert names <= covered | EXEMPT, f"add rows to TARGETS for: {sorted(names - covered - EXEMPT)}"


# Pages with no permission of their own to test (public information, or a person's own account,
# which the views scope to request.user): listed so that a new page is a deliberate choice.
EXEMPT: set[str] = set()


def test_the_officers_group_cannot_change_accounts_groups_or_permissions():
    group = _officers_group()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert not codenames & {"change_user", "add_user", "delete_user", "change_group", "add_group", "change_permission"}
    assert not group.permissions.exclude(content_type__app_label="core").exists()
    assert Group.objects.filter(name="Council officers").count() == 1
