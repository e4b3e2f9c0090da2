"""Pages for members and everyone: the election, nominating, voting, receipts and results.

Anyone may read a published election, its candidates and its declared result; a draft is seen
only by the people who prepare it. Nominating and voting need a signed-in member of the
constituency. A ballot's choices wait in the session between the ballot and the check page and
are dropped once cast: what the person voted is then only in the box, with nothing to link it
back to them.
"""

from __future__ import annotations

import shlex
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coproduce.core.charts import lines_chart
from coproduce.core.views.helpers import call_service
from coproduce.core.views.pagination import paginate
from coproduce.members.models import Membership
from coproduce.voting import selectors as voting_selectors
from coproduce.voting.models import BoxStatus, Channel

from .. import selectors, services
from ..forms import NominationForm, PluralityBallotForm, RankedBallotForm, ReceiptCheckForm
from ..models import Constituency, Election, Nomination, NominationStatus, Stage, Status
from ..results import figure, figure_html, note_text, stage_story

# GOV.UK tag colours for an election's status (the words say it; the colour only helps).
STATUS_TAGS = {
    Status.DRAFT: "govuk-tag--grey",
    Status.UPCOMING: "govuk-tag--grey",
    Status.NOMINATIONS: "govuk-tag--light-blue",
    Status.AWAITING_POLL: "govuk-tag--yellow",
    Status.VOTING: "govuk-tag--green",
    Status.COUNTING: "govuk-tag--orange",
    Status.DECLARED: "govuk-tag--purple",
}
RECEIPTS_PER_PAGE = 200


# Finding what a person may see -------------------------------------------------------------------


def _election(request, pk: int) -> Election:
    """A published election of a listed organisation; a draft (or a hidden organisation's) only
    for the people who prepare and run it. Anyone else: 404."""
    election = get_object_or_404(Election.objects.select_related("organisation"), pk=pk)
    hidden = election.stage == Stage.DRAFT or not election.organisation.is_public
    if hidden and not request.user.has_perm("elections.view_management", election):
        raise Http404
    return election


def _constituency(election: Election, constituency_id: int) -> Constituency:
    return get_object_or_404(
        Constituency.objects.select_related("box", "stakeholder_class", "election"),
        pk=constituency_id,
        election=election,
    )


def _declared(request, pk: int) -> Election:
    election = _election(request, pk)
    if election.stage != Stage.DECLARED:
        raise Http404
    return election


def _nomination_for(request, nomination_id: int) -> Nomination:
    """A nomination as one of the people named in it sees it; 404 for anyone else."""
    nomination = get_object_or_404(
        Nomination.objects.select_related("constituency__election__organisation", "candidate", "proposer", "seconder"),
        pk=nomination_id,
    )
    user = request.user
    if not user.is_authenticated or user.pk not in {
        nomination.candidate_id,
        nomination.proposer_id,
        nomination.seconder_id,
        nomination.nominated_by_id,
    }:
        raise Http404
    return nomination


def _notice(request, *, title: str, paragraphs: list[str], election: Election, status: int = 200, links=()):
    """A page that tells the person plainly why they cannot do something, and where to go."""
    return render(
        request,
        "elections/notice.html",
        {
            "election": election,
            "title": title,
            "paragraphs": paragraphs,
            "links": list(links),
            "language": get_language(),
        },
        status=status,
    )


def _who_votes(constituency: Constituency, language: str | None) -> str:
    if constituency.stakeholder_class_id:
        return _("Members in the %(class)s class") % {"class": constituency.stakeholder_class.localised_name(language)}
    return _("All members with a vote")


# The list and the election -------------------------------------------------------------------------


@require_GET
def election_list(request):
    """Published elections of listed organisations, newest close first."""
    return render(
        request,
        "elections/list.html",
        {"page": paginate(request, selectors.public_elections()), "tags": STATUS_TAGS, "language": get_language()},
    )


