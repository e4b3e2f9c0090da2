"""Result output: JSON (machine), a plain-text result sheet (people) and CSV (spreadsheets)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from coproduce.counting.stv.model import Result


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def to_dict(result: Result, *, file: str | None = None) -> dict[str, Any]:
    """A JSON-ready dict. Candidate numbers are 1-based, in file order; numbers are strings
    holding the exact fixed-point value (JSON floats would lose it)."""
    out: dict[str, Any] = {}
    if file is not None:
        out["file"] = file
    out.update(
        {
            "rules": result.rules,
            "title": result.title,
            "seats": result.seats,
            "candidates": list(result.candidates),
            "withdrawn": sorted(c + 1 for c in result.withdrawn),
            "valid": _num(result.valid),
            "quota": _num(result.quota),
            "precision": result.precision,
            "seed": result.seed,
            "elected": [c + 1 for c in result.elected],
            "elected_names": [result.candidates[c] for c in result.elected],
            "elected_at_stage": list(result.elected_at),
            "stages": [
                {
                    "stage": s.number,
                    "action": s.action,
                    "subjects": [c + 1 for c in s.subjects],
                    "description": s.description,
                    "transfer_value": _num(s.transfer_value),
                    "transfers": [_num(v) for v in s.transfers],
                    "totals": [_num(v) for v in s.totals],
                    "non_transferable": _num(s.non_transferable),
                    "non_transferable_change": _num(s.non_transferable_change),
                    "elected": [c + 1 for c in s.elected],
                    "excluded": [c + 1 for c in s.excluded],
                    "tie_breaks": [
                        {
                            "kind": t.kind,
                            "candidates": [c + 1 for c in t.candidates],
                            "chosen": t.chosen + 1,
                            "method": t.method,
                        }
                        for t in s.tie_breaks
                    ],
                }
                for s in result.stages
            ],
            "notes": list(result.notes),
        }
    )
    return out


def to_json(result: Result, *, file: str | None = None) -> str:
    """One line of JSON (so several results make JSON Lines)."""
    return json.dumps(to_dict(result, file=file), ensure_ascii=False, separators=(",", ":"))


def to_table(result: Result, *, file: str | None = None) -> str:
    """A plain-text result sheet laid out like an official declaration."""
    names = result.candidates
    width = max([len(n) for n in names] + [len("Non-transferable"), 10])
    lines = []
    if file:
        lines.append(f"File: {file}")
    if result.title:
        lines.append(f"Election: {result.title}")
    lines.append(f"Rules: {result.rules}   Seats: {result.seats}   Valid vote: {result.valid}   Quota: {result.quota}")
    if result.seed is not None:
        lines.append(f"Seed for any lots: {result.seed!r}")
    lines.append("")
    header = f"{'Candidate':<{width}}" + "".join(f"{'Stage ' + str(s.number):>16}" for s in result.stages)
    lines.append(header)
    lines.append("-" * len(header))
    for c, name in enumerate(names):
        cells = []
        for s in result.stages:
            mark = "*" if c in s.elected else ("x" if c in s.excluded else " ")
            cells.append(f"{s.totals[c]!s:>15}{mark}")
        lines.append(f"{name:<{width}}" + "".join(cells))
    lines.append(f"{'Non-transferable':<{width}}" + "".join(f"{s.non_transferable!s:>15} " for s in result.stages))
    lines.append("")
    lines.append("Stages:")
    for s in result.stages:
        lines.append(f"  {s.number}. {s.description}")
        for t in s.tie_breaks:
            tied = ", ".join(names[c] for c in t.candidates)
            lines.append(f"     tie ({t.kind}) between {tied}: {names[t.chosen]} by {t.method}")
    for note in result.notes:
        lines.append(f"  {note}")
    lines.append("")
    lines.append("Elected, in order:")
    for c, stage in zip(result.elected, result.elected_at, strict=True):
        lines.append(f"  {names[c]} (stage {stage})")
    return "\n".join(lines) + "\n"


def to_csv(result: Result, *, file: str | None = None) -> str:
    """One row per candidate and stage: file, stage, candidate, transfer, total, status."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "rules", "stage", "action", "candidate_number", "candidate", "transfer", "total", "event"])
    for s in result.stages:
        for c, name in enumerate(result.candidates):
            event = "elected" if c in s.elected else ("excluded" if c in s.excluded else "")
            writer.writerow(
                [file or "", result.rules, s.number, s.action, c + 1, name, s.transfers[c], s.totals[c], event]
            )
        writer.writerow(
            [
                file or "",
                result.rules,
                s.number,
                s.action,
                "",
                "Non-transferable",
                s.non_transferable_change,
                s.non_transferable,
                "",
            ]
        )
    return buffer.getvalue()
