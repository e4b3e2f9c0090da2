"""Project-wide pytest fixtures.

The real data in ``../shared/data`` is never committed; tests read it from
``COPRODUCE_SHARED_DATA`` (default: ``../shared/data`` beside the checkout). Where the folder
is absent the tests that need it skip, saying so; with ``COPRODUCE_REQUIRE_SHARED_DATA=1``
(set by the test command when the folder exists) a missing file is an error instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SHARED_DATA = Path(os.environ.get("COPRODUCE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared_data_path(*parts: str) -> Path:
    """Return a path inside the shared data folder, skipping the test where it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("COPRODUCE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"shared data missing: {path}")
        pytest.skip(f"shared data not present at {path} (set COPRODUCE_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def shared_data():
    """The shared data folder as a callable: ``shared_data("stv", "expected")``."""
    return shared_data_path


def pytest_configure(config):
    """Tests hash passwords with a fast hasher: PBKDF2's deliberate slowness only costs CI time."""
    if config.pluginmanager.has_plugin("django") and os.environ.get("DJANGO_SETTINGS_MODULE"):
        from django.conf import settings

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request to a ``/cy/`` page leaves Welsh active in the thread that served it (the test
    client's); each test starts from the site's default language, whatever the test before it read."""
    yield
    from django.utils import translation

    translation.activate("en")
