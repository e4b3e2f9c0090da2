"""Move panels through their registration dates: open registration once its opening date has come.

Usage: coproduce manage panels_due   (run it every few minutes from the scheduler, e.g. cron:
``*/5 * * * * coproduce manage panels_due``)

A panel whose letters are drawn (stage "Letters drawn") starts taking registrations once its
opening date has passed, through the same service as the officers' button, recorded in the
audit trail as done by the system. Registration closes by itself at its closing date (the
register service refuses after it, and the selection needs it passed), so nothing is done then.
One line is printed per panel opened; nothing when nothing is due.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone

from coproduce.panels import services
from coproduce.panels.models import Panel, Stage


class Command(BaseCommand):
    help = "Open registration for panels whose letters are drawn and whose opening date has passed."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        due = Panel.objects.filter(stage=Stage.INVITING, registration_opens__lte=now, registration_closes__gt=now)
        for panel in due.order_by("registration_opens", "pk"):
            try:
                services.registration_open(panel=panel, actor=None)
            except ValidationError as error:
                self.stdout.write(f"Could not open registration for {panel.title} ({panel.pk}): {error.messages[0]}")
                continue
            self.stdout.write(f"Opened registration for {panel.title} ({panel.pk}).")
