"""Reads for participatory budgets: who may take part, what a person may see."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coproduce.core import eligibility
from coproduce.core.models import Organisation, Role, RoleKind, User

from .models import BudgetRound, Idea, IdeaStatus, PollOption, PollStage, Project, ProjectStatus, Stage, YouthPoll


def requirement(budget_round: BudgetRound) -> eligibility.Requirement:
    """Who may take part: residents of the round's place, verified at least so, aged between."""
    return eligibility.Requirement(
        place=budget_round.place,
        min_level=budget_round.min_level,
        min_age=budget_round.min_age,
        max_age=budget_round.max_age,
    )


def may_take_part(budget_round: BudgetRound, person: User, *, on: datetime.date | None = None) -> eligibility.Answer:
    """Core's answer, with the reason to show a person who may not."""
    return eligibility.check(person, requirement(budget_round), on=on)


def born_by(day: datetime.date, years: int) -> datetime.date:
    """The latest date of birth of someone aged at least ``years`` on ``day`` (29 February born
    count a year older on 1 March, as ``eligibility.age_on`` does)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year without one
        return datetime.date(day.year - years, 2, 28)


def eligible_people(budget_round: BudgetRound, *, on: datetime.date | None = None) -> QuerySet[User]:
    """Everyone ``may_take_part`` says yes to, in one query: the same conditions as the core's
    ``eligibility.check``, over the columns it reads (ward path, verification level, date of birth)."""
    on = on or timezone.localdate()
    place = budget_round.place
    people = User.objects.filter(is_active=True, verification_level__gte=budget_round.min_level).filter(
        Q(ward=place) | Q(ward__path__startswith=place.path + "/")
    )
    if budget_round.min_age is not None:
        people = people.filter(date_of_birth__lte=born_by(on, budget_round.min_age))
    if budget_round.max_age is not None:
        people = people.filter(date_of_birth__gt=born_by(on, budget_round.max_age + 1))
    return people


def electorate(budget_round: BudgetRound, *, on: datetime.date | None = None) -> list[int]:
    """The ids of the people who may vote in the round."""
    return sorted(eligible_people(budget_round, on=on).values_list("pk", flat=True))


def public_rounds() -> QuerySet[BudgetRound]:
    """Rounds anyone may see: published, of a listed fund holder."""
    return (
        BudgetRound.objects.exclude(stage=Stage.DRAFT)
        .filter(organisation__in=Organisation.objects.public())
        .select_related("organisation", "place")
    )


def rounds_for_organisation(organisation: Organisation, *, include_drafts: bool = False) -> QuerySet[BudgetRound]:
    rounds = BudgetRound.objects.filter(organisation=organisation)
    return rounds if include_drafts else rounds.exclude(stage=Stage.DRAFT)


def published_ideas(budget_round: BudgetRound) -> QuerySet[Idea]:
    """Ideas shown to residents (merged ones point at the idea they joined), with their support."""
    return (
        Idea.objects.filter(round=budget_round, status=IdeaStatus.PUBLISHED, merged_into__isnull=True)
        .annotate(support=Count("supports"))
        .select_related("ward")
    )


def ideas_to_moderate(budget_round: BudgetRound) -> QuerySet[Idea]:
    return Idea.objects.filter(round=budget_round, status=IdeaStatus.SUBMITTED).select_related("proposer", "ward")


def ballot_projects(budget_round: BudgetRound) -> QuerySet[Project]:
    """The costed projects: what goes on the ballot paper."""
    return Project.objects.filter(round=budget_round, status=ProjectStatus.COSTED)


def not_feasible_projects(budget_round: BudgetRound) -> QuerySet[Project]:
    return Project.objects.filter(round=budget_round, status=ProjectStatus.NOT_FEASIBLE)


# Youth polls ---------------------------------------------------------------------------------------


def may_vote(poll: YouthPoll, person: User, *, on: datetime.date | None = None) -> eligibility.Answer:
    """May ``person`` vote in the youth poll (where they live, how surely, their age)? The answer
    carries the reason to show them when not. ``requirement`` reads the same fields of a poll as of
    a round."""
    return eligibility.check(person, requirement(poll), on=on)


def public_polls() -> QuerySet[YouthPoll]:
    """Polls anyone may see: published (or open, or declared), of a listed organisation."""
    return (
        YouthPoll.objects.exclude(stage=PollStage.DRAFT)
        .filter(organisation__in=Organisation.objects.public())
        .select_related("organisation", "place")
    )


def polls_for_organisation(organisation: Organisation) -> QuerySet[YouthPoll]:
    """An organisation's polls, drafts included (for its officers)."""
    return YouthPoll.objects.filter(organisation=organisation).select_related("place")


def polls_run_by(person: User) -> list[tuple[Organisation, list[YouthPoll]]]:
    """The organisations whose youth polls ``person`` runs (a current officer or secretary, as
    ``budgets.manage_rounds`` asks), each with its polls, drafts included: two queries."""
    if not person.is_authenticated:
        return []
    roles = Role.objects.current().filter(person=person, kind__in=(RoleKind.OFFICER, RoleKind.SECRETARY))
    organisations = list(Organisation.objects.filter(pk__in=roles.values("organisation")).order_by("name", "pk"))
    polls: dict[int, list[YouthPoll]] = {organisation.pk: [] for organisation in organisations}
    for poll in YouthPoll.objects.filter(organisation__in=organisations).order_by("-closes", "-pk"):
        polls[poll.organisation_id].append(poll)
    return [(organisation, polls[organisation.pk]) for organisation in organisations]


def poll_options(poll: YouthPoll) -> QuerySet[PollOption]:
    """The options in the order they are shown (the order they were added)."""
    return PollOption.objects.filter(poll=poll).order_by("order", "pk")
