"""A resident panel in the browser, from the address file to a replaced drop-out, in English and in Welsh (issue 21).

Kingsmere council has a panel of eight being prepared (set up in the test: its categories are sex and
age band, and its targets are set). The council's officer (with an authenticator, in the journey's
language) uploads an address file with a repeated property reference and is refused with the file's
name and line, nothing imported; then a good file. They draw 40 letters with a typed seed, in
proportion to the wards, and download them as one PDF; the first letter's code is read from the
PDF's text. They open registration. Thirty-five neighbours register through the service (five
households of two), and a resident opens ``/cy/panels/register/`` in a browser of her own, in Welsh,
types the code from the letter and registers with her answers and consent. Registration's close
comes (the clock is the test's to pass). The officer types in the seed drawn at a public ceremony,
runs the selection (the task runs at once, as in every test) and publishes it. The public audit page,
in English and in Welsh, shows the command; its arguments run through ``coproduce select`` on the
API's targets and pool give the same panel and the same lowest chance. Then a member drops out: the
officer records it on the members page and replaces them from the reserves, and the page and the
database show the panel still meets every target.

Links and fields are found by ``href``, ``name`` and value (the same in both languages); what a
person reads is asserted through the catalogue (``says``; in Welsh a string the catalogue leaves in
English is a failure, not a fallback). ``check_page`` runs after every page: no HTTP or script error,
``<html lang>`` right, and no axe WCAG 2.2 AA violation.

Set ``JOURNEY_SHOTS`` to a folder to keep a screenshot of each main page (for reading them, not
for the test).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from coproduce.cli import main as cli
from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.core.models import Organisation, Place, PlaceKind, Postcode, User
from coproduce.panels import selectors, services
from coproduce.panels.models import Feature, Invitation, Panel, Registrant, RegistrantStatus, Stage

from .conftest import TIMEOUT_MS, PageProblems, check_page
from .test_join_journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCIL = "kingsmere-council"
OFFICER_EMAIL = "officer@example.org"
TITLE = "Kingsmere residents' panel on parks"
TITLE_CY = "Panel trigolion Caerfrenin ar barciau"
SIZE = 8
CATEGORIES = ["sex", "age_band"]
AGES = ["16_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_plus"]
# (feature, value, least, most): a panel of eight, half and half give or take one, exactly two of the
# youngest (who registered no more than others: their chance is higher), at most one of the oldest.
TARGETS = [
    ("sex", "female", 3, 5),
    ("sex", "male", 3, 5),
    ("age_band", "16_24", 2, 2),
    *(("age_band", age, 1 if age == "65_74" else 0, 2) for age in AGES[1:-1]),
    ("age_band", "75_plus", 0, 1),
]
ADDRESSES = 60
LETTERS = 40
LETTER_SEED = "letters 2027-01"
CEREMONY_SEED = "4 17 23 31 42"
RESIDENT_NAME = "Eirlys Parry"
RESIDENT_EMAIL = "eirlys@example.org"
ON_THE_PANEL = ("%(num)d person is on the panel or invited to it.", "%(num)d people are on the panel or invited to it.")
SHOTS = os.environ.get("JOURNEY_SHOTS")


class PanelJourney(Journey):
    """A ``Journey`` that also reads plural words (``ngettext``) through the catalogue; in Welsh a
    string the catalogue leaves in English is a failure, as in ``Journey.says``."""

    def says_n(self, singular: str, plural: str, number: int, **params) -> str:
        with translation.override(self.lang):
            text = translation.ngettext(singular, plural, number)
        assert self.lang == "en" or text not in (singular, plural), f"{singular!r} has no {self.lang} translation"
        return text % {"num": number, **params}

    def banner_n(self, singular: str, plural: str, number: int, **params) -> None:
        banner = self.page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text(self.says_n(singular, plural, number, **params))

    def sees_n(self, singular: str, plural: str, number: int, **params) -> None:
        expect(self.page.locator("main")).to_contain_text(self.says_n(singular, plural, number, **params))


def _shot(page: Page, lang: str, name: str) -> None:
    """Keep a screenshot of the page when ``JOURNEY_SHOTS`` names a folder (for people to read)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"panel-{lang}-{name}.png"), full_page=True)


