"""Writes for participatory budgets: the round, ideas and their review, the vote, the count.

Every service is keyword-only, runs in one transaction and writes its audit event in it;
refusals raise ``ValidationError`` with a message fit to show the person, and write nothing.
Email is sent by tasks queued once the transaction has committed. Votes go through ``voting``
(one person, one vote across online and paper); this app decides who is on the electorate,
what is on the ballot and whether a ballot keeps within the budget.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coproduce.core.models import Organisation, Place, User
from coproduce.core.services import audit_record
from coproduce.core.verification import VerificationLevel
from coproduce.voting import services as voting
from coproduce.voting.models import BoxKind, BoxStatus, Channel, PaperBatch

from . import counting, selectors
from .models import (
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    BallotKind,
    BudgetRound,
    CountRule,
    DeliveryStatus,
    Departure,
    Idea,
    IdeaStatus,
    IdeaSupport,
    PollOption,
    PollStage,
    Project,
    ProjectFollow,
    ProjectStatus,
    ProjectUpdate,
    Stage,
    Status,
    YouthPoll,
)

ROUND_FIELDS = frozenset(
    {
        "title",
        "title_cy",
        "description",
        "description_cy",
        "place",
        "amount",
        "ideas_open",
        "ideas_close",
        "review_close",
        "voting_open",
        "voting_close",
        "results_on",
        "delivery_by",
        "min_level",
        "min_age",
        "max_age",
        "ballot_kind",
        "ballot_limit",
        "count_rule",
    }
)
PHASES = ("ideas_open", "ideas_close", "review_close", "voting_open", "voting_close")


def _audit(budget_round: BudgetRound, *, by: User | None, action: str, summary: str = "", target=None, **data) -> None:
    audit_record(
        actor=by,
        action=action,
        organisation=budget_round.organisation,
        target=target or budget_round,
        summary=summary or budget_round.title,
        data=data,
    )


def _lock(budget_round: BudgetRound) -> BudgetRound:
    return BudgetRound.objects.select_for_update().select_related("organisation", "place").get(pk=budget_round.pk)


PHASE_MISSING = {
    "ideas_open": gettext_lazy("Enter the date ideas open."),
    "ideas_close": gettext_lazy("Enter the date ideas close."),
    "review_close": gettext_lazy("Enter the date the review ends."),
    "voting_open": gettext_lazy("Enter the date voting opens."),
    "voting_close": gettext_lazy("Enter the date voting closes."),
}


def _check_round(budget_round: BudgetRound) -> None:
    for name in PHASES:
        if getattr(budget_round, name) is None:
            raise ValidationError({name: str(PHASE_MISSING[name])})
    opens, closes, review, poll_opens, poll_closes = (getattr(budget_round, name) for name in PHASES)
    if not opens < closes:
        raise ValidationError({"ideas_close": _("Ideas must close after they open.")})
    if not closes <= review:
        raise ValidationError({"review_close": _("The review must end after ideas close.")})
    if not review <= poll_opens:
        raise ValidationError({"voting_open": _("Voting must open after the review ends.")})
    if not poll_opens < poll_closes:
        raise ValidationError({"voting_close": _("Voting must close after it opens.")})
    if not budget_round.amount or budget_round.amount < 1:
        raise ValidationError({"amount": _("Enter the budget, in pounds and pence.")})
    low, high = budget_round.min_age, budget_round.max_age
    if low is not None and high is not None and low > high:
        raise ValidationError({"max_age": _("The oldest age must be at least the youngest age.")})
    if budget_round.ballot_kind not in BallotKind.values:
        raise ValidationError({"ballot_kind": _("Choose the kind of ballot.")})
    if budget_round.count_rule not in CountRule.values:
        raise ValidationError({"count_rule": _("Choose how the votes are counted.")})
    if budget_round.ballot_kind == BallotKind.KNAPSACK:
        budget_round.ballot_limit = None
    elif not budget_round.ballot_limit or budget_round.ballot_limit < 1:
        message = (
            _("Enter how many projects each voter may choose.")
            if budget_round.ballot_kind == BallotKind.APPROVAL
            else _("Enter how many points each voter shares among the projects.")
        )
        raise ValidationError({"ballot_limit": message})


@transaction.atomic
def round_create(*, organisation: Organisation, by: User, **fields: Any) -> BudgetRound:
    """A draft round; ``fields`` are those of ``ROUND_FIELDS`` (the Welsh ones, dates of results and
    delivery, ages and the limit optional)."""
    unknown = set(fields) - ROUND_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    budget_round = BudgetRound(organisation=organisation, **fields)
    _check_round(budget_round)
    budget_round.full_clean()
    budget_round.save()
    _audit(budget_round, by=by, action="budget.create")
    return budget_round


@transaction.atomic
def round_update(*, budget_round: BudgetRound, by: User, **fields: Any) -> BudgetRound:
    """Change a round until ideas open (after that, its phases, rules and ballot are fixed)."""
    budget_round = _lock(budget_round)
    unknown = set(fields) - ROUND_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if budget_round.status() not in (Status.DRAFT, Status.UPCOMING):
        raise ValidationError(_("Once ideas have opened the round's dates and rules are fixed."))
    for name, value in fields.items():
        setattr(budget_round, name, value)
    _check_round(budget_round)
    budget_round.full_clean()
    budget_round.save()
    _audit(budget_round, by=by, action="budget.update", changed=sorted(fields))
    return budget_round


@transaction.atomic
def round_publish(*, budget_round: BudgetRound, by: User) -> BudgetRound:
    """Publish the round and its dates: residents can see it, and send ideas when they open."""
    budget_round = _lock(budget_round)
    if budget_round.stage != Stage.DRAFT:
        raise ValidationError(_("This budget round has already been published."))
    if budget_round.ideas_close <= timezone.now():
        raise ValidationError(_("Ideas would already have closed: change the dates first."))
    budget_round.stage = Stage.PUBLISHED
    budget_round.save(update_fields=["stage"])
    _audit(budget_round, by=by, action="budget.publish")
    return budget_round


@transaction.atomic
def round_seed_set(*, budget_round: BudgetRound, seed: int, by: User) -> BudgetRound:
    """Publish the number any lot in the count is drawn from: only before voting closes."""
    budget_round = _lock(budget_round)
    if budget_round.stage in (Stage.CLOSED, Stage.DECLARED):
        raise ValidationError(_("The seed is fixed once voting has closed."))
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValidationError({"seed": _("The seed must be a whole number from 0 to 2147483647.")})
    budget_round.seed = seed
    budget_round.save(update_fields=["seed"])
    _audit(budget_round, by=by, action="budget.seed", summary=f"{budget_round.title}: {seed}")
    return budget_round


# Ideas ----------------------------------------------------------------------------------------------


def _refuse_if_not_eligible(budget_round: BudgetRound, person: User) -> None:
    answer = selectors.may_take_part(budget_round, person)
    if not answer:
        raise ValidationError(answer.reason, code="not_eligible")


def _reason(reason: str, *, required: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": required})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("The reason must be %(count)s characters or fewer.") % {"count": REASON_MAX_LENGTH}}
        )
    return reason


@transaction.atomic
def idea_submit(
    *,
    budget_round: BudgetRound,
    person: User,
    title: str,
    description: str,
    where: str = "",
    ward: Place | None = None,
    photos: Sequence[tuple[UploadedFile, str]] = (),
) -> Idea:
    """A resident's idea, waiting for an officer to publish it, with up to three photos, each with
    its alt text. A photo's refusal is on ``photos`` with the photo's ``number`` in its params (code
    ``alt_missing`` or ``alt_too_long`` for the alt text, else ``core.uploads``' code)."""
    # Read, not locked: residents' ideas do not wait for each other.
    budget_round = BudgetRound.objects.select_related("organisation", "place").get(pk=budget_round.pk)
    if budget_round.status() != Status.IDEAS:
        raise ValidationError(_("This budget round is not taking ideas."), code="closed")
    _refuse_if_not_eligible(budget_round, person)
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Enter a title for your idea.")})
    if len(title) > 150:
        raise ValidationError({"title": _("The title must be 150 characters or fewer.")})
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Describe your idea.")})
    if len(description) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"description": _("The description must be %(count)s characters or fewer.") % {"count": TEXT_MAX_LENGTH}}
        )
    if ward is not None:
        place = budget_round.place
        if not (ward.pk == place.pk or ward.path.startswith(place.path + "/")):
            raise ValidationError({"ward": _("Choose a ward in the area of this budget.")})
    from coproduce.core.uploads import photo_clean

    from .models import IdeaPhoto

    if len(photos) > 3:
        raise ValidationError({"photos": _("You can add up to 3 photos.")})
    checked = []  # every photo is checked before anything is stored
    for number, (upload, alt) in enumerate(photos, start=1):
        try:
            image = photo_clean(upload)
        except ValidationError as error:
            problem = ValidationError(
                _("Photo %(number)s: %(problem)s"),
                code=error.code,
                params={"number": number, "problem": " ".join(error.messages)},
            )
            raise ValidationError({"photos": problem}) from error
        alt = " ".join((alt or "").split())
        if not alt:
            message, code = _("Describe photo %(number)s for people who cannot see it."), "alt_missing"
        elif len(alt) > 300:
            message, code = _("Describe photo %(number)s in 300 characters or fewer."), "alt_too_long"
        else:
            checked.append((image, alt))
            continue
        raise ValidationError({"photos": ValidationError(message, code=code, params={"number": number})})
    idea = Idea.objects.create(
        round=budget_round,
        title=title,
        description=description,
        where=where.strip()[:300],
        ward=ward,
        proposer=person,
    )
    for image, alt in checked:
        photo = IdeaPhoto(idea=idea, alt=alt)
        photo.image.save(image.name, image, save=False)
        photo.save()
    _audit(budget_round, by=person, action="budget.idea_submit", target=idea, summary=title, photos=len(checked))
    return idea


