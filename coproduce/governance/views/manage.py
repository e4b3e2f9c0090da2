"""The secretary's and the chair's pages for meetings.

The secretary records the society's rules (a new version from a date), calls a meeting (its
details, agenda and papers, the resolutions in full, the notice: refused inside the notice period
with the earliest lawful date), sees the proxy list, and checks members in at the door with the
quorum shown as the rules count it. The chair starts business once the meeting is quorate, records
each show of hands or opens the secret poll, casts the proxies the chair holds and declares each
result against its threshold; then the meeting closes and the minutes are drafted from the record,
edited, approved at a later meeting and published. A passed special resolution gives the signed
copy the regulator needs, as a PDF.

Every page fetches and authorises in one call (``selectors.meeting_to_run``, or the organisation
with ``governance.run_meetings``; the rules with ``governance.change_rules``); every button calls one
service, and a refusal is shown on the page with nothing written. Those who run meetings hold roles,
so these pages are behind two-factor sign-in (``core.middleware.RequireMFAMiddleware``).
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coproduce.core.jinja import long_date
from coproduce.core.models import Organisation, Role, RoleKind, User
from coproduce.core.views.helpers import as_id, call_service, messages_of
from coproduce.members import selectors as members
from coproduce.members.models import Membership

from .. import law, notices, selectors, services
from ..forms import (
    AgendaItemForm,
    ApproveMinutesForm,
    AttendeeSearchForm,
    HandsForm,
    MeetingForm,
    MinutesForm,
    NoticeForm,
    PaperForm,
    ProxyChoiceForm,
    ResolutionForm,
    RulesForm,
    StartForm,
    share_text,
)
from ..models import (
    GENERAL_MEETINGS,
    REASON_MAX_LENGTH,
    AgendaItem,
    AttendanceMode,
    CountRule,
    Meeting,
    MeetingKind,
    MeetingRules,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeLetters,
    Proxy,
    Resolution,
    ResolutionKind,
    VotingMethod,
    rules_in_force,
)

RUN_MEETINGS = "governance.run_meetings"
CHANGE_RULES = "governance.change_rules"

# --- Fetching and authorising -------------------------------------------------------------------


def _organisation(request, slug: str, permission: str = RUN_MEETINGS) -> Organisation:
    """The organisation, if ``request.user`` holds ``permission`` on it (404 where it is hidden from them)."""
    return members.organisation_for_secretary(user=request.user, slug=slug, permission=permission)


def _meeting(request, pk: int) -> Meeting:
    return selectors.meeting_to_run(user=request.user, meeting_id=pk)


def _resolution(meeting: Meeting, resolution_id: int) -> Resolution:
    resolution = get_object_or_404(
        Resolution.objects.select_related("box", "confirms__meeting", "agenda_item"),
        pk=resolution_id,
        meeting=meeting,
    )
    resolution.meeting = meeting
    return resolution


def _link(name: str, **kwargs: Any) -> str | None:
    """A link to one of the members' pages (another part of the app builds them), or None."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _int(value: Any) -> int | None:
    return as_id(value)


# --- Words for the rules -----------------------------------------------------------------------


def _count_words(number: int | None, numerator: int | None, denominator: int | None, rule: str, *, of: str) -> str:
    """ "10 members", "10% of the members", "the lower of 10 members and 10% of the members"."""
    count = ngettext("%(count)s member", "%(count)s members", number) % {"count": number} if number is not None else ""
    share = _("%(share)s of %(whom)s") % {"share": share_text(numerator, denominator), "whom": of} if numerator else ""
    if rule == CountRule.NUMBER or not share:
        return count
    if rule == CountRule.SHARE or not count:
        return share
    if rule == CountRule.LOWER:
        return _("the lower of %(count)s and %(share)s") % {"count": count, "share": share}
    return _("the higher of %(count)s and %(share)s") % {"count": count, "share": share}


