"""Open and close elections at the times in their timetables, and send the reminder the day before the close.

Usage: coproduce manage elections_due   (run it every few minutes from the scheduler, e.g. cron:
``*/5 * * * * coproduce manage elections_due``)

For each election, in one run:

* voting opens once its voting-open time has passed, if every nomination has been decided (an
  election with nominations still waiting is left for the returning officer, and said so);
* voting closes once its voting-close time has passed; the count follows at once in a task (it
  waits while paper ballots are still to be entered or checked);
* those who have not voted are reminded once, in the last day before the close.

Each action is done by the same service the returning officer's buttons call, recorded in the
audit trail as done by the system. One line is printed per action; nothing when nothing is due.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone

from coproduce.elections import services, tasks
from coproduce.elections.models import Election, NominationStatus, Stage

REMIND_BEFORE_CLOSE = datetime.timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Open voting in published elections whose voting-open time has passed and whose nominations are all "
        "decided; close voting in those whose voting-close time has passed (the count follows); send the "
        "reminder to those who have not voted one day before the close, once. Run every few minutes from cron."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        opened: set[int] = set()
        due_to_open = Election.objects.filter(stage=Stage.PUBLISHED, voting_open__lte=now).exclude(
            constituencies__nominations__status=NominationStatus.SUBMITTED
        )
        for election in due_to_open.order_by("voting_open", "pk"):
            if self._do(services.election_open_voting, election, now):
                opened.add(election.pk)
                self.stdout.write(f"Opened voting in {election.title} (election {election.pk}).")

        for election in Election.objects.filter(stage=Stage.VOTING, voting_close__lte=now).order_by(
            "voting_close", "pk"
        ):
            if self._do(services.election_close_voting, election, now):
                self.stdout.write(f"Closed voting in {election.title} (election {election.pk}); the count follows.")

        reminders = Election.objects.filter(
            stage=Stage.VOTING,
            voting_close__gt=now,
            voting_close__lte=now + REMIND_BEFORE_CLOSE,
            reminder_sent_at__isnull=True,
        ).exclude(pk__in=opened)  # just opened: members have this minute been told voting is open
        for election in reminders.order_by("voting_close", "pk"):
            tasks.send_voting_reminder.enqueue(election.pk)
            self.stdout.write(f"Sent a reminder for {election.title} (election {election.pk}).")

    def _do(self, service, election: Election, now) -> bool:
        try:
            service(election=election, by=None, now=now)
        except ValidationError as error:
            self.stderr.write(f"{election.title} (election {election.pk}): {' '.join(error.messages)}")
            return False
        return True
