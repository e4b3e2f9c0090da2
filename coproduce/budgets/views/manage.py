"""The fund holder's officers' pages for running a participatory budget round.

Officers and secretaries of the fund holder set a round up (its place, budget, phases, who may
take part, the ballot and the count) and publish it; then run it from one page (``manage``) that
says what to do next: moderate and merge ideas, cost them into projects or find them not feasible,
open and close voting, enter paper ballots one paper at a time (a second person checks each
batch), start the count, record any departure from it, and follow each funded project's delivery.
Every button calls one service; a refusal is shown on the page with nothing written. Officers'
pages are behind two-factor sign-in (``core.middleware.RequireMFAMiddleware``: they hold roles).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.core import selectors as core_selectors
from coproduce.core.models import Organisation, User
from coproduce.core.models.places import normalise_postcode
from coproduce.core.views.helpers import as_id, call_service, messages_of
from coproduce.voting import selectors as ballots
from coproduce.voting import services as voting
from coproduce.voting.models import Ballot, BoxStatus, Channel, PaperBatch

from .. import counting, selectors, services
from ..forms import (
    ROUND_PHASES,
    DeliveryStatusForm,
    DepartureForm,
    ElectorSearchForm,
    IdeaModerationForm,
    IdeasMergeForm,
    NotFeasibleForm,
    PointsBallotForm,
    ProjectCostForm,
    ProjectsBallotForm,
    ProjectUpdateForm,
    RoundForm,
    RoundSeedForm,
    SpoiltBudgetPaperForm,
)
from ..models import (
    REASON_MAX_LENGTH,
    BallotKind,
    BudgetRound,
    DeliveryStatus,
    Departure,
    Idea,
    IdeaStatus,
    Project,
    ProjectStatus,
    Stage,
    Status,
)
from ..workspaces import round_counts, to_do

MANAGE_ROUNDS = "budgets.manage_rounds"
RUN_ROUND = "budgets.run_round"

# --- Fetching and authorising -------------------------------------------------------------------


def _refuse(organisation: Organisation) -> None:
    """A hidden organisation's rounds answer 404 to those without the permission; others 403."""
    if not organisation.is_public:
        raise Http404
    raise PermissionDenied


def _organisation(request, slug: str) -> Organisation:
    """The fund holder, if ``request.user`` may set its rounds up."""
    organisation = get_object_or_404(Organisation.objects.select_related("area"), slug=slug)
    if not request.user.has_perm(MANAGE_ROUNDS, organisation):
        _refuse(organisation)
    return organisation


def _round(request, pk: int, permission: str = RUN_ROUND) -> BudgetRound:
    """The round, if ``request.user`` holds ``permission`` (``manage_rounds`` is asked of its fund holder)."""
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation", "place", "box"), pk=pk)
    target = budget_round.organisation if permission == MANAGE_ROUNDS else budget_round
    if not request.user.has_perm(permission, target):
        _refuse(budget_round.organisation)
    return budget_round


def _funded_ids(budget_round: BudgetRound) -> set[int]:
    """The projects funded once the result is declared: selected by the count, or by a departure."""
    if budget_round.stage != Stage.DECLARED or not budget_round.result:
        return set()
    funded = {int(key) for key in budget_round.result["selected"]}
    for project_id, decided in Departure.objects.filter(round=budget_round).values_list("project", "funded"):
        if decided:
            funded.add(project_id)
        else:
            funded.discard(project_id)
    return funded


# --- Setting a round up ---------------------------------------------------------------------------


@login_required
def manage_list(request, slug: str):
    """The fund holder's rounds, drafts included, each with what it needs next."""
    organisation = _organisation(request, slug)
    rounds = list(BudgetRound.objects.filter(organisation=organisation).select_related("place"))
    counts = round_counts(rounds)
    now = timezone.now()
    return render(
        request,
        "budgets/manage_list.html",
        {
            "organisation": organisation,
            "rows": [(r, to_do(r, counts[r.pk], now=now)) for r in rounds],
            "now": now,
            "language": get_language(),
        },
    )


