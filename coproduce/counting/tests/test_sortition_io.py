"""CSV readers: the three targets conventions, matching rules and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from coproduce.counting.errors import InputError
from coproduce.counting.sortition import read_people, read_targets

from . import HANDMADE_FIXTURES

FIXTURES = HANDMADE_FIXTURES / "sortition"


def test_current_convention_with_flex() -> None:
    targets = read_targets(FIXTURES / "targets.csv")
    assert targets.features == ("Gender", "Age")
    female = targets.quotas[0]
    assert (female.feature, female.value, female.min, female.max, female.min_flex, female.max_flex) == (
        "Gender",
        "Female",
        2,
        2,
        0,
        4,
    )
    assert len(targets.sha256) == 64


def test_old_convention_ignores_extra_columns_and_normalises_case() -> None:
    old = read_targets(FIXTURES / "targets_old_style.csv")
    assert old.features == ("gender", "age")  # first spelling wins; "GENDER" matched to it
    assert [(q.value, q.min, q.max) for q in old.quotas] == [
        ("female", 2, 2),
        ("male", 2, 2),
        ("young", 1, 3),
        ("OLD", 1, 3),
    ]
    assert old.quotas[0].max_flex is None


def test_paper_convention(shared_data) -> None:
    folder = shared_data("sortition", "flanigan2021", "examples", "example_small_20")
    targets = read_targets(folder / "categories.csv")
    assert targets.features == ("gender", "leaning")
    pool = read_people(folder / "respondents.csv", targets)
    assert len(pool.people) == 200
    assert pool.id_column is None and pool.people[0].id == "1" and pool.people[-1].id == "200"


def test_people_case_insensitive_households_and_extra() -> None:
    targets = read_targets(FIXTURES / "targets.csv")
    pool = read_people(FIXTURES / "people.csv", targets, household_columns=["Address", "postcode"])
    by_id = {p.id: p for p in pool.people}
    assert by_id["f2"].values == ("Female", "Young")
    assert by_id["m5"].values == ("Male", "Old")
    assert by_id["m4"].household == by_id["m5"].household  # "7 High St" == "7  high st"
    assert by_id["m3"].household != by_id["m4"].household
    assert by_id["f1"].extra == (("note", "a"),)
    assert pool.id_column == "id"


def test_rows_without_id_column_are_numbered() -> None:
    targets = read_targets(FIXTURES / "targets.csv")
    pool = read_people(FIXTURES / "people_no_id.csv", targets)
    assert pool.ids == ("1", "2")


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [("people_duplicate.csv", 4, "duplicate id 'a'"), ("people_unknown.csv", 3, "'Other' is not in the targets")],
)
def test_people_errors_are_located(name: str, line: int, words: str) -> None:
    targets = read_targets(FIXTURES / "targets.csv")
    with pytest.raises(InputError) as caught:
        read_people(FIXTURES / name, targets)
    assert caught.value.line == line
    assert caught.value.file is not None and caught.value.file.endswith(name)
    assert words in caught.value.reason


def test_targets_errors_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text("feature,value,min,max\ng,a,1,2\ng,b,3,x\n")
    with pytest.raises(InputError, match=r"t\.csv:3: max must be a whole number"):
        read_targets(bad)
    bad.write_text("feature,value,min,max\ng,a,1,2\nG, A ,1,2\n")
    with pytest.raises(InputError, match=r"t\.csv:3: duplicate quota"):
        read_targets(bad)
    bad.write_text("feature,value,min,max\ng,a,3,2\n")
    with pytest.raises(InputError, match=r":2: need 0 <= min <= max"):
        read_targets(bad)
    bad.write_text("what,ever\n1,2\n")
    with pytest.raises(InputError, match=r":1: header must have"):
        read_targets(bad)


def test_missing_feature_column_is_refused(tmp_path: Path) -> None:
    targets = read_targets(FIXTURES / "targets.csv")
    people = tmp_path / "p.csv"
    people.write_text("id,gender\na,Female\n")
    with pytest.raises(InputError, match=r"p\.csv:1: no feature column 'Age'"):
        read_people(people, targets)