def _rules_rows(rules: MeetingRules) -> list[tuple[str, str]]:
    """The rules in words, as summary-list rows."""
    yes, no = _("Yes"), _("No")
    notice = [
        ngettext("%(kind)s: %(days)s clear day", "%(kind)s: %(days)s clear days", days) % {"kind": label, "days": days}
        for label, days in (
            (MeetingKind.AGM.label, rules.notice_agm_days),
            (MeetingKind.SGM.label, rules.notice_sgm_days),
            (MeetingKind.BOARD.label, rules.notice_board_days),
            (MeetingKind.COMMITTEE.label, rules.notice_committee_days),
        )
    ]
    rows = [
        (_("Notice"), "; ".join(notice)),
        (
            _("A notice is treated as received"),
            _("The day it is sent")
            if not rules.notice_deemed_served_after_days
            else ngettext(
                "%(count)s day after it is sent",
                "%(count)s days after it is sent",
                rules.notice_deemed_served_after_days,
            )
            % {"count": rules.notice_deemed_served_after_days},
        ),
        (
            _("Short notice"),
            _("Allowed if %(share)s of the members entitled to vote agree")
            % {"share": share_text(rules.short_notice_share_numerator, rules.short_notice_share_denominator)}
            if rules.short_notice_allowed
            else _("Not allowed"),
        ),
        (
            _("Quorum of a general meeting"),
            _count_words(
                rules.quorum_number,
                rules.quorum_share_numerator,
                rules.quorum_share_denominator,
                rules.quorum_rule,
                of=_("the members entitled to vote"),
            ),
        ),
        (_("Members represented by a proxy count towards the quorum"), yes if rules.proxies_count_to_quorum else no),
        (
            _("Quorum of a board or committee meeting"),
            _count_words(
                rules.board_quorum_number,
                rules.board_quorum_share_numerator,
                rules.board_quorum_share_denominator,
                rules.board_quorum_rule,
                of=_("the board"),
            ),
        ),
        (_("Voting by proxy at general meetings"), _("Allowed") if rules.proxies_allowed else _("Not allowed")),
    ]
    if rules.proxies_allowed:
        rows += [
            (
                _("Most proxies one person may hold"),
                str(rules.proxy_limit) if rules.proxy_limit else _("No limit"),
            ),
            (
                _("Proxies must be appointed"),
                ngettext(
                    "%(count)s hour before the meeting",
                    "%(count)s hours before the meeting",
                    rules.proxy_deadline_hours,
                )
                % {"count": rules.proxy_deadline_hours},
            ),
        ]
    rows += [
        (
            _("A requisition for a special general meeting needs"),
            _count_words(
                rules.requisition_number,
                rules.requisition_share_numerator,
                rules.requisition_share_denominator,
                rules.requisition_rule,
                of=_("the members entitled to vote"),
            ),
        ),
        (
            _("A requisitioned meeting must be called within"),
            ngettext("%(count)s day", "%(count)s days", rules.requisition_days_to_call)
            % {"count": rules.requisition_days_to_call},
        ),
        (_("A special resolution needs"), services.describe_threshold(rules.special_threshold)),
        (_("The record of meetings is open to the public"), yes if rules.record_public else no),
    ]
    return rows


# --- The organisation's meetings and its rules ----------------------------------------------------


@login_required
@require_GET
def manage_list(request, slug: str):
    """The organisation's meetings (drafts too), requisitions waiting for a meeting, second meetings due."""
    organisation = _organisation(request, slug)
    meetings = list(selectors.meetings_to_run(user=request.user, organisation=organisation))
    requisitions = [
        (requisition, selectors.requisition_progress(requisition))
        for requisition in selectors.requisitions_to_call(organisation)
    ]
    confirmations = [
        (resolution, selectors.confirmation_due(resolution))
        for resolution in selectors.awaiting_confirmation(organisation).order_by("meeting__starts_at")
    ]
    return render(
        request,
        "governance/manage_list.html",
        {
            "organisation": organisation,
            "meetings": meetings,
            "requisitions": requisitions,
            "confirmations": confirmations,
            "today": timezone.localdate(),
            "can_change_rules": request.user.has_perm(CHANGE_RULES, organisation),
            "language": get_language(),
        },
    )


@login_required
def rules(request, slug: str):
    """The rules in force and the earlier (and later) versions; a new version from a date (the secretary)."""
    organisation = _organisation(request, slug)
    can_change = request.user.has_perm(CHANGE_RULES, organisation)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    today = timezone.localdate()
    in_force = rules_in_force(organisation, on=today)
    versions = list(MeetingRules.objects.filter(organisation=organisation).order_by("-effective_from"))
    start = max([today] + [version.effective_from + datetime.timedelta(days=1) for version in versions])
    form = RulesForm(
        request.POST if request.method == "POST" else None,
        initial=RulesForm.initial_for(versions[0] if versions else in_force, effective_from=start),
    )
    if request.method == "POST" and form.is_valid():
        made = call_service(
            form,
            services.rules_set,
            organisation=organisation,
            by=request.user,
            effective_from=form.cleaned_data["effective_from"],
            **form.values(),
        )
        if made is not None:
            messages.success(
                request,
                _("You recorded the rules in force from %(date)s.") % {"date": long_date(made.effective_from)},
            )
            return redirect("governance:rules", slug=organisation.slug)
    return render(
        request,
        "governance/rules.html",
        {
            "organisation": organisation,
            "in_force": in_force,
            "in_force_rows": _rules_rows(in_force),
            "versions": [(version, _rules_rows(version)) for version in versions],
            "today": today,
            "form": form if can_change else None,
            "count_rules": [(rule.value, rule.label) for rule in CountRule],
            "language": get_language(),
        },
    )


# --- Calling a meeting: its details -----------------------------------------------------------------


def _meeting_form_page(request, *, organisation, form, meeting=None, requisition=None, locked=False):
    return render(
        request,
        "governance/manage_form.html",
        {
            "organisation": organisation,
            "meeting": meeting,
            "form": form,
            "requisition": requisition,
            "locked": locked,
            "language": get_language(),
        },
    )


@login_required
def create(request, slug: str):
    """A new meeting (a draft until its notice is sent); for a requisition with ``?requisition=<id>``."""
    organisation = _organisation(request, slug)
    requisition = None
    key = request.GET.get("requisition")
    if key is not None:
        requisition = selectors.requisitions_to_call(organisation).filter(pk=_int(key) or 0).first()
        if requisition is None:
            raise Http404
    initial = {"kind": MeetingKind.SGM if requisition is not None else MeetingKind.AGM, "starts_at_time": "19:00"}
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = call_service(
            form,
            services.meeting_create,
            organisation=organisation,
            by=request.user,
            requisition=requisition,
            **form.values(),
        )
        if meeting is not None:
            messages.success(
                request,
                _("You created the meeting. Now add its agenda and resolutions, then send the notice."),
            )
            return redirect("governance:manage", pk=meeting.pk)
    return _meeting_form_page(request, organisation=organisation, form=form, requisition=requisition)


