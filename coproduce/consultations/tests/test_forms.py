"""The survey page form: every kind of question read into the values answers_save takes, required
questions, and bad input refused beside its field (never an exception)."""

from __future__ import annotations

import pytest

from coproduce.consultations.forms import FinishForm, page_form, page_initial
from coproduce.consultations.models import Answer, QuestionKind
from coproduce.consultations.tests.factories import PageFactory, QuestionFactory, ResponseFactory
from coproduce.core.tests.factories import PlaceFactory, PostcodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return PageFactory()


def q(page, kind, **extra):
    return QuestionFactory(page=page, kind=kind, **extra)


def test_every_kind_is_read_into_the_values_answers_save_takes(page):
    ward = PlaceFactory(name="Elmwood")
    PostcodeFactory(postcode="KM1 1AA", ward=ward)
    text = q(page, QuestionKind.SHORT_TEXT)
    long = q(page, QuestionKind.LONG_TEXT)
    single = q(page, QuestionKind.SINGLE)
    multiple = q(page, QuestionKind.MULTIPLE)
    rating = q(page, QuestionKind.RATING, scale_min=1, scale_max=5, scale_min_label="Poor", scale_max_label="Good")
    matrix = q(page, QuestionKind.MATRIX, options=("Parks", "Roads"))
    number = q(page, QuestionKind.NUMBER, number_min=0, number_max=120)
    day = q(page, QuestionKind.DATE)
    ranking = q(page, QuestionKind.RANKING, options=("A", "B", "C"))
    place = q(page, QuestionKind.PLACE)
    yes, _no, unsure = single.options.all()
    m1, _m2, m3 = multiple.options.all()
    parks, roads = matrix.options.all()
    a, b, c = ranking.options.all()
    data = {
        f"q{text.pk}": "  Hello  ",
        f"q{long.pk}": "A longer answer",
        f"q{single.pk}": str(yes.pk),
        f"q{multiple.pk}": [str(m3.pk), str(m1.pk)],
        f"q{rating.pk}": "4",
        f"q{matrix.pk}_{parks.pk}": "5",
        f"q{matrix.pk}_{roads.pk}": "2",
        f"q{number.pk}": "42",
        f"q{day.pk}_day": "7",
        f"q{day.pk}_month": "3",
        f"q{day.pk}_year": "2024",
        f"q{ranking.pk}_{a.pk}": "2",
        f"q{ranking.pk}_{b.pk}": "",
        f"q{ranking.pk}_{c.pk}": "1",
        f"q{place.pk}_ward": "",
        f"q{place.pk}_postcode": "km1 1aa",
    }
    questions = [text, long, single, multiple, rating, matrix, number, day, ranking, place]
    form = page_form(questions, language="en", data=data)
    assert form.is_valid(), form.errors
    assert form.values == {
        text.pk: "Hello",
        long.pk: "A longer answer",
        single.pk: yes,
        multiple.pk: [m1, m3],
        rating.pk: 4,
        matrix.pk: {parks: 5, roads: 2},
        number.pk: 42,
        day.pk: "2024-03-07",
        ranking.pk: [c, a],
        place.pk: ward,
    }
    assert form.cleaned_data["values"] == form.values
    assert unsure  # three options by default
    # The rating's ends carry their words.
    assert ("1", "1 – Poor") in form.fields[f"q{rating.pk}"].choices
    assert ("5", "5 – Good") in form.fields[f"q{rating.pk}"].choices


def test_nothing_answered_leaves_optional_questions_out(page):
    questions = [q(page, kind) for kind in QuestionKind.values]
    form = page_form(questions, language="en", data={})
    assert form.is_valid(), form.errors
    assert form.values == {}


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (QuestionKind.SHORT_TEXT, "Enter your answer to"),
        (QuestionKind.SINGLE, "Select an answer to"),
        (QuestionKind.MULTIPLE, "Select at least one answer to"),
        (QuestionKind.DATE, "Enter a date for"),
        (QuestionKind.RANKING, "Give at least your first choice a position"),
        (QuestionKind.PLACE, "Choose your ward or enter your postcode"),
        (QuestionKind.MATRIX, "Select a rating for"),
    ],
)
def test_a_required_question_must_be_answered_to_continue_but_not_to_save(page, kind, message):
    question = q(page, kind, required=True)
    form = page_form([question], language="en", data={})
    assert not form.is_valid()
    assert message in " ".join(str(error) for errors in form.errors.values() for error in errors)
    assert page_form([question], language="en", data={}, require=False).is_valid()


