"""From newcomer to member of the leisure trust, end to end, in English and in Welsh.

A newcomer signs up and verifies their email, gives their name and address, asks for a code by
post; a council officer (with an authenticator) makes the batch of letters as one PDF, and the
code is read from that PDF's text; the newcomer enters it and their address is confirmed. They
apply to the Kingsmere Leisure Trust and see the £1 share they will owe; the secretary (with an
authenticator) admits them and records the payment; the register shows their name, address and
paid share; the member resigns.

Links and form fields are found by their ``href`` and ``name`` (the same in both languages), so
the one journey runs in both. What a person reads is asserted through the catalogue: ``says``
looks the English up in the journey's language, and in Welsh a string the catalogue leaves in
English is a failure, not a fallback. ``check_page`` runs after every page: no HTTP or script
error, ``<html lang>`` right, and no axe WCAG 2.2 AA violation.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.core.models import User
from coproduce.core.tests.factories import totp_code
from coproduce.core.verification import VerificationLevel
from coproduce.members.models import Membership, MembershipStatus

from .conftest import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER_EMAIL = "newcomer@example.org"
NEWCOMER_NAME = "Nerys Newcomer"
NEWCOMER_PASSWORD = "a long walk by the reservoir"  # passes Django's password validators
NEWCOMER_STREET = "7 Reservoir Road"
NEWCOMER_POSTCODE = "KM5 1BQ"  # a demo postcode in Elmwood ward
SECRETARY_EMAIL = "secretary@example.org"
OFFICER_EMAIL = "officer@example.org"
ORGANISATION = "Kingsmere Leisure Trust"
SLUG = "leisure-trust"
COUNCIL = "kingsmere-council"


@dataclass
class Journey:
    """One person's browser tab in one language: every step that reaches a page ends in ``check_page``."""

    page: Page
    lang: str

    def says(self, msgid: str, **params) -> str:
        """``msgid`` as the catalogue gives it in the journey's language (Welsh must be translated)."""
        with translation.override(self.lang):
            text = translation.gettext(msgid)
        assert self.lang == "en" or text != msgid, f"{msgid!r} has no {self.lang} translation"
        return text % params if params else text

    def path(self, path: str) -> str:
        return ("/cy" if self.lang == "cy" else "") + path

    def goto(self, path: str) -> None:
        self.page.goto(path)
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

    def heading(self, msgid: str, **params) -> None:
        # Case-insensitive: allauth's own headings are in title case ("Sign Up"), ours in sentence case.
        pattern = re.compile(re.escape(self.says(msgid, **params)), re.IGNORECASE)
        expect(self.page.locator("main h1").first).to_contain_text(pattern)

    def sees(self, msgid: str, **params) -> None:
        expect(self.page.locator("main")).to_contain_text(self.says(msgid, **params))

    def banner(self, msgid: str, **params) -> None:
        expect(self.page.locator(".govuk-notification-banner--success")).to_contain_text(self.says(msgid, **params))

    def signs_in(self, email: str, password: str, *, secret: str | None = None) -> None:
        self.follow(".govuk-service-navigation a[href$='/accounts/login/']")
        self.heading("Sign In")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", password)
        self.submit()
        if secret:  # the second factor, asked for at every sign-in
            self.heading("Two-Factor Authentication")
            self.page.fill("input[name=code]", totp_code(secret))
            self.submit()
        expect(self.page.locator(".govuk-service-navigation a[href$='/accounts/logout/']")).to_be_visible()

    def signs_out(self) -> None:
        # allauth asks for confirmation (logging out is a POST, so a link cannot do it by itself).
        self.follow(".govuk-service-navigation a[href$='/accounts/logout/']")
        self.heading("Sign Out")
        self.submit()
        expect(self.page.locator(".govuk-service-navigation a[href$='/accounts/login/']")).to_be_visible()


def messages_to(address: str) -> list:
    # ``mail.outbox`` is replaced between tests, so always read it through the module.
    return [message for message in mail.outbox if address in message.to]


