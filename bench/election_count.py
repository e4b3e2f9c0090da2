"""Time an election of 50,000 ballots from the close of the poll to the published result.

    .venv/bin/python bench/election_count.py                      # fresh SQLite file in a temporary folder
    .venv/bin/python bench/election_count.py --ballots 20000 --rules meek
    .venv/bin/python bench/election_count.py --cast service       # every ballot through voting.services.vote_cast
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/election_count.py   # an EMPTY database of yours

Builds an organisation whose members (bulk-created: users, memberships and their shares) make
up the electorate, sets up a board election through the elections services (one all-members
constituency, 12 candidates for 5 seats, STV), opens the poll through ``election_open_voting``
and fills the box. By default the ballots are bulk-inserted as ``Mark`` and ``Ballot`` rows in
exactly the shape ``voting.services.vote_cast`` writes them (a mark with a receipt for each
voter, a ballot with the ranked option keys and nothing else); ``--cast service`` casts each
one through ``vote_cast`` instead, which is slower to set up and gives the same box.
Preferences are drawn from a seeded random generator (popular candidates more often first;
most voters rank two to five).

Then it times ``election_close_voting``: the close, and the count task it queues, which the
immediate task backend runs as the close commits (seal: the box's ballots rewritten in a
shuffled order; read the ballots into the engine's contest; count; store the result). The
clock stops when the declared result is in the database. The election's emails (the result to
50,000 members) are not part of what is timed: their task is replaced by a no-op here; in
production it runs in the task worker after the result is stored. Prints the figures against
the target (result published < 5 s after the close); asserts nothing about speed, and exits 1
if the result is missing or the box does not add up.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import logging
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 5.0
BATCH = 5_000
CAST = {"bulk": "bulk insert of Mark and Ballot rows (vote_cast's shape)", "service": "voting.services.vote_cast"}


def configure(database_url: str | None) -> str:
    """Point the settings at a throwaway data folder and database before Django reads them."""
    data_dir = Path(tempfile.mkdtemp(prefix="coproduce-bench-"))
    os.environ["COPRODUCE_DATA_DIR"] = str(data_dir)
    (data_dir / "static").mkdir()  # whitenoise warns about a missing STATIC_ROOT on every start otherwise
    # DEBUG off: with it on Django keeps every SQL query in memory, which is not what production pays.
    os.environ["COPRODUCE_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.setdefault("COPRODUCE_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    # The count must run as the close commits: the immediate backend (development's default).
    os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
    return os.environ["DATABASE_URL"]


def silence_election_emails() -> None:
    """The election's notices (nominations, voting, result) are not measured: a no-op in their place."""
    from coproduce.elections import tasks

    class _Quiet:
        def enqueue(self, *args, **kwargs) -> None:
            return None

    tasks.send_election_notice = _Quiet()
    tasks.send_nomination_requests = _Quiet()
    tasks.send_nomination_decision = _Quiet()


