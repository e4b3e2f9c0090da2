"""Readers for the Sortition Foundation's CSV conventions.

We read three header styles of targets file, because practitioners' files come in all three:

* ``feature,value,min,max[,min_flex,max_flex]`` (sortition-algorithms today);
* ``category,name,min,max`` (older Sortition Foundation sheets, extra columns ignored);
* ``category,feature,min,max`` (Flanigan et al. 2021, where *category* is the feature and
  *feature* is the value).

Written here rather than borrowed: the reference package is GPL and its readers are tied to
its own settings objects; ours return frozen dataclasses and fail with ``file:line: reason``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

from coproduce.counting.errors import InputError
from coproduce.counting.sortition.model import Person, Pool, Quota, Targets, normalise

# Id column names we recognise without being told (normalised).
ID_COLUMNS = ("id", "unique_id", "nationbuilder_id", "person_id", "respondent_id")


def _read_text(path: str | Path) -> tuple[str, str]:
    """The file's text (BOM stripped) and the SHA-256 of its bytes."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", file=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start})", file=str(path)) from None
    return text, hashlib.sha256(data).hexdigest()


def _rows(text: str, source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of each non-blank row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError("file is empty", file=source)
        rows = []
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise InputError(f"bad CSV: {error}", file=source, line=reader.line_num) from None
    return [h.strip() for h in header], rows


def _int(cell: str, what: str, source: str, line: int) -> int:
    try:
        return int(cell.strip())
    except ValueError:
        try:
            number = float(cell.strip())
        except ValueError:
            number = None
        if number is not None and number.is_integer():
            return int(number)
        raise InputError(f"{what} must be a whole number, not {cell!r}", file=source, line=line) from None


def read_targets(path: str | Path) -> Targets:
    """Read a categories/targets CSV in any of the three conventions (see module docstring)."""
    source = str(path)
    text, digest = _read_text(path)
    header, rows = _rows(text, source)
    col = {normalise(h): i for i, h in reversed(list(enumerate(header)))}
    if "value" in col and "feature" in col:
        feature_col, value_col = col["feature"], col["value"]
    elif "category" in col and "name" in col:
        feature_col, value_col = col["category"], col["name"]
    elif "category" in col and "feature" in col:
        feature_col, value_col = col["category"], col["feature"]
    else:
        raise InputError(
            "header must have feature,value,min,max (or category,name,… or category,feature,…)",
            file=source,
            line=1,
        )
    for needed in ("min", "max"):
        if needed not in col:
            raise InputError(f"header has no {needed!r} column", file=source, line=1)
    features: list[str] = []
    feature_keys: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    quotas: list[Quota] = []
    for line, cells in rows:

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return cells[index].strip() if index is not None and index < len(cells) else ""

        feature, value = cell(feature_col), cell(value_col)
        if not feature or not value:
            raise InputError("feature and value must not be blank", file=source, line=line)
        key = (normalise(feature), normalise(value))
        if key in seen:
            raise InputError(f"duplicate quota {feature}={value} (first on line {seen[key]})", file=source, line=line)
        seen[key] = line
        # The first spelling of a feature name wins, so later rows in other case still match.
        feature = feature_keys.setdefault(key[0], feature)
        if feature not in features:
            features.append(feature)
        low = _int(cell(col["min"]), "min", source, line)
        high = _int(cell(col["max"]), "max", source, line)
        if low < 0 or high < low:
            raise InputError(f"need 0 <= min <= max, got min={low} max={high}", file=source, line=line)
        min_flex_cell, max_flex_cell = cell(col.get("min_flex")), cell(col.get("max_flex"))
        min_flex = _int(min_flex_cell, "min_flex", source, line) if min_flex_cell else 0
        max_flex = _int(max_flex_cell, "max_flex", source, line) if max_flex_cell else None
        if min_flex > low or (max_flex is not None and max_flex < high):
            raise InputError("need min_flex <= min and max_flex >= max", file=source, line=line)
        quotas.append(Quota(feature, value, low, high, min_flex, max_flex, line))
    if not quotas:
        raise InputError("no quotas in file", file=source)
    ordered = tuple(q for f in features for q in quotas if q.feature == f)
    return Targets(features=tuple(features), quotas=ordered, source=source, sha256=digest)


def read_people(
    path: str | Path,
    targets: Targets,
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> Pool:
    """Read a respondents CSV: an id column, one column per feature, optional address columns.

    Without ``id_column`` we use a column named like ``id``/``unique_id``/``nationbuilder_id``
    if there is one, else the 1-based row number. Other columns are carried through as
    ``Person.extra``. Duplicate ids and values that no quota names are refused.
    """
    source = str(path)
    text, digest = _read_text(path)
    header, rows = _rows(text, source)
    col = {normalise(h): i for i, h in reversed(list(enumerate(header)))}

    def find(name: str, role: str) -> int:
        if normalise(name) not in col:
            raise InputError(f"no {role} column {name!r} in header", file=source, line=1)
        return col[normalise(name)]

    if id_column is not None:
        id_index: int | None = find(id_column, "id")
    else:
        id_index = next((col[name] for name in ID_COLUMNS if name in col), None)
    feature_index = [find(f, "feature") for f in targets.features]
    address_index = [find(c, "address") for c in household_columns]
    used = {*feature_index, *address_index, *([id_index] if id_index is not None else [])}
    extra_index = [i for i in range(len(header)) if i not in used]
    value_names = {f: {normalise(q.value): q.value for q in targets.values_of(f)} for f in targets.features}
    people: list[Person] = []
    seen: dict[str, int] = {}
    for row_number, (line, cells) in enumerate(rows, start=1):
        if len(cells) != len(header):
            raise InputError(f"expected {len(header)} cells, found {len(cells)}", file=source, line=line)
        pid = cells[id_index].strip() if id_index is not None else str(row_number)
        if not pid:
            raise InputError("blank id", file=source, line=line)
        if pid in seen:
            raise InputError(f"duplicate id {pid!r} (first on line {seen[pid]})", file=source, line=line)
        seen[pid] = line
        values = []
        for feature, index in zip(targets.features, feature_index, strict=True):
            raw = cells[index]
            value = value_names[feature].get(normalise(raw))
            if value is None:
                raise InputError(f"{feature} value {raw.strip()!r} is not in the targets file", file=source, line=line)
            values.append(value)
        address = tuple(normalise(cells[i]) for i in address_index)
        household = address if address and any(address) else None
        extra = tuple((header[i], cells[i]) for i in extra_index)
        people.append(Person(pid, tuple(values), household, extra, line))
    if not people:
        raise InputError("no people in file", file=source)
    return Pool(
        features=targets.features,
        people=tuple(people),
        household_columns=tuple(household_columns),
        id_column=header[id_index] if id_index is not None else None,
        source=source,
        sha256=digest,
    )