@transaction.atomic
def idea_support(*, idea: Idea, person: User) -> IdeaSupport:
    """``person`` supports a published idea, once."""
    budget_round = idea.round
    if budget_round.status() != Status.IDEAS:
        raise ValidationError(_("Ideas can be supported only while the round is taking ideas."), code="closed")
    if idea.status != IdeaStatus.PUBLISHED or idea.merged_into_id is not None:
        raise ValidationError(_("This idea cannot be supported."), code="not_published")
    _refuse_if_not_eligible(budget_round, person)
    try:
        with transaction.atomic():
            return IdeaSupport.objects.create(idea=idea, person=person)
    except IntegrityError as error:
        raise ValidationError(_("You already support this idea."), code="already_supported") from error


@transaction.atomic
def idea_moderate(*, idea: Idea, by: User, publish: bool, reason: str = "") -> Idea:
    """Publish an idea, or hide it with a reason that is published in its place."""
    idea = Idea.objects.select_for_update().select_related("round__organisation").get(pk=idea.pk)
    if idea.round.stage in (Stage.VOTING, Stage.CLOSED, Stage.DECLARED):
        raise ValidationError(_("Ideas can be moderated only before voting opens."))
    if publish:
        reason = reason.strip()[:REASON_MAX_LENGTH]
    else:
        reason = _reason(reason, required=_("Give the reason for hiding the idea: it is published in its place."))
    idea.status = IdeaStatus.PUBLISHED if publish else IdeaStatus.HIDDEN
    idea.moderation_reason = reason
    idea.moderated_by = by
    idea.moderated_at = timezone.now()
    idea.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at"])
    _audit(
        idea.round,
        by=by,
        action="budget.idea_publish" if publish else "budget.idea_hide",
        target=idea,
        summary=idea.title,
    )
    transaction.on_commit(lambda: _enqueue("send_idea_moderated", idea.pk))
    return idea


