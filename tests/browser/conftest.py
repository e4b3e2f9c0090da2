"""Fixtures for browser journeys: Debian's Chromium through Playwright, against pytest-django's live server.

Never ``playwright install``: we drive the distribution's ``chromium`` (``CHROMIUM_PATH``), with the
flags that stop it phoning home, and every request to anywhere but the live server is aborted and
reported, so a page that reaches for the internet fails its test instead of quietly working online.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# No sandbox (containers run as root), no GPU, and none of the background traffic Chromium starts itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The WCAG 2.2 AA rule set, as axe tags it (each level's rules are tagged with the version that added them).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Playwright's default is 30 s; a local page that takes longer than this is broken, and failing fast
# keeps a broken run inside the time budget.
TIMEOUT_MS = 10_000

_axe = Axe()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session (a launch costs about a second); each test gets its own context."""
    if not os.path.exists(CHROMIUM_PATH):
        pytest.fail(f"Chromium not found at {CHROMIUM_PATH}; install Debian's chromium or set CHROMIUM_PATH")
    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls made while
    # one runs. Django reads the variable at each call, so it is set only while Chromium is up (browser
    # tests are collected last), not for the whole session.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageProblems:
    """What went wrong in the browser since the last check: error responses, script errors, blocked requests."""

    error_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def take(self) -> list[str]:
        problems = [
            *(f"HTTP error: {item}" for item in self.error_responses),
            *(f"browser console error: {item}" for item in self.console_errors),
            *(f"request outside the live server blocked: {item}" for item in self.blocked_requests),
        ]
        self.error_responses.clear()
        self.console_errors.clear()
        self.blocked_requests.clear()
        return problems


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a page whose problems are recorded on ``page.problems``."""
    origin = urlsplit(live_server.url)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    problems = PageProblems()

    def only_the_live_server(route, request):
        # Anything else (a CDN font, analytics, a web font) would be the internet: refuse and report it.
        target = urlsplit(request.url)
        if target.scheme in {"http", "https"} and target.netloc != origin.netloc:
            problems.blocked_requests.append(request.url)
            route.abort()
        else:
            route.continue_()

    context.route(re.compile(r".*"), only_the_live_server)
    page = context.new_page()

    def on_response(response):
        if response.status >= 400:
            problems.error_responses.append(f"{response.status} {response.request.method} {response.url}")

    page.on("response", on_response)
    page.on("console", lambda message: message.type == "error" and problems.console_errors.append(message.text))
    page.on("pageerror", lambda error: problems.console_errors.append(str(error)))
    page.problems = problems  # type: ignore[attr-defined] - read by check_page
    yield page
    context.close()


def check_page(page: Page, *, lang: str) -> None:
    """After every navigation: the page loaded cleanly, is in ``lang``, and axe finds no WCAG 2.2 AA violation.

    Called by the journeys after each page they reach, so no page escapes the accessibility check.
    """
    page.wait_for_load_state("load")
    problems = page.problems.take()  # type: ignore[attr-defined]
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    assert page.locator("html").get_attribute("lang") == lang, f"{page.url} is not in {lang!r}"
    assert_accessible(page)


def assert_accessible(page: Page) -> None:
    """Run axe-core with the WCAG 2.2 AA tags; fail listing each violation's id, help and the elements."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
            lines.extend(f"    {', '.join(map(str, node['target']))}" for node in violation["nodes"])
        pytest.fail("\n".join(lines))


@pytest.fixture
def borough(settings):
    """The demo borough, committed so the live server sees it; allauth's rate limits and used codes cleared."""
    from django.core.cache import cache

    from coproduce.core.demo import build_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # TOTP codes are single-use per cache entry; rate limits live in the cache too
    return build_demo()
