"""``coproduce select`` through the installed entry point, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from . import HANDMADE_FIXTURES

FIXTURES = HANDMADE_FIXTURES / "sortition"
ROOT = Path(__file__).resolve().parents[3]
COPRODUCE = Path(sys.executable).parent / "coproduce"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COPRODUCE), "select", *args], capture_output=True, text=True, cwd=ROOT)


def tiny(*extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        str(FIXTURES / "targets.csv"),
        str(FIXTURES / "people.csv"),
        "--k",
        "4",
        "--households",
        "address,postcode",
        *extra,
    )


def test_json_output() -> None:
    out = tiny("--seed", "cli", "--panels", "5")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["algorithm"] == "leximin" and report["k"] == 4 and report["seed"] == "cli"
    assert report["min_probability"] == pytest.approx(0.4, abs=1e-8)
    assert report["bound"] == pytest.approx(0.4, abs=1e-6) and report["certified_optimal"] is True
    assert report["probabilities"]["f1"] == pytest.approx(2 / 3, abs=1e-8)
    assert len(report["panel"]) == 4 and len(report["numbered_panels"]) == 5
    assert len(report["inputs"]["targets"]["sha256"]) == 64
    assert len(report["inputs"]["people"]["sha256"]) == 64
    again = json.loads(tiny("--seed", "cli", "--panels", "5").stdout)
    assert again == report


def test_table_and_csv_formats() -> None:
    table = tiny("--seed", "t", "--format", "table", "--algorithm", "maximin")
    assert table.returncode == 0 and "min probability  0.400000000" in table.stdout
    rows = tiny("--seed", "t", "--format", "csv").stdout.splitlines()
    assert rows[0] == "id,probability,selected,Gender,Age,note"
    assert len(rows) == 9 and sum(int(r.split(",")[2]) for r in rows[1:]) == 4


def test_legacy_and_dropouts() -> None:
    legacy = json.loads(tiny("--seed", "l", "--algorithm", "legacy", "--legacy-draws", "200").stdout)
    assert legacy["bound"] is None and legacy["probabilities_estimated"] is True
    assert sum(legacy["probabilities"].values()) == pytest.approx(4)
    first = json.loads(tiny("--seed", "r").stdout)
    gone = first["panel"][0]
    replaced = json.loads(tiny("--seed", "r", "--dropouts", gone).stdout)
    assert len(replaced["replacements"]) == 1 and replaced["replacements"][0] not in first["panel"]


def test_errors_are_located_without_traceback() -> None:
    out = run(str(FIXTURES / "targets.csv"), str(FIXTURES / "people_duplicate.csv"), "--k", "2")
    assert out.returncode == 1
    assert out.stderr.strip() == f"{FIXTURES / 'people_duplicate.csv'}:4: duplicate id 'a' (first on line 2)"
    infeasible = run(str(FIXTURES / "targets_infeasible.csv"), str(FIXTURES / "people.csv"), "--k", "4")
    assert infeasible.returncode == 1 and "Traceback" not in infeasible.stderr
    assert "Only 3 respondents have Gender=Female, but min is 4" in infeasible.stderr
    assert "Gender=Female min 4->3" in infeasible.stderr
    missing = run(str(FIXTURES / "nope.csv"), str(FIXTURES / "people.csv"), "--k", "4")
    assert missing.returncode == 1 and missing.stderr.startswith(str(FIXTURES / "nope.csv") + ": cannot read")
    too_big = tiny("--k", "40")
    assert too_big.returncode == 1 and "k=40" in too_big.stderr


def test_cli_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "from coproduce.cli import main\n"
        f"status = main(['select', {str(FIXTURES / 'targets.csv')!r}, {str(FIXTURES / 'people.csv')!r},"
        " '--k', '4', '--seed', 'x'])\n"
        "assert status == 0\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr


def test_paper_files_from_the_command_line(shared_data) -> None:
    folder = shared_data("sortition", "flanigan2021", "examples", "example_small_20")
    out = run(str(folder / "categories.csv"), str(folder / "respondents.csv"), "--k", "20", "--seed", "p")
    report = json.loads(out.stdout)
    assert report["min_probability"] == pytest.approx(0.1, abs=1e-8)
    assert set(report["probabilities"]) == {str(i) for i in range(1, 201)}