@transaction.atomic
def ideas_merge(*, ideas: Sequence[Idea], into: Idea, by: User) -> Idea:
    """Merge duplicates into ``into``: their supporters support it (once each); they point at it."""
    into = Idea.objects.select_for_update().select_related("round__organisation").get(pk=into.pk)
    others = list(Idea.objects.select_for_update().filter(pk__in=[idea.pk for idea in ideas]).exclude(pk=into.pk))
    if not others:
        raise ValidationError(_("Choose the ideas to merge into this one."))
    if any(idea.round_id != into.round_id for idea in others):
        raise ValidationError(_("Only ideas in the same budget round can be merged."))
    if into.merged_into_id is not None:
        raise ValidationError(_("This idea has itself been merged into another."))
    if into.round.stage in (Stage.VOTING, Stage.CLOSED, Stage.DECLARED):
        raise ValidationError(_("Ideas can be merged only before voting opens."))
    supporters = set(IdeaSupport.objects.filter(idea=into).values_list("person_id", flat=True))
    moving = IdeaSupport.objects.filter(idea__in=others).exclude(person_id__in=supporters)
    people = set(moving.values_list("person_id", flat=True))
    IdeaSupport.objects.bulk_create([IdeaSupport(idea=into, person_id=person) for person in sorted(people)])
    Idea.objects.filter(pk__in=[idea.pk for idea in others]).update(merged_into=into)
    Idea.objects.filter(merged_into__in=others).update(merged_into=into)
    _audit(
        into.round, by=by, action="budget.ideas_merge", target=into, summary=into.title, merged=[i.pk for i in others]
    )
    return into


# Review: projects ---------------------------------------------------------------------------------


def _reviewable(budget_round: BudgetRound) -> BudgetRound:
    budget_round = _lock(budget_round)
    if budget_round.stage not in (Stage.DRAFT, Stage.PUBLISHED):
        raise ValidationError(_("Projects are fixed once voting opens."))
    return budget_round


@transaction.atomic
def project_create(
    *,
    budget_round: BudgetRound,
    by: User,
    ideas: Sequence[Idea] = (),
    title: str,
    cost: int,
    description: str = "",
    cost_breakdown: str = "",
    delivery_time: str = "",
    title_cy: str = "",
    description_cy: str = "",
) -> Project:
    """A costed project (cost in pence) from one or more ideas, to go on the ballot."""
    budget_round = _reviewable(budget_round)
    if any(idea.round_id != budget_round.pk for idea in ideas):
        raise ValidationError({"ideas": _("Choose ideas from this budget round.")})
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Enter the project's title.")})
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
        raise ValidationError({"cost": _("Enter the project's cost, in pounds and pence.")})
    if cost > budget_round.amount:
        raise ValidationError(
            {
                "cost": _("The project costs more than the whole budget of %(amount)s.")
                % {"amount": counting.money(budget_round.amount)}
            }
        )
    project = Project(
        round=budget_round,
        title=title,
        title_cy=title_cy.strip(),
        description=description.strip(),
        description_cy=description_cy.strip(),
        cost=cost,
        cost_breakdown=cost_breakdown.strip(),
        delivery_time=delivery_time.strip(),
    )
    project.full_clean()
    project.save()
    project.ideas.set(ideas)
    _audit(budget_round, by=by, action="budget.project_cost", target=project, summary=title, cost=cost)
    transaction.on_commit(lambda: _enqueue("send_on_ballot", project.pk))
    return project


