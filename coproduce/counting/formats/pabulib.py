"""Reader and writer for Pabulib ``.pb`` files (participatory-budgeting instances).

We wrote our own rather than use pabutools' parser because pabutools is GPL, slow on city-sized
files, and silently accepts or mis-reads some real files. The format (Faliszewski et al., IJCAI
2023) is three ``;``-separated sections — ``META``, ``PROJECTS``, ``VOTES`` — each starting with a
header row.

Tolerated quirks of real files: CRLF line endings, a UTF-8 byte-order mark, double-quoted fields
(names containing ``;`` or ``"``), columns in any order (we read by header name, not position),
decimal costs and budgets (``400000.0``, ``2458488.22``; read exactly, and a ``,`` decimal mark is
accepted as pabutools does), string project ids, ``selected`` values 0/1/2.

Where we differ from pabutools' parser (1.2.3), on purpose:

* A project repeated within one ballot: for ``cumulative``/``scoring`` ballots we *add* the points
  (the file's own ``score`` column is the sum, e.g. Częstochowa 2020 lists ``579`` four times with
  1 point each, ``score`` counts 4); pabutools keeps only the last entry's points. For approval and
  choose-1 ballots the project counts once (as pabutools' set does). For ordinal ballots the first
  (highest) position counts and later repeats are ignored.
* The project id is read from the ``project_id`` column wherever it is; pabutools takes column 1.
* A ballot naming a project that is not in PROJECTS, points that are not numbers, a points list
  whose length differs from the vote list, a duplicate project id, a negative cost, or a missing
  ``budget``/``vote_type`` is refused with file, line and reason
  (:class:`~coproduce.counting.errors.InputError`); pabutools raises a bare ``KeyError`` or
  ``ValueError`` or accepts it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

from coproduce.counting.errors import InputError
from coproduce.counting.pb.model import VOTE_TYPES, Ballot, Instance, Project

__all__ = ["parse_number", "read_pb", "read_pb_text", "write_pb", "write_pb_text"]

SECTIONS = ("meta", "projects", "votes")


def parse_number(text: str) -> Fraction:
    """An exact number from a Pabulib field (``12``, ``400000.0``, ``1,5``); ``ValueError`` if none."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise ValueError("empty number")
    return Fraction(cleaned)


def read_pb(path: str | Path) -> Instance:
    """Read a ``.pb`` file; raise :class:`InputError` (with file and line) if it is malformed."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text ({error.reason} at byte {error.start})", file=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", file=str(path)) from None
    return read_pb_text(text, source=str(path))


def read_pb_text(text: str, *, source: str | None = None) -> Instance:
    """Parse the text of a ``.pb`` file (see :func:`read_pb`)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')

    def fail(reason: str, line: int | None = None) -> InputError:
        return InputError(reason, file=source, line=reader.line_num if line is None else line)

    section: str | None = None
    header: list[str] | None = None
    seen: set[str] = set()
    meta: list[tuple[str, str]] = []
    project_rows: list[tuple[int, dict[str, str], list[str]]] = []
    vote_rows: list[tuple[int, list[str]]] = []
    vote_header: list[str] = []
    try:
        for row in reader:
            if not any(row) or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) == 1 and row[0].strip().lower() in SECTIONS:
                first = row[0].strip().lower()
                if first in seen:
                    raise fail(f"section {first.upper()} appears twice")
                seen.add(first)
                section, header = first, None
                continue
            if section is None:
                raise fail("expected the META section first")
            if header is None:
                header = [cell.strip() for cell in row]
                if section == "votes":
                    vote_header = header
                continue
            if len(row) != len(header):
                # Trailing empty cells (a stray ";") are harmless; anything else is a broken row.
                while len(row) > len(header) and not row[-1].strip():
                    row = row[:-1]
                if len(row) != len(header):
                    raise fail(f"{section.upper()} row has {len(row)} fields, the header has {len(header)}")
            if section == "meta":
                meta.append((row[0].strip(), row[1].strip() if len(row) > 1 else ""))
            elif section == "projects":
                project_rows.append((reader.line_num, dict(zip(header, (c.strip() for c in row), strict=True)), header))
            else:
                vote_rows.append((reader.line_num, row))
    except csv.Error as error:
        raise fail(f"malformed CSV: {error}") from None

    for name in SECTIONS:
        if name not in seen:
            raise InputError(f"no {name.upper()} section", file=source)
    meta_map = dict(meta)
    if "budget" not in meta_map:
        raise InputError("META has no budget", file=source)
    try:
        budget = parse_number(meta_map["budget"])
    except (ValueError, ZeroDivisionError):
        raise InputError(f"META budget {meta_map['budget']!r} is not a number", file=source) from None
    vote_type = meta_map.get("vote_type", "").strip().lower()
    if vote_type not in VOTE_TYPES:
        raise InputError(
            f"META vote_type {meta_map.get('vote_type')!r} is not one of {', '.join(VOTE_TYPES)}", file=source
        )

    projects = _projects(project_rows, source)
    ballots = _ballots(vote_rows, vote_header, vote_type, {p.id for p in projects}, source)
    return Instance(
        budget=budget, vote_type=vote_type, projects=projects, ballots=ballots, meta=tuple(meta), source=source
    )


