"""Cast votes online over real HTTP: granian in front, PostgreSQL behind, 100 concurrent voters.

    .venv/bin/python bench/election_load.py            # on a throwaway PostgreSQL cluster it starts and removes
    .venv/bin/python bench/election_load.py --kill     # kill -9 the app server in the middle of the voting
    .venv/bin/python bench/election_load.py --spread 2   # the casts arrive evenly over 2 s, not all at once
    .venv/bin/python bench/election_load.py --voters 200 --workers 2 --threads 8
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/election_load.py   # an EMPTY database of yours

What it does:

1. PostgreSQL: ``DATABASE_URL`` if set (an empty database: the script migrates it and adds an
   organisation), else a throwaway cluster started like ``scripts/test.sh`` does (initdb, a
   Unix socket in a temporary folder; fsync left on, so a commit costs what it costs).
2. An election with the poll open, set up through the elections services (one constituency,
   5 candidates for 2 seats, STV): 100 members on its electorate, each with a verified email
   address and a password (the voters are bulk-created, as in ``bench/election_count.py``).
3. granian serving the product (``granian --interface wsgi coproduce.config.wsgi:application``,
   2 workers as the README's deployment line, N blocking threads each) with the settings of
   ``bench/election_load_settings.py``: the product's own, plus one bare view at
   ``/bench/bare/`` (``bench/election_load_urls.py``) and no sign-in rate limit (every voter
   comes from 127.0.0.1).
4. 100 clients (threads, each a ``requests`` session): each signs in through allauth's pages
   (GET the sign-in page, POST the email address and password with the CSRF token), opens its
   ballot paper, numbers the candidates, posts it, opens the check page — then, all at one
   barrier, posts the cast. One client in ten double-submits: a second connection posts the
   same cast at the same instant. Each then reads its receipt code from the receipt page.
   The bare view is measured the same way: the same signed-in clients, at one barrier, one
   POST each with the CSRF token, five rounds. A burst of 100 requests at the same instant is
   the worst case: the slowest requests wait behind the others for the server's threads, so
   p99 is mostly queueing; ``--spread S`` fires them evenly over S seconds instead (latency at
   that offered load; the throughput is then the pace, not a capacity). Before the burst, the
   first 10 voters cast one at a time, and the bare view is asked 20 times one at a time: the
   time a request takes with no queue ("one at a time" rows).
5. Against the box afterwards: 0 lost (every voter shown a receipt has their mark, with that
   code), 0 duplicated (ballots == marks == voters who were shown a receipt), no 5xx answers.

``--kill``: after sign-in, the clients vote all at once without a barrier; once a quarter of
them have had their vote acknowledged, the script ``kill -9``s granian (its whole process group,
workers and all, mid-request), starts it again and the clients retry whatever failed (a cast
whose answer never came is retried from the ballot page, which shows the receipt if the vote
was recorded). Then: every ballot acknowledged to a voter is in the box, ballots == marks (no
half-votes), and voting resumed (every voter ends with a receipt, some cast after the restart).

Prints the figures (targets: cast p99 < 250 ms, cast throughput >= 50 % of the bare view's,
0 lost, 0 duplicated); exits 1 if a check about the box fails. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-voter-password"  # noqa: S105 - throwaway voters in a throwaway database
TARGET_P99_MS = 250
TARGET_THROUGHPUT_SHARE = 0.5
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RANK = re.compile(r'name="rank_(\d+)"')
RECEIPT = re.compile(r'class="app-receipt">([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})<')


# PostgreSQL ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_postgres():
    """A PostgreSQL cluster in a temporary folder, reached by its Unix socket; removed afterwards."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name.split(".")[0]))
    if not bins:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), or set DATABASE_URL.")
    pg = bins[-1]
    folder = tempfile.mkdtemp(prefix="coproduce-bench-pg-")
    as_pg: list[str] = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    data = f"{folder}/data"

    def run(*command: str) -> None:
        subprocess.run([*as_pg, *command], check=True, stdout=subprocess.DEVNULL)

    run(f"{pg}/initdb", "-D", data, "-U", "coproduce", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    options = f"-c listen_addresses='' -k {folder} -c max_connections=200"
    run(f"{pg}/pg_ctl", "-D", data, "-l", f"{folder}/log", "-w", "-o", options, "start")
    try:
        run(f"{pg}/createdb", "-h", folder, "-U", "coproduce", "coproduce")
        yield f"postgres://coproduce@/coproduce?host={folder}"
    finally:
        subprocess.run(
            [*as_pg, f"{pg}/pg_ctl", "-D", data, "-m", "immediate", "stop"], check=False, stdout=subprocess.DEVNULL
        )
        shutil.rmtree(folder, ignore_errors=True)


# The election ------------------------------------------------------------------------------------


def django_environment(database_url: str) -> None:
    """Point this process (and the app server it starts) at ``database_url`` with the benchmark's
    settings, set Django up and migrate the database."""
    data_dir = Path(tempfile.mkdtemp(prefix="coproduce-bench-"))
    (data_dir / "static").mkdir()
    os.environ.update(
        {
            "COPRODUCE_DATA_DIR": str(data_dir),
            "COPRODUCE_DEBUG": "0",
            "COPRODUCE_ENV": "development",
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench.election_load_settings",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def prepare(database_url: str, voters: int) -> dict:
    """Migrate, and set up an open election with ``voters`` who can sign in. Returns its addresses."""
    django_environment(database_url)
    from django.db import connections

    from bench.election_count import seed_election, silence_election_emails

    silence_election_emails()
    election, constituency, people = seed_election(
        voters=voters, candidates=5, seats=2, rules="scottish", slug="bench-load", login_password=PASSWORD
    )
    connections.close_all()
    base = f"/elections/{election.pk}/vote/{constituency.pk}/"
    return {
        "emails": [person.email for person in people],
        "ballot": base,
        "check": base + "check/",
        "receipt": base + "receipt/",
        "box": constituency.box_id,
    }


# The app server ----------------------------------------------------------------------------------


class Server:
    """granian serving the product, in its own process group (so that a kill takes its workers too)."""

    def __init__(self, port: int, workers: int, threads: int) -> None:
        self.port, self.workers, self.threads = port, workers, threads
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="coproduce-bench-granian-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait until it answers; returns the seconds that took."""
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "coproduce.config.wsgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--blocking-threads",
                str(self.threads),
                "--no-ws",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"granian exited ({self.process.returncode}): see {self.log.name}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/bench/bare/", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.1)
        raise SystemExit(f"granian did not answer within 60 s: see {self.log.name}")

    def kill(self) -> None:
        """kill -9, the server and its workers at once, whatever they are doing."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The voters --------------------------------------------------------------------------------------


class Unexpected(Exception):
    """The server answered something a voter's browser would not expect (a 5xx, a wrong page)."""


@dataclass
class Voter:
    number: int
    email: str
    server: Server
    paths: dict
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""
    acknowledged: bool = False  # told that the vote was recorded (a redirect to the receipt)
    receipt: str | None = None  # the code shown on the receipt page
    retries: int = 0
    cast_after_restart: bool = False
    unanswered_cast: bool = False  # a cast whose answer never came (the server died under it)
    found_recorded: bool = False  # … and the ballot page then showed that the vote had been recorded

    def _get(self, path: str) -> requests.Response:
        response = self.session.get(self.server.url + path, allow_redirects=False, timeout=60)
        if response.status_code >= 500:
            raise Unexpected(f"GET {path}: {response.status_code}")
        return response

    def _post(self, path: str, data: dict, *, session: requests.Session | None = None) -> requests.Response:
        response = (session or self.session).post(self.server.url + path, data=data, allow_redirects=False, timeout=60)
        if response.status_code >= 500:
            raise Unexpected(f"POST {path}: {response.status_code}")
        return response

    def _token(self, response: requests.Response) -> str:
        match = TOKEN.search(response.text)
        if not match:
            raise Unexpected(f"no CSRF token on {response.url} ({response.status_code})")
        self.token = match.group(1)
        return self.token

    def sign_in(self) -> None:
        self._token(self._get("/accounts/login/"))
        response = self._post(
            "/accounts/login/", {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": self.token}
        )
        if response.status_code != 302 or "/accounts/" in response.headers.get("Location", ""):
            raise Unexpected(
                f"sign-in failed for {self.email}: {response.status_code} {response.headers.get('Location')}"
            )

    def fill_ballot(self) -> bool:
        """Open the ballot paper and post a ranking; False if it shows the vote is already recorded."""
        response = self._get(self.paths["ballot"])
        if response.status_code == 302 and self.paths["receipt"] in response.headers["Location"]:
            return False
        if response.status_code != 200:
            raise Unexpected(f"ballot page: {response.status_code} {response.headers.get('Location')}")
        keys = RANK.findall(response.text)
        order = keys[self.number % len(keys) :] + keys[: self.number % len(keys)]  # varied rankings
        data = {f"rank_{key}": str(rank) for rank, key in enumerate(order[: 1 + self.number % 3], start=1)}
        data["csrfmiddlewaretoken"] = self._token(response)
        response = self._post(self.paths["ballot"], data)
        if response.status_code != 302 or self.paths["check"] not in response.headers["Location"]:
            raise Unexpected(f"ballot post: {response.status_code}")
        return True

    def open_check(self) -> str:
        response = self._get(self.paths["check"])
        if response.status_code != 200:
            raise Unexpected(f"check page: {response.status_code} {response.headers.get('Location')}")
        return self._token(response)

    def cast(self, *, session: requests.Session | None = None) -> tuple[float, float, int]:
        """POST the cast; (start, end, status). A redirect to the receipt is the acknowledgement."""
        start = time.perf_counter()
        response = self._post(self.paths["check"], {"csrfmiddlewaretoken": self.token}, session=session)
        end = time.perf_counter()
        if response.status_code == 302 and self.paths["receipt"] in response.headers["Location"]:
            self.acknowledged = True
        else:
            raise Unexpected(f"cast: {response.status_code} {response.headers.get('Location')}")
        return start, end, response.status_code

    def read_receipt(self) -> None:
        response = self._get(self.paths["receipt"])
        match = RECEIPT.search(response.text) if response.status_code == 200 else None
        if not match:
            raise Unexpected(f"receipt page: {response.status_code} {response.headers.get('Location')}")
        self.receipt = match.group(1)
        self.acknowledged = True

    def vote_until_receipt(self, deadline: float, restarted: threading.Event) -> None:
        """The whole journey, retried after a dropped connection or an error page, as a person would."""
        casting = False
        while time.monotonic() < deadline:
            try:
                if self.fill_ballot():
                    self.open_check()
                    casting = True
                    self.cast()
                    self.cast_after_restart = restarted.is_set()
                elif self.unanswered_cast:
                    self.found_recorded = True
                casting = False
                self.read_receipt()
                return
            except (requests.RequestException, Unexpected):
                if casting:
                    self.unanswered_cast, casting = True, False
                self.retries += 1
                time.sleep(0.25)


def in_parallel(function, items, *, threads: int | None = None) -> list:
    """Run ``function(item)`` for every item, each in its own thread; results (or exceptions) in order."""
    results: list = [None] * len(items)

    def run(index: int, item) -> None:
        try:
            results[index] = function(item)
        except Exception as error:
            results[index] = error

    workers = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def burst(requests_: list, offsets: list[float] | None = None) -> tuple[list[float], float, list]:
    """Fire callables from one barrier, each ``offsets[i]`` seconds after it (all at once by default);
    (latencies in ms, seconds from first start to last end, errors)."""
    barrier = threading.Barrier(len(requests_))
    offsets = offsets or [0.0] * len(requests_)

    def fire(item):
        call, offset = item
        barrier.wait()
        if offset:
            time.sleep(offset)
        return call()

    results = in_parallel(fire, list(zip(requests_, offsets, strict=True)))
    errors = [r for r in results if isinstance(r, Exception)]
    spans = [r for r in results if not isinstance(r, Exception)]
    latencies = [(end - start) * 1000 for start, end, _status in spans]
    wall = max(end for _, end, _ in spans) - min(start for start, _, _ in spans) if spans else 0.0
    return latencies, wall, errors


def milliseconds(span: tuple[float, float, int]) -> float:
    start, end, _status = span
    return (end - start) * 1000


def percentile(values: list[float], fraction: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


# Checking the box --------------------------------------------------------------------------------


def check_box(box_id: int, voters: list[Voter]) -> list[str]:
    """Compare what the voters were told with the box: nothing lost, nothing twice, no half-votes."""
    from django.db import connections

    from coproduce.voting.models import Ballot, Mark

    connections.close_all()
    marks = dict(Mark.objects.filter(box_id=box_id).values_list("elector__person__email", "receipt"))
    ballots = Ballot.objects.filter(box_id=box_id).count()
    told = [v for v in voters if v.acknowledged]
    problems = []
    lost = [v.email for v in told if v.email not in marks]
    wrong = [v.email for v in told if v.receipt and marks.get(v.email) not in (None, v.receipt)]
    if lost:
        problems.append(f"{len(lost)} voters were told their vote was recorded but have no mark: {lost[:5]}")
    if wrong:
        problems.append(f"{len(wrong)} voters were shown a receipt code that is not their mark's: {wrong[:5]}")
    if ballots != len(marks):
        problems.append(f"half-votes: {ballots} ballots but {len(marks)} marks")
    if len(marks) != len(told):
        problems.append(f"{len(marks)} marks but {len(told)} voters told their vote was recorded")
    print(
        f"box: {ballots} ballots, {len(marks)} marks; {len(told)} voters told their vote was recorded, "
        f"{sum(1 for v in voters if v.receipt)} shown their receipt code; "
        f"lost {len(lost)}, duplicated {max(ballots - len(told), 0)}"
    )
    return problems


# The runs ----------------------------------------------------------------------------------------


def run_load(
    server: Server, voters: list[Voter], *, double_every: int, rounds: int, solo: int, spread: float
) -> list[str]:
    problems = []

    def spacing(count: int) -> list[float]:
        """All at once, or evenly over ``spread`` seconds."""
        return [index * spread / count for index in range(count)]

    print(
        "requests fired "
        + (f"evenly over {spread:g} s after one barrier" if spread else "all at one barrier (the worst case)"),
        flush=True,
    )
    # The bare view, the same clients, the same way: one POST each at one barrier, a few rounds.
    bare: list[float] = []
    bare_wall = 0.0

    def bare_post(voter: Voter):
        def call():
            start = time.perf_counter()
            response = voter.session.post(
                server.url + "/bench/bare/", data={"csrfmiddlewaretoken": voter.token}, timeout=60
            )
            if response.status_code != 200:
                raise Unexpected(f"bare view: {response.status_code}")
            return start, time.perf_counter(), response.status_code

        return call

    for voter in voters:
        voter.token = voter.session.get(server.url + "/bench/bare/", timeout=60).text
    for _ in range(rounds):
        latencies, wall, errors = burst([bare_post(v) for v in voters[solo:]], spacing(len(voters) - solo))
        bare += latencies
        bare_wall += wall
        problems += [f"bare view: {e}" for e in errors]

    # One at a time first, for the time a request takes with no queue: the bare view, then the
    # first few voters' casts (they do not take part in the burst).
    solo_bare = [milliseconds(bare_post(voters[0])()) for _ in range(solo * 2)]
    solo_voters, voters = voters[:solo], voters[solo:]
    solo_cast = []
    for voter in solo_voters:
        try:
            voter.fill_ballot()
            voter.open_check()
            span = voter.cast()
            voter.read_receipt()
            solo_cast.append(milliseconds(span))
        except (requests.RequestException, Unexpected) as error:
            problems.append(f"cast one at a time: {error}")

    # Everyone else opens their ballot, numbers it and reaches the check page; then all cast at once.
    results = in_parallel(lambda v: v.fill_ballot() and v.open_check(), voters)
    problems += [f"preparing the ballot: {e}" for e in results if isinstance(e, Exception)]
    doubled = list(voters[::double_every]) if double_every else []
    calls = [v.cast for v in voters]
    for voter in doubled:
        twin = requests.Session()
        twin.cookies.update(voter.session.cookies)
        calls.append(lambda voter=voter, twin=twin: voter.cast(session=twin))
    offsets = spacing(len(voters))
    offsets += [offsets[voters.index(voter)] for voter in doubled]  # the twin fires with its voter
    cast, cast_wall, errors = burst(calls, offsets)
    problems += [f"cast: {e}" for e in errors]
    results = in_parallel(Voter.read_receipt, voters)
    problems += [f"receipt: {e}" for e in results if isinstance(e, Exception)]

    cast_rate = len(cast) / cast_wall if cast_wall else 0.0
    bare_rate = len(bare) / bare_wall if bare_wall else 0.0
    print()
    print(f"{'':<28}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}")
    print(
        f"{'cast (POST check page)':<28}{len(cast):>9}{percentile(cast, 0.5):>9.0f}{percentile(cast, 0.99):>9.0f}"
        f"{max(cast, default=0):>9.0f}{cast_rate:>9.0f}"
    )
    print(
        f"{'bare view (POST)':<28}{len(bare):>9}{percentile(bare, 0.5):>9.0f}{percentile(bare, 0.99):>9.0f}"
        f"{max(bare, default=0):>9.0f}{bare_rate:>9.0f}"
    )
    for name, values in (("cast, one at a time", solo_cast), ("bare view, one at a time", solo_bare)):
        if values:
            print(
                f"{name:<28}{len(values):>9}{percentile(values, 0.5):>9.0f}{percentile(values, 0.99):>9.0f}"
                f"{max(values):>9.0f}{'':>9}"
            )
    p99 = percentile(cast, 0.99)
    share = cast_rate / bare_rate if bare_rate else 0.0
    verdict = f"cast p99 {p99:.0f} ms (target < {TARGET_P99_MS}) {'OK' if p99 < TARGET_P99_MS else 'OVER TARGET'}; "
    if spread:
        verdict += "throughput: paced by --spread (the offered load), not the server's capacity; "
    else:
        verdict += (
            f"cast throughput {share:.0%} of the bare view's (target >= {TARGET_THROUGHPUT_SHARE:.0%}) "
            f"{'OK' if share >= TARGET_THROUGHPUT_SHARE else 'UNDER TARGET'}; "
        )
    print(verdict + f"{len(doubled)} voters double-submitted")
    return problems


def run_kill(server: Server, voters: list[Voter]) -> list[str]:
    restarted, killed_at = threading.Event(), {}
    deadline = time.monotonic() + 180
    started = time.perf_counter()

    def killer() -> None:
        # A quarter of the votes acknowledged (the cast answered), not a quarter of receipts read:
        # the casts run ahead of the receipt pages, and the kill must land while votes are coming in.
        while sum(1 for v in voters if v.acknowledged) < len(voters) // 4:
            time.sleep(0.001)
        in_flight = sum(1 for v in voters if not v.acknowledged)
        server.kill()
        killed_at["t"] = time.perf_counter() - started
        killed_at["acknowledged"] = len(voters) - in_flight
        time.sleep(1)  # the server stays down a moment: clients see refused connections
        killed_at["restart"] = server.start()
        restarted.set()

    chaos = threading.Thread(target=killer)
    chaos.start()
    in_parallel(lambda v: v.vote_until_receipt(deadline, restarted), voters)
    chaos.join()
    elapsed = time.perf_counter() - started
    after = sum(1 for v in voters if v.cast_after_restart)
    print()
    print(
        f"killed granian (kill -9, its process group) {killed_at['t']:.2f} s into the voting, after "
        f"{killed_at['acknowledged']} of {len(voters)} votes had been acknowledged; "
        f"restarted in {killed_at['restart']:.1f} s"
    )
    print(
        f"{sum(v.retries for v in voters)} failed requests retried by {sum(1 for v in voters if v.retries)} voters; "
        f"{after} votes cast after the restart; every voter done in {elapsed:.1f} s"
    )
    unanswered = [v for v in voters if v.unanswered_cast]
    recorded = sum(v.found_recorded for v in unanswered)
    print(
        f"{len(unanswered)} voters' casts got no answer (cut off by the kill, or refused while the server was down); "
        f"on retrying, the ballot page showed {recorded} of them already recorded (committed before the kill, the "
        f"answer lost) and {len(unanswered) - recorded} cast again"
    )
    problems = []
    if after == 0:
        problems.append("no vote was cast after the restart: voting did not resume")
    missing = [v.email for v in voters if v.receipt is None]
    if missing:
        problems.append(f"{len(missing)} voters never got a receipt: {missing[:5]}")
    return problems


def main(
    argv: list[str] | None = None, *, prepare=prepare, voter=None, what: str = "election", doc: str = __doc__
) -> int:
    """The benchmark; ``bench/budget_load.py`` runs it with its own ``prepare`` (the ballot to cast,
    its addresses) and ``voter`` (a ``Voter`` whose ``fill_ballot`` fills that ballot paper)."""
    voter = voter or Voter
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=100, help="concurrent voters (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="granian blocking threads per worker (default 8)")
    parser.add_argument("--double-every", type=int, default=10, help="every Nth voter double-submits (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="bursts at the bare view (default 5)")
    parser.add_argument(
        "--solo", type=int, default=10, help="voters who cast one at a time first, for an unloaded figure (default 10)"
    )
    parser.add_argument(
        "--spread",
        type=float,
        default=0.0,
        help="fire the casts (and the bare view's requests) evenly over this many seconds, not all at once",
    )
    parser.add_argument("--kill", action="store_true", help="kill -9 the app server in the middle of the voting")
    args = parser.parse_args(argv)

    given = os.environ.get("DATABASE_URL")
    with contextlib.ExitStack() as stack:
        database_url = given or stack.enter_context(throwaway_postgres())
        print(
            f"database: PostgreSQL ({'DATABASE_URL' if given else 'a throwaway cluster'}); "
            f"{args.voters} voters; granian {args.workers} workers x {args.threads} threads; "
            f"{os.cpu_count()} CPUs shared by the server, the database and the clients",
            flush=True,
        )
        if not database_url.startswith("postgres"):
            raise SystemExit("This benchmark runs against PostgreSQL: unset DATABASE_URL or point it at one.")
        started = time.perf_counter()
        paths = prepare(database_url, args.voters)
        print(f"{what} set up in {time.perf_counter() - started:.1f} s", flush=True)
        server = Server(free_port(), args.workers, args.threads)
        stack.callback(server.stop)
        server.start()
        voters = [voter(i, email, server, paths) for i, email in enumerate(paths["emails"])]
        started = time.perf_counter()
        failed = [r for r in in_parallel(Voter.sign_in, voters) if isinstance(r, Exception)]
        print(
            f"{len(voters) - len(failed)} voters signed in through allauth's pages in "
            f"{time.perf_counter() - started:.1f} s (the password hash is meant to be slow)",
            flush=True,
        )
        if failed:
            print(f"PROBLEM: {len(failed)} sign-ins failed, e.g. {failed[0]}")
            return 1
        if args.kill:
            problems = run_kill(server, voters)
        else:
            problems = run_load(
                server, voters, double_every=args.double_every, rounds=args.rounds, solo=args.solo, spread=args.spread
            )
        problems += check_box(paths["box"], voters)
        for problem in problems:
            print(f"PROBLEM: {problem}")
        print("granian's log:", server.log.name)
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
