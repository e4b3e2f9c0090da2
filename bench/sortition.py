"""Time our sortition engine beside sortition-algorithms' maximin on the same pools.

Usage: nice .venv/bin/python bench/sortition.py [--only NAME ...] [--timeout SECONDS] [--skip-peer]

Every lottery is verified by ``select`` itself (valid panels, probabilities summing to 1 and
to k); the LEXIMIN line also says whether its sorted profile is lexicographically at least
maximin's. Each run happens in its own subprocess (one at a time: the machine is shared) with a wall
clock limit, so a slow peer cannot stall the table. Printed: wall and CPU seconds, minimum
probability and, for our engine, the certificate (dual bound). sortition-algorithms is a
benchmark-only dependency (GPL); coproduce never imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("COPRODUCE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "sortition"

# name -> (folder, targets, people, k, household columns, paper's LEXIMIN seconds with Gurobi)
INSTANCES = {
    "example_small_20": ("flanigan2021/examples/example_small_20", "categories.csv", "respondents.csv", 20, (), 2.7),
    "example_large_200": (
        "flanigan2021/examples/example_large_200",
        "categories.csv",
        "respondents.csv",
        200,
        (),
        1161.8,
    ),
    "sa_fixture_150": ("sortition_algorithms_fixture", "features.csv", "candidates.csv", 22, (), None),
    "opendlp_100": ("opendlp_monitoring", "categories.csv", "respondents.csv", 30, (), None),
    "lambeth_like_800": (
        "synthetic_lambeth_like",
        "categories.csv",
        "respondents.csv",
        100,
        ("address", "postcode"),
        None,
    ),
}

OURS = """
import json, sys, time
from coproduce.counting.sortition import read_people, read_targets, select
t, p, k, algorithm = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[5]
hh = [c for c in sys.argv[4].split(",") if c]
targets = read_targets(t); pool = read_people(p, targets, household_columns=hh)
wall, cpu = time.perf_counter(), time.process_time()
r = select(targets, pool, k, algorithm=algorithm, seed="bench")
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "min": r.min_probability, "bound": r.bound, "panels": len(r.distribution.panels),
                  "stats": dict(r.stats), "profile": sorted(q for _pid, q in r.probabilities)}))
"""

PEER = """
import json, sys, time
from sortition_algorithms import Settings, find_random_sample, read_in_features, read_in_people
from coproduce.counting.sortition import read_people, read_targets
t, p, k, hh = sys.argv[1], sys.argv[2], int(sys.argv[3]), [c for c in sys.argv[4].split(",") if c]
targets = read_targets(t); pool = read_people(p, targets, household_columns=hh)
# Hand the peer the same parsed data in its own current header convention.
head = ["feature", "value", "min", "max"]
body = [{"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)} for q in targets.quotas]
features, _a, _b = read_in_features(head, body, k)
columns = ["id", *targets.features, *[f"addr{i}" for i in range(len(hh))]]
rows = [{"id": x.id, **dict(zip(targets.features, x.values)),
         **{f"addr{i}": (x.household or ("",) * len(hh))[i] for i in range(len(hh))}} for x in pool.people]
settings = Settings(id_column="id", columns_to_keep=[], check_same_address=bool(hh),
                    check_same_address_columns=[f"addr{i}" for i in range(len(hh))],
                    selection_algorithm="maximin", solver_backend="highspy")
people, _r = read_in_people(columns, rows, features, settings)
wall, cpu = time.perf_counter(), time.process_time()
panels, report = find_random_sample(features, people, k, settings.check_same_address_columns,
                                    selection_algorithm="maximin", solver_backend="highspy", number_selections=1)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def run(code: str, args: list[str], timeout: float) -> dict | str:
    started = time.perf_counter()
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return f">{timeout:.0f} s (stopped)"
    if out.returncode != 0:
        return "failed: " + (out.stderr.strip().splitlines() or ["?"])[-1][:80]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_wall"] = time.perf_counter() - started
    return result


def dominance(leximin: list[float], maximin: list[float]) -> str:
    """Whether the LEXIMIN sorted profile is lexicographically at least maximin's (within 1e-7)."""
    for a, b in zip(leximin, maximin, strict=True):
        if abs(a - b) > 1e-7:
            return "leximin > maximin" if a > b else "LEXIMIN BELOW MAXIMIN"
    return "leximin = maximin"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(INSTANCES))
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--algorithms", default="maximin,leximin")
    args = parser.parse_args()
    print(f"{'instance':<20}{'engine':<34}{'wall s':>9}{'cpu s':>9}{'min prob':>12}{'bound':>12}  notes")
    for name in args.only or INSTANCES:
        folder, targets, people, k, households, paper = INSTANCES[name]
        files = [str(DATA / folder / targets), str(DATA / folder / people), str(k), ",".join(households)]
        profiles = {}
        for algorithm in args.algorithms.split(","):
            r = run(OURS, [*files, algorithm], args.timeout)
            label = f"coproduce {algorithm} (HiGHS)"
            if isinstance(r, str):
                print(f"{name:<20}{label:<34}{r}")
                continue
            profiles[algorithm] = r["profile"]
            note = f"{r['stats'].get('rounds', '')} rounds, {r['panels']} panels"
            if algorithm == "leximin" and "maximin" in profiles:
                note += "; " + dominance(r["profile"], profiles["maximin"])
            if algorithm == "leximin" and paper:
                note += f"; paper LEXIMIN+Gurobi {paper} s"
            print(
                f"{name:<20}{label:<34}{r['wall']:>9.2f}{r['cpu']:>9.2f}{r['min']:>12.6f}{r['bound']:>12.6f}  {note}",
                flush=True,
            )
        if not args.skip_peer:
            r = run(PEER, files, args.timeout)
            label = "sortition-algorithms maximin"
            if isinstance(r, str):
                print(f"{name:<20}{label:<34}{r}")
            else:
                print(f"{name:<20}{label:<34}{r['wall']:>9.2f}{r['cpu']:>9.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
