"""``coproduce select``: sortition from the command line, without importing Django.

Errors print ``file:line: reason`` on stderr and exit 1; argparse usage errors exit 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from coproduce.counting.errors import InputError
from coproduce.counting.sortition.engine import ALGORITHMS, ENGINE_VERSION, select
from coproduce.counting.sortition.io import read_people, read_targets
from coproduce.counting.sortition.legacy import LegacyFailed
from coproduce.counting.sortition.model import Pool, Selection, Targets
from coproduce.counting.sortition.reserves import replacements

# Bound and minimum within this are reported as certified optimal.
CERTIFICATE_TOL = 1e-6


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Select a representative panel by sortition (LEXIMIN by default).",
    )
    parser.add_argument("targets", help="categories/targets CSV (feature,value,min,max[,min_flex,max_flex])")
    parser.add_argument("people", help="respondents CSV (id column, one column per feature)")
    parser.add_argument("--k", type=int, required=True, help="panel size")
    parser.add_argument("--algorithm", choices=ALGORITHMS, default="leximin")
    parser.add_argument("--id-column", help="id column (default: id/unique_id/nationbuilder_id, else row number)")
    parser.add_argument("--households", default="", help="address columns, comma-separated: one per household")
    parser.add_argument("--seed", help="published seed for the draw (default: a fresh random one, printed)")
    parser.add_argument("--panels", type=int, default=0, metavar="M", help="also list M numbered panels")
    parser.add_argument("--dropouts", default="", help="ids (comma-separated) to replace in the drawn panel")
    parser.add_argument("--legacy-draws", type=int, default=1000, help="draws to estimate legacy probabilities")
    parser.add_argument("--format", choices=("json", "table", "csv"), default="json")
    return parser


def _report(result: Selection, targets: Targets, pool: Pool, reserves: tuple[str, ...] | None) -> dict[str, Any]:
    bound = result.bound
    report: dict[str, Any] = {
        "engine": ENGINE_VERSION,
        "algorithm": result.algorithm,
        "k": result.k,
        "seed": result.seed,
        "min_probability": result.min_probability,
        "bound": bound,
        "certified_optimal": bound is not None and bound - result.min_probability <= CERTIFICATE_TOL,
        "probabilities_estimated": result.estimated,
        "panel": list(result.panel),
        "probabilities": dict(result.probabilities),
        "inputs": {
            "targets": {"path": targets.source, "sha256": targets.sha256},
            "people": {"path": pool.source, "sha256": pool.sha256},
            "id_column": pool.id_column,
            "households": list(pool.household_columns),
        },
        "stats": dict(result.stats),
    }
    if result.distribution is not None:
        report["distribution"] = {
            "groups": [list(g) for g in result.distribution.groups],
            "panels": [{"counts": list(c), "probability": p} for c, p in result.distribution.panels],
        }
    if result.numbered_panels:
        report["numbered_panels"] = [
            {"number": i, "panel": list(p)} for i, p in enumerate(result.numbered_panels, start=1)
        ]
    if reserves is not None:
        report["replacements"] = list(reserves)
    return report


def _table(report: dict[str, Any]) -> str:
    bound = "n/a" if report["bound"] is None else f"{report['bound']:.9f}"
    lines = [
        f"algorithm        {report['algorithm']}",
        f"k                {report['k']}",
        f"seed             {report['seed']}",
        f"min probability  {report['min_probability']:.9f}",
        f"bound            {bound}{'  (optimal)' if report['certified_optimal'] else ''}",
        f"panel            {' '.join(report['panel'])}",
    ]
    if "replacements" in report:
        lines.append(f"replacements     {' '.join(report['replacements'])}")
    for entry in report.get("numbered_panels", []):
        lines.append(f"panel {entry['number']:<10} {' '.join(entry['panel'])}")
    lines.append("")
    lines.append(f"{'id':<20} {'probability':>12}  selected")
    chosen = set(report["panel"])
    for pid, p in report["probabilities"].items():
        lines.append(f"{pid:<20} {p:>12.9f}  {'yes' if pid in chosen else ''}")
    return "\n".join(lines)


def _csv(result: Selection, pool: Pool) -> None:
    chosen = set(result.panel)
    probability = dict(result.probabilities)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    extra_names = [name for name, _v in pool.people[0].extra] if pool.people else []
    writer.writerow(["id", "probability", "selected", *pool.features, *extra_names])
    for person in pool.people:
        writer.writerow(
            [
                person.id,
                repr(probability[person.id]),
                int(person.id in chosen),
                *person.values,
                *(v for _n, v in person.extra),
            ]
        )


def main(argv: list[str], prog: str = "coproduce select") -> int:
    """Run the command; returns the exit status."""
    args = _parser(prog).parse_args(argv)
    households = [c.strip() for c in args.households.split(",") if c.strip()]
    try:
        targets = read_targets(args.targets)
        pool = read_people(args.people, targets, id_column=args.id_column, household_columns=households)
        if args.panels < 0:
            raise InputError("--panels must not be negative")
        result = select(
            targets,
            pool,
            args.k,
            algorithm=args.algorithm,
            seed=args.seed,
            panels=args.panels,
            legacy_draws=args.legacy_draws,
        )
        dropouts = [d.strip() for d in args.dropouts.split(",") if d.strip()]
        reserves = replacements(targets, pool, args.k, result.panel, dropouts, result.seed) if dropouts else None
    except InputError as error:
        print(error, file=sys.stderr)
        return 1
    except LegacyFailed as error:
        print(error, file=sys.stderr)
        return 1
    report = _report(result, targets, pool, reserves)
    if args.format == "json":
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif args.format == "table":
        print(_table(report))
    else:
        _csv(result, pool)
    return 0
