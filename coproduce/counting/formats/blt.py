"""Reader and writer for BLT ballot files (the de-facto STV interchange format).

We read BLT ourselves because the files published in the wild are messier than any
library's parser allows: CSV-escaped or unquoted candidate names, unquoted titles without
a final newline, commas between numbers, a byte-order mark, withdrawn candidates given as
negative numbers or ``[withdrawn …]``, Droop's ``[nick …]``/``[tie …]`` options and weights
above 1. Anything we cannot read is refused with the file, line and reason.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections import Counter
from functools import lru_cache
from itertools import accumulate, chain, repeat
from operator import add, itemgetter, sub
from pathlib import Path
from typing import NamedTuple

from coproduce.counting.errors import InputError
from coproduce.counting.stv.model import Contest


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older returning-officer exports are Windows-1252; keep the count going.
        return data.decode("cp1252", errors="replace")


def _name(line: str) -> str:
    """A candidate name or title from one line, however it was quoted."""
    text = line.strip()
    if not text.startswith('"'):
        return text
    if text.startswith('"""'):
        # The whole line was CSV-escaped once more: undo that first.
        with contextlib.suppress(csv.Error, IndexError):
            text = next(csv.reader([text], skipinitialspace=True))[0].strip()
    # Now either "Name" or "Name ""Party""" or several quoted strings "Name" "Party".
    parts: list[str] = []
    try:
        fields = next(csv.reader([text], delimiter=" ", skipinitialspace=True))
        parts = [f.strip() for f in fields if f.strip()]
    except (csv.Error, StopIteration):
        parts = [text.strip('"')]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} ({' '.join(parts[1:])})"


def _ints(text: str) -> list[str]:
    return text.replace(",", " ").split()


def _fast_ballots(block: list[str], ncand: int) -> dict[tuple[int, ...], int] | None:
    """Group plain numeric ballot lines quickly; ``None`` sends the caller to the careful path.

    This is the common case (a million lines): every step below is a C-level ``map`` over
    the lines or tokens, with no Python bytecode per line. Anything unusual (ids, nicknames,
    ``=``, weight 0, bad numbers) is left to the line-by-line reader, which reports exactly
    what is wrong and where.
    """
    if "," in "\n".join(block):
        block = [line.replace(",", " ") for line in block]
    split = [tokens for tokens in map(str.split, block) if tokens]
    if not split:
        return {}
    # Candidate tokens are looked up, not parsed: "1".."n" become 0..n-1 and the closing "0"
    # becomes -1. Anything else (a weight, a typo) becomes None and is dealt with below.
    table = {str(k + 1): k for k in range(ncand)}
    table["0"] = -1
    nums = list(map(table.get, chain.from_iterable(split)))
    try:
        weights = list(map(int, map(itemgetter(0), split)))
    except ValueError:
        return None
    ends = list(accumulate(map(len, split)))
    starts = [0, *ends[:-1]]
    lasts = list(map(sub, ends, repeat(1)))
    if set(map(nums.__getitem__, lasts)) != {-1} or min(weights) < 1 or min(map(sub, ends, starts)) < 2:
        return None
    rankings = list(map(tuple, map(nums.__getitem__, map(slice, map(add, starts, repeat(1)), lasts))))
    if not all(rankings):  # papers with no preference ("5 0") are not votes
        kept = [(r, w) for r, w in zip(rankings, weights, strict=True) if r]
        rankings, weights = [r for r, _w in kept], [w for _r, w in kept]
        if not rankings:
            return {}
    try:
        # None (not a candidate number) cannot be compared; -1 is a "0" before the end.
        if min(map(min, rankings)) < 0:
            return None
    except TypeError:
        return None
    return _group(rankings, weights)


def _group(rankings: list[tuple[int, ...]], weights: list[int]) -> dict[tuple[int, ...], int] | None:
    """Add up the weights of identical rankings; ``None`` if a ranking names someone twice."""
    if not all(rankings):  # papers with no preference ("5 0") are not votes
        kept = [(r, w) for r, w in zip(rankings, weights, strict=True) if r]
        rankings, weights = [r for r, _w in kept], [w for _r, w in kept]
    if list(map(len, map(set, rankings))) != list(map(len, rankings)):
        return None
    grouped = dict(zip(rankings, weights, strict=True))
    if len(grouped) == len(rankings):  # no ranking repeated: nothing to add up
        return grouped
    grouped = {}
    get = grouped.get
    for ranking, weight in zip(rankings, weights, strict=True):
        grouped[ranking] = get(ranking, 0) + weight
    return grouped


