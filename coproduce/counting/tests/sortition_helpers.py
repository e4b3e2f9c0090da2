"""Shared checks for the sortition tests, written independently of the engine's own checks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coproduce.counting.sortition import Pool, Selection, Targets, read_people, read_targets

# name -> (folder parts, targets, people, k, household columns)
CASES = {
    "example_small_20": (("flanigan2021", "examples", "example_small_20"), "categories.csv", "respondents.csv", 20, ()),
    "example_large_200": (
        ("flanigan2021", "examples", "example_large_200"),
        "categories.csv",
        "respondents.csv",
        200,
        (),
    ),
    "fixture": (("sortition_algorithms_fixture",), "features.csv", "candidates.csv", 22, ()),
    "opendlp": (("opendlp_monitoring",), "categories.csv", "respondents.csv", 30, ()),
    "opendlp_households": (("opendlp_monitoring",), "categories.csv", "respondents.csv", 30, ("address_line_1",)),
    "lambeth": (("synthetic_lambeth_like",), "categories.csv", "respondents.csv", 100, ("address", "postcode")),
}


def load(shared_data, name: str) -> tuple[Targets, Pool, int, Path]:
    parts, targets_name, people_name, k, households = CASES[name]
    folder = shared_data("sortition", *parts)
    targets = read_targets(folder / targets_name)
    pool = read_people(folder / people_name, targets, household_columns=households)
    return targets, pool, k, folder


def person_panels(selection: Selection) -> list[tuple[list[list[str]], float]]:
    """Each lottery panel as the groups it draws from, with counts, for independent checks."""
    assert selection.distribution is not None
    return [
        ([list(members)[:c] for members, c in zip(selection.distribution.groups, counts, strict=True)], p)
        for counts, p in selection.distribution.panels
    ]


def assert_valid(selection: Selection, targets: Targets, pool: Pool) -> None:
    """Every lottery panel: size k, every quota, one per household (any members of a group
    may be drawn, so groups holding a shared household must be singletons); probabilities sum
    to 1 and individual probabilities to k; the drawn panel is valid too."""
    assert selection.distribution is not None
    by_id = {p.id: p for p in pool.people}
    households = Counter(p.household for p in pool.people if p.household is not None)
    for group in selection.distribution.groups:
        for pid in group:
            assert by_id[pid].values == by_id[group[0]].values
            if len(group) > 1:
                assert by_id[pid].household is None or households[by_id[pid].household] == 1
    total = 0.0
    for chosen_by_group, p in person_panels(selection):
        total += p
        assert p > 0
        chosen = [pid for ids in chosen_by_group for pid in ids]
        assert_panel_valid(chosen, targets, pool, selection.k)
    assert total == pytest.approx(1.0, abs=1e-9)
    assert sum(p for _pid, p in selection.probabilities) == pytest.approx(selection.k, abs=1e-6)
    assert_panel_valid(list(selection.panel), targets, pool, selection.k)


def assert_panel_valid(chosen: list[str], targets: Targets, pool: Pool, k: int) -> None:
    by_id = {p.id: p for p in pool.people}
    assert len(chosen) == k == len(set(chosen))
    for j, feature in enumerate(targets.features):
        counts = Counter(by_id[pid].values[j] for pid in chosen)
        for q in targets.values_of(feature):
            assert q.min <= counts[q.value] <= q.max, (feature, q.value, counts[q.value])
    homes = [by_id[pid].household for pid in chosen if by_id[pid].household is not None]
    assert len(homes) == len(set(homes))
