"""Participatory budgeting: decide which proposed projects a budget funds, and explain why.

Public API::

    from coproduce.counting.pb import count, read_pb
    result = count(read_pb("Poland_Warszawa_2026.pb"), rule="mes", completion="add1")

Pure Python (plus numpy), no Django: a council's ``budgets`` app calls :func:`count`. We wrote the
engine ourselves rather than wrap pabutools (the field's reference) because pabutools is GPL, needs
minutes and gigabytes on city-sized votes, and pulls in a commercial solver; it is used only as a
test oracle (``bench/pabutools_oracle.py``).
"""

from typing import Any

from coproduce.counting.pb.count import COMPLETIONS, RULES, count, declared
from coproduce.counting.pb.model import Ballot, Instance, Project, ProjectOutcome, Result, TieBreak

_FORMAT_FUNCTIONS = ("read_pb", "read_pb_text", "write_pb", "write_pb_text")


def __getattr__(name: str) -> Any:
    """The Pabulib reader and writer, imported on first use.

    ``coproduce.counting.formats.pabulib`` builds this package's model classes, so importing it
    here eagerly would be circular when the reader is imported first.
    """
    if name in _FORMAT_FUNCTIONS:
        from coproduce.counting.formats import pabulib

        return getattr(pabulib, name)
    raise AttributeError(name)


__all__ = [
    "COMPLETIONS",
    "RULES",
    "Ballot",
    "Instance",
    "Project",
    "ProjectOutcome",
    "Result",
    "TieBreak",
    "count",
    "declared",
    "read_pb",
    "read_pb_text",
    "write_pb",
    "write_pb_text",
]
