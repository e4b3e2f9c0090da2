"""Youth polls' pages: the list, a poll (its options as big pictures with alt text, one tap each),
its results page, the options' pictures, and the officers' pages to set a poll up and run it.

Anyone may read a published poll of a listed organisation; a draft is seen only by the people who
run it (``budgets.manage_rounds`` on the organisation, like a round; they hold roles, so they have
signed in with a second factor). Voting needs a signed-in young person the poll's eligibility says
yes to; anyone else is told the reason. Every button calls one service; a refusal is shown on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coproduce.core.charts import bar_chart
from coproduce.core.models import Organisation, Place, PlaceKind
from coproduce.core.verification import VerificationLevel
from coproduce.core.views.helpers import as_id
from coproduce.voting import selectors as ballots

from .. import selectors, services
from ..forms import PollForm, PollOptionForm, PollVoteForm
from ..models import PollOption, PollStage, YouthPoll

RECENT_RESULTS = 10
# What a person is told about a poll's state (the words say it; the tag colour only helps).
STATE_TAGS = {
    "draft": "govuk-tag--grey",
    "coming": "govuk-tag--yellow",
    "open": "govuk-tag--green",
    "closed": "govuk-tag--orange",
    "declared": "govuk-tag--purple",
}
# Refusals of a vote that are about what was picked (shown on the options); others on the form.
PICKING_CODES = frozenset({"empty", "too_many", "unknown_option", "repeated"})


# Finding what a person may see ----------------------------------------------------------------------


def _may_manage(request, poll: YouthPoll) -> bool:
    return request.user.has_perm("budgets.manage_rounds", poll.organisation)


def _poll(request, pk: int) -> YouthPoll:
    """A published poll of a listed organisation; a draft (or a hidden organisation's) only for the
    people who run it. Anyone else: 404."""
    poll = get_object_or_404(YouthPoll.objects.select_related("organisation", "place", "box"), pk=pk)
    hidden = poll.stage == PollStage.DRAFT or not poll.organisation.is_public
    if hidden and not _may_manage(request, poll):
        raise Http404
    return poll


def _managed(request, pk: int) -> YouthPoll:
    """A poll its organisation's officers run: a hidden organisation's (or a draft) answers 404 to
    others, as an unknown number does; a listed organisation's published poll answers 403."""
    poll = get_object_or_404(YouthPoll.objects.select_related("organisation", "place", "box"), pk=pk)
    if not _may_manage(request, poll):
        if not poll.organisation.is_public or poll.stage == PollStage.DRAFT:
            raise Http404
        raise PermissionDenied
    return poll


def _organisation(request, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("budgets.manage_rounds", organisation):
        if not organisation.is_public:
            raise Http404
        raise PermissionDenied
    return organisation


def state(poll: YouthPoll, now=None) -> str:
    """Where a poll is, for the people reading it: draft, coming, open, closed (not yet counted), declared."""
    now = now or timezone.now()
    if poll.stage == PollStage.DRAFT:
        return "draft"
    if poll.stage == PollStage.DECLARED:
        return "declared"
    if poll.stage == PollStage.OPEN:
        return "open" if now < poll.closes else "closed"
    return "coming" if now < poll.closes else "closed"


def state_label(key: str) -> str:
    return {
        "draft": _("Being prepared"),
        "coming": _("Not open yet"),
        "open": _("Voting open"),
        "closed": _("Voting closed"),
        "declared": _("Result out"),
    }[key]


def who_may_vote(poll: YouthPoll, language: str | None) -> str:
    place = poll.place.localised_name(language)
    if poll.place.kind == PlaceKind.WARD:
        place = _("%(place)s ward") % {"place": place}
    return _("Young people aged %(low)s to %(high)s who live in %(place)s.") % {
        "low": poll.min_age,
        "high": poll.max_age,
        "place": place,
    }


def _picture_url(option: PollOption) -> str:
    return reverse("budgets:poll_picture", kwargs={"option_id": option.pk}) if option.picture else ""


# The list and a poll --------------------------------------------------------------------------------


@require_GET
def poll_list(request):
    """Polls open now, coming soon, closed and waiting for the count, and the latest results; for
    an officer, the polls they run (drafts too) and where to create one."""
    now = timezone.now()
    polls = selectors.public_polls()
    open_polls = list(polls.filter(stage=PollStage.OPEN, closes__gt=now).order_by("closes", "pk"))
    coming = list(polls.filter(stage=PollStage.PUBLISHED, closes__gt=now).order_by("opens", "pk"))
    waiting = list(
        polls.filter(Q(stage=PollStage.OPEN) | Q(stage=PollStage.PUBLISHED), closes__lte=now).order_by("-closes")
    )
    results = list(polls.filter(stage=PollStage.DECLARED).order_by("-declared_at", "-pk")[:RECENT_RESULTS])
    return render(
        request,
        "budgets/poll_list.html",
        {
            "open_polls": open_polls,
            "coming": coming,
            "waiting": waiting,
            "results": results,
            "run_by_you": selectors.polls_run_by(request.user),
            "state": state,
            "state_label": state_label,
            "tags": STATE_TAGS,
            "who_may_vote": who_may_vote,
            "language": get_language(),
        },
    )


def _vote_error(form, error: ValidationError) -> None:
    form.add_error("options" if getattr(error, "code", None) in PICKING_CODES else None, error)


def poll(request, pk: int):
    """The poll in plain words: the question, who may vote, the options as big pictures; the ballot
    for a young person who may vote, the reason for anyone who may not, and "your vote is in"."""
    poll = _poll(request, pk)
    if request.method not in ("GET", "HEAD", "POST"):
        raise Http404
    language = get_language()
    now = timezone.now()
    user = request.user
    options = list(selectors.poll_options(poll))
    key = state(poll, now)
    on_list, mark = (False, None)
    if poll.box is not None and user.is_authenticated:
        on_list, mark = ballots.voter_status(poll.box, user)
    answer = selectors.may_vote(poll, user) if user.is_authenticated else None
    form = PollVoteForm(
        request.POST if request.method == "POST" else None,
        options=options,
        pick_limit=poll.pick_limit,
        language=language,
    )
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        if form.is_valid():
            try:
                services.poll_vote(poll=poll, person=user, option_ids=form.picked())
            except ValidationError as error:
                _vote_error(form, error)
                if error.code == "already_voted":
                    on_list, mark = ballots.voter_status(poll.box, user)
            else:
                request.session[f"budgets_poll_voted_{poll.pk}"] = True
                return redirect(reverse("budgets:poll", kwargs={"pk": poll.pk}) + "#your-vote")
    just_voted = bool(mark) and request.session.pop(f"budgets_poll_voted_{poll.pk}", False)
    can_vote = key == "open" and on_list and mark is None and user.is_authenticated
    if key == "open" and user.is_authenticated and not on_list and mark is None:
        # Not on the list fixed when voting opened: say why, in the eligibility's words where it has them.
        reason = answer.reason if answer is not None and not answer else ""
        if not reason:
            reason = _("Only the young people who could take part when voting opened can vote in this poll.")
    else:
        reason = ""
    return render(
        request,
        "budgets/poll.html",
        {
            "poll": poll,
            "options": [(option, _picture_url(option)) for option in options],
            "form": form,
            "state": key,
            "state_label": state_label(key),
            "tag": STATE_TAGS[key],
            "who": who_may_vote(poll, language),
            "level": VerificationLevel(poll.min_level).label,
            "can_vote": can_vote,
            "voted": mark is not None,
            "just_voted": just_voted,
            "reason": reason,
            "may_manage": _may_manage(request, poll),
            "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
            "language": language,
        },
    )


@require_GET
def poll_picture(request, option_id: int):
    """An option's picture, for anyone who may see its poll."""
    option = get_object_or_404(PollOption.objects.select_related("poll__organisation"), pk=option_id)
    poll = option.poll
    hidden = poll.stage == PollStage.DRAFT or not poll.organisation.is_public
    if not option.picture or (hidden and not _may_manage(request, poll)):
        raise Http404
    try:
        handle = option.picture.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = "image/png" if option.picture.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def result_rows(poll: YouthPoll, options: list[PollOption], language: str | None) -> list[dict]:
    """The options by votes, most first (then in the poll's order), each with its place: options with
    the same votes share a place and are marked as tied."""
    votes = {str(key): count for key, count in (poll.result or {}).get("votes", {}).items()}
    rows = [
        {
            "option": option,
            "title": option.localised_title(language),
            "alt": option.localised_alt(language),
            "picture": _picture_url(option),
            "votes": votes.get(str(option.pk), 0),
        }
        for option in options
    ]
    rows.sort(key=lambda row: -row["votes"])  # stable: ties keep the poll's order
    counts = [row["votes"] for row in rows]
    for row in rows:
        row["place"] = 1 + sum(1 for count in counts if count > row["votes"])
        row["tied"] = counts.count(row["votes"]) > 1
    return rows


@require_GET
def poll_result(request, pk: int):
    """The poll's own results page: the options by votes with their pictures, a bar chart with the
    same numbers in a table, and turnout."""
    poll = _poll(request, pk)
    if poll.stage != PollStage.DECLARED:
        raise Http404
    language = get_language()
    rows = result_rows(poll, list(selectors.poll_options(poll)), language)
    result = poll.result or {}
    voters, electorate = result.get("voters", 0), result.get("electorate", 0)
    title = poll.localised_title(language)
    chart = bar_chart(
        [(row["title"], row["votes"]) for row in rows],
        title=_("Bar chart: votes for each option in %(poll)s. The table below gives the numbers.") % {"poll": title},
        chart_id=f"poll-{poll.pk}-chart",
    )
    return render(
        request,
        "budgets/poll_result.html",
        {
            "poll": poll,
            "rows": rows,
            "chart": chart,
            "voters": voters,
            "electorate": electorate,
            "percent": round(100 * voters / electorate) if electorate else 0,
            "winners": [row for row in rows if row["place"] == 1 and row["votes"] > 0],
            "language": language,
        },
    )


# Officers' pages -------------------------------------------------------------------------------------

# What the officer is told once each action is done.
DONE = {
    "edit": gettext_lazy("You changed the poll."),
    "add_option": gettext_lazy("You added the option."),
    "remove_option": gettext_lazy("You took the option off the poll."),
    "publish": gettext_lazy("You published the poll. Anyone can see it now; voting opens on its date."),
    "open": gettext_lazy("Voting is open. The young people who may take part can vote now."),
    "close": gettext_lazy("Voting is closed and the votes are counted: the result is published."),
}


def _places(organisation: Organisation) -> list[Place]:
    """The places an organisation may poll: its area (or its sponsoring council's) and those within it."""
    area = organisation.area
    if area is None and organisation.sponsoring_council_id:
        area = organisation.sponsoring_council.area
    if area is None:
        return list(Place.objects.exclude(kind=PlaceKind.NEIGHBOURHOOD))
    return list(Place.objects.filter(Q(pk=area.pk) | Q(path__startswith=area.path + "/")))


def _form_page(request, *, organisation: Organisation, form: PollForm, poll: YouthPoll | None = None):
    return render(
        request,
        "budgets/poll_form.html",
        {"organisation": organisation, "form": form, "poll": poll, "language": get_language()},
    )


@login_required
def poll_create(request, slug: str):
    """A new youth poll (a draft until it is published)."""
    organisation = _organisation(request, slug)
    form = PollForm(request.POST if request.method == "POST" else None, places=_places(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.poll_create(organisation=organisation, by=request.user, **form.values())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("You created the poll. Now add the options to pick from, then publish it."))
            return redirect("budgets:poll_manage", pk=poll.pk)
    return _form_page(request, organisation=organisation, form=form)


@login_required
def poll_manage(request, pk: int):
    """Run a poll from one page: change it, add and remove options (picture and alt text), publish
    it, open voting, and close and count it. Each button posts ``action`` and calls one service."""
    poll = _managed(request, pk)
    organisation = poll.organisation
    language = get_language()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    places = _places(organisation)
    form = PollForm(request.POST if action == "edit" else None, places=places, initial=PollForm.initial_for(poll))
    option_form = PollOptionForm(
        request.POST if action == "add_option" else None,
        request.FILES if action == "add_option" else None,
        prefix="option",
    )

    errors: list[str] = []
    if request.method == "POST":
        done = None
        try:
            if action == "edit":
                if form.is_valid():
                    done = services.poll_update(poll=poll, by=request.user, **form.values())
            elif action == "add_option":
                if option_form.is_valid():
                    data = option_form.cleaned_data
                    done = services.poll_option_add(
                        poll=poll,
                        by=request.user,
                        title=data["title"],
                        title_cy=data["title_cy"],
                        picture=data["picture"],
                        alt=data["alt"],
                        alt_cy=data["alt_cy"],
                    )
            elif action == "remove_option":
                key = as_id(request.POST.get("option"))
                option = PollOption.objects.filter(poll=poll, pk=key).first() if key else None
                if option is None:
                    errors.append(_("Choose an option of this poll to take off."))
                else:
                    services.poll_option_remove(option=option, by=request.user)
                    done = True
            elif action == "publish":
                done = services.poll_publish(poll=poll, by=request.user)
            elif action == "open":
                done = services.poll_open(poll=poll, by=request.user)
            elif action == "close":
                done = services.poll_close(poll=poll, by=request.user)
            else:
                errors.append(_("Choose what to do."))
        except ValidationError as error:
            if action == "edit":
                form.add_service_error(error)
            elif action == "add_option":
                option_form.add_service_error(error)
            else:
                errors.extend(error.messages)
        if done is not None:
            messages.success(request, DONE[action])
            return redirect("budgets:poll_manage", pk=poll.pk)
    now = timezone.now()
    options = list(selectors.poll_options(poll))
    turnout = ballots.turnout(poll.box) if poll.box is not None and poll.stage == PollStage.OPEN else None
    key = state(poll, now)
    return render(
        request,
        "budgets/poll_manage.html",
        {
            "poll": poll,
            "organisation": organisation,
            "options": [(option, _picture_url(option)) for option in options],
            "form": form,
            "option_form": option_form,
            "errors": errors,
            "action": action,
            "editable": poll.stage in (PollStage.DRAFT, PollStage.PUBLISHED),
            "state": key,
            "state_label": state_label(key),
            "tag": STATE_TAGS[key],
            "who": who_may_vote(poll, language),
            "level": VerificationLevel(poll.min_level).label,
            "turnout": turnout,
            "now": now,
            "PollStage": PollStage,
            "language": language,
        },
    )


urlpatterns = [
    path("budgets/polls/", poll_list, name="poll_list"),
    path("budgets/polls/<int:pk>/", poll, name="poll"),
    path("budgets/polls/<int:pk>/result/", poll_result, name="poll_result"),
    path("budgets/polls/options/<int:option_id>/picture", poll_picture, name="poll_picture"),
    path("budgets/polls/<int:pk>/manage/", poll_manage, name="poll_manage"),
    path("organisations/<slug:slug>/polls/new/", poll_create, name="poll_create"),
]
