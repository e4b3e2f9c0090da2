"""Background work for elections, run through django.tasks: the count, and the emails.

Every email is rendered in its recipient's preferred language, subject included.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation


def _send(person, template: str, context: dict[str, Any]) -> None:
    """Render ``elections/email/<template>_subject.txt`` and ``_body.txt`` in ``person``'s language and send."""
    from coproduce.core.accounts import site_name, site_url

    language = person.preferred_language or "en"
    with translation.override(language):
        election = context.get("election")
        link = site_url(reverse("elections:election", args=[election.pk])) if election is not None else ""
        context = {
            **context,
            "recipient": person,
            "language": language,
            "site_name": site_name(),
            "link": link,
            "title": election.localised_title(language) if election is not None else "",
        }
        subject = " ".join(render_to_string(f"elections/email/{template}_subject.txt", context).split())
        body = render_to_string(f"elections/email/{template}_body.txt", context)
    send_mail(subject, body, None, [person.email])


def _election(election_id: int):
    from .models import Election  # imported here: tasks load before the app registry is ready

    return Election.objects.select_related("organisation").get(pk=election_id)


@task()
def close_election(election_id: int) -> None:
    """Close the poll when its time comes (queued to run then, where the task backend can defer),
    and count at once; a poll already closed by hand is left as it is."""
    from . import services
    from .models import Stage

    election = _election(election_id)
    if election.stage == Stage.VOTING and timezone.now() >= election.voting_close:
        services.election_close_voting(election=election, by=None)


def schedule_close(election) -> None:
    """Queue the close for the close of voting, where the backend runs tasks later; elsewhere
    (the immediate backend of the demo) the ``elections_due`` command or the returning officer closes it."""
    from django.tasks import default_task_backend

    if default_task_backend.supports_defer:
        close_election.using(run_after=election.voting_close).enqueue(election.pk)


@task()
def count_election(election_id: int) -> None:
    """Count an election whose poll has closed; while papers wait for entry or a check, do nothing
    (the returning officer starts the count again once they are done)."""
    from . import services

    try:
        services.election_count(election=_election(election_id))
    except ValidationError:
        return


def _recipients(election, event: str):
    """Who hears of ``event``: every current member when nominations open; the electorate after."""
    from coproduce.core.models import User
    from coproduce.members.models import Membership
    from coproduce.voting.models import Elector

    if event == "nominations":
        people = Membership.objects.current().filter(organisation=election.organisation).values("person")
    else:
        boxes = election.constituencies.exclude(box=None).values("box")
        people = Elector.objects.filter(box__in=boxes).values("person")
        if event == "result" and not election.constituencies.exclude(box=None).exists():
            people = Membership.objects.current().filter(organisation=election.organisation).values("person")
    return User.objects.filter(pk__in=people, is_active=True).exclude(email="").order_by("pk")


@task()
def send_election_notice(election_id: int, event: str) -> None:
    """Tell the members that nominations are open, that voting is open (with the link), or the result."""
    election = _election(election_id)
    for person in _recipients(election, event):
        _send(person, event, {"election": election})


@task()
def send_voting_reminder(election_id: int) -> None:
    """Remind those on the electorate who have not yet voted, once."""
    from coproduce.voting.selectors import unvoted_electors

    from .models import Stage

    election = _election(election_id)
    if election.stage != Stage.VOTING:
        return
    people = set()
    for constituency in election.constituencies.exclude(box=None).select_related("box"):
        people.update(unvoted_electors(constituency.box).filter(is_active=True).exclude(email=""))
    for person in sorted(people, key=lambda p: p.pk):
        _send(person, "reminder", {"election": election})
    type(election).objects.filter(pk=election.pk).update(reminder_sent_at=timezone.now())


@task()
def send_nomination_requests(nomination_id: int) -> None:
    """Ask the candidate, proposer and seconder named in a nomination to confirm it online."""
    from .models import Nomination

    nomination = Nomination.objects.select_related("constituency__election__organisation").get(pk=nomination_id)
    election = nomination.constituency.election
    people = {
        "candidate": nomination.candidate if nomination.candidate_consented_at is None else None,
        "proposer": nomination.proposer if nomination.proposer_confirmed_at is None else None,
        "seconder": nomination.seconder if nomination.seconder_confirmed_at is None else None,
    }
    for role, person in people.items():
        if person is not None and person.email:
            _send(person, "nomination_request", {"election": election, "nomination": nomination, "role": role})


@task()
def send_nomination_decision(nomination_id: int) -> None:
    """Tell the candidate whether the returning officer accepted their nomination, and why not."""
    from .models import Nomination

    nomination = Nomination.objects.select_related("constituency__election__organisation", "candidate").get(
        pk=nomination_id
    )
    if nomination.candidate.email:
        _send(
            nomination.candidate,
            "nomination_decision",
            {"election": nomination.constituency.election, "nomination": nomination},
        )
