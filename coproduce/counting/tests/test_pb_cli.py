"""``coproduce count pb``, run as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from . import HANDMADE_FIXTURES

FIXTURES = HANDMADE_FIXTURES / "pb"
COPRODUCE = Path(sys.executable).parent / "coproduce"
QUIRKS = str(FIXTURES / "quirks.pb")
CUMULATIVE = str(FIXTURES / "cumulative_repeat.pb")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COPRODUCE), "count", "pb", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_json_one_object_per_file_with_explanations() -> None:
    done = run(QUIRKS, CUMULATIVE, "--rule", "greedy", "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == [QUIRKS, CUMULATIVE]
    first = lines[0]
    assert first["rule"] == "greedy"
    assert first["selected"] == ["P-a", "P-b"]
    assert first["cost"] == 100.25
    assert first["budget"] == 100.5
    reasons = {p["id"]: p["reason"] for p in first["projects"]}
    assert "over budget" in reasons["c7"]
    assert lines[1]["selected"] == ["1", "3"]
    # Progress for a batch goes to stderr, never into the JSON stream.
    assert "[2/2]" in done.stderr


def test_mes_options_and_csv() -> None:
    done = run(
        QUIRKS,
        "--rule",
        "mes",
        "--utility",
        "approval",
        "--completion",
        "add1",
        "--then-greedy",
        "--ballots",
        "approval",
        "--tie-break",
        "project-id",
        "--format",
        "csv",
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {row["project_id"] for row in rows} == {"P-a", "P-b", "c7", "d"}
    funded = {row["project_id"] for row in rows if row["funded"] == "1"}
    assert "P-a" in funded
    assert all(row["reason"] for row in rows)


def test_table_format_names_funded_projects() -> None:
    done = run(CUMULATIVE, "--rule", "greedy")
    assert done.returncode == 0
    assert "FUNDED" in done.stdout and "rank 1" in done.stdout


def test_a_bad_file_fails_the_batch_but_not_the_others(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;x\nVOTES\nvoter_id;vote\n"
    )
    done = run(str(bad), QUIRKS, "--format", "json")
    assert done.returncode == 1
    assert f"{bad}:7: cost 'x'" in done.stderr
    assert [json.loads(line)["file"] for line in done.stdout.splitlines()] == [QUIRKS]


def test_bad_option_is_a_usage_error() -> None:
    done = run(QUIRKS, "--rule", "borda")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_jobs_must_be_a_positive_whole_number() -> None:
    done = run(QUIRKS, "--jobs", "0")
    assert done.returncode == 2
    assert "--jobs: must be a whole number of at least 1, not '0'" in done.stderr


def test_counting_with_one_job_or_two_gives_the_same_count(shared_data) -> None:
    """Toulouse 2024's completion (about 2.5 s of CPU) is long enough to walk in parallel with two;
    the progress lines say when it does."""
    path = str(shared_data("pabulib", "France_Toulouse_2024.pb"))
    options = ("--rule", "mes", "--completion", "add1", "--ballots", "approval", "--format", "json")
    one, two = (run(path, *options, "--jobs", jobs) for jobs in ("1", "2"))
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert " walked" not in one.stderr and " walked" in two.stderr
    first, second = json.loads(one.stdout), json.loads(two.stdout)
    assert first["selected"] and first["selected"] == second["selected"]
    assert first["completion_steps"] == second["completion_steps"] > 0


def test_counting_does_not_import_django() -> None:
    code = (
        "import sys\nfrom coproduce.cli import main\n"
        f"rc = main(['count', 'pb', {QUIRKS!r}, '--rule', 'mes', '--format', 'json'])\n"
        "print('DJANGO' if 'django' in sys.modules else 'NO-DJANGO', rc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip().splitlines()[-1] == "NO-DJANGO 0", done.stderr


def test_as_declared_reproduces_assen_through_the_cli(shared_data) -> None:
    path = shared_data("pabulib", "Netherlands_Assen_2024.pb")
    done = run(str(path), "--rule", "as-declared", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert sorted(result["selected"], key=int) == ["2", "3", "5", "6", "9", "11", "12", "13", "14"]
    assert result["completion"] == "add1"


def test_reader_imports_on_its_own() -> None:
    # The reader builds the engine's model classes; importing it first must not be circular.
    code = "from coproduce.counting.formats.pabulib import read_pb; print(read_pb.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip() == "read_pb", done.stderr


def _tie_file(path: Path, seed: int | None) -> str:
    """Two projects of the same cost and votes and money for one: only the lot can choose."""
    meta = [
        "META",
        "key;value",
        "description;a tie",
        "num_projects;2",
        "num_votes;2",
        "budget;10",
        "vote_type;approval",
    ]
    meta += ["rule;greedy"] + ([f"seed;{seed}"] if seed is not None else [])
    lines = [*meta, "PROJECTS", "project_id;cost;votes", "x;10;1", "y;10;1", "VOTES", "voter_id;vote", "1;x", "2;y"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_seed_published_in_the_file_is_the_lot_as_declared(tmp_path: Path) -> None:
    """A council's count writes its seed in META; recounting the file as declared draws the same lot."""
    plain = _tie_file(tmp_path / "plain.pb", None)
    by_seed = {}
    for seed in range(12):
        done = run(plain, "--rule", "as-declared", "--seed", str(seed), "--format", "json")
        assert done.returncode == 0, done.stderr
        by_seed[seed] = json.loads(done.stdout)["selected"]
    assert len({tuple(selected) for selected in by_seed.values()}) == 2  # the seed decides
    differs = next(seed for seed, selected in by_seed.items() if selected != by_seed[0])
    published = _tie_file(tmp_path / "published.pb", differs)
    done = run(published, "--rule", "as-declared", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["selected"] == by_seed[differs]
    # Without a seed in META, and none given, the lot is seed 0's as before.
    assert json.loads(run(plain, "--rule", "as-declared", "--format", "json").stdout)["selected"] == by_seed[0]
