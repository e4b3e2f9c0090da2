"""Sortition: selecting representative panels (citizens' assemblies, resident panels).

Pure Python over frozen dataclasses, no Django. ``select`` computes a LEXIMIN (or maximin)
lottery over quota- and household-feasible panels with the free HiGHS solver, certifies its
minimum probability with the LP dual bound, and draws a panel reproducibly from a seed.
"""

from coproduce.counting.sortition.engine import ALGORITHMS, ENGINE_VERSION, select
from coproduce.counting.sortition.infeasibility import InfeasibleQuotas
from coproduce.counting.sortition.io import read_people, read_targets
from coproduce.counting.sortition.model import (
    Distribution,
    Person,
    Pool,
    Quota,
    Relaxation,
    Selection,
    Targets,
)
from coproduce.counting.sortition.reserves import replacements

__all__ = [
    "ALGORITHMS",
    "ENGINE_VERSION",
    "Distribution",
    "InfeasibleQuotas",
    "Person",
    "Pool",
    "Quota",
    "Relaxation",
    "Selection",
    "Targets",
    "read_people",
    "read_targets",
    "replacements",
    "select",
]