#: Candidate numbers become one byte each: "1".."9" stay, 10, 11, … become ":", ";", … (the
#: bytes after "9"), so that every candidate token is a single character.
_MAX_CANONICAL = 60


@lru_cache(maxsize=_MAX_CANONICAL)
def _canonical_spec(ncand: int) -> tuple[re.Pattern[bytes], bytes, tuple[tuple[bytes, bytes], ...]]:
    chars = bytes(range(0x31, 0x31 + ncand))
    # Whole lines "WEIGHT C C … 0", single spaces, weight >= 1 without a leading zero.
    # Possessive repeats (nothing to backtrack into: "0" is no candidate) check ~40% faster.
    pattern = re.compile(rb"(?:[1-9][0-9]*+ (?:[" + re.escape(chars) + rb"] )*+0\n)*+")
    table = bytes.maketrans(chars, bytes(range(ncand)))
    replacements = tuple((b" %d " % (k,), b" " + bytes([0x30 + k]) + b" ") for k in range(10, ncand + 1))
    return pattern, table, replacements


def _canonical_ballots(block: bytes, ncand: int) -> dict[tuple[int, ...], int] | None:
    """Group ballot lines written the usual way (``b"126 1 2 0\\n"``, ASCII, single spaces).

    ``block`` is the ballot section, every line ending in a newline. A regular expression
    checks the whole section at once; then each line costs a few C-level calls (partition,
    slice, translate, tuple). Anything else (tabs, commas, ids, weight 0, a number out of
    range, a duplicate) gives ``None`` and goes to the slower paths, which take or refuse it.
    """
    if ncand > _MAX_CANONICAL:
        return None
    pattern, table, replacements = _canonical_spec(ncand)
    if b"\r" in block:
        block = block.replace(b"\r\n", b"\n")
    if replacements:
        if block.translate(None, b"0123456789 \n"):
            return None  # ":" and the like must not be in the file before they stand for 10, …
        for old, new in replacements:
            block = block.replace(old, new)
    if pattern.fullmatch(block) is None:
        return None
    lines = block.split(b"\n")
    lines.pop()  # after the last newline
    parts = list(map(bytes.partition, lines, repeat(b" ")))
    weights = list(map(int, map(itemgetter(0), parts)))
    # "1 2 3 0"[:-2:2] is "123": the candidate bytes, which translate to 0, 1, 2.
    candidates = map(itemgetter(slice(None, -2, 2)), map(itemgetter(2), parts))
    rankings = list(map(tuple, map(bytes.translate, candidates, repeat(table))))
    return _group(rankings, weights)


def _candidate(token: str, line_no: int, ncand: int, nick: dict[str, int], file: str) -> int:
    """The 0-based candidate that ``token`` (a number or a nickname) stands for."""
    if token in nick:
        return nick[token]
    if not token.isdigit():
        if "=" in token:
            raise InputError(
                f"equal rankings ({token!r}) are not allowed: STV rules need a strict order of preference",
                file=file,
                line=line_no,
            )
        raise InputError(f"expected a candidate number, found {token!r}", file=file, line=line_no)
    k = int(token)
    if not 1 <= k <= ncand:
        raise InputError(f"candidate {k} is out of range 1–{ncand}", file=file, line=line_no)
    return k - 1


class _Head(NamedTuple):
    ncand: int
    seats: int
    header: int  # index of the "CANDIDATES SEATS" line
    start: int  # index of the first ballot line
    withdrawn: set[int]
    nick: dict[str, int]
    tie_order: tuple[int, ...] | None


class _ShortHead(Exception):
    """The first lines of a file ran out before its first ballot line."""


