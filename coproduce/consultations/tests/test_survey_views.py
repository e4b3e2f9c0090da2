"""The survey builder and its preview: pages (added, moved, removed), questions of every kind with
options one per line in English and Welsh, "shown only if" an answer on an earlier page, a locked
version's banner and starting a new version, the preview (nothing saved); garbage refused on the page."""

from __future__ import annotations

import pytest

from coproduce.consultations.models import Option, Page, Question, QuestionKind, Response, SurveyVersion
from coproduce.consultations.tests.factories import (
    ConsultationFactory,
    PageFactory,
    QuestionFactory,
    ResponseFactory,
    current_version,
)
from coproduce.core.models import Role, RoleKind
from coproduce.core.tests.factories import UserFactory, sign_in_with_mfa
from coproduce.core.tests.residents import CouncilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory(slug="kingsmere")


@pytest.fixture
def officer(client, council):
    person = UserFactory()
    Role.objects.create(person=person, organisation=council, kind=RoleKind.OFFICER)
    sign_in_with_mfa(client, person)
    return person


@pytest.fixture
def consultation(council):
    return ConsultationFactory(organisation=council, place=council.area, draft=True)


def survey_url(consultation, tail=""):
    return f"/consultations/{consultation.pk}/manage/survey/{tail}"


def html_of(response) -> str:
    return response.content.decode()


def _question(**overrides):
    data = {
        "action": "question",
        "question-kind": "single",
        "question-text": "Should the council become a co-operative council?",
        "question-text_cy": "A ddylai'r cyngor ddod yn gyngor cydweithredol?",
        "question-required": "on",
        "question-options": "Yes\nNo\n\nNot sure\n",
        "question-options_cy": "Ydw\nNac ydw\nDdim yn siŵr",
    }
    data.update(overrides)
    return data


def test_an_officer_builds_a_survey_with_a_conditional_question(client, officer, consultation):
    assert "The survey has no pages yet." in html_of(client.get(survey_url(consultation)))
    response = client.post(
        survey_url(consultation), {"action": "add_page", "page-title": "Your views", "page-title_cy": "Eich barn"}
    )
    first = Page.objects.get(title="Your views")
    assert response.url == survey_url(consultation, f"pages/{first.pk}/")
    # The first page has no earlier page: nothing to depend on.
    page = html_of(client.get(response.url))
    assert "Always show it" in page
    response = client.post(survey_url(consultation, f"pages/{first.pk}/"), _question())
    assert response.status_code == 302
    agree = Question.objects.get(page=first)
    assert agree.required and agree.text_cy.startswith("A ddylai")
    assert [(o.label, o.label_cy) for o in agree.options.all()] == [
        ("Yes", "Ydw"),
        ("No", "Nac ydw"),
        ("Not sure", "Ddim yn siŵr"),
    ]
    client.post(survey_url(consultation), {"action": "add_page", "page-title": "Why"})
    second = Page.objects.get(title="Why")
    yes = agree.options.get(label="Yes")
    page = html_of(client.get(survey_url(consultation, f"pages/{second.pk}/")))
    assert "Should the council become a co-operative council? — Yes" in page
    response = client.post(
        survey_url(consultation, f"pages/{second.pk}/"),
        _question(
            **{
                "question-kind": "long_text",
                "question-text": "Why do you agree?",
                "question-options": "",
                "question-options_cy": "",
                "question-shown_if": str(yes.pk),
                "question-required": "",
            }
        ),
    )
    assert response.status_code == 302
    why = Question.objects.get(page=second)
    assert why.shown_if == yes and why.kind == QuestionKind.LONG_TEXT
    overview = html_of(client.get(survey_url(consultation)))
    assert "Why do you agree?" in overview and "shown only if" in overview
    # The preview shows page 2 with its condition; sending it saves nothing.
    preview = html_of(client.get(survey_url(consultation, "preview/2/")))
    assert "Why do you agree?" in preview and "Shown only to people who answered" in preview
    checked = html_of(client.post(survey_url(consultation, "preview/1/"), {f"q{agree.pk}": str(yes.pk)}))
    assert "These answers would be accepted. Nothing was saved." in checked
    missing = html_of(client.post(survey_url(consultation, "preview/1/"), {}))
    assert "govuk-error-summary" in missing
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"question-options": "Only one"}, "Enter at least 2 options"),
        ({"question-options": "Yes\nyes", "question-options_cy": ""}, "Each option must be different"),
        ({"question-options_cy": "Ydw"}, "Enter a Welsh option for each English one"),
        ({"question-kind": "poem"}, "Choose the kind of question"),
        ({"question-text": ""}, "Enter the question"),
        ({"question-shown_if": "999999"}, "Choose an answer from the list"),
        ({"question-kind": "rating", "question-scale_min": "5", "question-scale_max": "1"}, "top of the scale"),
        ({"question-kind": "rating", "question-scale_min": "1", "question-scale_max": "50"}, "no more than 10"),
        ({"question-kind": "number", "question-number_min": "x"}, "Enter a whole number"),
    ],
)
def test_a_bad_question_is_refused_on_the_page(client, officer, consultation, overrides, message):
    page = PageFactory(version=current_version(consultation))
    response = client.post(survey_url(consultation, f"pages/{page.pk}/"), _question(**overrides))
    html = html_of(response)
    assert response.status_code == 200
    assert "<title>Error:" in html and message in html
    assert not Question.objects.exists()


