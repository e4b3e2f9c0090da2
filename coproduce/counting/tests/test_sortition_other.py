"""Infeasible quotas, replacements for drop-outs and the legacy greedy draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from coproduce.counting.errors import InputError
from coproduce.counting.sortition import InfeasibleQuotas, read_people, read_targets, replacements, select
from coproduce.counting.sortition.infeasibility import smallest_relaxation
from coproduce.counting.tests.sortition_helpers import assert_panel_valid, load

from . import HANDMADE_FIXTURES

FIXTURES = HANDMADE_FIXTURES / "sortition"


def tiny(targets_name: str = "targets.csv"):
    targets = read_targets(FIXTURES / targets_name)
    pool = read_people(FIXTURES / "people.csv", targets, household_columns=["address", "postcode"])
    return targets, pool


def test_infeasible_quotas_name_the_conflict_and_the_smallest_fix() -> None:
    targets, pool = tiny("targets_infeasible.csv")
    with pytest.raises(InfeasibleQuotas) as caught:
        select(targets, pool, 4, seed="x")
    error = caught.value
    assert error.conflicts == ("Only 3 respondents have Gender=Female, but min is 4.",)
    assert error.relaxations is not None and len(error.relaxations) == 1
    fix = error.relaxations[0]
    assert (fix.feature, fix.value, fix.new_min, fix.new_max) == ("Gender", "Female", 3, 4)
    assert str(error).startswith(str(FIXTURES / "targets_infeasible.csv") + ": no panel meets the quotas")


def test_relaxation_respects_flex(tmp_path: Path) -> None:
    """With min_flex = min the only way out is raising other maximums, within max_flex."""
    path = tmp_path / "t.csv"
    path.write_text(
        "feature,value,min,max,min_flex,max_flex\n"
        "Gender,Female,2,2,2,2\nGender,Male,1,1,1,2\nAge,Young,1,3,1,3\nAge,Old,1,3,1,3\n"
    )
    targets = read_targets(path)
    pool = read_people(FIXTURES / "people.csv", targets, household_columns=["address", "postcode"])
    fixes = smallest_relaxation(targets, pool, 4)
    assert fixes is not None
    assert [(f.feature, f.value, f.new_min, f.new_max) for f in fixes] == [("Gender", "Male", 1, 2)]
    path.write_text(
        "feature,value,min,max,min_flex,max_flex\n"
        "Gender,Female,2,2,2,2\nGender,Male,1,1,1,1\nAge,Young,1,3,1,3\nAge,Old,1,3,1,3\n"
    )
    targets = read_targets(path)
    pool = read_people(FIXTURES / "people.csv", targets)
    assert smallest_relaxation(targets, pool, 4) is None
    with pytest.raises(InfeasibleQuotas, match="maximums of Gender add up to 3, less than k=4"):
        select(targets, pool, 4, seed="x")


def test_infeasible_conflict_found_only_by_the_solver(shared_data) -> None:
    """Each feature is fine alone; together with k they clash, and the MIP says what to relax."""
    targets, pool, _k, _folder = load(shared_data, "opendlp")
    with pytest.raises(InfeasibleQuotas) as caught:
        select(targets, pool, 46, algorithm="maximin", seed="x")
    assert caught.value.relaxations
    assert any("maximums" in c or "cannot all be met" in c for c in caught.value.conflicts)


def test_replacements_honour_quotas_and_households(shared_data) -> None:
    targets, pool, k, _folder = load(shared_data, "lambeth")
    # Maximin is enough here: replacements only need some valid panel to start from.
    result = select(targets, pool, k, algorithm="maximin", seed="reserve")
    gone = list(result.panel[10:17])
    chosen = replacements(targets, pool, k, result.panel, gone, "reserve")
    assert len(chosen) == 7 and not set(chosen) & set(result.panel)
    new_panel = [pid for pid in result.panel if pid not in gone] + list(chosen)
    assert_panel_valid(new_panel, targets, pool, k)
    assert replacements(targets, pool, k, result.panel, gone, "reserve") == chosen
    assert replacements(targets, pool, k, result.panel, gone, "other") != chosen


def test_replacement_needs_the_only_compatible_person() -> None:
    """If f1 drops out, the only woman not on the panel must replace her."""
    targets, pool = tiny()
    panel = ("f1", "f2", "m1", "m2")
    assert replacements(targets, pool, 4, panel, ["f1"], "s") == ("f3",)


def test_legacy_draws_valid_panels_and_estimates_probabilities(shared_data) -> None:
    targets, pool, k, _folder = load(shared_data, "opendlp_households")
    result = select(targets, pool, k, algorithm="legacy", seed="legacy", legacy_draws=300)
    assert result.estimated and result.bound is None and result.distribution is None
    assert sum(p for _pid, p in result.probabilities) == pytest.approx(k)
    assert_panel_valid(list(result.panel), targets, pool, k)
    again = select(targets, pool, k, algorithm="legacy", seed="legacy", legacy_draws=300)
    assert again.panel == result.panel
    # The greedy draw is less fair than the optimum, as Flanigan et al. report.
    assert result.min_probability < 27 / 91


def test_irreplaceable_dropouts_are_refused() -> None:
    """Only three women exist: if two drop out of a panel holding f1, f2, nobody can replace them."""
    targets, pool = tiny()
    with pytest.raises(InputError, match="no respondents left can replace"):
        replacements(targets, pool, 4, ("f1", "f2", "m1", "m2"), ["f1", "f2"], "s")
