"""The places people work in, in Chromium with axe, in English and in Welsh.

- The secretary signs in, lands on their work, opens the leisure trust's workspace and an
  application with the applicant's address, admits them, records their payment on the
  member's page, and reads both in the audit trail in words.
- A council officer signs in, lands on their work, opens the programme workspace with members
  by ward, and is refused the Django admin.
- A newcomer who prefers Welsh gets every email in Welsh.
- At 320 px wide the register scrolls inside its own region, never the whole page.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.members import services
from coproduce.members.models import Membership, MembershipStatus

from .conftest import check_page
from .test_join_journey import ORGANISATION, SLUG, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRETARY_EMAIL = "secretary@example.org"
OFFICER_EMAIL = "officer@example.org"
COUNCIL = "kingsmere-council"


def _start(page: Page, live_server, lang: str) -> Journey:
    page.set_default_timeout(10_000)
    you = Journey(page, lang)
    you.goto(live_server.url + you.path("/"))
    return you


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_secretary_works_through_an_application_in_the_workspace(page: Page, live_server, borough, lang: str):
    you = _start(page, live_server, lang)
    application = Membership.objects.filter(organisation__slug=SLUG, status=MembershipStatus.APPLIED).first()
    applicant = application.person

    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.heading("Your work")  # where people who run things land
    assert page.url.endswith(you.path("/work/"))
    you.follow(f"main a[href$='/organisations/{SLUG}/manage/']")
    you.heading("Membership workspace")
    row = page.locator("#applications ~ * tr, main tr", has_text=applicant.full_name).first
    expect(row).to_contain_text(applicant.postcode)  # the address, to check eligibility
    with page.expect_navigation():
        row.locator(f"a[href$='/applications/{application.pk}/']").click()
    check_page(page, lang=lang)
    expect(page.locator("main")).to_contain_text(applicant.address.splitlines()[0])
    page.check("input[name=decision][value=admit]")
    you.submit()
    you.banner("%(name)s is now a member.", name=applicant.full_name)

    # The member's page: record the payment for the share they owe.
    you.goto(you.path(f"/organisations/{SLUG}/register/{application.pk}/"))
    you.follow("main a[href$='/payment/']")
    you.heading("Record a payment")
    page.locator("input[name=share_transaction]").first.check()
    page.check("input[name=method][value=bank_transfer]")
    page.fill("input[name=reference]", "BACS 81723")
    today = timezone.localdate()  # paid today: a payment cannot come before the share was issued
    page.fill("input[name=day]", str(today.day))
    page.fill("input[name=month]", str(today.month))
    page.fill("input[name=year]", str(today.year))
    you.submit()
    expect(page.locator("main h1")).to_have_text(applicant.full_name)
    application.refresh_from_db()
    assert application.status == MembershipStatus.ADMITTED

    # The audit trail says what happened in words, newest first.
    you.goto(you.path(f"/organisations/{SLUG}/audit/"))
    you.heading("Audit trail")
    rows = page.locator("main tbody tr")
    expect(rows.nth(0)).to_contain_text(you.says("Recorded a payment"))
    expect(rows.nth(1)).to_contain_text(you.says("Admitted a member"))
    expect(page.locator("main")).not_to_contain_text("membership.admit")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_officer_sees_the_programme_and_not_the_admin(page: Page, live_server, borough, lang: str):
    you = _start(page, live_server, lang)
    you.signs_in(OFFICER_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.heading("Your work")
    you.follow(f"main a[href$='/councils/{COUNCIL}/programme/']")
    expect(page.locator("main")).to_contain_text(ORGANISATION)
    expect(page.locator("main table", has_text="Elmwood").first).to_be_visible()  # members by ward
    expect(page.locator("main svg").first).to_be_visible()  # growth over time, with its table
    response = page.goto(live_server.url + "/admin/")
    assert response.status == 403


def test_a_newcomer_who_prefers_welsh_gets_every_email_in_welsh(page: Page, live_server, borough):
    you = _start(page, live_server, "cy")
    you.follow(".govuk-service-navigation a[href$='/accounts/login/']")
    you.follow("main a[href*='/accounts/signup/']")
    page.fill("input[name=full_name]", "Gwen Gymraeg")
    page.fill("input[name=email]", "gwen@example.org")
    page.fill("input[name=password1]", "taith hir o amgylch y gronfa ddŵr")
    page.fill("input[name=password2]", "taith hir o amgylch y gronfa ddŵr")
    you.submit()
    (verification,) = [message for message in mail.outbox if "gwen@example.org" in message.to]
    link = re.search(r"https?://\S+/cy/accounts/confirm-email/\S+", verification.body).group()
    you.goto(link)
    you.submit()
    you.goto(you.path("/account/details/"))
    page.fill("input[name=address_line_1]", "3 Heol y Gronfa")
    page.fill("input[name=town]", "Caerfrenin")
    page.fill("input[name=postcode]", "KM5 2DR")
    you.submit()
    you.goto(you.path(f"/organisations/{SLUG}/join/"))
    page.locator("input[name=stakeholder_class]").first.check()
    page.locator("input[name=email_use]").first.check()
    you.submit()
    you.submit()
    membership = Membership.objects.get(person__email="gwen@example.org")
    secretary = membership.organisation.roles.get(kind="secretary").person
    services.membership_admit(membership=membership, actor=secretary)

    with translation.override("cy"):
        expected = {
            translation.gettext("Please Confirm Your Email Address"),
            translation.gettext("Your application to join %(organisation)s: reference %(reference)s")
            % {"organisation": ORGANISATION, "reference": membership.reference},
            translation.gettext("Welcome to %(organisation)s") % {"organisation": ORGANISATION},
        }
    to_gwen = [message for message in mail.outbox if "gwen@example.org" in message.to]
    subjects = {re.sub(r"^\[[^\]]+\] ", "", message.subject) for message in to_gwen}
    assert subjects == expected, subjects
    for message in to_gwen:
        assert "Dear" not in message.body and "Hello from" not in message.body, message.body


def test_the_register_scrolls_in_its_own_region_at_320_pixels(page: Page, live_server, borough):
    you = _start(page, live_server, "en")
    you.signs_in(SECRETARY_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    page.set_viewport_size({"width": 320, "height": 640})  # the navigation folds into a menu at this width
    you.goto(f"/organisations/{SLUG}/register/")
    page.screenshot(path=str(live_server_shot_path()), full_page=False)
    sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 0, f"the page scrolls sideways by {sideways}px at 320px"
    region = page.locator("main [role=region][tabindex='0']").first
    expect(region).to_be_visible()
    assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", region.element_handle())


def live_server_shot_path():
    """Where the 320 px screenshot is kept for a person to look at (the test data folder)."""
    import os
    from pathlib import Path

    folder = Path(os.environ.get("COPRODUCE_DATA_DIR", ".tmp")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "register-320px.png"