@login_required
def edit(request, pk: int):
    """Change a meeting's details until its notice is sent."""
    meeting = _meeting(request, pk)
    locked = meeting.status != MeetingStatus.DRAFT
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=MeetingForm.initial_for(meeting))
    if (
        not locked
        and request.method == "POST"
        and form.is_valid()
        and call_service(form, services.meeting_update, meeting=meeting, by=request.user, **form.values())
    ):
        messages.success(request, _("You saved the changes to the meeting."))
        return redirect("governance:manage", pk=meeting.pk)
    return _meeting_form_page(
        request,
        organisation=meeting.organisation,
        form=form,
        meeting=meeting,
        requisition=meeting.requisition,
        locked=locked,
    )


# --- The meeting's page: status, what next, agenda and papers, resolutions ------------------------


def _earliest(meeting: Meeting, today: datetime.date) -> datetime.date:
    """The earliest lawful date of the meeting for a notice sent ``today``, under the rules in force."""
    return selectors.rules_for(meeting, on=today).earliest_meeting_date(meeting.kind, today)


def _next_step(meeting: Meeting, *, today, earliest, agenda, resolutions, minutes) -> str:
    """In plain words, what the meeting needs next."""
    if meeting.status == MeetingStatus.DRAFT:
        if meeting.starts_on < earliest:
            return _(
                "The meeting is too soon for a notice sent today: the earliest date is %(date)s. Change its date, "
                "or record the members' agreement to short notice if your rules allow it."
            ) % {"date": long_date(earliest)}
        if not agenda and not resolutions:
            return _("Add the agenda and set out any resolutions in full, then send the notice.")
        return _("When the agenda and resolutions are ready, send the notice. Once it is sent they are fixed.")
    if meeting.status == MeetingStatus.CALLED:
        if timezone.now() < meeting.starts_at - services.CHECK_IN_OPENS_BEFORE:
            return _(
                "The notice was sent on %(date)s. On the day, check members in at the door; business can start "
                "once the meeting is quorate."
            ) % {"date": long_date(meeting.notice_sent_on)}
        return _("Check members in at the door. Business can start once the meeting is quorate.")
    if meeting.status == MeetingStatus.IN_PROGRESS:
        waiting = sum(1 for resolution in resolutions if not resolution.is_declared)
        if waiting:
            return ngettext(
                "Business has started. %(count)s resolution is waiting for its vote and the chair's declaration.",
                "Business has started. %(count)s resolutions are waiting for their vote and the chair's declaration.",
                waiting,
            ) % {"count": waiting}
        return _("Every resolution has been declared: close the meeting.")
    if minutes is None:
        return _("The meeting has closed: draft the minutes from the record.")
    if minutes.status == MinutesStatus.DRAFT:
        return _("Check and edit the draft minutes, then record their approval at a later meeting.")
    if minutes.status == MinutesStatus.APPROVED:
        return _("The minutes have been approved: publish them to the members.")
    return _("The minutes are published.")


def _resolution_rows(meeting: Meeting, resolutions: list[Resolution]) -> list[dict[str, Any]]:
    rules = selectors.rules_for(meeting)
    rows = []
    for resolution in resolutions:
        if resolution.is_declared:
            state = _("Carried") if resolution.passed else _("Not carried")
        elif resolution.poll_opened_at:
            state = _("Poll open")
        elif resolution.hands_recorded_at:
            state = _("Hands counted")
        elif meeting.status == MeetingStatus.IN_PROGRESS:
            state = _("Waiting for the vote")
        else:
            state = ""
        rows.append(
            {
                "resolution": resolution,
                "needs": services.describe_threshold(resolution.threshold or rules.threshold_for(resolution.kind)),
                "state": state,
                "regulator_copy": resolution.passed
                and resolution.kind not in (ResolutionKind.ORDINARY, ResolutionKind.CONFIRMATION),
            }
        )
    return rows


def _manage_page(
    request,
    meeting: Meeting,
    *,
    errors: list[str] | None = None,
    item_form=None,
    paper_form=None,
    resolution_form=None,
    changing: Resolution | None = None,
):
    language = get_language()
    today = timezone.localdate()
    agenda = list(meeting.agenda_items.order_by("order", "pk"))
    resolutions = list(meeting.resolutions.select_related("confirms__meeting", "agenda_item").order_by("order", "pk"))
    minutes = Minutes.objects.filter(meeting=meeting).first()
    earliest = _earliest(meeting, today) if meeting.status == MeetingStatus.DRAFT else None
    draft = meeting.status == MeetingStatus.DRAFT
    if draft and item_form is None:
        item_form = AgendaItemForm()
    if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CALLED) and agenda and paper_form is None:
        paper_form = PaperForm(items=agenda, language=language)
    if draft and resolution_form is None:
        resolution_form = _resolution_form(meeting, language, changing=changing)
    return render(
        request,
        "governance/manage.html",
        {
            "meeting": meeting,
            "Status": MeetingStatus,
            "language": language,
            "today": today,
            "earliest": earliest,
            "rules": selectors.rules_for(meeting, on=today),
            "agenda": agenda,
            "resolutions": _resolution_rows(meeting, resolutions),
            "minutes": minutes,
            "next_step": _next_step(
                meeting, today=today, earliest=earliest, agenda=agenda, resolutions=resolutions, minutes=minutes
            ),
            "errors": errors or [],
            "item_form": item_form,
            "paper_form": paper_form,
            "resolution_form": resolution_form,
            "changing": changing,
            "forms": [form for form in (item_form, paper_form, resolution_form) if form is not None and form.errors],
            "general": meeting.kind in GENERAL_MEETINGS,
            "quorum": selectors.quorum_now(meeting) if meeting.status == MeetingStatus.CALLED else None,
            "special_needs": services.describe_threshold(selectors.rules_for(meeting, on=today).special_threshold),
            "paper_links": {item.pk: _link("governance:paper", item_id=item.pk) for item in agenda if item.paper},
            "members_page": _link("governance:meeting", pk=meeting.pk),
            "minutes_page": _link("governance:minutes", pk=meeting.pk),
            "ical": _link("governance:ical", pk=meeting.pk),
        },
    )


