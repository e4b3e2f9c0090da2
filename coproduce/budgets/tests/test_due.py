"""The ``budgets_due`` command: each step of a round's timetable at its time, once — ideas
announced, voting opened, the reminder, voting closed and counted, a count that waited for
paper ballots done — and a second run straight after changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from coproduce.budgets import services
from coproduce.budgets.models import BudgetRound, Stage
from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import PlaceFactory, UserFactory
from coproduce.voting import services as voting

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


class Clock:
    """What ``timezone.now()`` answers, everywhere (services, tasks, the command, the models)."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    now = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: now.moment)
    return now


def due(capture) -> tuple[list[str], str]:
    """Run the command as cron would (tasks run as each service commits): its lines, and its errors."""
    out, err = io.StringIO(), io.StringIO()
    with capture(execute=True):
        call_command("budgets_due", stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def twice(capture) -> list[str]:
    """Run once, then again: the second run prints nothing, sends nothing and changes no round."""
    lines, errors = due(capture)
    assert errors == ""
    sent = len(mail.outbox)
    rounds = list(BudgetRound.objects.order_by("pk").values())
    again, errors = due(capture)
    assert (again, errors) == ([], "")
    assert len(mail.outbox) == sent
    assert list(BudgetRound.objects.order_by("pk").values()) == rounds
    return lines


def test_a_round_goes_through_its_timetable_one_step_at_a_time(clock, django_capture_on_commit_callbacks):
    start = clock.moment
    budget_round = BudgetRoundFactory(
        ideas_open=start + DAY,
        ideas_close=start + 5 * DAY,
        review_close=start + 8 * DAY,
        voting_open=start + 9 * DAY,
        voting_close=start + 14 * DAY,
    )
    english = ResidentFactory(ward=budget_round.place, preferred_language="en")
    welsh = ResidentFactory(ward=budget_round.place, preferred_language="cy")
    ResidentFactory(ward=PlaceFactory())  # another ward's resident: never emailed
    name = f"{budget_round.title} (budget round {budget_round.pk})"
    both = sorted([english.email, welsh.email])

    # Before ideas open: nothing is due.
    assert twice(django_capture_on_commit_callbacks) == []
    assert mail.outbox == []

    # Ideas open: everyone who may take part is told, once.
    clock.moment = start + DAY + HOUR
    assert twice(django_capture_on_commit_callbacks) == [f"Announced that ideas are open in {name}."]
    assert recipients() == both
    budget_round.refresh_from_db()
    assert budget_round.ideas_announced_at == start + DAY + HOUR

    # The review: projects costed; still nothing due until voting opens.
    projects = [ProjectFactory(round=budget_round, cost=cost) for cost in (6_000_00, 3_000_00)]
    clock.moment = start + 9 * DAY - HOUR
    mail.outbox.clear()
    assert twice(django_capture_on_commit_callbacks) == []

    # Voting opens: the electors are told, with the link to the ballot.
    clock.moment = start + 9 * DAY + HOUR
    assert twice(django_capture_on_commit_callbacks) == [f"Opened voting in {name}."]
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.VOTING and budget_round.box.electorate_size == 2
    assert recipients() == both
    assert all("Voting is open" in m.subject or "pleidleisio" in m.subject for m in mail.outbox)
    assert AuditEvent.objects.filter(action="budget.open_voting", actor=None).exists()

    # The last day: those who have not voted are reminded, once.
    services.ballot_cast(budget_round=budget_round, person=english, content=[str(projects[0].pk)])
    mail.outbox.clear()
    clock.moment = start + 13 * DAY - HOUR  # more than a day before the close: not yet
    assert twice(django_capture_on_commit_callbacks) == []
    clock.moment = start + 14 * DAY - 20 * HOUR
    assert twice(django_capture_on_commit_callbacks) == [f"Sent a reminder to vote in {name}."]
    assert recipients() == [welsh.email]

    # The close: voting closes and the count follows; the electors are told the result.
    mail.outbox.clear()
    clock.moment = start + 14 * DAY + datetime.timedelta(minutes=1)
    assert twice(django_capture_on_commit_callbacks) == [f"Closed voting in {name}; the count follows."]
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DECLARED
    assert budget_round.result["selected"] == [str(projects[0].pk)]
    assert recipients() == both
    assert AuditEvent.objects.filter(action="budget.close_voting", actor=None).exists()


def test_many_rounds_in_one_run_each_as_its_timetable_says(django_capture_on_commit_callbacks):
    now = timezone.now()
    ideas = BudgetRoundFactory(**phases("ideas"))
    upcoming = BudgetRoundFactory(**{**phases("ideas"), "ideas_open": now + HOUR})
    draft = BudgetRoundFactory(**phases("voting"), stage=Stage.DRAFT)
    opening = BudgetRoundFactory(**phases("voting"))
    early = BudgetRoundFactory(**phases("review"))
    lonely = BudgetRoundFactory(**phases("voting"))  # one costed project: cannot open
    closing = BudgetRoundFactory(**phases("voting"))
    reminding = BudgetRoundFactory(**phases("voting"))
    for budget_round in (draft, opening, early, closing, reminding):
        ProjectFactory.create_batch(2, round=budget_round)
    ProjectFactory(round=lonely)
    for budget_round in (closing, reminding):
        services.round_open_voting(budget_round=budget_round, by=UserFactory())
    BudgetRound.objects.filter(pk=closing.pk).update(voting_close=now - datetime.timedelta(seconds=1))
    BudgetRound.objects.filter(pk=reminding.pk).update(voting_close=now + 20 * HOUR)

    lines, errors = due(django_capture_on_commit_callbacks)
    rounds = {r.pk: r for r in BudgetRound.objects.all()}
    assert rounds[ideas.pk].ideas_announced_at is not None and rounds[upcoming.pk].ideas_announced_at is None
    assert rounds[opening.pk].stage == Stage.VOTING
    assert rounds[draft.pk].stage == Stage.DRAFT and rounds[early.pk].stage == Stage.PUBLISHED
    assert rounds[lonely.pk].stage == Stage.PUBLISHED
    assert rounds[closing.pk].stage == Stage.DECLARED
    assert rounds[reminding.pk].reminder_sent_at is not None and rounds[opening.pk].reminder_sent_at is None
    assert lines == [
        f"Announced that ideas are open in {ideas.title} (budget round {ideas.pk}).",
        f"Opened voting in {opening.title} (budget round {opening.pk}).",
        f"Closed voting in {closing.title} (budget round {closing.pk}); the count follows.",
        f"Sent a reminder to vote in {reminding.title} (budget round {reminding.pk}).",
    ]
    # The round that cannot open is reported with the reason, and the others went ahead.
    assert errors == f"{lonely.title} (budget round {lonely.pk}): Cost at least two projects before voting opens.\n"

    again, errors_again = due(django_capture_on_commit_callbacks)
    assert again == [] and errors_again == errors  # reported again until someone costs a project
    ProjectFactory(round=lonely)
    assert due(django_capture_on_commit_callbacks)[0] == [
        f"Opened voting in {lonely.title} (budget round {lonely.pk})."
    ]


def test_a_count_that_waited_for_paper_ballots_is_done_once_they_are_checked(django_capture_on_commit_callbacks):
    budget_round = BudgetRoundFactory(**phases("voting"), amount=100_00)
    wanted, _other = ProjectFactory(round=budget_round, cost=60_00), ProjectFactory(round=budget_round, cost=60_00)
    online, on_paper = ResidentFactory(ward=budget_round.place), ResidentFactory(ward=budget_round.place)
    officer, checker = UserFactory(), UserFactory()
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    services.ballot_cast(budget_round=budget_round, person=online, content=[str(wanted.pk)])
    voting.paper_vote_mark(box=budget_round.box, person=on_paper, by=officer)
    BudgetRound.objects.filter(pk=budget_round.pk).update(voting_close=timezone.now() - datetime.timedelta(seconds=1))
    name = f"{budget_round.title} (budget round {budget_round.pk})"

    assert twice(django_capture_on_commit_callbacks) == [f"Closed voting in {name}; the count follows."]
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.CLOSED  # the paper is not entered yet: the count waits, quietly

    batch = voting.paper_batch_start(box=budget_round.box, by=officer)
    services.paper_ballot_enter(budget_round=budget_round, batch=batch, by=officer, content=[str(wanted.pk)])
    assert twice(django_capture_on_commit_callbacks) == []  # entered but not yet checked
    voting.paper_batch_check(batch=batch, by=checker)
    mail.outbox.clear()
    assert twice(django_capture_on_commit_callbacks) == [f"Counted {name}: the result is declared."]
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DECLARED
    assert budget_round.result["selected"] == [str(wanted.pk)] and budget_round.result["turnout"]["voted"] == 2
    assert recipients() == sorted([online.email, on_paper.email])  # the result, to both electors
