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
