"""Conformance with official Scottish council results (2017 and 2022).

For all 983 rows of ``expected/scotland_official_elected.csv`` the elected set must equal the
official one, and every stage total must equal the official Mulvenna tables at the precision
the council published, except the cells listed in ``DEFECTS`` (each explained below).
Mismatches are collected over all wards and reported together.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from coproduce.counting.stv import count, read_ballots

# (ballot file stem, official candidate name, stage) -> why the official cell is not a faithful count.
DEFECTS: dict[tuple[str, str, int], str] = {
    # PROVENANCE: Glasgow ward 1 (Linn) 2017, stage 3: "393.0" is a typo for 303.0.
    ("glasgow_2017_ward1", "Alan Digney", 3): "typo in the published table (393 for 303)",
    # PROVENANCE: Midlothian ward 1 2017, stage 3: 0.00002 off, unexplained in the source.
    ("midlothian_2017_ward1", "Joe Wallace", 3): "published 832.84154, recount 832.84152 (unexplained)",
    # Glasgow ward 11 2017, stage 2: the ward is published to 5 places but this cell has only
    # four (998.5328); our 998.53286 truncates to it, so a digit was dropped in the table.
    ("glasgow_2017_ward11", "Caroline Welsh", 2): "published with a digit missing (998.5328)",
}
# Whole wards whose published stages are known not to be a faithful count (PROVENANCE §3).
DEFECT_WARDS = {
    # East Dunbartonshire, Bishopbriggs North and Campsie 2022: malformed cell "462.466.26"
    # and Billy Hendry's stage-7 total (1596.76) differs from a recount (2161.88).
    "east_dunbartonshire_2022_ward4": {("Billy Hendry", 7)},
    "4_Bishopbriggs_North_and_Campsie": {("Billy Hendry", 7)},
    # Edinburgh Pentland Hills 2022: stages 2-4 differ by up to 3 votes from a faithful recount
    # (and propagate to later stages of the same candidates); the elected set is unaffected.
    "edinburgh_2022_ward2": None,
    "2_Pentland_Hills": None,
}


def _official(root: Path) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    tables = {
        "2017": root / "scotland-2017-results-mulvenna" / "council17-mulvenna-org.csv",
        "2022": root / "scotland-2022-results-mulvenna" / "council2022.csv",
    }
    out: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    for year, path in tables.items():
        wards: dict[str, dict[str, dict[str, str]]] = {}
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                wards.setdefault(row["map_ward_id"], {})[row["name"]] = row
        out[year] = wards
    return out


def _cells(rows: dict[str, dict[str, str]]) -> dict[tuple[str, int], str]:
    cells = {}
    for name, row in rows.items():
        for stage in range(1, 14):
            column = "first_prefs" if stage == 1 else f"total_votes{stage:02d}"
            if row.get(column):
                cells[(name, stage)] = row[column]
    return cells


def test_elected_sets_and_stage_totals_match_official_results(shared_data):
    root = shared_data("stv")
    expected = root / "expected" / "scotland_official_elected.csv"
    official = _official(root)
    with expected.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 983
    wrong_elected: list[str] = []
    wrong_cells: list[str] = []
    seen_defects: set[tuple[str, str, int]] = set()
    compared = 0
    for row in rows:
        path = root / row["ballot_file"]
        result = count(read_ballots(path), rules="scottish")
        want = [int(k) for k in row["elected_candidate_numbers"].split(";")]
        if sorted(c + 1 for c in result.elected) != sorted(want):
            wrong_elected.append(f"{row['ballot_file']}: {[c + 1 for c in result.elected]} != {want}")
        if result.quota != Decimal(row["quota_official"]):
            wrong_elected.append(f"{row['ballot_file']}: quota {result.quota} != {row['quota_official']}")
        # Bearsden North 2017: valid_poll published as 7034, the ballots give 7035 (PROVENANCE
        # §4); both give the same quota, 1759. Every other ward's valid vote must match.
        bearsden = row["year"] == "2017" and row["ward_name"] == "Bearsden North"
        if (result.valid != Decimal(row["valid_poll_official"])) != bearsden:
            wrong_elected.append(f"{row['ballot_file']}: valid {result.valid} vs {row['valid_poll_official']}")
        ward = official[row["year"]][row["ward_code"]]
        names = dict(item.split("=", 1) for item in row["candidate_map"].split(";"))
        cells = _cells(ward)
        stem = path.stem
        for number, name in names.items():
            c = int(number) - 1
            for stage in result.stages:
                cell = cells.get((name, stage.number))
                if cell is None:
                    continue
                compared += 1
                ours = stage.totals[c]
                try:
                    theirs = Decimal(cell)
                except InvalidOperation:
                    ok = False
                else:
                    # Compare at the precision of the published cell: 5 places where the council
                    # published them (trailing zeros dropped in the table), else rounded (2 places).
                    places = max(0, -int(theirs.as_tuple().exponent))
                    ok = ours.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP) == theirs
                if ok:
                    continue
                key = (stem, name, stage.number)
                allowed = DEFECT_WARDS.get(stem, set())
                if key in DEFECTS or allowed is None or (allowed and (name, stage.number) in allowed):
                    seen_defects.add(key if key in DEFECTS else (stem, "*", 0))
                    continue
                if stem in DEFECT_WARDS and cell.count(".") > 1:
                    seen_defects.add((stem, "*", 0))  # the malformed "462.466.26" cell
                    continue
                wrong_cells.append(f"{row['ballot_file']}: {name} stage {stage.number}: ours {ours}, official {cell}")
    assert not wrong_elected, "\n".join(wrong_elected)
    assert not wrong_cells, f"{len(wrong_cells)} of {compared} cells differ:\n" + "\n".join(wrong_cells[:50])
    assert compared > 45_000
    # Every listed defect is real: the count disagrees with exactly those published cells.
    assert set(DEFECTS) <= seen_defects
    assert {stem for stem, _n, _s in seen_defects} >= set(DEFECT_WARDS)
