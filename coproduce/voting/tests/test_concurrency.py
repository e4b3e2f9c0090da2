"""One person, one vote under load, on PostgreSQL: simultaneous casts, a cast racing the close, a crash.

SQLite runs one writing transaction at a time, so these only mean something on PostgreSQL
(the test command, ``scripts/test.sh``, runs the whole suite there). Each thread has its own
database connection, as each web request would, and closes it when done.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from coproduce.core.tests.factories import UserFactory
from coproduce.voting import services
from coproduce.voting.models import Ballot, BallotBox, BoxKind, BoxStatus, Mark

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
OPTIONS = ["a", "b", "c"]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")


def open_box(people) -> BallotBox:
    box = services.box_create(title="Board", app_label="tests", kind=BoxKind.RANKED, options=OPTIONS)
    return services.box_open(box=box, electorate=people, by=None)


def at_once(jobs) -> list[str]:
    """Run each job in its own thread, all released together; each job's receipt or refusal code."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = [""] * len(jobs)

    def run(number, job):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcomes[number] = "ok:" + str(job())
        except ValidationError as error:
            outcomes[number] = error.code or "refused"
        except Exception as error:  # any other failure is the test's to report
            outcomes[number] = f"error:{error!r}"
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(number, job)) for number, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a cast never finished"
    return outcomes


def test_eight_simultaneous_casts_for_one_person_leave_one_vote():
    voter = UserFactory()
    box = open_box([voter])
    outcomes = at_once([lambda n=n: services.vote_cast(box=box, person=voter, content=[OPTIONS[n % 3]])
                        for n in range(8)])  # fmt: skip
    assert sum(outcome.startswith("ok:") for outcome in outcomes) == 1, outcomes
    assert sorted(outcome for outcome in outcomes if not outcome.startswith("ok:")) == ["already_voted"] * 7
    assert Mark.objects.filter(box=box).count() == 1
    assert Ballot.objects.filter(box=box).count() == 1
    (receipt,) = [outcome.removeprefix("ok:") for outcome in outcomes if outcome.startswith("ok:")]
    assert Mark.objects.get(box=box).receipt == receipt


def test_twenty_people_casting_at_once_all_vote():
    people = [UserFactory() for _ in range(20)]
    box = open_box(people)
    outcomes = at_once([lambda p=p: services.vote_cast(box=box, person=p, content=["b", "a"]) for p in people])
    assert all(outcome.startswith("ok:") for outcome in outcomes), outcomes
    assert len(set(outcomes)) == 20  # twenty different receipts
    assert Mark.objects.filter(box=box).count() == 20
    assert Ballot.objects.filter(box=box).count() == 20


@pytest.mark.parametrize("round_", range(3))
def test_a_cast_racing_the_close_leaves_no_ballot_without_its_mark(round_):
    people = [UserFactory() for _ in range(24)]
    box = open_box(people)
    casts = [lambda p=p: services.vote_cast(box=box, person=p, content=["c"]) for p in people]
    close_at = 4 + 8 * round_  # the close joins the crowd at a different place each round
    jobs = [*casts[:close_at], lambda: services.box_close(box=box, by=None).status, *casts[close_at:]]
    outcomes = at_once(jobs)
    closing = outcomes.pop(close_at)
    assert closing == "ok:" + BoxStatus.CLOSED, closing
    accepted = [outcome for outcome in outcomes if outcome.startswith("ok:")]
    assert all(outcome == "closed" for outcome in outcomes if not outcome.startswith("ok:")), outcomes
    box.refresh_from_db()
    assert box.status == BoxStatus.CLOSED
    assert Mark.objects.filter(box=box).count() == len(accepted) == Ballot.objects.filter(box=box).count()
    assert {mark.receipt for mark in Mark.objects.filter(box=box)} == {o.removeprefix("ok:") for o in accepted}


CRASHING_VOTER = textwrap.dedent(
    """
    import sys, time

    import django

    django.setup()

    from coproduce.core.models import User
    from coproduce.voting import services
    from coproduce.voting.models import BallotBox

    create_ballot = services.Ballot.objects.create

    def stall_then_create(**fields):
        print("marked", flush=True)  # the mark is written, its transaction still open
        time.sleep(300)
        return create_ballot(**fields)

    services.Ballot.objects.create = stall_then_create
    box = BallotBox.objects.get(pk=int(sys.argv[1]))
    person = User.objects.get(pk=int(sys.argv[2]))
    services.vote_cast(box=box, person=person, content=["a", "b"])
    print("cast", flush=True)
    """
)


def database_url() -> str:
    """The test database, as ``DATABASE_URL`` names it, for a process of its own: the suite's own
    address (host, socket, options) with the test database's name in place of the configured one."""
    configured = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(configured._replace(path="/" + quote(connection.settings_dict["NAME"])))


def test_a_voter_killed_between_mark_and_ballot_leaves_nothing_and_may_vote_again(tmp_path):
    voter = UserFactory()
    box = open_box([voter])
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_VOTER)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "coproduce.config.test_settings",
        "CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, str(script), str(box.pk), str(voter.pk)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.strip() == "marked", (line, process.stderr.read() if process.poll() is not None else "")
        # The mark exists only inside the stalled transaction: nobody else can see it.
        assert not Mark.objects.filter(box=box).exists()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert not Mark.objects.filter(box=box).exists()
    assert not Ballot.objects.filter(box=box).exists()
    receipt = services.vote_cast(box=box, person=voter, content=["b"])
    assert Mark.objects.get(box=box).receipt == receipt
    assert list(Ballot.objects.filter(box=box).values_list("content", flat=True)) == [["b"]]
