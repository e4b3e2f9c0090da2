"""Pages for the organisation's secretary and the election's returning officer.

The secretary sets an election up (its details, seats and timetable) and publishes it; the
returning officer runs it from one page (``manage``) that says what to do next: decide the
nominations, publish the seed, open and close voting, remind those who have not voted, start
the count. Either of them enters paper ballots, and a batch is checked by someone other than
who entered it. Every button calls one service; a refusal is shown on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.core.models import OrganisationKind, Role, RoleKind, User
from coproduce.core.views.helpers import as_id, call_service, messages_of
from coproduce.members import selectors as members
from coproduce.members.models import Membership
from coproduce.voting import selectors as ballots
from coproduce.voting import services as voting
from coproduce.voting.models import Ballot, BoxStatus, Channel, PaperBatch

from .. import services, tasks
from ..forms import (
    TIMETABLE,
    AppointedSeatForm,
    CastForForm,
    ConstituencyForm,
    ElectionForm,
    NominationDecisionForm,
    PluralityBallotForm,
    RankedBallotForm,
    SeedForm,
    SpoiltPaperForm,
    VoterSearchForm,
)
from ..models import (
    REASON_MAX_LENGTH,
    AppointedSeat,
    Constituency,
    Election,
    Nomination,
    NominationStatus,
    Stage,
    Status,
)

# --- Fetching and authorising -------------------------------------------------------------------


def _refuse(organisation) -> None:
    """A hidden organisation's elections answer 404 to those without the permission; others 403."""
    if not organisation.is_public:
        raise Http404
    raise PermissionDenied


def _election(request, pk: int, permission: str) -> Election:
    """The election, if ``request.user`` holds ``permission`` on it (``manage_elections`` is asked of
    its organisation)."""
    election = get_object_or_404(Election.objects.select_related("organisation", "returning_officer"), pk=pk)
    target = election.organisation if permission == "elections.manage_elections" else election
    if not request.user.has_perm(permission, target):
        _refuse(election.organisation)
    return election


def _constituency(election: Election, key: Any, *, polled: bool = False) -> Constituency | None:
    """One of the election's constituencies by its id (as typed in a form or a query), or None."""
    constituencies = election.constituencies.select_related("box", "stakeholder_class")
    if polled:
        constituencies = constituencies.exclude(box=None)
    try:
        return constituencies.get(pk=int(key))
    except (TypeError, ValueError, Constituency.DoesNotExist):
        return None


def _batch(election: Election, batch_id: int) -> PaperBatch:
    boxes = election.constituencies.exclude(box=None).values("box")
    return get_object_or_404(
        PaperBatch.objects.select_related("box", "entered_by", "checked_by"), pk=batch_id, box__in=boxes
    )


def _returning_officers(organisation, current: User | None = None) -> list[tuple[User, str]]:
    """Who may be returning officer: the organisation's secretaries, board members and officers, and
    the officers of its sponsoring council (of any council when it has none). They all hold roles,
    so they sign in with a second factor."""
    councils = Q(organisation__kind=OrganisationKind.COUNCIL, kind=RoleKind.OFFICER)
    if organisation.sponsoring_council_id:
        councils &= Q(organisation_id=organisation.sponsoring_council_id)
    roles = (
        Role.objects.current()
        .filter(
            Q(organisation=organisation, kind__in=(RoleKind.SECRETARY, RoleKind.BOARD_MEMBER, RoleKind.OFFICER))
            | councils
        )
        .select_related("person", "organisation")
        .order_by("person__full_name", "person__email", "pk")
    )
    people: dict[int, tuple[User, list[str]]] = {}
    for role in roles:
        people.setdefault(role.person_id, (role.person, []))[1].append(
            _("%(role)s, %(organisation)s") % {"role": role.get_kind_display(), "organisation": role.organisation.name}
        )
    if current is not None and current.pk not in people:
        people[current.pk] = (current, [])
    return [
        (person, f"{person.get_full_name()} ({'; '.join(roles)})" if roles else person.get_full_name())
        for person, roles in people.values()
    ]


