"""Single transferable vote: exact counts under named rule sets (pure Python, no Django).

``count(contest, rules="scottish")`` returns a frozen :class:`Result`; ``read_blt`` and
``read_dat`` read ballot files. See ``coproduce count stv --help`` for the command line.
"""

from __future__ import annotations

from pathlib import Path

from coproduce.counting.stv.count import RULES, count, read_ballots
from coproduce.counting.stv.model import Contest, Result, Stage, TieBreak
from coproduce.counting.stv.ties import TieUnresolved


# The readers import the model from this package, so they are imported on first use.
def read_blt(path: str | Path, *, seats: int | None = None) -> Contest:
    """Read a BLT file into a :class:`Contest` (see :mod:`coproduce.counting.formats.blt`)."""
    from coproduce.counting.formats.blt import read_blt as read

    return read(path, seats=seats)


def read_dat(path: str | Path, *, seats: int | None = None) -> Contest:
    """Read a Mollison ``.dat`` rank-vector file into a :class:`Contest`."""
    from coproduce.counting.formats.dat import read_dat as read

    return read(path, seats=seats)


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