def seed_election(
    *,
    voters: int,
    candidates: int,
    seats: int,
    rules: str,
    slug: str = "bench-coop",
    login_password: str | None = None,
):
    """An organisation of ``voters`` members, and its board election with the poll open.

    Returns ``(election, constituency, people)``. With ``login_password``, every voter can sign
    in with it (a verified email address each), for the HTTP benchmark.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from coproduce.core.models import Organisation, OrganisationKind, User
    from coproduce.elections import services
    from coproduce.members.models import (
        Membership,
        MembershipStatus,
        ShareTransaction,
        ShareTransactionKind,
        StakeholderClass,
    )
    from coproduce.members.services import membership_rules_update

    if Organisation.objects.filter(slug=slug).exists():
        raise SystemExit(f"The database already holds {slug!r}: give the benchmark an empty database.")
    organisation = Organisation.objects.create(
        name="Bench Housing Co-operative", slug=slug, kind=OrganisationKind.HOUSING_COOP
    )
    # Owed shares vote here, so that the ledger needs no payments (the electorate is what matters).
    membership_rules_update(organisation=organisation, actor=None, paid_share_needed_to_vote=False)
    member_class = StakeholderClass.objects.create(
        organisation=organisation, code="member", name="Member", has_voting_rights=True, order=0
    )
    password = make_password(login_password)  # one hash for all: nobody pays PBKDF2 50,000 times
    admitted = timezone.localdate() - datetime.timedelta(days=400)
    for start in range(0, voters, BATCH):
        size = min(BATCH, voters - start)
        with transaction.atomic():
            people = User.objects.bulk_create(
                [
                    User(
                        email=f"voter{start + i}@{slug}.example.org", full_name=f"Voter {start + i}", password=password
                    )
                    for i in range(size)
                ]
            )
            if login_password is not None:
                EmailAddress.objects.bulk_create(
                    [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people]
                )
            memberships = Membership.objects.bulk_create(
                [
                    Membership(
                        person=person,
                        organisation=organisation,
                        stakeholder_class=member_class,
                        status=MembershipStatus.ADMITTED,
                        member_number=start + i + 1,
                        admitted_on=admitted,
                    )
                    for i, person in enumerate(people)
                ]
            )
            ShareTransaction.objects.bulk_create(
                [
                    ShareTransaction(membership=m, kind=ShareTransactionKind.ISSUE, shares=1, amount_pence=100)
                    for m in memberships
                ]
            )
    people = list(User.objects.filter(memberships__organisation=organisation).order_by("pk"))
    officer = User.objects.create_user(f"returning-officer@{slug}.example.org", None, full_name="Returning Officer")
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    election = services.election_create(
        organisation=organisation,
        by=officer,
        title="Board election (benchmark)",
        rules=rules,
        nominations_open=now - hour,
        nominations_close=now + hour,
        voting_open=now + 2 * hour,
        voting_close=now + 3 * hour,
        qualifying_date=timezone.localdate(),
        nominations_need_proposer=False,
        returning_officer=officer,
    )
    constituency = services.constituency_add(election=election, by=officer, name="All members", seats=seats)
    services.election_publish(election=election, by=officer)
    for number, person in enumerate(people[:candidates], start=1):
        nomination = services.nomination_submit(
            constituency=constituency,
            candidate=person,
            by=person,
            ballot_name=f"Candidate {number}",
            statement="I will serve the members.",
        )
        services.nomination_decide(nomination=nomination, accept=True, by=officer)
    services.election_seed_set(election=election, seed="bench-seed", by=officer)
    # The poll opens at the time in its timetable (two hours from now): the service is told so.
    election = services.election_open_voting(election=election, by=officer, now=election.voting_open)
    constituency.refresh_from_db()
    return election, constituency, people


def ranking(rng: random.Random, options: list[str], weights: list[float]) -> list[str]:
    """One voter's preferences: candidates drawn in turn, the popular ones more often first."""
    length = min(len(options), rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 5, len(options)]))
    remaining, left, chosen = list(options), list(weights), []
    while len(chosen) < length:
        pick = rng.choices(range(len(remaining)), weights=left)[0]
        chosen.append(remaining.pop(pick))
        left.pop(pick)
    return chosen


