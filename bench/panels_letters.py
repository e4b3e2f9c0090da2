"""Time a resident panel's invitation lottery: importing 100,000 addresses, drawing 3,000 of them,
and the 3,000 letters as one PDF.

    .venv/bin/python bench/panels_letters.py                      # fresh SQLite file in a temporary folder
    .venv/bin/python bench/panels_letters.py --addresses 200000 --letters 5000
    /tmp/pgbench.sh .venv/bin/python bench/panels_letters.py      # a throwaway PostgreSQL cluster

Seeds a listed council, its borough and 20 wards with 10 postcodes each, and a panel. Then, through
the panels services, as an officer would:

1. **The address file** (``services.addresses_import``): a CSV of ``--addresses`` rows (100,000;
   UPRN, three address lines, a postcode, 5% asking for Welsh) written to a temporary file, read,
   checked and stored with each address's ward from the postcode table. Target: < 5 s.
2. **The draw** (``services.invitations_draw``): ``--letters`` addresses (3,000) drawn from the
   seed in proportion to each ward's addresses, each with its unique random code. Target: < 5 s.
3. **The letters** (``letters.letters_pdf``): one PDF, a page per letter in its language with the
   code and a QR code to the registration page (WeasyPrint). Target: < 60 s. Also the print
   house's CSV (``letters.letters_csv_rows``), timed for information.

Each figure is wall-clock time, with the process's CPU time beside it (on a shared machine the
difference is waiting for a core). Prints the figures with PASS or MISS against each target;
exits 1 if a step did not give what it should (the wrong number of addresses, invitations, PDF
pages or CSV rows).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.budget_count import verdict  # noqa: E402 - after the path is set
from bench.election_count import configure  # noqa: E402

TARGET_IMPORT_SECONDS = 5.0
TARGET_DRAW_SECONDS = 5.0
TARGET_PDF_SECONDS = 60.0
WARDS = 20
SLUG = "bench-panels"
STREETS = ("High Street", "Station Road", "Church Lane", "Mill Lane", "Park Road", "Canal Side", "Elm Grove")


def seed_council(slug: str = SLUG):
    """A listed council, its borough, ``WARDS`` wards with ten postcodes each, and an officer.

    Returns ``(organisation, borough, wards, postcodes, officer)``."""
    from coproduce.core.models import Organisation, OrganisationKind, Place, PlaceKind, Postcode, Role, RoleKind, User

    if Organisation.objects.filter(slug=slug).exists():
        raise SystemExit(f"The database already holds {slug!r}: give the benchmark an empty database.")
    borough = Place.objects.create(code="BENCHPB1", name="Bench borough", kind=PlaceKind.COUNCIL_AREA)
    wards = [
        Place.objects.create(code=f"BENCHPW{n:02d}", name=f"Bench ward {n}", kind=PlaceKind.WARD, parent=borough)
        for n in range(1, WARDS + 1)
    ]
    postcodes = Postcode.objects.bulk_create(
        [
            Postcode(postcode=f"BP{n} {unit}A{'BDEFGHJLNP'[unit]}", ward=ward)
            for n, ward in enumerate(wards, 1)
            for unit in range(10)
        ]
    )
    organisation = Organisation.objects.create(
        name="Bench Borough Council", slug=slug, kind=OrganisationKind.COUNCIL, is_public=True, area=borough
    )
    officer = User.objects.create_user(f"panel-officer@{slug}.example.org", None, full_name="Panel Officer")
    Role.objects.create(organisation=organisation, person=officer, kind=RoleKind.OFFICER)
    return organisation, borough, wards, postcodes, officer


def create_panel(
    organisation, borough, officer, *, size: int = 100, categories=("age_band", "sex", "ward"), title="Bench panel"
):
    import datetime

    from django.utils import timezone

    from coproduce.panels import services

    now = timezone.now()
    return services.panel_create(
        organisation=organisation,
        actor=officer,
        place=borough,
        title=title,
        purpose="What should the borough do first?",
        size=size,
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=now + datetime.timedelta(days=20),
        categories=list(categories),
    )


def write_addresses(path: Path, count: int, postcodes, *, seed: int = 21) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("uprn,address_1,address_2,address_3,postcode,language\n")
        for number in range(count):
            postcode = postcodes[rng.randrange(len(postcodes))].postcode
            language = "cy" if rng.random() < 0.05 else ""
            flat = f"Flat {rng.randint(1, 9)}" if rng.random() < 0.2 else ""
            street = f"{rng.randint(1, 300)} {rng.choice(STREETS)}"
            out.write(f"{10_000_000 + number},{street},{flat},Benchtown,{postcode},{language}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addresses", type=int, default=100_000, help="addresses in the file (default 100,000)")
    parser.add_argument("--letters", type=int, default=3_000, help="addresses drawn (default 3,000)")
    args = parser.parse_args()

    given = os.environ.get("DATABASE_URL")
    configure(given)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from coproduce.panels import letters, services
    from coproduce.panels.models import Address, Invitation

    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor} ({'DATABASE_URL' if given else 'a temporary SQLite file'}); "
        f"{args.addresses:,} addresses in {WARDS} wards, {args.letters:,} letters",
        flush=True,
    )
    organisation, borough, _wards, postcodes, officer = seed_council()
    panel = create_panel(organisation, borough, officer)
    problems = []
    with tempfile.TemporaryDirectory(prefix="coproduce-bench-panels-") as folder:
        path = Path(folder) / "addresses.csv"
        write_addresses(path, args.addresses, postcodes)
        started, cpu = time.perf_counter(), time.process_time()
        imported = services.addresses_import(panel=panel, actor=officer, path=path, name="addresses.csv")
        import_seconds = time.perf_counter() - started
        import_cpu = time.process_time() - cpu
    stored = Address.objects.filter(panel=panel).count()
    if imported != args.addresses or stored != args.addresses:
        problems.append(f"imported {imported} and stored {stored} addresses, not {args.addresses}")
    print(
        f"address file: {args.addresses:,} rows imported in {import_seconds:.2f} s (CPU {import_cpu:.2f} s) "
        f"(target < {TARGET_IMPORT_SECONDS:.0f} s) {verdict(import_seconds < TARGET_IMPORT_SECONDS)}",
        flush=True,
    )

    started, cpu = time.perf_counter(), time.process_time()
    drawn = services.invitations_draw(panel=panel, actor=officer, count=args.letters, seed="bench-letters")
    draw_seconds = time.perf_counter() - started
    draw_cpu = time.process_time() - cpu
    codes = Invitation.objects.filter(panel=panel).values_list("code", flat=True)
    if drawn != args.letters or len(set(codes)) != args.letters:
        problems.append(f"drew {drawn} invitations with {len(set(codes))} distinct codes, not {args.letters}")
    welsh = Invitation.objects.filter(panel=panel, language="cy").count()
    print(
        f"draw: {args.letters:,} of {args.addresses:,} addresses in {draw_seconds:.2f} s (CPU {draw_cpu:.2f} s) "
        f"(target < {TARGET_DRAW_SECONDS:.0f} s) {verdict(draw_seconds < TARGET_DRAW_SECONDS)}; "
        f"{welsh:,} letters in Welsh",
        flush=True,
    )

    panel.refresh_from_db()
    started, cpu = time.perf_counter(), time.process_time()
    pdf = letters.letters_pdf(panel=panel, base_url="https://coproduce.example.org")
    pdf_seconds = time.perf_counter() - started
    pdf_cpu = time.process_time() - cpu
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if not pdf.startswith(b"%PDF") or pages < args.letters:
        problems.append(f"the PDF has {pages} pages for {args.letters} letters")

    started = time.perf_counter()
    rows = list(letters.letters_csv_rows(panel, base_url="https://coproduce.example.org"))
    csv_seconds = time.perf_counter() - started
    if len(rows) < args.letters:
        problems.append(f"the print house's CSV has {len(rows)} rows for {args.letters} letters")

    print(
        f"letters: one PDF of {pages:,} pages, {len(pdf) / 1e6:.1f} MB, in {pdf_seconds:.1f} s (CPU {pdf_cpu:.1f} s) "
        f"(target < {TARGET_PDF_SECONDS:.0f} s) {verdict(pdf_seconds < TARGET_PDF_SECONDS)}"
    )
    print(f"print house CSV: {len(rows):,} rows in {csv_seconds:.2f} s")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
