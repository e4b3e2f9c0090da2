"""Officers' results, themes and tagging, exports, equality monitoring and "you said, we did": each
question's chart and table filtered by ward; the group filter only for the equalities role (not even
offered to others); the equality page refused to everyone else, officers included; small groups shown
as "fewer than 10"; CSV and XLSX streamed without equality answers; garbage never a 500."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail

from coproduce.consultations.models import Answer, AnswerTag, QuestionKind, Stage, Theme
from coproduce.consultations.tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    EqualityAnswerFactory,
    PageFactory,
    QuestionFactory,
    ResponseFactory,
    ThemeFactory,
    current_version,
)
from coproduce.core.models import CensusFigure, Role, RoleKind
from coproduce.core.tests.factories import UserFactory, sign_in_with_mfa
from coproduce.core.tests.residents import CouncilFactory, ward_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def council():
    return CouncilFactory(slug="kingsmere")


@pytest.fixture
def wards(council):
    return (
        ward_in(council, name="Ashby Green", code="X05000001", kind="ward"),
        ward_in(council, name="Brookfield", code="X05000002", kind="ward"),
    )


def person_with(council, *kinds):
    person = UserFactory()
    for kind in kinds:
        Role.objects.create(person=person, organisation=council, kind=kind)
    return person


@pytest.fixture
def officer(client, council):
    person = person_with(council, RoleKind.OFFICER)
    sign_in_with_mfa(client, person)
    return person


@pytest.fixture
def survey(council, wards):
    """A consultation asking sex: 25 responses, 22 from Ashby Green and 3 from Brookfield, 13 agree;
    12 women, 10 men and 3 who preferred not to say (a small group)."""
    consultation = ConsultationFactory(
        organisation=council, place=council.area, equality_questions=["sex"], title="Parks"
    )
    version = current_version(consultation)
    page = PageFactory(version=version, order=0)
    agree = QuestionFactory(page=page, order=0, kind=QuestionKind.SINGLE, text="Do you agree?", key="agree")
    why = QuestionFactory(page=page, order=1, kind=QuestionKind.LONG_TEXT, text="Why?", key="why")
    yes, no = agree.options.get(label="Yes"), agree.options.get(label="No")
    responses = []
    for n in range(25):
        response = ResponseFactory(consultation=consultation, ward=wards[0] if n < 22 else wards[1])
        Answer.objects.create(response=response, question=agree, option=yes if n < 13 else no)
        Answer.objects.create(response=response, question=why, text=f"Answer number {n}")
        category = "female" if n < 12 else "male" if n < 22 else "prefer_not_to_say"
        EqualityAnswerFactory(response=response, question="sex", category=category)
        responses.append(response)
    return {"consultation": consultation, "agree": agree, "why": why, "responses": responses}


def manage(consultation, tail=""):
    return f"/consultations/{consultation.pk}/manage/{tail}"


def html_of(response) -> str:
    return response.content.decode()


# --- Results --------------------------------------------------------------------------------------------


def test_results_show_a_chart_and_a_table_per_question_and_filter_by_ward(client, officer, survey):
    consultation = survey["consultation"]
    html = html_of(client.get(manage(consultation, "results/")))
    assert "25 responses sent" in html
    assert "<svg" in html and "Do you agree?" in html
    assert ">13<" in html and "52.0%" in html
    # Officers are not even offered the group filter.
    assert 'name="group"' not in html
    html = html_of(client.get(manage(consultation, "results/?ward=X05000002")))
    assert "3 responses sent" in html
    # An unknown ward or a group typed by an officer is ignored, never a 500.
    assert "25 responses sent" in html_of(client.get(manage(consultation, "results/?ward=nowhere&group=sex:male")))


def test_the_equalities_role_filters_results_by_group_and_small_groups_are_refused(client, council, survey):
    consultation = survey["consultation"]
    sign_in_with_mfa(client, person_with(council, RoleKind.EQUALITIES))
    html = html_of(client.get(manage(consultation, "results/")))
    assert 'name="group"' in html and "sex:female" in html
    html = html_of(client.get(manage(consultation, "results/?group=sex:female")))
    assert "12 responses sent" in html
    assert "10 responses sent" in html_of(client.get(manage(consultation, "results/?group=sex:male")))
    small = html_of(client.get(manage(consultation, "results/?group=sex:prefer_not_to_say")))
    assert "Results for this group are not shown" in small and "govuk-error-summary" in small
    assert client.get(manage(consultation, "results/?group=:::")).status_code == 200


# --- Equality ---------------------------------------------------------------------------------------------


def test_only_the_equalities_role_sees_the_equality_page_with_small_groups_suppressed(client, council, survey, wards):
    consultation = survey["consultation"]
    for ward, female, male in ((wards[0], 500, 480), (wards[1], 300, 310)):
        CensusFigure.objects.create(place=ward, question="sex", category="female", count=female)
        CensusFigure.objects.create(place=ward, question="sex", category="male", count=male)
    url = manage(consultation, "equality/")
    # An officer of the council (even a secretary) is refused, and not offered the link.
    sign_in_with_mfa(client, person_with(council, RoleKind.OFFICER))
    assert client.get(url).status_code == 403
    assert url not in html_of(client.get(manage(consultation)))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    equalities = person_with(council, RoleKind.EQUALITIES)
    sign_in_with_mfa(client, equalities)
    html = html_of(client.get(url))
    assert "Who responded" in html and "Sex" in html
    assert "fewer than 10" in html  # 3 who preferred not to say, and the 10 men (a hidden group is never alone)
    assert ">12<" in html and ">10<" not in html and ">3<" not in html
    assert "Compared with the population" in html
    assert "800" in html and "790" in html and "50.3%" in html  # the census: 800 women of 1,590
    # The equalities role reads the results too, and the navigation offers only what they may see.
    assert 'href="' + manage(consultation, "results/") + '"' in html
    assert manage(consultation, "paper/") not in html
    assert client.get(manage(consultation, "paper/")).status_code == 403
    assert client.get(url + "?ward=garbage").status_code == 200


def test_the_equality_page_is_404_for_outsiders_of_a_hidden_organisation(client):
    hidden = CouncilFactory(is_public=False)
    consultation = ConsultationFactory(organisation=hidden)
    client.force_login(UserFactory())
    assert client.get(manage(consultation, "equality/")).status_code == 404


# --- Themes and tagging ---------------------------------------------------------------------------------


def test_an_officer_adds_renames_and_removes_themes(client, officer, survey):
    consultation = survey["consultation"]
    response = client.post(manage(consultation, "themes/"), {"action": "add", "new-name": "Parking"})
    assert response.status_code == 302
    theme = Theme.objects.get(consultation=consultation)
    assert "Parking" in html_of(client.get(manage(consultation, "themes/")))
    assert "Enter the theme" in html_of(client.post(manage(consultation, "themes/"), {"action": "add", "new-name": ""}))
    response = client.post(
        manage(consultation, "themes/"), {"action": "rename", "theme": str(theme.pk), "rename-name": "Car parking"}
    )
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Car parking"
    html = html_of(client.post(manage(consultation, "themes/"), {"action": "rename", "theme": "²", "rename-name": "X"}))
    assert "Choose one of the consultation" in html
    other = ThemeFactory()
    html = html_of(client.post(manage(consultation, "themes/"), {"action": "remove", "theme": str(other.pk)}))
    assert "Choose one of the consultation" in html and Theme.objects.filter(pk=other.pk).exists()
    client.post(manage(consultation, "themes/"), {"action": "remove", "theme": str(theme.pk)})
    assert not Theme.objects.filter(pk=theme.pk).exists()


def test_an_officer_tags_written_answers_and_filters_them(client, officer, survey):
    consultation = survey["consultation"]
    parking = ThemeFactory(consultation=consultation, name="Parking")
    trees = ThemeFactory(consultation=consultation, name="Trees")
    answer = Answer.objects.get(response=survey["responses"][0], question=survey["why"])
    page = client.get(manage(consultation, "themes/answers/"))
    html = html_of(page)
    assert "25 answers" in html and "Answer number 0" in html
    assert "Answer number 24" not in html  # 20 a page
    assert "Answer number 24" in html_of(client.get(manage(consultation, "themes/answers/?page=2")))
    response = client.post(
        manage(consultation, "themes/answers/"),
        {"answer": str(answer.pk), "themes": [str(parking.pk), str(trees.pk)], "untagged": "1"},
    )
    assert response.status_code == 302 and "untagged=1" in response.url
    assert set(AnswerTag.objects.filter(answer=answer).values_list("theme__name", flat=True)) == {"Parking", "Trees"}
    client.post(manage(consultation, "themes/answers/"), {"answer": str(answer.pk), "themes": [str(trees.pk)]})
    assert list(AnswerTag.objects.filter(answer=answer).values_list("theme__name", flat=True)) == ["Trees"]
    assert "24 answers" in html_of(client.get(manage(consultation, "themes/answers/?untagged=1")))
    assert "1 answer" in html_of(client.get(manage(consultation, f"themes/answers/?theme={trees.pk}")))
    counts = html_of(client.get(manage(consultation, "themes/")))
    assert "Trees" in counts
    # Garbage: another consultation's answer, a bad id, bad filters.
    elsewhere = AnswerFactory(text="Elsewhere")
    html = html_of(client.post(manage(consultation, "themes/answers/"), {"answer": str(elsewhere.pk)}))
    assert "Choose a written answer" in html
    assert "Choose a written answer" in html_of(client.post(manage(consultation, "themes/answers/"), {"answer": "x"}))
    assert client.get(manage(consultation, "themes/answers/?theme=x&question=nope&page=zz")).status_code == 200


# --- Exports ----------------------------------------------------------------------------------------------


def test_the_csv_export_streams_every_response_without_equality_answers(client, officer, survey):
    consultation = survey["consultation"]
    response = client.get(manage(consultation, "responses.csv"))
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["response", "channel", "submitted", "ward"]
    assert len(rows) == 26
    text = "\n".join(",".join(row) for row in rows)
    assert "female" not in text and "Answer number 3" in text


def test_the_xlsx_export_is_a_spreadsheet_and_leaves_no_file(client, officer, survey):
    from openpyxl import load_workbook

    consultation = survey["consultation"]
    response = client.get(manage(consultation, "responses.xlsx"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 26 and rows[0][0] == "response"


def test_exports_are_refused_to_residents(client, survey):
    client.force_login(UserFactory())
    assert client.get(manage(survey["consultation"], "responses.csv")).status_code == 403
    assert client.get(manage(survey["consultation"], "responses.xlsx")).status_code == 403


# --- "You said, we did" -------------------------------------------------------------------------------------


def test_you_said_we_did_is_written_and_published_with_a_confirmation(
    client, council, officer, wards, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(organisation=council, place=council.area, closed=True)
    theme = ThemeFactory(consultation=consultation, name="Parking")
    tagged = ResponseFactory(consultation=consultation, wants_feedback=True, email="asked@example.org")
    AnswerTag.objects.create(answer=AnswerFactory(response=tagged, text="More parking"), theme=theme)
    url = manage(consultation, "you-said-we-did/")
    assert "How “Parking” was considered" in html_of(client.get(url))
    response = client.post(
        url, {"action": "save", "said": "You asked for parking.", "decision": "We will add 20 spaces."}
    )
    assert response.status_code == 302
    html = html_of(client.post(url, {"action": "publish"}))
    assert "Tick the box to confirm" in html
    html = html_of(client.post(url, {"action": "publish", "publish-confirm": "on"}))
    assert "Say how each theme was considered: Parking." in html
    client.post(
        url,
        {
            "action": "save",
            "said": "You asked for parking.",
            "decision": "We will add 20 spaces.",
            f"considered_{theme.pk}": "We added spaces by the park.",
        },
    )
    theme.refresh_from_db()
    assert theme.considered == "We added spaces by the park."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "publish", "publish-confirm": "on"})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.stage == Stage.FEEDBACK
    assert [message.to for message in mail.outbox] == [["asked@example.org"]]
    assert "Published on" in html_of(client.get(url))


def test_you_said_we_did_cannot_be_published_while_open(client, council, officer):
    consultation = ConsultationFactory(organisation=council, place=council.area, said="x", decision="y")
    url = manage(consultation, "you-said-we-did/")
    assert "once the consultation has closed" in html_of(client.get(url))
    html = html_of(client.post(url, {"action": "publish", "publish-confirm": "on"}))
    assert "once the consultation has closed" in html and "govuk-error-summary" in html
    assert "Choose what to do" in html_of(client.post(url, {"action": "boom"}))


def test_every_kind_of_question_has_its_results_and_the_page_takes_a_fixed_number_of_queries(
    client, officer, council, wards, django_assert_max_num_queries
):
    consultation = ConsultationFactory(organisation=council, place=council.area)
    page = PageFactory(version=current_version(consultation))
    kinds = {}
    for order, kind in enumerate(QuestionKind.values):
        kinds[kind] = QuestionFactory(page=page, order=order, kind=kind, text=f"About {kind}?", key=kind)
    for n in range(4):
        response = ResponseFactory(consultation=consultation, ward=wards[0])
        first, second = kinds["ranking"].options.all()[:2]
        Answer.objects.bulk_create(
            [
                Answer(response=response, question=kinds["single"], option=kinds["single"].options.first()),
                Answer(response=response, question=kinds["multiple"], option=kinds["multiple"].options.last()),
                Answer(response=response, question=kinds["rating"], number=4),
                Answer(response=response, question=kinds["number"], number=n),
                Answer(response=response, question=kinds["matrix"], option=kinds["matrix"].options.first(), number=2),
                Answer(response=response, question=kinds["ranking"], option=first, rank=1),
                Answer(response=response, question=kinds["ranking"], option=second, rank=2),
                Answer(response=response, question=kinds["place"], place=wards[0]),
                Answer(response=response, question=kinds["date"], text="2030-01-01"),
                Answer(response=response, question=kinds["short_text"], text="Short"),
                Answer(response=response, question=kinds["long_text"], text="Long"),
            ]
        )
    with django_assert_max_num_queries(30):
        html = html_of(client.get(manage(consultation, "results/")))
    for kind in QuestionKind.values:
        assert f"About {kind}?" in html
    assert html.count("<svg") >= 6  # single, multiple, rating, number, matrix, ranking, place
    assert "Average: 4.0" in html and "Ashby Green" in html and "Average rank (1 is first)" in html
    ResponseFactory.create_batch(5, consultation=consultation)
    with django_assert_max_num_queries(30):
        assert client.get(manage(consultation, "results/")).status_code == 200


def test_the_officers_pages_in_welsh(client, officer, survey):
    consultation = survey["consultation"]
    consultation.title_cy = "Parciau"
    consultation.save()
    for tail in ("", "results/", "themes/", "themes/answers/", "you-said-we-did/", "publishing/", "events/"):
        html = html_of(client.get(f"/cy{manage(consultation, tail)}"))
        assert '<html lang="cy"' in html and "Parciau" in html, tail


def test_every_officers_page_of_the_demo_consultations_opens(client, settings, tmp_path):
    """The demo's consultations (300 responses, paper ones, themes, events, a closed one with "you said,
    we did") through every officer's page, and the equality pages for the equalities officer."""
    from coproduce.consultations.demo import build_demo_consultations
    from coproduce.consultations.models import Consultation, Event, Page, Question, Response
    from coproduce.core import demo as core_demo

    settings.MEDIA_ROOT = tmp_path
    context = core_demo._places()
    context["organisations"] = core_demo._organisations(context)
    context["users"] = core_demo._logins(context)
    context["residents"] = core_demo._residents(context)
    build_demo_consultations(context)
    sign_in_with_mfa(client, context["users"]["officer"])
    tails = ("", "edit/", "documents/", "survey/", "survey/preview/1/", "events/", "paper/", "results/", "themes/")
    tails += ("themes/answers/", "themes/answers/?untagged=1", "publishing/", "you-said-we-did/", "responses.csv")
    for consultation in Consultation.objects.all():
        for tail in tails:
            assert client.get(manage(consultation, tail)).status_code == 200, (consultation.title, tail)
        assert client.get(manage(consultation, "equality/")).status_code == 403
        for page in Page.objects.filter(version__consultation=consultation)[:2]:
            assert client.get(manage(consultation, f"survey/pages/{page.pk}/")).status_code == 200
        for question in Question.objects.filter(page__version__consultation=consultation)[:5]:
            assert client.get(manage(consultation, f"survey/questions/{question.pk}/")).status_code == 200
        for event in Event.objects.filter(consultation=consultation)[:2]:
            assert client.get(manage(consultation, f"events/{event.pk}/")).status_code == 200
    paper = Response.objects.filter(channel="paper").first()
    assert paper is not None
    sign_in_with_mfa(client, context["users"]["equalities"])
    for consultation in Consultation.objects.exclude(stage="draft"):
        html = html_of(client.get(manage(consultation, "equality/")))
        assert "Who responded" in html, consultation.title
        assert client.get(manage(consultation, "results/?group=sex:female")).status_code == 200