def code_for(pdf: bytes, name: str) -> str:
    """The one-time code printed on ``name``'s letter in a batch PDF (letters start on a new page)."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    (letter,) = [text for text in pages if name in text]
    codes = re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", letter)
    assert codes, f"no code on {name}'s letter:\n{letter}"
    return codes[-1]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_newcomer_verifies_joins_pays_and_resigns(page: Page, live_server, borough, lang: str):
    page.set_default_timeout(10_000)
    you = Journey(page, "en")
    you.goto(live_server.url + "/")
    if lang == "cy":  # everyone arrives on the English home page; a Welsh speaker uses the switch
        you.lang = "cy"
        you.follow(".govuk-service-navigation a[hreflang=cy]")
        assert page.url.endswith("/cy/")

    # --- Sign up and verify the email address -------------------------------------------------
    you.follow(".govuk-service-navigation a[href$='/accounts/login/']")
    you.follow("main a[href*='/accounts/signup/']")
    you.heading("Sign Up")
    page.fill("input[name=full_name]", NEWCOMER_NAME)
    page.fill("input[name=email]", NEWCOMER_EMAIL)
    page.fill("input[name=password1]", NEWCOMER_PASSWORD)
    page.fill("input[name=password2]", NEWCOMER_PASSWORD)
    you.submit()
    you.heading("Verify Your Email Address")
    (verification,) = messages_to(NEWCOMER_EMAIL)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", verification.body)
    assert link, f"no verification link in:\n{verification.body}"
    assert ("/cy/accounts/" in link.group()) == (lang == "cy"), "the link should open in the language signed up in"
    you.goto(link.group())
    you.heading("Confirm Email Address")
    you.submit()
    # Confirming in the browser that signed up signs the newcomer in.
    expect(page.locator(".govuk-service-navigation a[href$='/accounts/logout/']")).to_be_visible()

    # --- Name and address, then a code by post ------------------------------------------------
    you.follow(".govuk-service-navigation a[href$='/account/']")
    you.heading("Your account")
    you.follow("main a[href*='/account/details/']")
    you.heading("Your details")
    you.submit()  # nothing filled in: the errors are on the page, and axe checks them too
    assert page.title().startswith(you.says("Error:")), page.title()
    expect(page.locator("input[name=full_name]")).to_have_value(NEWCOMER_NAME)  # given at sign-up
    page.fill("input[name=address_line_1]", NEWCOMER_STREET)
    page.fill("input[name=town]", "Kingsmere")
    page.fill("input[name=postcode]", "km51bq")
    you.submit()
    you.heading("Your account")
    expect(page.locator("main")).to_contain_text(NEWCOMER_POSTCODE)
    you.submit("main form[action$='/account/verify/letter/']")
    newcomer = User.objects.get(email=NEWCOMER_EMAIL)
    assert newcomer.full_name == NEWCOMER_NAME and newcomer.ward.name == "Elmwood"
    assert newcomer.verification_level == VerificationLevel.NONE
    you.signs_out()

    # --- A council officer makes the letters: one PDF, the code on the newcomer's page -----------
    you.signs_in(OFFICER_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.follow(".govuk-service-navigation a[href$='/account/']")
    you.follow(f"main a[href$='/councils/{COUNCIL}/verification/']")
    you.follow(f"main a[href$='/councils/{COUNCIL}/verification/letters/']")
    you.heading("Letters with codes")
    expect(page.locator("main")).to_contain_text(NEWCOMER_NAME)
    you.submit()
    you.heading("Batch of letters")
    with page.expect_download() as download:
        page.locator("main a[href$='/pdf/']").click()
    code = code_for(download.value.path().read_bytes(), NEWCOMER_NAME)
    you.signs_out()

    # --- The newcomer enters the code and their address is confirmed -----------------------------
    you.signs_in(NEWCOMER_EMAIL, NEWCOMER_PASSWORD)
    you.follow(".govuk-service-navigation a[href$='/account/']")
    you.follow("main a[href*='/verify/code/']")
    page.fill("input[name=code]", code)
    you.submit()
    you.heading("Your account")
    newcomer.refresh_from_db()
    assert newcomer.verification_level == VerificationLevel.CONFIRMED

    # --- Apply to the leisure trust: the £1 share will be owed, not pretended paid ----------------
    you.goto(you.path("/organisations/"))
    you.follow(f"main a[href$='/organisations/{SLUG}/']")
    expect(page.locator("h1")).to_have_text(ORGANISATION)
    you.follow(f"main a[href$='/organisations/{SLUG}/join/']")
    you.heading("Join %(organisation)s", organisation=ORGANISATION)
    you.submit()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        you.says("Choose the class of membership you are applying for")
    )
    page.locator("input[name=stakeholder_class]").first.check()
    page.locator("input[name=email_use]").first.check()
    you.submit()
    you.heading("Check your application")
    expect(page.locator("main")).to_contain_text(NEWCOMER_STREET)
    you.sees("%(value)s, owed from when you are admitted until the secretary records your payment", value="£1.00")
    you.submit()
    you.heading("My memberships and shares")
    membership = Membership.objects.get(person=newcomer, organisation__slug=SLUG)
    you.banner(
        "Your application to join %(organisation)s has been sent. The secretary will decide on it. "
        "Your reference is %(reference)s.",
        organisation=ORGANISATION,
        reference=membership.reference,
    )
    assert membership.status == MembershipStatus.APPLIED
    you.signs_out()

    # --- The secretary admits them and records the payment ----------------------------------------
    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(you.path(f"/organisations/{SLUG}/applications/"))
    row = page.locator("main tr", has_text=NEWCOMER_NAME)
    expect(row).to_have_count(1)
    with page.expect_navigation():
        row.locator("a").first.click()
    check_page(page, lang=lang)
    expect(page.locator("main")).to_contain_text(NEWCOMER_STREET)  # the address, to check eligibility
    page.check("input[name=decision][value=admit]")
    you.submit()
    you.banner("%(name)s is now a member.", name=NEWCOMER_NAME)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ADMITTED

    you.goto(you.path(f"/organisations/{SLUG}/register/{membership.pk}/"))
    expect(page.locator("main h1")).to_have_text(NEWCOMER_NAME)
    you.follow("main a[href$='/payment/']")
    you.heading("Record a payment")
    page.locator("input[name=share_transaction]").first.check()
    page.check("input[name=method][value=cash]")
    page.fill("input[name=reference]", "Receipt 0042")
    today = timezone.localdate()  # paid today: a payment cannot come before the share was issued
    page.fill("input[name=day]", str(today.day))
    page.fill("input[name=month]", str(today.month))
    page.fill("input[name=year]", str(today.year))
    you.submit()
    expect(page.locator("main h1")).to_have_text(NEWCOMER_NAME)

    # The register shows name, address and the paid share; so does its CSV.
    you.goto(you.path(f"/organisations/{SLUG}/register/"))
    page.fill("input[name=search]", NEWCOMER_EMAIL)
    you.submit("main form[method=get]")
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(NEWCOMER_NAME)
    expect(rows).to_contain_text(NEWCOMER_STREET)
    expect(rows).to_contain_text(str(membership.member_number))
    with page.expect_download() as download:
        page.locator("main a[href*='register.csv']").click()
    header, *entries = csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")))
    (entry,) = [dict(zip(header, row, strict=True)) for row in entries if NEWCOMER_EMAIL in row]
    assert NEWCOMER_STREET in entry[you.says("Address")] and entry[you.says("Postcode")] == NEWCOMER_POSTCODE
    assert entry[you.says("Amount paid (£)")] == "1.00" and entry[you.says("Amount owed (£)")] == "0.00", entry
    you.signs_out()

    # --- The member sees the paid share, then resigns ---------------------------------------------
    sent = {message.subject: message for message in messages_to(NEWCOMER_EMAIL)}
    acknowledgement = sent[
        you.says(
            "Your application to join %(organisation)s: reference %(reference)s",
            organisation=ORGANISATION,
            reference=membership.reference,
        )
    ]
    assert membership.reference in acknowledgement.body
    decision = sent[you.says("Welcome to %(organisation)s", organisation=ORGANISATION)]
    assert str(membership.member_number) in decision.body
    assert "£1.00" in decision.body, "the decision email says what is owed and how to pay"
    you.signs_in(NEWCOMER_EMAIL, NEWCOMER_PASSWORD)
    you.goto(you.path("/my-memberships/"))
    you.heading("My memberships and shares")
    expect(page.locator("main")).not_to_contain_text(you.says("You owe"))
    you.follow(f"main a[href$='/my-memberships/{membership.pk}/']")
    you.heading("Your entry in the register")
    you.follow("main a[href$='/resign/']")
    you.heading("Resign from %(organisation)s", organisation=ORGANISATION)
    you.submit()
    you.heading("My memberships and shares")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.CEASED
