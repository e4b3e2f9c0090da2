"""The Pabulib ``.pb`` reader and writer: quirks of real files, refusals, round trips."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from coproduce.counting.errors import InputError
from coproduce.counting.pb import read_pb, read_pb_text, write_pb, write_pb_text

from . import HANDMADE_FIXTURES

FIXTURES = HANDMADE_FIXTURES / "pb"

VALID = """META
key;value
budget;10
vote_type;{vote_type}
PROJECTS
project_id;cost
a;4
b;6
VOTES
voter_id;vote{points_header}
1;{vote}{points}
"""


def _text(vote_type: str = "approval", vote: str = "a,b", points: str | None = None) -> str:
    return VALID.format(
        vote_type=vote_type,
        vote=vote,
        points_header=";points" if points is not None else "",
        points=f";{points}" if points is not None else "",
    )


def test_quirks_crlf_quotes_column_order_decimals_string_ids() -> None:
    instance = read_pb(FIXTURES / "quirks.pb")
    assert instance.budget == Fraction(201, 2)
    assert [p.id for p in instance.projects] == ["P-a", "P-b", "c7", "d"]
    assert instance.project("P-a").cost == Fraction("40.25")
    assert instance.project("P-a").name == "Park; with benches"
    assert instance.project("P-b").name == 'The "big" hall'
    assert instance.project("P-b").selected == 1
    assert instance.meta_value("description") == "Hand-made: quoted; CRLF, columns reordered"
    assert instance.ballots[1].projects == ("P-a", "P-b", "c7")
    assert instance.ballots[4].projects == ()
    assert dict(instance.ballots[0].fields) == {"age": "30"}


def test_cumulative_repeated_project_adds_points() -> None:
    instance = read_pb(FIXTURES / "cumulative_repeat.pb")
    # Voter a lists project 1 twice (1 + 2 points): the points add up, as the file's score says.
    assert instance.ballots[0].projects == ("1", "3")
    assert instance.ballots[0].points == (3, 1)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (_text(vote="a,zz"), 11, "unknown project 'zz'"),
        (_text("cumulative", "a,b", "1"), 11, "2 projects but 1 points"),
        (_text("cumulative", "a,b", "1,x"), 11, "are not numbers"),
        (_text().replace("a;4", "a;four"), 7, "cost 'four'"),
        (_text().replace("b;6", "a;6"), 8, "listed twice"),
        (_text().replace("b;6", "b;-6"), 8, "negative cost"),
        (_text().replace("1;a,b", "1;a,b;extra;more"), 11, "2 fields, the header has"),
        (_text() + "1;a\n", 12, "votes twice"),
    ],
)
def test_malformed_rows_are_refused_with_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        read_pb_text(text, source="bad.pb")
    assert caught.value.line == line
    assert caught.value.file == "bad.pb"
    assert reason.replace("2 fields", "4 fields") in str(caught.value) or reason in str(caught.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_text().replace("budget;10\n", ""), "no budget"),
        (_text().replace("vote_type;approval", "vote_type;borda"), "vote_type"),
        (_text().replace("VOTES\n", ""), "no VOTES section"),
        (_text("cumulative", "a"), "need a points column"),
    ],
)
def test_malformed_files_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        read_pb_text(text, source="bad.pb")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_pb(tmp_path / "absent.pb")


@pytest.mark.parametrize(
    ("vote_type", "vote", "points"),
    [
        ("approval", "a,b", None),
        ("choose-1", "b", None),
        ("ordinal", "b,a", None),
        ("cumulative", "a,b", "2,3"),
        ("scoring", "b,a", "1.5,-1"),
    ],
)
def test_every_vote_type_round_trips(tmp_path: Path, vote_type: str, vote: str, points: str | None) -> None:
    instance = read_pb_text(_text(vote_type, vote, points))
    write_pb(instance, tmp_path / "out.pb")
    again = read_pb(tmp_path / "out.pb")
    assert again.ballots == instance.ballots
    assert again.projects == instance.projects
    assert again.vote_type == vote_type
    assert write_pb_text(again) == write_pb_text(instance)


def test_quirky_file_round_trips_with_quotes(tmp_path: Path) -> None:
    instance = read_pb(FIXTURES / "quirks.pb")
    text = write_pb_text(instance)
    assert '"Park; with benches"' in text
    again = read_pb_text(text)
    # The writer puts project_id and cost first; every value survives.
    assert [(p.id, p.cost, p.name, p.selected, dict(p.fields)) for p in again.projects] == [
        (p.id, p.cost, p.name, p.selected, dict(p.fields)) for p in instance.projects
    ]
    assert again.ballots == instance.ballots
    assert again.budget == instance.budget
