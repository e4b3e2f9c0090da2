"""``coproduce count stv``: count BLT / ``.dat`` files from the command line, without Django.

Each file is counted independently: a malformed file or an unbreakable tie is reported on
stderr (``file:line: reason``) and the rest are still counted; the exit status is 1 if any
file failed. ``--format json`` prints one JSON object per file per line (JSON Lines).

A batch of files (1 MB or more) is shared among worker processes, one per core unless
``--jobs`` says otherwise; the output is the same, in file order, as with ``--jobs 1``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from coproduce.counting.errors import CountingError
from coproduce.counting.stv.count import RULES, count, read_ballots, rule_function
from coproduce.counting.stv.report import to_csv, to_json, to_table

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Count single-transferable-vote ballot files exactly.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="BLT (.blt) or Mollison rank-vector (.dat) files")
    parser.add_argument("--rules", choices=RULES, default="scottish", help="rule set (default: scottish)")
    parser.add_argument("--seats", type=int, help="number of seats (default: as given in each file)")
    parser.add_argument("--seed", help="seed for drawing lots, recorded in the result (ties are refused without one)")
    parser.add_argument("--format", choices=("json", "table", "csv"), default="table", dest="fmt")
    parser.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    parser.add_argument(
        "--jobs",
        type=int,
        help="worker processes for a batch of files (default: one per core for 1 MB or more; "
        "results stay in file order)",
    )
    return parser


def _count_one(job: tuple[str, str, int | None, str, str | None]) -> tuple[bool, str]:
    """Read and count one file; (True, formatted result) or (False, error message).

    Returns text, not a Result, so that worker processes send back only a string.
    """
    path, rules, seats, fmt, seed = job
    try:
        result = count(read_ballots(path, seats=seats), rules=rules, seed=seed)
    except CountingError as error:
        message = str(error)
        return False, message if message.startswith(path) else f"{path}: {message}"
    if fmt == "json":
        return True, to_json(result, file=path) + "\n"
    if fmt == "csv":
        return True, to_csv(result, file=path)
    return True, to_table(result, file=path)


#: Files per task sent to a worker: a few milliseconds of work each, so that the cores end
#: together, yet few enough messages that passing them costs little.
CHUNK = 8


#: A batch smaller than this (bytes, all files together) is counted in this process by
#: default: starting workers (~30 ms) would cost more than sharing the work saves.
SMALL_BATCH = 1 << 20


def _workers(requested: int | None, files: list[str]) -> int:
    """How many processes count ``files``: ``--jobs`` if given, else one per core for a batch
    of at least ``SMALL_BATCH`` bytes (but one when called by a program running threads of its
    own, which may not expect processes to be started).

    Measured on a 2-core machine (1,100 Scottish wards): idle, two workers take the batch from
    2.4 s to 1.6-2.0 s; with other work on the second core they were ~10% slower than one
    process. A fast count on an idle machine is the common case, so the default uses every core.
    """
    if requested is None:
        if len(files) < 2 or sum(map(_size, files)) < SMALL_BATCH or threading.active_count() > 1:
            return 1
        requested = os.process_cpu_count() or 1
    return max(1, min(requested, len(files)))


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reported when the file is read


def _context(rules: str) -> BaseContext:
    """Fork: the workers start at once with the engine already imported.

    Safe when the process runs no other thread as the pool is made (the pool forks its
    workers before starting its own thread), as in the ``coproduce`` command; a caller with
    threads of its own that asks for ``--jobs`` gets forkserver instead.
    """
    import multiprocessing  # only for batches: a single file starts quicker without it

    methods = multiprocessing.get_all_start_methods()
    if "fork" not in methods or threading.active_count() > 1:
        return multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
    # Import the readers and rules once, before forking, instead of in every worker.
    from coproduce.counting.formats import blt, dat  # noqa: F401

    rule_function(rules)
    return multiprocessing.get_context("fork")


def main(argv: list[str], prog: str = "coproduce count stv") -> int:
    args = _parser(prog).parse_args(argv)
    if args.seats is not None and args.seats < 1:
        print(f"{prog}: --seats must be at least 1", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print(f"{prog}: --jobs must be at least 1", file=sys.stderr)
        return 2
    failed = 0
    started = time.monotonic()
    last_report = started
    out = sys.stdout
    csv_header_done = False  # one header for all files, even if the first one failed
    table_done = False
    jobs = [(path, args.rules, args.seats, args.fmt, args.seed) for path in args.files]
    workers = _workers(args.jobs, args.files)
    with contextlib.ExitStack() as stack:
        if workers > 1:
            # Files are independent: count them on every core, results kept in file order.
            # Small chunks keep the cores evenly busy to the end, whatever the file sizes.
            from concurrent.futures import ProcessPoolExecutor

            pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers, mp_context=_context(args.rules)))
            outcomes = pool.map(_count_one, jobs, chunksize=max(1, min(CHUNK, len(jobs) // (workers * 4))))
        else:
            outcomes = map(_count_one, jobs)
        for done, (ok, text) in enumerate(outcomes, 1):
            if not ok:
                failed += 1
                print(text, file=sys.stderr)
            elif args.fmt == "csv":
                out.write(text if not csv_header_done else text.split("\n", 1)[1])
                csv_header_done = True
            elif args.fmt == "table":
                out.write(("\n" if table_done else "") + text)
                table_done = True
            else:
                out.write(text)
            now = time.monotonic()
            if not args.quiet and len(jobs) > 1 and now - last_report > 2:
                last_report = now
                print(f"{prog}: {done}/{len(jobs)} files counted", file=sys.stderr)
    if len(jobs) > 1 and not args.quiet:
        print(
            f"{prog}: {len(jobs) - failed} counted, {failed} failed in {time.monotonic() - started:.2f} s "
            f"({workers} process{'es' if workers > 1 else ''})",
            file=sys.stderr,
        )
    return 1 if failed else 0