def _round_form_page(request, *, organisation, form, budget_round=None, locked=False):
    return render(
        request,
        "budgets/manage_form.html",
        {
            "organisation": organisation,
            "budget_round": budget_round,
            "form": form,
            "locked": locked,
            "phases": [(name, legend) for name, legend, _words in ROUND_PHASES],
            "language": get_language(),
        },
    )


@login_required
def create(request, slug: str):
    """A new round (a draft until it is published)."""
    organisation = _organisation(request, slug)
    language = get_language()
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        places=core_selectors.places_for(organisation),
        language=language,
        initial=RoundForm.initial_new(),
    )
    if request.method == "POST" and form.is_valid():
        budget_round = call_service(
            form, services.round_create, organisation=organisation, by=request.user, **form.values()
        )
        if budget_round is not None:
            messages.success(
                request, _("You created the budget round. Check it, then publish it so that residents can see it.")
            )
            return redirect("budgets:manage", pk=budget_round.pk)
    return _round_form_page(request, organisation=organisation, form=form)


@login_required
def edit(request, pk: int):
    """Change a round until ideas open (then its dates and rules are fixed)."""
    budget_round = _round(request, pk, MANAGE_ROUNDS)
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        places=core_selectors.places_for(budget_round.organisation, budget_round.place),
        language=get_language(),
        initial=RoundForm.initial_for(budget_round),
    )
    locked = budget_round.status() not in (Status.DRAFT, Status.UPCOMING)
    if (
        not locked
        and request.method == "POST"
        and form.is_valid()
        and call_service(form, services.round_update, budget_round=budget_round, by=request.user, **form.values())
    ):
        messages.success(request, _("You saved the changes to the budget round."))
        return redirect("budgets:manage", pk=budget_round.pk)
    return _round_form_page(
        request, organisation=budget_round.organisation, form=form, budget_round=budget_round, locked=locked
    )


@login_required
def seed(request, pk: int):
    """Publish the number any lot in the count is drawn from."""
    budget_round = _round(request, pk)
    form = RoundSeedForm(request.POST if request.method == "POST" else None, initial={"seed": budget_round.seed})
    fixed = budget_round.stage in (Stage.CLOSED, Stage.DECLARED)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form, services.round_seed_set, budget_round=budget_round, by=request.user, seed=form.cleaned_data["seed"]
        )
    ):
        messages.success(request, _("You published the seed."))
        return redirect("budgets:manage", pk=budget_round.pk)
    return render(
        request,
        "budgets/manage_seed.html",
        {"budget_round": budget_round, "form": form, "fixed": fixed, "language": get_language()},
    )


# --- The round's page and its buttons -------------------------------------------------------------


def _next_step(budget_round: BudgetRound, *, status: str, counts, problems: list[str], now) -> str:
    """In plain words, what the round needs next."""
    from coproduce.core.jinja import long_date

    if status == Status.DRAFT:
        return _("Check the round's details, then publish it so that residents can see it and its dates.")
    if status == Status.UPCOMING:
        return _("Ideas open on %(date)s. Until then you can still change the round.") % {
            "date": long_date(budget_round.ideas_open)
        }
    if status == Status.IDEAS:
        if counts.waiting:
            return _(
                "Ideas are open until %(date)s. Moderate the ideas waiting: publish them or hide them with a reason."
            ) % {"date": long_date(budget_round.ideas_close)}
        return _("Ideas are open until %(date)s. Moderate each idea as it arrives.") % {
            "date": long_date(budget_round.ideas_close)
        }
    if status in (Status.REVIEW, Status.AWAITING_VOTE):
        if counts.waiting:
            return _("Ideas have closed. Moderate the ideas still waiting, then review them.")
        if counts.to_review:
            return _(
                "Review the ideas: merge duplicates, cost each one into a project for the ballot, "
                "or mark it not feasible with a reason its proposer is sent."
            )
        if counts.costed < 2:
            return _("Cost at least two projects before voting opens.")
        if now < budget_round.voting_open:
            return _("Every idea is reviewed. Voting opens on %(date)s: open it then.") % {
                "date": long_date(budget_round.voting_open)
            }
        return _("Every idea is reviewed and it is time to open voting.")
    if status == Status.VOTING:
        if now < budget_round.voting_close:
            return _("Voting is open until %(date)s. Enter paper ballots as they come in.") % {
                "date": long_date(budget_round.voting_close)
            }
        return _("The time for voting has passed: close voting.")
    if status == Status.COUNTING:
        if problems:
            return _("Voting has closed. Before the count can start, finish the paper ballots.")
        return _("Voting has closed: start the count.")
    return _(
        "The result has been declared. Record any decision to depart from the count, "
        "and follow each funded project's delivery."
    )