def _result_url(election: Election) -> str:
    """The result page (another part of the app builds it; until it exists, the election's page)."""
    try:
        return reverse("elections:result", kwargs={"pk": election.pk})
    except NoReverseMatch:
        return reverse("elections:election", kwargs={"pk": election.pk})


# --- Setting an election up (the secretary) -------------------------------------------------------


@login_required
def manage_list(request, slug: str):
    """The organisation's elections, drafts included, and the button to create one."""
    organisation = members.organisation_for_secretary(
        user=request.user, slug=slug, permission="elections.manage_elections"
    )
    elections = list(Election.objects.filter(organisation=organisation).select_related("returning_officer"))
    return render(
        request,
        "elections/manage_list.html",
        {"organisation": organisation, "elections": elections, "language": get_language()},
    )


def _election_form_page(request, *, organisation, form, election=None, locked=False):
    return render(
        request,
        "elections/manage_form.html",
        {
            "organisation": organisation,
            "election": election,
            "form": form,
            "locked": locked,
            "timetable": [(name, label) for name, label in TIMETABLE],
            "language": get_language(),
        },
    )


@login_required
def create(request, slug: str):
    """A new election (a draft until it is published)."""
    organisation = members.organisation_for_secretary(
        user=request.user, slug=slug, permission="elections.manage_elections"
    )
    form = ElectionForm(request.POST if request.method == "POST" else None, officers=_returning_officers(organisation))
    if request.method == "POST" and form.is_valid():
        election = call_service(
            form, services.election_create, organisation=organisation, by=request.user, **form.values()
        )
        if election is not None:
            messages.success(request, _("You created the election. Now add the seats it elects, then publish it."))
            return redirect("elections:manage", pk=election.pk)
    return _election_form_page(request, organisation=organisation, form=form)


@login_required
def edit(request, pk: int):
    """Change an election's details and timetable until nominations open."""
    election = _election(request, pk, "elections.manage_elections")
    officers = _returning_officers(election.organisation, election.returning_officer)
    form = ElectionForm(
        request.POST if request.method == "POST" else None,
        officers=officers,
        initial=ElectionForm.initial_for(election),
    )
    locked = election.status() not in (Status.DRAFT, Status.UPCOMING)
    if (
        not locked
        and request.method == "POST"
        and form.is_valid()
        and call_service(form, services.election_update, election=election, by=request.user, **form.values())
    ):
        messages.success(request, _("You saved the changes to the election."))
        return redirect("elections:manage", pk=election.pk)
    return _election_form_page(request, organisation=election.organisation, form=form, election=election, locked=locked)


@login_required
def constituency_add(request, pk: int):
    """Seats elected on one ballot, by all the members or by the members of one class."""
    election = _election(request, pk, "elections.manage_elections")
    language = get_language()
    classes = list(election.organisation.stakeholder_classes.order_by("order", "name"))
    form = ConstituencyForm(request.POST if request.method == "POST" else None, classes=classes, language=language)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        constituency = call_service(
            form,
            services.constituency_add,
            election=election,
            by=request.user,
            name=data["name"],
            name_cy=data["name_cy"],
            seats=data["seats"],
            stakeholder_class=data["elected_by"],
        )
        if constituency is not None:
            messages.success(request, _("You added the seats “%(name)s”.") % {"name": constituency.name})
            return redirect("elections:manage", pk=election.pk)
    return render(
        request,
        "elections/manage_constituency.html",
        {"election": election, "form": form, "language": language},
    )


@login_required
def appointed_seat_add(request, pk: int):
    """Seats filled by appointment, listed beside the elected ones."""
    election = _election(request, pk, "elections.manage_elections")
    form = AppointedSeatForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        seat = call_service(form, services.appointed_seat_add, election=election, by=request.user, **form.cleaned_data)
        if seat is not None:
            messages.success(request, _("You added the appointed seats “%(name)s”.") % {"name": seat.title})
            return redirect("elections:manage", pk=election.pk)
    return render(
        request,
        "elections/manage_appointed_seat.html",
        {"election": election, "form": form, "language": get_language()},
    )


