"""``coproduce manage …``: Django's management commands for this project."""

from __future__ import annotations

import os


def main(argv: list[str], prog: str = "coproduce manage") -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([prog, *argv])
    return 0