def _resolution_form(meeting: Meeting, language: str, *, data=None, changing: Resolution | None = None):
    confirmable = list(selectors.awaiting_confirmation(meeting.organisation).order_by("meeting__starts_at"))
    if changing is not None and changing.confirms is not None and changing.confirms not in confirmable:
        confirmable.insert(0, changing.confirms)
    return ResolutionForm(
        data,
        confirmable=confirmable,
        items=list(meeting.agenda_items.order_by("order", "pk")),
        language=language,
        initial=ResolutionForm.initial_for(changing) if changing is not None else None,
    )


@login_required
def manage(request, pk: int):
    """The meeting's page: its status and what to do next; before the notice, its agenda, papers and
    resolutions (each change a button calling one service)."""
    meeting = _meeting(request, pk)
    language = get_language()
    changing = None
    change_key = request.POST.get("resolution") if request.method == "POST" else request.GET.get("change")
    if change_key is not None:
        changing = meeting.resolutions.select_related("confirms__meeting").filter(pk=_int(change_key) or 0).first()
    if request.method != "POST":
        return _manage_page(request, meeting, changing=changing)
    action = request.POST.get("action")
    by = request.user
    if action == "agenda_add":
        form = AgendaItemForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            item = call_service(
                form,
                services.agenda_item_add,
                meeting=meeting,
                by=by,
                title=data["title"],
                title_cy=data["title_cy"],
                text=data["text"],
                text_cy=data["text_cy"],
                paper=data["paper"] or None,
                paper_title=data["paper_title"],
                paper_title_cy=data["paper_title_cy"],
            )
            if item is not None:
                messages.success(request, _("You added “%(title)s” to the agenda.") % {"title": item.title})
                return redirect(reverse("governance:manage", kwargs={"pk": meeting.pk}) + "#agenda")
        return _manage_page(request, meeting, item_form=form)
    if action == "paper_attach":
        agenda = list(meeting.agenda_items.order_by("order", "pk"))
        form = PaperForm(request.POST, request.FILES, items=agenda, language=language)
        if form.is_valid():
            data = form.cleaned_data
            item = call_service(
                form,
                services.agenda_paper_attach,
                item=data["item"],
                by=by,
                paper=data["paper"],
                paper_title=data["paper_title"],
                paper_title_cy=data["paper_title_cy"],
            )
            if item is not None:
                messages.success(request, _("You attached “%(title)s”.") % {"title": item.paper_title})
                return redirect(reverse("governance:manage", kwargs={"pk": meeting.pk}) + "#agenda")
        return _manage_page(request, meeting, paper_form=form)
    if action in ("resolution_add", "resolution_update"):
        if action == "resolution_update" and changing is None:
            return _manage_page(request, meeting, errors=[_("Choose the resolution to change.")])
        form = _resolution_form(meeting, language, data=request.POST, changing=changing)
        if form.is_valid():
            if changing is None:
                done = call_service(form, services.resolution_add, meeting=meeting, by=by, **form.values())
                message = _("You added the resolution “%(title)s”.")
            else:
                done = call_service(form, services.resolution_update, resolution=changing, by=by, **form.values())
                message = _("You saved the resolution “%(title)s”.")
            if done is not None:
                messages.success(request, message % {"title": done.title})
                return redirect(reverse("governance:manage", kwargs={"pk": meeting.pk}) + "#resolutions")
        return _manage_page(request, meeting, resolution_form=form, changing=changing)
    try:
        if action == "agenda_remove":
            item = AgendaItem.objects.filter(meeting=meeting, pk=_int(request.POST.get("item")) or 0).first()
            if item is None:
                raise ValidationError(_("Choose the agenda item to remove."))
            services.agenda_item_remove(item=item, by=by)
            messages.success(request, _("You removed “%(title)s” from the agenda.") % {"title": item.title})
        elif action == "resolution_remove":
            if changing is None:
                raise ValidationError(_("Choose the resolution to remove."))
            services.resolution_remove(resolution=changing, by=by)
            messages.success(request, _("You removed the resolution “%(title)s”.") % {"title": changing.title})
        else:
            raise ValidationError(_("Choose what to do."))
    except ValidationError as error:
        return _manage_page(request, meeting, errors=messages_of(error))
    return redirect("governance:manage", pk=meeting.pk)


