"""Agreement with Droop's reference reports (``droop-testdata/ref/report``).

Droop breaks a tie that needs a lot by the file's candidate order (or its ``[tie …]``
option); we give the same order explicitly, which is how our engine accepts a tie-break.
Meek (``meek-prf``): the sequence of elect/defeat actions and every candidate's vote at each
action must match to 9 places. Scottish (``scotland-fixed-p5``): the order of election and
every candidate's total after each transfer must match to 5 places.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

from coproduce.counting.stv import Contest, count, read_ballots

LISTED = re.compile(r"^\t(Elected|Pending|Hopeful):\s+(.*) \(([-0-9.]+)\)$")


def _contest(path: Path) -> Contest:
    contest = read_ballots(path)
    if contest.tie_order is None:
        contest = dataclasses.replace(contest, tie_order=tuple(range(len(contest.candidates))))
    return contest


def _blocks(text: str) -> list[tuple[str, dict[str, Decimal]]]:
    """(action line, {candidate: vote}) for each action in a Droop report."""
    blocks: list[tuple[str, dict[str, Decimal]]] = []
    for line in text.splitlines():
        if line.startswith("Action: "):
            blocks.append((line[8:], {}))
        elif blocks and (m := LISTED.match(line)):
            blocks[-1][1][m.group(2)] = Decimal(m.group(3))
    return blocks


def test_meek_matches_droop_meek_prf_reports(shared_data):
    folder = shared_data("stv", "droop-testdata")
    reports = sorted((folder / "ref" / "report").glob("*-meek-prf-o6-fixed-p9-d9.txt"))
    assert len(reports) == 9
    problems = []
    for report in reports:
        blt = folder / "blt" / (report.name.split("-meek-prf")[0] + ".blt")
        result = count(_contest(blt), rules="meek")
        theirs = [
            (a, v) for a, v in _blocks(report.read_text(encoding="utf-8-sig")) if a.startswith(("Elect", "Defeat"))
        ]
        if len(theirs) != len(result.stages):
            problems.append(f"{blt.name}: {len(theirs)} actions in the report, {len(result.stages)} stages here")
            continue
        for (action, votes), stage in zip(theirs, result.stages, strict=True):
            name = result.candidates[stage.subjects[0]]
            kind = "Elect" if stage.action.startswith("elect") else "Defeat"
            if not (action.startswith(kind) and action.endswith(": " + name)):
                problems.append(f"{blt.name} stage {stage.number}: report {action!r}, here {kind} {name}")
                break
            for candidate, vote in votes.items():
                ours = stage.totals[result.candidates.index(candidate)]
                if ours != vote:
                    problems.append(f"{blt.name} stage {stage.number}: {candidate} {ours} != {vote}")
    assert not problems, "\n".join(problems)


def test_scottish_matches_droop_scotland_reports(shared_data):
    folder = shared_data("stv", "droop-testdata")
    reports = sorted((folder / "ref" / "report").glob("**/*-scotland-fixed-p5-d5.txt"))
    assert len(reports) == 32
    problems = []
    checked = 0
    for report in reports:
        stem = report.name.split("-scotland-fixed")[0]
        blt = next((folder / "blt").glob(f"**/{stem}.blt"))
        result = count(_contest(blt), rules="scottish")
        blocks = _blocks(report.read_text(encoding="utf-8-sig"))
        elected = [a.split(": ", 1)[1] for a, _v in blocks if a.startswith("Elect")]
        names = [n.strip() for group in elected for n in group.split(", ")]
        # Droop lists candidates elected together in file order, we by their totals: compare sets.
        if sorted(names) != sorted(result.candidates[c] for c in result.elected):
            problems.append(f"{blt.name}: elected {names} != {[result.candidates[c] for c in result.elected]}")
        # Totals after each transfer are our stages 2, 3, … Droop also logs a stage for a
        # surplus of exactly 0 (nothing moves); Schedule 1 r.48 has nothing to transfer then.
        after = [
            v
            for a, v in blocks
            if a.startswith("Transfer defeated")
            or (a.startswith("Surplus transferred") and not a.endswith("(0.00000)"))
        ]
        if len(after) != len(result.stages) - 1:
            problems.append(f"{blt.name}: {len(after)} transfers in the report, {len(result.stages) - 1} here")
            continue
        for votes, stage in zip(after, result.stages[1:], strict=True):
            for candidate, vote in votes.items():
                candidate = candidate.strip()
                checked += 1
                if candidate not in result.candidates:
                    problems.append(f"{blt.name}: unknown candidate {candidate!r}")
                elif stage.totals[result.candidates.index(candidate)] != vote:
                    problems.append(f"{blt.name} stage {stage.number}: {candidate} differs ({vote})")
    assert not problems, "\n".join(problems)
    assert checked > 1000
