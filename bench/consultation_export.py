"""Time the XLSX export of 10,000 responses to a 30-question survey, and measure its peak memory.

    .venv/bin/python bench/consultation_export.py                      # fresh SQLite file in a temporary folder
    .venv/bin/python bench/consultation_export.py --responses 20000
    /tmp/pgbench.sh .venv/bin/python bench/consultation_export.py      # a throwaway PostgreSQL cluster

Seeds the council, its wards and a closed consultation with ``--responses`` sent responses (10,000)
to the 30-question survey of ``bench/consultation_results.py`` (its seeding, reused). Then, in a
FRESH child process (so that its memory is the export's, not the seeding's), the council's
officer, signed in with a second factor, GETs ``consultations:export_xlsx`` through Django's test
client (the whole stack: middleware, session, permissions, the view) and reads the streamed
file to the end, writing it to disk as a browser would. The child reports:

* the time from the request to the last byte (target < 10 s) and to the first byte, and the
  process's CPU time for it (the database's own work on PostgreSQL is in another process);
* the process's peak resident memory (``VmHWM``, reset when the child starts, since a forked
  child inherits its parent's peak; ``ru_maxrss`` where Linux's figures are missing): everything
  the process held, Django and Python included; target < 200 MB), and its growth over the moment
  before the request (what the export itself added);
* the file's size, and its rows read back with openpyxl (one header row and one row per response).

Prints the figures with PASS or MISS against each target; exits 1 if the export did not answer
200 or its rows are not one per response.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.budget_count import verdict  # noqa: E402 - after the path is set
from bench.election_count import configure  # noqa: E402

TARGET_SECONDS = 10.0
TARGET_PEAK_MB = 200


def reset_peak() -> bool:
    """Start the peak resident memory afresh (Linux 4.0+: ``5`` to ``/proc/self/clear_refs``).

    A child forked from the seeding process starts with the parent's peak (``ru_maxrss`` and
    ``VmHWM`` are copied at fork), which is not the export's. False where it cannot be reset."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    """The process's peak resident memory, in MB: ``VmHWM`` (since the last reset) where Linux gives it,
    else ``ru_maxrss`` (KB on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(database_url: str, consultation_id: int, officer_email: str) -> int:
    """Export in this fresh process and print the figures as one JSON line."""
    reset = reset_peak()
    configure(database_url)
    import django

    django.setup()
    from django.urls import reverse

    from bench.consultation_results import officer_client
    from coproduce.core.models import User

    client = officer_client(User.objects.get(email=officer_email))
    url = reverse("consultations:export_xlsx", kwargs={"pk": consultation_id})
    before = peak_mb()
    cpu_before = time.process_time()
    out = Path(tempfile.mkdtemp(prefix="coproduce-export-")) / "responses.xlsx"
    started = time.perf_counter()
    response = client.get(url)
    first_byte = None
    size = 0
    with out.open("wb") as handle:
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:
            if first_byte is None:
                first_byte = time.perf_counter() - started
            handle.write(chunk)
            size += len(chunk)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    if hasattr(response, "close"):
        response.close()
    figures = {
        "status": response.status_code,
        "streaming": response.streaming,
        "content_type": response.get("Content-Type", ""),
        "seconds": elapsed,
        "cpu": cpu,
        "first_byte": first_byte or elapsed,
        "peak_mb": peak_mb(),
        "before_mb": before,
        "reset": reset,
        "bytes": size,
        "file": str(out),
    }
    print(json.dumps(figures), flush=True)
    return 0


def rows_in(path: str) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=10_000, help="responses to export (default 10,000)")
    parser.add_argument("--child", nargs=3, metavar=("DATABASE_URL", "CONSULTATION", "OFFICER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        database_url, consultation_id, officer_email = args.child
        return child(database_url, int(consultation_id), officer_email)

    given = os.environ.get("DATABASE_URL")
    database_url = configure(given)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.consultation_results import QUESTIONS, seed

    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor} ({'DATABASE_URL' if given else 'a temporary SQLite file'}); a closed "
        f"consultation, {QUESTIONS} questions, {args.responses:,} sent responses",
        flush=True,
    )
    started = time.perf_counter()
    officer, consultations, rows = seed(args.responses)
    consultation = consultations[args.responses]
    print(f"set up in {time.perf_counter() - started:.1f} s ({rows:,} answer rows)", flush=True)
    connection.close()  # the child reads a committed database

    result = subprocess.run(
        [sys.executable, __file__, "--child", database_url, str(consultation.pk), officer.email],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        print(result.stdout + result.stderr)
        print("PROBLEM: the export's process failed")
        return 1
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    problems = []
    if figures["status"] != 200:
        problems.append(f"the export answered {figures['status']}")
    read = rows_in(figures["file"]) if figures["status"] == 200 else 0
    if read != args.responses + 1:
        problems.append(f"the file holds {read:,} rows, not {args.responses + 1:,} (a header and one per response)")
    print()
    print(
        f"XLSX export of {args.responses:,} responses ({figures['content_type']}, "
        f"{'streamed' if figures['streaming'] else 'NOT streamed'}): {figures['seconds']:.2f} s to the last byte, "
        f"{figures['first_byte']:.2f} s to the first (target < {TARGET_SECONDS:.0f} s) "
        f"{verdict(figures['seconds'] < TARGET_SECONDS)}; {figures['cpu']:.2f} s of the process's CPU time "
        f"(the wall time on a busy machine is longer)"
    )
    if not figures["reset"]:
        print("(the peak could not be reset: it includes the seeding process's, from which the child was forked)")
    print(
        f"peak memory of the exporting process: {figures['peak_mb']:.0f} MB (Django and Python included; "
        f"{figures['before_mb']:.0f} MB before the request, so the export added "
        f"{figures['peak_mb'] - figures['before_mb']:.0f} MB) (target < {TARGET_PEAK_MB} MB) "
        f"{verdict(figures['peak_mb'] < TARGET_PEAK_MB)}"
    )
    print(f"file: {figures['bytes'] / 1e6:.1f} MB, {read:,} rows read back with openpyxl")
    os.unlink(figures["file"])
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