def _ages(budget_round: BudgetRound) -> str:
    low, high = budget_round.min_age, budget_round.max_age
    if low is not None and high is not None:
        return _("%(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("%(low)s or older") % {"low": low}
    if high is not None:
        return _("%(high)s or younger") % {"high": high}
    return _("Any age")


def _manage_page(request, budget_round: BudgetRound, *, errors: list[str] | None = None):
    now = timezone.now()
    status = budget_round.status(now)
    counts = round_counts([budget_round])[budget_round.pk]
    problems = services.count_problems(budget_round) if budget_round.stage == Stage.CLOSED else []
    projects = list(Project.objects.filter(round=budget_round).order_by("title", "pk"))
    funded = _funded_ids(budget_round)
    language = get_language()
    return render(
        request,
        "budgets/manage.html",
        {
            "budget_round": budget_round,
            "status": status,
            "Status": Status,
            "Stage": Stage,
            "now": now,
            "counts": counts,
            "to_do": to_do(budget_round, counts, now=now),
            "problems": problems,
            "next_step": _next_step(budget_round, status=status, counts=counts, problems=problems, now=now),
            "errors": errors or [],
            "published_ideas": selectors.published_ideas(budget_round).count(),
            "not_feasible": sum(1 for project in projects if project.status == ProjectStatus.NOT_FEASIBLE),
            "funded_projects": [project for project in projects if project.pk in funded],
            "departures": list(Departure.objects.filter(round=budget_round).select_related("project")),
            "turnout": ballots.turnout(budget_round.box) if budget_round.box_id else None,
            "channels": [(channel.value, channel.label) for channel in Channel],
            "editable": status in (Status.DRAFT, Status.UPCOMING),
            "reviewable": budget_round.stage in (Stage.DRAFT, Stage.PUBLISHED),
            "can_set_up": request.user.has_perm(MANAGE_ROUNDS, budget_round.organisation),
            "ages": _ages(budget_round),
            "public_url": reverse("budgets:round", kwargs={"pk": budget_round.pk}),
            "result_url": reverse("budgets:result", kwargs={"pk": budget_round.pk}),
            "language": language,
        },
    )


@login_required
def manage(request, pk: int):
    """The one page for running a round, saying what to do next at each stage."""
    return _manage_page(request, _round(request, pk))


def _action(request, pk: int, permission: str, service: Callable[..., Any], done: str):
    """A button on the round's page: call one service, then back to the page (or the page with the
    refusal in its error summary, nothing written)."""
    budget_round = _round(request, pk, permission)
    try:
        service(budget_round=budget_round, by=request.user)
    except ValidationError as error:
        return _manage_page(request, budget_round, errors=messages_of(error))
    messages.success(request, done)
    return redirect("budgets:manage", pk=budget_round.pk)


@login_required
@require_POST
def publish(request, pk: int):
    return _action(
        request,
        pk,
        MANAGE_ROUNDS,
        services.round_publish,
        _("You published the budget round. Residents can now see it and its dates."),
    )


@login_required
@require_POST
def open_voting(request, pk: int):
    return _action(
        request,
        pk,
        RUN_ROUND,
        services.round_open_voting,
        _("Voting is open. The residents who can vote are on the electorate and have been told."),
    )


@login_required
@require_POST
def close_voting(request, pk: int):
    return _action(
        request,
        pk,
        RUN_ROUND,
        services.round_close_voting,
        _("Voting has closed. The count starts as soon as every paper ballot is entered and checked."),
    )


@login_required
@require_POST
def count(request, pk: int):
    return _action(
        request,
        pk,
        RUN_ROUND,
        services.round_count,
        _("The votes have been counted and the result declared."),
    )


# --- Ideas: moderation and merging ----------------------------------------------------------------


@login_required
def moderate(request, pk: int):
    """Ideas waiting for moderation: publish each, or hide it with a reason published in its place."""
    budget_round = _round(request, pk)
    waiting = list(selectors.ideas_to_moderate(budget_round).prefetch_related("photos").order_by("submitted_at", "pk"))
    chosen = request.POST.get("idea", "") if request.method == "POST" else ""
    forms = {
        idea.pk: IdeaModerationForm(request.POST if str(idea.pk) == chosen else None, prefix=f"idea-{idea.pk}")
        for idea in waiting
    }
    errors: list[str] = []
    if request.method == "POST":
        form = forms.get(as_id(chosen))
        if form is None:
            errors.append(_("That idea is no longer waiting for moderation."))
        elif form.is_valid():
            idea = next(idea for idea in waiting if idea.pk == as_id(chosen))
            publish_it = form.cleaned_data["decision"] == "publish"
            done = call_service(
                form,
                services.idea_moderate,
                idea=idea,
                by=request.user,
                publish=publish_it,
                reason=form.cleaned_data["reason"],
            )
            if done is not None:
                message = (
                    _("You published the idea “%(title)s”.")
                    if publish_it
                    else _("You hid the idea “%(title)s”. The reason is published in its place.")
                )
                messages.success(request, message % {"title": idea.title})
                return redirect("budgets:moderate", pk=budget_round.pk)
    return render(
        request,
        "budgets/manage_moderate.html",
        {
            "budget_round": budget_round,
            "rows": [(idea, forms[idea.pk]) for idea in waiting],
            "errors": errors,
            "failed": bool(errors) or any(form.errors for form in forms.values()),
            "reason_max_length": REASON_MAX_LENGTH,
            "language": get_language(),
        },
    )


def _open_ideas(budget_round: BudgetRound):
    """Ideas that can still be merged or reviewed: not hidden, not merged into another."""
    return (
        Idea.objects.filter(round=budget_round, merged_into__isnull=True)
        .exclude(status=IdeaStatus.HIDDEN)
        .annotate(support=Count("supports"))
        .order_by("title", "pk")
    )


@login_required
def merge(request, pk: int):
    """Choose duplicate ideas and the idea to keep: the duplicates' supporters support it, once each."""
    budget_round = _round(request, pk)
    ideas = list(_open_ideas(budget_round))
    form = IdeasMergeForm(request.POST if request.method == "POST" else None, ideas=ideas)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            services.ideas_merge,
            ideas=form.cleaned_data["others"],
            into=form.cleaned_data["into"],
            by=request.user,
        )
    ):
        messages.success(
            request,
            _("You merged %(count)s ideas into “%(title)s”.")
            % {"count": len(form.cleaned_data["others"]), "title": form.cleaned_data["into"].title},
        )
        return redirect("budgets:review", pk=budget_round.pk)
    return render(
        request,
        "budgets/manage_merge.html",
        {"budget_round": budget_round, "form": form, "ideas": ideas, "language": get_language()},
    )


