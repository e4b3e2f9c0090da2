"""Move budget rounds through their timetables: announce ideas, open and close voting, remind, count.

Usage: coproduce manage budgets_due   (run it every few minutes from the scheduler, e.g. cron:
``*/5 * * * * coproduce manage budgets_due``)

For each published round, in one run:

* once ideas open (and until they close), everyone who may take part is emailed that they are
  open, once (``BudgetRound.ideas_announced_at``);
* voting opens once its voting-open time has passed, with the costed projects on the ballot (a
  round with fewer than two costed projects cannot open: it is reported, and tried again on the
  next run) — the electors are emailed the dates and the link to the ballot;
* voting closes once its voting-close time has passed; the count follows at once in a task (it
  waits while paper ballots are still to be entered or checked);
* those who have not voted are reminded once, in the last day before the close;
* a round whose count waited for paper ballots is counted once they are all entered and checked;
* a published youth poll opens at its opening time, and an open one closes and is counted at its
  closing time.

Each action is done by the same service or task the officers' buttons use, recorded in the audit
trail as done by the system. One line is printed per action; nothing when nothing is due, so a
second run straight after the first prints nothing and changes nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone

from coproduce.budgets import services, tasks
from coproduce.budgets.models import BudgetRound, PollStage, Stage, YouthPoll

REMIND_BEFORE_CLOSE = datetime.timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Announce ideas in budget rounds whose ideas have opened; open voting in those whose voting-open time has "
        "passed; close voting in those whose voting-close time has passed (the count follows); remind those who "
        "have not voted one day before the close, once; count closed rounds whose paper ballots are now all "
        "entered and checked; open and close youth polls at their times. Run every few minutes from cron."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()

        announcing = BudgetRound.objects.filter(
            stage=Stage.PUBLISHED, ideas_open__lte=now, ideas_close__gt=now, ideas_announced_at__isnull=True
        )
        for budget_round in announcing.order_by("ideas_open", "pk"):
            tasks.send_ideas_open.enqueue(budget_round.pk)
            self.stdout.write(f"Announced that ideas are open in {self._name(budget_round)}.")

        opened: set[int] = set()
        for budget_round in BudgetRound.objects.filter(stage=Stage.PUBLISHED, voting_open__lte=now).order_by(
            "voting_open", "pk"
        ):
            if self._do(services.round_open_voting, budget_round, now=now):
                opened.add(budget_round.pk)
                self.stdout.write(f"Opened voting in {self._name(budget_round)}.")

        closed: set[int] = set()
        for budget_round in BudgetRound.objects.filter(stage=Stage.VOTING, voting_close__lte=now).order_by(
            "voting_close", "pk"
        ):
            if self._do(services.round_close_voting, budget_round, now=now):
                closed.add(budget_round.pk)
                self.stdout.write(f"Closed voting in {self._name(budget_round)}; the count follows.")

        reminders = BudgetRound.objects.filter(
            stage=Stage.VOTING,
            voting_close__gt=now,
            voting_close__lte=now + REMIND_BEFORE_CLOSE,
            reminder_sent_at__isnull=True,
        ).exclude(pk__in=opened)  # just opened: the electors have this minute been told voting is open
        for budget_round in reminders.order_by("voting_close", "pk"):
            tasks.send_voting_reminder.enqueue(budget_round.pk)
            self.stdout.write(f"Sent a reminder to vote in {self._name(budget_round)}.")

        # Counts that waited for paper ballots (the count queued at the close has had its go).
        waiting = BudgetRound.objects.filter(stage=Stage.CLOSED).exclude(pk__in=closed).select_related("box")
        for budget_round in waiting.order_by("voting_close", "pk"):
            if services.count_problems(budget_round):
                continue  # papers still to enter or check: the officers' page says which
            if self._do(services.round_count, budget_round):
                self.stdout.write(f"Counted {self._name(budget_round)}: the result is declared.")

        for poll in YouthPoll.objects.filter(stage=PollStage.PUBLISHED, opens__lte=now, closes__gt=now).order_by(
            "opens", "pk"
        ):
            if self._do_poll(services.poll_open, poll, now=now):
                self.stdout.write(f"Opened voting in {poll.title} (youth poll {poll.pk}).")
        for poll in YouthPoll.objects.filter(stage=PollStage.OPEN, closes__lte=now).order_by("closes", "pk"):
            if self._do_poll(services.poll_close, poll, now=now):
                self.stdout.write(f"Closed and counted {poll.title} (youth poll {poll.pk}).")

    @staticmethod
    def _name(budget_round: BudgetRound) -> str:
        return f"{budget_round.title} (budget round {budget_round.pk})"

    def _do(self, service, budget_round: BudgetRound, **kwargs) -> bool:
        try:
            service(budget_round=budget_round, by=None, **kwargs)
        except ValidationError as error:
            self.stderr.write(f"{self._name(budget_round)}: {' '.join(error.messages)}")
            return False
        return True

    def _do_poll(self, service, poll: YouthPoll, **kwargs) -> bool:
        try:
            service(poll=poll, by=None, **kwargs)
        except ValidationError as error:
            self.stderr.write(f"{poll.title} (youth poll {poll.pk}): {' '.join(error.messages)}")
            return False
        return True