def _projects(rows: list[tuple[int, dict[str, str], list[str]]], source: str | None) -> tuple[Project, ...]:
    projects: list[Project] = []
    ids: set[str] = set()
    for line, values, header in rows:
        if "project_id" not in values or "cost" not in values:
            raise InputError("PROJECTS needs project_id and cost columns", file=source, line=line)
        project_id = values["project_id"]
        if not project_id:
            raise InputError("empty project_id", file=source, line=line)
        if project_id in ids:
            raise InputError(f"project {project_id!r} listed twice", file=source, line=line)
        ids.add(project_id)
        try:
            cost = parse_number(values["cost"])
        except (ValueError, ZeroDivisionError):
            raise InputError(
                f"cost {values['cost']!r} of project {project_id!r} is not a number", file=source, line=line
            ) from None
        if cost < 0:
            raise InputError(f"project {project_id!r} has a negative cost", file=source, line=line)
        selected: int | None = None
        raw_selected = values.get("selected", "")
        if raw_selected and raw_selected.lower() != "none":
            try:
                selected = int(parse_number(raw_selected))
            except (ValueError, ZeroDivisionError):
                raise InputError(f"selected {raw_selected!r} is not a number", file=source, line=line) from None
        projects.append(
            Project(
                id=project_id,
                cost=cost,
                name=values.get("name", ""),
                selected=selected,
                fields=tuple((key, values[key]) for key in header),
            )
        )
    return tuple(projects)