# --- The notice ------------------------------------------------------------------------------------


@login_required
def notice(request, pk: int):
    """Send the notice (refused inside the notice period, with the earliest date); once sent, how it
    went out: by email, and the letters to post."""
    meeting = _meeting(request, pk)
    today = timezone.localdate()
    rules = selectors.rules_for(meeting, on=today)
    entitled = len(selectors.entitled_to_vote(meeting))
    form = None
    errors: list[str] = []
    if meeting.status == MeetingStatus.DRAFT:
        form = NoticeForm(
            request.POST if request.method == "POST" else None,
            short_notice_allowed=rules.short_notice_allowed,
            initial=NoticeForm.initial_for(today),
        )
        if request.method == "POST" and form.is_valid():
            called = call_service(form, services.notice_send, meeting=meeting, by=request.user, **form.values())
            if called is not None:
                messages.success(
                    request,
                    _("You sent the notice. Members who take notices by email are being emailed now."),
                )
                return redirect("governance:notice", pk=meeting.pk)
    elif request.method == "POST":
        errors.append(_("The notice of this meeting has already been sent."))
    by_email, by_post = notices.recipients(meeting)
    return render(
        request,
        "governance/manage_notice.html",
        {
            "meeting": meeting,
            "form": form,
            "rules": rules,
            "today": today,
            "earliest": rules.earliest_meeting_date(meeting.kind, today) if form is not None else None,
            "clear_days": rules.notice_clear_days(meeting.kind),
            "entitled": entitled,
            "consents_needed": law.short_notice_consents_required(entitled, rules.short_notice_share),
            "by_email": len(by_email),
            "by_post": len(by_post),
            "letters": NoticeLetters.objects.filter(meeting=meeting).only("letters", "made_at").first(),
            "resolutions": list(meeting.resolutions.order_by("order", "pk")),
            "reason_max_length": REASON_MAX_LENGTH,
            "errors": errors,
            "language": get_language(),
        },
    )