# --- The management page and its buttons ----------------------------------------------------------


def _next_step(election: Election, *, status: str, pending: int, problems: list[str], now) -> str:
    """In plain words, what the election needs next."""
    from coproduce.core.jinja import long_date

    if status == Status.DRAFT:
        if not election.constituencies.exists():
            return _("Add the seats the election fills, then publish the election so that members can see it.")
        return _("Check the details and the seats, then publish the election so that members can see it.")
    if status == Status.UPCOMING:
        return _("Nominations open on %(date)s. Until then you can still change the election.") % {
            "date": long_date(election.nominations_open)
        }
    if status == Status.NOMINATIONS:
        return _(
            "Nominations are open until %(date)s. Decide each nomination once everyone named has confirmed it."
        ) % {"date": long_date(election.nominations_close)}
    if status == Status.AWAITING_POLL:
        if pending:
            return _("Nominations have closed. Decide the nominations still waiting, then open voting.")
        if now < election.voting_open:
            return _("Every nomination is decided. Voting opens on %(date)s: open it then.") % {
                "date": long_date(election.voting_open)
            }
        return _("Every nomination is decided and it is time to open voting.")
    if status == Status.VOTING:
        if now < election.voting_close:
            return _("Voting is open until %(date)s. Enter any paper ballots as they come in.") % {
                "date": long_date(election.voting_close)
            }
        return _("The time for voting has passed: close voting.")
    if status == Status.COUNTING:
        if problems:
            return _("Voting has closed. Before the count can start, finish the paper ballots.")
        return _("Voting has closed: start the count.")
    return _("The result has been declared.")


def _manage_page(request, election: Election, *, errors: list[str] | None = None, status: int = 200):
    user = request.user
    now = timezone.now()
    election_status = election.status(now)
    constituencies = list(election.constituencies.select_related("box", "stakeholder_class"))
    rows = []
    pending = 0
    for constituency in constituencies:
        nominations = list(
            constituency.nominations.select_related("candidate", "proposer", "seconder").order_by("ballot_name", "pk")
        )
        pending += sum(1 for nomination in nominations if nomination.status == NominationStatus.SUBMITTED)
        rows.append(
            {
                "constituency": constituency,
                "nominations": nominations,
                "turnout": ballots.turnout(constituency.box) if constituency.box_id else None,
            }
        )
    problems = services.count_problems(election) if election.stage == Stage.CLOSED else []
    unchecked = PaperBatch.objects.filter(
        box__in=[c.box_id for c in constituencies if c.box_id], checked_at__isnull=True
    ).count()
    return render(
        request,
        "elections/manage.html",
        {
            "election": election,
            "status": election_status,
            "Status": Status,
            "Stage": Stage,
            "now": now,
            "rows": rows,
            "appointed_seats": list(election.appointed_seats.all()),
            "pending": pending,
            "problems": problems,
            "unchecked": unchecked,
            "next_step": _next_step(election, status=election_status, pending=pending, problems=problems, now=now),
            "errors": errors or [],
            "can_set_up": user.has_perm("elections.manage_elections", election.organisation),
            "can_run": user.has_perm("elections.run_election", election),
            "can_handle_papers": user.has_perm("elections.handle_papers", election),
            "editable": election_status in (Status.DRAFT, Status.UPCOMING),
            "result_url": _result_url(election),
            "channels": [(channel.value, channel.label) for channel in Channel],
            "language": get_language(),
        },
        status=status,
    )


@login_required
def manage(request, pk: int):
    """The one page for running an election, showing what to do next at each stage."""
    return _manage_page(request, _election(request, pk, "elections.view_management"))


def _action(request, pk: int, permission: str, service: Callable[..., Any], done: str, **kwargs: Any):
    """A button on the management page: call one service, then back to the page (or the page with
    the refusal in its error summary)."""
    election = _election(request, pk, permission)
    try:
        service(election=election, by=request.user, **kwargs)
    except ValidationError as error:
        return _manage_page(request, election, errors=messages_of(error))
    messages.success(request, done)
    return redirect("elections:manage", pk=election.pk)


