"""A consultation in the browser, from an empty survey to "you said, we did", in English and in Welsh (issue 20).

Kingsmere council's officer (with an authenticator) creates a consultation about Elmwood's library,
asking two equality questions, and builds its survey: a first page with a required choice question
("Do you use the library?") and a written answer, and a second page whose only question ("Which
opening hours suit you?") is shown only to people who answered "Yes". The officer checks both pages
in the preview (the second says when it is shown) and publishes the consultation.

A resident without an account answers it (in Welsh in the Welsh run): "Yes" and a written answer,
then "Save and come back later"; the emailed link is opened in a fresh browser (no cookies), where
the answers are waiting; the conditional question appears because of the "Yes"; she finishes with
equality answers and her email, asks to hear what was decided, and gets her copy of the answers by
email. A second resident answers "No": the conditional page is skipped and never shown.

The officer enters a paper response, adds two themes and tags the written answers with them, and
sees the counts. The officer is not offered the group filter on the results and is refused the
equality page; the council's equalities officer sees the aggregate, a small group suppressed, on
the demo's co-operative council consultation (300 responses) and on this one (every group small).
The calendar is moved past the closing date (the clock is the test's to pass), and the officer
writes "you said, we did", says how each theme was considered and publishes it: the respondents who
asked are emailed.

Links and fields are found by ``href``, ``name`` and value (the same in both languages); what a
person reads is asserted through the catalogue (``says``, reading the catalogue as it stands, as the
meeting journey does: until the Welsh pass a Welsh page shows a new string in English). ``check_page``
runs after every page: no HTTP or script error (a refusal's 403 is expected and asserted where it is
the answer), ``<html lang>`` right, and no axe WCAG 2.2 AA violation.

Set ``JOURNEY_SHOTS`` to a folder to keep a screenshot of each main page (for reading them, not
for the test).
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from coproduce.consultations.models import (
    AnswerTag,
    Channel,
    Consultation,
    EqualityAnswer,
    Option,
    Question,
    Response,
    ResponseState,
    Theme,
)
from coproduce.core import equality as bank
from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.core.models import Place, PlaceKind

from .conftest import TIMEOUT_MS, PageProblems, check_page
from .test_join_journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCIL = "kingsmere-council"
OFFICER_EMAIL = "officer@example.org"
EQUALITIES_EMAIL = "equalities@example.org"
RESIDENT_EMAIL = "eira@example.org"
PAPER_EMAIL = "paper.writer@example.org"
TITLE = "Elmwood library: opening hours"
TITLE_CY = "Llyfrgell Elmwood: oriau agor"
SUMMARY = "The library could open later on weekdays and on Sunday mornings. Tell us what suits you."
SUMMARY_CY = "Gallai'r llyfrgell agor yn hwyrach ar ddyddiau'r wythnos ac ar fore Sul. Dywedwch wrthym beth sy'n addas."
USES = ("Do you use Elmwood library?", "Ydych chi'n defnyddio llyfrgell Elmwood?")
USES_OPTIONS = (("Yes", "Ydw"), ("No", "Nac ydw"))
CHANGE = ("What would you change about the library?", "Beth fyddech chi'n ei newid am y llyfrgell?")
HOURS = ("Which opening hours suit you best?", "Pa oriau agor sydd orau i chi?")
HOURS_OPTIONS = (("Mornings", "Boreau"), ("Evenings", "Gyda'r nos"), ("Weekends", "Penwythnosau"))
PAGE_ONE = ("About you and the library", "Amdanoch chi a'r llyfrgell")
PAGE_TWO = ("Opening hours", "Oriau agor")
WRITTEN = "Open until eight in the evening, so that I can come after work."
PAPER_WRITTEN = "More books for children, and a quiet room for homework."
THEMES = (("Later opening", "Agor yn hwyrach"), ("Children and young people", "Plant a phobl ifanc"))
SAID = "Most people who use the library asked for it to open later on weekdays."
DECISION = "From April the library opens until 8pm on Tuesdays and Thursdays."
EQUALITY_KEYS = ("age_band", "disability")
SHOTS = os.environ.get("JOURNEY_SHOTS")


class ConsultationJourney(Journey):
    """A ``Journey`` reading the consultations' words through the catalogue as it stands.

    The Welsh catalogue of the consultations' strings is made centrally later (``coproduce/core/tests/
    test_i18n.py`` fails on a string left untranslated); until a string is translated the Welsh page
    shows it in English, and this journey expects it there, so it passes before and after the pass.
    """

    def says(self, msgid: str, **params) -> str:
        with translation.override(self.lang):
            text = translation.gettext(msgid)
        return text % params if params else text


def _shot(page: Page, lang: str, name: str) -> None:
    """Keep a screenshot of the page when ``JOURNEY_SHOTS`` names a folder (for people to read)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"consultation-{lang}-{name}.png"), full_page=True)