@pytest.mark.parametrize(
    ("kind", "suffix", "value", "message"),
    [
        (QuestionKind.NUMBER, "", "twelve", "Enter a whole number"),
        (QuestionKind.NUMBER, "", "²", "Enter a whole number"),
        (QuestionKind.NUMBER, "", "99999999999999999999", "or less"),
        (QuestionKind.SINGLE, "", "999999", "Select an answer from the list"),
        (QuestionKind.RATING, "", "9", "Select an answer from the list"),
        (QuestionKind.PLACE, "_postcode", "not a postcode", "Enter a real postcode"),
        (QuestionKind.PLACE, "_ward", "NOPE", "Choose a ward from the list"),
        (QuestionKind.SHORT_TEXT, "", "x" * 600, "500 characters or fewer"),
    ],
)
def test_bad_input_is_refused_beside_its_field(page, kind, suffix, value, message):
    question = q(page, kind)
    form = page_form([question], language="en", data={f"q{question.pk}{suffix}": value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[f"q{question.pk}{suffix}"])


def test_a_date_must_be_real_and_complete(page):
    question = q(page, QuestionKind.DATE)
    name = f"q{question.pk}"
    form = page_form(
        [question], language="en", data={f"{name}_day": "31", f"{name}_month": "2", f"{name}_year": "2024"}
    )
    assert not form.is_valid() and "must be a real date" in form.errors[f"{name}_day"][0]
    form = page_form([question], language="en", data={f"{name}_day": "3", f"{name}_year": "2024"})
    assert not form.is_valid() and "must include a month" in form.errors[f"{name}_month"][0]


def test_ranking_positions_are_distinct_and_without_gaps(page):
    question = q(page, QuestionKind.RANKING, options=("A", "B", "C"))
    a, b, c = question.options.all()
    name = f"q{question.pk}"
    same = page_form([question], language="en", data={f"{name}_{a.pk}": "1", f"{name}_{b.pk}": "1"})
    assert not same.is_valid() and "different position" in str(same.errors)
    gap = page_form([question], language="en", data={f"{name}_{a.pk}": "1", f"{name}_{c.pk}": "3"})
    assert not gap.is_valid() and "without gaps" in str(gap.errors)
    beyond = page_form([question], language="en", data={f"{name}_{a.pk}": "4"})
    assert not beyond.is_valid()


def test_multiple_choice_keeps_to_the_most_choices(page):
    question = q(page, QuestionKind.MULTIPLE, max_choices=1)
    one, two, _three = question.options.all()
    form = page_form([question], language="en", data={f"q{question.pk}": [str(one.pk), str(two.pk)]})
    assert not form.is_valid() and "Select up to 1 answer" in str(form.errors)


def test_welsh_texts_are_shown_in_welsh(page):
    question = q(page, QuestionKind.SINGLE, text="Do you agree?", text_cy="Ydych chi'n cytuno?", options=("Yes", "No"))
    option = question.options.first()
    option.label_cy = "Ydw"
    option.save()
    form = page_form([question], language="cy")
    assert form.items[0].label == "Ydych chi'n cytuno?"
    assert (str(option.pk), "Ydw") in form.fields[f"q{question.pk}"].choices
    assert page_form([question], language="en").items[0].label == "Do you agree?"


def test_saved_answers_fill_the_form_again(page):
    response = ResponseFactory(draft=True, consultation=page.version.consultation)
    ward = PlaceFactory()
    text = q(page, QuestionKind.SHORT_TEXT)
    matrix = q(page, QuestionKind.MATRIX, options=("Parks", "Roads"))
    day = q(page, QuestionKind.DATE)
    place = q(page, QuestionKind.PLACE)
    parks = matrix.options.first()
    Answer.objects.create(response=response, question=text, text="Hi")
    Answer.objects.create(response=response, question=matrix, option=parks, number=3)
    Answer.objects.create(response=response, question=day, text="2024-03-07")
    Answer.objects.create(response=response, question=place, place=ward)
    initial = page_initial([text, matrix, day, place], response.answers.select_related("place"))
    assert initial == {
        f"q{text.pk}": "Hi",
        f"q{matrix.pk}_{parks.pk}": "3",
        f"q{day.pk}_day": 7,
        f"q{day.pk}_month": 3,
        f"q{day.pk}_year": 2024,
        f"q{place.pk}_ward": ward.code,
    }


def test_the_finish_form_equality_questions_are_optional_with_prefer_not_to_say():
    form = FinishForm({}, equality_keys=["age_band", "not-in-the-bank"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["equality"] == {}
    assert ("prefer_not_to_say", "Prefer not to say") in form.fields["equality_age_band"].choices
    assert "equality_not-in-the-bank" not in form.fields
    answered = FinishForm({"equality_age_band": "25_34"}, equality_keys=["age_band"])
    assert answered.is_valid() and answered.cleaned_data["equality"] == {"age_band": "25_34"}
    bad = FinishForm({"equality_age_band": "lots"}, equality_keys=["age_band"])
    assert not bad.is_valid()


def test_the_finish_form_needs_an_email_to_tell_you_what_was_decided():
    form = FinishForm({"wants_feedback": "on"})
    assert not form.is_valid() and "so that we can tell you" in form.errors["email"][0]
    assert FinishForm({"wants_feedback": "on"}, person_email="me@example.org").is_valid()
    assert not FinishForm({"email": "not an email"}).is_valid()
