"""The equality question bank, small-group suppression and the census figures import."""

from __future__ import annotations

import pytest

from coproduce.core import equality, selectors, services
from coproduce.core.models import CensusFigure, OrganisationKind, PlaceKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, UserFactory


def test_every_question_offers_prefer_not_to_say_and_unique_keys():
    for question in equality.BANK:
        keys = [key for key, _label in question.choices()]
        assert keys[-1] == equality.PREFER_NOT_TO_SAY
        assert len(keys) == len(set(keys)), question.key
    assert len({q.key for q in equality.BANK}) == len(equality.BANK)


def test_is_answer_accepts_the_bank_only():
    assert equality.is_answer("ethnicity", "asian")
    assert equality.is_answer("ethnicity", equality.PREFER_NOT_TO_SAY)
    assert not equality.is_answer("ethnicity", "martian")
    assert not equality.is_answer("shoe_size", "asian")


def test_a_small_group_is_hidden():
    rows = {row.key: row for row in equality.suppress("sex", {"female": 40, "male": 35, "prefer_not_to_say": 3})}
    assert rows["prefer_not_to_say"].suppressed
    # One hidden group could be worked out from the total: the next smallest is hidden too.
    assert rows["male"].suppressed
    assert rows["female"].count == 40


def test_two_small_groups_hide_only_themselves():
    rows = {r.key: r for r in equality.suppress("tenure", {"owned": 50, "social_rented": 4, "private_rented": 6})}
    assert rows["social_rented"].suppressed and rows["private_rented"].suppressed
    assert rows["owned"].count == 50
    assert rows["prefer_not_to_say"].count == 0  # nobody is not a small group: nothing to protect


def test_no_small_group_hides_nothing():
    rows = equality.suppress("sex", {"female": 10, "male": 12})
    assert [row.count for row in rows] == [10, 12, 0]


def test_share():
    assert equality.share(1, 3) == 33.3
    assert equality.share(None, 3) is None
    assert equality.share(2, 0) is None


@pytest.fixture
def council(db):
    borough = PlaceFactory(code="X06000009", kind=PlaceKind.COUNCIL_AREA)
    PlaceFactory(code="X05000001", parent=borough)
    PlaceFactory(code="X05000002", parent=borough)
    return OrganisationFactory(kind=OrganisationKind.COUNCIL, area=borough)


def _write(tmp_path, text: str):
    path = tmp_path / "census.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_census_import_and_counts_sum_over_wards(council, tmp_path):
    path = _write(
        tmp_path,
        "ward_code,question,category,count\n"
        "X05000001,sex,female,100\nX05000001,sex,male,90\nX05000002,sex,female,50\nX05000002,sex,male,60\n",
    )
    assert services.census_import(path=path, name="census.csv", council=council, actor=UserFactory()) == 4
    assert selectors.census_counts(place=council.area, question="sex") == {"female": 150, "male": 150}
    ward = council.area.children.get(code="X05000002")
    assert selectors.census_counts(place=ward, question="sex") == {"female": 50, "male": 60}
    # A second import replaces a ward's figure rather than adding a second one.
    services.census_import(
        path=_write(tmp_path, "ward_code,question,category,count\nX05000002,sex,male,61\n"),
        name="again.csv",
        council=council,
        actor=None,
    )
    assert selectors.census_counts(place=ward, question="sex")["male"] == 61
    assert CensusFigure.objects.count() == 4


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("ward,question,category,count\n", 1, "header"),
        ("ward_code,question,category,count\nX05000001,sex,female\n", 2, "4 fields"),
        ("ward_code,question,category,count\nX05000001,sex,female,10\nX99999999,sex,male,3\n", 3, "X99999999"),
        ("ward_code,question,category,count\nX05000001,sex,other,10\n", 2, "equality bank"),
        ("ward_code,question,category,count\nX05000001,sex,prefer_not_to_say,10\n", 2, "equality bank"),
        ("ward_code,question,category,count\nX05000001,sex,female,-4\n", 2, "whole number"),
        ("ward_code,question,category,count\nX05000001,sex,female,²\n", 2, "whole number"),
        ("ward_code,question,category,count\n", 1, "no figures"),
    ],
)
def test_a_bad_census_file_names_its_line_and_writes_nothing(council, tmp_path, text, line, words):
    with pytest.raises(services.PostcodeImportError) as caught:
        services.census_import(path=_write(tmp_path, text), name="census.csv", council=council, actor=None)
    assert caught.value.line == line
    assert words in caught.value.reason
    assert not CensusFigure.objects.exists()


def test_census_file_not_utf8(council, tmp_path):
    path = tmp_path / "census.csv"
    path.write_bytes(b"ward_code,question,category,count\nX05000001,sex,female,1\xff0\n")
    with pytest.raises(services.PostcodeImportError) as caught:
        services.census_import(path=path, name="census.csv", council=council, actor=None)
    assert caught.value.line == 2


def test_another_councils_ward_is_refused(council, tmp_path):
    PlaceFactory(code="X05000077", parent=PlaceFactory(code="X06000010", kind=PlaceKind.COUNCIL_AREA))
    with pytest.raises(services.PostcodeImportError) as caught:
        services.census_import(
            path=_write(tmp_path, "ward_code,question,category,count\nX05000077,sex,female,5\n"),
            name="census.csv",
            council=council,
            actor=None,
        )
    assert caught.value.line == 2
