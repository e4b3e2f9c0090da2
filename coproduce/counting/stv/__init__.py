"""Single transferable vote: exact counts under named rule sets (pure Python, no Django).

``count(contest, rules="scottish")`` returns a frozen :class:`Result`; ``read_blt`` and
``read_dat`` read ballot files. See ``coproduce count stv --help`` for the command line.
"""

from __future__ import annotations

from coproduce.counting.stv.count import RULES, count, read_ballots
from coproduce.counting.stv.model import Contest, Result, Stage, TieBreak
from coproduce.counting.stv.ties import TieUnresolved


def read_blt(path, *, seats=None):  # type: ignore[no-untyped-def]
    """Read a BLT file into a :class:`Contest` (see :mod:`coproduce.counting.formats.blt`)."""
    from coproduce.counting.formats.blt import read_blt as _read

    return _read(path, seats=seats)


def read_dat(path, *, seats=None):  # type: ignore[no-untyped-def]
    """Read a Mollison ``.dat`` rank-vector file into a :class:`Contest`."""
    from coproduce.counting.formats.dat import read_dat as _read

    return _read(path, seats=seats)


__all__ = [
    "RULES",
    "Contest",
    "Result",
    "Stage",
    "TieBreak",
    "TieUnresolved",
    "count",
    "read_ballots",
    "read_blt",
    "read_dat",
]