def test_a_condition_on_the_same_page_cannot_be_chosen(client, officer, consultation):
    page = PageFactory(version=current_version(consultation))
    agree = QuestionFactory(page=page, kind=QuestionKind.SINGLE)
    option = agree.options.first()
    html = html_of(
        client.post(survey_url(consultation, f"pages/{page.pk}/"), _question(**{"question-shown_if": str(option.pk)}))
    )
    assert "Choose an answer from the list" in html
    assert Question.objects.count() == 1


def test_an_officer_changes_moves_and_removes_questions_and_pages(client, officer, consultation):
    version = current_version(consultation)
    first = PageFactory(version=version, order=0, title="First")
    second = PageFactory(version=version, order=1, title="Second")
    one = QuestionFactory(page=first, order=0, kind=QuestionKind.SHORT_TEXT, text="One?")
    two = QuestionFactory(page=first, order=1, kind=QuestionKind.MULTIPLE, text="Two?", options=["A", "B"])
    page = html_of(client.get(survey_url(consultation, f"questions/{two.pk}/")))
    assert "A\nB" in page
    response = client.post(
        survey_url(consultation, f"questions/{two.pk}/"),
        {
            "action": "edit",
            "question-kind": "multiple",
            "question-text": "Two, changed?",
            "question-options": "A\nB\nC",
            "question-max_choices": "2",
        },
    )
    assert response.status_code == 302
    two.refresh_from_db()
    assert two.text == "Two, changed?" and two.max_choices == 2
    assert list(two.options.values_list("label", flat=True)) == ["A", "B", "C"]
    client.post(survey_url(consultation, f"questions/{two.pk}/"), {"action": "up"})
    assert list(first.questions.order_by("order").values_list("pk", flat=True)) == [two.pk, one.pk]
    client.post(survey_url(consultation), {"action": "up", "page": str(second.pk)})
    assert list(version.pages.order_by("order").values_list("title", flat=True)) == ["Second", "First"]
    assert "Choose a page" in html_of(client.post(survey_url(consultation), {"action": "up", "page": "²"}))
    assert "Choose what to do" in html_of(client.post(survey_url(consultation), {"action": "dance"}))
    client.post(survey_url(consultation, f"questions/{one.pk}/"), {"action": "remove"})
    assert not Question.objects.filter(pk=one.pk).exists()
    client.post(survey_url(consultation, f"pages/{second.pk}/"), {"action": "remove"})
    assert not Page.objects.filter(pk=second.pk).exists()


def test_a_locked_version_says_so_and_a_new_version_copies_it(client, officer, consultation):
    version = current_version(consultation)
    page = PageFactory(version=version, title="Your views")
    question = QuestionFactory(page=page, kind=QuestionKind.SINGLE, text="Agree?")
    ResponseFactory(consultation=consultation)
    version.locked = True
    version.save()
    html = html_of(client.get(survey_url(consultation)))
    assert "People have answered version 1 of the survey, so it is locked." in html
    assert "Add a page" not in html
    # Editing the locked version anyway is refused with the service's words.
    response = client.post(
        survey_url(consultation, f"questions/{question.pk}/"),
        {"action": "edit", "question-kind": "single", "question-text": "Changed?", "question-options": "Y\nN"},
    )
    assert "start a new version" in html_of(response)
    question.refresh_from_db()
    assert question.text == "Agree?"
    missing = html_of(client.post(survey_url(consultation), {"action": "new_version", "version-note": ""}))
    assert "Say what changes in the new version" in missing
    response = client.post(survey_url(consultation), {"action": "new_version", "version-note": "A question added."})
    assert response.status_code == 302
    new = SurveyVersion.objects.get(consultation=consultation, number=2)
    assert new.note == "A question added." and not new.locked
    assert Question.objects.filter(page__version=new, text="Agree?").exists()
    assert Option.objects.filter(question__page__version=new).count() == 3
    html = html_of(client.get(survey_url(consultation)))
    assert "Add a page" in html and "Version 2" in html


def test_garbage_ids_and_other_consultations_pages_are_not_found(client, officer, consultation):
    other = PageFactory()
    assert client.get(survey_url(consultation, f"pages/{other.pk}/")).status_code == 404
    assert client.get(survey_url(consultation, "questions/999999/")).status_code == 404
    assert client.get(survey_url(consultation, "preview/1/")).status_code == 302  # no pages yet
    PageFactory(version=current_version(consultation))
    assert client.get(survey_url(consultation, "preview/7/")).status_code == 404
    assert client.get(survey_url(consultation, "preview/0/")).status_code == 404


def test_residents_cannot_build_surveys(client, consultation):
    client.force_login(UserFactory())
    assert client.get(survey_url(consultation)).status_code == 403
    page = PageFactory(version=current_version(consultation))
    assert client.post(survey_url(consultation, f"pages/{page.pk}/"), _question()).status_code == 403
    assert not Question.objects.exists()


def test_the_builder_in_welsh(client, officer, consultation):
    PageFactory(version=current_version(consultation), title="Your views", title_cy="Eich barn")
    html = html_of(client.get(f"/cy{survey_url(consultation)}"))
    assert '<html lang="cy"' in html and "Eich barn" in html