def _in(lang: str, text) -> str:
    """A lazy label (an equality category's) as it reads in ``lang``."""
    with translation.override(lang):
        return str(text)


def _pick(pair: tuple[str, str], lang: str) -> str:
    """The English or the Welsh of a (English, Welsh) pair."""
    return pair[1] if lang == "cy" else pair[0]


def messages_to(address: str) -> list:
    # ``mail.outbox`` is replaced between tests, so always read it through the module.
    return [message for message in mail.outbox if address in message.to]


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


def _press(you: Journey, msgid: str, **params) -> None:
    """Press the main content's button whose words are ``msgid`` in the journey's language."""
    with you.page.expect_navigation():
        you.page.locator("main").get_by_role("button", name=you.says(msgid, **params), exact=True).click()
    check_page(you.page, lang=you.lang)


def _refused(you: Journey, url: str) -> None:
    """Open a page whose answer is a refusal (403), and check it as any other page."""
    response = you.page.goto(url)
    assert response is not None and response.status == 403, f"{url}: {response and response.status}"
    problems = you.page.problems.take()  # type: ignore[attr-defined]
    expected = [
        f"HTTP error: 403 GET {response.url}",
        "browser console error: Failed to load resource: the server responded with a status of 403 (Forbidden)",
    ]
    assert problems == expected, problems
    check_page(you.page, lang=you.lang)


def _officer_signs_in(you: Journey, email: str = OFFICER_EMAIL) -> None:
    cache.clear()  # the demo's officers share one TOTP secret, and a code is accepted only once
    you.signs_in(email, DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)


def _add_question(you: Journey, *, kind: str, text: tuple[str, str], options=(), required=False, shown_if=None):
    page = you.page
    form = "main form:has(input[name=action][value=question])"
    page.select_option(f"{form} select[name=question-kind]", kind)
    page.fill(f"{form} [name=question-text]", text[0])
    page.fill(f"{form} [name=question-text_cy]", text[1])
    if required:
        page.check(f"{form} input[name=question-required]")
    if options:
        page.fill(f"{form} textarea[name=question-options]", "\n".join(en for en, _cy in options))
        page.fill(f"{form} textarea[name=question-options_cy]", "\n".join(cy for _en, cy in options))
    if shown_if is not None:
        page.select_option(f"{form} select[name=question-shown_if]", str(shown_if.pk))
    you.submit(form)
    you.banner("You added the question “%(text)s”.", text=text[0])


def _fill_moment(page: Page, name: str, moment: datetime.datetime) -> None:
    local = timezone.localtime(moment)
    page.fill(f"input[name={name}_day]", str(local.day))
    page.fill(f"input[name={name}_month]", str(local.month))
    page.fill(f"input[name={name}_year]", str(local.year))
    page.fill(f"input[name={name}_time]", local.strftime("%H:%M"))


