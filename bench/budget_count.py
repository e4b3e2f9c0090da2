"""Time a ward budget's count with 10,000 voters and 40 projects, and its results page.

    .venv/bin/python bench/budget_count.py                      # fresh SQLite file in a temporary folder
    .venv/bin/python bench/budget_count.py --voters 20000 --projects 60 --rule greedy
    .venv/bin/python bench/budget_count.py --requests 500       # more requests for the page's percentiles
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/budget_count.py   # an EMPTY database of yours
    /tmp/pgbench.sh .venv/bin/python bench/budget_count.py      # … or a throwaway cluster that sets it

Builds a council and a ward of residents (bulk-created users, confirmed addresses, all adults),
then four budget rounds for that ward through the budgets services (created, published, each
project costed by ``project_create``, the seed published, voting opened by ``round_open_voting``
at the time in its timetable, so every resident is on the electorate): the round measured, with
``--projects`` projects (40) and ``--voters`` ballots (10,000), and for the query count the same
with 10 projects and with 1,000 ballots. The ballots are bulk-inserted as ``Mark`` and ``Ballot``
rows in exactly the shape ``voting.services.vote_cast`` writes them, as ``bench/election_count.py``
does: knapsack ballots (each voter ticks projects, popular ones more often, while their costs
together fit within the budget), from a seeded random generator. Voting is then closed by
``round_close_voting`` with the count it queues held back, so that the count is timed alone.

1. **The count task**: ``tasks.count_round`` for the round, called as the task worker calls it —
   the box sealed (its ballots rewritten in a shuffled order), the ballots read into a Pabulib
   ``Instance``, the Method of Equal Shares with add-one completion (or ``--rule greedy``), an
   explanation for every project, the result and the ``.pb`` file stored. The clock stops when
   the declared result is in the database. The result email to every voter is not part of what
   is timed (its task is a no-op here; in production it runs in the task worker afterwards).
   Target: < 2 s. On SQLite the seal's shuffle takes the ballots through Python and back
   (``voting.services._rewrite_shuffled``; on PostgreSQL, production's database, it is three SQL
   statements), the biggest part of the time there: ``--profile`` shows where it goes.
2. **The results page** (``budgets:result``): ``--requests`` GETs (200) by an anonymous visitor
   through Django's test client (the whole stack: middleware, session, selectors, Jinja2 with
   both charts and their tables; no network or WSGI server), after 5 untimed ones. Target: p95
   < 200 ms. And the number of database queries the page makes for each of the four rounds (10
   and 40 projects, 1,000 and 10,000 ballots): target, the same number for all four.

Prints the figures with PASS or MISS against each target; asserts nothing about speed, and exits
1 if a count did not declare its result or a page did not answer 200.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import logging
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.election_count import configure  # noqa: E402 - after the path is set

TARGET_COUNT_SECONDS = 2.0
TARGET_P95_MS = 200
BATCH = 5_000
BUDGET = 250_000_00  # pence: £250,000 for the ward
SLUG = "bench-council"


class _Quiet:
    """A task that is not measured: enqueuing it does nothing."""

    def enqueue(self, *args, **kwargs) -> None:
        return None


def silence_budget_emails() -> None:
    """The rounds' emails (voting open, the result, …) are not measured: no-ops in their place."""
    from coproduce.budgets import tasks

    for name in [name for name in vars(tasks) if name.startswith("send_")]:
        setattr(tasks, name, _Quiet())