@transaction.atomic
def project_not_feasible(
    *,
    budget_round: BudgetRound,
    by: User,
    reason: str,
    ideas: Sequence[Idea] = (),
    project: Project | None = None,
    title: str = "",
) -> Project:
    """Mark a project (or, with no project, the ``ideas`` themselves) not feasible, with a public
    reason; every proposer of its ideas is emailed it, in their language."""
    budget_round = _reviewable(budget_round)
    reason = _reason(
        reason, required=_("Give the reason the project is not feasible: it is published and sent to the proposers.")
    )
    if project is None:
        if not ideas:
            raise ValidationError(_("Choose the ideas that are not feasible."))
        if any(idea.round_id != budget_round.pk for idea in ideas):
            raise ValidationError({"ideas": _("Choose ideas from this budget round.")})
        project = Project.objects.create(
            round=budget_round,
            title=" ".join(title.split()) or ideas[0].title,
            status=ProjectStatus.NOT_FEASIBLE,
            reason=reason,
        )
        project.ideas.set(ideas)
    else:
        project = Project.objects.select_for_update().filter(pk=project.pk, round=budget_round).first()
        if project is None:
            raise ValidationError({"project": _("Choose a project in this budget round.")})
        project.status = ProjectStatus.NOT_FEASIBLE
        project.reason = reason
        project.save(update_fields=["status", "reason"])
    _audit(budget_round, by=by, action="budget.project_not_feasible", target=project, summary=project.title)
    transaction.on_commit(lambda: _enqueue("send_not_feasible", project.pk))
    return project


# The vote -------------------------------------------------------------------------------------------


@transaction.atomic
def round_open_voting(
    *, budget_round: BudgetRound, by: User | None, now: datetime.datetime | None = None
) -> BudgetRound:
    """Open the vote: the costed projects go on the ballot and the eligible residents of the day
    make up the electorate. A seed for any lot is drawn now unless one has been published."""
    budget_round = _lock(budget_round)
    now = now or timezone.now()
    if budget_round.stage != Stage.PUBLISHED:
        raise ValidationError(_("Voting can be opened only once, in a published round."))
    if now < budget_round.voting_open:
        raise ValidationError(_("Voting opens on the date in the timetable, not before."))
    projects = list(selectors.ballot_projects(budget_round).order_by("title", "pk"))
    if len(projects) < 2:
        raise ValidationError(_("Cost at least two projects before voting opens."))
    if budget_round.seed is None:
        budget_round.seed = secrets.randbelow(2**31)
    kind = budget_round.ballot_kind
    box = voting.box_create(
        title=budget_round.title,
        organisation=budget_round.organisation,
        app_label="budgets",
        kind=BoxKind.POINTS if kind == BallotKind.POINTS else BoxKind.APPROVAL,
        options=[str(project.pk) for project in projects],
        max_choices=budget_round.ballot_limit if kind == BallotKind.APPROVAL else None,
        max_points=budget_round.ballot_limit if kind == BallotKind.POINTS else None,
    )
    box = voting.box_open(box=box, electorate=selectors.electorate(budget_round, on=timezone.localdate(now)), by=by)
    budget_round.box = box
    budget_round.stage = Stage.VOTING
    budget_round.save(update_fields=["box", "stage", "seed"])
    _audit(budget_round, by=by, action="budget.open_voting", electorate=box.electorate_size)
    transaction.on_commit(lambda: _enqueue("schedule_close", budget_round))
    transaction.on_commit(lambda: _enqueue("send_voting_open", budget_round.pk))
    return budget_round


def ballot_check(budget_round: BudgetRound, content: Sequence[Any], *, paper: bool = False) -> None:
    """The round's own rule on a ballot, before the box's checks: a knapsack ballot's projects
    must together cost no more than the budget. The refusal (code ``over_budget``) speaks to the
    voter, or with ``paper`` to the officer entering a paper; its params carry both totals."""
    if budget_round.ballot_kind != BallotKind.KNAPSACK:
        return
    costs = dict(Project.objects.filter(round=budget_round, status=ProjectStatus.COSTED).values_list("pk", "cost"))
    chosen = {str(key) for key in content}
    total = sum(cost for pk, cost in costs.items() if str(pk) in chosen)
    if total > budget_round.amount:
        params = {"total": counting.money(total), "amount": counting.money(budget_round.amount)}
        if paper:
            message = _(
                "The projects marked on this paper cost %(total)s together, more than the budget of %(amount)s."
            )
        else:
            message = _(
                "The projects you chose cost %(total)s together, more than the budget of %(amount)s. "
                "Take some out so that they fit."
            )
        raise ValidationError(message % params, code="over_budget", params=params)


def _voting_box(budget_round: BudgetRound):
    if budget_round.box is None or budget_round.stage != Stage.VOTING:
        raise ValidationError(_("Voting is not open in this budget round."), code="closed")
    return budget_round.box


def ballot_cast(*, budget_round: BudgetRound, person: User, content: Sequence[Any]) -> str:
    """Cast ``person``'s ballot online; returns their receipt code."""
    box = _voting_box(budget_round)
    ballot_check(budget_round, content)
    return voting.vote_cast(box=box, person=person, content=content, channel=Channel.ONLINE)


