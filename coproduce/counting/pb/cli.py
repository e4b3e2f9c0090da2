"""``coproduce count pb FILE…``: count participatory budgets from Pabulib files.

Imports no Django, so it starts fast and runs where only the counting engine is installed.
Exit status: 0 if every file was counted, 1 if any file failed (each failure is printed as
``FILE:LINE: reason`` on stderr), 2 for bad options.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from fractions import Fraction

from coproduce.counting.errors import CountingError
from coproduce.counting.formats.pabulib import read_pb
from coproduce.counting.pb.count import COMPLETIONS, RULES, count, default_jobs
from coproduce.counting.pb.model import Result
from coproduce.counting.pb.profile import BALLOT_MODES, UTILITIES
from coproduce.counting.pb.ties import TIE_BREAKS


def _number(value: Fraction | None) -> int | float | None:
    """JSON number for an exact amount: an integer where it is one."""
    if value is None:
        return None
    return value.numerator if value.denominator == 1 else float(value)


def as_json(result: Result, file: str, seconds: float) -> dict[str, object]:
    """The JSON object printed for one file."""
    return {
        "file": file,
        "rule": result.rule,
        "utility": result.utility,
        "completion": result.completion,
        "tie_break": result.tie_break,
        "seed": result.seed,
        "budget": _number(result.budget),
        "cost": _number(result.cost),
        "selected": list(result.selected),
        "voter_budget": _number(result.voter_budget),
        "completion_steps": result.completion_steps,
        "notes": list(result.notes),
        "ties": [{"round": t.round, "tied": list(t.tied), "chosen": t.chosen, "reason": t.reason} for t in result.ties],
        "projects": [
            {
                "id": p.id,
                "funded": p.funded,
                "cost": _number(p.cost),
                "votes": p.votes,
                "score": _number(p.score),
                "rank": p.rank,
                "round": p.round,
                "effective_votes": p.effective_votes,
                "money_from_supporters": _number(p.money_from_supporters),
                "stage": p.stage,
                "reason": p.reason,
            }
            for p in result.projects
        ],
        "seconds": round(seconds, 3),
    }


def _table(result: Result, file: str) -> str:
    lines = [
        f"{file}: {result.rule}"
        + (f" ({result.utility} utility, completion {result.completion})" if result.rule == "mes" else ""),
        f"  budget {float(result.budget):,.2f}; funded {len(result.selected)} projects costing "
        f"{float(result.cost):,.2f}",
    ]
    lines += [f"  note: {note}" for note in result.notes]
    width = max((len(p.id) for p in result.projects), default=2)
    for p in sorted(result.projects, key=lambda p: (not p.funded, p.round or 0, p.rank or 0)):
        mark = "FUNDED" if p.funded else "-"
        lines.append(f"  {p.id:<{width}}  {mark:<6}  {float(p.cost):>14,.2f}  {p.votes:>7}  {p.reason}")
    lines += [f"  tie in round {t.round}: {', '.join(t.tied)} → {t.chosen} ({t.reason})" for t in result.ties]
    return "\n".join(lines)


CSV_COLUMNS = ("file", "project_id", "funded", "cost", "votes", "score", "rank", "round", "effective_votes", "reason")


def _csv_rows(result: Result, file: str) -> list[list[object]]:
    return [
        [
            file,
            p.id,
            int(p.funded),
            _number(p.cost),
            p.votes,
            _number(p.score),
            p.rank,
            p.round,
            p.effective_votes,
            p.reason,
        ]
        for p in result.projects
    ]


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Decide which projects a participatory budget funds, and explain why, from Pabulib .pb files.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="Pabulib .pb file(s)")
    parser.add_argument(
        "--rule",
        choices=RULES,
        default="greedy",
        help="greedy (and variants), mes (Method of Equal Shares) or as-declared (the file's META rule)",
    )
    parser.add_argument(
        "--utility",
        choices=UTILITIES,
        default=None,
        help="MES utilities: cost (default), approval, or points (cumulative/scoring/ordinal)",
    )
    parser.add_argument(
        "--completion",
        choices=COMPLETIONS,
        default="none",
        help="MES add-one completion: add1 (until the next step overspends) or add1-exhaustive",
    )
    parser.add_argument("--then-greedy", action="store_true", help="after MES, spend what is left greedily")
    parser.add_argument(
        "--comparison",
        action="store_true",
        help="after MES, Pabulib's comparison step: the greedy outcome instead if more voters prefer it",
    )
    parser.add_argument(
        "--ballots", choices=BALLOT_MODES, default="native", help="approval: every listed project counts as approved"
    )
    parser.add_argument(
        "--tie-break",
        choices=TIE_BREAKS,
        default="default",
        help="default: lower cost, more votes, seeded lot; project-id: lexicographic (pabutools)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="seed of the lot that breaks remaining ties (default: the file's META seed if it gives one, else 0)",
    )
    parser.add_argument("--format", choices=("json", "table", "csv"), default="table")
    parser.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        help=f"processes a long add-one completion may use (default {default_jobs()}: this machine's CPUs, up to 4; "
        "the outcome is the same)",
    )
    return parser


def _declared_seed(instance) -> int:
    """The seed a file's META publishes (a council's count writes the seed its lot used), else 0."""
    text = (instance.meta_value("seed") or "").strip()
    return int(text) if text.isdigit() else 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def main(argv: list[str], prog: str = "coproduce count pb") -> int:
    args = build_parser(prog).parse_args(argv)
    failed = 0
    several = len(args.files) > 1
    csv_writer = csv.writer(sys.stdout, lineterminator="\n") if args.format == "csv" else None
    if csv_writer:
        csv_writer.writerow(CSV_COLUMNS)
    for number, file in enumerate(args.files, 1):
        started = time.perf_counter()
        if several:
            print(f"[{number}/{len(args.files)}] {file} …", file=sys.stderr, flush=True)

        def progress(message: str, file: str = file) -> None:
            print(f"  {file}: {message}", file=sys.stderr, flush=True)

        try:
            instance = read_pb(file)
            result = count(
                instance,
                rule=args.rule,
                utility=args.utility,
                completion=args.completion,
                then_greedy=args.then_greedy,
                comparison=args.comparison,
                ballots=args.ballots,
                tie_break=args.tie_break,
                seed=args.seed if args.seed is not None else _declared_seed(instance),
                progress=progress,
                jobs=default_jobs() if args.jobs is None else args.jobs,
            )
        except CountingError as error:
            print(f"{prog}: {error}", file=sys.stderr, flush=True)
            failed += 1
            continue
        seconds = time.perf_counter() - started
        if args.format == "json":
            print(json.dumps(as_json(result, file, seconds), ensure_ascii=False), flush=True)
        elif csv_writer:
            csv_writer.writerows(_csv_rows(result, file))
        else:
            print(_table(result, file), flush=True)
        if several:
            print(f"    done in {seconds:.2f} s", file=sys.stderr, flush=True)
    if failed:
        print(f"{prog}: {failed} of {len(args.files)} file(s) failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
