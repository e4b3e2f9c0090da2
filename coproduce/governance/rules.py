"""Predicate permissions for meetings (object: the organisation).

The secretary and the board run meetings (call them, check members in, record the count and
the chair's declaration); only the secretary records the society's rules. Members attend, vote,
appoint proxies and sign requisitions (the services check each of those against the rules and the
register: ``governance.attend`` only says the page is theirs to see).
"""

import rules

from coproduce.core.rules import is_board_or_secretary, is_secretary
from coproduce.members.rules import is_member

rules.add_perm("governance.run_meetings", is_board_or_secretary | rules.is_superuser)
rules.add_perm("governance.change_rules", is_secretary | rules.is_superuser)
rules.add_perm("governance.attend", is_member)
# The members' record (meetings called, papers, results, published minutes); the public's too where
# the rules make the record public (``selectors.may_view_record`` adds that).
rules.add_perm("governance.view_record", is_member | is_board_or_secretary | rules.is_superuser)