def paper_ballot_enter(
    *, budget_round: BudgetRound, batch: PaperBatch, by: User, content: Sequence[Any] = (), spoilt_reason: str = ""
):
    """Enter one paper ballot as it reads (never totals): its projects, or spoilt with the reason.

    A paper whose projects cost more than the budget is refused with the totals, like an online
    ballot: the officer enters it as spoilt, giving that as the reason.
    """
    if budget_round.box_id is None or batch.box_id != budget_round.box_id:
        raise ValidationError(_("This batch is not for this budget round."))
    if not spoilt_reason.strip():
        ballot_check(budget_round, content, paper=True)
    return voting.paper_ballot_enter(batch=batch, by=by, content=content, spoilt_reason=spoilt_reason)


@transaction.atomic
def round_close_voting(
    *, budget_round: BudgetRound, by: User | None, now: datetime.datetime | None = None
) -> BudgetRound:
    """Close the vote at the time in the timetable; the count follows in a task."""
    budget_round = _lock(budget_round)
    now = now or timezone.now()
    if budget_round.stage != Stage.VOTING:
        raise ValidationError(_("Voting is not open in this budget round."))
    if now < budget_round.voting_close:
        raise ValidationError(_("Voting closes on the date in the timetable, not before."))
    if budget_round.box.status == BoxStatus.OPEN:
        voting.box_close(box=budget_round.box, by=by)
    budget_round.stage = Stage.CLOSED
    budget_round.save(update_fields=["stage"])
    _audit(budget_round, by=by, action="budget.close_voting")
    transaction.on_commit(lambda: _enqueue("count_round", budget_round.pk))
    return budget_round


def count_problems(budget_round: BudgetRound) -> list[str]:
    """Why the count cannot run yet (papers to enter or check)."""
    return voting.seal_problems(budget_round.box) if budget_round.box_id else [_("Voting has not opened.")]


@transaction.atomic
def round_count(*, budget_round: BudgetRound, by: User | None = None) -> BudgetRound:
    """Seal the box, count it under the round's stated rule, publish the result and the ballots."""
    budget_round = _lock(budget_round)
    if budget_round.stage == Stage.DECLARED:
        return budget_round
    if budget_round.stage != Stage.CLOSED:
        raise ValidationError(_("The count starts once voting has closed."))
    problems = count_problems(budget_round)
    if problems:
        raise ValidationError(problems)
    voting.box_seal(box=budget_round.box, by=by)
    budget_round.box.refresh_from_db()
    race = counting.instance(budget_round)
    budget_round.result = counting.count_round(budget_round, race)
    budget_round.ballots_pb = counting.ballots_pb(budget_round, race)
    budget_round.stage = Stage.DECLARED
    budget_round.declared_at = timezone.now()
    budget_round.save(update_fields=["result", "ballots_pb", "stage", "declared_at"])
    _audit(budget_round, by=by, action="budget.declare", selected=budget_round.result["selected"])
    transaction.on_commit(lambda: _enqueue("send_result", budget_round.pk))
    return budget_round


@transaction.atomic
def departure_record(*, budget_round: BudgetRound, project: Project, funded: bool, reason: str, by: User) -> Departure:
    """The fund holder departs from the count for ``project`` (funds it though not selected, or
    not though selected), with the reason shown beside the count."""
    budget_round = _lock(budget_round)
    if budget_round.stage != Stage.DECLARED:
        raise ValidationError(
            _("A decision to depart from the count can be recorded only once the result is declared.")
        )
    if project.round_id != budget_round.pk or project.status != ProjectStatus.COSTED:
        raise ValidationError({"project": _("Choose a project on this round's ballot.")})
    selected = str(project.pk) in budget_round.result["selected"]
    if funded == selected:
        raise ValidationError(
            {
                "funded": _("The count already funds this project.")
                if selected
                else _("The count already leaves this project unfunded.")
            }
        )
    reason = _reason(reason, required=_("Give the reason for departing from the count: it is published beside it."))
    if Departure.objects.filter(project=project).exists():
        raise ValidationError({"project": _("A decision has already been recorded for this project.")})
    departure = Departure.objects.create(
        round=budget_round, project=project, funded=funded, reason=reason, decided_by=by
    )
    _audit(budget_round, by=by, action="budget.depart", target=project, summary=project.title, funded=funded)
    return departure


# Delivery ----------------------------------------------------------------------------------------------


def _funded(project: Project) -> Project:
    project = Project.objects.select_for_update().select_related("round__organisation").get(pk=project.pk)
    budget_round = project.round
    if budget_round.stage != Stage.DECLARED:
        raise ValidationError(_("Delivery is followed once the result is declared."))
    selected = str(project.pk) in budget_round.result["selected"]
    departure = Departure.objects.filter(project=project).first()
    if not (departure.funded if departure is not None else selected):
        raise ValidationError(_("Only a funded project has a delivery to follow."))
    return project


@transaction.atomic
def project_delivery_set(*, project: Project, status: str, by: User) -> Project:
    """Where a funded project's delivery has got to: not started, under way, done."""
    project = _funded(project)
    if status not in DeliveryStatus.values:
        raise ValidationError({"status": _("Choose where the project's delivery has got to.")})
    project.delivery_status = status
    project.save(update_fields=["delivery_status"])
    _audit(project.round, by=by, action="budget.delivery", target=project, summary=project.title, status=status)
    return project


