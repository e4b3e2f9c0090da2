"""Joining the leisure trust, end to end, in English and in Welsh.

A newcomer signs up and verifies their email, applies to join the Kingsmere Leisure Trust with
a £1 share paid; the secretary signs in with password and authenticator code and admits them;
the newcomer is told by email, sees their share, withdraws it and sees the membership end.

Links and form fields are found by their ``href`` and ``name`` (the same in both languages), so
the one journey runs in both; what a person reads (headings, banners, statuses) is asserted in
the journey's language from ``TEXT``. ``check_page`` runs after every page: no HTTP or script
error, ``<html lang>`` right, and no axe WCAG 2.2 AA violation.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import Page, expect

from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, build_demo
from coproduce.members.models import Membership, MembershipStatus

from .conftest import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER_EMAIL = "newcomer@example.org"
NEWCOMER_PASSWORD = "a long walk by the reservoir"  # passes Django's password validators
SECRETARY_EMAIL = "secretary@example.org"
ORGANISATION = "Kingsmere Leisure Trust"
SLUG = "leisure-trust"

# allauth's pages keep allauth's own headings (its msgids); allauth ships no Welsh, so the Welsh is
# whatever our catalogue gives them, and a missing translation is a failure, not a fallback to English.
ALLAUTH_HEADINGS = {
    "signup_heading": "Sign Up",
    "verify_heading": "Verify Your Email Address",
    "confirm_heading": "Confirm Email Address",
    "signin_heading": "Sign In",
    "mfa_heading": "Two-Factor Authentication",
    "signout_heading": "Sign Out",
}

# What a person reads on our own pages, in each language. Only visible text lives here; selectors do not depend on it.
TEXT = {
    "en": {
        "home_heading": "What's happening where you live",
        "directory_heading": "Organisations",
        "join_heading": f"Join {ORGANISATION}",
        "error_prefix": "Error:",
        "choose_class": "Choose the class of membership you are applying for",
        "check_heading": "Check your application",
        "paid_now": "£1.00, paid now",
        "application_sent": f"Your application to join {ORGANISATION} has been sent.",
        "mine_heading": "My memberships and shares",
        "applied": "Applied",
        "applications_heading": "Applications waiting for a decision",
        "decide_heading": "Decide on an application",
        "register_heading": "Register of members",
        "audit_heading": "Audit trail",
        "admitted_banner": "is now a member.",
        "admitted": "Member",
        "decision_subject": f"Welcome to {ORGANISATION}",
        "decision_body": "You are now member number {number} of " + ORGANISATION,
        "shares_one": "1 (worth £1.00)",
        "withdraw_heading": "How many shares do you want to withdraw?",
        "withdrawn_banner": "You have withdrawn 1 shares.",
        "ceased": "Ceased",
        "shares_none": "0 (worth £0.00)",
    },
    "cy": {
        "home_heading": "Beth sy’n digwydd lle rydych chi’n byw",
        "directory_heading": "Sefydliadau",
        "join_heading": f"Ymuno â {ORGANISATION}",
        "error_prefix": "Gwall:",
        "choose_class": "Dewiswch y dosbarth aelodaeth rydych yn gwneud cais amdano",
        "check_heading": "Gwirio eich cais",
        "paid_now": "£1.00, wedi’i dalu nawr",
        "application_sent": f"Mae eich cais i ymuno â {ORGANISATION} wedi’i anfon.",
        "mine_heading": "Fy aelodaethau a’m cyfranddaliadau",
        "applied": "Wedi gwneud cais",
        "applications_heading": "Ceisiadau sy’n aros am benderfyniad",
        "decide_heading": "Penderfynu ar gais",
        "register_heading": "Cofrestr aelodau",
        "audit_heading": "Trywydd archwilio",
        "admitted_banner": "yn aelod nawr.",
        "admitted": "Aelod",
        "decision_subject": f"Croeso i {ORGANISATION}",
        "decision_body": "Rydych chi nawr yn aelod rhif {number} o " + ORGANISATION,
        "shares_one": "1 (gwerth £1.00)",
        "withdraw_heading": "Faint o gyfranddaliadau rydych chi am eu tynnu’n ôl?",
        "withdrawn_banner": "Rydych wedi tynnu 1 o gyfranddaliadau yn ôl.",
        "ceased": "Wedi dod i ben",
        "shares_none": "0 (gwerth £0.00)",
    },
}


@dataclass
class Journey:
    """One person's browser tab in one language: every step that reaches a page ends in ``check_page``."""

    page: Page
    lang: str

    def text(self, key: str) -> str:
        """What the person should read for ``key``, in the journey's language."""
        if key not in ALLAUTH_HEADINGS:
            return TEXT[self.lang][key]
        msgid = ALLAUTH_HEADINGS[key]
        with translation.override(self.lang):
            text = translation.gettext(msgid)
        assert self.lang == "en" or text != msgid, f"allauth's {msgid!r} has no {self.lang} translation"
        return text

    def goto(self, url: str) -> None:
        self.page.goto(url)
        check_page(self.page, lang=self.lang)

    def follow(self, selector: str) -> None:
        """Click the first visible element matching ``selector`` and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        check_page(self.page, lang=self.lang)

    def submit(self, form: str = "main form") -> None:
        """Press the submit button of ``form`` (the main content's form unless told) and wait for the next page."""
        with self.page.expect_navigation():
            self.page.locator(form).locator("button[type=submit], button:not([type])").last.click()
        check_page(self.page, lang=self.lang)

    def heading(self, key: str) -> None:
        # Case-insensitive: allauth's own headings are in title case ("Sign Up"), ours in sentence case.
        pattern = re.compile(re.escape(self.text(key)), re.IGNORECASE)
        expect(self.page.locator("main h1").first).to_contain_text(pattern)

    def sees(self, key: str) -> None:
        expect(self.page.locator("main")).to_contain_text(self.text(key))

    def signs_in(self, email: str, password: str) -> None:
        self.follow(".govuk-service-navigation a[href$='/accounts/login/']")
        self.heading("signin_heading")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", password)
        self.submit()

    def signs_out(self) -> None:
        # allauth asks for confirmation (logging out is a POST, so a link cannot do it by itself).
        self.follow(".govuk-service-navigation a[href$='/accounts/logout/']")
        self.heading("signout_heading")
        self.submit()
        expect(self.page.locator(".govuk-service-navigation a[href$='/accounts/login/']")).to_be_visible()


def totp_code(secret: str) -> str:
    """The authenticator app's current code, computed with allauth's own HOTP helpers (RFC 6238, 30 s steps).

    allauth accepts only the current step (``MFA_TOTP_TOLERANCE`` is 0), so a code read in the last
    seconds of its step could expire before the form is sent: wait for the next, as a person would.
    """
    if (seconds_left := 30 - time.time() % 30) < 3:
        time.sleep(seconds_left)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def messages_to(address: str) -> list:
    # ``mail.outbox`` is replaced between tests, so always read it through the module.
    return [message for message in mail.outbox if address in message.to]


@pytest.fixture
def borough(settings):
    """The demo borough, committed so the live server sees it; allauth's rate limits and used codes cleared."""
    # A fast hasher: the journey hashes or checks a password seven times, and PBKDF2 at full strength
    # would spend most of the time budget on that rather than on the pages.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # TOTP codes are single-use per cache entry; rate limits live in the cache too
    return build_demo()


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_newcomer_joins_is_admitted_and_withdraws(page: Page, live_server, borough, lang: str):
    # Everyone arrives on the English home page; a Welsh speaker then uses the on-page switch.
    you = Journey(page, "en")
    you.goto("/")
    you.heading("home_heading")
    if lang == "cy":
        you.lang = "cy"
        you.follow(".govuk-service-navigation a[hreflang=cy]")
        assert page.url.endswith("/cy/")
        you.heading("home_heading")

    # --- Sign up and verify the email address -------------------------------------------------
    you.follow(".govuk-service-navigation a[href$='/accounts/login/']")
    you.follow("main a[href*='/accounts/signup/']")
    you.heading("signup_heading")
    page.fill("input[name=email]", NEWCOMER_EMAIL)
    page.fill("input[name=password1]", NEWCOMER_PASSWORD)
    page.fill("input[name=password2]", NEWCOMER_PASSWORD)
    you.submit()
    you.heading("verify_heading")

    (verification,) = messages_to(NEWCOMER_EMAIL)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", verification.body)
    assert link, f"no verification link in:\n{verification.body}"
    assert ("/cy/accounts/" in link.group()) == (lang == "cy"), "the link should open in the language signed up in"
    you.goto(link.group())
    you.heading("confirm_heading")
    you.submit()
    # Confirming does not sign in (allauth only does that for the session that signed up, and only if
    # configured to): allauth sends the newcomer to the sign-in page.
    you.heading("signin_heading")
    page.fill("input[name=login]", NEWCOMER_EMAIL)
    page.fill("input[name=password]", NEWCOMER_PASSWORD)
    you.submit()
    expect(page.locator(".govuk-service-navigation a[href$='/accounts/logout/']")).to_be_visible()

    # --- Find the leisure trust and apply, paying the £1 share now ---------------------------------
    you.follow("footer a[href$='/organisations/'], .govuk-footer a[href$='/organisations/']")
    you.heading("directory_heading")
    you.follow(f"main a[href$='/organisations/{SLUG}/']")
    expect(page.locator("h1")).to_have_text(ORGANISATION)
    you.follow(f"main a[href$='/organisations/{SLUG}/join/']")
    you.heading("join_heading")
    # Continuing without answering: the error summary and the "Error:" title are checked by axe too.
    you.submit()
    assert page.title().startswith(you.text("error_prefix")), page.title()
    expect(page.locator(".govuk-error-summary")).to_contain_text(you.text("choose_class"))
    page.locator("input[name=stakeholder_class]").first.check()
    page.check("input[name=pays_now][value=yes]")
    you.submit()
    you.heading("check_heading")
    you.sees("paid_now")
    you.submit()
    you.heading("mine_heading")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(you.text("application_sent"))
    expect(page.locator("main .govuk-summary-list .govuk-tag").first).to_have_text(you.text("applied"))
    membership = Membership.objects.get(person__email=NEWCOMER_EMAIL, organisation__slug=SLUG)
    assert membership.status == MembershipStatus.APPLIED and membership.pays_on_admission
    you.signs_out()

    # --- The secretary signs in with password and authenticator code, and admits the newcomer ------
    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD)
    you.heading("mfa_heading")
    page.fill("input[name=code]", totp_code(DEMO_TOTP_SECRET))
    you.submit()
    expect(page.locator(".govuk-service-navigation a[href$='/accounts/logout/']")).to_be_visible()
    you.goto(("/cy" if lang == "cy" else "") + f"/organisations/{SLUG}/")
    you.follow(f"main a[href$='/organisations/{SLUG}/applications/']")
    you.heading("applications_heading")
    row = page.locator("main tr", has_text=NEWCOMER_EMAIL)
    expect(row).to_have_count(1)
    with page.expect_navigation():
        row.locator("a").click()
    check_page(page, lang=lang)
    you.heading("decide_heading")
    page.check("input[name=decision][value=admit]")
    you.submit()
    you.heading("applications_heading")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(you.text("admitted_banner"))
    expect(page.locator("main tr", has_text=NEWCOMER_EMAIL)).to_have_count(0)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ADMITTED

    # The new member is on the register (found with its search), in its CSV export, and in the audit trail.
    you.follow(f"main a[href$='/organisations/{SLUG}/register/']")
    you.heading("register_heading")
    page.fill("input[name=search]", NEWCOMER_EMAIL)
    you.submit("main form[method=get]")
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(str(membership.member_number))
    with page.expect_download() as download:
        page.locator("main a[href*='register.csv']").click()
    csv_text = download.value.path().read_text(encoding="utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 2 and NEWCOMER_EMAIL in csv_text, csv_text
    you.goto(("/cy" if lang == "cy" else "") + f"/organisations/{SLUG}/audit/")
    you.heading("audit_heading")
    expect(page.locator("main tbody tr").first).to_contain_text("membership.admit")
    expect(page.locator("main tbody tr").first).to_contain_text(NEWCOMER_EMAIL)
    you.signs_out()

    # --- The applicant is told by email ------------------------------------------------------------
    decision = messages_to(NEWCOMER_EMAIL)[-1]
    assert decision is not verification, "no decision email was sent"
    assert decision.subject == you.text("decision_subject")
    assert you.text("decision_body").format(number=membership.member_number) in decision.body, decision.body

    # --- The member sees their £1 share, withdraws it, and the membership ends ---------------------
    you.signs_in(NEWCOMER_EMAIL, NEWCOMER_PASSWORD)
    you.follow(".govuk-service-navigation a[href$='/my-memberships/']")
    you.heading("mine_heading")
    summary = page.locator("main .govuk-summary-list").first
    expect(summary.locator(".govuk-tag")).to_have_text(you.text("admitted"))
    expect(summary).to_contain_text(you.text("shares_one"))
    you.follow("main a[href*='/withdraw/']")
    you.heading("withdraw_heading")
    page.fill("input[name=shares]", "1")
    you.submit()
    you.heading("mine_heading")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(you.text("withdrawn_banner"))
    expect(summary.locator(".govuk-tag")).to_have_text(you.text("ceased"))
    expect(summary).to_contain_text(you.text("shares_none"))
    expect(page.locator("main a[href*='/withdraw/']")).to_have_count(0)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.CEASED