@require_GET
def election(request, pk: int):
    """The election: what is elected and when, the seats and candidates, and what this person can do now."""
    election = _election(request, pk)
    language = get_language()
    user = request.user
    status = election.status()
    constituencies = list(election.constituencies.select_related("box", "stakeholder_class"))
    accepted: dict[int, list[Nomination]] = {c.pk: [] for c in constituencies}
    for nomination in (
        Nomination.objects.filter(constituency__election=election, status=NominationStatus.ACCEPTED)
        .select_related("candidate")
        .order_by("ballot_name", "pk")
    ):
        accepted[nomination.constituency_id].append(nomination)
    rows = []
    for constituency in constituencies:
        box = constituency.box
        row = {
            "constituency": constituency,
            "who_votes": _who_votes(constituency, language),
            "candidates": accepted[constituency.pk],
            "electorate": box.electorate_size if box is not None else None,
            "can_vote": False,
            "mark": None,
        }
        is_elector, mark = voting_selectors.voter_status(box, user) if box is not None else (False, None)
        if is_elector:
            row["mark"] = mark
            row["can_vote"] = status == Status.VOTING and box.status == BoxStatus.OPEN and mark is None
            row["is_elector"] = True
        rows.append(row)
    mine = []
    may_nominate = False
    if user.is_authenticated:
        mine = list(
            Nomination.objects.filter(constituency__election=election)
            .filter(Q(candidate=user) | Q(proposer=user) | Q(seconder=user) | Q(nominated_by=user))
            .select_related("constituency")
        )
        if status == Status.NOMINATIONS:
            may_nominate = bool(selectors.constituencies_for(election, user))
    return render(
        request,
        "elections/election.html",
        {
            "election": election,
            "status": status,
            "tag_class": STATUS_TAGS[status],
            "rows": rows,
            "appointed": list(election.appointed_seats.all()),
            "mine": mine,
            "may_nominate": may_nominate,
            "is_preview": election.stage == Stage.DRAFT,
            "language": language,
        },
    )


@require_GET
def ical(request, pk: int):
    """The nominations and voting periods as an iCalendar file (RFC 5545) for a calendar app."""
    from icalendar import Calendar, Event

    election = _election(request, pk)
    title = election.localised_title(get_language())
    page = request.build_absolute_uri(reverse("elections:election", kwargs={"pk": election.pk}))
    calendar = Calendar()
    calendar.add("prodid", "-//Coproduce//Elections//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    for key, summary, start, end in (
        (
            "nominations",
            _("Nominations: %(election)s") % {"election": title},
            election.nominations_open,
            election.nominations_close,
        ),
        ("voting", _("Voting: %(election)s") % {"election": title}, election.voting_open, election.voting_close),
    ):
        event = Event()
        event.add("uid", f"election-{election.pk}-{key}@{request.get_host()}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", summary)
        event.add("description", f"{election.organisation.name}\n{page}")
        event.add("url", page)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}.ics"'
    return response


# Nominating --------------------------------------------------------------------------------------


def _member_finder(election: Election):
    def find(number: int):
        membership = (
            Membership.objects.current()
            .filter(organisation_id=election.organisation_id, member_number=number)
            .select_related("person")
            .first()
        )
        return membership.person if membership is not None else None

    return find


