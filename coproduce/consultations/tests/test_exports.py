"""Exports: every sent response as CSV rows and as an XLSX file; never equality answers or identities."""

import pytest
from openpyxl import load_workbook

from coproduce.consultations import selectors
from coproduce.consultations.models import Answer, QuestionKind
from coproduce.core.tests.factories import PlaceFactory, UserFactory

from .factories import (
    ConsultationFactory,
    EqualityAnswerFactory,
    PageFactory,
    QuestionFactory,
    ResponseFactory,
    current_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    consultation = ConsultationFactory()
    page = PageFactory(version=current_version(consultation))
    questions = {
        "single": QuestionFactory(page=page, kind=QuestionKind.SINGLE, key="single"),
        "multiple": QuestionFactory(page=page, kind=QuestionKind.MULTIPLE, key="multiple"),
        "matrix": QuestionFactory(page=page, kind=QuestionKind.MATRIX, key="matrix", options=["Bus", "Train"]),
        "ranking": QuestionFactory(page=page, kind=QuestionKind.RANKING, key="ranking", options=["A", "B"]),
        "text": QuestionFactory(page=page, kind=QuestionKind.LONG_TEXT, key="text"),
        "place": QuestionFactory(page=page, kind=QuestionKind.PLACE, key="place"),
    }
    return consultation, questions


def respond(consultation, questions, *, text, ward=None, person=None, email=""):
    response = ResponseFactory(consultation=consultation, ward=ward, person=person, email=email)
    opts = {key: list(q.options.all()) for key, q in questions.items()}
    rows = [
        Answer(response=response, question=questions["single"], option=opts["single"][1]),
        Answer(response=response, question=questions["multiple"], option=opts["multiple"][0]),
        Answer(response=response, question=questions["multiple"], option=opts["multiple"][2]),
        Answer(response=response, question=questions["matrix"], option=opts["matrix"][1], number=4),
        Answer(response=response, question=questions["ranking"], option=opts["ranking"][1], rank=1),
        Answer(response=response, question=questions["ranking"], option=opts["ranking"][0], rank=2),
        Answer(response=response, question=questions["text"], text=text),
    ]
    if ward:
        rows.append(Answer(response=response, question=questions["place"], place=ward))
    Answer.objects.bulk_create(rows)
    EqualityAnswerFactory(response=response, question="ethnicity", category="mixed")
    return response


def test_csv_rows(survey):
    consultation, questions = survey
    ward = PlaceFactory(name="Riverside", code="X05000001")
    person = UserFactory(full_name="Ada Lovelace", email="ada@example.org")
    first = respond(consultation, questions, text="=HYPERLINK(1)", ward=ward, person=person, email="copy@example.org")
    second = respond(consultation, questions, text="Fine")
    ResponseFactory(consultation=consultation, draft=True)
    rows = list(selectors.export_csv_rows(consultation))
    assert rows[0] == [
        "response", "channel", "submitted", "ward",
        "single", "multiple", "matrix: Bus", "matrix: Train", "ranking", "text", "place",
    ]  # fmt: skip
    assert len(rows) == 3
    assert rows[1][0] == str(first.pk) and rows[2][0] == str(second.pk)
    assert rows[1][1] == "online"
    assert rows[1][3] == "Riverside (X05000001)"
    assert rows[1][4:] == ["No", "Yes; Not sure", "", "4", "B; A", "'=HYPERLINK(1)", "Riverside"]
    flat = " ".join(" ".join(row) for row in rows)
    for secret in ("mixed", "ethnicity", "Ada Lovelace", "ada@example.org", "copy@example.org"):
        assert secret not in flat


def test_csv_takes_a_fixed_number_of_queries(survey, django_assert_max_num_queries):
    consultation, questions = survey
    for n in range(30):
        respond(consultation, questions, text=f"Answer {n}")
    with django_assert_max_num_queries(5):
        rows = list(selectors.export_csv_rows(consultation))
    assert len(rows) == 31


def test_xlsx(survey):
    consultation, questions = survey
    respond(consultation, questions, text="Grand")
    path = selectors.export_xlsx(consultation)
    try:
        sheet = load_workbook(path, read_only=True).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        path.unlink()
    assert values[0][:5] == ["response", "channel", "submitted", "ward", "single"]
    assert values[1][9] == "Grand"
    assert not any("mixed" in str(cell) for row in values for cell in row)
