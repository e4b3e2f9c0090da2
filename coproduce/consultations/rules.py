"""Predicate permissions for consultations.

Objects: the organisation for creating consultations (``consultations.manage``); the
consultation for running one (``consultations.run``) and for reading its equality monitoring
answers in aggregate (``consultations.see_equality``). Officers and secretaries without a
current equalities role never see equality answers, not even counts.
"""

import rules

from coproduce.core.models import RoleKind
from coproduce.core.rules import has_current_role

is_officer_or_secretary = has_current_role(RoleKind.OFFICER, RoleKind.SECRETARY)
is_equalities = has_current_role(RoleKind.EQUALITIES)


@rules.predicate
def runs_consultation(user, consultation) -> bool:
    return consultation is not None and is_officer_or_secretary(user, consultation.organisation)


@rules.predicate
def sees_equality(user, consultation) -> bool:
    return consultation is not None and is_equalities(user, consultation.organisation)


rules.add_perm("consultations.manage", is_officer_or_secretary | rules.is_superuser)
rules.add_perm("consultations.run", runs_consultation | rules.is_superuser)
rules.add_perm("consultations.see_equality", sees_equality | rules.is_superuser)