@login_required
def nominate(request, pk: int):
    """Nominate yourself or another member for the seats of a constituency you belong to."""
    election = _election(request, pk)
    if election.status() != Status.NOMINATIONS:
        messages.info(request, _("Nominations are not open for this election."))
        return redirect("elections:election", pk=election.pk)
    constituencies = selectors.constituencies_for(election, request.user)
    if not constituencies:
        return _notice(
            request,
            election=election,
            status=403,
            title=_("You cannot nominate in this election"),
            paragraphs=[
                _("Only members with a vote in this election can nominate candidates."),
                _("If you think you should have a vote, contact the secretary of %(organisation)s.")
                % {"organisation": election.organisation.name},
            ],
        )
    language = get_language()
    form = NominationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        constituencies=constituencies,
        language=language,
        need_proposer=election.nominations_need_proposer,
        find_member=_member_finder(election),
        initial={"candidate": "self", "ballot_name": request.user.get_full_name()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        nomination = call_service(
            form,
            services.nomination_submit,
            constituency=data["constituency"],
            candidate=request.user if data["candidate"] == "self" else data["candidate_person"],
            by=request.user,
            ballot_name=data["ballot_name"],
            statement=data["statement"],
            statement_cy=data.get("statement_cy") or "",
            photo=data.get("photo") or None,
            proposer=data.get("proposer_person"),
            seconder=data.get("seconder_person"),
        )
        if nomination is not None:
            if nomination.waiting_for:
                messages.success(
                    request,
                    _(
                        "Your nomination has been sent. We have asked the people named in it to confirm it; "
                        "the returning officer decides on it once they have."
                    ),
                )
            else:
                messages.success(request, _("Your nomination has been sent. The returning officer will decide on it."))
            return redirect("elections:nomination", nomination_id=nomination.pk)
    return render(
        request,
        "elections/nominate.html",
        {"election": election, "form": form, "language": language},
    )


@login_required
def nomination(request, nomination_id: int):
    """A nomination as its candidate, proposer, seconder or nominator sees it: who still has to
    confirm, the returning officer's decision, and Confirm and Withdraw buttons."""
    nomination = _nomination_for(request, nomination_id)
    election = nomination.constituency.election
    if request.method == "POST":
        action = request.POST.get("action")
        service = {"confirm": services.nomination_confirm, "withdraw": services.nomination_withdraw}.get(action)
        if service is None:
            messages.error(request, _("Choose whether to confirm or withdraw the nomination."))
        else:
            try:
                service(nomination=nomination, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("You have confirmed the nomination.")
                    if action == "confirm"
                    else _("The nomination has been withdrawn."),
                )
        return redirect("elections:nomination", nomination_id=nomination.pk)
    user = request.user
    to_confirm = [
        role
        for role, stamp in (
            ("candidate", nomination.candidate_consented_at),
            ("proposer", nomination.proposer_confirmed_at),
            ("seconder", nomination.seconder_confirmed_at),
        )
        if getattr(nomination, f"{role}_id") == user.pk and stamp is None
    ]
    is_open = election.status() == Status.NOMINATIONS
    return render(
        request,
        "elections/nomination.html",
        {
            "nomination": nomination,
            "election": election,
            "may_confirm": bool(to_confirm) and is_open and nomination.status == NominationStatus.SUBMITTED,
            "to_confirm": to_confirm,
            "may_withdraw": user.pk in (nomination.candidate_id, nomination.nominated_by_id)
            and nomination.status in (NominationStatus.SUBMITTED, NominationStatus.ACCEPTED)
            and timezone.now() < election.nominations_close,
            "language": get_language(),
        },
    )


@require_GET
def photo(request, nomination_id: int):
    """A candidate's photo: anyone may see an accepted candidate's (in a published election); the
    people named in a nomination and the election's officers see it before then."""
    nomination = get_object_or_404(
        Nomination.objects.select_related("constituency__election__organisation"), pk=nomination_id
    )
    election = nomination.constituency.election
    user = request.user
    public = (
        nomination.status == NominationStatus.ACCEPTED
        and election.stage != Stage.DRAFT
        and election.organisation.is_public
    )
    named = user.is_authenticated and user.pk in {
        nomination.candidate_id,
        nomination.proposer_id,
        nomination.seconder_id,
        nomination.nominated_by_id,
    }
    if not nomination.photo or not (public or named or user.has_perm("elections.view_management", election)):
        raise Http404
    try:
        handle = nomination.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = "image/png" if nomination.photo.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Voting ----------------------------------------------------------------------------------------------


def _ballot_key(constituency: Constituency) -> str:
    return f"elections:ballot:{constituency.pk}"


def _candidates(constituency: Constituency) -> list[tuple[str, str]]:
    from ..counting import candidates

    return [(str(nomination.pk), nomination.ballot_name) for nomination in candidates(constituency)]


def _ballot_form(constituency: Constituency, data=None, initial=None):
    candidates = _candidates(constituency)
    if constituency.election.is_ranked:
        return RankedBallotForm(data, candidates=candidates, initial=initial)
    return PluralityBallotForm(data, candidates=candidates, seats=constituency.seats, initial=initial)


def _ballot_gate(request, election: Election, constituency: Constituency):
    """Why this person cannot vote here now, as a response; None when they may."""
    box = constituency.box
    if box is None:
        return _notice(
            request,
            election=election,
            title=_("There is no vote for these seats"),
            paragraphs=[_("There were no more candidates than seats, so they are elected without a vote.")],
        )
    is_elector, mark = voting_selectors.voter_status(box, request.user)
    if not is_elector:
        return _notice(
            request,
            election=election,
            status=403,
            title=_("You cannot vote for these seats"),
            paragraphs=[
                _("%(who)s vote for these seats. You are not on the list of voters for them.")
                % {"who": _who_votes(constituency, get_language())},
                _(
                    "The list of voters was fixed when voting opened. "
                    "If you think you should be on it, contact the returning officer."
                ),
            ],
        )
    if mark is not None:
        request.session.pop(_ballot_key(constituency), None)
        if mark.channel == Channel.ONLINE:
            messages.info(request, _("You have already voted for these seats. Your vote was recorded once."))
            return redirect("elections:receipt", pk=election.pk, constituency_id=constituency.pk)
        if mark.channel == Channel.PAPER:
            paragraphs = [
                _("You have already voted on paper for these seats, so you cannot vote online as well."),
                _("Each member has one vote. Your paper ballot will be counted."),
            ]
        else:
            paragraphs = [
                _("A vote has already been cast for you for these seats (%(how)s), so you cannot vote online as well.")
                % {"how": mark.get_channel_display().lower()},
                _("If you did not ask anyone to vote for you, contact the returning officer."),
            ]
        return _notice(request, election=election, title=_("You have already voted"), paragraphs=paragraphs)
    if election.stage != Stage.VOTING or box.status != BoxStatus.OPEN:
        when = election.voting_open if timezone.now() < election.voting_open else None
        return _notice(
            request,
            election=election,
            title=_("Voting is not open"),
            paragraphs=[
                _("Voting opens on %(date)s.") % {"date": _long(when)}
                if when
                else _("Voting has closed for this election."),
            ],
        )
    return None


def _long(moment) -> str:
    from coproduce.core.jinja import long_date

    return long_date(moment)


def _ballot_context(election, constituency, form) -> dict:
    return {
        "election": election,
        "constituency": constituency,
        "form": form,
        "candidates": _nominations_by_key(constituency),
        "language": get_language(),
    }


def _nominations_by_key(constituency: Constituency) -> dict[str, Nomination]:
    from ..counting import candidates

    return {str(nomination.pk): nomination for nomination in candidates(constituency)}


@login_required
def ballot(request, pk: int, constituency_id: int):
    """The ballot paper: number the candidates (ranked) or tick up to N (plurality), then check."""
    election = _election(request, pk)
    constituency = _constituency(election, constituency_id)
    if (refused := _ballot_gate(request, election, constituency)) is not None:
        return refused
    if request.method == "POST":
        form = _ballot_form(constituency, request.POST)
        if form.is_valid():
            request.session[_ballot_key(constituency)] = form.choices()
            return redirect("elections:ballot_check", pk=election.pk, constituency_id=constituency.pk)
    else:
        saved = request.session.get(_ballot_key(constituency))
        initial = (
            (RankedBallotForm if election.is_ranked else PluralityBallotForm).initial_for(saved) if saved else None
        )
        form = _ballot_form(constituency, initial=initial)
    return render(request, "elections/ballot.html", _ballot_context(election, constituency, form))


@login_required
def ballot_check(request, pk: int, constituency_id: int):
    """Check your choices, in order, with a link to change them; then cast the vote (once)."""
    election = _election(request, pk)
    constituency = _constituency(election, constituency_id)
    if (refused := _ballot_gate(request, election, constituency)) is not None:
        return refused
    key = _ballot_key(constituency)
    choices = request.session.get(key)
    if not choices or any(choice not in constituency.box.options for choice in choices):
        return redirect("elections:ballot", pk=election.pk, constituency_id=constituency.pk)
    error = None
    if request.method == "POST":
        try:
            services.vote(constituency=constituency, person=request.user, choices=choices)
        except ValidationError as refusal:
            if refusal.code == "already_voted":  # a second tab or a double click cast it first
                request.session.pop(key, None)
                messages.info(request, _("You have already voted for these seats. Your vote was recorded once."))
                return redirect("elections:receipt", pk=election.pk, constituency_id=constituency.pk)
            if refusal.code in ("closed", "not_open"):
                request.session.pop(key, None)
                messages.info(request, _("Voting has closed for this election. Your vote was not recorded."))
                return redirect("elections:election", pk=election.pk)
            error = " ".join(refusal.messages)
        else:
            # What was voted now lives only in the box: nothing of it stays with the person.
            request.session.pop(key, None)
            return redirect("elections:receipt", pk=election.pk, constituency_id=constituency.pk)
    by_key = _nominations_by_key(constituency)
    return render(
        request,
        "elections/ballot_check.html",
        {
            "election": election,
            "constituency": constituency,
            "chosen": [by_key[choice] for choice in choices],
            "error": error,
            "language": get_language(),
        },
    )


@login_required
@require_GET
def receipt(request, pk: int, constituency_id: int):
    """The voter's receipt code, and how to find it in the published list after the close."""
    election = _election(request, pk)
    constituency = _constituency(election, constituency_id)
    box = constituency.box
    is_elector, mark = voting_selectors.voter_status(box, request.user) if box is not None else (False, None)
    if not is_elector:
        raise Http404
    if mark is None:
        return redirect("elections:ballot", pk=election.pk, constituency_id=constituency.pk)
    return render(
        request,
        "elections/receipt.html",
        {
            "election": election,
            "constituency": constituency,
            "mark": mark,
            "published": box.status == BoxStatus.SEALED,
            "language": get_language(),
        },
    )


# Results and receipts ------------------------------------------------------------------------------


def _figure(value) -> str:
    """An exact count as people read it: 12.00000 → 12, 3.66666 stays 3.66666."""
    return figure(value)


def _float(value) -> float:
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return 0.0


def _result_view(election: Election, constituency: Constituency, language: str | None) -> dict:
    """What the result page shows for one constituency, from its published report."""
    result = constituency.result or {}
    names = list(result.get("candidates", []))
    elected = set(result.get("elected", []))
    turnout = result.get("turnout") or {}
    electorate, voted = turnout.get("electorate"), turnout.get("voted")
    view = {
        "constituency": constituency,
        "name": constituency.localised_name(language),
        "rules": result.get("rules", ""),
        "seats": result.get("seats", constituency.seats),
        "elected_names": result.get("elected_names", []),
        "uncontested": constituency.uncontested,
        "quota": figure_html(result.get("quota")),
        "valid": _figure(result.get("valid")),
        "electorate": electorate,
        "voted": voted,
        "spoilt": turnout.get("spoilt"),
        "percent": f"{100 * voted / electorate:.1f}" if electorate and voted is not None else None,
        "seed": result.get("seed"),
        "notes": [note_text(note) for note in result.get("notes", [])],
        "lot": [names[c - 1] for c in result.get("lot", [])],
        "blt_url": f"/api/elections/{election.pk}/constituencies/{constituency.pk}/ballots.blt",
        "command": None,
        "stages": [],
        "sheet": [],
        "chart": "",
        "votes": [],
    }
    if view["rules"] == "plurality":
        votes = result.get("votes", [])
        view["votes"] = sorted(
            ({"name": names[i], "votes": votes[i], "elected": i + 1 in elected} for i in range(len(names))),
            key=lambda row: -row["votes"],
        )
    elif result.get("stages"):
        stages = result["stages"]
        view["stages"] = [
            {
                "number": s["stage"],
                "description": stage_story(s, names),
                "transfer_value": _figure(s.get("transfer_value")),
            }
            for s in stages
        ]
        sheet = []
        for index, name in enumerate(names):
            number = index + 1
            cells = []
            for s in stages:
                mark = (
                    "elected"
                    if number in s.get("elected", [])
                    else "excluded"
                    if number in s.get("excluded", [])
                    else ""
                )
                cells.append({"total": figure_html(s["totals"][index]), "mark": mark})
            sheet.append({"name": name, "cells": cells, "elected": number in elected})
        view["sheet"] = sheet
        view["non_transferable"] = [figure_html(s.get("non_transferable")) for s in stages]
        series = [(name, [_float(s["totals"][index]) for s in stages]) for index, name in enumerate(names)]
        view["chart"] = lines_chart(
            [_("Stage %(number)s") % {"number": s["stage"]} for s in stages],
            series,
            title=_(
                "Line chart: each candidate's votes at each stage of the count for %(seats)s. "
                "The table gives the numbers."
            )
            % {"seats": view["name"]},
            chart_id=f"count-{constituency.pk}",
        )
        command = ["coproduce", "count", "stv", "ballots.blt", "--rules", view["rules"]]
        if view["seed"]:
            command += ["--seed", view["seed"]]
        command += ["--format", "json"]
        view["command"] = shlex.join(command)
    return view


def _results(election: Election, language: str | None) -> list[dict]:
    return [_result_view(election, c, language) for c in election.constituencies.select_related("box")]


@require_GET
def result(request, pk: int):
    """The declared result: elected, quota, turnout, the stage-by-stage sheet and how to recount it."""
    election = _declared(request, pk)
    language = get_language()
    return render(
        request,
        "elections/result.html",
        {"election": election, "results": _results(election, language), "language": language},
    )


@require_GET
def result_pdf(request, pk: int):
    """The result sheet as a PDF to print and pin up."""
    from weasyprint import HTML  # loading Pango costs time no other page need pay

    election = _declared(request, pk)
    language = get_language()
    html = render_to_string(
        "elections/result_pdf.html",
        {
            "election": election,
            "results": _results(election, language),
            "language": language,
            "page_url": request.build_absolute_uri(reverse("elections:result", kwargs={"pk": election.pk})),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="election-{election.pk}-result.pdf"'
    return response


@require_GET
def receipts(request, pk: int, constituency_id: int):
    """The published receipt codes of a sealed ballot box, with a form to look for one's own code."""
    election = _election(request, pk)
    constituency = _constituency(election, constituency_id)
    codes = voting_selectors.published_receipts(constituency.box) if constituency.box is not None else []
    form = ReceiptCheckForm(request.GET if "code" in request.GET else None)
    found = None
    if form.is_bound and form.is_valid() and codes:
        found = form.cleaned_data["code"] in set(codes)
    return render(
        request,
        "elections/receipts.html",
        {
            "election": election,
            "constituency": constituency,
            "published": bool(constituency.box is not None and constituency.box.status == BoxStatus.SEALED),
            "page": Paginator(codes, RECEIPTS_PER_PAGE).get_page(request.GET.get("page")),
            "count": len(codes),
            "form": form,
            "found": found,
            "language": get_language(),
        },
    )


@require_GET
def receipts_txt(request, pk: int, constituency_id: int):
    """The published receipt codes as plain text, one a line."""
    election = _election(request, pk)
    constituency = _constituency(election, constituency_id)
    if constituency.box is None or constituency.box.status != BoxStatus.SEALED:
        raise Http404
    codes = voting_selectors.published_receipts(constituency.box)
    response = HttpResponse("".join(f"{code}\n" for code in codes), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="receipts-{election.pk}-{constituency.pk}.txt"'
    return response


urlpatterns = [
    path("elections/", election_list, name="list"),
    path("elections/<int:pk>/", election, name="election"),
    path("elections/<int:pk>/dates.ics", ical, name="ical"),
    path("elections/<int:pk>/nominate/", nominate, name="nominate"),
    path("elections/nominations/<int:nomination_id>/", nomination, name="nomination"),
    path("elections/nominations/<int:nomination_id>/photo", photo, name="photo"),
    path("elections/<int:pk>/vote/<int:constituency_id>/", ballot, name="ballot"),
    path("elections/<int:pk>/vote/<int:constituency_id>/check/", ballot_check, name="ballot_check"),
    path("elections/<int:pk>/vote/<int:constituency_id>/receipt/", receipt, name="receipt"),
    path("elections/<int:pk>/result/", result, name="result"),
    path("elections/<int:pk>/result.pdf", result_pdf, name="result_pdf"),
    path("elections/<int:pk>/constituencies/<int:constituency_id>/receipts/", receipts, name="receipts"),
    path("elections/<int:pk>/constituencies/<int:constituency_id>/receipts.txt", receipts_txt, name="receipts_txt"),
]