def _officer_builds_and_publishes(you: Journey, base: str) -> Consultation:
    """Create the consultation, build its two pages (the second conditional), preview, publish."""
    page, lang = you.page, you.lang
    elmwood = Place.objects.get(kind=PlaceKind.WARD, name="Elmwood")
    you.goto(base + you.path(f"/consultations/manage/{COUNCIL}/"))
    you.follow(f"main a[href$='/consultations/manage/{COUNCIL}/new/']")
    you.heading("Create a consultation")
    you.submit()  # nothing filled in: the errors are on the page, and axe checks them too
    assert page.title().startswith(you.says("Error:")), page.title()
    expect(page.locator(".govuk-error-summary")).to_contain_text(you.says("Enter the consultation's title"))
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=title_cy]", TITLE_CY)
    page.fill("textarea[name=summary]", SUMMARY)
    page.fill("textarea[name=summary_cy]", SUMMARY_CY)
    page.select_option("select[name=place]", str(elmwood.pk))
    now = timezone.now()
    _fill_moment(page, "opens_at", now - datetime.timedelta(hours=1))
    _fill_moment(page, "closes_at", now + datetime.timedelta(days=30))
    page.check("input[name=audience][value=anyone]")
    for key in EQUALITY_KEYS:
        page.check(f"input[name=equality_questions][value={key}]")
    _shot(page, lang, "create")
    you.submit()
    you.banner("You created the consultation. Add its documents and build its survey, then publish it.")
    consultation = Consultation.objects.get(title=TITLE)
    assert consultation.title_cy == TITLE_CY and consultation.place == elmwood
    assert list(consultation.equality_questions) == list(EQUALITY_KEYS)
    pk = consultation.pk
    you.sees("Build the survey: add a page and its questions. Then publish the consultation.")

    # --- The survey: page one, a required choice and a written answer ---------------------------------
    you.follow(f"main a[href$='/consultations/{pk}/manage/survey/']")
    add_page = "main form:has(input[name=action][value=add_page])"
    page.fill(f"{add_page} input[name=page-title]", PAGE_ONE[0])
    page.fill(f"{add_page} input[name=page-title_cy]", PAGE_ONE[1])
    you.submit(add_page)
    you.banner("You added the page “%(title)s”. Now add its questions.", title=PAGE_ONE[0])
    _add_question(you, kind="single", text=USES, options=USES_OPTIONS, required=True)
    _add_question(you, kind="long_text", text=CHANGE)
    uses = Question.objects.get(page__version__consultation=consultation, text=USES[0])
    yes = uses.options.get(label="Yes")

    # --- Page two: a question shown only to those who use the library ---------------------------------
    you.follow(f"main a[href$='/consultations/{pk}/manage/survey/']")
    page.fill(f"{add_page} input[name=page-title]", PAGE_TWO[0])
    page.fill(f"{add_page} input[name=page-title_cy]", PAGE_TWO[1])
    you.submit(add_page)
    you.banner("You added the page “%(title)s”. Now add its questions.", title=PAGE_TWO[0])
    _add_question(you, kind="single", text=HOURS, options=HOURS_OPTIONS, shown_if=yes)
    hours = Question.objects.get(page__version__consultation=consultation, text=HOURS[0])
    assert hours.shown_if == yes and hours.page.order > uses.page.order
    _shot(page, lang, "survey-page")

    # --- The preview: each page as residents see it, the condition said in words ----------------------
    you.follow(f"main a[href$='/consultations/{pk}/manage/survey/']")
    you.sees(_pick(USES, lang))
    _shot(page, lang, "survey")
    you.follow(f"main a[href$='/consultations/{pk}/manage/survey/preview/1/']")
    expect(page.locator(f"main input[name=q{uses.pk}]")).to_have_count(2)
    expect(page.locator(f"main input[name=q{hours.pk}]")).to_have_count(0)
    you.submit()  # nothing answered: the required question says so, and nothing is saved
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    you.follow(f"main a[href$='/consultations/{pk}/manage/survey/preview/2/']")
    you.sees(
        "Shown only to people who answered “%(option)s” to “%(question)s”.",
        option=_pick(USES_OPTIONS[0], lang),
        question=_pick(USES, lang),
    )
    expect(page.locator(f"main input[name=q{hours.pk}]")).to_have_count(3)
    _shot(page, lang, "preview")
    assert not Response.objects.filter(consultation=consultation).exists()

    # --- Publish -------------------------------------------------------------------------------------
    you.goto(base + you.path(f"/consultations/{pk}/manage/"))
    you.sees("Check the consultation, its documents and a preview of its survey, then publish it.")
    you.submit("main form:has(input[name=action][value=publish])")
    you.banner("You published the consultation. Residents can now see it.")
    consultation.refresh_from_db()
    assert consultation.status() == "open"
    _shot(page, lang, "overview")
    return consultation


