"""Reader for Denis Mollison's ``.dat`` rank-vector ballot files (Scottish 2022 profiles).

Unlike BLT, each ballot line gives the rank each candidate received (``count r_1 … r_n``,
0 = unranked), so we turn it into a preference order. Written ourselves because no STV
library reads this format. Equal ranks are refused; the header's line and vote totals are
checked against the body.
"""

from __future__ import annotations

from pathlib import Path

from coproduce.counting.errors import InputError
from coproduce.counting.stv.model import Contest


def parse_dat(text: str, *, file: str = "<input>", seats: int | None = None) -> Contest:
    """Parse ``.dat`` text into a :class:`Contest` (``seats`` overrides the file's)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if len(lines) < 2:
        raise InputError("expected a title line and a 'SEATS CANDIDATES LINES VOTES' line", file=file, line=1)
    title = lines[0].strip()
    head = lines[1].split()
    if len(head) != 4 or not all(t.isdigit() for t in head):
        raise InputError("expected 'SEATS CANDIDATES LINES VOTES'", file=file, line=2)
    file_seats, ncand, nlines, total = map(int, head)
    if ncand < 1 or file_seats < 1:
        raise InputError("the number of candidates and of seats must both be at least 1", file=file, line=2)
    if len(lines) < 2 + ncand:
        raise InputError(f"expected {ncand} candidate lines", file=file, line=len(lines))
    names = tuple(line.strip() for line in lines[2 : 2 + ncand])
    grouped: dict[tuple[int, ...], int] = {}
    seen_lines = 0
    seen_votes = 0
    for number, line in enumerate(lines[2 + ncand :], start=3 + ncand):
        if not line.strip():
            continue
        try:
            fields = list(map(int, line.split()))
        except ValueError:
            raise InputError("expected whole numbers: COUNT RANK_1 … RANK_n", file=file, line=number) from None
        if len(fields) != ncand + 1:
            raise InputError(f"expected {ncand + 1} numbers, found {len(fields)}", file=file, line=number)
        weight, ranks = fields[0], fields[1:]
        if weight < 0 or min(ranks) < 0:
            raise InputError("negative count or rank", file=file, line=number)
        given = [r for r in ranks if r]
        if len(set(given)) != len(given):
            raise InputError("two candidates share a rank (equal rankings are not allowed)", file=file, line=number)
        order = tuple(sorted((c for c in range(ncand) if ranks[c]), key=ranks.__getitem__))
        seen_lines += 1
        seen_votes += weight
        if order and weight:
            grouped[order] = grouped.get(order, 0) + weight
    if seen_lines != nlines or seen_votes != total:
        raise InputError(
            f"header promises {nlines} lines and {total} votes, body has {seen_lines} and {seen_votes}",
            file=file,
            line=2,
        )
    rankings = tuple(grouped)
    return Contest(
        candidates=names,
        seats=seats if seats is not None else file_seats,
        rankings=rankings,
        counts=tuple(grouped[r] for r in rankings),
        title=title,
        source=file,
    )


def read_dat(path: str | Path, *, seats: int | None = None) -> Contest:
    """Read a ``.dat`` file. Raises :class:`InputError` (file, line, reason) if malformed."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", file=name) from None
    return parse_dat(data.decode("utf-8-sig", errors="replace"), file=name, seats=seats)
