"""The checks the journeys rely on can fail: axe finds a known violation, and the internet stays out.

Without these, a mistyped axe tag (no rules run) or a route that let everything through would make
every journey pass while checking nothing.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_axe_reports_an_image_without_alternative_text(page: Page):
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="data:,"></main></html>')
    with pytest.raises(pytest.fail.Exception, match=r"image-alt .*\n\s+img"):
        assert_accessible(page)


def test_requests_to_anywhere_but_the_live_server_are_blocked_and_reported(page: Page):
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title>'
        '<link rel="stylesheet" href="https://fonts.example.com/font.css"><main>x</main></html>'
    )
    page.wait_for_load_state("load")
    assert "request outside the live server blocked: https://fonts.example.com/font.css" in page.problems.take()