# --- Review: costed projects and ideas not feasible -------------------------------------------------


def _to_review(budget_round: BudgetRound):
    """Published ideas not merged and not yet in a project, with their support."""
    return selectors.published_ideas(budget_round).filter(projects__isnull=True).order_by("title", "pk")


@login_required
def review(request, pk: int):
    """Published ideas not yet in a project, and the projects so far (costed, and not feasible)."""
    budget_round = _round(request, pk)
    projects = list(
        Project.objects.filter(round=budget_round).prefetch_related("ideas").order_by("status", "title", "pk")
    )
    return render(
        request,
        "budgets/manage_review.html",
        {
            "budget_round": budget_round,
            "ideas": list(_to_review(budget_round)),
            "costed": [project for project in projects if project.status == ProjectStatus.COSTED],
            "not_feasible": [project for project in projects if project.status == ProjectStatus.NOT_FEASIBLE],
            "reviewable": budget_round.stage in (Stage.DRAFT, Stage.PUBLISHED),
            "total": sum(project.cost or 0 for project in projects if project.status == ProjectStatus.COSTED),
            "language": get_language(),
        },
    )


def _chosen_ideas(request) -> list[str]:
    """The ideas ticked on the review page (sent in the query string)."""
    return [key for key in request.GET.getlist("ideas") if as_id(key) is not None]


