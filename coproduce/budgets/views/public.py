"""Residents' pages of a budget round: the rounds, a round's timetable and projects, its dates as
iCal, the ideas (reading, supporting, sending one) and their photos.

Anyone may read a published round of a listed fund holder; a draft is seen only by the people who
run it. Sending and supporting ideas need a signed-in resident the round's eligibility says yes to;
a person it says no to is told the reason, and where they can put it right.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coproduce.core.models import Place, PlaceKind
from coproduce.core.verification import VerificationLevel
from coproduce.core.views.pagination import paginate

from .. import selectors, services
from ..forms import IdeaForm
from ..models import BudgetRound, Idea, IdeaPhoto, IdeaStatus, IdeaSupport, Stage, Status

# GOV.UK tag colours for a round's status (the words say it; the colour only helps).
STATUS_TAGS = {
    Status.DRAFT: "govuk-tag--grey",
    Status.UPCOMING: "govuk-tag--grey",
    Status.IDEAS: "govuk-tag--light-blue",
    Status.REVIEW: "govuk-tag--yellow",
    Status.AWAITING_VOTE: "govuk-tag--yellow",
    Status.VOTING: "govuk-tag--green",
    Status.COUNTING: "govuk-tag--orange",
    Status.DECLARED: "govuk-tag--purple",
}
# The phase of the timetable a status falls in (none before ideas open, or between review and vote).
CURRENT_PHASE = {
    Status.IDEAS: "ideas",
    Status.REVIEW: "review",
    Status.VOTING: "voting",
    Status.COUNTING: "results",
    Status.DECLARED: "delivery",
}
# Once the review is done, the costed projects and the ideas found not feasible are public.
REVIEWED = frozenset({Status.AWAITING_VOTE, Status.VOTING, Status.COUNTING, Status.DECLARED})
IDEAS_PER_PAGE = 20
# More wards than this are offered as a drop-down rather than radios.
WARD_RADIOS_MAX = 10


# Finding what a person may see -------------------------------------------------------------------


def _may_see(request, budget_round: BudgetRound) -> bool:
    hidden = budget_round.stage == Stage.DRAFT or not budget_round.organisation.is_public
    return not hidden or request.user.has_perm("budgets.run_round", budget_round)


def _round(request, pk: int) -> BudgetRound:
    """A published round of a listed fund holder; a draft (or a hidden fund holder's) only for the
    people who run it. Anyone else: 404."""
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation", "place", "box"), pk=pk)
    if not _may_see(request, budget_round):
        raise Http404
    return budget_round


def _insider(request, idea: Idea) -> bool:
    """The idea's proposer, or someone who runs its round: they see an idea before it is published
    and the text of one hidden by a moderator."""
    user = request.user
    return user.is_authenticated and (idea.proposer_id == user.pk or user.has_perm("budgets.run_round", idea.round))


def _idea(request, budget_round: BudgetRound, idea_id: int) -> Idea:
    """An idea of the round anyone may open (published or hidden with its reason); one waiting for
    moderation only for its proposer and the round's officers."""
    idea = get_object_or_404(Idea.objects.select_related("ward", "merged_into"), pk=idea_id, round=budget_round)
    idea.round = budget_round
    if idea.status == IdeaStatus.SUBMITTED and not _insider(request, idea):
        raise Http404
    return idea


def _sign_in_url(request) -> str:
    return reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})


def _remedy(request, budget_round: BudgetRound) -> dict[str, str] | None:
    """Where a person the round says no to can put it right: giving their address or date of
    birth, or confirming their address. None where nothing they can do changes the answer."""
    person = request.user
    if not person.is_authenticated:
        return {"href": _sign_in_url(request), "text": _("Sign in")}
    details = reverse("core:account_details") + "?" + urlencode({"next": request.get_full_path()})
    if person.ward_id is None:
        return {"href": details, "text": _("Give your address")}
    place = budget_round.place
    ward = person.ward
    if not (ward.pk == place.pk or ward.path.startswith(place.path + "/")):
        return None
    if person.verification_level < budget_round.min_level:
        return {"href": reverse("core:account") + "#verification", "text": _("Confirm your address")}
    ages = budget_round.min_age is not None or budget_round.max_age is not None
    if ages and person.date_of_birth is None:
        return {"href": details, "text": _("Give your date of birth")}
    return None


