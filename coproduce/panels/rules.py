"""Predicate permissions for resident panels.

Objects: the council (an organisation) for setting panels up; the panel for running one. A
panel is run by the council's officers (or the organisation's secretaries), or a superuser.
"""

import rules

from coproduce.core.models import RoleKind
from coproduce.core.rules import has_current_role

is_officer_or_secretary = has_current_role(RoleKind.OFFICER, RoleKind.SECRETARY)


@rules.predicate
def runs_panel(user, panel) -> bool:
    return panel is not None and is_officer_or_secretary(user, panel.organisation)


rules.add_perm("panels.manage", is_officer_or_secretary | rules.is_superuser)
rules.add_perm("panels.run", runs_panel | rules.is_superuser)