def _head(lines: list[str], complete: bool, file: str) -> _Head:
    """Read the header, options and withdrawn candidates from the top of the file.

    ``complete`` is false when ``lines`` are only the first lines of the file: running out of
    them before the first ballot line raises :class:`_ShortHead`.
    """
    n = len(lines)
    i = 0
    while i < n and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i += 1
    if i == n and not complete:
        raise _ShortHead
    if i == n:
        raise InputError("empty file: expected 'CANDIDATES SEATS' on the first line", file=file, line=1)
    head = _ints(lines[i])
    if len(head) != 2 or not all(t.isdigit() for t in head):
        raise InputError(f"expected 'CANDIDATES SEATS', found {lines[i].strip()[:40]!r}", file=file, line=i + 1)
    ncand, file_seats = int(head[0]), int(head[1])
    header = i
    if ncand < 1 or file_seats < 1:
        raise InputError("the number of candidates and of seats must both be at least 1", file=file, line=i + 1)
    i += 1
    withdrawn: set[int] = set()
    nick: dict[str, int] = {}
    tie_order: tuple[int, ...] | None = None
    # Options and withdrawn candidates come before the ballots.
    while i < n:
        s = lines[i].strip()
        if not s:
            i += 1
            continue
        if s.startswith("["):
            words = s.strip("[] \t").split()
            if words and words[0] == "nick":
                if len(words) - 1 != ncand:
                    raise InputError(f"[nick] needs {ncand} nicknames", file=file, line=i + 1)
                nick = {w: k for k, w in enumerate(words[1:])}
            elif words and words[0] == "tie":
                tie_order = tuple(_candidate(w, i + 1, ncand, nick, file) for w in words[1:])
            elif words and words[0] == "withdrawn":
                withdrawn.update(_candidate(w, i + 1, ncand, nick, file) for w in words[1:])
            # Other options ([droop …], [undeclared …]) carry nothing we count with.
            i += 1
            continue
        toks = _ints(s)
        if toks and toks[0].startswith("-"):
            for t in toks:
                if not (t.startswith("-") and t[1:].isdigit()):
                    raise InputError(f"bad withdrawn-candidate entry {t!r}", file=file, line=i + 1)
                withdrawn.add(_candidate(t[1:], i + 1, ncand, nick, file))
            i += 1
            continue
        break
    if i == n and not complete:
        raise _ShortHead
    return _Head(ncand, file_seats, header, i, withdrawn, nick, tie_order)


def _ballots_end(data: bytes) -> tuple[int, int] | None:
    """Find the end line "0" in ``data`` (the file from its first ballot line) as the
    line-by-line search would: the first line "0", or failing that the first "0\\r".

    Returns the index of the newline before that line (-1 if it is the first) and the index
    after it; ``None`` (for the line-by-line search) if it is the last line or not so simple.
    """
    if data.startswith(b"0\n"):
        return -1, 2
    cut = data.find(b"\n0\n")
    if cut >= 0:
        return cut, cut + 3
    if data.endswith(b"\n0") or data == b"0":
        return None
    if data.startswith(b"0\r\n"):  # Windows line ends, and no line "0" anywhere
        return -1, 3
    cut = data.find(b"\n0\r\n")
    return (cut, cut + 4) if cut >= 0 else None


#: Lines split off the top of a file to find its header and options; the ballots after them
#: are handed to the fast path as one piece, without a string per line.
_HEAD_LINES = 64


