"""Residents' pages of consultations: the list and its filters, a consultation with everything a
resident needs, its documents and calendar, the results once closed (charts and tables), the
published responses (redacted text only) and "you said, we did"; Welsh; garbage never a 500."""

from __future__ import annotations

import pytest
from django.utils import timezone
from icalendar import Calendar

from coproduce.consultations.models import Answer, QuestionKind, Stage, SurveyVersion
from coproduce.consultations.tests.factories import (
    ConsultationFactory,
    DocumentFactory,
    EventFactory,
    PageFactory,
    QuestionFactory,
    RegistrationFactory,
    ResponseFactory,
    ThemeFactory,
    current_version,
)
from coproduce.core.models import PlaceKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, RoleFactory, UserFactory, sign_in_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    council_area = PlaceFactory(name="Kingsmere", kind=PlaceKind.COUNCIL_AREA)
    ward = PlaceFactory(name="Elmwood", name_cy="Coed Llwyf", parent=council_area)
    other = PlaceFactory(name="Riverside", parent=council_area)
    return council_area, ward, other


def test_the_list_filters_by_status_and_ward(client, borough):
    council_area, ward, other = borough
    wide = ConsultationFactory(title="Borough-wide plan", place=council_area)
    local = ConsultationFactory(title="Elmwood park", title_cy="Parc Coed Llwyf", place=ward)
    elsewhere = ConsultationFactory(title="Riverside bridge", place=other, closed=True)
    ConsultationFactory(title="Secret draft", draft=True)
    ConsultationFactory(title="Hidden org", organisation=OrganisationFactory(is_public=False))
    page = client.get("/consultations/").content.decode()
    for title in (wide.title, local.title, elsewhere.title):
        assert title in page
    assert "Secret draft" not in page and "Hidden org" not in page
    assert "Respond by" in page and "Closed on" in page
    in_elmwood = client.get("/consultations/", {"place": ward.code}).content.decode()
    assert "Borough-wide plan" in in_elmwood and "Elmwood park" in in_elmwood and "Riverside bridge" not in in_elmwood
    closed = client.get("/consultations/", {"status": "closed"}).content.decode()
    assert "Riverside bridge" in closed and "Elmwood park" not in closed
    # A bad filter is ignored, never an error page.
    assert client.get("/consultations/", {"status": "<script>", "place": "x" * 500, "page": "²"}).status_code == 200
    welsh = client.get("/cy/consultations/").content.decode()
    assert "Parc Coed Llwyf" in welsh


