"""Selectors the pages read: a response's answers as form values and in words, page numbers, what the
public sees, counts."""

import pytest
from django.core.exceptions import PermissionDenied

from coproduce.consultations import selectors, services
from coproduce.consultations.models import QuestionKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, UserFactory

from .factories import (
    ConsultationFactory,
    EqualityAnswerFactory,
    PageFactory,
    QuestionFactory,
    ResponseFactory,
    current_version,
)

pytestmark = pytest.mark.django_db


def test_answers_round_trip_as_form_values_and_in_words():
    consultation = ConsultationFactory()
    version = current_version(consultation)
    first = PageFactory(version=version, order=0)
    second = PageFactory(version=version, order=1, title="Second")
    single = QuestionFactory(page=first, kind=QuestionKind.SINGLE, text="Drive?")
    multiple = QuestionFactory(page=first, kind=QuestionKind.MULTIPLE, text="Which?")
    matrix = QuestionFactory(page=second, kind=QuestionKind.MATRIX, options=["Bus", "Train"], text="Rate")
    ranking = QuestionFactory(page=second, kind=QuestionKind.RANKING, options=["A", "B"], text="Rank")
    text = QuestionFactory(page=second, kind=QuestionKind.SHORT_TEXT, text="Say")
    place = QuestionFactory(page=second, kind=QuestionKind.PLACE, text="Where?")
    ward = PlaceFactory(name="Riverside")
    response, _token = services.response_start(consultation=consultation)
    s, m, mx, r = (list(q.options.all()) for q in (single, multiple, matrix, ranking))
    services.answers_save(response=response, page=first, values={single.pk: s[0], multiple.pk: [m[0], m[2]]})
    values = {
        matrix.pk: {mx[0]: 2, mx[1]: 5},
        ranking.pk: [r[1], r[0]],
        text.pk: "Hello",
        place.pk: ward,
    }
    services.answers_save(response=response, page=second, values=values)
    assert selectors.answer_values(response, first) == {single.pk: s[0], multiple.pk: [m[0], m[2]]}
    assert selectors.answer_values(response, second) == values
    assert selectors.answers_in_words(response) == [
        ("Drive?", "Yes"),
        ("Which?", "Yes; Not sure"),
        ("Rate", "Bus: 2; Train: 5"),
        ("Rank", "1. B; 2. A"),
        ("Say", "Hello"),
        ("Where?", "Riverside"),
    ]
    assert selectors.page_number(second) == 2
    assert selectors.page_by_number(version, 2) == second
    assert selectors.page_by_number(version, 3) is None
    assert selectors.page_by_number(version, 0) is None
    response.refresh_from_db()
    assert response.page_reached == 2 and response.ward == ward


def test_what_the_public_sees():
    shown = ConsultationFactory()
    ConsultationFactory(draft=True)
    ConsultationFactory(organisation=OrganisationFactory(is_public=False))
    assert list(selectors.public_consultations()) == [shown]
    assert selectors.consultation_public(shown.pk) == shown


def test_response_counts_and_group_counts_need_the_role():
    consultation = ConsultationFactory(equality_questions=["sex"])
    for _n in range(10):
        EqualityAnswerFactory(response=ResponseFactory(consultation=consultation), question="sex", category="female")
    for _n in range(10):
        EqualityAnswerFactory(response=ResponseFactory(consultation=consultation), question="sex", category="male")
    ResponseFactory(consultation=consultation, draft=True)
    assert selectors.response_counts(consultation) == {"submitted": 20, "drafts": 1, "paper": 0}
    assert selectors.response_count(consultation) == 20
    with pytest.raises(PermissionDenied):
        selectors.response_count(consultation, group=("sex", "female"))
    admin = UserFactory(is_superuser=True)
    assert selectors.response_count(consultation, group=("sex", "female"), user=admin) == 10