@login_required
@require_GET
def letters(request, pk: int):
    """The printable notices for members who get them by post, as one PDF (names and addresses: kept
    until the meeting closes, and never cached)."""
    meeting = _meeting(request, pk)
    made = NoticeLetters.objects.filter(meeting=meeting, pdf__isnull=False).first()
    if made is None:
        raise Http404
    response = HttpResponse(bytes(made.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-notices.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Proxies ---------------------------------------------------------------------------------------


@login_required
@require_GET
def proxies(request, pk: int):
    """The proxy list: who appointed whom (or the chair), directed or not, and how many each holds.
    How a directed proxy must vote is not shown: it is cast as the member asked, and the poll is secret."""
    meeting = _meeting(request, pk)
    listed = list(selectors.proxies_for_secretary(user=request.user, meeting=meeting).select_related("lodged_by"))
    numbers = dict(
        Membership.objects.filter(
            organisation=meeting.organisation, person__in=[p.appointer_id for p in listed]
        ).values_list("person_id", "member_number")
    )
    holders: dict[int | None, dict[str, Any]] = {}
    for proxy in listed:
        entry = holders.setdefault(proxy.holder_id, {"holder": proxy.holder, "count": 0, "directed": 0})
        entry["count"] += 1
        entry["directed"] += 1 if proxy.directed else 0
    rules = meeting.rules
    return render(
        request,
        "governance/manage_proxies.html",
        {
            "meeting": meeting,
            "proxies": [(proxy, numbers.get(proxy.appointer_id)) for proxy in listed],
            # The chair's first, then by how many each holds.
            "holders": sorted(holders.values(), key=lambda h: (h["holder"] is not None, -h["count"])),
            "limit": rules.proxy_limit if rules is not None and rules.proxies_allowed else None,
            "allowed": meeting.is_general and (rules is None or rules.proxies_allowed),
            "deadline": meeting.proxy_deadline,
            "language": get_language(),
        },
    )


# --- At the meeting: the register, the quorum and the start of business ------------------------------


def quorum_line(quorum: selectors.QuorumNow) -> str:
    """ "Quorum: 5 needed, 4 count — 3 present with a vote and 1 by proxy"."""
    if quorum.proxies_count:
        return _(
            "Quorum: %(required)s needed, %(present)s count — %(attending)s present with a vote and "
            "%(represented)s by proxy"
        ) % {
            "required": quorum.required,
            "present": quorum.present,
            "attending": quorum.attending,
            "represented": quorum.represented,
        }
    return _("Quorum: %(required)s needed, %(present)s count — %(attending)s present with a vote") % {
        "required": quorum.required,
        "present": quorum.present,
        "attending": quorum.attending,
    }


def _find(meeting: Meeting, query: str) -> list[dict[str, Any]]:
    """Those entitled to attend whose name, member number or email matches ``query`` (20 at most)."""
    query = query.strip()
    checked_in = set(meeting.attendances.values_list("person_id", flat=True))
    if meeting.kind in GENERAL_MEETINGS:
        found = Membership.objects.current().filter(organisation=meeting.organisation).select_related("person")
        if as_id(query) is not None:
            found = found.filter(member_number=as_id(query))
        else:
            found = found.filter(Q(person__full_name__icontains=query) | Q(person__email__iexact=query))
        rows = [(m.person, m.member_number) for m in found.order_by("member_number", "pk")[:20]]
    else:
        roles = Role.objects.current().filter(organisation=meeting.organisation, kind=RoleKind.BOARD_MEMBER)
        people = User.objects.filter(pk__in=roles.values("person")).filter(
            Q(full_name__icontains=query) | Q(email__iexact=query)
        )
        rows = [(person, None) for person in people.order_by("full_name", "pk")[:20]]
    return [{"person": person, "number": number, "checked_in": person.pk in checked_in} for person, number in rows]


def _chairs(meeting: Meeting, user: User) -> list[tuple[User, str]]:
    """Who may chair: those checked in, and the person running the screen."""
    people = [
        attendance.person for attendance in meeting.attendances.select_related("person").order_by("person__full_name")
    ]
    if user.pk not in {person.pk for person in people}:
        people.insert(0, user)
    return [
        (
            person,
            _("You (%(name)s)") % {"name": person.get_full_name()} if person.pk == user.pk else person.get_full_name(),
        )
        for person in people
    ]


def _modes(meeting: Meeting) -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in AttendanceMode.choices
        if (value == AttendanceMode.IN_PERSON and meeting.place)
        or (value == AttendanceMode.ONLINE and meeting.online_url)
    ]


def _register_page(request, meeting: Meeting, *, errors: list[str] | None = None, start_form=None, status: int = 200):
    search = AttendeeSearchForm(request.GET if "q" in request.GET else None)
    found = _find(meeting, search.cleaned_data["q"]) if search.is_bound and search.is_valid() else None
    register = list(selectors.attendance_register(user=request.user, meeting=meeting))
    numbers = dict(
        Membership.objects.filter(
            organisation=meeting.organisation, person__in=[a.person_id for a in register]
        ).values_list("person_id", "member_number")
    )
    open_ = meeting.status in (MeetingStatus.CALLED, MeetingStatus.IN_PROGRESS)
    quorum = selectors.quorum_now(meeting) if open_ else None
    if start_form is None and meeting.status == MeetingStatus.CALLED:
        start_form = StartForm(people=_chairs(meeting, request.user), initial={"chair": str(request.user.pk)})
    return render(
        request,
        "governance/register.html",
        {
            "meeting": meeting,
            "Status": MeetingStatus,
            "search": search,
            "found": found,
            "register": [(attendance, numbers.get(attendance.person_id)) for attendance in register],
            "quorum": quorum,
            "quorum_line": quorum_line(quorum) if quorum else "",
            "modes": _modes(meeting),
            "open": open_,
            "opens_at": meeting.starts_at - services.CHECK_IN_OPENS_BEFORE,
            "now": timezone.now(),
            "start_form": start_form,
            "errors": errors or [],
            "language": get_language(),
        },
        status=status,
    )


@login_required
def register(request, pk: int):
    """The attendance register at the door: find members, check them in (in person or online), see who
    is here and the quorum as the rules count it."""
    meeting = _meeting(request, pk)
    if request.method != "POST":
        return _register_page(request, meeting)
    mode = request.POST.get("mode") or ""
    try:
        if request.POST.get("action") == "code":
            token = _token_from(request.POST.get("code") or "")
            if not token:
                raise ValidationError(_("Type or scan the code on the member's notice."))
            attendance = services.attendance_check_in(meeting=meeting, token=token, by=request.user, mode=mode)
            person = attendance.person
        else:
            person_id = _int(request.POST.get("person"))
            person = None
            if person_id is not None and person_id in selectors.entitled_to_attend(meeting):
                person = User.objects.filter(pk=person_id).first()
            if person is None:
                raise ValidationError(_("Find the member to check in first."))
            services.attendance_check_in(meeting=meeting, person=person, by=request.user, mode=mode)
    except ValidationError as error:
        return _register_page(request, meeting, errors=messages_of(error))
    messages.success(request, _("%(name)s is checked in.") % {"name": person.get_full_name()})
    query = request.POST.get("q") or ""
    url = reverse("governance:register", kwargs={"pk": meeting.pk})
    return redirect(url + (f"?{urlencode({'q': query})}" if query and len(query) <= 100 else "") + "#quorum")


def _token_from(text: str) -> str:
    """The check-in token in what was typed or scanned: the notice's link (``…/check-in/<token>/`` or
    ``…?token=<token>``) or the token itself."""
    text = text.strip()[:500]
    parts = urlsplit(text)
    query = parse_qs(parts.query).get("token")
    if query:
        return query[0].strip()
    if "/check-in/" in parts.path:
        return unquote(parts.path.split("/check-in/", 1)[1]).strip("/ ")
    return text


@login_required
@require_POST
def start(request, pk: int):
    """Start business, with the chair chosen: refused with the figures while the meeting is not quorate."""
    meeting = _meeting(request, pk)
    if meeting.status != MeetingStatus.CALLED:
        return _register_page(request, meeting, errors=[_("Business starts once, at a meeting that has been called.")])
    form = StartForm(request.POST, people=_chairs(meeting, request.user))
    if form.is_valid() and call_service(
        form, services.business_start, meeting=meeting, by=request.user, chair=form.cleaned_data["chair"]
    ):
        messages.success(request, _("Business has started. The quorum is recorded in the minutes."))
        return redirect("governance:manage", pk=meeting.pk)
    return _register_page(request, meeting, start_form=form)


# --- The chair's screen for a resolution -------------------------------------------------------------


def _chair_proxies(resolution: Resolution, meeting: Meeting, user: User) -> list[Proxy]:
    """The discretionary proxies ``user`` may cast on ``resolution`` now: held by them (or by the
    chair, if they chair), whose member is not here and has not voted."""
    if meeting.status != MeetingStatus.IN_PROGRESS or resolution.is_declared:
        return []
    if resolution.method == VotingMethod.POLL and resolution.poll_opened_at is None:
        return []
    checked_in = set(meeting.attendances.values_list("person_id", flat=True))
    if meeting.chair_id != user.pk and user.pk not in checked_in:
        return []
    held = [
        proxy
        for proxy in selectors.proxies_held(meeting, user)
        if not proxy.directed and proxy.appointer_id not in checked_in
    ]
    voted = selectors.marked(resolution, [proxy.appointer_id for proxy in held])
    return [proxy for proxy in held if proxy.appointer_id not in voted]


def _proxy_form(proxy: Proxy, data=None) -> ProxyChoiceForm:
    label = _("The vote of %(name)s") % {"name": proxy.appointer.get_full_name()}
    return ProxyChoiceForm(data, prefix=f"proxy-{proxy.pk}", label=label)


def _run_page(request, meeting: Meeting, resolution: Resolution, *, errors=None, hands_form=None, proxy_forms=None):
    in_progress = meeting.status == MeetingStatus.IN_PROGRESS
    rules = selectors.rules_for(meeting)
    held = _chair_proxies(resolution, meeting, request.user)
    proxy_forms = proxy_forms or {}
    if hands_form is None and resolution.hands_recorded_at is not None:
        hands_form = HandsForm(
            initial={
                "for_votes": resolution.hands_for,
                "against_votes": resolution.hands_against,
                "abstain_votes": resolution.hands_abstain,
            }
        )
    resolutions = list(meeting.resolutions.order_by("order", "pk"))
    position = [r.pk for r in resolutions].index(resolution.pk)
    figures = selectors.resolution_figures(resolution)
    return render(
        request,
        "governance/run.html",
        {
            "meeting": meeting,
            "resolution": resolution,
            "number": position + 1,
            "next": resolutions[position + 1] if position + 1 < len(resolutions) else None,
            "figures": figures,
            "needs": services.describe_threshold(resolution.threshold or rules.threshold_for(resolution.kind)),
            "share_for": figures.share_for,
            "in_progress": in_progress,
            "hands": resolution.method in (VotingMethod.HANDS, VotingMethod.ADVANCE),
            "hands_limit": services.hands_limit(resolution, meeting) if in_progress else None,
            "hands_form": hands_form or HandsForm(),
            "proxies": [(proxy, proxy_forms.get(proxy.pk) or _proxy_form(proxy)) for proxy in held],
            "confirmation": selectors.confirmation_due(resolution) if resolution.is_declared else None,
            "copy": resolution.passed and resolution.kind not in (ResolutionKind.ORDINARY, ResolutionKind.CONFIRMATION),
            "is_chair": meeting.chair_id == request.user.pk,
            "errors": errors or [],
            "language": get_language(),
        },
    )


@login_required
def run(request, pk: int, resolution_id: int):
    """For the chair during business: the show of hands or the secret poll, proxies the chair holds,
    and the declaration with its figures and threshold."""
    meeting = _meeting(request, pk)
    resolution = _resolution(meeting, resolution_id)
    if request.method != "POST":
        return _run_page(request, meeting, resolution)
    action = request.POST.get("action")
    by = request.user
    url = reverse("governance:run", kwargs={"pk": meeting.pk, "resolution_id": resolution.pk})
    if action == "hands":
        form = HandsForm(request.POST)
        if form.is_valid() and call_service(
            form, services.hands_record, resolution=resolution, by=by, **form.cleaned_data
        ):
            messages.success(request, _("You recorded the count on the show of hands."))
            return redirect(url)
        return _run_page(request, meeting, resolution, hands_form=form)
    if action == "proxy":
        proxy = next(
            (p for p in _chair_proxies(resolution, meeting, by) if p.pk == _int(request.POST.get("proxy"))), None
        )
        if proxy is None:
            return _run_page(request, meeting, resolution, errors=[_("Choose a proxy you hold that has not voted.")])
        form = _proxy_form(proxy, request.POST)
        if form.is_valid() and call_service(
            form, services.proxy_vote, resolution=resolution, proxy=proxy, by=by, choice=form.cleaned_data["choice"]
        ):
            messages.success(
                request,
                _("You cast the vote of %(name)s, who appointed you their proxy.")
                % {"name": proxy.appointer.get_full_name()},
            )
            return redirect(url)
        return _run_page(request, meeting, resolution, proxy_forms={proxy.pk: form})
    try:
        if action == "open_poll":
            services.poll_open(resolution=resolution, by=by)
            messages.success(request, _("The poll is open: members present can vote now."))
        elif action == "declare":
            declared = services.resolution_declare(resolution=resolution, by=by)
            messages.success(
                request,
                _("You declared the resolution carried.")
                if declared.passed
                else _("You declared the resolution not carried."),
            )
        else:
            raise ValidationError(_("Choose what to do."))
    except ValidationError as error:
        return _run_page(request, meeting, resolution, errors=messages_of(error))
    return redirect(url)


@login_required
@require_POST
def close(request, pk: int):
    """Close the meeting once every resolution has been declared."""
    meeting = _meeting(request, pk)
    try:
        services.meeting_close(meeting=meeting, by=request.user)
    except ValidationError as error:
        return _manage_page(request, meeting, errors=messages_of(error))
    messages.success(request, _("The meeting is closed. Now draft the minutes from the record."))
    return redirect("governance:manage", pk=meeting.pk)


# --- Minutes -----------------------------------------------------------------------------------------


def _later_meetings(meeting: Meeting) -> list[Meeting]:
    """Meetings of the organisation that may approve ``meeting``'s minutes: later, and started."""
    return list(
        Meeting.objects.filter(
            organisation=meeting.organisation,
            starts_at__gt=meeting.starts_at,
            status__in=(MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED),
        ).order_by("starts_at")
    )


@login_required
def minutes_edit(request, pk: int):
    """Draft the minutes from the record, edit them, record their approval at a later meeting, publish."""
    meeting = _meeting(request, pk)
    language = get_language()
    minutes = Minutes.objects.filter(meeting=meeting).first()
    action = request.POST.get("action") if request.method == "POST" else None
    errors: list[str] = []
    form = MinutesForm(
        request.POST if action == "save" else None,
        initial={"text": minutes.text, "text_cy": minutes.text_cy} if minutes else None,
    )
    approve = ApproveMinutesForm(
        request.POST if action == "approve" else None, meetings=_later_meetings(meeting), language=language
    )
    here = reverse("governance:minutes_edit", kwargs={"pk": meeting.pk})
    if action == "save" and minutes is not None:
        if form.is_valid() and call_service(
            form, services.minutes_update, minutes=minutes, by=request.user, **form.cleaned_data
        ):
            messages.success(request, _("You saved the minutes."))
            return redirect(here)
    elif action == "approve" and minutes is not None:
        if approve.is_valid() and call_service(
            approve,
            services.minutes_approve,
            minutes=minutes,
            by=request.user,
            at_meeting=approve.cleaned_data["at_meeting"],
        ):
            messages.success(request, _("You recorded the approval of the minutes. Now publish them to the members."))
            return redirect(here)
    elif action is not None:
        try:
            if action in ("draft", "redraft"):
                services.minutes_draft(meeting=meeting, by=request.user, replace=action == "redraft")
                messages.success(request, _("The minutes are drafted from the record. Check and edit them."))
            elif action == "publish" and minutes is not None:
                services.minutes_publish(minutes=minutes, by=request.user)
                messages.success(request, _("The minutes are published to the members."))
            else:
                raise ValidationError(_("Choose what to do."))
        except ValidationError as error:
            errors = messages_of(error)
        else:
            return redirect(here)
    return render(
        request,
        "governance/manage_minutes.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "Status": MinutesStatus,
            "form": form,
            "approve": approve,
            "errors": errors,
            "closed": meeting.status == MeetingStatus.CLOSED,
            "minutes_page": _link("governance:minutes", pk=meeting.pk),
            "language": language,
        },
    )


