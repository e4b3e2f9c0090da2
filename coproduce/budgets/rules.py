"""Predicate permissions for participatory budgets.

Objects: the fund holder (an organisation) for setting rounds up; the round for running one.
A round is run by the fund holder's officers (a council's) or secretaries (a co-op's fund).
"""

import rules

from coproduce.core.models import RoleKind
from coproduce.core.rules import has_current_role

is_officer_or_secretary = has_current_role(RoleKind.OFFICER, RoleKind.SECRETARY)


@rules.predicate
def runs_round(user, budget_round) -> bool:
    return budget_round is not None and is_officer_or_secretary(user, budget_round.organisation)


rules.add_perm("budgets.manage_rounds", is_officer_or_secretary | rules.is_superuser)
rules.add_perm("budgets.run_round", runs_round | rules.is_superuser)