@transaction.atomic
def project_update_add(
    *,
    project: Project,
    by: User,
    text: str,
    text_cy: str = "",
    on: datetime.date | None = None,
    photos: Sequence[tuple[UploadedFile, str] | tuple[UploadedFile, str, str]] = (),
) -> ProjectUpdate:
    """A dated note on a funded project's delivery, shown to the residents who follow it, with up to
    three photos as (file, alt text[, alt text in Welsh]). A photo's refusal is on ``photos`` with
    its ``number`` in the params (code ``alt_missing`` or ``alt_too_long``, else ``core.uploads``')."""
    from coproduce.core.uploads import photo_clean

    from .models import UpdatePhoto

    project = _funded(project)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the update.")})
    if len(text) > TEXT_MAX_LENGTH or len(text_cy) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("An update must be %(count)s characters or fewer.") % {"count": TEXT_MAX_LENGTH}}
        )
    if len(photos) > 3:
        raise ValidationError({"photos": _("You can add up to 3 photos.")})
    checked = []  # every photo is checked before anything is stored
    for number, (upload, alt, *welsh) in enumerate(photos, start=1):
        try:
            image = photo_clean(upload)
        except ValidationError as error:
            problem = ValidationError(
                _("Photo %(number)s: %(problem)s"),
                code=error.code,
                params={"number": number, "problem": " ".join(error.messages)},
            )
            raise ValidationError({"photos": problem}) from error
        alt, alt_cy = " ".join((alt or "").split()), " ".join((welsh[0] if welsh else "").split())
        if not alt:
            message, code = _("Describe photo %(number)s for people who cannot see it."), "alt_missing"
        elif len(alt) > 300 or len(alt_cy) > 300:
            message, code = _("Describe photo %(number)s in 300 characters or fewer."), "alt_too_long"
        else:
            checked.append((image, alt, alt_cy))
            continue
        raise ValidationError({"photos": ValidationError(message, code=code, params={"number": number})})
    update = ProjectUpdate.objects.create(
        project=project, on=on or timezone.localdate(), text=text, text_cy=text_cy.strip(), by=by
    )
    for image, alt, alt_cy in checked:
        photo = UpdatePhoto(update=update, alt=alt, alt_cy=alt_cy)
        photo.image.save(image.name, image, save=False)
        photo.save()
    _audit(
        project.round,
        by=by,
        action="budget.project_update",
        target=project,
        summary=project.title,
        photos=len(checked),
    )
    transaction.on_commit(lambda: _enqueue("send_project_update", update.pk))
    return update


@transaction.atomic
def project_follow(*, project: Project, person: User) -> ProjectFollow:
    """``person`` follows a funded project's delivery (its updates are emailed to them); following
    again changes nothing."""
    project = _funded(project)
    follow, _created = ProjectFollow.objects.get_or_create(project=project, person=person)
    return follow


@transaction.atomic
def project_unfollow(*, project: Project, person: User) -> None:
    """``person`` stops following a project (nothing happens if they were not following it)."""
    ProjectFollow.objects.filter(project=project, person=person).delete()


def _enqueue(name: str, *args: Any) -> None:
    """Queue one of this app's tasks by name (the tasks module imports these services)."""
    from . import tasks

    job = getattr(tasks, name)
    if hasattr(job, "enqueue"):
        job.enqueue(*args)
    else:
        job(*args)


# Youth polls ---------------------------------------------------------------------------------------

POLL_FIELDS = frozenset(
    {
        "title",
        "title_cy",
        "question",
        "question_cy",
        "place",
        "opens",
        "closes",
        "min_age",
        "max_age",
        "min_level",
        "pick_limit",
    }
)
# The ages a youth poll may ask for (whole years on the day asked).
POLL_AGES = (5, 25)


def _poll_audit(poll: YouthPoll, *, by: User | None, action: str, summary: str = "", target=None, **data) -> None:
    audit_record(
        actor=by,
        action=action,
        organisation=poll.organisation,
        target=target or poll,
        summary=summary or poll.title,
        data=data,
    )


def _poll_lock(poll: YouthPoll) -> YouthPoll:
    # Lock the poll's row only: PostgreSQL cannot lock the nullable side of the join to its box.
    return (
        YouthPoll.objects.select_for_update(of=("self",)).select_related("organisation", "place", "box").get(pk=poll.pk)
    )


def _check_poll(poll: YouthPoll) -> None:
    poll.title = " ".join((poll.title or "").split())
    if not poll.title:
        raise ValidationError({"title": _("Enter the poll's title.")})
    poll.question = (poll.question or "").strip()
    if not poll.question:
        raise ValidationError({"question": _("Enter the question, in plain words.")})
    if poll.opens is None:
        raise ValidationError({"opens": _("Enter the date voting opens.")})
    if poll.closes is None:
        raise ValidationError({"closes": _("Enter the date voting closes.")})
    if not poll.opens < poll.closes:
        raise ValidationError({"closes": _("Voting must close after it opens.")})
    low, high = POLL_AGES
    for name, value in (("min_age", poll.min_age), ("max_age", poll.max_age)):
        if value is None or isinstance(value, bool) or not low <= value <= high:
            raise ValidationError({name: _("Enter an age from %(low)s to %(high)s.") % {"low": low, "high": high}})
    if poll.min_age > poll.max_age:
        raise ValidationError({"max_age": _("The oldest age must be at least the youngest age.")})
    if poll.min_level not in VerificationLevel.values:
        raise ValidationError({"min_level": _("Choose how surely voters' addresses must be verified.")})
    if isinstance(poll.pick_limit, bool) or not isinstance(poll.pick_limit, int) or poll.pick_limit < 1:
        raise ValidationError({"pick_limit": _("Enter how many options each person may pick: 1 or more.")})