# --- The special resolution's copy for the regulator -----------------------------------------------


@login_required
@require_GET
def special_copy(request, pk: int, resolution_id: int):
    """The copy of a passed special (or statutory) resolution the regulator needs, to be signed by the
    chair and countersigned by the secretary, as a PDF."""
    from weasyprint import HTML  # loading Pango costs time no other page need pay

    meeting = _meeting(request, pk)
    resolution = _resolution(meeting, resolution_id)
    try:
        copy = selectors.special_resolution_copy(resolution)
    except ValueError as error:
        raise Http404 from error
    language = get_language()
    html = render_to_string(
        "governance/special_copy.html",
        {
            "copy": copy,
            "resolution": resolution,
            "kind": ResolutionKind(copy.kind).label,
            "needs": services.describe_threshold(copy.threshold),
            "confirmation": selectors.confirmation_due(resolution) if copy.confirmed_on is None else None,
            "language": language,
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="meeting-{meeting.pk}-resolution-{resolution.pk}.pdf"'
    return response


urlpatterns = [
    path("organisations/<slug:slug>/meetings/", manage_list, name="manage_list"),
    path("organisations/<slug:slug>/meetings/new/", create, name="create"),
    path("organisations/<slug:slug>/meeting-rules/", rules, name="rules"),
    path("meetings/<int:pk>/manage/", manage, name="manage"),
    path("meetings/<int:pk>/edit/", edit, name="edit"),
    path("meetings/<int:pk>/notice/", notice, name="notice"),
    path("meetings/<int:pk>/notice/letters.pdf", letters, name="letters"),
    path("meetings/<int:pk>/proxies/", proxies, name="proxies"),
    path("meetings/<int:pk>/register/", register, name="register"),
    path("meetings/<int:pk>/start/", start, name="start"),
    path("meetings/<int:pk>/resolutions/<int:resolution_id>/run/", run, name="run"),
    path("meetings/<int:pk>/close/", close, name="close"),
    path("meetings/<int:pk>/minutes/edit/", minutes_edit, name="minutes_edit"),
    path("meetings/<int:pk>/resolutions/<int:resolution_id>/copy.pdf", special_copy, name="special_copy"),
]
