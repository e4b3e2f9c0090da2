"""Predicate permissions for members (object: the organisation)."""

import rules

from coproduce.core.rules import is_secretary

rules.add_perm("members.view_register", is_secretary | rules.is_superuser)
rules.add_perm("members.export_register", is_secretary | rules.is_superuser)
rules.add_perm("members.decide_application", is_secretary | rules.is_superuser)
rules.add_perm("members.cease_membership", is_secretary | rules.is_superuser)
