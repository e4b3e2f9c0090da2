"""Predicate permissions for members (object: the organisation)."""

import rules

from coproduce.core.rules import is_board_or_secretary, is_council_officer, is_secretary

from .models import Membership, MembershipStatus


@rules.predicate
def is_member(user, organisation) -> bool:
    """The user is a current member of the organisation."""
    if organisation is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(person=user, organisation=organisation, status=MembershipStatus.ADMITTED).exists()


rules.add_perm("members.view_register", is_secretary | rules.is_superuser)
rules.add_perm("members.export_register", is_secretary | rules.is_superuser)
rules.add_perm("members.decide_application", is_secretary | rules.is_superuser)
rules.add_perm("members.cease_membership", is_secretary | rules.is_superuser)
rules.add_perm("members.record_payment", is_secretary | rules.is_superuser)
# Members may inspect the duplicate register (the register without holdings), 2014 Act Part 8.
rules.add_perm("members.inspect_register", is_member | is_secretary | rules.is_superuser)
# The organisation's workspace: its secretary and board (the register itself stays the secretary's).
rules.add_perm("members.view_workspace", is_board_or_secretary | rules.is_superuser)
rules.add_perm("members.change_rules", is_secretary | rules.is_superuser)
rules.add_perm("members.correct_member_details", is_secretary | rules.is_superuser)
# The council's programme workspace: its officers see the organisations it sponsors, in aggregate.
rules.add_perm("members.view_programme", is_council_officer | rules.is_superuser)
