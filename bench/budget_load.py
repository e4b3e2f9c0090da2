"""Cast budget ballots online over real HTTP: granian in front, PostgreSQL behind, 100 concurrent voters.

    .venv/bin/python bench/budget_load.py            # on a throwaway PostgreSQL cluster it starts and removes
    .venv/bin/python bench/budget_load.py --kill     # kill -9 the app server in the middle of the voting
    .venv/bin/python bench/budget_load.py --spread 2   # the casts arrive evenly over 2 s, not all at once
    .venv/bin/python bench/budget_load.py --voters 200 --workers 2 --threads 8
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/budget_load.py   # an EMPTY database of yours

The same load, the same checks and the same targets as ``bench/election_load.py`` (whose machinery
it runs: the PostgreSQL cluster, granian with ``bench/election_load_settings.py``, the clients, the
bare view beside the cast, the box checked afterwards; see that file for what each step does),
through the ward budget's own ballot pages instead of an election's:

* the round: a ward of 100 residents (bulk-created, confirmed addresses, each with a verified email
  address and a password, as in ``bench/budget_count.py``), a knapsack round of 8 costed projects
  (£5,000 to £60,000 each, a budget of £250,000) set up through the budgets services with voting
  open, so every resident is on the electorate;
* each voter signs in through allauth's pages, opens the ballot paper (``budgets:ballot``), ticks
  one to four projects whose costs together fit the budget and posts "Continue", opens the check
  page (``budgets:ballot_check``) — then, all at one barrier, posts the cast there; one in ten
  double-submits; each reads its receipt code from the receipt page (``budgets:receipt``).

Prints the figures (targets: cast p99 < 250 ms, cast throughput >= 50 % of the bare view's, 0 lost,
0 duplicated); exits 1 if a check about the box fails. It asserts nothing about speed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.election_load import PASSWORD, Unexpected, Voter, django_environment, main  # noqa: E402

PROJECTS = 8
INPUT = re.compile(r"<input\b[^>]*>")
VALUE = re.compile(r'\bvalue="(\d+)"')


def prepare(database_url: str, voters: int) -> dict:
    """Migrate, and set up a ward budget with voting open and ``voters`` residents who can sign in.
    Returns its addresses, the projects' costs and the budget."""
    django_environment(database_url)
    from django.db import connections
    from django.urls import reverse

    from bench.budget_count import BUDGET, seed_residents, seed_round, silence_budget_emails
    from coproduce.core.models import User

    silence_budget_emails()
    organisation, ward, officer = seed_residents(voters, slug="bench-load", login_password=PASSWORD)
    budget_round, costs = seed_round(
        organisation, ward, officer, projects=PROJECTS, rule="mes", title="Bench ward budget (load)"
    )
    emails = list(User.objects.filter(ward=ward).order_by("pk").values_list("email", flat=True))
    connections.close_all()
    return {
        "emails": emails,
        "ballot": reverse("budgets:ballot", kwargs={"pk": budget_round.pk}),
        "check": reverse("budgets:ballot_check", kwargs={"pk": budget_round.pk}),
        "receipt": reverse("budgets:receipt", kwargs={"pk": budget_round.pk}),
        "box": budget_round.box_id,
        "costs": costs,
        "budget": BUDGET,
    }


class BudgetVoter(Voter):
    """A voter who fills in the budget's ballot paper: ticks projects that fit within the budget."""

    def fill_ballot(self) -> bool:
        """Open the ballot paper and post the ticks; False if it shows the vote is already recorded."""
        response = self._get(self.paths["ballot"])
        if response.status_code == 302 and self.paths["receipt"] in response.headers["Location"]:
            return False
        if response.status_code != 200:
            raise Unexpected(f"ballot page: {response.status_code} {response.headers.get('Location')}")
        keys = [
            match.group(1)
            for tag in INPUT.findall(response.text)
            if 'name="projects"' in tag and (match := VALUE.search(tag))
        ]
        if not keys:
            raise Unexpected("no projects on the ballot paper")
        costs, budget = self.paths["costs"], self.paths["budget"]
        order = keys[self.number % len(keys) :] + keys[: self.number % len(keys)]  # varied ballots
        chosen, spent = [], 0
        for key in order:
            if len(chosen) == 1 + self.number % 4:
                break
            if spent + costs[key] <= budget:
                chosen.append(key)
                spent += costs[key]
        data = {"projects": chosen, "action": "continue", "csrfmiddlewaretoken": self._token(response)}
        response = self._post(self.paths["ballot"], data)
        if response.status_code != 302 or self.paths["check"] not in response.headers["Location"]:
            raise Unexpected(f"ballot post: {response.status_code}")
        return True


if __name__ == "__main__":
    sys.exit(main(prepare=prepare, voter=BudgetVoter, what="ward budget", doc=__doc__))
