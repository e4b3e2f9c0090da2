"""Capture the engines' full output on every real file, to check that a rewrite changes nothing.

    .venv/bin/python bench/capture_outputs.py pb  OUT.jsonl   # every Pabulib file, several rules
    .venv/bin/python bench/capture_outputs.py stv OUT.jsonl   # every BLT and .dat file, ERS97
    cmp BEFORE.jsonl AFTER.jsonl                               # byte-identical, or where not

``pb``: for every saved Pabulib file, the JSON the CLI prints (without its time) for greedy, the
Method of Equal Shares with cost and approval utilities, each with no completion, ``add1`` and
``add1-exhaustive``, and the declared rule where it can be reproduced; then a fixed walk of trial
runs of the fast engine (:class:`ConstantUtilityMes`) from the equal share up, jumping as far as
each run's headroom allows, with everything each run reports (funded, dropped, ties, headroom,
rounds started from earlier bounds, exact re-checks): a rewrite of the engine must not change even
the speed-ups it chose. ``stv``: the JSON of an ERS97 count (seeded lot) of every BLT and Mollison
``.dat`` file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coproduce.counting.errors import CountingError  # noqa: E402

DATA = Path(os.environ.get("COPRODUCE_SHARED_DATA", ROOT.parent / "shared" / "data"))

MES = [
    {"rule": "mes", "utility": utility, "completion": completion, "ballots": "approval"}
    for utility in ("cost", "approval")
    for completion in ("none", "add1", "add1-exhaustive")
]
SETTINGS = [{"rule": "greedy"}, *MES, {"rule": "as-declared"}]
# Trial runs per file and utility in the fixed walk.
WALK = 40


def _pb(out) -> None:  # type: ignore[no-untyped-def]
    from coproduce.counting.pb import count, read_pb
    from coproduce.counting.pb.cli import as_json
    from coproduce.counting.pb.mes import ConstantUtilityMes
    from coproduce.counting.pb.profile import compile_instance
    from coproduce.counting.pb.ties import tie_order

    for path in sorted((DATA / "pabulib").glob("*.pb")):
        started = time.perf_counter()
        instance = read_pb(path)
        for options in SETTINGS:
            try:
                result = count(instance, tie_break="default", seed=1, jobs=2, **options)  # type: ignore[arg-type]
            except CountingError as error:
                record: dict[str, object] = {"options": options, "refused": str(error)}
            else:
                record = {"options": options, **as_json(result, path.name, 0.0)}
                del record["seconds"]
            print(json.dumps(record, ensure_ascii=False, sort_keys=True), file=out)
        compiled = compile_instance(instance, ballots="approval")
        for utility in ("cost", "approval"):
            order = tie_order(compiled, "default", 1)
            engine = ConstantUtilityMes(compiled, utility, order)
            start = compiled.budget / compiled.n_voters
            exact = engine.run(start)
            print(json.dumps({"file": path.name, "utility": utility, "exact": _run(compiled, exact)}), file=out)
            step = 0
            for _ in range(WALK):
                run = engine.run(start + step, exact_prices=False)
                record = {"file": path.name, "utility": utility, "step": step, **_run(compiled, run)}
                print(json.dumps(record), file=out)
                step += 1 + (math.floor(run.headroom) if math.isfinite(run.headroom) else 0)
        print(f"{path.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def _run(compiled, run) -> dict[str, object]:  # type: ignore[no-untyped-def]
    def text(value: Fraction) -> str:
        return f"{value.numerator}/{value.denominator}"

    return {
        "voter_budget": text(run.voter_budget),
        "funded": [compiled.ids[p] for p in run.funded],
        "round_of": {compiled.ids[p]: r for p, r in run.round_of.items()},
        "rho": {compiled.ids[p]: text(r) for p, r in run.rho.items()},
        "dropped": {compiled.ids[p]: r for p, r in run.dropped.items()},
        "ties": [[r, [compiled.ids[p] for p in tied], compiled.ids[c]] for r, tied, c in run.ties],
        "exact_rechecks": run.exact_rechecks,
        "carried": run.carried,
        "headroom": repr(run.headroom),
    }


def _stv(out) -> None:  # type: ignore[no-untyped-def]
    from coproduce.counting.stv import count
    from coproduce.counting.stv.count import read_ballots
    from coproduce.counting.stv.report import to_json

    folder = DATA / "stv"
    paths = sorted(
        [
            *(folder / "scot-elex-mccune" / "blt_files").glob("*/*.blt"),
            *(folder / "scotland-2022-mollison").glob("**/*.dat"),
            *(folder / "droop-testdata" / "blt").glob("*.blt"),
        ]
    )
    started = time.perf_counter()
    for path in paths:
        name = str(path.relative_to(folder))
        try:
            contest = read_ballots(path)
        except CountingError as error:
            print(json.dumps({"file": name, "refused": str(error)}), file=out)
            continue
        try:
            result = count(contest, rules="ers97", seed="capture")
        except CountingError as error:
            print(json.dumps({"file": name, "refused": str(error)}), file=out)
        else:
            print(to_json(result, file=name), file=out)
    print(f"{len(paths)} files: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=("pb", "stv"))
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as out:
        (_pb if args.engine == "pb" else _stv)(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
