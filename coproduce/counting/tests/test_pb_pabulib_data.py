"""The engine on every saved Pabulib instance: pabutools' outcomes and the cities' own results.

pabutools' outcomes were computed once by ``bench/pabutools_oracle.py`` (every ballot read as
approval, ties by project id) and are stored as project ids in ``fixtures/pb/pabutools_expected.json``.
The data files themselves are never committed; tests read them through the ``shared_data`` fixture.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pytest

from coproduce.counting.errors import InputError
from coproduce.counting.pb import Instance, count, read_pb
from coproduce.counting.pb.profile import compile_instance

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "pb" / "pabutools_expected.json").read_text())
# pabutools' running times (and time-outs), written by the same script.
TIMINGS = Path(__file__).resolve().parents[3] / "bench" / "pabutools_timings.json"

TASKS = {
    "greedy-cost": {"rule": "greedy"},
    "mes-cost": {"rule": "mes", "utility": "cost"},
    "mes-approval": {"rule": "mes", "utility": "approval"},
    "mes-cost-add1e": {"rule": "mes", "utility": "cost", "completion": "add1-exhaustive"},
}

# Files whose declared rule we cannot reproduce, and why (every other file with a `selected`
# column must be reproduced exactly by --rule as-declared).
NOT_REPRODUCIBLE = {
    "Poland_Poznan_": "greedy-custom: Poznań's own rules (e.g. `selected=2` for projects funded for special "
    "reasons, explained only in free-text comments)",
    "Hungary_": "rule unknown: the file does not say how winners were chosen",
}
EQUAL_SHARES_ELECTIONS = {
    "Netherlands_Assen_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
}


@lru_cache(maxsize=2)
def _read(path: Path) -> Instance:
    return read_pb(path)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_agrees_with_pabutools(shared_data, name: str) -> None:
    instance = _read(shared_data("pabulib", name))
    assert EXPECTED[name], "no pabutools outcome recorded"
    for task, expected in EXPECTED[name].items():
        result = count(instance, ballots="approval", tie_break="project-id", **TASKS[task])
        assert sorted(result.selected) == sorted(expected), task
        assert result.cost <= result.budget


def test_every_instance_has_pabutools_outcomes_for_the_three_rules(shared_data) -> None:
    """Greedy, MES (cost) and MES (approval) are recorded for every file, except where pabutools'
    run did not finish — and then bench/pabutools_timings.json says so (timeout, error, or not run
    before the oracle was stopped), so no gap is silent."""
    names = {path.name for path in shared_data("pabulib").glob("*.pb")}
    assert len(names) == 136
    timings = json.loads(TIMINGS.read_text())
    for name in names:
        for task in ("greedy-cost", "mes-cost", "mes-approval"):
            if task not in EXPECTED.get(name, {}):
                reasons = timings.get(name, {}).get(task, {})
                assert {"timeout", "error", "not_run"} & set(reasons), (name, task)


def test_files_read_consistently_and_history_is_reproduced(shared_data) -> None:
    """Every file: the reader's vote counts and points equal the file's own columns; every file
    with historical winners is reproduced by ``--rule as-declared`` or listed with its reason."""
    folder = shared_data("pabulib")
    reproduced: list[str] = []
    refused: list[str] = []
    differences: list[tuple[str, str, int, int]] = []
    for path in sorted(folder.glob("*.pb")):
        instance = read_pb(path)
        compiled = compile_instance(instance)
        for project, votes, score in zip(instance.projects, compiled.votes, compiled.score, strict=True):
            if project.field("votes") not in (None, "") and votes != int(project.field("votes")):
                differences.append((path.name, project.id, votes, int(project.field("votes"))))
            if project.field("score") not in (None, "") and instance.vote_type != "approval":
                assert score == Fraction(project.field("score")), (path.name, project.id)
        if all(project.selected is None for project in instance.projects):
            continue
        history = sorted(p.id for p in instance.projects if p.selected)
        reason = next((why for prefix, why in NOT_REPRODUCIBLE.items() if path.name.startswith(prefix)), None)
        if reason is not None:
            with pytest.raises(InputError, match="cannot be reproduced"):
                count(instance, rule="as-declared")
            refused.append(path.name)
            continue
        result = count(instance, rule="as-declared")
        assert sorted(result.selected) == history, path.name
        reproduced.append(path.name)
    # The one known quirk: a Częstochowa ballot lists project 579 four times; its `votes` column
    # counts mentions (704), we count voters (701). Its `score` (points) agrees with ours.
    assert differences == [("Poland_Czestochowa_2020.pb", "579", 701, 704)]
    assert set(reproduced) >= EQUAL_SHARES_ELECTIONS
    # 47 files declare a greedy variant (38 greedy, 5 greedy-threshold, 3 greedy-no-skip,
    # 1 greedy-exclusive) and 3 Equal Shares: all 50 reproduced.
    assert len(reproduced) == 47 + 3
    assert len(refused) == 16 + 3
