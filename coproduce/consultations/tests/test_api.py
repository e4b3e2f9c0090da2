"""The consultations API: published consultations, and a closed consultation's open results (each choice
question's options with counts). Never a respondent's identity, never equality answers."""

from __future__ import annotations

import json

import pytest

from coproduce.consultations.models import QuestionKind, Stage
from coproduce.consultations.tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    EqualityAnswerFactory,
    PageFactory,
    QuestionFactory,
    ResponseFactory,
    current_version,
)
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"


def test_the_list_shows_published_consultations_of_listed_organisations(client):
    place = PlaceFactory(name="Kingsmere", name_cy="Caerfrenin")
    shown = ConsultationFactory(place=place, title="Becoming a co-operative council", title_cy="Dod yn gyngor")
    closed = ConsultationFactory(closed=True, title="Libraries")
    ConsultationFactory(draft=True, title="A draft")
    ConsultationFactory(organisation=OrganisationFactory(is_public=False), title="Unlisted")
    response = client.get("/api/consultations/")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2
    rows = {row["id"]: row for row in page["items"]}
    assert set(rows) == {shown.pk, closed.pk}
    assert rows[shown.pk]["title"] == "Becoming a co-operative council"
    assert rows[shown.pk]["place"] == "Kingsmere"
    assert rows[shown.pk]["status"] == "open" and rows[closed.pk]["status"] == "closed"
    assert set(rows[shown.pk]) == {"id", "title", "place", "status", "opens_at", "closes_at"}


def test_the_list_is_paginated_and_bounded(client):
    for _ in range(3):
        ConsultationFactory()
    page = client.get("/api/consultations/?limit=2").json()
    assert page["count"] == 3 and len(page["items"]) == 2
    assert client.get("/api/consultations/?limit=1000").status_code == 422


class Closed:
    """A closed consultation with a single choice, a multiple choice and a text question, five responses."""

    def __init__(self, **fields):
        self.consultation = ConsultationFactory(closed=True, **fields)
        page = PageFactory(version=current_version(self.consultation))
        self.single = QuestionFactory(
            page=page, key="support", kind=QuestionKind.SINGLE, options=("Yes", "No", "Not sure")
        )
        self.multiple = QuestionFactory(
            page=page, key="ways", kind=QuestionKind.MULTIPLE, options=("Surveys", "Meetings")
        )
        self.text = QuestionFactory(page=page, key="why", kind=QuestionKind.LONG_TEXT)
        yes, no, _unsure = self.single.options.all()
        surveys, meetings = self.multiple.options.all()
        person = UserFactory(email="quillfeather@example.org", full_name="Ada Quillfeather")
        for number, (choice, ways) in enumerate(
            [(yes, [surveys, meetings]), (yes, [surveys]), (yes, []), (no, [meetings]), (no, [])]
        ):
            response = ResponseFactory(
                consultation=self.consultation,
                person=person if number == 0 else None,
                email="respondent@example.org",
            )
            AnswerFactory(response=response, question=self.single, option=choice)
            for option in ways:
                AnswerFactory(response=response, question=self.multiple, option=option)
            AnswerFactory(response=response, question=self.text, text="My neighbour Ada Quillfeather agrees")
            EqualityAnswerFactory(response=response, question="ethnicity", category="other")
        ResponseFactory(consultation=self.consultation, draft=True)  # not sent: not counted

    def url(self) -> str:
        return f"/api/consultations/{self.consultation.pk}/results"


def test_a_closed_consultations_results_give_each_choice_questions_options_with_counts(client):
    closed = Closed(title="Becoming a co-operative council")
    response = client.get(closed.url())
    assert response.status_code == 200
    body = response.json()
    assert body["consultation"] == closed.consultation.pk
    assert body["title"] == "Becoming a co-operative council" and body["status"] == "closed"
    assert body["responses"] == 5
    questions = {question["key"]: question for question in body["questions"]}
    assert set(questions) == {"support", "ways"}  # choice questions only
    assert questions["support"]["kind"] == "single"
    assert [(o["label"], o["count"]) for o in questions["support"]["options"]] == [
        ("Yes", 3),
        ("No", 2),
        ("Not sure", 0),
    ]
    assert [(o["label"], o["count"]) for o in questions["ways"]["options"]] == [("Surveys", 2), ("Meetings", 2)]
    assert all(option["key"] for question in body["questions"] for option in question["options"])


def test_the_results_never_name_a_respondent_nor_publish_equality_answers(client):
    closed = Closed()
    text = client.get(closed.url()).content.decode()
    for secret in ("Quillfeather", "respondent@example.org", "quillfeather@example.org", "ethnicity", "equality"):
        assert secret not in text
    body = json.loads(text)
    assert set(body) == {"consultation", "title", "status", "closes_at", "responses", "questions"}


def test_results_published_once_you_said_we_did_is_published_too(client):
    closed = Closed(stage=Stage.FEEDBACK)
    response = client.get(closed.url())
    assert response.status_code == 200
    assert response.json()["status"] == "feedback"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, "has not closed yet"),
        ({"upcoming": True}, "has not closed yet"),
        ({"draft": True, "closed": True}, "no published consultation"),
        ({"closed": True, "organisation__is_public": False}, "no published consultation"),
    ],
)
def test_results_are_refused_with_the_reason_before_closing_or_when_not_published(client, fields, reason):
    consultation = ConsultationFactory(**fields)
    response = client.get(f"/api/consultations/{consultation.pk}/results")
    assert response.status_code == 404
    assert reason in response.json()["detail"]


def test_unknown_and_impossible_numbers(client):
    response = client.get("/api/consultations/987654/results")
    assert response.status_code == 404 and "no published consultation" in response.json()["detail"]
    assert client.get(f"/api/consultations/{2**63}/results").status_code == 422
    assert client.get("/api/consultations/0/results").status_code == 422
    assert client.get("/api/consultations/abc/results").status_code == 422


def test_the_operations_are_described_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()
    results = schema["paths"]["/api/consultations/{consultation_id}/results"]["get"]
    assert {"200", "404", "422", "429"} <= set(results["responses"])
    assert "/api/consultations/" in schema["paths"]