def _poll_editable(poll: YouthPoll) -> YouthPoll:
    poll = _poll_lock(poll)
    if poll.stage not in (PollStage.DRAFT, PollStage.PUBLISHED):
        raise ValidationError(_("Once voting has opened the poll and its options are fixed."), code="fixed")
    return poll


@transaction.atomic
def poll_create(*, organisation: Organisation, by: User, **fields: Any) -> YouthPoll:
    """A draft youth poll; ``fields`` are those of ``POLL_FIELDS`` (the Welsh ones optional)."""
    unknown = set(fields) - POLL_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    poll = YouthPoll(organisation=organisation, **fields)
    _check_poll(poll)
    poll.full_clean(exclude=["box", "result"])
    poll.save()
    _poll_audit(poll, by=by, action="budget.poll_create")
    return poll


@transaction.atomic
def poll_update(*, poll: YouthPoll, by: User, **fields: Any) -> YouthPoll:
    """Change a poll until voting opens."""
    unknown = set(fields) - POLL_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    poll = _poll_editable(poll)
    for name, value in fields.items():
        setattr(poll, name, value)
    _check_poll(poll)
    poll.full_clean(exclude=["box", "result"])
    poll.save()
    _poll_audit(poll, by=by, action="budget.poll_update", changed=sorted(fields))
    return poll


@transaction.atomic
def poll_option_add(
    *,
    poll: YouthPoll,
    by: User,
    title: str,
    title_cy: str = "",
    picture=None,
    alt: str = "",
    alt_cy: str = "",
) -> PollOption:
    """An option on the poll, with a picture (checked and stripped of metadata by ``core.uploads``)
    and the words that say what it shows, for people who cannot see it."""
    from coproduce.core.uploads import photo_clean

    poll = _poll_editable(poll)
    title, title_cy = " ".join(title.split()), " ".join(title_cy.split())
    if not title:
        raise ValidationError({"title": _("Enter the option's name.")})
    if len(title) > 150 or len(title_cy) > 150:
        raise ValidationError({"title": _("The name must be 150 characters or fewer.")})
    alt, alt_cy = " ".join((alt or "").split()), " ".join((alt_cy or "").split())
    image = None
    if picture:
        try:
            image = photo_clean(picture)
        except ValidationError as error:
            raise ValidationError({"picture": ValidationError(error.messages[0], code=error.code)}) from error
        if not alt:
            message = _("Say what the picture shows, for people who cannot see it.")
            raise ValidationError({"alt": ValidationError(message, code="alt_missing")})
    elif alt or alt_cy:
        alt = alt_cy = ""  # no picture: nothing to describe
    if len(alt) > 300 or len(alt_cy) > 300:
        raise ValidationError({"alt": _("Say what the picture shows in 300 characters or fewer.")})
    last = poll.options.order_by("-order").values_list("order", flat=True).first()
    option = PollOption(poll=poll, title=title, title_cy=title_cy, alt=alt, alt_cy=alt_cy, order=(last or 0) + 1)
    if image is not None:
        option.picture.save(image.name, image, save=False)
    option.save()
    _poll_audit(poll, by=by, action="budget.poll_option_add", target=option, summary=title)
    return option


@transaction.atomic
def poll_option_remove(*, option: PollOption, by: User) -> None:
    """Take an option off the poll before voting opens (its picture is deleted with it)."""
    poll = _poll_editable(option.poll)
    option = PollOption.objects.filter(pk=option.pk, poll=poll).first()
    if option is None:
        raise ValidationError(_("This option is not on the poll."))
    title, picture = option.title, option.picture.name
    option.delete()
    if picture:
        storage = PollOption._meta.get_field("picture").storage
        transaction.on_commit(lambda: storage.delete(picture))
    _poll_audit(poll, by=by, action="budget.poll_option_remove", summary=title)


def _poll_options(poll: YouthPoll) -> list[PollOption]:
    return list(PollOption.objects.filter(poll=poll).order_by("order", "pk"))


def _poll_ready(poll: YouthPoll, options: list[PollOption]) -> None:
    if len(options) < 2:
        raise ValidationError(_("Add at least two options to pick from."), code="too_few_options")
    if poll.pick_limit > len(options):
        raise ValidationError(
            {
                "pick_limit": ngettext(
                    "Each person may pick up to %(limit)s, but there is only %(count)s option: "
                    "add options or lower the number.",
                    "Each person may pick up to %(limit)s, but there are only %(count)s options: "
                    "add options or lower the number.",
                    len(options),
                )
                % {"limit": poll.pick_limit, "count": len(options)}
            },
            code="too_few_options",
        )