def _notice(request, *, budget_round: BudgetRound, title: str, paragraphs: list[str], links=(), status: int = 200):
    """A page that tells the person plainly why they cannot do something, and where to go."""
    return render(
        request,
        "budgets/round_notice.html",
        {
            "budget_round": budget_round,
            "title": title,
            "paragraphs": paragraphs,
            "links": [link for link in links if link],
            "language": get_language(),
        },
        status=status,
    )


# The rounds and a round ----------------------------------------------------------------------------


@require_GET
def round_list(request):
    """Published rounds of listed fund holders, the latest vote first, each with its status."""
    return render(
        request,
        "budgets/list.html",
        {"page": paginate(request, selectors.public_rounds()), "tags": STATUS_TAGS, "language": get_language()},
    )


def _address_check(level: int) -> str:
    """Whose address is sure enough, as a whole phrase: a level and every surer one."""
    if level >= VerificationLevel.CHECKED:
        return _("Anyone whose address has been checked in person")
    if level >= VerificationLevel.CONFIRMED:
        return _("Anyone whose address has been confirmed or checked in person")
    return _("Anyone who has told us their address")


def _who(budget_round: BudgetRound, language: str | None) -> list[dict]:
    """Who may take part, as rows of a summary list."""
    place = budget_round.place
    name = place.localised_name(language)
    rows = [
        {
            "key": {"text": _("Where you live")},
            "value": {
                "text": _("People who live in %(place)s ward") % {"place": name}
                if place.kind == PlaceKind.WARD
                else _("People who live in %(place)s") % {"place": name}
            },
        }
    ]
    if budget_round.min_level > VerificationLevel.NONE:
        rows.append(
            {
                "key": {"text": _("Address check")},
                "value": {"text": _address_check(budget_round.min_level)},
            }
        )
    low, high = budget_round.min_age, budget_round.max_age
    if low is not None or high is not None:
        if low is not None and high is not None:
            ages = _("Aged %(low)d to %(high)d") % {"low": low, "high": high}
        elif low is not None:
            ages = _("Aged %(low)d or older") % {"low": low}
        else:
            ages = _("Aged %(high)d or younger") % {"high": high}
        rows.append({"key": {"text": _("Ages")}, "value": {"text": ages}})
    return rows


def _timetable(budget_round: BudgetRound, status: str) -> list[dict]:
    """The phases with their dates, the current one marked."""
    from coproduce.core.jinja import long_date

    current = CURRENT_PHASE.get(status)
    declared = budget_round.declared_at
    rows = [
        (
            "ideas",
            _("Ideas"),
            _("From %(start)s to %(end)s")
            % {"start": long_date(budget_round.ideas_open), "end": long_date(budget_round.ideas_close)},
        ),
        (
            "review",
            _("Review and costing"),
            _("From %(start)s to %(end)s")
            % {"start": long_date(budget_round.ideas_close), "end": long_date(budget_round.review_close)},
        ),
        (
            "voting",
            _("Voting"),
            _("From %(start)s to %(end)s")
            % {"start": long_date(budget_round.voting_open), "end": long_date(budget_round.voting_close)},
        ),
        (
            "results",
            _("Results"),
            _("Declared on %(date)s") % {"date": long_date(declared)}
            if declared
            else _("On %(date)s") % {"date": long_date(budget_round.results_on)}
            if budget_round.results_on
            else _("Once the votes are counted, after voting closes"),
        ),
        (
            "delivery",
            _("Delivery"),
            _("Projects delivered by %(date)s") % {"date": long_date(budget_round.delivery_by)}
            if budget_round.delivery_by
            else _("The funded projects are delivered after the result"),
        ),
    ]
    return [{"key": key, "name": name, "when": when, "current": key == current} for key, name, when in rows]


