"""``coproduce count stv``: count BLT / ``.dat`` files from the command line, without Django.

Each file is counted independently: a malformed file or an unbreakable tie is reported on
stderr (``file:line: reason``) and the rest are still counted; the exit status is 1 if any
file failed. ``--format json`` prints one JSON object per file per line (JSON Lines).
"""

from __future__ import annotations

import argparse
import sys
import time

from coproduce.counting.errors import CountingError
from coproduce.counting.stv.count import RULES, count, read_ballots
from coproduce.counting.stv.report import to_csv, to_json, to_table


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Count single-transferable-vote ballot files exactly.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="BLT (.blt) or Mollison rank-vector (.dat) files")
    parser.add_argument("--rules", choices=RULES, default="scottish", help="rule set (default: scottish)")
    parser.add_argument("--seats", type=int, help="number of seats (default: as given in each file)")
    parser.add_argument("--seed", help="seed for drawing lots, recorded in the result (ties are refused without one)")
    parser.add_argument("--format", choices=("json", "table", "csv"), default="table", dest="fmt")
    parser.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    return parser


def main(argv: list[str], prog: str = "coproduce count stv") -> int:
    args = _parser(prog).parse_args(argv)
    if args.seats is not None and args.seats < 1:
        print(f"{prog}: --seats must be at least 1", file=sys.stderr)
        return 2
    failed = 0
    started = time.monotonic()
    last_report = started
    out = sys.stdout
    csv_header_done = False  # one header for all files, even if the first one failed
    for done, path in enumerate(args.files, 1):
        try:
            contest = read_ballots(path, seats=args.seats)
            result = count(contest, rules=args.rules, seed=args.seed)
        except CountingError as error:
            failed += 1
            message = str(error)
            if not message.startswith(path):
                message = f"{path}: {message}"
            print(message, file=sys.stderr)
            continue
        if args.fmt == "json":
            out.write(to_json(result, file=path) + "\n")
        elif args.fmt == "csv":
            text = to_csv(result, file=path)
            out.write(text if not csv_header_done else text.split("\n", 1)[1])
            csv_header_done = True
        else:
            out.write(to_table(result, file=path) + ("\n" if done < len(args.files) else ""))
        now = time.monotonic()
        if not args.quiet and len(args.files) > 1 and now - last_report > 2:
            last_report = now
            print(f"{prog}: {done}/{len(args.files)} files counted", file=sys.stderr)
    if len(args.files) > 1 and not args.quiet:
        print(
            f"{prog}: {len(args.files) - failed} counted, {failed} failed in {time.monotonic() - started:.2f} s",
            file=sys.stderr,
        )
    return 1 if failed else 0