def _resident_answers_saves_and_returns(browser, live_server, consultation: Consultation, lang: str) -> Response:
    """Without an account: Yes and a written answer, saved; back by the emailed link in another browser;
    the conditional question shown; equality answers, a copy by email, and "tell me what was decided"."""
    base, pk = live_server.url, consultation.pk
    uses = Question.objects.get(page__version__consultation=consultation, text=USES[0])
    change = Question.objects.get(page__version__consultation=consultation, text=CHANGE[0])
    hours = Question.objects.get(page__version__consultation=consultation, text=HOURS[0])
    yes = uses.options.get(label="Yes")
    evenings = hours.options.get(label="Evenings")

    with fresh_tab(browser, live_server, lang) as tab:
        you = ConsultationJourney(tab, lang)
        you.goto(base + you.path("/consultations/"))
        you.follow(f"main a[href$='/consultations/{pk}/']")
        expect(tab.locator("main h1")).to_have_text(_pick((TITLE, TITLE_CY), lang))
        expect(tab.locator("main")).to_contain_text(_pick((SUMMARY, SUMMARY_CY), lang))
        _shot(tab, lang, "detail")
        you.follow(f"main a[href$='/consultations/{pk}/respond/']")
        you.heading("Respond to the consultation")
        _shot(tab, lang, "start")
        you.submit()
        expect(tab.locator("main h1")).to_have_text(_pick(PAGE_ONE, lang))
        expect(tab.locator("main")).to_contain_text(_pick(USES, lang))
        expect(tab.locator("main")).not_to_contain_text(_pick(HOURS, lang))
        tab.check(f"input[name=q{uses.pk}][value='{yes.pk}']")
        tab.fill(f"textarea[name=q{change.pk}]", WRITTEN)
        _shot(tab, lang, "page-1")
        _press(you, "Save and come back later")
        you.heading("Your answers are saved")
        tab.fill("input[name=email]", RESIDENT_EMAIL)
        you.submit()
        _shot(tab, lang, "saved")

    (saved,) = messages_to(RESIDENT_EMAIL)
    link = re.search(r"https?://\S+/respond/resume/\S+/", saved.body)
    assert link, f"no link to come back in:\n{saved.body}"
    assert ("/cy/consultations/" in link.group()) == (lang == "cy"), "the link opens in the language answered in"
    assert _pick((TITLE, TITLE_CY), lang) in saved.subject

    # --- Back by the link, in a browser that has never seen the response ---------------------------------
    with fresh_tab(browser, live_server, lang) as tab:
        you = ConsultationJourney(tab, lang)
        you.goto(link.group())
        you.banner("Welcome back: your answers were saved. Carry on where you left off.")
        expect(tab.locator(f"input[name=q{uses.pk}][value='{yes.pk}']")).to_be_checked()
        expect(tab.locator(f"textarea[name=q{change.pk}]")).to_have_value(WRITTEN)
        _press(you, "Continue")
        # "Yes": the page of the question shown only to library users comes next.
        assert tab.url.endswith(f"/consultations/{pk}/respond/2/"), tab.url
        expect(tab.locator("main h1")).to_have_text(_pick(PAGE_TWO, lang))
        expect(tab.locator("main")).to_contain_text(_pick(HOURS, lang))
        tab.check(f"input[name=q{hours.pk}][value='{evenings.pk}']")
        _shot(tab, lang, "page-2")
        _press(you, "Continue")
        you.heading("Check your answers and send them")
        main = tab.locator("main")
        for text in (_pick(USES_OPTIONS[0], lang), WRITTEN, _pick(HOURS_OPTIONS[1], lang)):
            expect(main).to_contain_text(text)
        age = bank.question("age_band")
        tab.check("input[name=equality_age_band][value='25_34']")
        tab.check(f"input[name=equality_disability][value='{bank.PREFER_NOT_TO_SAY}']")
        tab.fill("input[name=email]", RESIDENT_EMAIL)
        tab.check("input[name=wants_feedback]")
        _shot(tab, lang, "finish")
        _press(you, "Send your response")
        expect(main).to_contain_text(you.says("What happens next"))
        _shot(tab, lang, "done")

    response = Response.objects.get(consultation=consultation, email=RESIDENT_EMAIL)
    assert response.state == ResponseState.SUBMITTED and response.wants_feedback and response.person is None
    assert response.answers.get(question=hours).option == evenings
    # Equality answers are kept in their own table, and only those given.
    given = dict(EqualityAnswer.objects.filter(response=response).values_list("question", "category"))
    assert given == {"age_band": "25_34", "disability": bank.PREFER_NOT_TO_SAY}

    # --- The copy of the answers, by email, in the language answered in --------------------------------------
    copies = [m for m in messages_to(RESIDENT_EMAIL) if m is not saved]
    (copy,) = copies
    with translation.override(lang):
        assert translation.gettext("Your response to %(title)s") % {"title": _pick((TITLE, TITLE_CY), lang)} in (
            copy.subject
        )
    for text in (
        _pick(USES, lang),
        _pick(USES_OPTIONS[0], lang),
        _pick(CHANGE, lang),
        WRITTEN,
        _pick(HOURS, lang),
        _pick(HOURS_OPTIONS[1], lang),
    ):
        assert text in copy.body, f"{text!r} is not in the copy:\n{copy.body}"
    assert _in(lang, age.label) not in copy.body, "equality answers are not part of the copy"
    return response


