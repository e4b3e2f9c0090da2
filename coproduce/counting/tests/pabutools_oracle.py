"""Importing pabutools, the GPL reference we check our PB engine against (tests and bench only)."""

from __future__ import annotations


def import_pabutools():
    """Return ``(pabutools.election, pabutools.rules)``.

    pabutools 1.2.3 imports names the installed pulp 4.x no longer exports; the rules we call
    never solve an ILP, so placeholders are enough to import it.
    """
    import pulp

    for name in (
        "LpProblem",
        "LpMaximize",
        "LpMinimize",
        "LpVariable",
        "LpBinary",
        "lpSum",
        "PULP_CBC_CMD",
        "LpStatusOptimal",
        "value",
    ):
        if not hasattr(pulp, name):
            setattr(pulp, name, None)
    import pabutools.election as election
    import pabutools.rules as rules

    return election, rules
