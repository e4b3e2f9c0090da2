"""Participatory budgeting: decide which proposed projects a budget funds, and explain why.

Public API::

    from coproduce.counting.pb import count, read_pb
    result = count(read_pb("Poland_Warszawa_2026.pb"), rule="mes", completion="add1")

Pure Python (plus numpy), no Django: a council's ``budgets`` app calls :func:`count`. We wrote the
engine ourselves rather than wrap pabutools (the field's reference) because pabutools is GPL, needs
minutes and gigabytes on city-sized votes, and pulls in a commercial solver; it is used only as a
test oracle (``bench/pabutools_oracle.py``).
"""

from coproduce.counting.formats.pabulib import read_pb, read_pb_text, write_pb, write_pb_text
from coproduce.counting.pb.count import COMPLETIONS, RULES, count, declared
from coproduce.counting.pb.model import Ballot, Instance, Project, ProjectOutcome, Result, TieBreak

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
