"""Predicate permissions for elections.

Objects: the organisation for setting elections up; the election for running one.
The returning officer runs the election; the organisation's secretaries set it up and, with
the returning officer, enter and check paper ballots (a batch is checked by someone else).
"""

import rules

from coproduce.core.rules import is_secretary


@rules.predicate
def is_returning_officer(user, election) -> bool:
    return election is not None and user.is_authenticated and election.returning_officer_id == user.pk


@rules.predicate
def is_secretary_of_election_organisation(user, election) -> bool:
    return election is not None and is_secretary(user, election.organisation)


rules.add_perm("elections.manage_elections", is_secretary | rules.is_superuser)
rules.add_perm("elections.run_election", is_returning_officer | rules.is_superuser)
rules.add_perm(
    "elections.handle_papers", is_returning_officer | is_secretary_of_election_organisation | rules.is_superuser
)
rules.add_perm(
    "elections.view_management", is_returning_officer | is_secretary_of_election_organisation | rules.is_superuser
)
