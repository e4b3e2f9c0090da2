"""Predicate permissions for the core (django-rules).

Object permissions take the organisation as the object: ``user.has_perm("core.view_audit_trail", org)``.
"""

from __future__ import annotations

import rules

from .models import OrganisationKind, Role, RoleKind


def has_current_role(*kinds: str):
    """A predicate: the user currently holds one of ``kinds`` in the organisation."""

    @rules.predicate(name=f"has_role_{'_or_'.join(kinds)}")
    def predicate(user, organisation) -> bool:
        if organisation is None or not user.is_authenticated:
            return False
        return Role.objects.current().filter(person=user, organisation=organisation, kind__in=kinds).exists()

    return predicate


is_secretary = has_current_role(RoleKind.SECRETARY)
is_board_or_secretary = has_current_role(RoleKind.SECRETARY, RoleKind.BOARD_MEMBER)

rules.add_perm("core.view_audit_trail", is_secretary | rules.is_superuser)
rules.add_perm("core.change_organisation_rules", is_secretary | rules.is_superuser)


@rules.predicate
def is_council_officer(user, council=None) -> bool:
    """An officer of ``council`` (which must be a council); with no object, an officer of any council.

    Council officers verify residents (letters, in-person checks, uploaded lists) and read feedback.
    """
    if not user.is_authenticated:
        return False
    roles = Role.objects.current().filter(
        person=user, kind=RoleKind.OFFICER, organisation__kind=OrganisationKind.COUNCIL
    )
    if council is not None:
        if getattr(council, "kind", None) != OrganisationKind.COUNCIL:
            return False
        roles = roles.filter(organisation=council)
    return roles.exists()


rules.add_perm("core.verify_residents", is_council_officer)
rules.add_perm("core.read_feedback", is_council_officer)


# The council's programme workspace (the co-ops it sponsors, places and postcodes, role assignments):
# its officers, and superusers. The object is the council.
rules.add_perm("core.view_programme", is_council_officer | rules.is_superuser)
rules.add_perm("core.assign_roles", is_council_officer | rules.is_superuser)
rules.add_perm("core.import_postcodes", is_council_officer | rules.is_superuser)