@transaction.atomic
def poll_publish(*, poll: YouthPoll, by: User) -> YouthPoll:
    """Publish the poll: anyone can see it, its options and its dates before voting opens."""
    poll = _poll_lock(poll)
    if poll.stage != PollStage.DRAFT:
        raise ValidationError(_("This poll has already been published."))
    if poll.closes <= timezone.now():
        raise ValidationError(_("Voting would already have closed: change the dates first."))
    _poll_ready(poll, _poll_options(poll))
    poll.stage = PollStage.PUBLISHED
    poll.save(update_fields=["stage"])
    _poll_audit(poll, by=by, action="budget.poll_publish")
    return poll


@transaction.atomic
def poll_open(*, poll: YouthPoll, by: User | None, now: datetime.datetime | None = None) -> YouthPoll:
    """Open voting: the options go on a ``voting`` box (pick up to ``pick_limit``) and the young
    people who may take part today make up its electorate."""
    poll = _poll_lock(poll)
    now = now or timezone.now()
    if poll.stage != PollStage.PUBLISHED:
        raise ValidationError(_("Voting can be opened only once, in a published poll."))
    if now < poll.opens:
        raise ValidationError(_("Voting opens on the date set for the poll, not before."))
    if now >= poll.closes:
        raise ValidationError(_("The poll's closing date has passed: change the dates first."))
    options = _poll_options(poll)
    _poll_ready(poll, options)
    box = voting.box_create(
        title=poll.title,
        organisation=poll.organisation,
        app_label="budgets",
        kind=BoxKind.APPROVAL,
        options=[str(option.pk) for option in options],
        max_choices=poll.pick_limit,
    )
    electorate = selectors.eligible_people(poll, on=timezone.localdate(now)).values_list("pk", flat=True)
    box = voting.box_open(box=box, electorate=electorate, by=by)
    poll.box = box
    poll.stage = PollStage.OPEN
    poll.save(update_fields=["box", "stage"])
    _poll_audit(poll, by=by, action="budget.poll_open", electorate=box.electorate_size)
    return poll


@transaction.atomic
def poll_vote(*, poll: YouthPoll, person: User, option_ids: Sequence[int | str]) -> str:
    """``person`` picks one option, or up to ``pick_limit``; returns their receipt code.

    What was picked goes into the ballot box with nothing that names the person, so no audit event
    is written here (the box's register records that they voted).
    """
    from coproduce.voting import selectors as ballots

    poll = YouthPoll.objects.select_related("place", "box").get(pk=poll.pk)
    if poll.stage != PollStage.OPEN or poll.box is None or not poll.is_open():
        raise ValidationError(_("Voting is not open in this poll."), code="closed")
    on_list, mark = ballots.voter_status(poll.box, person)
    if mark is not None:
        raise ValidationError(_("You have already voted in this poll."), code="already_voted")
    if not on_list:
        answer = selectors.may_vote(poll, person)
        if not answer:
            raise ValidationError(answer.reason, code="not_eligible")
        raise ValidationError(
            _("Only the young people who could take part when voting opened on %(date)s can vote in this poll.")
            % {"date": timezone.localtime(poll.box.opened_at or poll.opens).strftime("%d/%m/%Y")},
            code="not_elector",
        )
    picked = list(dict.fromkeys(str(key).strip() for key in option_ids if str(key).strip()))
    if not picked:
        message = _("Pick one option.") if poll.pick_limit == 1 else _("Pick at least one option.")
        raise ValidationError(message, code="empty")
    if len(picked) > poll.pick_limit:
        message = (
            _("Pick only one option.")
            if poll.pick_limit == 1
            else _("You picked %(count)s: pick up to %(limit)s.") % {"count": len(picked), "limit": poll.pick_limit}
        )
        raise ValidationError(message, code="too_many")
    if set(picked) - set(poll.box.options):
        raise ValidationError(_("Pick from the options on this poll."), code="unknown_option")
    try:
        return voting.vote_cast(box=poll.box, person=person, content=picked, channel=Channel.ONLINE)
    except ValidationError as error:
        if error.code == "already_voted":
            raise ValidationError(_("You have already voted in this poll."), code="already_voted") from error
        raise


@transaction.atomic
def poll_close(*, poll: YouthPoll, by: User | None, now: datetime.datetime | None = None) -> YouthPoll:
    """Close voting at the poll's closing time, seal the box and count it: the votes for each option
    (ties are shown as ties), how many voted and how many could."""
    from coproduce.voting import selectors as ballots

    poll = _poll_lock(poll)
    now = now or timezone.now()
    if poll.stage != PollStage.OPEN or poll.box is None:
        raise ValidationError(_("Voting is not open in this poll."))
    if now < poll.closes:
        raise ValidationError(_("Voting closes on the date set for the poll, not before."))
    box = poll.box
    if box.status == BoxStatus.OPEN:
        box = voting.box_close(box=box, by=by)
    box = voting.box_seal(box=box, by=by)
    votes = dict.fromkeys(box.options, 0)
    for content in ballots.valid_ballots(box):
        for key in content:
            votes[str(key)] += 1
    poll.result = {
        "votes": votes,
        "voters": ballots.turnout(box).voted,
        "electorate": box.electorate_size,
    }
    poll.stage = PollStage.DECLARED
    poll.declared_at = timezone.now()
    poll.save(update_fields=["result", "stage", "declared_at"])
    _poll_audit(poll, by=by, action="budget.poll_close", voters=poll.result["voters"])
    return poll
