"""The one entry point: ``count(contest, rules=…)``, and a reader that picks the format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coproduce.counting.errors import InputError
from coproduce.counting.stv.model import Contest, Result

RULES = ("scottish", "ers97", "meek")


def rule_function(rules: str) -> Callable[..., Result]:
    """The counting function for ``rules``, imported when first needed (so reading a file,
    printing --help or counting under one rule set imports nothing else)."""
    if rules == "scottish":
        from coproduce.counting.stv.scottish import count_scottish

        return count_scottish
    if rules == "ers97":
        from coproduce.counting.stv.ers97 import count_ers97

        return count_ers97
    if rules == "meek":
        from coproduce.counting.stv.meek import count_meek

        return count_meek
    raise ValueError(f"unknown rules {rules!r}: choose from {', '.join(sorted(RULES))}")


def count(
    contest: Contest, *, rules: str = "scottish", seats: int | None = None, seed: str | None = None, **options: object
) -> Result:
    """Count ``contest`` under ``rules``; ``seats`` overrides the contest's.

    A tie that only a lot can break raises :class:`TieUnresolved` unless ``seed`` is given
    (or the contest carries a tie order); the seed is recorded in the result.
    """
    rule = rule_function(rules)
    n_seats = contest.seats if seats is None else seats
    if n_seats < 1:
        raise InputError("the number of seats must be at least 1", file=contest.source)
    return rule(contest, seats=n_seats, seed=seed, **options)


def read_ballots(path: str | Path, *, seats: int | None = None) -> Contest:
    """Read a BLT (``.blt``) or Mollison (``.dat``) file, chosen by its suffix."""
    if str(path).lower().endswith(".dat"):
        from coproduce.counting.formats.dat import read_dat

        return read_dat(path, seats=seats)
    from coproduce.counting.formats.blt import read_blt

    return read_blt(path, seats=seats)
