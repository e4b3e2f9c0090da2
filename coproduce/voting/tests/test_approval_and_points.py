"""Approval and points ballots: what the box accepts, and the refusals with their codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coproduce.core.tests.factories import UserFactory
from coproduce.voting import selectors, services
from coproduce.voting.models import BoxKind

pytestmark = pytest.mark.django_db

OPTIONS = ["a", "b", "c", "d"]


def open_box(kind: str, **limits):
    box = services.box_create(title="Budget", app_label="tests", kind=kind, options=OPTIONS, **limits)
    people = [UserFactory() for _ in range(3)]
    return services.box_open(box=box, electorate=people, by=None), people


def refused_code(box, content) -> str:
    with pytest.raises(ValidationError) as caught:
        services.ballot_content_check(box, content)
    return caught.value.code


def test_an_approval_ballot_takes_any_subset_or_at_most_n():
    box, (voter, *_) = open_box(BoxKind.APPROVAL)
    services.vote_cast(box=box, person=voter, content=["d", "a", "c", "b"])
    assert list(selectors.valid_ballots(box)) == [["d", "a", "c", "b"]]
    limited, _people = open_box(BoxKind.APPROVAL, max_choices=2)
    assert refused_code(limited, ["a", "b", "c"]) == "too_many"
    assert refused_code(limited, ["a", "a"]) == "repeated"
    assert refused_code(limited, ["z"]) == "unknown_option"
    assert refused_code(limited, []) == "empty"


def test_a_points_ballot_stores_pairs_within_the_total():
    box, (voter, *_) = open_box(BoxKind.POINTS, max_points=10)
    services.vote_cast(box=box, person=voter, content=[("a", 7), ["c", 3]])
    assert list(selectors.valid_ballots(box)) == [[["a", 7], ["c", 3]]]
    with pytest.raises(ValidationError) as caught:
        services.ballot_content_check(box, [["a", 7], ["b", 4]])
    assert caught.value.code == "too_many_points"
    assert "11" in caught.value.messages[0] and "10" in caught.value.messages[0]
    for bad in ([["a", 0]], [["a", 1.5]], [["a", True]], [["a"]], ["a"], [["a", "3"]]):
        assert refused_code(box, bad) == "bad_points", bad
    assert refused_code(box, [["a", 1], ["a", 2]]) == "repeated"
    assert refused_code(box, [["z", 1]]) == "unknown_option"


def test_only_a_points_box_has_a_points_total():
    with pytest.raises(ValueError):
        services.box_create(title="x", app_label="tests", kind=BoxKind.POINTS, options=OPTIONS)
    with pytest.raises(ValueError):
        services.box_create(title="x", app_label="tests", kind=BoxKind.APPROVAL, options=OPTIONS, max_points=3)
