"""Budgets' pages: the ballot, its check page and receipt, the result, and each project's delivery.

Anyone may read a published round's declared result and its projects; a draft round is seen only
by the people who run it. Voting needs a signed-in resident on the round's electorate (fixed when
voting opened). A ballot's choices wait in the session between the ballot and the check page and
are dropped once cast: what the person voted is then only in the box, with nothing to link it
back to them. The ballot's running total against the budget works without JavaScript: "Update
the total" sends the page back with the choices kept and the total worked out on the server.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coproduce.core.jinja import long_date
from coproduce.voting import selectors as voting_selectors
from coproduce.voting.models import BoxStatus, Channel

from .. import selectors, services
from ..forms import PointsBallotForm, ProjectsBallotForm
from ..models import (
    BallotKind,
    BudgetRound,
    Departure,
    IdeaStatus,
    Project,
    ProjectFollow,
    ProjectStatus,
    Stage,
    UpdatePhoto,
)
from ..results import explanation as explain
from ..results import result_view
from .public import REVIEWED, _may_see, _round

# Finding what a person may see ---------------------------------------------------------------------


def _notice(request, *, budget_round: BudgetRound, title: str, paragraphs: list[str], status: int = 200, links=()):
    """A page that tells the person plainly why they cannot do something here, and where to go."""
    return render(
        request,
        "budgets/ballot_notice.html",
        {
            "budget_round": budget_round,
            "title": title,
            "paragraphs": paragraphs,
            "links": list(links),
            "language": get_language(),
        },
        status=status,
    )


def _round_link(budget_round: BudgetRound) -> tuple[str, str]:
    return reverse("budgets:round", kwargs={"pk": budget_round.pk}), _("Go to the budget round's page")


# The ballot ----------------------------------------------------------------------------------------


def _ballot_key(budget_round: BudgetRound) -> str:
    return f"budgets:ballot:{budget_round.pk}"


def _ballot_projects(budget_round: BudgetRound) -> list[Project]:
    """The projects on the ballot paper, in its order (the box's options)."""
    keys = [str(key) for key in budget_round.box.options]
    by_key = {str(project.pk): project for project in selectors.ballot_projects(budget_round)}
    return [by_key[key] for key in keys if key in by_key]


def _ballot_form(budget_round: BudgetRound, projects: list[Project], data=None, initial=None):
    language = get_language()
    choices = [(str(project.pk), project.localised_title(language)) for project in projects]
    if budget_round.ballot_kind == BallotKind.POINTS:
        return PointsBallotForm(data, projects=choices, limit=budget_round.ballot_limit, initial=initial)
    limit = budget_round.ballot_limit if budget_round.ballot_kind == BallotKind.APPROVAL else None
    return ProjectsBallotForm(data, projects=choices, limit=limit, initial=initial)


def _initial(budget_round: BudgetRound, content) -> dict:
    form = PointsBallotForm if budget_round.ballot_kind == BallotKind.POINTS else ProjectsBallotForm
    return form.initial_for(content)


def _total(budget_round: BudgetRound, projects: list[Project], chosen) -> dict:
    """The running total of a knapsack ballot: what the chosen projects cost, and what is left."""
    keys = {str(key) for key in chosen}
    total = sum(project.cost for project in projects if str(project.pk) in keys)
    return {
        "chosen": total,
        "budget": budget_round.amount,
        "left": budget_round.amount - total,
        "over": total - budget_round.amount,
        "count": len([project for project in projects if str(project.pk) in keys]),
    }


def _valid_content(budget_round: BudgetRound, content) -> bool:
    """Whether choices kept in the session still fit this round's ballot paper."""
    if not content or not isinstance(content, list):
        return False
    options = {str(key) for key in budget_round.box.options}
    if budget_round.ballot_kind == BallotKind.POINTS:
        return all(
            isinstance(item, list) and len(item) == 2 and str(item[0]) in options and isinstance(item[1], int)
            for item in content
        )
    return all(str(key) in options for key in content)


def _ballot_gate(request, budget_round: BudgetRound):
    """Why this person cannot vote in this round now, as a response; None when they may."""
    box = budget_round.box
    if box is None or budget_round.stage == Stage.PUBLISHED or budget_round.stage == Stage.DRAFT:
        return _notice(
            request,
            budget_round=budget_round,
            title=_("Voting is not open"),
            paragraphs=[_("Voting opens on %(date)s.") % {"date": long_date(budget_round.voting_open)}],
            links=[_round_link(budget_round)],
        )
    user = request.user
    is_elector, mark = voting_selectors.voter_status(box, user)
    if not is_elector:
        answer = selectors.may_take_part(budget_round, user)
        if not answer:
            paragraphs = [answer.reason]
            links = [(reverse("core:account"), _("Check your address and how it is confirmed"))]
        else:
            paragraphs = [
                _(
                    "The list of voters was fixed when voting opened on %(date)s, from the residents who could "
                    "take part that day. You were not on it."
                )
                % {"date": long_date(budget_round.voting_open)},
                _("If you think you should be on it, contact %(organisation)s.")
                % {"organisation": budget_round.organisation.name},
            ]
            links = []
        return _notice(
            request,
            budget_round=budget_round,
            status=403,
            title=_("You cannot vote in this budget round"),
            paragraphs=paragraphs,
            links=[*links, _round_link(budget_round)],
        )
    if mark is not None:
        request.session.pop(_ballot_key(budget_round), None)
        if mark.channel == Channel.ONLINE:
            messages.info(request, _("You have already voted in this budget round. Your vote was recorded once."))
            return redirect("budgets:receipt", pk=budget_round.pk)
        if mark.channel == Channel.PAPER:
            paragraphs = [
                _("You have already voted on paper in this budget round, so you cannot vote online as well."),
                _("Each resident has one vote. Your paper ballot will be counted."),
            ]
        else:
            paragraphs = [
                _("A vote has already been cast for you in this budget round (%(how)s), so you cannot vote online.")
                % {"how": mark.get_channel_display().lower()},
                _("If you did not ask anyone to vote for you, contact %(organisation)s.")
                % {"organisation": budget_round.organisation.name},
            ]
        return _notice(
            request,
            budget_round=budget_round,
            title=_("You have already voted"),
            paragraphs=paragraphs,
            links=[(reverse("budgets:receipt", kwargs={"pk": budget_round.pk}), _("See your receipt"))],
        )
    if budget_round.stage != Stage.VOTING or box.status != BoxStatus.OPEN:
        links = [_round_link(budget_round)]
        if budget_round.stage == Stage.DECLARED:
            links.insert(0, (reverse("budgets:result", kwargs={"pk": budget_round.pk}), _("See the result")))
        return _notice(
            request,
            budget_round=budget_round,
            title=_("Voting is not open"),
            paragraphs=[_("Voting closed on %(date)s.") % {"date": long_date(budget_round.voting_close)}],
            links=links,
        )
    return None


def _ballot_context(budget_round: BudgetRound, projects: list[Project], form, chosen) -> dict:
    return {
        "budget_round": budget_round,
        "projects": projects,
        "form": form,
        "total": _total(budget_round, projects, chosen) if budget_round.ballot_kind == BallotKind.KNAPSACK else None,
        "chosen": {str(key) for key in chosen},
        "language": get_language(),
    }


@login_required
def ballot(request, pk: int):
    """The ballot paper: tick projects within the budget (with its running total), tick up to N,
    or share N points; then check the choices before casting."""
    budget_round = _round(request, pk)
    if (refused := _ballot_gate(request, budget_round)) is not None:
        return refused
    projects = _ballot_projects(budget_round)
    keys = {str(project.pk) for project in projects}
    key = _ballot_key(budget_round)
    if request.method == "POST":
        if request.POST.get("action") == "update" and budget_round.ballot_kind == BallotKind.KNAPSACK:
            # Without JavaScript: the page again, the choices kept, the total worked out here.
            chosen = [choice for choice in request.POST.getlist("projects") if choice in keys]
            form = _ballot_form(budget_round, projects, initial=_initial(budget_round, chosen))
            return render(request, "budgets/ballot.html", _ballot_context(budget_round, projects, form, chosen))
        form = _ballot_form(budget_round, projects, request.POST)
        if form.is_valid():
            content = form.content()
            try:
                services.ballot_check(budget_round, content)
            except ValidationError as refusal:
                form.add_error("projects", refusal)
            else:
                request.session[key] = content
                return redirect("budgets:ballot_check", pk=budget_round.pk)
        chosen = [choice for choice in request.POST.getlist("projects") if choice in keys]
    else:
        saved = request.session.get(key)
        saved = saved if _valid_content(budget_round, saved) else None
        form = _ballot_form(budget_round, projects, initial=_initial(budget_round, saved) if saved else None)
        chosen = [] if saved is None or budget_round.ballot_kind == BallotKind.POINTS else saved
    return render(request, "budgets/ballot.html", _ballot_context(budget_round, projects, form, chosen))


@login_required
def ballot_check(request, pk: int):
    """Check the choices (and their total), with a link to change them; then cast the vote, once."""
    budget_round = _round(request, pk)
    if (refused := _ballot_gate(request, budget_round)) is not None:
        return refused
    key = _ballot_key(budget_round)
    content = request.session.get(key)
    if not _valid_content(budget_round, content):
        return redirect("budgets:ballot", pk=budget_round.pk)
    error = None
    if request.method == "POST":
        try:
            services.ballot_cast(budget_round=budget_round, person=request.user, content=content)
        except ValidationError as refusal:
            if refusal.code == "already_voted":  # a second tab or a double click cast it first
                request.session.pop(key, None)
                messages.info(request, _("You have already voted in this budget round. Your vote was recorded once."))
                return redirect("budgets:receipt", pk=budget_round.pk)
            if refusal.code in ("closed", "not_open"):
                request.session.pop(key, None)
                messages.info(request, _("Voting has closed in this budget round. Your vote was not recorded."))
                return redirect("budgets:round", pk=budget_round.pk)
            error = " ".join(refusal.messages)
        else:
            # What was voted now lives only in the box: nothing of it stays with the person.
            request.session.pop(key, None)
            return redirect("budgets:receipt", pk=budget_round.pk)
    projects = _ballot_projects(budget_round)
    by_key = {str(project.pk): project for project in projects}
    if budget_round.ballot_kind == BallotKind.POINTS:
        chosen = [(by_key[str(k)], points) for k, points in content if str(k) in by_key]
        total = None
    else:
        chosen = [(by_key[str(k)], None) for k in content if str(k) in by_key]
        total = _total(budget_round, projects, content) if budget_round.ballot_kind == BallotKind.KNAPSACK else None
    return render(
        request,
        "budgets/ballot_check.html",
        {
            "budget_round": budget_round,
            "chosen": chosen,
            "total": total,
            "points_given": sum(points for _project, points in chosen)
            if budget_round.ballot_kind == BallotKind.POINTS
            else 0,
            "error": error,
            "language": get_language(),
        },
    )


@login_required
@require_GET
def receipt(request, pk: int):
    """The voter's receipt code, and what happens next: the count at the close, the result."""
    budget_round = _round(request, pk)
    box = budget_round.box
    is_elector, mark = voting_selectors.voter_status(box, request.user) if box is not None else (False, None)
    if not is_elector:
        raise Http404
    if mark is None:
        return redirect("budgets:ballot", pk=budget_round.pk)
    return render(
        request,
        "budgets/receipt.html",
        {
            "budget_round": budget_round,
            "mark": mark,
            "declared": budget_round.stage == Stage.DECLARED,
            "language": get_language(),
        },
    )


# The result ----------------------------------------------------------------------------------------


@require_GET
def result(request, pk: int):
    """The declared result: what is funded and the money left, both charts with their tables, every
    project explained, the fund holder's departures beside the count, and how to recount it."""
    budget_round = _round(request, pk)
    language = get_language()
    if budget_round.stage != Stage.DECLARED or not budget_round.result:
        if budget_round.stage == Stage.CLOSED:
            paragraphs = [_("Voting has closed and the votes are being counted.")]
        elif budget_round.stage == Stage.VOTING:
            paragraphs = [
                _("Voting is open until %(date)s. The votes are counted when it closes.")
                % {"date": long_date(budget_round.voting_close)}
            ]
        else:
            paragraphs = [_("Voting opens on %(date)s.") % {"date": long_date(budget_round.voting_open)}]
        if budget_round.results_on:
            paragraphs.append(
                _("The result is to be announced on %(date)s.") % {"date": long_date(budget_round.results_on)}
            )
        return render(
            request,
            "budgets/result_pending.html",
            {"budget_round": budget_round, "paragraphs": paragraphs, "language": language},
            status=404,
        )
    projects = list(Project.objects.filter(round=budget_round, status=ProjectStatus.COSTED))
    departures = list(Departure.objects.filter(round=budget_round).order_by("decided_at", "pk"))
    view = result_view(budget_round, projects=projects, departures=departures, language=language)
    return render(
        request,
        "budgets/result.html",
        {
            "budget_round": budget_round,
            "view": view,
            "ballots_url": reverse("api:budget_ballots", kwargs={"round_id": budget_round.pk}),
            "result_url": f"/api/budgets/{budget_round.pk}/result",
            "language": language,
        },
    )


# Projects and their delivery -------------------------------------------------------------------------


def _funded(budget_round: BudgetRound, project: Project, departure: Departure | None) -> bool:
    """Funded in the end: selected by the declared count unless the fund holder departed from it."""
    if budget_round.stage != Stage.DECLARED or not budget_round.result or project.status != ProjectStatus.COSTED:
        return False
    if departure is not None:
        return departure.funded
    return str(project.pk) in budget_round.result.get("selected", [])


def _project(request, pk: int, project_id: int) -> tuple[BudgetRound, Project]:
    """A project of a round whose review is done (what the round's page lists); before then only
    for the people who run the round."""
    budget_round = _round(request, pk)
    project = get_object_or_404(Project, pk=project_id, round=budget_round)
    if budget_round.status() not in REVIEWED and not request.user.has_perm("budgets.run_round", budget_round):
        raise Http404(_("This project is published once the ideas have been reviewed."))
    return budget_round, project


@require_GET
def project(request, pk: int, project_id: int):
    """A project: what it is and costs, the ideas it came from, how the count treated it, and once
    funded where its delivery has got to, with dated updates and photos."""
    budget_round, project = _project(request, pk, project_id)
    language = get_language()
    departure = Departure.objects.filter(project=project).first()
    funded = _funded(budget_round, project, departure)
    entry = None
    if budget_round.stage == Stage.DECLARED and budget_round.result:
        entry = next((e for e in budget_round.result.get("projects", []) if str(e["id"]) == str(project.pk)), None)
    explanation = ""
    if entry is not None:
        titles = {
            str(other.pk): other.localised_title(language)
            for other in Project.objects.filter(round=budget_round).only("pk", "title", "title_cy")
        }
        explanation = explain(entry, titles)
    user = request.user
    following = user.is_authenticated and ProjectFollow.objects.filter(project=project, person=user).exists()
    return render(
        request,
        "budgets/project.html",
        {
            "budget_round": budget_round,
            "project": project,
            "ideas": list(project.ideas.filter(status=IdeaStatus.PUBLISHED, merged_into__isnull=True)),
            "entry": entry,
            "explanation": explanation,
            "selected": entry is not None and str(project.pk) in budget_round.result.get("selected", []),
            "departure": departure,
            "funded": funded,
            "updates": list(project.updates.prefetch_related("photos")) if funded else [],
            "following": following,
            "followers": ProjectFollow.objects.filter(project=project).count() if funded else 0,
            "language": language,
        },
    )


@login_required
@require_POST
def project_follow(request, pk: int, project_id: int):
    """Follow a funded project's delivery, or stop following it (``action``: follow or stop)."""
    _budget_round, project = _project(request, pk, project_id)
    action = request.POST.get("action")
    if action == "follow":
        try:
            services.project_follow(project=project, person=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, _("You are following this project. We will email you its updates."))
    elif action == "stop":
        services.project_unfollow(project=project, person=request.user)
        messages.success(request, _("You have stopped following this project."))
    else:
        messages.error(request, _("Choose whether to follow this project or stop following it."))
    return redirect("budgets:project", pk=project.round_id, project_id=project.pk)


@require_GET
def update_photo(request, photo_id: int):
    """A photo from a delivery update, for anyone who may see the round."""
    photo = get_object_or_404(UpdatePhoto.objects.select_related("update__project__round__organisation"), pk=photo_id)
    if not _may_see(request, photo.update.project.round) or not photo.image:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = "image/png" if photo.image.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("budgets/<int:pk>/vote/", ballot, name="ballot"),
    path("budgets/<int:pk>/vote/check/", ballot_check, name="ballot_check"),
    path("budgets/<int:pk>/vote/receipt/", receipt, name="receipt"),
    path("budgets/<int:pk>/result/", result, name="result"),
    path("budgets/<int:pk>/projects/<int:project_id>/", project, name="project"),
    path("budgets/<int:pk>/projects/<int:project_id>/follow/", project_follow, name="project_follow"),
    path("budgets/updates/photos/<int:photo_id>", update_photo, name="update_photo"),
]
