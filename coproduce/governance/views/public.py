"""Meetings' pages for members (and for everyone, where an organisation's record is public).

A member sees the meetings of the organisations they belong to (board and committee meetings if
they sit on the board), each with its agenda and papers, the resolutions in full with the
threshold each needs, their proxy, their votes and how the meeting voted, the published minutes
and the QR code that checks them in. Members appoint and revoke proxies, vote in advance or in
the poll (and for the members whose discretionary proxy they hold), check themselves in with
their notice's code, and open and sign requisitions for a special general meeting.

Every read goes through a selector that authorises (``meeting_for_member``); every write through
a service, whose refusal is shown on the page beside the field it is about.
"""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from markupsafe import Markup

from coproduce.core.jinja import long_date
from coproduce.core.models import Organisation, User
from coproduce.core.views.pagination import paginate
from coproduce.members import selectors as members
from coproduce.members.models import Membership
from coproduce.voting.models import Elector, Mark

from .. import selectors, services
from ..forms import ProxyAppointForm, RequisitionOpenForm, ResolutionVoteForm, SelfCheckInForm
from ..models import (
    AgendaItem,
    AttendanceMode,
    Meeting,
    MeetingStatus,
    Proxy,
    Requisition,
    RequisitionSignature,
    Resolution,
    VotingMethod,
)

# GOV.UK tag colours for a meeting's status (the words say it; the colour only helps).
STATUS_TAGS = {
    MeetingStatus.DRAFT: "govuk-tag--grey",
    MeetingStatus.CALLED: "govuk-tag--light-blue",
    MeetingStatus.IN_PROGRESS: "govuk-tag--green",
    MeetingStatus.CLOSED: "govuk-tag--grey",
}
# Upcoming meetings listed at the top of the list page (past ones are paged below them).
UPCOMING_SHOWN = 50


# -- Small helpers -----------------------------------------------------------------------------------------


def _reverse_or_none(name: str, **kwargs: Any) -> str | None:
    """A URL of a page another part of the app may not have yet (the secretary's pages)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _notice(request, *, meeting: Meeting, title: str, paragraphs: list[str], status: int = 200, links=()):
    """A page that tells the person plainly why they cannot do something here, and where to go."""
    return render(
        request,
        "governance/member_notice.html",
        {
            "meeting": meeting,
            "title": title,
            "paragraphs": paragraphs,
            "links": list(links),
            "language": get_language(),
        },
        status=status,
    )


def _threshold_words(meeting: Meeting, resolution: Resolution) -> str:
    """What the resolution needs to pass: the threshold it was declared against, or the rules'."""
    threshold = resolution.threshold or selectors.rules_for(meeting).threshold_for(resolution.kind)
    return services.describe_threshold(threshold)


def _my_marks(resolutions: list[Resolution], user: User) -> dict[int, tuple[bool, Mark | None]]:
    """For each resolution's box: whether ``user`` is on its electorate, and their mark if they have
    voted (one query for every box)."""
    boxes = [r.box_id for r in resolutions if r.box_id is not None]
    if not boxes or not user.is_authenticated:
        return {}
    found: dict[int, tuple[bool, Mark | None]] = {}
    for elector in Elector.objects.filter(box_id__in=boxes, person=user).select_related("mark"):
        try:
            mark = elector.mark
        except Mark.DoesNotExist:
            mark = None
        found[elector.box_id] = (True, mark)
    return found


def _advance_open(meeting: Meeting, resolution: Resolution, now: datetime.datetime) -> bool:
    return (
        resolution.method == VotingMethod.ADVANCE
        and meeting.status == MeetingStatus.CALLED
        and now < meeting.starts_at
        and resolution.box_id is not None
    )


def _poll_open(meeting: Meeting, resolution: Resolution) -> bool:
    return (
        meeting.status == MeetingStatus.IN_PROGRESS
        and resolution.method == VotingMethod.POLL
        and resolution.poll_opened_at is not None
        and not resolution.is_declared
        and resolution.box_id is not None
    )


def _proxies_may_vote(meeting: Meeting, resolution: Resolution) -> bool:
    """At the meeting, before the declaration: a discretionary proxy votes (in the poll, once it is open)."""
    if meeting.status != MeetingStatus.IN_PROGRESS or resolution.is_declared or resolution.box_id is None:
        return False
    return resolution.method != VotingMethod.POLL or resolution.poll_opened_at is not None


