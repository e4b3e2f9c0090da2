"""Benchmark the STV engine: whole-process wall times, as a user would see them.

    .venv/bin/python bench/stv.py [--runs 3]

1. all 1,100 Scottish BLT files parsed and counted in one ``coproduce count stv`` call, as
   users run it (by default one worker process per core), then with ``--jobs 1`` for the
   single-process figure;
2. a synthetic 1,000,000-ballot, 20-candidate, 5-seat election (parse included);
3. the same model with 100,000 ballots through our engine, votekit's FastSTV and pyrankvote,
   runs alternating, with the ratio of medians.

Synthetic files are written to a temporary folder and deleted afterwards. They are ordinary
BLT files with identical rankings grouped (weights > 1), as returning officers publish them.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COPRODUCE_SHARED_DATA", ROOT.parent / "shared" / "data"))
COPRODUCE = ROOT / ".venv" / "bin" / "coproduce"


def synthetic(path: Path, ballots: int, candidates: int = 20, seats: int = 5, seed: int = 1) -> int:
    """Write a BLT file from a simple party model; return the number of distinct rankings."""
    rng = random.Random(seed)
    parties = [list(range(p, candidates, 4)) for p in range(4)]
    popularity = [rng.random() + 0.2 for _ in range(candidates)]
    kinds = []
    for _ in range(40_000):
        party = rng.choice(parties)
        own = sorted(party, key=lambda c: -popularity[c] * rng.random())
        others = [c for c in range(candidates) if c not in party]
        rng.shuffle(others)
        kinds.append(tuple(own[: rng.randint(1, len(own))] + others[: rng.randint(0, 6)]))
    weights = [rng.paretovariate(1.5) for _ in kinds]
    counts = Counter(rng.choices(kinds, weights=weights, k=ballots))
    lines = [f"{candidates} {seats}"]
    lines += [f"{m} {' '.join(str(c + 1) for c in r)} 0" for r, m in counts.items()]
    lines.append("0")
    lines += [f'"Candidate {c + 1}"' for c in range(candidates)]
    lines.append('"Synthetic benchmark election"')
    path.write_text("\n".join(lines) + "\n")
    return len(counts)


CPU: list[float] = []  # CPU seconds (user + system) of each timed process, in order


def timed(command: list[str]) -> float:
    """Wall time of one whole process; its CPU time is appended to ``CPU``.

    On a shared machine the wall time includes waiting for a core, so CPU time is printed
    beside it as the load-independent figure.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def cpu(runs: int) -> float:
    return statistics.median(CPU[-runs:])


def worker(kind: str, path: str) -> None:
    """Run inside a fresh process: read ``path`` and count it with ``kind``."""
    if kind == "ours":
        from coproduce.counting.stv import count, read_blt

        print(count(read_blt(path), rules="scottish", seed="bench").elected)
        return
    from coproduce.counting.formats.blt import read_blt

    contest = read_blt(path)  # the peers have no BLT reader that takes these files
    names = [f"c{c}" for c in range(len(contest.candidates))]
    if kind == "votekit":
        from votekit import RankBallot, RankProfile
        from votekit.elections import FastSTV

        ballots = [
            RankBallot(ranking=tuple(frozenset({names[c]}) for c in r), weight=m)
            for r, m in zip(contest.rankings, contest.counts, strict=True)
        ]
        print(FastSTV(RankProfile(ballots=ballots, candidates=names), n_seats=contest.seats).get_elected())
    elif kind == "pyrankvote":
        import pyrankvote

        people = [pyrankvote.Candidate(n) for n in names]
        ballots = [
            pyrankvote.Ballot(ranked_candidates=[people[c] for c in r])
            for r, m in zip(contest.rankings, contest.counts, strict=True)
            for _ in range(m)
        ]
        print(pyrankvote.single_transferable_vote(people, ballots, number_of_seats=contest.seats).get_winners())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    print(f"CPU cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    files = sorted(str(p) for p in (SHARED / "stv" / "scot-elex-mccune" / "blt_files").glob("*/*.blt"))
    if files:
        batch = [str(COPRODUCE), "count", "stv", "--quiet", "--seed", "bench", "--format", "json", *files]
        walls: dict[str, list[float]] = {"default": [], "jobs 1": []}
        cpus: dict[str, list[float]] = {"default": [], "jobs 1": []}
        for _ in range(args.runs):  # alternate so load changes hit both alike
            for kind, command in (("default", batch), ("jobs 1", [*batch, "--jobs", "1"])):
                walls[kind].append(timed(command))
                cpus[kind].append(CPU[-1])
        print(
            f"1. {len(files)} Scottish BLT files, one call: median {statistics.median(walls['default']):.2f} s wall, "
            f"{statistics.median(cpus['default']):.2f} s CPU, all processes (target < 2 s wall)"
        )
        print(
            f"   the same with --jobs 1: median {statistics.median(walls['jobs 1']):.2f} s wall, "
            f"{statistics.median(cpus['jobs 1']):.2f} s CPU"
        )
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "million.blt"
        distinct = synthetic(big, 1_000_000)
        runs = [
            timed([str(COPRODUCE), "count", "stv", "--quiet", "--seed", "bench", "--format", "json", str(big)])
            for _ in range(args.runs)
        ]
        print(
            f"2. 1,000,000 ballots ({distinct} distinct rankings), 20 candidates, 5 seats: "
            f"median {statistics.median(runs):.2f} s wall, {cpu(args.runs):.2f} s CPU (target < 1 s)"
        )
        small = Path(tmp) / "hundred_k.blt"
        distinct = synthetic(small, 100_000, seed=2)
        times: dict[str, list[float]] = {"ours": [], "votekit": [], "pyrankvote": []}
        cpus: dict[str, list[float]] = {kind: [] for kind in times}
        for _ in range(args.runs):
            for kind in times:  # alternate so load changes hit every engine alike
                times[kind].append(timed([sys.executable, __file__, "--worker", kind, str(small)]))
                cpus[kind].append(CPU[-1])
        ours, ours_cpu = statistics.median(times["ours"]), statistics.median(cpus["ours"])
        print(f"3. 100,000 ballots ({distinct} distinct rankings), 20 candidates, 5 seats, whole process:")
        for kind, values in times.items():
            median, median_cpu = statistics.median(values), statistics.median(cpus[kind])
            print(
                f"   {kind:<11} median {median:6.2f} s wall ({median / ours:5.1f}× ours), "
                f"{median_cpu:6.2f} s CPU ({median_cpu / ours_cpu:5.1f}× ours)"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (when other work shares the cores, compare CPU times)")


if __name__ == "__main__":
    main()