def test_the_list_takes_the_same_number_of_queries_however_many_there_are(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ConsultationFactory()
    with CaptureQueriesContext(connection) as one:
        client.get("/consultations/")
    for _n in range(5):
        ConsultationFactory()
    with CaptureQueriesContext(connection) as six:
        client.get("/consultations/")
    assert len(six) == len(one)


def test_the_consultation_page_shows_what_a_resident_needs(client, borough):
    _area, ward, _other = borough
    consultation = ConsultationFactory(
        place=ward,
        title="Elmwood park",
        summary="We propose a new play area.",
        audience_text="Everyone who lives or works in Elmwood",
    )
    document = DocumentFactory(consultation=consultation, title="The proposal", summary="Plain words about the plan.")
    event = EventFactory(consultation=consultation, title="Drop-in at the library", capacity=2)
    RegistrationFactory(event=event)
    SurveyVersion.objects.create(consultation=consultation, number=2, note="We added a question about toilets.")
    page = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "We propose a new play area." in page and "Everyone who lives or works in Elmwood" in page
    assert f'href="/consultations/{consultation.pk}/respond/"' in page
    assert f'href="/consultations/{consultation.pk}/documents/{document.pk}/"' in page
    assert "Plain words about the plan." in page
    assert "Drop-in at the library" in page and "Step-free entrance" in page and "1 place left" in page
    assert f'href="/consultations/{consultation.pk}/events.ics"' in page
    assert "We added a question about toilets." in page
    assert "See the results" not in page


def test_a_closed_consultation_links_its_results_and_feedback(client):
    closed = ConsultationFactory(closed=True)
    page = client.get(f"/consultations/{closed.pk}/").content.decode()
    assert f'href="/consultations/{closed.pk}/results/"' in page and "you-said-we-did" not in page
    decided = ConsultationFactory(closed=True, stage=Stage.FEEDBACK, decision="We will build it.")
    page = client.get(f"/consultations/{decided.pk}/").content.decode()
    assert f'href="/consultations/{decided.pk}/you-said-we-did/"' in page and "We will build it." in page


def test_a_draft_is_seen_only_by_those_who_run_it(client):
    draft = ConsultationFactory(draft=True)
    assert client.get(f"/consultations/{draft.pk}/").status_code == 404
    officer = UserFactory()
    RoleFactory(person=officer, organisation=draft.organisation, kind="officer")
    sign_in_with_mfa(client, officer)
    page = client.get(f"/consultations/{draft.pk}/")
    assert page.status_code == 200 and "being prepared" in page.content.decode()


def test_the_document_downloads_as_a_pdf(client, borough):
    document = DocumentFactory()
    response = client.get(f"/consultations/{document.consultation_id}/documents/{document.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    other = ConsultationFactory()
    assert client.get(f"/consultations/{other.pk}/documents/{document.pk}/").status_code == 404


def test_the_calendar_has_every_event(client):
    consultation = ConsultationFactory()
    EventFactory(consultation=consultation, title="Road show one")
    EventFactory(consultation=consultation, title="Road show two", cancelled_at=timezone.now())
    response = client.get(f"/consultations/{consultation.pk}/events.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert "Road show one" in str(events[0]["SUMMARY"]) and "Kingsmere Library" in str(events[0]["LOCATION"])
    assert str(events[1]["STATUS"]) == "CANCELLED"


def _answered(consultation):
    version = current_version(consultation)
    page = PageFactory(version=version)
    choice = QuestionFactory(page=page, kind=QuestionKind.SINGLE, text="Do you agree?", text_cy="Cytuno?")
    rating = QuestionFactory(page=page, kind=QuestionKind.RATING, text="How good?")
    matrix = QuestionFactory(page=page, kind=QuestionKind.MATRIX, text="Rate these", options=("Parks", "Roads"))
    ranking = QuestionFactory(page=page, kind=QuestionKind.RANKING, text="Rank these", options=("A", "B"))
    text = QuestionFactory(page=page, kind=QuestionKind.LONG_TEXT, text="Why?")
    yes = choice.options.get(label="Yes")
    parks = matrix.options.first()
    a = ranking.options.first()
    for n in range(3):
        response = ResponseFactory(consultation=consultation, publish_consent=True)
        Answer.objects.create(response=response, question=choice, option=yes)
        Answer.objects.create(response=response, question=rating, number=4)
        Answer.objects.create(response=response, question=matrix, option=parks, number=5)
        Answer.objects.create(response=response, question=ranking, option=a, rank=1)
        Answer.objects.create(response=response, question=text, text=f"My name is Secret {n}", public_text="[redacted]")
    return response


def test_results_are_shown_only_once_closed_with_charts_and_tables(client):
    open_one = ConsultationFactory()
    _answered(open_one)
    refused = client.get(f"/consultations/{open_one.pk}/results/")
    assert refused.status_code == 404 and "when the consultation closes" in refused.content.decode()
    closed = ConsultationFactory(closed=True)
    _answered(closed)
    page = client.get(f"/consultations/{closed.pk}/results/").content.decode()
    assert "3 people responded." in page
    assert page.count("<svg") == 4  # choice, rating, matrix, ranking
    assert "Do you agree?" in page and "<caption" in page and "Average rating" in page
    assert "Secret" not in page
    welsh = client.get(f"/cy/consultations/{closed.pk}/results/").content.decode()
    assert "Cytuno?" in welsh


def test_published_responses_show_only_the_redacted_text(client):
    consultation = ConsultationFactory(closed=True)
    last = _answered(consultation)
    page = client.get(f"/consultations/{consultation.pk}/responses/").content.decode()
    assert "No responses have been published." in page
    last.published_at = timezone.now()
    last.save()
    page = client.get(f"/consultations/{consultation.pk}/responses/").content.decode()
    assert "[redacted]" in page and "Secret" not in page and "Yes" in page


def test_you_said_we_did(client):
    waiting = ConsultationFactory(closed=True)
    assert client.get(f"/consultations/{waiting.pk}/you-said-we-did/").status_code == 404
    decided = ConsultationFactory(
        closed=True,
        stage=Stage.FEEDBACK,
        said="You wanted more trees.",
        said_cy="Roeddech eisiau mwy o goed.",
        decision="We will plant 50.",
        feedback_published_at=timezone.now(),
    )
    ThemeFactory(consultation=decided, name="Trees", considered="We doubled the trees.")
    ThemeFactory(consultation=decided, name="Not considered yet")
    page = client.get(f"/consultations/{decided.pk}/you-said-we-did/").content.decode()
    assert "You wanted more trees." in page and "We will plant 50." in page and "We doubled the trees." in page
    assert "Not considered yet" not in page
    assert (
        "Roeddech eisiau mwy o goed." in client.get(f"/cy/consultations/{decided.pk}/you-said-we-did/").content.decode()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/consultations/99999999/",
        "/consultations/99999999999999999999999/",
        "/consultations/{pk}/documents/99999/",
        "/consultations/{pk}/results/?page=x",
        "/consultations/{pk}/responses/?page=-1",
        "/consultations/{pk}/you-said-we-did/",
        "/consultations/{pk}/events.ics",
        "/consultations/?status=open&place=%00",
    ],
)
def test_garbage_is_never_a_500(client, path):
    consultation = ConsultationFactory()
    assert client.get(path.format(pk=consultation.pk)).status_code in (200, 404)


def test_the_consultation_page_in_welsh_shows_the_welsh_texts(client):
    consultation = ConsultationFactory(
        title="Park plan",
        title_cy="Cynllun parc",
        summary="A new park.",
        summary_cy="Parc newydd.",
        audience_text="Everyone",
        audience_text_cy="Pawb",
    )
    DocumentFactory(consultation=consultation, title="Proposal", title_cy="Cynnig", summary_cy="Crynodeb syml.")
    EventFactory(consultation=consultation, title="Forum", title_cy="Fforwm", access_cy="Mynediad heb risiau.")
    SurveyVersion.objects.create(consultation=consultation, number=2, note="Changed", note_cy="Newidiwyd")
    page = client.get(f"/cy/consultations/{consultation.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for words in (
        "Cynllun parc",
        "Parc newydd.",
        "Pawb",
        "Cynnig",
        "Crynodeb syml.",
        "Fforwm",
        "Mynediad heb risiau.",
        "Newidiwyd",
    ):
        assert words in html
    assert f'href="/cy/consultations/{consultation.pk}/respond/"' in html
    english = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "Park plan" in english and "Cynllun parc" not in english


def test_the_results_page_takes_the_same_number_of_queries_however_many_questions_and_responses(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = ConsultationFactory(closed=True), ConsultationFactory(closed=True)
    _answered(small)
    _answered(large)
    _answered(large)  # twice the questions, twice the responses
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/consultations/{small.pk}/results/").status_code == 200
    with CaptureQueriesContext(connection) as two:
        assert client.get(f"/consultations/{large.pk}/results/").status_code == 200
    assert len(two) == len(one)