def _discretionary_held(meeting: Meeting, user: User):
    if not user.is_authenticated:
        return Proxy.objects.none()
    return selectors.proxies_held(meeting, user).filter(directed=False)


def _check_in_link(request, meeting: Meeting, user: User) -> str:
    token = selectors.check_in_token(meeting, user)
    return request.build_absolute_uri(reverse("governance:check_in", kwargs={"pk": meeting.pk, "token": token}))


def _qr(url: str, title: str) -> Markup:
    """A QR code of ``url`` as inline SVG with its title (segno writes it; the URL is ours)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", title=title)
    svg = svg.replace("<svg ", '<svg role="img" ', 1)  # named by its <title>
    return Markup(svg)  # noqa: S704


# -- The list and the meeting ------------------------------------------------------------------------------


@require_GET
def meeting_list(request):
    """The signed-in person's meetings and those open to the public: upcoming first, then past."""
    user = request.user
    public = selectors.public_meetings().values("pk")
    if user.is_authenticated:
        mine = selectors.meetings_for_member(user=user).values("pk")
        visible = Meeting.objects.filter(Q(pk__in=mine) | Q(pk__in=public))
        my_ids = set(mine.values_list("pk", flat=True))
    else:
        visible = Meeting.objects.filter(pk__in=public)
        my_ids = set()
    visible = visible.select_related("organisation")
    soon = list(selectors.upcoming(visible)[:UPCOMING_SHOWN])
    past = visible.exclude(pk__in=[meeting.pk for meeting in soon]).order_by("-starts_at", "-pk")
    return render(
        request,
        "governance/list.html",
        {
            "upcoming": soon,
            "page": paginate(request, past),
            "mine": my_ids,
            "tags": STATUS_TAGS,
            "language": get_language(),
        },
    )


def _proxy_panel(meeting: Meeting, user: User, now: datetime.datetime) -> dict | None:
    """What the "your proxy" panel says, or None where proxies do not apply."""
    if not meeting.is_general or meeting.status == MeetingStatus.DRAFT:
        return None
    rules = selectors.rules_for(meeting)
    if not rules.proxies_allowed:
        return None
    deadline = meeting.proxy_deadline
    panel = {
        "deadline": deadline,
        "open": meeting.status == MeetingStatus.CALLED and deadline is not None and now < deadline,
        "refusal": None,
        "proxy": None,
        "signed_in": user.is_authenticated,
    }
    if not user.is_authenticated:
        return panel
    panel["refusal"] = selectors.vote_refusal(meeting, user)
    panel["proxy"] = selectors.proxy_of(meeting, user)
    return panel


@require_GET
def meeting(request, pk: int):
    """The meeting: when and where, the notice, the agenda and papers, the resolutions in full, the
    person's proxy, votes and check-in code, how the meeting voted, and the minutes."""
    user = request.user
    meeting = selectors.meeting_for_member(user=user, meeting_id=pk)
    language = get_language()
    now = timezone.now()
    resolutions = list(meeting.resolutions.select_related("box").order_by("order", "pk"))
    marks = _my_marks(resolutions, user)
    attendance = meeting.attendances.filter(person=user).first() if user.is_authenticated else None
    may_attend = user.is_authenticated and selectors.attend_refusal(meeting, user) is None
    held = list(_discretionary_held(meeting, user)) if meeting.status == MeetingStatus.IN_PROGRESS else []
    rows = []
    for number, resolution in enumerate(resolutions, start=1):
        is_elector, mark = marks.get(resolution.box_id, (False, None))
        advance = _advance_open(meeting, resolution, now)
        poll = _poll_open(meeting, resolution)
        rows.append(
            {
                "number": number,
                "resolution": resolution,
                "title": resolution.localised_title(language),
                "text": resolution.localised_text(language),
                "needs": _threshold_words(meeting, resolution),
                "is_elector": is_elector,
                "mark": mark,
                "advance_open": advance,
                "poll_open": poll,
                "may_vote": is_elector
                and mark is None
                and (advance or (poll and attendance is not None and attendance.may_vote)),
                "proxy_votes": bool(held) and _proxies_may_vote(meeting, resolution),
                "confirmation": selectors.confirmation_due(resolution) if resolution.is_declared else None,
            }
        )
    check_in = None
    if may_attend and attendance is None and meeting.status in (MeetingStatus.CALLED, MeetingStatus.IN_PROGRESS):
        link = _check_in_link(request, meeting, user)
        check_in = {
            "link": link,
            "qr": _qr(link, _("QR code that checks you in to this meeting")),
            "opens": meeting.starts_at - services.CHECK_IN_OPENS_BEFORE,
        }
    minutes = selectors.published_minutes(meeting)
    return render(
        request,
        "governance/meeting.html",
        {
            "meeting": meeting,
            "title": meeting.localised_title(language),
            "tag_class": STATUS_TAGS[meeting.status],
            "agenda": list(meeting.agenda_items.order_by("order", "pk")),
            "rows": rows,
            "proxy_panel": _proxy_panel(meeting, user, now),
            "attendance": attendance,
            "may_attend": may_attend,
            "check_in": check_in,
            "held": held,
            "minutes": minutes,
            "manage_url": _reverse_or_none("governance:manage", pk=meeting.pk)
            if user.has_perm("governance.run_meetings", meeting.organisation)
            else None,
            "language": language,
        },
    )


