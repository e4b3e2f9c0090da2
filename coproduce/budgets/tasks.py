"""Background work for participatory budgets, run through django.tasks: the count, and the emails.

Every email is rendered in its recipient's preferred language, subject and links included (a
Welsh reader's links go to the ``/cy/`` pages). An email to many people (everyone who may take
part, the electorate) is one task per round that sends in chunks over one mail connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

# Messages handed to the mail connection at a time, in a bulk email.
CHUNK = 200

Link = tuple[str, tuple[Any, ...]]


def _message(person, template: str, context: dict[str, Any], link: Link | None = None) -> EmailMessage:
    """Render ``budgets/email/<template>_subject.txt`` and ``_body.txt`` in ``person``'s language.

    ``link`` is a URL name and its arguments, reversed in that language (``/cy/…`` for Welsh)."""
    from coproduce.core.accounts import site_name, site_url

    language = person.preferred_language or "en"
    with translation.override(language):
        budget_round = context["budget_round"]
        context = {
            **context,
            "recipient": person,
            "language": language,
            "site_name": site_name(),
            "title": budget_round.localised_title(language),
            "link": site_url(reverse(link[0], args=link[1])) if link else "",
        }
        subject = " ".join(render_to_string(f"budgets/email/{template}_subject.txt", context).split())
        body = render_to_string(f"budgets/email/{template}_body.txt", context)
    return EmailMessage(subject, body, None, [person.email])


def _send(person, template: str, context: dict[str, Any], link: Link | None = None) -> None:
    """Render and send one email to ``person``, in their language."""
    _message(person, template, context, link).send()


def _send_all(
    people: Iterable,
    template: str,
    context: dict[str, Any] | Callable[[Any], dict[str, Any]],
    link: Link | None = None,
) -> int:
    """Send the same email (each in its reader's language) to everyone in ``people`` over one
    connection of the default mailer, ``CHUNK`` messages at a time; ``context`` may be a function
    of the person. Returns how many were sent."""
    batch: list[EmailMessage] = []
    sent = 0
    with mailers.default as connection:
        for person in people:
            batch.append(_message(person, template, context(person) if callable(context) else context, link))
            if len(batch) >= CHUNK:
                sent += connection.send_messages(batch) or 0
                batch = []
        if batch:
            sent += connection.send_messages(batch) or 0
    return sent


def _mailable(people):
    """Those of ``people`` (a User queryset) who can be emailed, in a fixed order."""
    return people.filter(is_active=True).exclude(email="").order_by("pk")


def _round(round_id: int):
    from .models import BudgetRound  # imported here: tasks load before the app registry is ready

    return BudgetRound.objects.select_related("organisation", "place").get(pk=round_id)


# The count ---------------------------------------------------------------------------------------


@task()
def close_round(round_id: int) -> None:
    """Close the vote when its time comes (queued to run then, where the task backend can defer),
    and count at once; a vote already closed by hand is left as it is."""
    from . import services
    from .models import BudgetRound, Stage

    budget_round = BudgetRound.objects.get(pk=round_id)
    if budget_round.stage == Stage.VOTING and timezone.now() >= budget_round.voting_close:
        services.round_close_voting(budget_round=budget_round, by=None)


def schedule_close(budget_round) -> None:
    """Queue the close for the close of voting, where the backend runs tasks later; elsewhere (the
    immediate backend of the demo and the tests) the ``budgets_due`` command or an officer closes it."""
    from django.tasks import default_task_backend

    if default_task_backend.supports_defer:
        close_round.using(run_after=budget_round.voting_close).enqueue(budget_round.pk)


@task()
def count_round(round_id: int) -> None:
    """Count a round whose vote has closed; while papers wait for entry or a check, do nothing
    (the officer, or ``budgets_due``, starts the count again once they are done)."""
    from . import services
    from .models import BudgetRound

    try:
        services.round_count(budget_round=BudgetRound.objects.get(pk=round_id))
    except ValidationError:
        return


# Emails at each phase ------------------------------------------------------------------------------


@task()
def send_ideas_open(round_id: int) -> None:
    """Tell everyone who may take part that ideas are open, once (``ideas_announced_at``)."""
    from . import selectors
    from .models import BudgetRound, Stage, Status

    budget_round = _round(round_id)
    if budget_round.stage != Stage.PUBLISHED or budget_round.status() != Status.IDEAS:
        return
    # Claimed before sending, in one statement: a second run (or a second worker) sends nothing.
    claimed = BudgetRound.objects.filter(pk=round_id, ideas_announced_at__isnull=True).update(
        ideas_announced_at=timezone.now()
    )
    if not claimed:
        return
    people = _mailable(selectors.eligible_people(budget_round))
    _send_all(
        people.iterator(chunk_size=CHUNK), "ideas_open", {"budget_round": budget_round}, ("budgets:ideas", (round_id,))
    )


@task()
def send_idea_moderated(idea_id: int) -> None:
    """Tell the proposer that their idea was published, or hidden and why."""
    from .models import Idea, IdeaStatus

    idea = Idea.objects.select_related("round__organisation", "proposer").get(pk=idea_id)
    person = idea.proposer
    if idea.status == IdeaStatus.SUBMITTED or not person.is_active or not person.email:
        return
    template = "idea_published" if idea.status == IdeaStatus.PUBLISHED else "idea_hidden"
    _send(person, template, {"budget_round": idea.round, "idea": idea}, ("budgets:idea", (idea.round_id, idea.pk)))


def _proposers_ideas(project) -> dict[int, list[str]]:
    """The proposers of a project's ideas (and of ideas merged into them): their ideas' titles."""
    from django.db.models import Q

    from .models import Idea

    ideas = Idea.objects.filter(Q(projects=project) | Q(merged_into__projects=project)).distinct().order_by("pk")
    titles: dict[int, list[str]] = {}
    for proposer, title in ideas.values_list("proposer", "title"):
        titles.setdefault(proposer, []).append(title)
    return titles


@task()
def send_on_ballot(project_id: int) -> None:
    """Tell the proposers of the ideas a costed project was made from that it goes on the ballot."""
    from coproduce.core.models import User

    from .models import Project, ProjectStatus

    project = Project.objects.select_related("round__organisation").get(pk=project_id)
    if project.status != ProjectStatus.COSTED:
        return
    titles = _proposers_ideas(project)
    link = ("budgets:project", (project.round_id, project.pk))
    for person in _mailable(User.objects.filter(pk__in=titles)):
        _send(
            person, "on_ballot", {"budget_round": project.round, "project": project, "ideas": titles[person.pk]}, link
        )


@task()
def send_not_feasible(project_id: int) -> None:
    """Tell the proposers of a project's ideas that it is not feasible, and why."""
    from coproduce.core.models import User

    from .models import Project

    project = Project.objects.select_related("round__organisation").get(pk=project_id)
    people = (
        User.objects.filter(pk__in=project.ideas.values("proposer"), is_active=True).exclude(email="").order_by("pk")
    )
    for person in people:
        ideas = [idea.title for idea in project.ideas.filter(proposer=person)]
        _send(person, "not_feasible", {"budget_round": project.round, "project": project, "ideas": ideas})


def _electors(budget_round):
    """The people on the round's electorate (none before voting opens)."""
    from coproduce.core.models import User
    from coproduce.voting.models import Elector

    return User.objects.filter(pk__in=Elector.objects.filter(box_id=budget_round.box_id).values("person"))


@task()
def send_voting_open(round_id: int) -> None:
    """Tell every elector that voting is open: the dates, and the link to the ballot."""
    from .models import Stage

    budget_round = _round(round_id)
    if budget_round.stage != Stage.VOTING:
        return
    people = _mailable(_electors(budget_round)).iterator(chunk_size=CHUNK)
    _send_all(people, "voting_open", {"budget_round": budget_round}, ("budgets:ballot", (round_id,)))


@task()
def send_voting_reminder(round_id: int) -> None:
    """Remind the electors who have not voted, once (``reminder_sent_at``), while voting is open."""
    from coproduce.voting.selectors import unvoted_electors

    from .models import BudgetRound, Stage

    budget_round = _round(round_id)
    if budget_round.stage != Stage.VOTING or budget_round.box_id is None:
        return
    claimed = BudgetRound.objects.filter(pk=round_id, reminder_sent_at__isnull=True).update(
        reminder_sent_at=timezone.now()
    )
    if not claimed:
        return
    people = _mailable(unvoted_electors(budget_round.box)).iterator(chunk_size=CHUNK)
    _send_all(people, "reminder", {"budget_round": budget_round}, ("budgets:ballot", (round_id,)))


@task()
def send_result(round_id: int) -> None:
    """Tell the electors and the proposers of ideas the result: the projects funded, and the link."""
    from django.db.models import Q

    from coproduce.core.models import User
    from coproduce.voting.models import Elector

    from .models import Idea, Project, Stage

    budget_round = _round(round_id)
    if budget_round.stage != Stage.DECLARED or not budget_round.result:
        return
    selected = [int(key) for key in budget_round.result["selected"]]
    by_id = Project.objects.in_bulk(selected)
    funded = [by_id[key] for key in selected if key in by_id]
    electors = Q(pk__in=Elector.objects.filter(box_id=budget_round.box_id).values("person"))
    proposers = Q(pk__in=Idea.objects.filter(round=budget_round).values("proposer"))
    people = _mailable(User.objects.filter(electors | proposers)).iterator(chunk_size=CHUNK)
    context = {"budget_round": budget_round, "funded": funded, "result": budget_round.result}
    _send_all(people, "result", context, ("budgets:result", (round_id,)))


@task()
def send_project_update(update_id: int) -> None:
    """Send a delivery update to the residents who follow the project."""
    from coproduce.core.models import User

    from .models import ProjectFollow, ProjectUpdate

    update = ProjectUpdate.objects.select_related("project__round__organisation", "project__round__place").get(
        pk=update_id
    )
    project = update.project
    followers = User.objects.filter(pk__in=ProjectFollow.objects.filter(project=project).values("person"))
    context = {"budget_round": project.round, "project": project, "update": update}
    _send_all(
        _mailable(followers).iterator(chunk_size=CHUNK),
        "project_update",
        context,
        ("budgets:project", (project.round_id, project.pk)),
    )