def _another_resident_says_no(browser, live_server, consultation: Consultation, lang: str) -> Response:
    """A "No": the page of the conditional question is skipped, straight to checking the answers."""
    base, pk = live_server.url, consultation.pk
    uses = Question.objects.get(page__version__consultation=consultation, text=USES[0])
    no = uses.options.get(label="No")
    before = set(Response.objects.filter(consultation=consultation).values_list("pk", flat=True))
    with fresh_tab(browser, live_server, lang) as tab:
        you = ConsultationJourney(tab, lang)
        you.goto(base + you.path(f"/consultations/{pk}/respond/"))
        you.submit()
        tab.check(f"input[name=q{uses.pk}][value='{no.pk}']")
        _press(you, "Continue")
        assert tab.url.endswith(f"/consultations/{pk}/respond/finish/"), tab.url
        you.heading("Check your answers and send them")
        expect(tab.locator("main")).not_to_contain_text(_pick(HOURS, lang))
        expect(tab.locator("main")).to_contain_text(_pick(USES_OPTIONS[1], lang))
        # Typing the address of the skipped page does not show the question either.
        you.goto(base + you.path(f"/consultations/{pk}/respond/2/"))
        assert tab.url.endswith(f"/consultations/{pk}/respond/finish/"), tab.url
        _press(you, "Send your response")
    (response,) = Response.objects.filter(consultation=consultation).exclude(pk__in=before)
    assert response.state == ResponseState.SUBMITTED
    assert not response.answers.filter(question__text=HOURS[0]).exists()
    return response