def fill_box(constituency, people, ballots: int, *, how: str, seed: int = 50_000) -> None:
    """Cast ``ballots`` votes by the first voters: bulk rows in ``vote_cast``'s shape, or the service."""
    from django.db import transaction

    from coproduce.elections import services
    from coproduce.voting.models import Ballot, Channel, Elector, Mark
    from coproduce.voting.services import ballot_content_check, new_receipt

    rng = random.Random(seed)
    box = constituency.box
    options = list(box.options)
    weights = [rng.uniform(1, 10) for _ in options]
    voters = people[:ballots]
    if how == "service":
        for person in voters:
            services.vote(constituency=constituency, person=person, choices=ranking(rng, options, weights))
        return
    electors = dict(Elector.objects.filter(box=box).values_list("person_id", "pk"))
    receipts: set[str] = set()
    for start in range(0, len(voters), BATCH):
        chunk = voters[start : start + BATCH]
        marks, papers = [], []
        for person in chunk:
            while (receipt := new_receipt()) in receipts:
                pass
            receipts.add(receipt)
            marks.append(Mark(elector_id=electors[person.pk], box=box, channel=Channel.ONLINE, receipt=receipt))
            papers.append(Ballot(box=box, content=ballot_content_check(box, ranking(rng, options, weights))))
        rng.shuffle(papers)  # as cast: no order shared with the marks
        with transaction.atomic():
            Mark.objects.bulk_create(marks)
            Ballot.objects.bulk_create(papers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=50_000, help="ballots cast (default 50,000)")
    parser.add_argument("--turnout", type=float, default=0.8, help="share of the electorate voting (default 0.8)")
    parser.add_argument("--candidates", type=int, default=12, help="candidates (default 12)")
    parser.add_argument("--seats", type=int, default=5, help="seats (default 5)")
    parser.add_argument("--rules", default="scottish", choices=["scottish", "ers97", "meek"], help="STV rules")
    parser.add_argument(
        "--cast",
        choices=["bulk", "service"],
        default="bulk",
        help="bulk-insert marks and ballots in vote_cast's shape (default), or call vote_cast for each",
    )
    parser.add_argument("--profile", action="store_true", help="print where the timed part spends its time (cProfile)")
    args = parser.parse_args()

    given = os.environ.get("DATABASE_URL")
    configure(given)
    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from coproduce.elections import services
    from coproduce.elections.models import Stage
    from coproduce.voting.models import Ballot, Mark

    call_command("migrate", verbosity=0)
    silence_election_emails()
    electorate = max(args.ballots, round(args.ballots / args.turnout))
    print(
        f"database: {connection.vendor} ({'DATABASE_URL' if given else 'a temporary SQLite file'}); "
        f"electorate {electorate:,}, {args.ballots:,} ballots, {args.candidates} candidates for {args.seats} seats, "
        f"{args.rules} rules; ballots cast by {CAST[args.cast]}",
        flush=True,
    )
    started = time.perf_counter()
    election, constituency, people = seed_election(
        voters=electorate, candidates=args.candidates, seats=args.seats, rules=args.rules
    )
    opened = time.perf_counter()
    fill_box(constituency, people, args.ballots, how=args.cast)
    filled = time.perf_counter()
    print(
        f"set up in {opened - started:.1f} s (members, election, poll opened with {constituency.box.electorate_size:,} "
        f"electors); box filled in {filled - opened:.1f} s",
        flush=True,
    )

    # The clock: from the close until the declared result is stored.
    profiler = cProfile.Profile() if args.profile else None
    begin = time.perf_counter()
    if profiler:
        profiler.enable()
    services.election_close_voting(election=election, by=election.returning_officer, now=election.voting_close)
    elapsed = time.perf_counter() - begin
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    election.refresh_from_db()
    constituency.refresh_from_db()
    box = constituency.box
    ballots, marks = Ballot.objects.filter(box=box).count(), Mark.objects.filter(box=box).count()
    result = constituency.result
    problems = []
    if election.stage != Stage.DECLARED or not result:
        problems.append(f"no result stored (stage {election.stage})")
    if not ballots == marks == args.ballots:
        problems.append(f"the box does not add up: {ballots:,} ballots, {marks:,} marks, {args.ballots:,} cast")

    # Where the time goes, measured again on the sealed box (read-only): reading and counting.
    from coproduce.elections import counting

    t0 = time.perf_counter()
    race = counting.contest(constituency)
    t1 = time.perf_counter()
    counting.count_constituency(constituency)
    t2 = time.perf_counter()

    print()
    print(
        f"close -> result stored: {elapsed:.2f} s (target < {TARGET_SECONDS:.0f} s) "
        + ("OK" if elapsed < TARGET_SECONDS else "OVER TARGET")
    )
    print(
        f"  of which, measured again on the sealed box: reading {ballots:,} ballots into "
        f"{len(race.rankings):,} distinct rankings {t1 - t0:.2f} s; reading and counting {t2 - t1:.2f} s; "
        f"the rest (close, seal with its shuffle, storing) about {max(elapsed - (t2 - t1), 0):.2f} s"
    )
    if result:
        turnout = result["turnout"]
        print(
            f"  quota {result['quota']}, {len(result['stages'])} stages, elected {result['elected_names']}; "
            f"turnout {turnout['voted']:,} of {turnout['electorate']:,}"
        )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
