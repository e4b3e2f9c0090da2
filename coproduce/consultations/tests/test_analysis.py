"""Analysis: results per question in a fixed number of queries, by ward and by equality group; the
equality summary and representativeness, suppressed and for the equalities role only; themes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coproduce.consultations import selectors, services
from coproduce.consultations.models import Answer, QuestionKind
from coproduce.core.models import CensusFigure, RoleKind
from coproduce.core.tests.factories import PlaceFactory, RoleFactory, UserFactory

from .factories import (
    AnswerFactory,
    ConsultationFactory,
    EqualityAnswerFactory,
    PageFactory,
    QuestionFactory,
    ResponseFactory,
    ThemeFactory,
    current_version,
)

pytestmark = pytest.mark.django_db


class Survey:
    """A consultation with one question of each kind on one page."""

    def __init__(self, **kwargs):
        self.consultation = ConsultationFactory(equality_questions=["age_band", "sex"], **kwargs)
        page = PageFactory(version=current_version(self.consultation))
        self.single = QuestionFactory(page=page, kind=QuestionKind.SINGLE, key="single")
        self.multiple = QuestionFactory(page=page, kind=QuestionKind.MULTIPLE, key="multiple")
        self.rating = QuestionFactory(page=page, kind=QuestionKind.RATING, key="rating")
        self.matrix = QuestionFactory(page=page, kind=QuestionKind.MATRIX, key="matrix", options=["Bus", "Train"])
        self.ranking = QuestionFactory(page=page, kind=QuestionKind.RANKING, key="ranking", options=["A", "B", "C"])
        self.text = QuestionFactory(page=page, kind=QuestionKind.LONG_TEXT, key="text")
        self.number = QuestionFactory(page=page, kind=QuestionKind.NUMBER, key="number")
        self.place = QuestionFactory(page=page, kind=QuestionKind.PLACE, key="place")

    def respond(self, *, yes=True, ward=None, age="25_34", sex=None, text="More buses", state="submitted", **kw):
        response = ResponseFactory(consultation=self.consultation, ward=ward, state=state, **kw)
        options = {q: list(q.options.all()) for q in (self.single, self.multiple, self.matrix, self.ranking)}
        rows = [
            Answer(response=response, question=self.single, option=options[self.single][0 if yes else 1]),
            Answer(response=response, question=self.multiple, option=options[self.multiple][0]),
            Answer(response=response, question=self.multiple, option=options[self.multiple][2]),
            Answer(response=response, question=self.rating, number=4 if yes else 2),
            Answer(response=response, question=self.matrix, option=options[self.matrix][0], number=5),
            Answer(response=response, question=self.matrix, option=options[self.matrix][1], number=1),
            Answer(response=response, question=self.ranking, option=options[self.ranking][1], rank=1),
            Answer(response=response, question=self.ranking, option=options[self.ranking][0], rank=2),
            Answer(response=response, question=self.text, text=text),
            Answer(response=response, question=self.number, number=3),
        ]
        if ward:
            rows.append(Answer(response=response, question=self.place, place=ward))
        Answer.objects.bulk_create(rows)
        if age:
            EqualityAnswerFactory(response=response, question="age_band", category=age)
        if sex:
            EqualityAnswerFactory(response=response, question="sex", category=sex)
        return response


def by_key(found):
    return {result.key: result for result in found}


def test_results_count_each_kind():
    survey = Survey()
    ward = PlaceFactory()
    survey.respond(yes=True, ward=ward)
    survey.respond(yes=True)
    survey.respond(yes=False)
    survey.respond(state="draft")  # drafts are never counted
    found = selectors.results(consultation=survey.consultation)
    assert found.responses == 3
    results = by_key(found)
    assert [(o.label, n) for o, n in results["single"].options] == [("Yes", 2), ("No", 1), ("Not sure", 0)]
    assert results["single"].answered == 3
    assert [(o.label, n) for o, n in results["multiple"].options] == [("Yes", 3), ("No", 0), ("Not sure", 3)]
    assert results["multiple"].answered == 3
    assert results["rating"].distribution == [(1, 0), (2, 1), (3, 0), (4, 2), (5, 0)]
    assert results["rating"].mean == pytest.approx(3.33)
    assert [(o.label, dist[0], dist[4]) for o, dist in results["matrix"].rows] == [
        ("Bus", (1, 0), (5, 3)),
        ("Train", (1, 3), (5, 0)),
    ]
    assert [(o.label, mean, first) for o, mean, first in results["ranking"].ranks] == [
        ("B", 1.0, 3),
        ("A", 2.0, 0),
        ("C", None, 0),
    ]
    assert results["text"].text_count == 3
    assert results["number"].distribution == [(3, 3)]
    assert results["place"].places == [(ward, 1)]
    # Counted again once another response arrives (the counts are cached until then).
    survey.respond(yes=False)
    again = by_key(selectors.results(consultation=survey.consultation))
    assert [n for _o, n in again["single"].options] == [2, 2, 0]


def test_results_by_ward():
    survey = Survey()
    ward, other = PlaceFactory(), PlaceFactory()
    survey.respond(yes=True, ward=ward)
    survey.respond(yes=False, ward=other)
    survey.respond(yes=False, ward=other)
    results = selectors.results(consultation=survey.consultation, ward=other)
    assert results.responses == 2
    assert [n for _o, n in by_key(results)["single"].options] == [0, 2, 0]


def test_results_take_in_every_version_by_key(django_capture_on_commit_callbacks):
    survey = Survey()
    survey.respond(yes=True)
    current_version(survey.consultation).__class__.objects.update(locked=True)
    officer = UserFactory()
    services.survey_new_version(consultation=survey.consultation, actor=officer, note="Reworded")
    survey.respond(yes=True)  # to version 2
    results = by_key(selectors.results(consultation=survey.consultation))
    assert results["single"].question.page.version.number == 2
    assert [n for _o, n in results["single"].options] == [2, 0, 0]


def test_results_take_a_fixed_number_of_queries(django_assert_num_queries):
    survey = Survey()
    survey.respond(ward=PlaceFactory())
    with django_assert_num_queries(10) as one:
        selectors.results(consultation=survey.consultation)
    for n in range(12):
        survey.respond(ward=PlaceFactory(), yes=bool(n % 2))
    with django_assert_num_queries(len(one.captured_queries)):
        found = selectors.results(consultation=survey.consultation)
    assert found.responses == 13


def equalities_officer(consultation):
    return RoleFactory(organisation=consultation.organisation, kind=RoleKind.EQUALITIES).person


def test_groups_only_for_the_equalities_role_and_never_small():
    survey = Survey()
    for n in range(12):
        survey.respond(age="25_34", yes=n < 10)
    for _n in range(11):
        survey.respond(age="35_44", yes=False)
    officer = RoleFactory(organisation=survey.consultation.organisation, kind=RoleKind.OFFICER).person
    with pytest.raises(PermissionDenied):
        selectors.results(consultation=survey.consultation, group=("age_band", "25_34"), user=officer)
    with pytest.raises(PermissionDenied):
        selectors.results(consultation=survey.consultation, group=("age_band", "25_34"))
    equalities = equalities_officer(survey.consultation)
    found = selectors.results(consultation=survey.consultation, group=("age_band", "25_34"), user=equalities)
    assert found.responses == 12
    assert [n for _o, n in by_key(found)["single"].options] == [10, 2, 0]
    # A group of 9 is refused, and so is a group with fewer than 10 people outside it.
    for _n in range(9):
        survey.respond(age="16_24")
    with pytest.raises(ValidationError, match="fewer than 10"):
        selectors.results(consultation=survey.consultation, group=("age_band", "16_24"), user=equalities)
    ward = PlaceFactory()
    for _n in range(10):
        survey.respond(age="45_54", ward=ward)
    survey.respond(age="55_64", ward=ward)
    with pytest.raises(ValidationError, match="outside it"):
        selectors.results(consultation=survey.consultation, ward=ward, group=("age_band", "45_54"), user=equalities)
    with pytest.raises(ValidationError):
        selectors.results(consultation=survey.consultation, group=("ethnicity", "white"), user=equalities)


def test_equality_summary_is_suppressed_and_for_the_equalities_role_only():
    survey = Survey()
    for _n in range(30):
        survey.respond(age="25_34", sex="female")
    for _n in range(12):
        survey.respond(age="35_44", sex="male")
    for _n in range(3):
        survey.respond(age="75_plus", sex="male")
    for person in (
        RoleFactory(organisation=survey.consultation.organisation, kind=RoleKind.OFFICER).person,
        RoleFactory(organisation=survey.consultation.organisation, kind=RoleKind.SECRETARY).person,
        RoleFactory(kind=RoleKind.EQUALITIES).person,
        UserFactory(),
    ):
        with pytest.raises(PermissionDenied):
            selectors.equality_summary(consultation=survey.consultation, user=person)
        with pytest.raises(PermissionDenied):
            selectors.representativeness(consultation=survey.consultation, user=person)
    summary = {
        q.key: {row.key: row.count for row in rows}
        for q, rows in selectors.equality_summary(
            consultation=survey.consultation, user=equalities_officer(survey.consultation)
        )
    }
    assert list(summary) == ["age_band", "sex"]
    # 3 over-75s are hidden, and so is the next smallest group (12), so neither can be worked out.
    assert summary["age_band"]["75_plus"] is None
    assert summary["age_band"]["35_44"] is None
    assert summary["age_band"]["25_34"] == 30
    assert summary["age_band"]["16_24"] == 0
    assert summary["sex"] == {"female": 30, "male": 15, "prefer_not_to_say": 0}


def test_equality_summary_by_ward_hides_what_the_whole_would_give_away():
    survey = Survey()
    ward = PlaceFactory()
    for _n in range(15):
        survey.respond(age="25_34", ward=ward)
    for _n in range(3):
        survey.respond(age="25_34")  # outside the ward: 18 - 15 would give 3 away
    for _n in range(20):
        survey.respond(age="35_44", ward=ward)
    for _n in range(20):
        survey.respond(age="45_54", ward=ward)
    user = equalities_officer(survey.consultation)
    rows = {
        row.key: row.count
        for q, rows in selectors.equality_summary(consultation=survey.consultation, user=user, ward=ward)
        for row in rows
        if q.key == "age_band"
    }
    assert rows["25_34"] is None
    assert rows["35_44"] is None  # the next smallest, so 25_34 cannot be worked out from the total
    assert rows["45_54"] == 20


def test_representativeness_compares_with_the_census():
    survey = Survey()
    place = survey.consultation.place
    for category, count in (("25_34", 300), ("35_44", 500), ("45_54", 200)):
        CensusFigure.objects.create(place=place, question="age_band", category=category, count=count)
    for category, count in (("25_34", 30), ("35_44", 20), ("45_54", 12), ("75_plus", 3)):
        for _n in range(count):
            survey.respond(age=category)
    user = UserFactory(is_superuser=True)
    rep = {
        q.key: {row.key: row for row in rows}
        for q, rows in selectors.representativeness(consultation=survey.consultation, user=user)
    }
    age = rep["age_band"]
    assert age["25_34"].responded == 30
    assert age["25_34"].responded_share == 46.2  # of all 65 who said
    assert age["25_34"].population == 300
    assert age["25_34"].population_share == 30.0
    assert age["75_plus"].responded is None and age["75_plus"].responded_share is None
    assert age["45_54"].responded is None  # the next smallest, hidden with it
    assert age["prefer_not_to_say"].responded_share is None and age["prefer_not_to_say"].population is None


def test_representativeness_hides_a_share_that_would_give_a_hidden_group_away():
    survey = Survey()
    for _n in range(30):
        survey.respond(age=None, sex="female")
    for _n in range(10):
        survey.respond(age=None, sex="male")
    for _n in range(2):
        survey.respond(age=None, sex="prefer_not_to_say")
    user = UserFactory(is_superuser=True)
    rep = {
        q.key: {row.key: row for row in rows}
        for q, rows in selectors.representativeness(consultation=survey.consultation, user=user)
    }
    # Prefer not to say (2) is hidden, and male (10) with it; female's share of those who said (30 of
    # 40) would give male away, so it is hidden too.
    assert {key: row.responded for key, row in rep["sex"].items()} == {
        "female": None,
        "male": None,
        "prefer_not_to_say": None,
    }


def test_themes_and_text_answers():
    consultation = ConsultationFactory()
    officer = UserFactory()
    first = AnswerFactory(response=ResponseFactory(consultation=consultation), text="More buses please")
    second = AnswerFactory(response=ResponseFactory(consultation=consultation), text="Cheaper fares")
    AnswerFactory(response=ResponseFactory(consultation=consultation, draft=True), text="Not sent")
    theme = services.theme_add(consultation=consultation, actor=officer, name="Buses")
    with pytest.raises(ValidationError, match="already a theme"):
        services.theme_add(consultation=consultation, actor=officer, name="buses")
    services.answer_tag(answer=first, theme=theme, actor=officer)
    services.answer_tag(answer=first, theme=theme, actor=officer)  # once
    assert list(selectors.text_answers(consultation=consultation)) == [first, second]
    assert list(selectors.text_answers(consultation=consultation, theme=theme)) == [first]
    assert list(selectors.text_answers(consultation=consultation, untagged=True)) == [second]
    assert list(selectors.text_answers(consultation=consultation, question_key=second.question.key)) == [second]
    assert selectors.theme_counts(consultation) == [(theme, 1)]
    with pytest.raises(ValidationError, match="another consultation"):
        services.answer_tag(answer=first, theme=ThemeFactory(), actor=officer)
    services.answer_untag(answer=first, theme=theme, actor=officer)
    assert selectors.theme_counts(consultation) == [(theme, 0)]


def test_public_results_only_when_closed():
    survey = Survey()
    survey.respond()
    assert selectors.public_results(survey.consultation) is None
    closed = Survey(closed=True)
    closed.respond(yes=True)
    closed.respond(yes=False)
    found = selectors.public_results(closed.consultation)
    assert found["responses"] == 2
    assert [q["key"] for q in found["questions"]] == ["single", "multiple"]
    assert found["questions"][0]["options"][0] == {"key": "o1", "label": "Yes", "count": 1}