@login_required
@require_POST
def publish(request, pk: int):
    return _action(
        request,
        pk,
        "elections.manage_elections",
        services.election_publish,
        _("You published the election. Members can now see it and its timetable."),
    )


@login_required
@require_POST
def open_voting(request, pk: int):
    return _action(
        request,
        pk,
        "elections.run_election",
        services.election_open_voting,
        _("Voting is open. The members who can vote have been emailed a link."),
    )


@login_required
@require_POST
def close_voting(request, pk: int):
    return _action(
        request,
        pk,
        "elections.run_election",
        services.election_close_voting,
        _("Voting has closed. The count starts as soon as every paper ballot is entered and checked."),
    )


@login_required
@require_POST
def count(request, pk: int):
    return _action(
        request,
        pk,
        "elections.run_election",
        services.election_count,
        _("The votes have been counted and the result declared."),
    )


@login_required
@require_POST
def remind(request, pk: int):
    """Email everyone on the electorate who has not voted yet (a task sends them)."""
    election = _election(request, pk, "elections.run_election")
    if election.stage != Stage.VOTING:
        return _manage_page(request, election, errors=[_("Reminders can be sent only while voting is open.")])
    tasks.send_voting_reminder.enqueue(election.pk)
    messages.success(request, _("A reminder is being sent to everyone who has not voted yet."))
    return redirect("elections:manage", pk=election.pk)


@login_required
@require_POST
def constituency_remove(request, pk: int):
    election = _election(request, pk, "elections.manage_elections")
    constituency = _constituency(election, request.POST.get("constituency"))
    if constituency is None:
        return _manage_page(request, election, errors=[_("Choose the seats to remove.")])
    try:
        services.constituency_remove(constituency=constituency, by=request.user)
    except ValidationError as error:
        return _manage_page(request, election, errors=messages_of(error))
    messages.success(request, _("You removed the seats “%(name)s”.") % {"name": constituency.name})
    return redirect("elections:manage", pk=election.pk)


@login_required
@require_POST
def appointed_seat_remove(request, pk: int):
    election = _election(request, pk, "elections.manage_elections")
    key = request.POST.get("seat", "")
    seat = AppointedSeat.objects.filter(election=election, pk=as_id(key)).first() if as_id(key) else None
    if seat is None:
        return _manage_page(request, election, errors=[_("Choose the appointed seats to remove.")])
    try:
        services.appointed_seat_remove(seat=seat, by=request.user)
    except ValidationError as error:
        return _manage_page(request, election, errors=messages_of(error))
    messages.success(request, _("You removed the appointed seats “%(name)s”.") % {"name": seat.title})
    return redirect("elections:manage", pk=election.pk)


@login_required
def seed(request, pk: int):
    """Publish the seed any lot in the count will use."""
    election = _election(request, pk, "elections.run_election")
    form = SeedForm(request.POST if request.method == "POST" else None, initial={"seed": election.seed})
    fixed = election.stage in (Stage.CLOSED, Stage.DECLARED)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form, services.election_seed_set, election=election, by=request.user, seed=form.cleaned_data["seed"]
        )
    ):
        messages.success(request, _("You published the seed."))
        return redirect("elections:manage", pk=election.pk)
    return render(
        request,
        "elections/manage_seed.html",
        {"election": election, "form": form, "fixed": fixed, "language": get_language()},
    )