def seed_residents(voters: int, *, slug: str = SLUG, login_password: str | None = None):
    """A listed council and one ward whose ``voters`` residents may all take part (confirmed
    addresses, aged 40). With ``login_password`` each can sign in with it (a verified email address
    each), for the HTTP benchmark. Returns ``(organisation, ward, officer)``."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from coproduce.budgets.selectors import born_by
    from coproduce.core.models import Organisation, OrganisationKind, Place, PlaceKind, User
    from coproduce.core.verification import VerificationLevel

    if Organisation.objects.filter(slug=slug).exists():
        raise SystemExit(f"The database already holds {slug!r}: give the benchmark an empty database.")
    organisation = Organisation.objects.create(
        name="Bench Borough Council", slug=slug, kind=OrganisationKind.COUNCIL, is_public=True
    )
    ward = Place.objects.create(code=f"BENCH-{slug}"[:20], name="Bench ward", kind=PlaceKind.WARD)
    password = make_password(login_password)  # one hash for all: nobody pays PBKDF2 10,000 times
    born = born_by(timezone.localdate(), 40)
    for start in range(0, voters, BATCH):
        size = min(BATCH, voters - start)
        with transaction.atomic():
            people = User.objects.bulk_create(
                [
                    User(
                        email=f"resident{start + i}@{slug}.example.org",
                        full_name=f"Resident {start + i}",
                        password=password,
                        ward=ward,
                        verification_level=VerificationLevel.CONFIRMED,
                        date_of_birth=born,
                    )
                    for i in range(size)
                ]
            )
            if login_password is not None:
                EmailAddress.objects.bulk_create(
                    [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people]
                )
    officer = User.objects.create_user(f"budget-officer@{slug}.example.org", None, full_name="Budget Officer")
    return organisation, ward, officer


def seed_round(organisation, ward, officer, *, projects: int, rule: str, title: str, seed: int = 2026):
    """A knapsack round for ``ward`` with ``projects`` costed projects (£5,000 to £60,000 each) and
    voting open. Returns ``(budget_round, costs)``, the costs in pence by option key."""
    from django.utils import timezone

    from coproduce.budgets import services
    from coproduce.budgets.models import BallotKind

    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    budget_round = services.round_create(
        organisation=organisation,
        by=officer,
        title=title,
        place=ward,
        amount=BUDGET,
        ideas_open=now + hour,
        ideas_close=now + 2 * hour,
        review_close=now + 3 * hour,
        voting_open=now + 4 * hour,
        voting_close=now + 5 * hour,
        ballot_kind=BallotKind.KNAPSACK,
        count_rule=rule,
    )
    services.round_publish(budget_round=budget_round, by=officer)
    rng = random.Random(seed + projects)
    for number in range(1, projects + 1):
        services.project_create(
            budget_round=budget_round,
            by=officer,
            title=f"Project {number:02d}",
            description="A project for the bench ward.",
            cost=rng.randrange(5_000, 60_001) * 100,
        )
    services.round_seed_set(budget_round=budget_round, seed=seed, by=officer)
    # Voting opens at the time in its timetable (four hours from now): the service is told so.
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer, now=budget_round.voting_open)
    costs = {str(p.pk): p.cost for p in budget_round.projects.all()}
    return budget_round, costs


def knapsack_ballot(rng: random.Random, costs: dict[str, int], weights: dict[str, float]) -> list[str]:
    """One voter's ticks: projects drawn in turn, popular ones more often, while they fit the budget."""
    wanted = rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 8])
    remaining = list(costs)
    chosen: list[str] = []
    spent = 0
    while remaining and len(chosen) < wanted:
        pick = rng.choices(remaining, weights=[weights[key] for key in remaining])[0]
        remaining.remove(pick)
        if spent + costs[pick] <= BUDGET:
            chosen.append(pick)
            spent += costs[pick]
    return chosen


def fill_box(budget_round, costs: dict[str, int], ballots: int, *, seed: int = 10_000) -> None:
    """``ballots`` votes by the first electors, bulk-inserted in ``vote_cast``'s shape."""
    from django.db import transaction

    from coproduce.voting.models import Ballot, Channel, Elector, Mark
    from coproduce.voting.services import ballot_content_check, new_receipt

    rng = random.Random(seed)
    box = budget_round.box
    weights = {key: rng.uniform(1, 10) for key in costs}
    electors = list(Elector.objects.filter(box=box).order_by("pk").values_list("pk", flat=True))[:ballots]
    if len(electors) < ballots:
        raise SystemExit(f"only {len(electors):,} electors for {ballots:,} ballots")
    receipts: set[str] = set()
    for start in range(0, len(electors), BATCH):
        marks, papers = [], []
        for elector in electors[start : start + BATCH]:
            while (receipt := new_receipt()) in receipts:
                pass
            receipts.add(receipt)
            marks.append(Mark(elector_id=elector, box=box, channel=Channel.ONLINE, receipt=receipt))
            papers.append(Ballot(box=box, content=ballot_content_check(box, knapsack_ballot(rng, costs, weights))))
        rng.shuffle(papers)  # as cast: no order shared with the marks
        with transaction.atomic():
            Mark.objects.bulk_create(marks)
            Ballot.objects.bulk_create(papers)


def close_without_counting(budget_round):
    """Close the vote at the time in its timetable, with the count it queues held back."""
    from coproduce.budgets import services, tasks

    count_round = tasks.count_round
    tasks.count_round = _Quiet()
    try:
        services.round_close_voting(budget_round=budget_round, by=None, now=budget_round.voting_close)
    finally:
        tasks.count_round = count_round


def count(budget_round, *, profile: bool = False) -> float:
    """Run the count task for the round; seconds until the declared result is stored."""
    from coproduce.budgets import tasks

    profiler = cProfile.Profile() if profile else None
    begin = time.perf_counter()
    if profiler:
        profiler.enable()
    tasks.count_round.call(budget_round.pk)
    elapsed = time.perf_counter() - begin
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return elapsed