@require_GET
def round_page(request, pk: int):
    """The round: what it is for, its timetable, who may take part (and whether this person may),
    what they can do now, and the projects once costed."""
    budget_round = _round(request, pk)
    language = get_language()
    status = budget_round.status()
    user = request.user
    answer = selectors.may_take_part(budget_round, user) if user.is_authenticated else None
    reviewed = status in REVIEWED
    return render(
        request,
        "budgets/round.html",
        {
            "budget_round": budget_round,
            "status": status,
            "tag_class": STATUS_TAGS[status],
            "timetable": _timetable(budget_round, status),
            "who": _who(budget_round, language),
            "answer": answer,
            "remedy": _remedy(request, budget_round) if answer is not None and not answer else None,
            "sign_in_url": _sign_in_url(request),
            "idea_count": selectors.published_ideas(budget_round).count(),
            "projects": list(selectors.ballot_projects(budget_round)) if reviewed else [],
            "not_feasible": list(selectors.not_feasible_projects(budget_round)) if reviewed else [],
            "reviewed": reviewed,
            "is_preview": budget_round.stage == Stage.DRAFT,
            "language": language,
        },
    )


@require_GET
def calendar(request, pk: int):
    """The round's phases as an iCalendar file (RFC 5545) for a calendar app."""
    from icalendar import Calendar, Event

    budget_round = _round(request, pk)
    title = budget_round.localised_title(get_language())
    page = request.build_absolute_uri(reverse("budgets:round", kwargs={"pk": budget_round.pk}))
    calendar = Calendar()
    calendar.add("prodid", "-//Coproduce//Budgets//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    day = datetime.timedelta(days=1)
    phases = [
        ("ideas", _("Send ideas: %(round)s"), budget_round.ideas_open, budget_round.ideas_close),
        ("review", _("Ideas reviewed and costed: %(round)s"), budget_round.ideas_close, budget_round.review_close),
        ("voting", _("Voting: %(round)s"), budget_round.voting_open, budget_round.voting_close),
    ]
    # Whole days: the results announced, and the projects delivered by.
    if budget_round.results_on:
        phases.append(("results", _("Results: %(round)s"), budget_round.results_on, budget_round.results_on + day))
    if budget_round.delivery_by:
        delivery = budget_round.delivery_by
        phases.append(("delivery", _("Projects delivered by: %(round)s"), delivery, delivery + day))
    for key, summary, start, end in phases:
        event = Event()
        event.add("uid", f"budget-{budget_round.pk}-{key}@{request.get_host()}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", summary % {"round": title})
        event.add("description", f"{budget_round.organisation.name}\n{page}")
        event.add("url", page)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="budget-{budget_round.pk}.ics"'
    return response


# Ideas ----------------------------------------------------------------------------------------------


@require_GET
def ideas(request, pk: int):
    """The published ideas with their support, and the hidden ones with the moderator's reason."""
    budget_round = _round(request, pk)
    # The most supported first (a GROUP BY drops the model's ordering, so it is given here).
    published = (
        selectors.published_ideas(budget_round)
        .order_by("-support", "-submitted_at", "pk")
        .prefetch_related(Prefetch("photos", queryset=IdeaPhoto.objects.order_by("pk")))
    )
    hidden = Idea.objects.filter(round=budget_round, status=IdeaStatus.HIDDEN, merged_into__isnull=True).only(
        "pk", "moderation_reason"
    )
    return render(
        request,
        "budgets/ideas.html",
        {
            "budget_round": budget_round,
            "status": budget_round.status(),
            "page": paginate(request, published, per_page=IDEAS_PER_PAGE),
            "hidden": list(hidden),
            "language": get_language(),
        },
    )


@require_GET
def idea(request, pk: int, idea_id: int):
    """One idea: what, where, its photos and supporters, and a Support button for eligible residents.
    A hidden idea shows the moderator's reason in place of its text (its proposer and the round's
    officers still see the text)."""
    budget_round = _round(request, pk)
    idea = _idea(request, budget_round, idea_id)
    user = request.user
    insider = _insider(request, idea)
    status = budget_round.status()
    supportable = status == Status.IDEAS and idea.status == IdeaStatus.PUBLISHED and idea.merged_into_id is None
    supports, answer = False, None
    if supportable and user.is_authenticated:
        supports = IdeaSupport.objects.filter(idea=idea, person=user).exists()
        if not supports:
            answer = selectors.may_take_part(budget_round, user)
    return render(
        request,
        "budgets/idea.html",
        {
            "budget_round": budget_round,
            "idea": idea,
            "status": status,
            "show_text": idea.status == IdeaStatus.PUBLISHED or insider,
            "is_proposer": user.is_authenticated and idea.proposer_id == user.pk,
            "photos": list(idea.photos.order_by("pk")) if idea.status == IdeaStatus.PUBLISHED or insider else [],
            "support_count": idea.supports.count(),
            "supportable": supportable,
            "supports": supports,
            "answer": answer,
            "remedy": _remedy(request, budget_round) if answer is not None and not answer else None,
            "sign_in_url": _sign_in_url(request),
            "language": get_language(),
        },
    )


@login_required
@require_POST
def idea_support(request, pk: int, idea_id: int):
    """Support an idea, once; the reason is shown where the person may not."""
    budget_round = _round(request, pk)
    idea = _idea(request, budget_round, idea_id)
    try:
        services.idea_support(idea=idea, person=request.user)
    except ValidationError as refusal:
        if refusal.code == "already_supported":
            messages.info(request, " ".join(refusal.messages))
        else:
            messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Thank you: you support this idea."))
    return redirect("budgets:idea", pk=budget_round.pk, idea_id=idea.pk)


@require_GET
def idea_photo(request, photo_id: int):
    """A photo of an idea, to anyone who may read the idea's text."""
    photo = get_object_or_404(IdeaPhoto.objects.select_related("idea__round__organisation", "idea__round"), pk=photo_id)
    idea = photo.idea
    if not _may_see(request, idea.round) or not (idea.status == IdeaStatus.PUBLISHED or _insider(request, idea)):
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


def _places(budget_round: BudgetRound) -> list[Place]:
    """The round's place, then the wards within it (a ward round: the ward alone)."""
    return [budget_round.place, *Place.objects.wards().within(budget_round.place)]


def _put_refusal(form: IdeaForm, refusal: ValidationError) -> None:
    """The service's refusal beside the field it is about (a photo's, beside that photo)."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for field, errors in refusal.error_dict.items():
        for error in errors:
            target = form.photo_error_field(error) if field == "photos" else field
            form.add_error(target if target in form.fields else None, error)


@login_required
def idea_submit(request, pk: int):
    """Send an idea while the round takes them: eligible residents only, others told why."""
    budget_round = _round(request, pk)
    if budget_round.status() != Status.IDEAS:
        messages.info(request, _("This budget round is not taking ideas."))
        return redirect("budgets:round", pk=budget_round.pk)
    answer = selectors.may_take_part(budget_round, request.user)
    if not answer:
        return _notice(
            request,
            budget_round=budget_round,
            status=403,
            title=_("You cannot send an idea to this budget"),
            paragraphs=[answer.reason],
            links=[_remedy(request, budget_round)],
        )
    language = get_language()
    posted = request.method == "POST"
    form = IdeaForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        places=_places(budget_round),
        language=language,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_submit(
                budget_round=budget_round,
                person=request.user,
                title=data["title"],
                description=data["description"],
                where=data["where"],
                ward=data["ward"],
                photos=data["photos"],
            )
        except ValidationError as refusal:
            _put_refusal(form, refusal)
        else:
            messages.success(
                request,
                _("Thank you: your idea has been sent. An officer will check it before it is published."),
            )
            return redirect("budgets:idea", pk=budget_round.pk, idea_id=idea.pk)
    return render(
        request,
        "budgets/idea_submit.html",
        {
            "budget_round": budget_round,
            "form": form,
            "ward_radios": "ward" in form.fields and len(form.fields["ward"].choices) <= WARD_RADIOS_MAX,
            "language": language,
        },
    )


urlpatterns = [
    path("budgets/", round_list, name="list"),
    path("budgets/<int:pk>/", round_page, name="round"),
    path("budgets/<int:pk>/dates.ics", calendar, name="calendar"),
    path("budgets/<int:pk>/ideas/", ideas, name="ideas"),
    path("budgets/<int:pk>/ideas/new/", idea_submit, name="idea_submit"),
    path("budgets/<int:pk>/ideas/<int:idea_id>/", idea, name="idea"),
    path("budgets/<int:pk>/ideas/<int:idea_id>/support/", idea_support, name="idea_support"),
    path("budgets/ideas/photos/<int:photo_id>", idea_photo, name="idea_photo"),
]