def parse_blt(text: str, *, file: str = "<input>", seats: int | None = None) -> Contest:
    """Parse BLT text into a :class:`Contest` (``seats`` overrides the file's)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n", _HEAD_LINES)
    complete = len(lines) <= _HEAD_LINES
    try:
        found = _head(lines if complete else lines[:-1], complete, file)
    except _ShortHead:  # a long header: split the whole file
        lines, complete = text.split("\n"), True
        found = _head(lines, complete, file)
    ncand, file_seats, header, start, withdrawn, nick, tie_order = found

    def candidate(token: str, line_no: int) -> int:
        return _candidate(token, line_no, ncand, nick, file)

    fast = None
    names_from = None  # with the fast path: the end line's index, and the lines after it
    tried = not nick and not complete
    if tried:
        # The usual file: the ballots end at the first line "0"; the fast path checks every
        # line before it and declines anything unusual, and then the file is split as usual.
        body = "\n".join(lines[start:])
        data = body.encode("ascii", "replace")  # one byte per character: offsets agree
        where = _ballots_end(data)
        if where is not None:
            block = data[: where[0] + 1]
            fast = _canonical_ballots(block, ncand)
            if fast is not None:
                names_from = (start + block.count(b"\n"), body[where[1] :].split("\n"))
    if names_from is not None:
        end, tail = names_from
        n = end + 1 + len(tail)
    else:
        if not complete:
            lines = text.split("\n")
        n = len(lines)
        # The ballot section ends at a line reading "0".
        end = start
        for marker in ("0", "0\r"):  # the usual terminator, found at C speed
            try:
                end = lines.index(marker, start)
                break
            except ValueError:
                pass
        while end < n:
            s = lines[end]
            if s.strip().rstrip(",").strip() == "0":
                break
            end += 1
        if end == n:
            raise InputError("no end-of-ballots line ('0') found", file=file, line=n)
        tail = lines[end + 1 :]
        if not nick:
            if not tried:
                block = "\n".join(lines[start:end]) + "\n" if end > start else ""
                fast = _canonical_ballots(block.encode("ascii", "replace"), ncand)
            if fast is None:
                fast = _fast_ballots(lines[start:end], ncand)
    grouped: dict[tuple[int, ...], int] = fast if fast is not None else Counter()
    # The careful path, for files the fast one declined: identical lines are parsed once, and
    # the first bad line is reported with its number.
    for raw, times in [] if fast is not None else Counter(lines[start:end]).items():
        toks = _ints(raw)
        if not toks:
            continue
        if toks[0].startswith("("):  # optional ballot id
            toks = toks[1:]
        try:
            weight = int(toks[0])
            if weight < 0:
                raise ValueError
        except ValueError:
            raise InputError(
                f"expected a ballot weight, found {toks[0]!r}", file=file, line=lines.index(raw, start) + 1
            ) from None
        if toks[-1] != "0":
            raise InputError("ballot line must end with 0", file=file, line=lines.index(raw, start) + 1)
        try:
            prefs = [candidate(t, 0) for t in toks[1:-1]]  # line located below if bad
        except InputError as error:
            raise InputError(error.reason, file=file, line=lines.index(raw, start) + 1) from None
        if len(set(prefs)) != len(prefs):
            raise InputError("a candidate is ranked twice on this ballot", file=file, line=lines.index(raw, start) + 1)
        if weight and prefs:
            grouped[tuple(prefs)] += weight * times
    # Names: one per line, then the title. Some files put several quoted names on a line.
    rest = [(end + 2 + k, line) for k, line in enumerate(tail) if line.strip()]
    names: list[str] = []
    title = ""
    if "," in lines[header] or "," in lines[start]:
        # Comma-separated files end name lines with commas too ("Kathleen BAIRD,").
        rest = [(no, line.strip().rstrip(",").replace(",", " ")) for no, line in rest]
    if len(rest) >= ncand:
        names = [_name(line) for _no, line in rest[:ncand]]
        if len(rest) > ncand:
            title = _name(rest[ncand][1])
    else:
        tokens: list[str] = []
        for _no, line in rest:
            try:
                tokens.extend(t for t in next(csv.reader([line.strip()], delimiter=" ", skipinitialspace=True)) if t)
            except csv.Error:
                tokens.append(line.strip())
        if len(tokens) < ncand:
            raise InputError(
                f"expected {ncand} candidate names after the ballots, found {len(tokens)}",
                file=file,
                line=n,
            )
        names, title = tokens[:ncand], (tokens[ncand] if len(tokens) > ncand else "")
    rankings = tuple(grouped)
    return Contest(
        candidates=tuple(" ".join(name.split()) for name in names),
        seats=seats if seats is not None else file_seats,
        rankings=rankings,
        counts=tuple(grouped.values()),  # dicts keep insertion order: same order as rankings
        title=title,
        withdrawn=frozenset(withdrawn),
        tie_order=tie_order,
        source=file,
    )


def read_blt(path: str | Path, *, seats: int | None = None) -> Contest:
    """Read a BLT file. Raises :class:`InputError` (file, line, reason) if it is malformed."""
    name = str(path)
    try:
        with open(path, "rb") as handle:  # quicker than Path.read_bytes() over a thousand files
            data = handle.read()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", file=name) from None
    return parse_blt(_decode(data, name), file=name, seats=seats)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_blt(contest: Contest) -> str:
    """The contest as BLT text that :func:`parse_blt` reads back to the same contest.

    One line per distinct ranking with its count as the weight, candidates 1-based and each
    line ended by 0; withdrawn candidates as negative numbers; names and title quoted.
    """
    lines = [f"{len(contest.candidates)} {contest.seats}"]
    if contest.withdrawn:
        lines.append(" ".join(f"-{candidate + 1}" for candidate in sorted(contest.withdrawn)))
    for ranking, weight in zip(contest.rankings, contest.counts, strict=True):
        if ranking and weight:
            lines.append(" ".join([str(weight), *(str(candidate + 1) for candidate in ranking), "0"]))
    lines.append("0")
    lines.extend(_quoted(name) for name in contest.candidates)
    lines.append(_quoted(contest.title))
    return "\n".join(lines) + "\n"
