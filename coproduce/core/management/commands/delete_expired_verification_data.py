"""Delete uploaded resident lists whose deletion date has come, and expired letter PDFs.

Usage: coproduce manage delete_expired_verification_data   (run it daily, e.g. from cron)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coproduce.core.services import letter_batches_clear_expired, resident_lists_delete_expired


class Command(BaseCommand):
    help = "Delete resident lists past their deletion date and letter PDFs whose codes have expired. Run daily."

    def handle(self, *args, **options) -> None:
        lists = resident_lists_delete_expired()
        batches = letter_batches_clear_expired()
        self.stdout.write(f"Deleted {lists} resident list(s); cleared {batches} expired letter batch PDF(s).")
