"""Do what consultations' dates make due: remind people of events, send "you said, we did" left unsent.

Usage: coproduce manage consultations_due   (run it every few minutes from the scheduler, e.g. cron:
``*/5 * * * * coproduce manage consultations_due``)

In one run:

* everyone booked on an event that starts within the next 48 hours is reminded, once each
  (``Registration.reminded_at``); waiting lists and cancelled events are not reminded;
* respondents who asked to hear what was decided and have not been emailed a published "you said,
  we did" (a send that failed, or responses entered on paper after it was published) are emailed,
  once each (``Response.feedback_sent_at``).

Each action is done by the same task the services queue. One line is printed per action; nothing
when nothing is due, so a second run straight after the first prints nothing and sends nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count

from coproduce.consultations import tasks
from coproduce.consultations.models import Consultation, Event


class Command(BaseCommand):
    help = (
        "Remind people booked on consultation events starting within 48 hours, once; email 'you said, we did' to "
        "respondents who asked and have not had it. Run every few minutes from cron."
    )

    def handle(self, *args, **options) -> None:
        due = tasks.reminders_due().values("event_id").annotate(n=Count("pk")).order_by()
        counts = {row["event_id"]: row["n"] for row in due}
        for event in Event.objects.filter(pk__in=counts).select_related("consultation").order_by("starts_at", "pk"):
            tasks.send_event_reminders.enqueue(event.pk)
            self.stdout.write(
                f"Reminded {counts[event.pk]} booked on {event.title} (event {event.pk}, {event.consultation.title})."
            )

        waiting = tasks.feedback_due().values("consultation_id").annotate(n=Count("pk")).order_by()
        counts = {row["consultation_id"]: row["n"] for row in waiting}
        for consultation in Consultation.objects.filter(pk__in=counts).order_by("pk"):
            tasks.send_feedback.enqueue(consultation.pk)
            self.stdout.write(
                f"Sent “you said, we did” of {consultation.title} (consultation {consultation.pk}) "
                f"to {counts[consultation.pk]} respondents."
            )