@login_required
def project_new(request, pk: int):
    """A costed project from one or more ideas, to go on the ballot."""
    budget_round = _round(request, pk)
    ideas = list(_open_ideas(budget_round).filter(status=IdeaStatus.PUBLISHED))
    form = ProjectCostForm(
        request.POST if request.method == "POST" else None,
        ideas=ideas,
        initial={"ideas": _chosen_ideas(request)},
    )
    if request.method == "POST" and form.is_valid():
        project = call_service(
            form, services.project_create, budget_round=budget_round, by=request.user, **form.values()
        )
        if project is not None:
            messages.success(
                request,
                _("“%(title)s” is costed at %(cost)s and will be on the ballot.")
                % {"title": project.title, "cost": counting.money(project.cost)},
            )
            return redirect("budgets:review", pk=budget_round.pk)
    return render(
        request,
        "budgets/manage_project.html",
        {
            "budget_round": budget_round,
            "form": form,
            "reviewable": budget_round.stage in (Stage.DRAFT, Stage.PUBLISHED),
            "language": get_language(),
        },
    )


@login_required
def not_feasible(request, pk: int):
    """Ideas, or a costed project, that cannot be done, with the public reason their proposers are emailed."""
    budget_round = _round(request, pk)
    language = get_language()
    ideas = list(_open_ideas(budget_round).filter(status=IdeaStatus.PUBLISHED, projects__isnull=True))
    projects = list(selectors.ballot_projects(budget_round).order_by("title", "pk"))
    initial: dict[str, Any] = {"ideas": _chosen_ideas(request)}
    if as_id(request.GET.get("project")) is not None:
        initial["project"] = request.GET["project"]
    form = NotFeasibleForm(
        request.POST if request.method == "POST" else None,
        ideas=ideas,
        projects=projects,
        language=language,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = call_service(
            form,
            services.project_not_feasible,
            budget_round=budget_round,
            by=request.user,
            reason=data["reason"],
            ideas=data["ideas"],
            project=data["project"],
            title=data.get("title", ""),
        )
        if project is not None:
            messages.success(
                request,
                _("“%(title)s” is marked not feasible. Its proposers are being emailed the reason.")
                % {"title": project.title},
            )
            return redirect("budgets:review", pk=budget_round.pk)
    return render(
        request,
        "budgets/manage_not_feasible.html",
        {
            "budget_round": budget_round,
            "form": form,
            "reviewable": budget_round.stage in (Stage.DRAFT, Stage.PUBLISHED),
            "language": language,
        },
    )


# --- Paper ballots: one paper at a time, checked by a second person -----------------------------------


def _batch(budget_round: BudgetRound, batch_id: int) -> PaperBatch:
    if budget_round.box_id is None:
        raise Http404
    return get_object_or_404(
        PaperBatch.objects.select_related("box", "entered_by", "checked_by"), pk=batch_id, box=budget_round.box_id
    )


def _electors(budget_round: BudgetRound, query: str) -> list[dict[str, Any]]:
    """People on the round's electorate found by name, postcode or email address, and whether a
    vote is recorded for them (not how, nor by which channel)."""
    box = budget_round.box
    query = " ".join(query.split())
    people = User.objects.filter(pk__in=box.electors.values("person"))
    people = people.filter(
        Q(full_name__icontains=query) | Q(email__iexact=query) | Q(postcode__iexact=normalise_postcode(query))
    )
    found = list(people.order_by("full_name", "pk")[:20])
    voted = set(
        box.electors.filter(mark__isnull=False, person__in=[person.pk for person in found]).values_list(
            "person", flat=True
        )
    )
    return [{"person": person, "voted": person.pk in voted} for person in found]


@login_required
def paper(request, pk: int):
    """Paper ballots: mark who returned a paper, and the batches of papers."""
    budget_round = _round(request, pk)
    box = budget_round.box
    errors: list[str] = []
    search = ElectorSearchForm(request.GET if "q" in request.GET else None)
    found = None
    if box is not None and search.is_bound and search.is_valid():
        found = _electors(budget_round, search.cleaned_data["q"])
    if request.method == "POST":
        try:
            if box is None:
                raise ValidationError(_("Voting has not opened: there are no paper ballots yet."))
            action = request.POST.get("action")
            if action == "mark":
                key = request.POST.get("person") or ""
                person = (
                    User.objects.filter(pk=key, pk__in=box.electors.values("person")).first() if as_id(key) else None
                )
                if person is None:
                    raise ValidationError(_("Find the resident on the electorate first."))
                voting.paper_vote_mark(box=box, person=person, by=request.user)
                messages.success(
                    request,
                    _("%(name)s is marked as having returned a paper ballot. They cannot now vote online.")
                    % {"name": person.get_full_name()},
                )
                return redirect("budgets:paper", pk=budget_round.pk)
            if action == "batch":
                batch = voting.paper_batch_start(box=box, by=request.user)
                return redirect("budgets:paper_batch", pk=budget_round.pk, batch_id=batch.pk)
            errors.append(_("Choose what to do."))
        except ValidationError as error:
            errors += messages_of(error)
    batches = list(ballots.paper_batches(box)) if box is not None else []
    counts = (
        dict(Ballot.objects.filter(batch__in=batches).order_by().values_list("batch").annotate(n=Count("pk")))
        if batches
        else {}
    )
    return render(
        request,
        "budgets/paper.html",
        {
            "budget_round": budget_round,
            "search": search,
            "found": found,
            # Once checked a batch keeps its count (its papers leave it when the box is sealed).
            "batches": [
                (batch, batch.papers if batch.papers is not None else counts.get(batch.pk, 0)) for batch in batches
            ],
            "turnout": ballots.turnout(box) if box is not None else None,
            "open": box is not None and box.status == BoxStatus.OPEN,
            "enterable": box is not None and box.status in (BoxStatus.OPEN, BoxStatus.CLOSED),
            "errors": errors,
            "language": get_language(),
        },
    )


def _ballot_projects(budget_round: BudgetRound, language: str | None) -> list[tuple[str, str, Project]]:
    """The projects in the ballot paper's order: (key, what the paper shows, project)."""
    by_key = {str(project.pk): project for project in Project.objects.filter(round=budget_round)}
    rows = []
    for key in budget_round.box.options:
        project = by_key[key]
        title = project.localised_title(language)
        rows.append((key, f"{title} ({counting.money(project.cost)})", project))
    return rows


def _paper_form(budget_round: BudgetRound, projects, data=None):
    choices = [(key, label) for key, label, _project in projects]
    if budget_round.ballot_kind == BallotKind.POINTS:
        return PointsBallotForm(data, projects=choices, limit=budget_round.ballot_limit)
    limit = budget_round.ballot_limit if budget_round.ballot_kind == BallotKind.APPROVAL else None
    form = ProjectsBallotForm(data, projects=choices, limit=limit)
    form.fields["projects"].label = _("The projects marked on this paper")
    return form


def _papers(batch: PaperBatch, projects) -> list[dict[str, Any]]:
    """The batch's papers as they read, for the officer and the checker (no voter on them)."""
    names = {key: label for key, label, _project in projects}
    papers = []
    for ballot in ballots.batch_ballots(batch):
        lines = []
        for item in ballot.content:
            if isinstance(item, list):
                key, points = item
                lines.append(
                    ngettext("%(project)s: %(points)s point", "%(project)s: %(points)s points", points)
                    % {"project": names.get(str(key), key), "points": points}
                )
            else:
                lines.append(names.get(str(item), item))
        papers.append({"ballot": ballot, "lines": lines})
    return papers


def _over_budget_reason(error: ValidationError) -> str:
    """The spoilt reason suggested for a paper refused as over the budget: its total and the budget."""
    return _("Over the budget: the projects marked cost %(total)s, the budget is %(amount)s") % error.params


@login_required
def paper_batch(request, pk: int, batch_id: int):
    """Enter each paper of a batch as it reads, or as spoilt with the reason; take back a paper
    entered wrongly."""
    budget_round = _round(request, pk)
    batch = _batch(budget_round, batch_id)
    language = get_language()
    projects = _ballot_projects(budget_round, language)
    action = request.POST.get("action") if request.method == "POST" else None
    form = _paper_form(budget_round, projects, request.POST if action == "enter" else None)
    spoilt = SpoiltBudgetPaperForm(request.POST if action == "spoilt" else None)
    errors: list[str] = []
    over_budget = False
    if action == "enter" and form.is_valid():
        content = form.content()
        try:
            services.paper_ballot_enter(budget_round=budget_round, batch=batch, by=request.user, content=content)
        except ValidationError as error:
            form.add_error("projects" if "projects" in form.fields else None, error)
            if getattr(error, "code", None) == "over_budget":
                # The officer enters it as spoilt, giving that as the reason (suggested for them).
                over_budget = True
                spoilt = SpoiltBudgetPaperForm(initial={"spoilt_reason": _over_budget_reason(error)[:200]})
        else:
            messages.success(request, _("Paper entered. Enter the next one."))
            return redirect("budgets:paper_batch", pk=budget_round.pk, batch_id=batch.pk)
    elif action == "spoilt" and spoilt.is_valid():
        if call_service(
            spoilt,
            services.paper_ballot_enter,
            budget_round=budget_round,
            batch=batch,
            by=request.user,
            spoilt_reason=spoilt.cleaned_data["spoilt_reason"],
        ):
            messages.success(request, _("Spoilt paper recorded. Enter the next one."))
            return redirect("budgets:paper_batch", pk=budget_round.pk, batch_id=batch.pk)
    elif action == "remove":
        ballot = ballots.batch_paper(batch, request.POST.get("ballot"))
        try:
            if ballot is None:
                raise ValidationError(_("Choose the paper to take back."))
            voting.paper_ballot_remove(ballot=ballot, by=request.user)
        except ValidationError as error:
            errors += messages_of(error)
        else:
            messages.success(request, _("The paper was taken out of the batch."))
            return redirect("budgets:paper_batch", pk=budget_round.pk, batch_id=batch.pk)
    elif request.method == "POST" and action not in ("enter", "spoilt"):
        errors.append(_("Choose what to do."))
    return render(
        request,
        "budgets/paper_batch.html",
        {
            "budget_round": budget_round,
            "batch": batch,
            "form": form,
            "spoilt": spoilt,
            "points": budget_round.ballot_kind == BallotKind.POINTS,
            "over_budget": over_budget,
            "papers": _papers(batch, projects),
            "mine": batch.entered_by_id == request.user.pk,
            "sealed": batch.box.status == BoxStatus.SEALED,
            "errors": errors,
            "language": language,
        },
    )


@login_required
def paper_check(request, pk: int, batch_id: int):
    """A second person compares the batch's papers as entered with the papers themselves and confirms."""
    budget_round = _round(request, pk)
    batch = _batch(budget_round, batch_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            voting.paper_batch_check(batch=batch, by=request.user)
        except ValidationError as error:
            errors += messages_of(error)
        else:
            messages.success(request, _("You checked batch %(number)s.") % {"number": batch.number})
            return redirect("budgets:paper", pk=budget_round.pk)
    return render(
        request,
        "budgets/paper_check.html",
        {
            "budget_round": budget_round,
            "batch": batch,
            "papers": _papers(batch, _ballot_projects(budget_round, get_language())),
            "mine": batch.entered_by_id == request.user.pk,
            "sealed": batch.box.status == BoxStatus.SEALED,
            "errors": errors,
            "language": get_language(),
        },
    )


# --- After the count: departures and delivery -------------------------------------------------------


@login_required
def departure(request, pk: int):
    """Record the fund holder's decision to depart from the count for a project, with the reason."""
    budget_round = _round(request, pk)
    language = get_language()
    declared = budget_round.stage == Stage.DECLARED and bool(budget_round.result)
    selected = set(budget_round.result["selected"]) if declared else set()
    projects = list(selectors.ballot_projects(budget_round).order_by("title", "pk")) if declared else []
    decided = {d.project_id: d for d in Departure.objects.filter(round=budget_round).select_related("decided_by")}
    choices = [
        (
            project,
            _("%(title)s (%(cost)s): funded by the count")
            % {"title": project.localised_title(language), "cost": counting.money(project.cost)}
            if str(project.pk) in selected
            else _("%(title)s (%(cost)s): not funded by the count")
            % {"title": project.localised_title(language), "cost": counting.money(project.cost)},
        )
        for project in projects
        if project.pk not in decided
    ]
    form = DepartureForm(request.POST if request.method == "POST" else None, projects=choices)
    if (
        declared
        and request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            services.departure_record,
            budget_round=budget_round,
            project=form.cleaned_data["project"],
            funded=form.cleaned_data["decision"] == "fund",
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    ):
        messages.success(request, _("You recorded the decision. It is published beside the count with its reason."))
        return redirect("budgets:manage", pk=budget_round.pk)
    return render(
        request,
        "budgets/manage_departure.html",
        {
            "budget_round": budget_round,
            "declared": declared,
            "form": form,
            "departures": [decided[key] for key in sorted(decided)],
            "projects": {project.pk: project for project in projects},
            "language": language,
        },
    )


@login_required
def delivery(request, pk: int, project_id: int):
    """A funded project's delivery: where it has got to, and dated updates with photos."""
    budget_round = _round(request, pk)
    project = get_object_or_404(Project, pk=project_id, round=budget_round)
    action = request.POST.get("action") if request.method == "POST" else None
    status_form = DeliveryStatusForm(
        request.POST if action == "status" else None, initial={"status": project.delivery_status}
    )
    update_form = ProjectUpdateForm(
        request.POST if action == "update" else None, request.FILES if action == "update" else None
    )
    errors: list[str] = []
    if action == "status" and status_form.is_valid():
        if call_service(
            status_form,
            services.project_delivery_set,
            project=project,
            status=status_form.cleaned_data["status"],
            by=request.user,
        ):
            messages.success(request, _("You changed where the project's delivery has got to."))
            return redirect("budgets:delivery", pk=budget_round.pk, project_id=project.pk)
    elif action == "update" and update_form.is_valid():
        data = update_form.cleaned_data
        if call_service(
            update_form,
            services.project_update_add,
            project=project,
            by=request.user,
            text=data["text"],
            text_cy=data["text_cy"],
            on=data["on"],
            photos=data["photos"],
        ):
            messages.success(request, _("You added the update. The residents following the project are emailed it."))
            return redirect("budgets:delivery", pk=budget_round.pk, project_id=project.pk)
    elif request.method == "POST" and action not in ("status", "update"):
        errors.append(_("Choose what to do."))
    return render(
        request,
        "budgets/manage_delivery.html",
        {
            "budget_round": budget_round,
            "project": project,
            "funded": project.pk in _funded_ids(budget_round),
            "status_form": status_form,
            "update_form": update_form,
            "updates": list(project.updates.prefetch_related("photos").select_related("by")),
            "DeliveryStatus": DeliveryStatus,
            "project_url": reverse("budgets:project", kwargs={"pk": budget_round.pk, "project_id": project.pk}),
            "errors": errors,
            "language": get_language(),
        },
    )


urlpatterns = [
    path("organisations/<slug:slug>/budgets/", manage_list, name="manage_list"),
    path("organisations/<slug:slug>/budgets/new/", create, name="create"),
    path("budgets/<int:pk>/edit/", edit, name="edit"),
    path("budgets/<int:pk>/publish/", publish, name="publish"),
    path("budgets/<int:pk>/seed/", seed, name="seed"),
    path("budgets/<int:pk>/manage/", manage, name="manage"),
    path("budgets/<int:pk>/moderate/", moderate, name="moderate"),
    path("budgets/<int:pk>/merge/", merge, name="merge"),
    path("budgets/<int:pk>/review/", review, name="review"),
    path("budgets/<int:pk>/projects/new/", project_new, name="project_new"),
    path("budgets/<int:pk>/not-feasible/", not_feasible, name="not_feasible"),
    path("budgets/<int:pk>/open/", open_voting, name="open_voting"),
    path("budgets/<int:pk>/close/", close_voting, name="close_voting"),
    path("budgets/<int:pk>/count/", count, name="count"),
    path("budgets/<int:pk>/paper/", paper, name="paper"),
    path("budgets/<int:pk>/paper/batches/<int:batch_id>/", paper_batch, name="paper_batch"),
    path("budgets/<int:pk>/paper/batches/<int:batch_id>/check/", paper_check, name="paper_check"),
    path("budgets/<int:pk>/departures/new/", departure, name="departure"),
    path("budgets/<int:pk>/projects/<int:project_id>/delivery/", delivery, name="delivery"),
]