def page_queries(client, url: str) -> tuple[int, int]:
    """(queries, status) of one GET of ``url``, after one untimed GET (a warm cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response.status_code


def time_page(client, url: str, requests: int) -> tuple[list[float], list[str]]:
    """Milliseconds per request (after 5 untimed warm-up requests), and any non-200 answers."""
    errors = []
    for _ in range(5):
        client.get(url)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors.append(f"{url}: {response.status_code} {response.get('Location', '')}")
    return timings, errors


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=10_000, help="ballots in the round measured (default 10,000)")
    parser.add_argument("--projects", type=int, default=40, help="projects in the round measured (default 40)")
    parser.add_argument("--rule", default="mes", choices=["mes", "greedy"], help="the count rule (default mes)")
    parser.add_argument("--requests", type=int, default=200, help="timed GETs of the results page (default 200)")
    parser.add_argument("--profile", action="store_true", help="print where the count spends its time (cProfile)")
    args = parser.parse_args()

    given = os.environ.get("DATABASE_URL")
    configure(given)
    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from coproduce.budgets.models import Stage

    call_command("migrate", verbosity=0)
    silence_budget_emails()
    small_voters = min(1_000, args.voters)
    small_projects = min(10, args.projects)
    print(
        f"database: {connection.vendor} ({'DATABASE_URL' if given else 'a temporary SQLite file'}); "
        f"a ward of {args.voters:,} residents; the round measured: {args.projects} projects, {args.voters:,} "
        f"knapsack ballots, {args.rule} rule; for the query count also {small_projects} projects and "
        f"{small_voters:,} ballots",
        flush=True,
    )
    started = time.perf_counter()
    organisation, ward, officer = seed_residents(args.voters)
    shapes = [
        (args.projects, args.voters),
        (small_projects, args.voters),
        (args.projects, small_voters),
        (small_projects, small_voters),
    ]
    rounds = {}
    for projects, voters in shapes:
        title = f"Bench ward budget: {projects} projects, {voters:,} voters"
        budget_round, costs = seed_round(organisation, ward, officer, projects=projects, rule=args.rule, title=title)
        fill_box(budget_round, costs, voters)
        close_without_counting(budget_round)
        rounds[(projects, voters)] = budget_round
    print(f"set up in {time.perf_counter() - started:.1f} s (residents, four rounds, boxes filled, voting closed)")

    problems = []
    timings = {}
    for shape, budget_round in rounds.items():
        timings[shape] = count(budget_round, profile=args.profile and shape == shapes[0])
        budget_round.refresh_from_db()
        if budget_round.stage != Stage.DECLARED or not budget_round.result:
            problems.append(f"{budget_round.title}: no result stored (stage {budget_round.stage})")

    measured = rounds[shapes[0]]
    elapsed = timings[shapes[0]]
    result = measured.result or {}
    print()
    print(
        f"count task ({args.projects} projects, {args.voters:,} ballots): {elapsed:.2f} s "
        f"(target < {TARGET_COUNT_SECONDS:.0f} s) {verdict(elapsed < TARGET_COUNT_SECONDS)}"
    )
    if result:
        print(
            f"  {len(result['selected'])} projects funded for £{result['cost'] / 100:,.2f} of "
            f"£{result['budget'] / 100:,.2f} (£{result['left'] / 100:,.2f} left); turnout "
            f"{result['turnout']['voted']:,} of {result['turnout']['electorate']:,}; every project explained: "
            f"{all(entry.get('explanation') for entry in result['projects'])}"
        )
    print(
        "  the other rounds: "
        + "; ".join(f"{p} projects, {v:,} ballots {timings[(p, v)]:.2f} s" for p, v in shapes[1:])
    )

    client = Client()
    url = reverse("budgets:result", kwargs={"pk": measured.pk})
    page, errors = time_page(client, url, args.requests)
    problems += errors
    p95 = percentile(page, 0.95)
    print()
    print(
        f"results page {url}, {args.requests} GETs, Django test client: p50 {statistics.median(page):.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(page):.1f} ms (target p95 < {TARGET_P95_MS} ms) {verdict(p95 < TARGET_P95_MS)}"
    )
    counts = {}
    for (projects, voters), budget_round in rounds.items():
        queries, status = page_queries(client, reverse("budgets:result", kwargs={"pk": budget_round.pk}))
        counts[(projects, voters)] = queries
        if status != 200:
            problems.append(f"{budget_round.title}: the results page answered {status}")
    print(
        "queries per results page: "
        + "; ".join(f"{p} projects, {v:,} ballots: {counts[(p, v)]}" for p, v in shapes)
        + f" (target: the same for all) {verdict(len(set(counts.values())) == 1)}"
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
