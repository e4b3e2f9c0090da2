"""The ``coproduce count stv`` command, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from . import HANDMADE_FIXTURES

ROOT = Path(__file__).resolve().parents[3]
COPRODUCE = ROOT / ".venv" / "bin" / "coproduce"
FIXTURES = HANDMADE_FIXTURES / "stv"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COPRODUCE), "count", "stv", *args], capture_output=True, text=True, timeout=120)


def test_json_lines_for_several_files_and_failure_after_counting_the_rest():
    good = str(FIXTURES / "quirks.blt")
    bad = str(FIXTURES / "bad_token.blt")
    proc = run(good, bad, good, "--format", "json")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        record = json.loads(line)
        assert record["file"] == good
        assert record["rules"] == "scottish"
        assert record["seats"] == 2
        assert record["quota"] == "3.00000"  # floor(8 / 3) + 1
        assert record["elected"] == [1, 2]
        assert len(record["stages"]) >= 1
    assert f"{bad}:3: expected a candidate number" in proc.stderr


def test_parallel_jobs_give_the_same_output_in_file_order():
    files = [str(FIXTURES / "quirks.blt"), str(FIXTURES / "bad_token.blt"), str(FIXTURES / "quirks.blt")]
    serial = run(*files, "--format", "json", "--seats", "1")
    parallel = run(*files, "--format", "json", "--seats", "1", "--jobs", "2")
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout and len(serial.stdout.splitlines()) == 2


def test_table_and_csv_formats_and_options():
    good = str(FIXTURES / "quirks.blt")
    table = run(good, "--seats", "1", "--format", "table")
    assert table.returncode == 0, table.stderr
    assert "Quota: 5.00000" in table.stdout and "Elected, in order:" in table.stdout
    csv_out = run(good, "--rules", "meek", "--format", "csv")
    assert csv_out.returncode == 0, csv_out.stderr
    assert csv_out.stdout.splitlines()[0].startswith("file,rules,stage")
    assert ",meek," in csv_out.stdout
    # Several files, the first malformed: one header, rows for both good files, exit 1.
    bad = str(FIXTURES / "bad_token.blt")
    batch = run(bad, good, good, "--format", "csv")
    assert batch.returncode == 1
    rows = batch.stdout.splitlines()
    assert rows[0].startswith("file,rules,stage") and sum(r.startswith("file,") for r in rows) == 1
    assert sum(r.startswith(good + ",scottish,1,") for r in rows) == 2 * 5  # 4 candidates + NT, twice


def test_tie_needing_a_lot_is_refused_without_seed_and_repeatable_with_one(tmp_path):
    tie = tmp_path / "tie.blt"
    tie.write_text('2 1\n1 1 0\n1 2 0\n0\n"A"\n"B"\n"coin"\n')
    refused = run(str(tie))
    assert refused.returncode == 1
    assert "give a seed" in refused.stderr
    first = run(str(tie), "--seed", "2026-05-07", "--format", "json")
    second = run(str(tie), "--seed", "2026-05-07", "--format", "json")
    assert first.returncode == 0
    assert first.stdout == second.stdout
    record = json.loads(first.stdout)
    assert record["seed"] == "2026-05-07"
    assert any("lot" in t["method"] for s in record["stages"] for t in s["tie_breaks"])


def test_no_django_imported():
    code = (
        "import sys; from coproduce.cli import main; "
        f"main(['count', 'stv', {str(FIXTURES / 'quirks.blt')!r}, '--format', 'json']); "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "coproduce.counting.stv.scottish" in imported  # the count really ran
    assert not [m for m in imported if m == "django" or m.startswith("django.")]


def test_worker_processes_give_the_same_output_as_jobs_1(shared_data):
    """A batch shared among processes (as by default, one per core): stdout, stderr errors and
    exit status are as with --jobs 1."""
    folder = shared_data("stv", "scot-elex-mccune", "blt_files")
    real = [str(path) for path in sorted(folder.glob("*/*.blt"))[::10]]  # 110 wards, 1.7 MB
    assert sum(os.stat(path).st_size for path in real) > 1 << 20  # enough to share out by default
    bad = str(FIXTURES / "bad_token.blt")
    files = [real[0], bad, *real[1:], bad]
    cores = min(os.process_cpu_count() or 1, len(files))
    for fmt in ("json", "csv", "table"):
        default = run(*files, "--format", fmt, "--seed", "t")
        shared = run(*files, "--format", fmt, "--seed", "t", "--jobs", "2")
        serial = run(*files, "--format", fmt, "--seed", "t", "--jobs", "1")
        assert default.returncode == shared.returncode == serial.returncode == 1
        assert default.stdout == shared.stdout == serial.stdout
        for proc in (default, shared, serial):
            errors = [line for line in proc.stderr.splitlines() if line.startswith(bad)]
            assert errors == [f"{bad}:3: expected a candidate number, found 'x'"] * 2
            assert "110 counted, 2 failed" in proc.stderr
        assert "(2 processes)" in shared.stderr
        assert "(1 process)" in serial.stderr
        assert f"({cores} process" in default.stderr
        if fmt == "json":
            assert [json.loads(line)["file"] for line in default.stdout.splitlines()] == real


def test_small_batches_stay_in_process_unless_jobs_given():
    files = [str(FIXTURES / "quirks.blt")] * 3
    small = run(*files, "--format", "json")
    assert small.returncode == 0 and "(1 process)" in small.stderr
    forced = run(*files, "--format", "json", "--jobs", "2")
    assert forced.returncode == 0 and "(2 processes)" in forced.stderr
    assert forced.stdout == small.stdout and len(small.stdout.splitlines()) == 3


def test_jobs_must_be_at_least_one():
    proc = run(str(FIXTURES / "quirks.blt"), "--jobs", "0")
    assert proc.returncode == 2 and "--jobs must be at least 1" in proc.stderr


def test_default_jobs_stay_in_process_for_callers_running_threads(shared_data):
    """A program with threads of its own calling main() gets no processes unless it asks (--jobs);
    without threads (as in a fresh interpreter, on 2 CPUs) a batch this big gets two."""
    real = [str(path) for path in sorted(shared_data("stv", "scot-elex-mccune", "blt_files").glob("*/*.blt"))[::10]]
    code = (
        "import os, sys, threading\n"
        "from coproduce.counting.stv.cli import _workers\n"
        "os.process_cpu_count = lambda: 2\n"
        "files = sys.argv[1:]\n"
        "print(threading.active_count(), _workers(None, files))\n"
        "stop = threading.Event()\n"
        "thread = threading.Thread(target=stop.wait, daemon=True)\n"
        "thread.start()\n"
        "print(threading.active_count(), _workers(None, files), _workers(2, files))\n"
        "stop.set()\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *real], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    alone, threaded = done.stdout.splitlines()
    assert alone == "1 2"
    assert threaded == "2 1 2"