@login_required
def decide(request, nomination_id: int):
    """Accept a nomination, or reject it with a reason the candidate is emailed."""
    nomination = get_object_or_404(
        Nomination.objects.select_related(
            "constituency__election__organisation", "candidate", "proposer", "seconder", "nominated_by"
        ),
        pk=nomination_id,
    )
    election = nomination.constituency.election
    if not request.user.has_perm("elections.run_election", election):
        _refuse(election.organisation)
    form = NominationDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        done = call_service(
            form,
            services.nomination_decide,
            nomination=nomination,
            accept=accept,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            if accept:
                message = _("You accepted the nomination of %(name)s.")
            else:
                message = _("You rejected the nomination of %(name)s. They have been emailed the reason.")
            messages.success(request, message % {"name": nomination.ballot_name})
            return redirect("elections:manage", pk=election.pk)
    return render(
        request,
        "elections/manage_decide.html",
        {
            "election": election,
            "nomination": nomination,
            "form": form,
            "reason_max_length": REASON_MAX_LENGTH,
            "language": get_language(),
        },
    )


# --- Paper ballots and votes cast on someone's behalf ----------------------------------------------


def _polled(election: Election) -> list[Constituency]:
    return list(election.constituencies.exclude(box=None).select_related("box", "stakeholder_class"))


def _chosen(request, election: Election, constituencies: list[Constituency]) -> Constituency | None:
    """The constituency named in the query (or the form), else the only one polled."""
    key = request.POST.get("constituency") or request.GET.get("constituency")
    if key:
        return next((c for c in constituencies if str(c.pk) == key), None)
    return constituencies[0] if len(constituencies) == 1 else None


def _candidates(box) -> list[tuple[str, str]]:
    """The ballot paper's candidates (key, name on the ballot), in its order."""
    names = dict(Nomination.objects.filter(pk__in=[int(key) for key in box.options]).values_list("pk", "ballot_name"))
    return [(key, names.get(int(key), key)) for key in box.options]


def _ballot_form(election: Election, constituency: Constituency, data=None):
    candidates = _candidates(constituency.box)
    if election.is_ranked:
        return RankedBallotForm(data, candidates=candidates)
    return PluralityBallotForm(data, candidates=candidates, seats=constituency.seats)


def _electors(constituency: Constituency, query: str) -> list[dict[str, Any]]:
    """People on the constituency's electorate matching a member number or a name, and whether a
    vote is recorded for them (not how, nor by which channel)."""
    box = constituency.box
    memberships = Membership.objects.filter(
        organisation_id=constituency.election.organisation_id,
        person__in=box.electors.values("person"),
    ).select_related("person")
    query = query.strip()
    if as_id(query) is not None:
        memberships = memberships.filter(member_number=as_id(query))
    else:
        memberships = memberships.filter(Q(person__full_name__icontains=query) | Q(person__email__iexact=query))
    found = list(memberships.order_by("member_number")[:20])
    voted = set(
        box.electors.filter(mark__isnull=False, person__in=[m.person_id for m in found]).values_list(
            "person", flat=True
        )
    )
    return [{"membership": m, "person": m.person, "voted": m.person_id in voted} for m in found]


@login_required
def paper(request, pk: int):
    """Paper ballots for one constituency: mark who returned a paper, and the batches of papers."""
    election = _election(request, pk, "elections.handle_papers")
    constituencies = _polled(election)
    constituency = _chosen(request, election, constituencies)
    errors: list[str] = []
    search = VoterSearchForm(request.GET if "q" in request.GET else None)
    found = None
    if constituency is not None and search.is_bound and search.is_valid():
        found = _electors(constituency, search.cleaned_data["q"])
    if request.method == "POST" and constituency is not None:
        box = constituency.box
        try:
            if request.POST.get("action") == "mark":
                person = (
                    User.objects.filter(pk=request.POST.get("person"), pk__in=box.electors.values("person")).first()
                    if as_id(request.POST.get("person"))
                    else None
                )
                if person is None:
                    raise ValidationError(_("Find the voter on the electorate first."))
                voting.paper_vote_mark(box=box, person=person, by=request.user)
                messages.success(
                    request,
                    _("%(name)s is marked as having returned a paper ballot. They cannot now vote online.")
                    % {"name": person.get_full_name()},
                )
                return redirect(
                    reverse("elections:paper", kwargs={"pk": election.pk}) + f"?constituency={constituency.pk}"
                )
            if request.POST.get("action") == "batch":
                batch = voting.paper_batch_start(box=box, by=request.user)
                return redirect("elections:paper_batch", pk=election.pk, batch_id=batch.pk)
            errors.append(_("Choose what to do."))
        except ValidationError as error:
            errors += messages_of(error)
    elif request.method == "POST":
        errors.append(_("Choose the seats whose papers these are."))
    batches = list(ballots.paper_batches(constituency.box)) if constituency is not None else []
    counts = {}
    if batches:
        from django.db.models import Count

        counts = dict(Ballot.objects.filter(batch__in=batches).order_by().values_list("batch").annotate(n=Count("pk")))
    return render(
        request,
        "elections/paper.html",
        {
            "election": election,
            "constituencies": constituencies,
            "constituency": constituency,
            "search": search,
            "found": found,
            # Once checked a batch keeps its count (its papers leave it when the box is sealed).
            "batches": [
                (batch, batch.papers if getattr(batch, "papers", None) is not None else counts.get(batch.pk, 0))
                for batch in batches
            ],
            "turnout": ballots.turnout(constituency.box) if constituency is not None else None,
            "open": constituency is not None and constituency.box.status == BoxStatus.OPEN,
            "errors": errors,
            "language": get_language(),
        },
        status=200,
    )


def _papers(batch: PaperBatch, candidates: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The batch's papers as they read, for the officer and the checker (no voter on them)."""
    names = dict(candidates)
    return [
        {"ballot": ballot, "names": [names.get(key, key) for key in ballot.content]}
        for ballot in ballots.batch_ballots(batch)
    ]


@login_required
def paper_batch(request, pk: int, batch_id: int):
    """Enter each paper of a batch as it reads, or as spoilt; see and take back what is entered."""
    election = _election(request, pk, "elections.handle_papers")
    batch = _batch(election, batch_id)
    constituency = Constituency.objects.select_related("box").get(box=batch.box)
    candidates = _candidates(batch.box)
    action = request.POST.get("action") if request.method == "POST" else None
    form = _ballot_form(election, constituency, request.POST if action == "enter" else None)
    spoilt = SpoiltPaperForm(request.POST if action == "spoilt" else None)
    errors: list[str] = []
    if action == "enter" and form.is_valid():
        if call_service(form, voting.paper_ballot_enter, batch=batch, by=request.user, content=form.choices()):
            messages.success(request, _("Paper entered. Enter the next one."))
            return redirect("elections:paper_batch", pk=election.pk, batch_id=batch.pk)
    elif action == "spoilt" and spoilt.is_valid():
        if call_service(
            spoilt,
            voting.paper_ballot_enter,
            batch=batch,
            by=request.user,
            spoilt_reason=spoilt.cleaned_data["spoilt_reason"],
        ):
            messages.success(request, _("Spoilt paper recorded. Enter the next one."))
            return redirect("elections:paper_batch", pk=election.pk, batch_id=batch.pk)
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
            return redirect("elections:paper_batch", pk=election.pk, batch_id=batch.pk)
    elif request.method == "POST" and action not in ("enter", "spoilt"):
        errors.append(_("Choose what to do."))
    return render(
        request,
        "elections/paper_batch.html",
        {
            "election": election,
            "constituency": constituency,
            "batch": batch,
            "form": form,
            "spoilt": spoilt,
            "ranked": election.is_ranked,
            "papers": _papers(batch, candidates),
            "mine": batch.entered_by_id == request.user.pk,
            "sealed": batch.box.status == BoxStatus.SEALED,
            "errors": errors,
            "language": get_language(),
        },
    )


@login_required
def paper_check(request, pk: int, batch_id: int):
    """A second person compares the batch's papers as entered with the papers themselves and confirms."""
    election = _election(request, pk, "elections.handle_papers")
    batch = _batch(election, batch_id)
    constituency = Constituency.objects.select_related("box").get(box=batch.box)
    errors: list[str] = []
    if request.method == "POST":
        try:
            voting.paper_batch_check(batch=batch, by=request.user)
        except ValidationError as error:
            errors += messages_of(error)
        else:
            messages.success(request, _("You checked batch %(number)s.") % {"number": batch.number})
            return redirect(reverse("elections:paper", kwargs={"pk": election.pk}) + f"?constituency={constituency.pk}")
    return render(
        request,
        "elections/paper_check.html",
        {
            "election": election,
            "constituency": constituency,
            "batch": batch,
            "papers": _papers(batch, _candidates(batch.box)),
            "mine": batch.entered_by_id == request.user.pk,
            "sealed": batch.box.status == BoxStatus.SEALED,
            "errors": errors,
            "language": get_language(),
        },
    )


@login_required
def cast_for(request, pk: int):
    """Record a vote cast on someone's behalf, by their proxy or with assistance (recording who did)."""
    election = _election(request, pk, "elections.handle_papers")
    constituencies = _polled(election)
    constituency = _chosen(request, election, constituencies)
    language = get_language()
    if constituency is None:
        return render(
            request,
            "elections/paper_cast_for.html",
            {"election": election, "constituencies": constituencies, "constituency": None, "language": language},
        )
    data = request.POST if request.method == "POST" else None
    voter = CastForForm(data)
    form = _ballot_form(election, constituency, data)
    if data is not None and voter.is_valid() & form.is_valid():
        person = (
            Membership.objects.filter(
                organisation_id=election.organisation_id,
                member_number=voter.cleaned_data["member_number"],
                person__in=constituency.box.electors.values("person"),
            )
            .select_related("person")
            .first()
        )
        if person is None:
            voter.add_error(
                "member_number",
                _("No one with the member number %(number)s is on the electorate for these seats.")
                % {"number": voter.cleaned_data["member_number"]},
            )
        else:
            person = person.person
            receipt = call_service(
                voter,
                services.vote_for,
                constituency=constituency,
                person=person,
                choices=form.choices(),
                by=request.user,
                channel=voter.cleaned_data["channel"],
            )
            if receipt is not None:
                messages.success(
                    request,
                    _("The vote of %(name)s is recorded. Their receipt code is %(receipt)s.")
                    % {"name": person.get_full_name(), "receipt": receipt},
                )
                return redirect("elections:manage", pk=election.pk)
    return render(
        request,
        "elections/paper_cast_for.html",
        {
            "election": election,
            "constituencies": constituencies,
            "constituency": constituency,
            "voter": voter,
            "form": form,
            "ranked": election.is_ranked,
            "language": language,
        },
    )


urlpatterns = [
    path("organisations/<slug:slug>/elections/", manage_list, name="manage_list"),
    path("organisations/<slug:slug>/elections/new/", create, name="create"),
    path("elections/<int:pk>/manage/", manage, name="manage"),
    path("elections/<int:pk>/edit/", edit, name="edit"),
    path("elections/<int:pk>/constituencies/new/", constituency_add, name="constituency_add"),
    path("elections/<int:pk>/constituencies/remove/", constituency_remove, name="constituency_remove"),
    path("elections/<int:pk>/appointed-seats/new/", appointed_seat_add, name="appointed_seat_add"),
    path("elections/<int:pk>/appointed-seats/remove/", appointed_seat_remove, name="appointed_seat_remove"),
    path("elections/<int:pk>/publish/", publish, name="publish"),
    path("elections/<int:pk>/seed/", seed, name="seed"),
    path("elections/nominations/<int:nomination_id>/decide/", decide, name="decide"),
    path("elections/<int:pk>/open/", open_voting, name="open_voting"),
    path("elections/<int:pk>/remind/", remind, name="remind"),
    path("elections/<int:pk>/close/", close_voting, name="close_voting"),
    path("elections/<int:pk>/count/", count, name="count"),
    path("elections/<int:pk>/paper/", paper, name="paper"),
    path("elections/<int:pk>/paper/batches/<int:batch_id>/", paper_batch, name="paper_batch"),
    path("elections/<int:pk>/paper/batches/<int:batch_id>/check/", paper_check, name="paper_check"),
    path("elections/<int:pk>/cast-for/", cast_for, name="cast_for"),
]
