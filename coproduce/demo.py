"""``coproduce demo``: migrate, load the demo borough into an empty database, and serve it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str], prog: str = "coproduce demo") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Set up and serve the demo borough on this machine.")
    parser.add_argument("--port", type=int, default=8000, help="port to serve on at 127.0.0.1 (default 8000)")
    parser.add_argument(
        "--data-dir", type=Path, help="where the SQLite database and uploads live (default ./.coproduce-data)"
    )
    parser.add_argument("--no-serve", action="store_true", help="set up the database and stop (for scripts and tests)")
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["COPRODUCE_DATA_DIR"] = str(args.data_dir.resolve())
    # The demo is a local copy: development settings (SQLite, emails to files), still without DEBUG.
    os.environ.setdefault("COPRODUCE_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from coproduce.core.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET, build_demo, holds_only_the_demo
    from coproduce.core.models import Organisation, User

    database = settings.DATABASES["default"]["NAME"]
    call_command("migrate", interactive=False, verbosity=0)
    if not holds_only_the_demo():
        # The demo creates log-ins with a published password and TOTP secret: never in real data.
        print(
            f"coproduce demo: {database} holds data that is not the demo borough; refusing to add demo log-ins "
            "with a published password to it. Point --data-dir (or DATABASE_URL) at an empty database.",
            file=sys.stderr,
        )
        return 2
    if Organisation.objects.exists() or User.objects.exists():
        print(f"Using the existing demo database ({database}).")
    else:
        print("Building the demo borough of Kingsmere…")
        build_demo()
    print()
    print(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
    for role, (email, name) in DEMO_LOGINS.items():
        print(f"  {role:<10} {email:<26} {name}")
    print(
        "The secretary, the officer and the equalities officer use two-factor authentication: "
        f"authenticator secret {DEMO_TOTP_SECRET}"
    )
    print("  (add it to any authenticator app, or run: oathtool --totp -b " + DEMO_TOTP_SECRET + ")")
    print(
        "Emails the demo sends are written to "
        + settings.MAILERS["default"]["OPTIONS"].get("file_path", "your SMTP server")
    )
    if args.no_serve:
        return 0
    print(f"\nServing Coproduce at http://127.0.0.1:{args.port}/  (Ctrl+C to stop)\n", flush=True)
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "coproduce.config.wsgi:application",
        address="127.0.0.1",
        port=args.port,
        interface=Interfaces.WSGI,
        blocking_threads=2,  # a demo on a laptop: two threads, not granian's default of 512
        websockets=False,
    ).serve()
    return 0