def _officer_enters_paper_and_tags(you: Journey, base: str, consultation: Consultation) -> None:
    page, lang, pk = you.page, you.lang, consultation.pk
    uses = Question.objects.get(page__version__consultation=consultation, text=USES[0])
    change = Question.objects.get(page__version__consultation=consultation, text=CHANGE[0])
    hours = Question.objects.get(page__version__consultation=consultation, text=HOURS[0])

    # --- A paper response, entered page by page --------------------------------------------------------
    you.goto(base + you.path(f"/consultations/{pk}/manage/"))
    you.follow(f"main a[href$='/consultations/{pk}/manage/paper/']")
    you.heading("Paper responses")
    you.sees("No paper responses have been entered yet.")
    page.fill("input[name=paper_reference]", "LIB-001")
    you.submit()
    page.check(f"input[name=q{uses.pk}][value='{uses.options.get(label='Yes').pk}']")
    page.fill(f"textarea[name=q{change.pk}]", PAPER_WRITTEN)
    _shot(page, lang, "paper-page")
    _press(you, "Save and continue")
    page.check(f"input[name=q{hours.pk}][value='{hours.options.get(label='Weekends').pk}']")
    _press(you, "Save and continue")
    you.heading("Finish paper response %(number)s", number=Response.objects.get(paper_reference="LIB-001").pk)
    page.fill("input[name=email]", PAPER_EMAIL)
    page.check("input[name=wants_feedback]")
    _press(you, "Send the paper response")
    you.banner("The paper response is entered. Enter the next one.")
    expect(page.locator("main table")).to_contain_text("LIB-001")
    _shot(page, lang, "paper")
    paper = Response.objects.get(paper_reference="LIB-001")
    assert paper.channel == Channel.PAPER and paper.state == ResponseState.SUBMITTED
    assert paper.entered_by.email == OFFICER_EMAIL

    # --- Themes, and the written answers tagged with them ------------------------------------------------
    you.goto(base + you.path(f"/consultations/{pk}/manage/themes/"))
    you.sees("There are no themes yet.")
    add = "main form:has(input[name=action][value=add])"
    for name, name_cy in THEMES:
        page.fill(f"{add} input[name=new-name]", name)
        page.fill(f"{add} input[name=new-name_cy]", name_cy)
        you.submit(add)
        you.banner("You added the theme “%(name)s”.", name=name)
    later, children = (Theme.objects.get(consultation=consultation, name=name) for name, _cy in THEMES)
    you.follow(f"main a[href$='/consultations/{pk}/manage/themes/answers/?untagged=1']")
    you.heading("Tag the written answers")
    written = {WRITTEN: later, PAPER_WRITTEN: children}
    for text, theme in written.items():
        answer = change.answers.get(text=text)
        form = f"main form:has(input[name=answer][value='{answer.pk}'])"
        expect(page.locator(form)).to_have_count(1)
        page.check(f"{form} input[name=themes][value='{theme.pk}']")
        you.submit(form)
        you.banner("You saved the themes of the answer.")
    _shot(page, lang, "tagging")
    you.sees("No written answers match.")  # none left untagged
    assert set(AnswerTag.objects.filter(theme__consultation=consultation).values_list("answer__text", "theme")) == {
        (WRITTEN, later.pk),
        (PAPER_WRITTEN, children.pk),
    }
    you.goto(base + you.path(f"/consultations/{pk}/manage/themes/"))
    for theme in (later, children):
        row = page.locator("main table tbody tr").filter(has_text=theme.name)
        expect(row).to_have_count(1)
        expect(row.locator("td.govuk-table__cell--numeric")).to_have_text("1")
    _shot(page, lang, "themes")

    # --- Results: the officer sees them, without the group filter; the equality page is not theirs --------
    you.goto(base + you.path(f"/consultations/{pk}/manage/results/"))
    you.heading("Results")
    expect(page.locator("main select[name=ward]")).to_have_count(1)
    expect(page.locator("main select[name=group]")).to_have_count(0)
    expect(page.locator(f"main a[href$='/consultations/{pk}/manage/equality/']")).to_have_count(0)
    _shot(page, lang, "results")
    _refused(you, base + you.path(f"/consultations/{pk}/manage/equality/"))
    expect(page.locator("main")).not_to_contain_text(you.says("Who responded"))
    cooperative = Consultation.objects.get(title="Becoming a co-operative council")
    _refused(you, base + you.path(f"/consultations/{cooperative.pk}/manage/equality/"))
    # Asking for a group by hand changes nothing: the results are everyone's.
    you.goto(base + you.path(f"/consultations/{cooperative.pk}/manage/results/?group=age_band:25_34"))
    expect(page.locator("main select[name=group]")).to_have_count(0)


def _equalities_officer_sees_the_aggregate(you: Journey, base: str, consultation: Consultation) -> None:
    page, lang = you.page, you.lang
    threshold = you.says("fewer than %(num)s", num=bank.SUPPRESS_BELOW)
    cooperative = Consultation.objects.get(title="Becoming a co-operative council")
    _officer_signs_in(you, EQUALITIES_EMAIL)
    you.goto(base + you.path(f"/consultations/{cooperative.pk}/manage/equality/"))
    you.heading("Equality monitoring")
    you.sees("Who responded")
    tables = page.locator("main table")
    assert tables.count() >= 1
    cells = page.locator("main table td.govuk-table__cell--numeric")
    texts = [text.strip() for text in cells.all_inner_texts()]
    assert threshold in texts, f"no suppressed group in {texts}"
    assert any(text.replace(",", "").isdigit() and int(text.replace(",", "")) >= bank.SUPPRESS_BELOW for text in texts)
    small = [text for text in texts if text.isdigit() and 0 < int(text) < bank.SUPPRESS_BELOW]
    assert not small, f"groups smaller than {bank.SUPPRESS_BELOW} shown: {small}"
    _shot(page, lang, "equality-cooperative")
    # The results can be read by group.
    you.goto(base + you.path(f"/consultations/{cooperative.pk}/manage/results/"))
    expect(page.locator("main select[name=group]")).to_have_count(1)
    # This consultation's two online answers and the paper one: every group is too small to show.
    you.goto(base + you.path(f"/consultations/{consultation.pk}/manage/equality/"))
    rows = page.locator("main table").first.locator("tbody tr")
    assert rows.count() >= 1
    for text in page.locator("main table").first.locator("tbody td.govuk-table__cell--numeric").all_inner_texts():
        assert text.strip() in (threshold, "0"), text
    _shot(page, lang, "equality")
    you.signs_out()


