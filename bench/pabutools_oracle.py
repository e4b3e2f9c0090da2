"""Generate pabutools' outcomes on the shared Pabulib files, once, as JSON test fixtures.

pabutools 1.2.3 (GPL) is the field's reference implementation of greedy and the Method of Equal
Shares. We never import it from ``coproduce``; we only record what it selects so that our own
engine (``coproduce.counting.pb``) can be checked against it in CI without rerunning it — it takes
minutes (hours with completion) on city-sized votes.

Every ballot is read as approval (every project a voter listed is approved), ties are broken by
project id (pabutools' lexicographic default), matching ``--ballots approval --tie-break project-id``.

Each (file, task) runs in a child process with a timeout so one slow instance cannot stall the
batch; results are merged into the fixture as they arrive, so the script can be stopped and resumed.

    nice -n 10 .venv/bin/python bench/pabutools_oracle.py [--timeout 300] [--tasks ...] [FILE ...]

Writes ``coproduce/counting/tests/fixtures/pb/pabutools_expected.json`` (project ids only) and
``bench/pabutools_timings.json`` (pabutools' seconds and peak memory, read by ``bench/pb.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from coproduce.counting.tests.pabutools_oracle import import_pabutools

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("COPRODUCE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "pabulib"
EXPECTED = ROOT / "coproduce" / "counting" / "tests" / "fixtures" / "pb" / "pabutools_expected.json"
TIMINGS = ROOT / "bench" / "pabutools_timings.json"

TASKS = ("greedy-cost", "mes-cost", "mes-approval", "mes-cost-add1e")
# MES + add-one completion is only run where pabutools finishes in minutes, plus the two big
# instances the issue names (measured elsewhere at ~10 minutes and 12 GB each).
ADD1_MAX_VOTERS = 3000
ADD1_BIG = ("Poland_Warszawa_2026.pb", "Poland_Warszawa_2023_Mokotow.pb")


def _run_one(path: Path, task: str, multi: bool) -> dict[str, object]:
    """Run one pabutools rule on one file (in the child process)."""
    import_pabutools()
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cardinality_Sat, Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    started = time.perf_counter()
    instance, profile = parse_pabulib(str(path))
    # Every listed project counts as approved, whatever the vote type.
    approval = ApprovalProfile([ApprovalBallot(set(ballot)) for ballot in profile], instance=instance)
    if multi:
        # pabutools' own grouping of identical ballots: same rules, far less time on big files.
        approval = approval.as_multiprofile()
    parsed = time.perf_counter()
    cpu = time.process_time()
    if task == "greedy-cost":
        outcome = greedy_utilitarian_welfare(instance, approval, sat_class=Cost_Sat)
    elif task == "mes-cost":
        outcome = method_of_equal_shares(instance, approval, sat_class=Cost_Sat)
    elif task == "mes-approval":
        outcome = method_of_equal_shares(instance, approval, sat_class=Cardinality_Sat)
    elif task == "mes-cost-add1e":
        outcome = method_of_equal_shares(instance, approval, sat_class=Cost_Sat, voter_budget_increment=1)
    else:
        raise ValueError(task)
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    return {
        "selected": [project.name for project in outcome],
        "parse_seconds": round(parsed - started, 3),
        "seconds": round(done - parsed, 3),
        "cpu_seconds": round(cpu, 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "profile": "multi" if multi else "plain",
    }


def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _wanted(path: Path, task: str, voters: int) -> bool:
    if task != "mes-cost-add1e":
        return True
    return voters <= ADD1_MAX_VOTERS or path.name in ADD1_BIG


def _voters(path: Path) -> int:
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            parts = line.strip().split(";")
            if parts[0] == "num_votes":
                return int(parts[1])
            if line.strip().upper() == "PROJECTS":
                break
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--big-timeout", type=float, default=1800)
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    parser.add_argument("--redo", action="store_true", help="recompute entries already recorded")
    parser.add_argument(
        "--multi-above",
        type=int,
        default=20000,
        help="use pabutools' multiprofile (grouped identical ballots) above this many voters",
    )
    parser.add_argument("--child", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    parser.add_argument(
        "--mark-unfinished",
        metavar="REASON",
        help="record REASON for every wanted (file, task) with no result yet, and stop",
    )
    args = parser.parse_args()
    if args.mark_unfinished:
        timings = _load(TIMINGS)
        for path in sorted(DATA.glob("*.pb")):
            voters = _voters(path)
            for task in args.tasks:
                if _wanted(path, task, voters) and task not in timings.get(path.name, {}):
                    timings.setdefault(path.name, {})[task] = {"not_run": args.mark_unfinished}
        _save(TIMINGS, timings)
        return 0
    if args.child:
        # FILE=MULTI=TASK,TASK … : several files in one process, so pabutools (slow to import on
        # a loaded machine) is imported once per batch.
        for spec in args.child:
            name, multi, tasks = spec.rsplit("=", 2)
            for task in tasks.split(","):
                result = _run_one(Path(name), task, multi == "1")
                print(json.dumps({"file": Path(name).name, "task": task, **result}), flush=True)
        return 0

    files = args.files or sorted(DATA.glob("*.pb"), key=lambda p: p.stat().st_size)
    # Pass 1: every file, everything but the two huge add-one runs; pass 2: those two.
    passes = [
        [(f, [t for t in args.tasks if not (t == "mes-cost-add1e" and f.name in ADD1_BIG)]) for f in files],
        [(f, ["mes-cost-add1e"]) for f in files if f.name in ADD1_BIG and "mes-cost-add1e" in args.tasks],
    ]
    timings = _load(TIMINGS)
    queue: list[tuple[Path, list[str], str]] = []
    for path, tasks in (job for jobs in passes for job in jobs):
        voters = _voters(path)
        pending = []
        for task in tasks:
            done = timings.get(path.name, {}).get(task)
            unfinished = done is None or any(key in done for key in ("timeout", "error", "not_run"))
            if _wanted(path, task, voters) and (args.redo or unfinished):
                pending.append(task)
        if pending:
            queue.append((path, pending, "1" if voters > args.multi_above else "0"))
    while queue:
        # Batch small files together; a big file (grouped profile) runs alone.
        batch = [queue.pop(0)]
        while queue and batch[0][2] == "0" and queue[0][2] == "0" and len(batch) < 25:
            batch.append(queue.pop(0))
        count_tasks = sum(len(tasks) for _p, tasks, _m in batch)
        big = batch[0][0].name in ADD1_BIG and batch[0][1] == ["mes-cost-add1e"]
        limit = args.big_timeout if big else args.timeout * count_tasks
        print(
            f"{len(queue)} left; running {', '.join(p.name for p, _t, _m in batch)[:150]} …",
            file=sys.stderr,
            flush=True,
        )
        started = time.perf_counter()
        error = ""
        specs = [f"{path}={multi}={','.join(tasks)}" for path, tasks, multi in batch]
        try:
            child = subprocess.run(
                [sys.executable, __file__, "--child", *specs],
                capture_output=True,
                text=True,
                timeout=limit,
                check=False,
            )
            output = child.stdout
            if child.returncode:
                error = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "failed"
        except subprocess.TimeoutExpired as expired:
            output = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            error = "timeout"
        results = {(line["file"], line["task"]): line for line in map(json.loads, output.splitlines())}
        expected, timings = _load(EXPECTED), _load(TIMINGS)
        stopped = False
        for index, (path, tasks, multi) in enumerate(batch):
            for position, task in enumerate(tasks):
                result = results.get((path.name, task))
                if result is not None:
                    for key in ("file", "task"):
                        result.pop(key)
                    expected.setdefault(path.name, {})[task] = result.pop("selected")
                    timings.setdefault(path.name, {})[task] = result
                elif not stopped:
                    # The first missing result is the one that timed out or failed.
                    timings.setdefault(path.name, {})[task] = (
                        {"timeout": round(limit)} if error == "timeout" else {"error": error or "no result"}
                    )
                    stopped = True
                    rest = tasks[position + 1 :]
                    if rest:
                        queue.insert(0, (path, rest, multi))
                    queue[0:0] = batch[index + 1 :]
                    break
            if stopped:
                break
        print(f"    {time.perf_counter() - started:.1f} s; {error or 'ok'}", file=sys.stderr, flush=True)
        _save(EXPECTED, expected)
        _save(TIMINGS, timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
