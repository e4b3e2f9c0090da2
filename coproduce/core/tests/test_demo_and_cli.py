import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator

from coproduce.core import registry
from coproduce.core.demo import DEMO_LOGINS, build_demo
from coproduce.core.models import Organisation, Place, PlaceKind, Postcode, Role, User

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_demo_borough_has_districts_wards_organisations_and_log_ins():
    context = build_demo()
    assert Place.objects.filter(kind=PlaceKind.DISTRICT).count() == 3
    assert Place.objects.filter(kind=PlaceKind.WARD).count() == 12
    assert all(district.children.count() == 4 for district in Place.objects.filter(kind=PlaceKind.DISTRICT))
    assert Postcode.objects.count() == 120
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"council", "housing_coop", "leisure_trust", "care_coop", "community_group"} <= kinds
    members = {org.slug: org.memberships.filter(status="admitted").count() for org in Organisation.objects.all()}
    # North Homes: the members' demo's 180-200, and the tenants the elections' demo adds for a
    # board election of realistic size.
    assert 480 <= members["north-homes"] <= 500 and 460 <= members["leisure-trust"] <= 501
    homes_classes = set(context["organisations"]["homes"].stakeholder_classes.values_list("code", flat=True))
    assert homes_classes == {"tenant", "council-nominee", "independent"}
    care_classes = set(context["organisations"]["care"].stakeholder_classes.values_list("code", flat=True))
    assert care_classes == {"service-user", "worker", "family", "volunteer"}
    for email, _name in DEMO_LOGINS.values():
        assert User.objects.get(email=email).check_password("coproduce-demo")
    secretary = User.objects.get(email="secretary@example.org")
    assert Role.objects.filter(person=secretary, kind="secretary").count() == 3
    assert Authenticator.objects.filter(user=secretary).exists()
    # Every registered app contributed: the members app added its navigation.
    assert "members" in {feature.label for feature in registry.features()}


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "coproduce", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def test_cli_lists_commands_and_refuses_unknown_ones():
    listing = run("--help")
    assert listing.returncode == 0
    for command in ("demo", "manage", "count stv", "count pb", "select"):
        assert command in listing.stdout
    unknown = run("frobnicate")
    assert unknown.returncode == 2
    assert "unknown command 'frobnicate'" in unknown.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    # (The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never would.)
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "COPRODUCE_ENV": "production",
        "SECRET_KEY": "x" * 30 + "-not-a-real-secret-but-long-and-varied-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "coproduce.example.org",
        "COPRODUCE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = run("manage", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    missing_key = run("manage", "check", env={k: v for k, v in env.items() if k != "SECRET_KEY"})
    assert missing_key.returncode != 0
    assert "Set SECRET_KEY" in missing_key.stderr


def test_demo_command_sets_up_an_empty_data_dir_and_reuses_it(tmp_path):
    env = {**os.environ, "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    first = run("demo", "--data-dir", str(tmp_path), "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "Building the demo borough" in first.stdout
    assert "secretary@example.org" in first.stdout
    assert (tmp_path / "coproduce.sqlite3").exists()
    second = run("demo", "--data-dir", str(tmp_path), "--no-serve", env=env)
    assert "Using the existing demo database" in second.stdout