@require_GET
def ical(request, pk: int):
    """The meeting as an iCalendar file (RFC 5545) for a calendar app."""
    from .. import notices

    meeting = selectors.meeting_for_member(user=request.user, meeting_id=pk)
    response = HttpResponse(
        notices.meeting_ical(meeting, language=get_language() or "en"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@require_GET
def paper(request, item_id: int):
    """An agenda item's paper (a PDF), for those who may see the meeting."""
    item = get_object_or_404(AgendaItem.objects.only("pk", "meeting_id", "paper", "paper_title"), pk=item_id)
    meeting = selectors.meeting_for_member(user=request.user, meeting_id=item.meeting_id)
    if not item.paper:
        raise Http404
    try:
        handle = item.paper.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    filename = f"meeting-{meeting.pk}-paper-{item.pk}.pdf"
    return FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=filename)


@require_GET
def minutes(request, pk: int):
    """The published minutes of a meeting, in the page's language where they were written in it."""
    meeting = selectors.meeting_for_member(user=request.user, meeting_id=pk)
    record = selectors.published_minutes(meeting)
    if record is None:
        raise Http404
    language = get_language()
    text = record.localised_text(language)
    return render(
        request,
        "governance/minutes.html",
        {
            "meeting": meeting,
            "minutes": record,
            "paragraphs": [part.strip() for part in text.split("\n\n") if part.strip()],
            "in_english_only": language == "cy" and not record.text_cy,
            "language": language,
        },
    )


# -- Proxies -----------------------------------------------------------------------------------------------


def _member_finder(meeting: Meeting):
    def find(number: int) -> User | None:
        membership = (
            Membership.objects.current()
            .filter(organisation_id=meeting.organisation_id, member_number=number)
            .select_related("person")
            .first()
        )
        return membership.person if membership is not None else None

    return find


def _member_number(meeting: Meeting, person: User | None) -> int | None:
    if person is None:
        return None
    return (
        Membership.objects.current()
        .filter(organisation_id=meeting.organisation_id, person=person)
        .values_list("member_number", flat=True)
        .first()
    )


def _proxy_gate(request, meeting: Meeting, now: datetime.datetime):
    """Why this person cannot appoint a proxy for this meeting now, as a page; None when they may."""
    back = [(reverse("governance:meeting", kwargs={"pk": meeting.pk}), _("Go to the meeting's page"))]
    title = _("You cannot appoint a proxy for this meeting")
    if not meeting.is_general:
        raise Http404  # proxies are for general meetings of the members: a board meeting has no such page
    refusal = selectors.vote_refusal(meeting, request.user)
    if refusal:
        return _notice(
            request,
            meeting=meeting,
            status=403,
            title=title,
            paragraphs=[
                refusal,
                _("Only members with a vote at the meeting can appoint a proxy."),
                _("If you think you should have a vote, contact the secretary of %(organisation)s.")
                % {"organisation": meeting.organisation.name},
            ],
            links=back,
        )
    rules = selectors.rules_for(meeting)
    if not rules.proxies_allowed:
        return _notice(
            request,
            meeting=meeting,
            title=title,
            paragraphs=[
                _("The rules of %(organisation)s do not allow voting by proxy.")
                % {"organisation": meeting.organisation.name}
            ],
            links=back,
        )
    deadline = meeting.proxy_deadline
    if meeting.status != MeetingStatus.CALLED or deadline is None or now >= deadline:
        paragraphs = [
            _("Proxies for this meeting had to be appointed by %(deadline)s.") % {"deadline": long_date(deadline)}
            if deadline is not None and meeting.status != MeetingStatus.DRAFT
            else _("Proxies can be appointed once the notice is sent, until the deadline.")
        ]
        if meeting.status in (MeetingStatus.CALLED, MeetingStatus.IN_PROGRESS):
            paragraphs.append(_("If you come to the meeting, you vote yourself."))
        return _notice(request, meeting=meeting, title=_("Proxies are closed"), paragraphs=paragraphs, links=back)
    return None


@login_required
def proxy(request, pk: int):
    """Appoint a proxy (the chair or another member, directed or discretionary), change it or revoke
    it, until the rules' deadline."""
    user = request.user
    meeting = selectors.meeting_for_member(user=user, meeting_id=pk)
    now = timezone.now()
    if (refused := _proxy_gate(request, meeting, now)) is not None:
        return refused
    language = get_language()
    current = selectors.proxy_of(meeting, user)
    resolutions = list(meeting.resolutions.order_by("order", "pk"))
    revoke_form = forms.Form(request.POST if request.POST.get("action") == "revoke" else None)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        if current is None:
            messages.info(request, _("You have no proxy to revoke for this meeting."))
            return redirect("governance:meeting", pk=meeting.pk)
        try:
            services.proxy_revoke(proxy=current, by=user, now=now)
        except ValidationError as error:
            revoke_form.add_error(None, error)
        else:
            messages.success(request, _("Your proxy has been revoked. If you come to the meeting, you vote yourself."))
            return redirect("governance:meeting", pk=meeting.pk)
        form = ProxyAppointForm(resolutions=resolutions, language=language, find_member=_member_finder(meeting))
    elif request.method == "POST":
        form = ProxyAppointForm(
            request.POST, resolutions=resolutions, language=language, find_member=_member_finder(meeting)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.proxy_change(
                    meeting=meeting,
                    appointer=user,
                    by=user,
                    holder=data["holder_person"] if data["holder"] == "member" else None,
                    directions=form.directions(),
                    now=now,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Your proxy has been changed.") if current else _("Your proxy has been appointed."),
                )
                return redirect("governance:meeting", pk=meeting.pk)
    else:
        initial = ProxyAppointForm.initial_for(current, _member_number(meeting, current.holder)) if current else None
        form = ProxyAppointForm(
            initial=initial, resolutions=resolutions, language=language, find_member=_member_finder(meeting)
        )
    rules = selectors.rules_for(meeting)
    return render(
        request,
        "governance/proxy.html",
        {
            "meeting": meeting,
            "title": meeting.localised_title(language),
            "form": form,
            "revoke_form": revoke_form,
            "current": current,
            "rows": [
                {
                    "resolution": resolution,
                    "field": form[f"direction_{resolution.pk}"],
                    "text": resolution.localised_text(language),
                    "needs": _threshold_words(meeting, resolution),
                }
                for resolution in resolutions
            ],
            "deadline": meeting.proxy_deadline,
            "limit": rules.proxy_limit,
            "language": language,
        },
    )


# -- Voting ------------------------------------------------------------------------------------------------


def _proxy_rows(meeting: Meeting, resolution: Resolution, held: list[Proxy], post=None, voter: str = "") -> list:
    """The members whose discretionary proxy ``held`` are, with what may be done for each."""
    if not held:
        return []
    present = set(meeting.attendances.values_list("person_id", flat=True))
    voted = selectors.marked(resolution, [proxy.appointer_id for proxy in held])
    rows = []
    for proxy in held:
        key = f"proxy-{proxy.pk}"
        if proxy.holder_id is not None and proxy.holder_id not in present:
            state = "check_in"  # the holder votes once checked in (the chair's proxies need no check-in)
        elif proxy.appointer_id in present:
            state = "present"
        elif proxy.appointer_id in voted:
            state = "voted"
        else:
            state = "open"
        rows.append(
            {
                "proxy": proxy,
                "key": key,
                "state": state,
                "form": ResolutionVoteForm(
                    post if voter == key else None,
                    prefix=key,
                    legend=_("How do you vote for %(name)s?") % {"name": proxy.appointer},
                ),
            }
        )
    return rows


@login_required
def vote(request, pk: int, resolution_id: int):
    """Vote on a resolution: online before the meeting (where it is voted on in advance), or in the
    secret poll at the meeting once checked in; a discretionary proxy's holder also votes for each
    member who appointed them."""
    user = request.user
    meeting = selectors.meeting_for_member(user=user, meeting_id=pk)
    resolution = get_object_or_404(Resolution.objects.select_related("box"), pk=resolution_id, meeting=meeting)
    language = get_language()
    now = timezone.now()
    back = [(reverse("governance:meeting", kwargs={"pk": meeting.pk}), _("Go to the meeting's page"))]
    is_elector, mark = _my_marks([resolution], user).get(resolution.box_id, (False, None))
    held = list(_discretionary_held(meeting, user))
    if not is_elector and not held:
        reason = selectors.vote_refusal(meeting, user) or _(
            "Only the members entitled to vote when the notice was sent vote on this resolution."
        )
        return _notice(
            request,
            meeting=meeting,
            status=403,
            title=_("You cannot vote on this resolution"),
            paragraphs=[reason],
            links=back,
        )
    advance = _advance_open(meeting, resolution, now)
    poll = _poll_open(meeting, resolution)
    proxies_open = _proxies_may_vote(meeting, resolution)
    attendance = meeting.attendances.filter(person=user).first()
    checked_in_voter = attendance is not None and attendance.may_vote
    may_vote_self = is_elector and mark is None and (advance or (poll and checked_in_voter))
    if not (advance or poll or (proxies_open and held)):
        paragraphs = []
        if mark is not None:
            paragraphs.append(_("You have voted on this resolution."))
        if resolution.is_declared:
            paragraphs.append(_("The chair has declared the result: it is on the meeting's page."))
        elif resolution.method == VotingMethod.HANDS:
            paragraphs.append(_("This resolution is voted on by a show of hands at the meeting."))
        elif resolution.method == VotingMethod.POLL:
            paragraphs.append(
                _("This resolution is voted on in a secret poll at the meeting, once the chair opens it.")
            )
        else:
            paragraphs.append(_("Voting in advance is open from the notice until the meeting starts."))
        return _notice(
            request,
            meeting=meeting,
            title=_("Voting on this resolution is not open"),
            paragraphs=paragraphs,
            links=back,
        )
    voter = (request.POST.get("voter") or "self") if request.method == "POST" else ""
    own_form = ResolutionVoteForm(
        request.POST if voter == "self" else None, prefix="self", legend=_("How do you vote?")
    )
    proxy_rows = _proxy_rows(meeting, resolution, held, request.POST, voter) if proxies_open else []
    if request.method == "POST":
        if voter == "self":
            if not may_vote_self:
                if mark is not None:
                    messages.info(request, _("You have already voted on this resolution. Your vote was recorded once."))
                    return redirect("governance:vote", pk=meeting.pk, resolution_id=resolution.pk)
                if not is_elector:
                    reason = selectors.vote_refusal(meeting, user) or _(
                        "Only the members entitled to vote when the notice was sent vote on this resolution."
                    )
                elif poll:
                    reason = _("Check in at the meeting to vote in the poll.")
                else:
                    reason = _("The poll on this resolution is not open.")
                own_form.add_error(None, reason)
            elif own_form.is_valid():
                service = services.advance_vote if advance else services.poll_vote
                try:
                    service(resolution=resolution, person=user, choice=own_form.cleaned_data["choice"])
                except ValidationError as error:
                    if error.code == "already_voted":
                        messages.info(
                            request, _("You have already voted on this resolution. Your vote was recorded once.")
                        )
                        return redirect("governance:vote", pk=meeting.pk, resolution_id=resolution.pk)
                    own_form.add_service_error(error)
                else:
                    return redirect("governance:vote", pk=meeting.pk, resolution_id=resolution.pk)
        else:
            row = next((row for row in proxy_rows if row["key"] == voter), None)
            if row is None:
                messages.error(request, _("Choose whose vote you are casting."))
                return redirect("governance:vote", pk=meeting.pk, resolution_id=resolution.pk)
            form = row["form"]
            if form.is_valid():
                name = row["proxy"].appointer
                try:
                    receipt = services.proxy_vote(
                        resolution=resolution, proxy=row["proxy"], by=user, choice=form.cleaned_data["choice"]
                    )
                except ValidationError as error:
                    if error.code == "already_voted":
                        messages.info(request, _("A vote has already been recorded for %(name)s.") % {"name": name})
                        return redirect("governance:vote", pk=meeting.pk, resolution_id=resolution.pk)
                    form.add_service_error(error)
                else:
                    messages.success(
                        request,
                        _("Your vote for %(name)s has been recorded. Their receipt code is %(code)s.")
                        % {"name": name, "code": receipt},
                    )
                    return redirect("governance:vote", pk=meeting.pk, resolution_id=resolution.pk)
    any_errors = bool(own_form.errors) or any(row["form"].errors for row in proxy_rows)
    return render(
        request,
        "governance/vote.html",
        {
            "meeting": meeting,
            "title": meeting.localised_title(language),
            "resolution": resolution,
            "resolution_title": resolution.localised_title(language),
            "text": resolution.localised_text(language),
            "needs": _threshold_words(meeting, resolution),
            "advance": advance,
            "poll": poll,
            "is_elector": is_elector,
            "mark": mark,
            "may_vote_self": may_vote_self,
            "needs_check_in": is_elector and mark is None and poll and not checked_in_voter,
            "holder_checked_in": attendance is not None,
            "own_form": own_form,
            "proxy_rows": proxy_rows,
            "any_errors": any_errors,
            "language": language,
        },
    )


# -- Checking in -------------------------------------------------------------------------------------------


def _modes(meeting: Meeting) -> list[str]:
    modes = []
    if meeting.place:
        modes.append(AttendanceMode.IN_PERSON)
    if meeting.online_url:
        modes.append(AttendanceMode.ONLINE)
    return modes


@login_required
def check_in(request, pk: int, token: str = ""):
    """The target of the QR code on a member's notice: the member, signed in, says they are here (in
    person or online) and is put on the attendance register. The code must be their own."""
    user = request.user
    meeting = selectors.meeting_for_member(user=user, meeting_id=pk)
    token = token or request.POST.get("token", "") or request.GET.get("token", "")
    back = [(reverse("governance:meeting", kwargs={"pk": meeting.pk}), _("Go to the meeting's page"))]
    person_id = selectors.check_in_person_id(meeting, token) if token else None
    if person_id is None:
        return _notice(
            request,
            meeting=meeting,
            status=403,
            title=_("This check-in code does not work"),
            paragraphs=[
                _("This check-in code is not for this meeting."),
                _("Use the QR code on your notice of this meeting, or ask the secretary at the door."),
            ],
            links=back,
        )
    if person_id != user.pk:
        return _notice(
            request,
            meeting=meeting,
            status=403,
            title=_("This check-in code is someone else's"),
            paragraphs=[
                _("Each member's notice has their own code. You are signed in as %(name)s.") % {"name": user},
                _("Use the QR code on your own notice, or ask the secretary at the door."),
            ],
            links=back,
        )
    refusal = selectors.attend_refusal(meeting, user)
    if refusal:
        return _notice(
            request,
            meeting=meeting,
            status=403,
            title=_("You cannot check in to this meeting"),
            paragraphs=[refusal],
            links=back,
        )
    language = get_language()
    attendance = meeting.attendances.filter(person=user).first()
    if attendance is not None:
        return _notice(
            request,
            meeting=meeting,
            title=_("You are checked in"),
            paragraphs=[
                _("You were checked in at %(time)s (%(mode)s).")
                % {"time": long_date(attendance.checked_in_at), "mode": attendance.get_mode_display().lower()}
            ],
            links=back,
        )
    if meeting.status not in (MeetingStatus.CALLED, MeetingStatus.IN_PROGRESS):
        return _notice(
            request,
            meeting=meeting,
            title=_("Check-in is closed"),
            paragraphs=[_("Check-in is open only for a meeting that has been called and not closed.")],
            links=back,
        )
    modes = _modes(meeting)
    form = SelfCheckInForm(request.POST if request.method == "POST" else None, modes=modes)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_check_in(meeting=meeting, mode=form.cleaned_data["mode"], person=user, token=token)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("You are checked in. Welcome to the meeting."))
            return redirect("governance:meeting", pk=meeting.pk)
    return render(
        request,
        "governance/check_in.html",
        {
            "meeting": meeting,
            "title": meeting.localised_title(language),
            "form": form,
            "modes": modes,
            "token": token,
            "opens": meeting.starts_at - services.CHECK_IN_OPENS_BEFORE,
            "not_yet": timezone.now() < meeting.starts_at - services.CHECK_IN_OPENS_BEFORE,
            "may_vote": selectors.vote_refusal(meeting, user) is None,
            "language": language,
        },
    )


# -- Requisitions ------------------------------------------------------------------------------------------


def _organisation_for_member(user: User, organisation: Organisation) -> Organisation:
    """The organisation's requisitions are for its members (and those who run its meetings): 404 for
    a hidden organisation, 403 for a listed one."""
    if user.has_perm("governance.attend", organisation) or user.has_perm("governance.run_meetings", organisation):
        return organisation
    if not organisation.is_public:
        raise Http404
    raise PermissionDenied


def _progress_words(signatures: int, needed: int) -> str:
    return ngettext(
        "%(count)s of %(needed)s signature needed",
        "%(count)s of %(needed)s signatures needed",
        needed,
    ) % {"count": signatures, "needed": needed}


@login_required
def requisitions(request, slug: str):
    """The organisation's open requisitions, with their signatures, and a form to open one."""
    user = request.user
    organisation = _organisation_for_member(user, get_object_or_404(Organisation, slug=slug))
    today = timezone.localdate()
    refusal = members.voting_member_reason(person=user, organisation=organisation, on=today)
    form = RequisitionOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.requisition_open(
                organisation=organisation,
                by=user,
                purpose=data["purpose"],
                purpose_cy=data["purpose_cy"],
                proposed_resolutions=data["proposed_resolutions"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Your requisition is open and you have signed it. Ask other members to sign it too.")
            )
            return redirect("governance:requisition", pk=made.pk)
    needed_now = selectors.requisition_signatures_needed(organisation, on=today)
    page = paginate(request, selectors.open_requisitions(organisation))
    signed = set(
        RequisitionSignature.objects.filter(
            person=user, requisition_id__in=[r.pk for r in page.object_list]
        ).values_list("requisition_id", flat=True)
    )
    language = get_language()
    rows = [
        {
            "requisition": r,
            "purpose": r.localised_purpose(language),
            "progress": _progress_words(r.signature_count, r.signatures_needed or needed_now),
            "signed": r.pk in signed,
        }
        for r in page.object_list
    ]
    return render(
        request,
        "governance/requisitions.html",
        {
            "organisation": organisation,
            "rows": rows,
            "page": page,
            "form": form,
            "refusal": refusal,
            "needed_now": needed_now,
            "language": language,
        },
    )


@login_required
def requisition(request, pk: int):
    """A requisition: what it asks, its signatures so far, and a button to sign it (once)."""
    user = request.user
    found = get_object_or_404(Requisition.objects.select_related("organisation", "opened_by"), pk=pk)
    organisation = _organisation_for_member(user, found.organisation)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.requisition_sign(requisition=found, by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("You have signed the requisition."))
            return redirect("governance:requisition", pk=found.pk)
    progress = selectors.requisition_progress(found)
    language = get_language()
    called = found.meetings.order_by("starts_at").first()
    return render(
        request,
        "governance/requisition.html",
        {
            "organisation": organisation,
            "requisition": found,
            "purpose": found.localised_purpose(language),
            "progress": progress,
            "progress_words": _progress_words(progress.signatures, progress.needed),
            "signed": found.signatures.filter(person=user).exists(),
            "refusal": members.voting_member_reason(person=user, organisation=organisation, on=timezone.localdate()),
            "called": called,
            "form": form,
            "language": language,
        },
    )


urlpatterns = [
    path("meetings/", meeting_list, name="list"),
    path("meetings/<int:pk>/", meeting, name="meeting"),
    path("meetings/<int:pk>.ics", ical, name="ical"),
    path("meetings/papers/<int:item_id>", paper, name="paper"),
    path("meetings/<int:pk>/proxy/", proxy, name="proxy"),
    path("meetings/<int:pk>/resolutions/<int:resolution_id>/vote/", vote, name="vote"),
    path("meetings/<int:pk>/check-in/<str:token>/", check_in, name="check_in"),
    # The same page for the notices' link, which carries the code as ``?token=`` (``notices.check_in_url``).
    path("meetings/<int:pk>/check-in/", check_in, name="check_in"),
    path("meetings/<int:pk>/minutes/", minutes, name="minutes"),
    path("organisations/<slug:slug>/requisitions/", requisitions, name="requisitions"),
    path("requisitions/<int:pk>/", requisition, name="requisition"),
]
