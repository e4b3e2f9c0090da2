"""Time the secretary's register and the organisation directory with 100,000 members on file.

    .venv/bin/python bench/pages.py                     # fresh SQLite file in a temporary folder
    .venv/bin/python bench/pages.py -n 50 --members 20000
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/pages.py   # an EMPTY database of yours

Seeds the demo borough, then bulk-creates members across its four organisations (in the demo's
proportions, so the leisure trust's register is the big one), signs in as the demo secretary with
password *and* authenticator code through allauth's real pages, and times N requests per page
through Django's test client (the whole Django stack: middleware, sessions, selectors, Jinja2;
no network or WSGI server). Prints p50/p95/max in ms against the target, p95 < 100 ms. Exits 1
if any response is not 200; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 100
SLUG = "leisure-trust"
BATCH = 5_000


def _configure(database_url: str | None) -> str:
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
    return os.environ["DATABASE_URL"]


def _seed(total_members: int) -> dict:
    """The demo borough plus bulk-created members, so that the borough holds ``total_members``."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from coproduce.core.demo import build_demo
    from coproduce.core.models import Organisation, User
    from coproduce.members.demo import MEMBER_COUNTS
    from coproduce.members.models import (
        Membership,
        MembershipStatus,
        ShareTransaction,
        ShareTransactionKind,
        rules_for,
    )

    if Organisation.objects.exists():
        raise SystemExit("The database is not empty: give bench/pages.py a fresh one (it adds 100,000 people).")
    context = build_demo()
    organisations = context["organisations"]
    postcodes = context["postcodes"]
    extra = max(0, total_members - Membership.objects.count())
    weights = sum(MEMBER_COUNTS.values())
    shares = {key: extra * count // weights for key, count in MEMBER_COUNTS.items()}
    shares["leisure"] += extra - sum(shares.values())  # the rounding remainder joins the big register
    password = make_password(None)  # nobody logs in as these people
    today = timezone.localdate()
    number = 0
    for key, count in shares.items():
        organisation = organisations[key]
        classes = list(organisation.stakeholder_classes.all())
        existing = Membership.objects.filter(organisation=organisation).aggregate(last=Max("member_number"))
        next_number = (existing["last"] or 0) + 1
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            with transaction.atomic():
                people = User.objects.bulk_create(
                    [
                        User(
                            email=f"bench{number + i}@example.org",
                            full_name=f"Bench Person {number + i}",
                            postcode=(postcode := postcodes[(number + i) % len(postcodes)]).postcode,
                            ward_id=postcode.ward_id,
                            password=password,
                        )
                        for i in range(size)
                    ]
                )
                # One in twenty has left, as in the demo: the register lists former members too.
                memberships = Membership.objects.bulk_create(
                    [
                        Membership(
                            person=person,
                            organisation=organisation,
                            stakeholder_class=classes[i % len(classes)],
                            status=MembershipStatus.CEASED if i % 20 == 0 else MembershipStatus.ADMITTED,
                            member_number=next_number + start + i,
                            admitted_on=today,
                            ceased_on=today if i % 20 == 0 else None,
                        )
                        for i, person in enumerate(people)
                    ]
                )
                ShareTransaction.objects.bulk_create(
                    ShareTransaction(
                        membership=membership,
                        kind=ShareTransactionKind.ISSUE,
                        shares=1,
                        amount_pence=rules_for(organisation).share_value_pence,
                    )
                    for membership in memberships
                )
            number += size
    return context


def _sign_in_as_secretary():
    """A test client signed in the way the secretary signs in: password, then the authenticator's code."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.test import Client

    from coproduce.core.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET

    client = Client()
    email = DEMO_LOGINS["secretary"][0]
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    if response.status_code != 302 or "/accounts/2fa/authenticate/" not in response["Location"]:
        raise SystemExit(f"password step failed: {response.status_code} {response.get('Location')}")
    # allauth accepts only the current 30 s step: never send a code that is about to expire.
    if (seconds_left := 30 - time.time() % 30) < 3:
        time.sleep(seconds_left)
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    if response.status_code != 302:
        raise SystemExit(f"authenticator step failed: {response.status_code}")
    return client


def _time(client, url: str, requests: int) -> tuple[list[float], list[str]]:
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


def _percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--members", type=int, default=100_000, help="members in the borough (default 100,000)")
    args = parser.parse_args()

    database_url = _configure(os.environ.get("DATABASE_URL"))
    import django
    from django.core.management import call_command

    django.setup()
    # django.tasks logs every e-mail task the demo's admissions run; not what this script reports.
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from django.core.paginator import Paginator

    from coproduce.core.views.pagination import PAGE_SIZE
    from coproduce.members.models import Membership, MembershipStatus

    engine = database_url.split(":", 1)[0]
    print(f"database: {engine}; seeding {args.members:,} members …", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _seed(args.members)
    register_rows = Membership.objects.filter(
        organisation__slug=SLUG, status__in=[MembershipStatus.ADMITTED, MembershipStatus.CEASED]
    ).count()
    last_page = Paginator(range(register_rows), PAGE_SIZE).num_pages
    print(
        f"seeded in {time.perf_counter() - started:.1f} s: {Membership.objects.count():,} memberships, "
        f"{register_rows:,} on the {SLUG} register ({last_page:,} pages of {PAGE_SIZE})",
        flush=True,
    )

    client = _sign_in_as_secretary()
    pages = {
        "register, page 1": f"/organisations/{SLUG}/register/",
        f"register, page {last_page:,} (last)": f"/organisations/{SLUG}/register/?page={last_page}",
        "directory": "/organisations/",
    }
    print(f"\n{args.requests} requests each, Django test client, target p95 < {TARGET_P95_MS} ms")
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    all_errors = []
    for name, url in pages.items():
        timings, errors = _time(client, url, args.requests)
        all_errors += errors
        p95 = _percentile(timings, 0.95)
        verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
        print(f"{name:<28} {statistics.median(timings):8.1f} {p95:8.1f} {max(timings):8.1f}  {verdict}", flush=True)
    if all_errors:
        print(f"\n{len(all_errors)} request(s) did not return 200, e.g.:", *all_errors[:5], sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