def _officer_publishes_you_said_we_did(you: Journey, base: str, consultation: Consultation) -> None:
    page, lang, pk = you.page, you.lang, consultation.pk
    you.goto(base + you.path(f"/consultations/{pk}/manage/you-said-we-did/"))
    you.heading("You said, we did")
    you.sees("You can publish it once the consultation has closed.")

    # --- Time passes: the closing date goes by (dates moved by hand) --------------------------------------
    now = timezone.now()
    Consultation.objects.filter(pk=pk).update(
        opens_at=now - datetime.timedelta(days=40), closes_at=now - datetime.timedelta(minutes=1)
    )
    consultation.refresh_from_db()
    assert consultation.status() == "closed"
    you.goto(base + you.path(f"/consultations/{pk}/manage/you-said-we-did/"))
    page.fill("textarea[name=said]", SAID)
    page.fill("textarea[name=decision]", DECISION)
    for theme in Theme.objects.filter(consultation=consultation):
        page.fill(f"textarea[name=considered_{theme.pk}]", f"We read every answer about {theme.name.lower()}.")
    you.submit("main form:has(input[name=action][value=save])")
    you.banner("You saved “You said, we did”. Publish it when it is ready.")
    before = len(mail.outbox)
    publish = "main form:has(input[name=action][value=publish])"
    you.submit(publish)  # not confirmed: refused, with the error on the page
    expect(page.locator(".govuk-error-summary")).to_contain_text(you.says("Tick the box to confirm"))
    page.check(f"{publish} input[name=publish-confirm]")
    _shot(page, lang, "feedback-edit")
    you.submit(publish)
    you.banner("You published “You said, we did”. The respondents who asked to hear are being emailed.")
    consultation.refresh_from_db()
    assert consultation.feedback_published_at is not None

    # --- The respondents who asked are emailed, once each, in their language -----------------------------------
    sent = mail.outbox[before:]
    assert sorted(address for message in sent for address in message.to) == sorted([RESIDENT_EMAIL, PAPER_EMAIL])
    (to_resident,) = [message for message in sent if RESIDENT_EMAIL in message.to]
    with translation.override(lang):
        subject = translation.gettext("What was decided: %(title)s") % {"title": _pick((TITLE, TITLE_CY), lang)}
    assert to_resident.subject.endswith(subject) or subject in to_resident.subject, to_resident.subject
    assert DECISION in to_resident.body and SAID in to_resident.body
    assert f"/consultations/{pk}/you-said-we-did/" in to_resident.body

    # --- Anyone reads it; nobody signed out reaches the equality page ---------------------------------------------
    you.signs_out()
    you.goto(base + you.path(f"/consultations/{pk}/manage/equality/"))
    assert "/accounts/login/" in page.url, page.url
    expect(page.locator("main")).not_to_contain_text(you.says("Who responded"))
    you.goto(base + you.path(f"/consultations/{pk}/"))
    you.follow(f"main a[href$='/consultations/{pk}/you-said-we-did/']")
    expect(page.locator("main")).to_contain_text(DECISION)
    for theme in Theme.objects.filter(consultation=consultation):
        expect(page.locator("main")).to_contain_text(theme.localised("name", lang))
    _shot(page, lang, "feedback")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_survey_with_condition_answered_without_account_paper_themes_equality_and_feedback(
    page: Page, browser: Browser, live_server, borough, lang: str
):
    page.set_default_timeout(TIMEOUT_MS)
    base = live_server.url
    you = ConsultationJourney(page, lang)
    page.goto(base + you.path("/"))

    _officer_signs_in(you)
    consultation = _officer_builds_and_publishes(you, base)
    you.signs_out()

    _resident_answers_saves_and_returns(browser, live_server, consultation, lang)
    _another_resident_says_no(browser, live_server, consultation, lang)

    _officer_signs_in(you)
    _officer_enters_paper_and_tags(you, base, consultation)
    you.signs_out()

    _equalities_officer_sees_the_aggregate(you, base, consultation)

    _officer_signs_in(you)
    _officer_publishes_you_said_we_did(you, base, consultation)
    assert Option.objects.filter(question__page__version__consultation=consultation).count() == 5
