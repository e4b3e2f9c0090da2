"""Background work for participatory budgets, run through django.tasks: the count, and the emails.

Every email is rendered in its recipient's preferred language, subject included.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


def _send(person, template: str, context: dict[str, Any]) -> None:
    """Render ``budgets/email/<template>_subject.txt`` and ``_body.txt`` in ``person``'s language and send."""
    from coproduce.core.accounts import site_name

    language = person.preferred_language or "en"
    with translation.override(language):
        budget_round = context["budget_round"]
        context = {
            **context,
            "recipient": person,
            "language": language,
            "site_name": site_name(),
            "title": budget_round.localised_title(language),
        }
        subject = " ".join(render_to_string(f"budgets/email/{template}_subject.txt", context).split())
        body = render_to_string(f"budgets/email/{template}_body.txt", context)
    send_mail(subject, body, None, [person.email])


@task()
def close_round(round_id: int) -> None:
    """Close the vote when its time comes (queued to run then, where the task backend can defer),
    and count at once; a vote already closed by hand is left as it is."""
    from django.utils import timezone

    from . import services
    from .models import BudgetRound, Stage

    budget_round = BudgetRound.objects.get(pk=round_id)
    if budget_round.stage == Stage.VOTING and timezone.now() >= budget_round.voting_close:
        services.round_close_voting(budget_round=budget_round, by=None)


def schedule_close(budget_round) -> None:
    """Queue the close for the close of voting, where the backend runs tasks later; elsewhere (the
    immediate backend of the demo and the tests) an officer closes it (a command like elections'
    ``elections_due`` is still to come)."""
    from django.tasks import default_task_backend

    if default_task_backend.supports_defer:
        close_round.using(run_after=budget_round.voting_close).enqueue(budget_round.pk)


@task()
def count_round(round_id: int) -> None:
    """Count a round whose vote has closed; while papers wait for entry or a check, do nothing
    (the officer starts the count again once they are done)."""
    from . import services
    from .models import BudgetRound

    try:
        services.round_count(budget_round=BudgetRound.objects.get(pk=round_id))
    except ValidationError:
        return


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