def _press(you: Journey, msgid: str, *, within: str = "main") -> None:
    """Press the button (in ``within``) whose words are ``msgid`` in the journey's language."""
    with you.page.expect_navigation():
        you.page.locator(within).get_by_role("button", name=you.says(msgid), exact=True).first.click()
    check_page(you.page, lang=you.lang)


@contextmanager
def fresh_tab(browser: Browser, live_server, lang: str) -> Iterator[Page]:
    """Another browser with no cookies (as the ``page`` fixture makes one): problems recorded, only the
    live server reachable."""
    origin = urlsplit(live_server.url)
    context = browser.new_context(base_url=live_server.url, locale="cy-GB" if lang == "cy" else "en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    problems = PageProblems()

    def only_the_live_server(route, request):
        target = urlsplit(request.url)
        if target.scheme in {"http", "https"} and target.netloc != origin.netloc:
            problems.blocked_requests.append(request.url)
            route.abort()
        else:
            route.continue_()

    context.route(re.compile(r".*"), only_the_live_server)
    tab = context.new_page()
    tab.on("response", lambda r: r.status >= 400 and problems.error_responses.append(f"{r.status} {r.url}"))
    tab.on("console", lambda message: message.type == "error" and problems.console_errors.append(message.text))
    tab.on("pageerror", lambda error: problems.console_errors.append(str(error)))
    tab.problems = problems  # type: ignore[attr-defined] - read by check_page
    try:
        yield tab
    finally:
        context.close()


def _panel() -> Panel:
    """The council's panel of eight for the whole borough, being prepared: categories and targets set,
    registration from tomorrow for a fortnight."""
    council = Organisation.objects.get(slug=COUNCIL)
    officer = User.objects.get(email=OFFICER_EMAIL)
    borough = council.area or Place.objects.filter(kind=PlaceKind.COUNCIL_AREA).order_by("pk").first()
    now = timezone.now()
    day = datetime.timedelta(days=1)
    panel = services.panel_create(
        organisation=council,
        actor=officer,
        place=borough,
        title=TITLE,
        title_cy=TITLE_CY,
        purpose="Which parks should the council improve first, and how?",
        purpose_cy="Pa barciau ddylai'r cyngor eu gwella gyntaf, a sut?",
        size=SIZE,
        registration_opens=now + day,
        registration_closes=now + 15 * day,
        categories=CATEGORIES,
        payment_policy="£50 for each session, and travel and care paid.",
    )
    for feature, value, least, most in TARGETS:
        services.target_add(panel=panel, actor=officer, feature=feature, value=value, minimum=least, maximum=most)
    return panel


def _address_files(folder: Path) -> tuple[Path, Path, int]:
    """A good address file (demo postcodes, so each address has its ward) and a bad one whose fourth
    line repeats the second's property reference; the bad line's number."""
    postcodes = list(Postcode.objects.order_by("postcode").values_list("postcode", flat=True))
    header = "uprn,address_1,address_2,address_3,postcode\n"
    rows = [
        f"{100_001 + n},{n + 1} Park Road,,Kingsmere,{postcodes[(n * 7) % len(postcodes)]}\n" for n in range(ADDRESSES)
    ]
    good = folder / "addresses.csv"
    good.write_text(header + "".join(rows), encoding="utf-8")
    bad = folder / "addresses-bad.csv"
    bad.write_text(header + rows[0] + rows[1] + rows[0].replace("1 Park Road", "1a Park Road"), encoding="utf-8")
    return good, bad, 4


def _first_letter(pdf: bytes) -> tuple[str, str]:
    """The first letter's code and the first line of its address, read from the PDF's text."""
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    codes = re.findall(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", text)
    assert codes, f"no code on the first letter:\n{text}"
    street = re.search(r"\b\d+ Park Road\b", text)
    assert street, f"no address on the first letter:\n{text}"
    return codes[-1], street.group()


def _neighbours_register(panel: Panel, keep: Invitation) -> int:
    """35 people register through the service with other letters: five households of two, then 25 of one;
    the sexes alternate and the ages go round the bank's bands."""
    others = list(Invitation.objects.filter(panel=panel).exclude(pk=keep.pk).order_by("position"))
    households = [invitation for invitation in others[:5] for _twice in range(2)] + others[5:30]
    for number, invitation in enumerate(households):
        services.register(
            invitation=invitation,
            name=f"Neighbour {number + 1}",
            email=f"neighbour{number + 1}@example.org",
            features={"sex": ("female", "male")[number % 2], "age_band": AGES[number % len(AGES)]},
            consent=True,
        )
    return len(households)


def _met(panel: Panel) -> dict[tuple[str, str], bool]:
    """Each target: does the panel as it is now (selected, confirmed, replacements) meet it?"""
    members = Registrant.objects.filter(
        panel=panel,
        status__in=(RegistrantStatus.SELECTED, RegistrantStatus.CONFIRMED, RegistrantStatus.REPLACEMENT),
    )
    assert members.count() == SIZE
    met = {}
    for target in panel.targets.all():
        count = Feature.objects.filter(registrant__in=members, feature=target.feature, value=target.value).count()
        met[(target.feature, target.value)] = target.minimum <= count <= target.maximum
    return met


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_letters_registration_selection_audit_and_replacement(
    page: Page, browser: Browser, live_server, borough, lang: str, tmp_path
):
    page.set_default_timeout(10_000)
    panel = _panel()
    pk = panel.pk
    good, bad, bad_line = _address_files(tmp_path)
    base = live_server.url
    you = PanelJourney(page, lang)
    page.goto(base + you.path("/"))

    # --- The officer finds the panel and imports the addresses: a bad file refused with its line -------
    cache.clear()  # the demo's officers share one TOTP secret, and a code is accepted only once
    you.signs_in(OFFICER_EMAIL, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(base + you.path(f"/panels/manage/{COUNCIL}/"))
    you.follow(f"main a[href$='/panels/{pk}/manage/']")
    expect(page.locator("main h1")).to_have_text(TITLE_CY if lang == "cy" else TITLE)
    you.sees("Import the addresses letters may go to.")
    _shot(page, lang, "overview-draft")
    you.follow(f"main a[href$='/panels/{pk}/manage/addresses/']")
    you.heading("Addresses")
    page.set_input_files("input[name=file]", str(bad))
    you.submit()
    reason = you.says("the unique property reference %(value)s is also on line %(first)s", value="100001", first=2)
    where = you.says("%(file)s, line %(line)d", file=bad.name, line=bad_line)
    refusal = you.says("%(where)s: %(reason)s. Nothing was imported.", where=where, reason=reason)
    expect(page.locator(".govuk-error-summary")).to_contain_text(refusal)
    expect(page.locator("main .govuk-error-message")).to_contain_text(refusal)  # beside the field too
    assert page.title().startswith(you.says("Error:")), page.title()
    _shot(page, lang, "addresses-refused")
    assert not panel.addresses.exists()
    page.set_input_files("input[name=file]", str(good))
    you.submit()
    you.banner_n("%(num)d address imported.", "%(num)d addresses imported.", ADDRESSES)
    expect(page.locator("#wards")).to_be_visible()  # the addresses by ward
    assert panel.addresses.count() == ADDRESSES
    assert not panel.addresses.filter(ward__isnull=True).exists(), "every demo postcode has its ward"

    # --- The officer draws the letters with a seed and downloads them as one PDF ---------------------
    you.goto(base + you.path(f"/panels/{pk}/manage/"))
    you.follow(f"main a[href$='/panels/{pk}/manage/letters/']")
    you.heading("Letters")
    page.fill("input[name=count]", str(LETTERS))
    page.check("input[name=seed_choice][value=typed]")
    page.fill("input[name=seed]", LETTER_SEED)
    expect(page.locator("input[name=proportional]")).to_be_checked()
    you.submit()
    you.banner_n(
        "%(num)d address drawn. Download the letters below.",
        "%(num)d addresses drawn. Download the letters below.",
        LETTERS,
    )
    expect(page.locator("main .govuk-summary-list")).to_contain_text(LETTER_SEED)
    _shot(page, lang, "letters")
    panel.refresh_from_db()
    assert panel.stage == Stage.INVITING and panel.invitation_seed == LETTER_SEED
    assert panel.invitations.count() == LETTERS
    with page.expect_download() as download:
        page.locator(f"main a[href$='/panels/{pk}/manage/letters.pdf']").click()
    pdf = download.value.path().read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= LETTERS  # a page (at least) for each letter
    code, street = _first_letter(pdf)
    letter = selectors.invitation_for_code(code)
    assert letter is not None and letter.panel_id == pk, code
    assert letter.address.lines.startswith(street), (street, letter.address.lines)

    # --- Registration opens; neighbours register (through the service) -------------------------------
    you.goto(base + you.path(f"/panels/{pk}/manage/"))
    _press(you, "Open registration now")
    you.banner("Registration is open. People can now register with the code on their letter.")
    panel.refresh_from_db()
    assert panel.stage == Stage.REGISTERING
    neighbours = _neighbours_register(panel, keep=letter)

    # --- A resident registers in Welsh with the code from her letter -----------------------------------
    with fresh_tab(browser, live_server, "cy") as tab:
        resident = PanelJourney(tab, "cy")
        resident.goto(base + "/cy/panels/register/")
        resident.heading("Register for a resident panel")
        tab.fill("input[name=code]", code.lower().replace("-", " "))  # as typed from the letter, roughly
        resident.submit()
        resident.heading("Register")
        expect(tab.locator("main .govuk-caption-l")).to_have_text(TITLE_CY)
        tab.fill("input[name=name]", RESIDENT_NAME)
        tab.fill("input[name=email]", RESIDENT_EMAIL)
        tab.check("input[name=availability][value=weekday_evening]")
        tab.check("input[name=feature_sex][value=female]")
        tab.check("input[name=feature_age_band][value='25_34']")
        tab.fill("textarea[name=access_needs]", "Dolen sain, os gwelwch yn dda.")
        resident.submit()  # no consent yet: refused beside the box, nothing saved
        expect(tab.locator(".govuk-error-summary")).to_contain_text(
            resident.says("Agree to how your answers are used, or you cannot be selected")
        )
        assert not Registrant.objects.filter(panel=panel, email=RESIDENT_EMAIL).exists()
        expect(tab.locator("input[name=feature_age_band][value='25_34']")).to_be_checked()  # kept
        tab.check("input[name=consent]")
        resident.submit()
        resident.heading("You are registered")
        her = Registrant.objects.get(panel=panel, email=RESIDENT_EMAIL)
        resident.sees(
            "Your anonymous number is %(id)s. It is how you appear in the published list of people who registered.",
            id=her.public_id,
        )
        _shot(tab, "cy", "registered")
    assert her.invitation_id == letter.pk and her.language == "cy" and her.consent
    assert dict(her.features.values_list("feature", "value")) == {"sex": "female", "age_band": "25_34"}
    assert panel.registrants.count() == neighbours + 1

    # --- Time passes: registration closes; the officer publishes the ceremony's seed and runs it -------
    now = timezone.now()
    Panel.objects.filter(pk=pk).update(
        registration_opens=now - datetime.timedelta(days=14), registration_closes=now - datetime.timedelta(minutes=1)
    )
    you.goto(base + you.path(f"/panels/{pk}/manage/"))
    you.sees("Registration has closed. Publish the seed for the selection, then run it.")
    you.follow(f"main a[href$='/panels/{pk}/manage/selection/']")
    you.heading("The selection")
    page.check("input[name=seed_choice][value=typed]")
    page.fill("input[name=seed]", CEREMONY_SEED)
    _press(you, "Publish the seed")
    you.banner("You published the seed. It is on the panel's public page.")
    expect(page.locator("main .govuk-inset-text").first).to_contain_text(CEREMONY_SEED)
    _press(you, "Run the selection")  # the task runs at once in tests, where a worker would run it
    you.banner("The selection has started. Refresh this page to see how it is getting on.")
    panel.refresh_from_db()
    assert panel.stage == Stage.SELECTED, panel.selection_problem
    you.heading("The selection")
    result_list = page.locator("main .govuk-summary-list").first
    expect(result_list).to_contain_text(CEREMONY_SEED)
    expect(result_list).to_contain_text(f"{panel.result['min_probability']:.4f}")
    _shot(page, lang, "selection-result")
    selected = set(panel.registrants.filter(status=RegistrantStatus.SELECTED).values_list("public_id", flat=True))
    assert selected == set(panel.result["panel"]) and len(selected) == SIZE
    assert all(_met(panel).values())
    _press(you, "Publish the selection and send the invitations")
    you.banner("The selection is published. The people selected are being invited, and the others told.")
    panel.refresh_from_db()
    assert panel.stage == Stage.PUBLISHED

    # --- Anyone reads the audit page (English and Welsh) and reproduces the panel through the CLI --------
    data = page.request.get(f"{base}/api/panels/{pk}/selection").json()
    commands = []
    for reader in ("en", "cy"):
        audit = PanelJourney(page, reader)
        audit.goto(base + audit.path(f"/panels/{pk}/selection/"))
        audit.heading("How the panel was selected")
        audit.sees(
            "Everyone who registered had at least a %(chance)s chance of being selected.",
            chance=f"{100 * data['min_probability']:.1f}%",
        )
        expect(page.locator("main")).to_contain_text(CEREMONY_SEED)
        commands.append(page.locator("main pre code").inner_text().strip())
        _shot(page, reader, "audit")
    assert commands[0] == commands[1] == data["command"]
    assert len(set(data["probabilities"].values())) > 1, "the targets make some people likelier to be selected"
    words = shlex.split(commands[0])
    assert words[:4] == ["coproduce", "select", "targets.csv", "pool.csv"], words
    targets, pool = tmp_path / "targets.csv", tmp_path / "pool.csv"
    targets.write_bytes(page.request.get(data["targets"]).body())
    pool.write_bytes(page.request.get(data["pool"]).body())
    assert RESIDENT_NAME not in pool.read_text() and code.replace("-", "") not in pool.read_text()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["select", str(targets), str(pool), *words[4:]]) == 0
    report = json.loads(out.getvalue())
    assert sorted(report["panel"]) == sorted(data["panel"]) == sorted(selected)
    assert report["min_probability"] == pytest.approx(data["min_probability"], abs=1e-9)

    # --- A member drops out: recorded, and replaced from the reserves keeping every target ---------------
    gone = panel.registrants.filter(status=RegistrantStatus.SELECTED).order_by("public_id").first()
    you.goto(base + you.path(f"/panels/{pk}/manage/"))
    you.follow(f"main a[href$='/panels/{pk}/manage/members/']")
    you.heading("Members")
    you.submit(f"main form:has(input[name=registrant][value='{gone.pk}']):has(input[name=action][value=decline])")
    you.banner("%(name)s is recorded as declining. Replace them from the reserves.", name=gone.name)
    you.sees_n(*ON_THE_PANEL, SIZE - 1)
    gone.refresh_from_db()
    assert gone.status == RegistrantStatus.DECLINED
    you.submit(f"main form:has(input[name=registrant][value='{gone.pk}']):has(input[name=action][value=replace])")
    (replacement,) = panel.registrants.filter(replaced=gone)
    you.banner(
        "%(name)s is replaced by %(replacements)s, from the reserves. They are being invited.",
        name=gone.name,
        replacements=f"{replacement.name} ({replacement.public_id})",
    )
    you.sees_n(*ON_THE_PANEL, SIZE)
    you.sees("The panel meets every target.")
    expect(page.locator("main .govuk-warning-text")).to_have_count(0)
    row = page.locator("#members tbody tr").filter(has=page.locator("th", has_text=replacement.public_id))
    expect(row).to_contain_text(you.says("Replaces %(name)s (%(id)s)", name=gone.name, id=gone.public_id))
    _shot(page, lang, "members-replaced")
    assert replacement.status == RegistrantStatus.REPLACEMENT
    met = _met(panel)
    assert met and all(met.values()), met