def _ballots(
    rows: list[tuple[int, list[str]]], header: list[str], vote_type: str, ids: set[str], source: str | None
) -> tuple[Ballot, ...]:
    if "vote" not in header:
        raise InputError("VOTES has no vote column", file=source)
    vote_at = header.index("vote")
    points_at = header.index("points") if "points" in header else None
    voter_at = header.index("voter_id") if "voter_id" in header else None
    with_points = vote_type in ("cumulative", "scoring")
    if with_points and points_at is None:
        raise InputError(f"{vote_type} VOTES need a points column", file=source)
    ballots: list[Ballot] = []
    voters: set[str] = set()
    extra_columns = [(i, key) for i, key in enumerate(header) if i not in (vote_at, points_at, voter_at)]
    # Points repeat a handful of values ("1", "2", "3"): parse each text once (a big file has
    # hundreds of thousands of them).
    number_cache: dict[str, Fraction] = {}
    for line, row in rows:
        voter = row[voter_at].strip() if voter_at is not None else str(len(ballots) + 1)
        if voter in voters:
            raise InputError(f"voter {voter!r} votes twice", file=source, line=line)
        voters.add(voter)
        vote = row[vote_at]
        if " " in vote or "\t" in vote:
            vote = ",".join(cell.strip() for cell in vote.split(",")).strip(",")
        listed = vote.split(",") if vote else []
        if not ids.issuperset(listed):
            unknown = next(project_id for project_id in listed if project_id not in ids)
            raise InputError(f"vote names unknown project {unknown!r}", file=source, line=line)
        points: tuple[Fraction, ...] | None = None
        if with_points:
            raw = [cell.strip() for cell in row[points_at].split(",")] if row[points_at].strip() else []  # type: ignore[index]
            if len(raw) != len(listed):
                raise InputError(f"{len(listed)} projects but {len(raw)} points", file=source, line=line)
            try:
                values = []
                for cell in raw:
                    value = number_cache.get(cell)
                    if value is None:
                        value = number_cache[cell] = parse_number(cell)
                    values.append(value)
            except (ValueError, ZeroDivisionError):
                raise InputError(f"points {row[points_at]!r} are not numbers", file=source, line=line) from None  # type: ignore[index]
            # Repeated projects accumulate their points (see the module docstring).
            summed: dict[str, Fraction] = {}
            for project_id, value in zip(listed, values, strict=True):
                summed[project_id] = summed.get(project_id, Fraction(0)) + value
            listed, points = list(summed), tuple(summed.values())
        else:
            # Approval: once; ordinal: first (best) position wins.
            if len(set(listed)) != len(listed):
                listed = list(dict.fromkeys(listed))
        extras = tuple([(key, row[i]) for i, key in extra_columns])
        ballots.append(Ballot(voter_id=voter, projects=tuple(listed), points=points, fields=extras))
    return tuple(ballots)


def _number_text(value: Fraction) -> str:
    """Write a number back as Pabulib does: an integer, or a finite decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise ValueError(f"{value} has no finite decimal form")
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def write_pb_text(instance: Instance) -> str:
    """The ``.pb`` text of an instance (``\\n`` line ends, fields quoted only where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    meta = dict(instance.meta)
    meta["budget"] = meta.get("budget") or _number_text(instance.budget)
    meta["vote_type"] = instance.vote_type
    meta["num_projects"] = str(len(instance.projects))
    meta["num_votes"] = str(len(instance.ballots))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    writer.writerow(["PROJECTS"])
    columns = _columns(["project_id", "cost"], (p.fields for p in instance.projects))
    writer.writerow(columns)
    for project in instance.projects:
        values = dict(project.fields)
        values["project_id"] = project.id
        if "cost" not in values or parse_number(values["cost"]) != project.cost:
            values["cost"] = _number_text(project.cost)
        writer.writerow([values.get(column, "") for column in columns])

    writer.writerow(["VOTES"])
    with_points = instance.vote_type in ("cumulative", "scoring")
    first = ["voter_id", "vote", "points"] if with_points else ["voter_id", "vote"]
    columns = _columns(first, (b.fields for b in instance.ballots))
    writer.writerow(columns)
    for ballot in instance.ballots:
        values = dict(ballot.fields)
        values["voter_id"] = ballot.voter_id
        values["vote"] = ",".join(ballot.projects)
        if with_points:
            values["points"] = ",".join(_number_text(p) for p in ballot.points or ())
        writer.writerow([values.get(column, "") for column in columns])
    return out.getvalue()


def write_pb(instance: Instance, path: str | Path) -> None:
    """Write an instance as a ``.pb`` file (UTF-8)."""
    Path(path).write_text(write_pb_text(instance), encoding="utf-8")


def _columns(first: list[str], rows: Iterable[tuple[tuple[str, str], ...]]) -> list[str]:
    columns = list(first)
    for fields in rows:
        for key, _value in fields:
            if key not in columns:
                columns.append(key)
    return columns
