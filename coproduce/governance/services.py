"""Writes for meetings: the rules, calling a meeting, requisitions, proxies, the meeting itself, minutes.

Every service is keyword-only, runs in one transaction and writes its audit event in it;
refusals raise ``ValidationError`` with a message fit to show the person (a field's name as its
key where a form field is at fault), and write nothing. Emails and the printable notices are made
by tasks queued once the transaction has committed. Votes go through ``voting``: every resolution
has a ballot box (for, against, abstain; choose one) opened with the notice, whose electorate is
the members entitled to vote on the meeting's day; the box holds one vote per member whatever the
channel (online in advance, a proxy, the secret poll). A show of hands is counted by the chair and
may never count more than the members present who have not already voted in the box.

Who may *ask* a service for something (the secretary, the member themself) is the pages' check
(``rules.py``, the selectors); the services check what the rules and the register say.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.core.jinja import long_date
from coproduce.core.models import Organisation, User
from coproduce.core.services import audit_record
from coproduce.voting import services as voting
from coproduce.voting.models import Ballot, BoxKind, BoxStatus, Channel

from . import law, selectors
from .models import (
    GENERAL_MEETINGS,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AgendaItem,
    Attendance,
    AttendanceMode,
    Choice,
    CountRule,
    Meeting,
    MeetingKind,
    MeetingRules,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeLetters,
    Proxy,
    Requisition,
    RequisitionSignature,
    Resolution,
    ResolutionKind,
    VotingMethod,
    rules_in_force,
)

# The largest paper accepted (bytes): annual accounts with pictures fit; a scanned book does not.
PAPER_MAX_BYTES = 20 * 1024 * 1024
# Members can check in from this long before the start (people arrive early; online rooms open early).
CHECK_IN_OPENS_BEFORE = datetime.timedelta(hours=2)


def _audit(organisation: Organisation, *, by: User | None, action: str, target, summary: str = "", **data: Any) -> None:
    audit_record(
        actor=by, action=action, organisation=organisation, target=target, summary=summary or str(target), data=data
    )


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation", "rules", "chair")
        .get(pk=meeting.pk)
    )


def _text(value: str, *, field: str, missing: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: missing})
    if len(value) > limit:
        raise ValidationError({field: _("This must be %(count)s characters or fewer.") % {"count": limit}})
    return value


def _choice(choice: str) -> str:
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Choose for, against or abstain.")}, code="bad_choice")
    return choice


def _enqueue(name: str, *args: Any) -> None:
    """Queue one of this app's tasks by name (the tasks module imports these services)."""
    from . import tasks

    job = getattr(tasks, name)
    if hasattr(job, "enqueue"):
        job.enqueue(*args)
    else:
        job(*args)


# -- The society's rules -----------------------------------------------------------------------------------

RULES_FIELDS = frozenset(
    field.name
    for field in MeetingRules._meta.get_fields()
    if field.concrete and field.name not in {"id", "organisation", "effective_from", "created_by", "created_at"}
)


def _check_rules(rules: MeetingRules) -> None:
    """Say in words what the database's constraints would refuse."""
    for prefix, label in (
        ("short_notice_share", _("The share of members who must agree to short notice")),
        ("quorum_share", _("The quorum's share of the members")),
        ("board_quorum_share", _("The board quorum's share")),
        ("requisition_share", _("The requisition's share of the members")),
    ):
        numerator, denominator = getattr(rules, f"{prefix}_numerator"), getattr(rules, f"{prefix}_denominator")
        if (numerator is None) != (denominator is None) or (numerator is not None and not 0 < numerator <= denominator):
            raise ValidationError(
                {f"{prefix}_numerator": _("%(what)s must be a share of at most 1.") % {"what": label}}
            )
    for prefix, label in (
        ("quorum", _("the quorum")),
        ("board_quorum", _("the board quorum")),
        ("requisition", _("a requisition")),
    ):
        rule = getattr(rules, f"{prefix}_rule")
        number = getattr(rules, f"{prefix}_number")
        share = getattr(rules, f"{prefix}_share_numerator")
        if rule not in CountRule.values:
            raise ValidationError({f"{prefix}_rule": _("Choose how %(what)s is counted.") % {"what": label}})
        if (
            (rule == CountRule.NUMBER and number is None)
            or (rule == CountRule.SHARE and share is None)
            or (number is None and share is None)
        ):
            raise ValidationError(
                {f"{prefix}_rule": _("Give the number or the share of members %(what)s needs.") % {"what": label}}
            )
    if not (0 < rules.special_numerator <= rules.special_denominator) or rules.special_numerator * 2 <= (
        rules.special_denominator
    ):
        raise ValidationError(
            {
                "special_numerator": _(
                    "A special resolution needs more than half of the votes cast, and at most all of them."
                )
            }
        )


@transaction.atomic
def rules_set(*, organisation: Organisation, by: User, effective_from: datetime.date, **fields: Any) -> MeetingRules:
    """Record a new version of the society's rules about meetings, in force from ``effective_from``.

    ``fields`` are those of ``MeetingRules`` (``RULES_FIELDS``); any not given keep the value of the
    version in force then (or the defaults). Versions go forward: one may not start before the
    latest already recorded, since meetings may have been called under it.
    """
    unknown = set(fields) - RULES_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    latest = MeetingRules.objects.filter(organisation=organisation).order_by("-effective_from").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "The rules recorded last are in force from %(date)s: a new version starts after it."
                )
                % {"date": long_date(latest.effective_from)}
            }
        )
    base = rules_in_force(organisation, on=effective_from)
    rules = MeetingRules(organisation=organisation, effective_from=effective_from, created_by=by)
    for name in RULES_FIELDS:
        setattr(rules, name, fields.get(name, getattr(base, name)))
    _check_rules(rules)
    rules.full_clean()
    rules.save()
    _audit(
        organisation,
        by=by,
        action="meeting_rules.set",
        target=rules,
        summary=str(rules),
        changed=sorted(fields),
    )
    return rules


def _rules_for_notice(meeting: Meeting, *, on: datetime.date, by: User) -> MeetingRules:
    """The version a notice sent on ``on`` is given under; the defaults are saved as a version the
    first time, so that the meeting can point at the rules it was called under."""
    rules = rules_in_force(meeting.organisation, on=on)
    if rules.pk is None:
        rules.created_by = by
        rules.full_clean()
        rules.save()
        _audit(
            meeting.organisation,
            by=by,
            action="meeting_rules.set",
            target=rules,
            summary=str(rules),
            defaults=True,
        )
    return rules


# -- Meetings, agendas and papers -------------------------------------------------------------------------

MEETING_FIELDS = frozenset({"kind", "title", "title_cy", "starts_at", "place", "online_url"})


def _check_meeting(meeting: Meeting, *, now: datetime.datetime) -> None:
    if meeting.kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    meeting.title = _text(meeting.title, field="title", missing=_("Enter the meeting's title."), limit=TITLE_MAX_LENGTH)
    meeting.title_cy = _text(meeting.title_cy, field="title_cy", missing="", limit=TITLE_MAX_LENGTH, required=False)
    meeting.place = _text(meeting.place, field="place", missing="", limit=300, required=False)
    meeting.online_url = (meeting.online_url or "").strip()
    if meeting.starts_at is None:
        raise ValidationError({"starts_at": _("Enter the date and time the meeting starts.")})
    if meeting.starts_at <= now:
        raise ValidationError({"starts_at": _("The meeting must start in the future.")})
    if not meeting.place and not meeting.online_url:
        raise ValidationError({"place": _("Give the place, the link to join online, or both.")})
    if meeting.requisition_id is not None and meeting.kind != MeetingKind.SGM:
        raise ValidationError({"kind": _("A meeting members requisitioned is a special general meeting.")})


@transaction.atomic
def meeting_create(
    *,
    organisation: Organisation,
    by: User,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    title_cy: str = "",
    place: str = "",
    online_url: str = "",
    requisition: Requisition | None = None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """A draft meeting; nothing is sent until ``notice_send``. A special general meeting may answer a
    requisition that reached its signatures (``requisition``)."""
    meeting = Meeting(
        organisation=organisation,
        kind=kind,
        title=title,
        title_cy=title_cy,
        starts_at=starts_at,
        place=place,
        online_url=online_url,
        created_by=by,
    )
    if requisition is not None:
        requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if requisition.organisation_id != organisation.pk:
            raise ValidationError({"requisition": _("Choose a requisition of this organisation's members.")})
        if requisition.reached_at is None:
            raise ValidationError({"requisition": _("This requisition has not yet been signed by enough members.")})
        if requisition.meetings.exists():
            raise ValidationError({"requisition": _("A meeting has already been called for this requisition.")})
        meeting.requisition = requisition
    _check_meeting(meeting, now=now or timezone.now())
    meeting.full_clean()
    meeting.save()
    _audit(organisation, by=by, action="meeting.create", target=meeting)
    return meeting


def _draft(meeting: Meeting) -> Meeting:
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.DRAFT:
        raise ValidationError(
            _("The notice of this meeting has been sent: its date, agenda and resolutions are fixed.")
        )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, now: datetime.datetime | None = None, **fields: Any) -> Meeting:
    """Change a meeting before its notice is sent (``fields`` from ``MEETING_FIELDS``)."""
    unknown = set(fields) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    meeting = _draft(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value)
    _check_meeting(meeting, now=now or timezone.now())
    if meeting.kind not in GENERAL_MEETINGS and meeting.resolutions.exclude(kind=ResolutionKind.ORDINARY).exists():
        raise ValidationError({"kind": _("Special resolutions are for general meetings: take them off first.")})
    meeting.full_clean()
    meeting.save(update_fields=sorted(MEETING_FIELDS))
    _audit(meeting.organisation, by=by, action="meeting.update", target=meeting, changed=sorted(fields))
    return meeting


def paper_clean(uploaded) -> ContentFile:
    """A paper as a PDF: read from its content (a PDF starts ``%PDF-``), at most ``PAPER_MAX_BYTES``.

    Returns a ``ContentFile`` named ``<stem>.pdf``; raises ``ValidationError`` (codes ``too_large``,
    ``not_pdf``) with a message fit to show.
    """
    size = getattr(uploaded, "size", None)
    too_large = ValidationError({"paper": _("The paper must be smaller than 20 MB.")}, code="too_large")
    if size is not None and size > PAPER_MAX_BYTES:
        raise too_large
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(PAPER_MAX_BYTES + 1)
    if len(data) > PAPER_MAX_BYTES:
        raise too_large
    if not data.startswith(b"%PDF-"):
        raise ValidationError({"paper": _("The paper must be a PDF.")}, code="not_pdf")
    stem = slugify(PurePath(getattr(uploaded, "name", "") or "paper").stem)[:60] or "paper"
    return ContentFile(data, name=f"{stem}.pdf")


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    by: User,
    title: str,
    title_cy: str = "",
    text: str = "",
    text_cy: str = "",
    paper=None,
    paper_title: str = "",
    paper_title_cy: str = "",
) -> AgendaItem:
    """An item of business at the end of the agenda, with its paper (a PDF) where there is one."""
    meeting = _draft(meeting)
    item = AgendaItem(
        meeting=meeting,
        order=meeting.agenda_items.count(),
        title=_text(title, field="title", missing=_("Enter the item's title."), limit=TITLE_MAX_LENGTH),
        title_cy=_text(title_cy, field="title_cy", missing="", limit=TITLE_MAX_LENGTH, required=False),
        text=_text(text, field="text", missing="", limit=TEXT_MAX_LENGTH, required=False),
        text_cy=_text(text_cy, field="text_cy", missing="", limit=TEXT_MAX_LENGTH, required=False),
    )
    if paper is not None:
        _attach(item, paper, paper_title or title, paper_title_cy)
    item.save()
    _audit(meeting.organisation, by=by, action="meeting.agenda_add", target=item, summary=f"{meeting}: {item}")
    return item


def _attach(item: AgendaItem, paper, paper_title: str, paper_title_cy: str) -> None:
    clean = paper_clean(paper)
    item.paper_title = _text(
        paper_title, field="paper_title", missing=_("Enter the paper's title."), limit=TITLE_MAX_LENGTH
    )
    item.paper_title_cy = _text(
        paper_title_cy, field="paper_title_cy", missing="", limit=TITLE_MAX_LENGTH, required=False
    )
    item.paper.save(clean.name, clean, save=False)


@transaction.atomic
def agenda_paper_attach(*, item: AgendaItem, by: User, paper, paper_title: str, paper_title_cy: str = "") -> AgendaItem:
    """Attach a paper to an agenda item (or replace it) until the meeting starts: the accounts are
    often ready after the notice."""
    meeting = _lock(item.meeting)
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.CALLED):
        raise ValidationError(_("Papers can be added until the meeting starts."))
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    old = item.paper.name if item.paper else ""
    _attach(item, paper, paper_title, paper_title_cy)
    item.save(update_fields=["paper", "paper_title", "paper_title_cy"])
    if old and old != item.paper.name:
        transaction.on_commit(lambda: item.paper.storage.delete(old))
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.paper_attach",
        target=item,
        summary=f"{meeting}: {item.paper_title}",
    )
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User) -> None:
    meeting = _draft(item.meeting)
    paper = item.paper.name if item.paper else ""
    storage = item.paper.storage
    item.delete()
    for order, remaining in enumerate(meeting.agenda_items.order_by("order", "pk")):
        if remaining.order != order:
            remaining.order = order
            remaining.save(update_fields=["order"])
    if paper:
        transaction.on_commit(lambda: storage.delete(paper))
    _audit(meeting.organisation, by=by, action="meeting.agenda_remove", target=meeting, summary=f"{meeting}: {item}")


# -- Resolutions -------------------------------------------------------------------------------------------

RESOLUTION_FIELDS = frozenset({"kind", "title", "title_cy", "text", "text_cy", "method", "agenda_item", "confirms"})


def _check_confirmation_date(resolution: Resolution, meeting: Meeting) -> None:
    first = resolution.confirms
    earliest, latest = law.confirmation_window(first.meeting.starts_on)
    if not earliest <= meeting.starts_on <= latest:
        raise ValidationError(
            {
                "confirms": _(
                    "A confirmation is voted on at a second general meeting held between %(earliest)s and %(latest)s "
                    "(14 days to one month after the first)."
                )
                % {"earliest": long_date(earliest), "latest": long_date(latest)}
            }
        )


def _check_resolution(resolution: Resolution, meeting: Meeting) -> None:
    if resolution.kind not in ResolutionKind.values:
        raise ValidationError({"kind": _("Choose the kind of resolution.")})
    if resolution.method not in VotingMethod.values:
        raise ValidationError({"method": _("Choose how the resolution is voted on.")})
    if resolution.kind != ResolutionKind.ORDINARY and meeting.kind not in GENERAL_MEETINGS:
        raise ValidationError({"kind": _("Only a general meeting of the members can pass a special resolution.")})
    resolution.title = _text(
        resolution.title, field="title", missing=_("Enter the resolution's title."), limit=TITLE_MAX_LENGTH
    )
    resolution.title_cy = _text(
        resolution.title_cy, field="title_cy", missing="", limit=TITLE_MAX_LENGTH, required=False
    )
    resolution.text = _text(
        resolution.text,
        field="text",
        missing=_("Enter the resolution in full: the notice sets it out."),
        limit=TEXT_MAX_LENGTH,
    )
    resolution.text_cy = _text(resolution.text_cy, field="text_cy", missing="", limit=TEXT_MAX_LENGTH, required=False)
    if resolution.agenda_item_id is not None and resolution.agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Choose an item on this meeting's agenda.")})
    if resolution.kind != ResolutionKind.CONFIRMATION:
        if resolution.confirms_id is not None:
            raise ValidationError({"confirms": _("Only a confirmation confirms another resolution.")})
        return
    first = resolution.confirms
    if first is None:
        raise ValidationError({"confirms": _("Choose the resolution this one confirms.")})
    if (
        first.meeting.organisation_id != meeting.organisation_id
        or first.kind not in law.NEED_CONFIRMATION
        or not first.passed
    ):
        raise ValidationError(
            {
                "confirms": _(
                    "Choose a resolution to amalgamate, transfer engagements or convert that a first meeting passed."
                )
            }
        )
    earlier = first.confirmations.exclude(pk=resolution.pk).exclude(passed=False)
    if earlier.exists():
        raise ValidationError({"confirms": _("Another meeting is already confirming this resolution.")})
    _check_confirmation_date(resolution, meeting)


@transaction.atomic
def resolution_add(
    *,
    meeting: Meeting,
    by: User,
    kind: str,
    title: str,
    text: str,
    method: str,
    title_cy: str = "",
    text_cy: str = "",
    agenda_item: AgendaItem | None = None,
    confirms: Resolution | None = None,
) -> Resolution:
    """A resolution, set out in full, before the notice is sent (the notice specifies it)."""
    meeting = _draft(meeting)
    resolution = Resolution(
        meeting=meeting,
        order=meeting.resolutions.count(),
        kind=kind,
        title=title,
        title_cy=title_cy,
        text=text,
        text_cy=text_cy,
        method=method,
        agenda_item=agenda_item,
        confirms=confirms,
    )
    _check_resolution(resolution, meeting)
    resolution.full_clean()
    resolution.save()
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.resolution_add",
        target=resolution,
        summary=f"{meeting}: {resolution}",
        kind=kind,
    )
    return resolution


@transaction.atomic
def resolution_update(*, resolution: Resolution, by: User, **fields: Any) -> Resolution:
    """Change a resolution before the notice is sent (``fields`` from ``RESOLUTION_FIELDS``)."""
    unknown = set(fields) - RESOLUTION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    meeting = _draft(resolution.meeting)
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    for name, value in fields.items():
        setattr(resolution, name, value)
    _check_resolution(resolution, meeting)
    resolution.full_clean()
    resolution.save(update_fields=sorted(RESOLUTION_FIELDS))
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.resolution_update",
        target=resolution,
        summary=f"{meeting}: {resolution}",
        changed=sorted(fields),
    )
    return resolution


@transaction.atomic
def resolution_remove(*, resolution: Resolution, by: User) -> None:
    meeting = _draft(resolution.meeting)
    resolution.delete()
    for order, remaining in enumerate(meeting.resolutions.order_by("order", "pk")):
        if remaining.order != order:
            remaining.order = order
            remaining.save(update_fields=["order"])
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.resolution_remove",
        target=meeting,
        summary=f"{meeting}: {resolution}",
    )


# -- Notice ------------------------------------------------------------------------------------------------


@transaction.atomic
def notice_send(
    *,
    meeting: Meeting,
    by: User,
    sent_on: datetime.date | None = None,
    short_notice_agreed: bool = False,
    short_notice_reason: str = "",
    short_notice_consents: int | None = None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Call the meeting: send its notice to everyone entitled, under the rules in force today.

    Refused when the meeting falls inside the notice period ("The meeting must be at least 14 clear
    days after the notice: the earliest date is 16 March 2026."), unless the rules allow short
    notice and the secretary records how many members agreed (at least the rules' share of those
    entitled to vote) and why. Each resolution's ballot box opens now, its electorate the members
    entitled to vote on the meeting's day, for votes in advance and by proxy. Emails (in each
    member's language, with the meeting as an iCal file) and the printable notices for members who
    get them by post are made by a task once this has committed.
    """
    meeting = _draft(meeting)
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent_on = sent_on or today
    if sent_on > today:
        raise ValidationError({"sent_on": _("The notice cannot be dated after today.")})
    if meeting.starts_at <= now:
        raise ValidationError({"starts_at": _("The meeting must start in the future.")})
    rules = _rules_for_notice(meeting, on=sent_on, by=by)
    clear_days = rules.notice_clear_days(meeting.kind)
    earliest = rules.earliest_meeting_date(meeting.kind, sent_on)
    entitled = selectors.entitled_to_vote(meeting)
    short = meeting.starts_on < earliest
    if short:
        refusal = _(
            "The meeting must be at least %(days)s clear days after the notice: the earliest date is %(date)s."
        ) % {"days": clear_days, "date": long_date(earliest)}
        if not rules.short_notice_allowed:
            raise ValidationError({"starts_at": refusal})
        if not short_notice_agreed:
            raise ValidationError(
                {
                    "starts_at": refusal
                    + " "
                    + _("Your rules allow shorter notice if enough members agree: record their agreement and why.")
                }
            )
        reason = _text(
            short_notice_reason,
            field="short_notice_reason",
            missing=_("Say why the meeting is held on short notice."),
            limit=REASON_MAX_LENGTH,
        )
        needed = law.short_notice_consents_required(len(entitled), rules.short_notice_share)
        if short_notice_consents is None or short_notice_consents < needed:
            raise ValidationError(
                {
                    "short_notice_consents": ngettext(
                        "Short notice needs the agreement of at least %(count)s member entitled to vote.",
                        "Short notice needs the agreement of at least %(count)s members entitled to vote.",
                        needed,
                    )
                    % {"count": needed}
                }
            )
        if short_notice_consents > len(entitled):
            raise ValidationError(
                {"short_notice_consents": _("More members agreed than are entitled to vote: check the number.")}
            )
        meeting.short_notice_agreed, meeting.short_notice_reason = True, reason
        meeting.short_notice_consents = short_notice_consents
    resolutions = list(meeting.resolutions.select_related("confirms__meeting").order_by("order", "pk"))
    for resolution in resolutions:
        if resolution.kind == ResolutionKind.CONFIRMATION:
            _check_confirmation_date(resolution, meeting)
    for resolution in resolutions:
        box = voting.box_create(
            title=f"{meeting.title} — {resolution.title}"[:200],
            organisation=meeting.organisation,
            app_label="governance",
            kind=BoxKind.CHOOSE,
            options=Choice.values,
            max_choices=1,
        )
        voting.box_open(box=box, electorate=entitled, by=by)
        resolution.box = box
        resolution.save(update_fields=["box"])
    meeting.status = MeetingStatus.CALLED
    meeting.notice_sent_on = sent_on
    meeting.rules = rules
    meeting.notice_clear_days = clear_days
    meeting.save(
        update_fields=[
            "status",
            "notice_sent_on",
            "rules",
            "notice_clear_days",
            "short_notice_agreed",
            "short_notice_reason",
            "short_notice_consents",
        ]
    )
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.notice",
        target=meeting,
        sent_on=sent_on.isoformat(),
        clear_days=clear_days,
        earliest=earliest.isoformat(),
        short_notice=short,
        entitled_to_vote=len(entitled),
    )
    transaction.on_commit(lambda: _enqueue("send_notices", meeting.pk))
    return meeting


# -- Requisitions ------------------------------------------------------------------------------------------


def _voting_member(organisation: Organisation, person: User, *, on: datetime.date) -> None:
    from coproduce.members.selectors import voting_member_reason

    reason = voting_member_reason(person=person, organisation=organisation, on=on)
    if reason:
        raise ValidationError(reason, code="not_a_voting_member")


def _check_reached(requisition: Requisition, *, by: User, now: datetime.datetime) -> None:
    if requisition.reached_at is not None:
        return
    today = timezone.localdate(now)
    rules = rules_in_force(requisition.organisation, on=today)
    needed = rules.requisition_threshold(len(selectors.voting_member_ids(requisition.organisation, on=today)))
    signatures = requisition.signatures.count()
    if signatures < needed:
        return
    requisition.reached_at = now
    requisition.signatures_needed = needed
    requisition.call_by = law.requisition_call_by(today, rules.requisition_days_to_call)
    requisition.save(update_fields=["reached_at", "signatures_needed", "call_by"])
    _audit(
        requisition.organisation,
        by=by,
        action="requisition.reached",
        target=requisition,
        signatures=signatures,
        needed=needed,
        call_by=requisition.call_by.isoformat(),
    )
    transaction.on_commit(lambda: _enqueue("send_requisition_reached", requisition.pk))


@transaction.atomic
def requisition_open(
    *,
    organisation: Organisation,
    by: User,
    purpose: str,
    proposed_resolutions: str,
    purpose_cy: str = "",
    now: datetime.datetime | None = None,
) -> Requisition:
    """A member with a vote asks for a special general meeting (and signs the requisition first)."""
    now = now or timezone.now()
    _voting_member(organisation, by, on=timezone.localdate(now))
    requisition = Requisition.objects.create(
        organisation=organisation,
        purpose=_text(
            purpose, field="purpose", missing=_("Say why the members ask for a meeting."), limit=REASON_MAX_LENGTH
        ),
        purpose_cy=_text(purpose_cy, field="purpose_cy", missing="", limit=REASON_MAX_LENGTH, required=False),
        proposed_resolutions=_text(
            proposed_resolutions,
            field="proposed_resolutions",
            missing=_("Set out the resolutions the meeting is asked to vote on."),
            limit=TEXT_MAX_LENGTH,
        ),
        opened_by=by,
        opened_at=now,
    )
    RequisitionSignature.objects.create(requisition=requisition, person=by, signed_at=now)
    _audit(organisation, by=by, action="requisition.open", target=requisition)
    _check_reached(requisition, by=by, now=now)
    return requisition


@transaction.atomic
def requisition_sign(
    *, requisition: Requisition, by: User, now: datetime.datetime | None = None
) -> RequisitionSignature:
    """A member with a vote signs a requisition, once. When the signatures reach what the rules ask,
    the secretary is emailed and the days to call the meeting start to run."""
    now = now or timezone.now()
    requisition = Requisition.objects.select_for_update().select_related("organisation").get(pk=requisition.pk)
    if requisition.meetings.exists():
        raise ValidationError(_("A meeting has already been called for this requisition."), code="called")
    _voting_member(requisition.organisation, by, on=timezone.localdate(now))
    if requisition.signatures.filter(person=by).exists():
        raise ValidationError(_("You have already signed this requisition."), code="already_signed")
    try:
        with transaction.atomic():
            signature = RequisitionSignature.objects.create(requisition=requisition, person=by, signed_at=now)
    except IntegrityError as error:
        raise ValidationError(_("You have already signed this requisition."), code="already_signed") from error
    _audit(requisition.organisation, by=by, action="requisition.sign", target=requisition)
    _check_reached(requisition, by=by, now=now)
    return signature


# -- Proxies -----------------------------------------------------------------------------------------------


def _proxy_window(meeting: Meeting, now: datetime.datetime, *, what: str) -> MeetingRules:
    if not meeting.is_general:
        raise ValidationError(_("Proxies are for general meetings of the members."), code="not_general")
    rules = meeting.rules
    if meeting.status != MeetingStatus.CALLED or rules is None:
        raise ValidationError(_("Proxies can be appointed once the notice is sent, until the deadline."), code="closed")
    if not rules.proxies_allowed:
        raise ValidationError(
            _("The rules of %(organisation)s do not allow voting by proxy.") % {"organisation": meeting.organisation},
            code="not_allowed",
        )
    deadline = meeting.proxy_deadline
    if now >= deadline:
        raise ValidationError(
            _("Proxies for this meeting had to be %(what)s by %(deadline)s.")
            % {"what": what, "deadline": long_date(deadline)},
            code="deadline",
        )
    return rules


def _check_directions(meeting: Meeting, directions: dict[str, str]) -> dict[str, str]:
    if not isinstance(directions, dict):
        raise ValidationError({"directions": _("Say how your proxy must vote on each resolution.")})
    wanted = {str(pk) for pk in meeting.resolutions.values_list("pk", flat=True)}
    given = {str(key): value for key, value in directions.items()}
    if set(given) - wanted:
        raise ValidationError({"directions": _("Give directions on this meeting's resolutions only.")})
    if set(given) != wanted or any(value not in Choice.values for value in given.values()):
        raise ValidationError(
            {"directions": _("Say how your proxy must vote on every resolution: for, against or abstain.")}
        )
    return given


@transaction.atomic
def proxy_appoint(
    *,
    meeting: Meeting,
    appointer: User,
    by: User,
    holder: User | None = None,
    directions: dict[str, str] | None = None,
    now: datetime.datetime | None = None,
) -> Proxy:
    """``appointer`` (a member entitled to vote) appoints a proxy for ``meeting``: ``holder`` (a member
    entitled to attend) or, with no holder, the chair of the meeting.

    With ``directions`` (each resolution's id → ``for``, ``against`` or ``abstain``) the proxy is
    directed and its votes are cast as directed; without, the proxy decides at the meeting. Refused
    after the rules' deadline, beyond the most proxies one person may hold (the chair excepted), and
    while the member already has a live proxy (revoke it first). ``by`` is the member online, or the
    secretary entering a paper form.
    """
    now = now or timezone.now()
    meeting = _lock(meeting)
    rules = _proxy_window(meeting, now, what=_("appointed"))
    refusal = selectors.vote_refusal(meeting, appointer)
    if refusal:
        raise ValidationError(refusal, code="not_entitled")
    if holder is not None:
        if holder.pk == appointer.pk:
            raise ValidationError({"holder": _("Choose someone else as your proxy, or the chair of the meeting.")})
        if selectors.attend_refusal(meeting, holder):
            raise ValidationError(
                {
                    "holder": _("Your proxy must be a member of %(organisation)s, or the chair of the meeting.")
                    % {"organisation": meeting.organisation.name}
                }
            )
    if selectors.live_proxies(meeting).filter(appointer=appointer).exists():
        raise ValidationError(
            _("You have already appointed a proxy for this meeting: revoke it to appoint another."), code="already"
        )
    if holder is not None and rules.proxy_limit:
        held = selectors.live_proxies(meeting).filter(holder=holder).count()
        if held >= rules.proxy_limit:
            raise ValidationError(
                {
                    "holder": ngettext(
                        "%(name)s already holds %(count)s proxy, the most the rules allow: "
                        "choose someone else, or the chair.",
                        "%(name)s already holds %(count)s proxies, the most the rules allow: "
                        "choose someone else, or the chair.",
                        held,
                    )
                    % {"name": holder, "count": held}
                },
                code="limit",
            )
    proxy = Proxy(
        meeting=meeting,
        appointer=appointer,
        holder=holder,
        directed=directions is not None,
        directions=_check_directions(meeting, directions) if directions is not None else {},
        appointed_at=now,
        lodged_by=by,
    )
    try:
        with transaction.atomic():
            proxy.save()
    except IntegrityError as error:
        raise ValidationError(_("You have already appointed a proxy for this meeting."), code="already") from error
    # The directions stay off the audit trail: they say how a member means to vote.
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.proxy_appoint",
        target=proxy,
        summary=f"{meeting}: {proxy}",
        directed=proxy.directed,
    )
    return proxy


@transaction.atomic
def proxy_revoke(*, proxy: Proxy, by: User, now: datetime.datetime | None = None) -> Proxy:
    """Revoke a proxy before the deadline (after it, a member who comes to the meeting votes themself)."""
    now = now or timezone.now()
    meeting = _lock(proxy.meeting)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.revoked_at is not None:
        raise ValidationError(_("This proxy has already been revoked."), code="revoked")
    _proxy_window(meeting, now, what=_("revoked"))
    proxy.revoked_at = now
    proxy.save(update_fields=["revoked_at"])
    _audit(meeting.organisation, by=by, action="meeting.proxy_revoke", target=proxy, summary=f"{meeting}: {proxy}")
    return proxy


# -- Voting ------------------------------------------------------------------------------------------------


def _cast(resolution: Resolution, *, person: User, choice: str, channel: str, cast_by: User | None = None) -> str:
    """Cast into the resolution's box; the ballot box's own refusal for someone not on its electorate
    is replaced by the register's reason, in the person's words."""
    try:
        return voting.vote_cast(box=resolution.box, person=person, content=[choice], channel=channel, cast_by=cast_by)
    except ValidationError as error:
        if error.code == "not_elector":
            reason = selectors.vote_refusal(resolution.meeting, person) or _(
                "Only the members entitled to vote when the notice was sent vote on this resolution."
            )
            raise ValidationError(reason, code="not_elector") from error
        raise


def advance_vote(*, resolution: Resolution, person: User, choice: str, now: datetime.datetime | None = None) -> str:
    """``person`` votes online before the meeting on a resolution voted on in advance; returns their receipt.

    One vote per member: a member who voted in advance cannot vote again, by proxy or by hands.
    """
    now = now or timezone.now()
    meeting = resolution.meeting
    if resolution.method != VotingMethod.ADVANCE:
        raise ValidationError(_("This resolution is voted on at the meeting, not in advance."), code="not_advance")
    if meeting.status != MeetingStatus.CALLED or now >= meeting.starts_at or resolution.box_id is None:
        raise ValidationError(_("Voting in advance is open from the notice until the meeting starts."), code="closed")
    return _cast(resolution, person=person, choice=_choice(choice), channel=Channel.ONLINE)


def _in_progress(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(_("This can be done only while the meeting is in progress."), code="not_in_progress")


def _undeclared(resolution: Resolution) -> None:
    if resolution.declared_at is not None:
        raise ValidationError(_("The chair has already declared the result of this resolution."), code="declared")


def _holder_present(proxy: Proxy, checked_in: set[int]) -> bool:
    return proxy.holder_id is None or proxy.holder_id in checked_in


def _cast_directed_proxies(resolution: Resolution, meeting: Meeting) -> int:
    """Cast each live directed proxy as directed, where its holder is present and its member is not
    (a member who came votes themself) and has not voted already. Returns how many were cast."""
    checked_in = set(meeting.attendances.values_list("person_id", flat=True))
    proxies = [
        proxy
        for proxy in selectors.live_proxies(meeting).filter(directed=True).select_related("appointer", "holder")
        if proxy.appointer_id not in checked_in and _holder_present(proxy, checked_in)
    ]
    already = selectors.marked(resolution, [proxy.appointer_id for proxy in proxies])
    cast = 0
    for proxy in proxies:
        direction = proxy.direction(resolution)
        if proxy.appointer_id in already or direction not in Choice.values:
            continue
        try:
            voting.vote_cast(
                box=resolution.box,
                person=proxy.appointer,
                content=[direction],
                channel=Channel.PROXY,
                cast_by=proxy.holder or meeting.chair,
            )
        except ValidationError as error:
            if error.code in ("not_elector", "already_voted"):
                continue  # no longer entitled, or voted meanwhile: the proxy has nothing to cast
            raise
        cast += 1
    return cast


@transaction.atomic
def attendance_check_in(
    *,
    meeting: Meeting,
    mode: str,
    person: User | None = None,
    by: User | None = None,
    token: str = "",
    now: datetime.datetime | None = None,
) -> Attendance:
    """Put someone on the meeting's attendance register, in person or online.

    The secretary at the door (``by``) names the ``person`` or scans the QR code on their notice
    (``token``); a member checks themself in (``by`` empty) with their notice's code, which must be
    theirs. Only those entitled to attend are checked in; whether they may vote is recorded with it.
    """
    now = now or timezone.now()
    meeting = _lock(meeting)
    if by is None and (not token or person is None):
        # Checking oneself in takes one's own notice's code: signed in, and the code names you.
        raise ValidationError(_("Use the QR code on your notice to check in."), code="no_token")
    if token:
        person_id = selectors.check_in_person_id(meeting, token)
        if person_id is None or (person is not None and person.pk != person_id):
            raise ValidationError(_("This check-in code is not for this meeting."), code="bad_token")
        person = person or User.objects.get(pk=person_id)
    if person is None:
        raise ValidationError({"person": _("Choose who to check in.")})
    if meeting.status not in (MeetingStatus.CALLED, MeetingStatus.IN_PROGRESS):
        raise ValidationError(
            _("Check-in is open only for a meeting that has been called and not closed."), code="closed"
        )
    opens = meeting.starts_at - CHECK_IN_OPENS_BEFORE
    if now < opens:
        raise ValidationError(_("Check-in opens at %(time)s.") % {"time": long_date(opens)}, code="not_open")
    if mode not in AttendanceMode.values:
        raise ValidationError({"mode": _("Say whether they attend in person or online.")})
    if mode == AttendanceMode.ONLINE and not meeting.online_url:
        raise ValidationError({"mode": _("This meeting is held in person only.")})
    if mode == AttendanceMode.IN_PERSON and not meeting.place:
        raise ValidationError({"mode": _("This meeting is held online only.")})
    refusal = selectors.attend_refusal(meeting, person)
    if refusal:
        raise ValidationError(refusal, code="not_entitled")
    if meeting.attendances.filter(person=person).exists():
        raise ValidationError(_("%(name)s is already checked in.") % {"name": person}, code="already")
    attendance = Attendance(
        meeting=meeting,
        person=person,
        mode=mode,
        may_vote=selectors.vote_refusal(meeting, person) is None,
        checked_in_at=now,
        checked_in_by=by,
    )
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError as error:
        raise ValidationError(_("%(name)s is already checked in.") % {"name": person}, code="already") from error
    _audit(
        meeting.organisation,
        by=by or person,
        action="meeting.check_in",
        target=meeting,
        summary=f"{meeting}: {person}",
        mode=mode,
        self_check_in=by is None,
    )
    return attendance


@transaction.atomic
def business_start(
    *, meeting: Meeting, by: User, chair: User | None = None, now: datetime.datetime | None = None
) -> Meeting:
    """Start the meeting's business, recording the quorum required and present as the rules count them.

    Refused, with the figures, while the meeting is not quorate; refused before the time in the notice.
    """
    now = now or timezone.now()
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.CALLED:
        raise ValidationError(_("Business starts once, at a meeting that has been called."), code="not_called")
    if now < meeting.starts_at:
        raise ValidationError(
            _("Business starts at the time in the notice, %(time)s, not before.")
            % {"time": long_date(meeting.starts_at)},
            code="too_early",
        )
    quorum = selectors.quorum_now(meeting)
    if not quorum.met:
        counted = (
            _("%(attending)s present with a vote and %(represented)s represented by proxy")
            % {"attending": quorum.attending, "represented": quorum.represented}
            if quorum.proxies_count
            else _("%(attending)s present with a vote") % {"attending": quorum.attending}
        )
        raise ValidationError(
            _("The meeting is not quorate: the quorum is %(required)s and %(present)s count (%(counted)s).")
            % {"required": quorum.required, "present": quorum.present, "counted": counted},
            code="not_quorate",
        )
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.chair = chair or by
    meeting.business_started_at = now
    meeting.members_entitled = quorum.members_entitled
    meeting.quorum_required = quorum.required
    meeting.quorum_present = quorum.present
    meeting.save(
        update_fields=[
            "status",
            "chair",
            "business_started_at",
            "members_entitled",
            "quorum_required",
            "quorum_present",
        ]
    )
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.business_start",
        target=meeting,
        quorum_required=quorum.required,
        quorum_present=quorum.present,
        attending=quorum.attending,
        represented=quorum.represented,
    )
    return meeting


def _lock_resolution(resolution: Resolution) -> tuple[Resolution, Meeting]:
    meeting = _lock(resolution.meeting)
    resolution = Resolution.objects.select_for_update(of=("self",)).select_related("box").get(pk=resolution.pk)
    resolution.meeting = meeting
    return resolution, meeting


@transaction.atomic
def poll_open(*, resolution: Resolution, by: User, now: datetime.datetime | None = None) -> Resolution:
    """The chair opens the secret poll on a resolution: members present vote in it, proxies are cast
    (directed ones at once, as directed)."""
    resolution, meeting = _lock_resolution(resolution)
    _in_progress(meeting)
    _undeclared(resolution)
    if resolution.method != VotingMethod.POLL:
        raise ValidationError(_("This resolution is not voted on by a poll."), code="not_poll")
    if resolution.poll_opened_at is not None:
        raise ValidationError(_("The poll on this resolution is already open."), code="open")
    resolution.poll_opened_at = now or timezone.now()
    resolution.save(update_fields=["poll_opened_at"])
    cast = _cast_directed_proxies(resolution, meeting)
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.poll_open",
        target=resolution,
        summary=f"{meeting}: {resolution}",
        directed_proxies_cast=cast,
    )
    return resolution


def _checked_in_voter(meeting: Meeting, person: User) -> None:
    if not meeting.attendances.filter(person=person, may_vote=True).exists():
        raise ValidationError(_("Check in at the meeting to vote in the poll."), code="not_present")


@transaction.atomic
def poll_vote(*, resolution: Resolution, person: User, choice: str) -> str:
    """A member present (checked in, with a vote) votes in the secret poll; returns their receipt."""
    resolution, meeting = _lock_resolution(resolution)
    _in_progress(meeting)
    _undeclared(resolution)
    if resolution.method != VotingMethod.POLL or resolution.poll_opened_at is None:
        raise ValidationError(_("The poll on this resolution is not open."), code="not_open")
    _checked_in_voter(meeting, person)
    return _cast(resolution, person=person, choice=_choice(choice), channel=Channel.ONLINE)


@transaction.atomic
def proxy_vote(*, resolution: Resolution, proxy: Proxy, by: User, choice: str) -> str:
    """A discretionary proxy's holder (or the chair, for the chair's) votes for the member who appointed them.

    Refused for a directed proxy (its votes are cast as directed), for a member who came to the
    meeting (they vote themself) and before a poll opens.
    """
    resolution, meeting = _lock_resolution(resolution)
    _in_progress(meeting)
    _undeclared(resolution)
    proxy = Proxy.objects.select_related("appointer", "holder").get(pk=proxy.pk)
    if proxy.meeting_id != meeting.pk or proxy.revoked_at is not None:
        raise ValidationError(_("This proxy is not live for this meeting."), code="not_live")
    acting = meeting.chair_id if proxy.holder_id is None else proxy.holder_id
    if by.pk != acting:
        raise ValidationError(_("Only the member's proxy can vote for them."), code="not_holder")
    if proxy.holder_id is not None and not meeting.attendances.filter(person_id=proxy.holder_id).exists():
        raise ValidationError(_("Check in at the meeting to vote as a proxy."), code="not_present")
    if meeting.attendances.filter(person_id=proxy.appointer_id).exists():
        raise ValidationError(
            _("%(name)s is at the meeting and votes for themself.") % {"name": proxy.appointer}, code="present"
        )
    if proxy.directed:
        raise ValidationError(_("This proxy is directed: its votes are cast as the member asked."), code="directed")
    if resolution.method == VotingMethod.POLL and resolution.poll_opened_at is None:
        raise ValidationError(_("The poll on this resolution is not open."), code="not_open")
    return _cast(resolution, person=proxy.appointer, choice=_choice(choice), channel=Channel.PROXY, cast_by=by)


def hands_limit(resolution: Resolution, meeting: Meeting) -> int:
    """The most hands the chair may count: members present with a vote who have not voted in the box
    (in advance or by proxy)."""
    present = selectors.present_voters(meeting)
    return len(present - selectors.marked(resolution, present))


def _check_hands(resolution: Resolution, meeting: Meeting, counts: Iterable[int]) -> None:
    counts = list(counts)
    limit = hands_limit(resolution, meeting)
    if sum(counts) > limit:
        raise ValidationError(
            ngettext(
                "The count is more than the members present who may still vote: %(count)s member checked in "
                "with a vote has not voted in advance or by proxy.",
                "The count is more than the members present who may still vote: %(count)s members checked in "
                "with a vote have not voted in advance or by proxy.",
                limit,
            )
            % {"count": limit},
            code="too_many_hands",
        )


@transaction.atomic
def hands_record(
    *,
    resolution: Resolution,
    by: User,
    for_votes: int,
    against_votes: int,
    abstain_votes: int = 0,
    now: datetime.datetime | None = None,
) -> Resolution:
    """Record the chair's count on a show of hands (again, to correct it, until the declaration)."""
    resolution, meeting = _lock_resolution(resolution)
    _in_progress(meeting)
    _undeclared(resolution)
    if resolution.method not in (VotingMethod.HANDS, VotingMethod.ADVANCE):
        raise ValidationError(_("This resolution is voted on by a poll, not by a show of hands."), code="not_hands")
    counts = (for_votes, against_votes, abstain_votes)
    if any(isinstance(count, bool) or not isinstance(count, int) or count < 0 for count in counts):
        raise ValidationError(_("Enter each count as a whole number, 0 or more."), code="bad_count")
    _check_hands(resolution, meeting, counts)
    resolution.hands_for, resolution.hands_against, resolution.hands_abstain = counts
    resolution.hands_recorded_at = now or timezone.now()
    resolution.save(update_fields=["hands_for", "hands_against", "hands_abstain", "hands_recorded_at"])
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.hands",
        target=resolution,
        summary=f"{meeting}: {resolution}",
        for_votes=for_votes,
        against_votes=against_votes,
        abstain_votes=abstain_votes,
    )
    return resolution


def _tally(resolution: Resolution, *, by: User) -> Counter:
    """Close and seal the resolution's box and count its ballots (for, against, abstain)."""
    box = resolution.box
    if box.status == BoxStatus.OPEN:
        voting.box_close(box=box, by=by)
    voting.box_seal(box=box, by=by)
    counts: Counter = Counter()
    for content in Ballot.objects.filter(box=box, spoilt=False).values_list("content", flat=True):
        counts[content[0]] += 1
    return counts


@transaction.atomic
def resolution_declare(*, resolution: Resolution, by: User, now: datetime.datetime | None = None) -> Resolution:
    """The chair declares the result: the box's votes (advance, poll, proxies) and the hands counted,
    measured against the threshold of the resolution's kind under the rules the meeting was called
    under, as ``law.resolution_result`` decides.

    Directed proxies not yet cast are cast first; the box is then closed and sealed (its ballots
    shuffled), so the totals are read only once nobody can vote any more.
    """
    resolution, meeting = _lock_resolution(resolution)
    _in_progress(meeting)
    _undeclared(resolution)
    if resolution.method == VotingMethod.POLL and resolution.poll_opened_at is None:
        raise ValidationError(_("Open the poll on this resolution first."), code="not_open")
    if resolution.method != VotingMethod.POLL and resolution.hands_recorded_at is None:
        raise ValidationError(
            _("Record the count on the show of hands first (0 where nobody raised a hand)."), code="no_hands"
        )
    _cast_directed_proxies(resolution, meeting)
    hands = (0, 0, 0)
    if resolution.method != VotingMethod.POLL:
        hands = (resolution.hands_for, resolution.hands_against, resolution.hands_abstain)
        _check_hands(resolution, meeting, hands)
    electors = set(resolution.box.electors.values_list("person_id", flat=True))
    counts = _tally(resolution, by=by)
    for_votes = counts[Choice.FOR] + hands[0]
    against_votes = counts[Choice.AGAINST] + hands[1]
    abstain_votes = counts[Choice.ABSTAIN] + hands[2]
    if resolution.kind == ResolutionKind.DISSOLUTION:
        # s.119: three-quarters of the society's members, every one of them (not only those with a vote).
        entitled = electors | selectors.member_ids(meeting.organisation)
    else:
        entitled = electors | selectors.entitled_to_vote(meeting)
    threshold = meeting.rules.threshold_for(resolution.kind)
    result = law.resolution_result(resolution.kind, for_votes, against_votes, abstain_votes, threshold, len(entitled))
    resolution.for_votes, resolution.against_votes, resolution.abstain_votes = for_votes, against_votes, abstain_votes
    resolution.members_entitled = len(entitled)
    resolution.threshold_numerator = threshold.fraction.numerator
    resolution.threshold_denominator = threshold.fraction.denominator
    resolution.threshold_inclusive = threshold.inclusive
    resolution.threshold_base = threshold.base
    if threshold.turnout is not None:
        resolution.threshold_turnout_numerator = threshold.turnout.numerator
        resolution.threshold_turnout_denominator = threshold.turnout.denominator
    resolution.passed = result.passed
    resolution.declared_at = now or timezone.now()
    resolution.declared_by = by
    resolution.save(
        update_fields=[
            "for_votes",
            "against_votes",
            "abstain_votes",
            "members_entitled",
            "threshold_numerator",
            "threshold_denominator",
            "threshold_inclusive",
            "threshold_base",
            "threshold_turnout_numerator",
            "threshold_turnout_denominator",
            "passed",
            "declared_at",
            "declared_by",
        ]
    )
    _audit(
        meeting.organisation,
        by=by,
        action="meeting.declare",
        target=resolution,
        summary=f"{meeting}: {resolution} — {'carried' if result.passed else 'not carried'}",
        for_votes=for_votes,
        against_votes=against_votes,
        abstain_votes=abstain_votes,
        threshold=str(threshold),
        passed=result.passed,
        reason=result.reason,
    )
    return resolution


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: User, now: datetime.datetime | None = None) -> Meeting:
    """Close the meeting once the chair has declared every resolution. The printable notices (names
    and addresses) are deleted: they have served their purpose."""
    meeting = _lock(meeting)
    _in_progress(meeting)
    waiting = list(meeting.resolutions.filter(declared_at__isnull=True).values_list("title", flat=True))
    if waiting:
        raise ValidationError(
            _("Declare the result of every resolution first: %(titles)s.") % {"titles": "; ".join(waiting)},
            code="undeclared",
        )
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = now or timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    NoticeLetters.objects.filter(meeting=meeting).delete()
    _audit(meeting.organisation, by=by, action="meeting.close", target=meeting)
    return meeting


# -- Minutes -----------------------------------------------------------------------------------------------


def _percent(fraction) -> str:
    value = round(float(fraction) * 100, 1)
    return f"{value:g}%"


def describe_threshold(threshold: law.Threshold) -> str:
    """A threshold in words, in the active language: "at least 3/4 (75%) of the votes cast"."""
    share = f"{threshold.fraction} ({_percent(threshold.fraction)})"
    if threshold.base == law.Base.MEMBERS:
        text = (
            _("at least %(share)s of the members") if threshold.inclusive else _("more than %(share)s of the members")
        ) % {"share": share}
    else:
        text = (
            _("at least %(share)s of the votes cast")
            if threshold.inclusive
            else _("more than %(share)s of the votes cast")
        ) % {"share": share}
    if threshold.turnout is not None:
        text += ", " + _("with at least %(share)s of the members entitled voting") % {
            "share": f"{threshold.turnout} ({_percent(threshold.turnout)})"
        }
    return text


def _time(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def _minutes_votes(method: str) -> str:
    """How a resolution was voted on, with its figures, as one sentence per method (a method's label,
    lowercased into a sentence, read "Voted on by online before the meeting, and by show of hands at it")."""
    if method == VotingMethod.POLL:
        return _("Voted on by a secret poll. For: %(for)s. Against: %(against)s. Abstentions: %(abstain)s.")
    if method == VotingMethod.ADVANCE:
        return _(
            "Voted on online before the meeting and by a show of hands at it. For: %(for)s. Against: %(against)s. "
            "Abstentions: %(abstain)s."
        )
    return _("Voted on by a show of hands. For: %(for)s. Against: %(against)s. Abstentions: %(abstain)s.")


def minutes_text(meeting: Meeting, language: str) -> str:
    """The minutes as the record tells them, in ``language``: notice, attendance, quorum, each
    resolution with its figures and result. The secretary edits them before they are approved."""
    with translation.override(language):
        attendances = list(meeting.attendances.all())
        in_person = sum(1 for a in attendances if a.mode == AttendanceMode.IN_PERSON)
        online = len(attendances) - in_person
        voting_present = sum(1 for a in attendances if a.may_vote)
        checked_in = {a.person_id for a in attendances}
        represented = len(selectors.represented_by_proxy(meeting, checked_in=checked_in)) if meeting.is_general else 0
        where = meeting.place or _("online")
        lines = [
            _("Minutes of the %(kind)s of %(organisation)s: %(title)s")
            % {
                "kind": meeting.get_kind_display().lower(),
                "organisation": meeting.organisation.name,
                "title": meeting.localised_title(language),
            },
            "",
            _("Held on %(date)s at %(place)s.") % {"date": long_date(meeting.starts_at), "place": where},
        ]
        if meeting.online_url and meeting.place:
            lines.append(_("Members could also attend online."))
        if meeting.short_notice_agreed:
            lines.append(
                _(
                    "Notice was sent on %(date)s. The meeting was held on short notice, as %(count)s members "
                    "agreed: %(reason)s"
                )
                % {
                    "date": long_date(meeting.notice_sent_on),
                    "count": meeting.short_notice_consents,
                    "reason": meeting.short_notice_reason,
                }
            )
        else:
            lines.append(
                _("Notice was sent on %(date)s, giving the %(days)s clear days the rules require.")
                % {"date": long_date(meeting.notice_sent_on), "days": meeting.notice_clear_days}
            )
        lines += [
            _("Chair: %(chair)s.") % {"chair": meeting.chair},
            # One sentence per plural form of the proxies (a journey's minutes said "1 members represented").
            ngettext(
                "Present: %(in_person)s in person and %(online)s online, %(voting)s of them with a vote; "
                "%(represented)s member represented by proxy.",
                "Present: %(in_person)s in person and %(online)s online, %(voting)s of them with a vote; "
                "%(represented)s members represented by proxy.",
                represented,
            )
            % {"in_person": in_person, "online": online, "voting": voting_present, "represented": represented},
            _("Quorum: %(required)s required, %(present)s present when business started at %(time)s.")
            % {
                "required": meeting.quorum_required,
                "present": meeting.quorum_present,
                "time": _time(meeting.business_started_at),
            },
        ]
        agenda = list(meeting.agenda_items.order_by("order", "pk"))
        if agenda:
            lines += ["", _("Agenda")]
            lines += [f"{n}. {item.localised_title(language)}" for n, item in enumerate(agenda, start=1)]
        resolutions = list(meeting.resolutions.order_by("order", "pk"))
        if resolutions:
            lines += ["", _("Resolutions")]
        for n, resolution in enumerate(resolutions, start=1):
            lines += [
                "",
                f"{n}. {resolution.localised_title(language)} ({resolution.get_kind_display()})",
                resolution.localised_text(language),
                _minutes_votes(resolution.method)
                % {
                    "for": resolution.for_votes,
                    "against": resolution.against_votes,
                    "abstain": resolution.abstain_votes,
                },
                _("Needed: %(threshold)s.") % {"threshold": describe_threshold(resolution.threshold)},
                _("The chair declared the resolution carried.")
                if resolution.passed
                else _("The chair declared the resolution not carried."),
            ]
            if resolution.passed and resolution.needs_confirmation:
                earliest, latest = law.confirmation_window(meeting.starts_on)
                lines.append(
                    _(
                        "It takes effect only once confirmed by a second general meeting held between "
                        "%(earliest)s and %(latest)s."
                    )
                    % {"earliest": long_date(earliest), "latest": long_date(latest)}
                )
        lines += ["", _("The meeting closed at %(time)s.") % {"time": _time(meeting.closed_at)}]
        return "\n".join(str(line) for line in lines)


@transaction.atomic
def minutes_draft(*, meeting: Meeting, by: User, replace: bool = False) -> Minutes:
    """Draft the minutes of a closed meeting from its record, in English and Welsh.

    Drafting again replaces the text (the secretary's edits too) only with ``replace``; approved
    minutes are never redrafted.
    """
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.CLOSED:
        raise ValidationError(_("Minutes are drafted once the meeting has closed."), code="not_closed")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is not None:
        if minutes.status != MinutesStatus.DRAFT:
            raise ValidationError(
                _("These minutes have been approved: they can no longer be redrafted."), code="approved"
            )
        if not replace:
            raise ValidationError(
                _("The minutes have already been drafted: change them, or draft them again."), code="drafted"
            )
    else:
        minutes = Minutes(meeting=meeting)
    minutes.text = minutes_text(meeting, "en")
    minutes.text_cy = minutes_text(meeting, "cy")
    minutes.drafted_at = timezone.now()
    minutes.drafted_by = by
    minutes.save()
    _audit(meeting.organisation, by=by, action="minutes.draft", target=minutes, summary=str(meeting))
    return minutes


@transaction.atomic
def minutes_update(*, minutes: Minutes, by: User, text: str, text_cy: str = "") -> Minutes:
    """Edit draft minutes (approved minutes are the meeting's record, and stay as approved)."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__organisation").get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError(_("These minutes have been approved: they can no longer be changed."), code="approved")
    minutes.text = _text(text, field="text", missing=_("Enter the minutes."), limit=50_000)
    minutes.text_cy = _text(text_cy, field="text_cy", missing="", limit=50_000, required=False)
    minutes.save(update_fields=["text", "text_cy"])
    _audit(minutes.meeting.organisation, by=by, action="minutes.update", target=minutes, summary=str(minutes.meeting))
    return minutes


@transaction.atomic
def minutes_approve(
    *, minutes: Minutes, by: User, at_meeting: Meeting, now: datetime.datetime | None = None
) -> Minutes:
    """Record that a later meeting of the organisation (in progress, or since closed) approved the minutes."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__organisation").get(pk=minutes.pk)
    meeting = minutes.meeting
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError(_("These minutes have already been approved."), code="approved")
    if (
        at_meeting.organisation_id != meeting.organisation_id
        or at_meeting.pk == meeting.pk
        or at_meeting.starts_at <= meeting.starts_at
        or at_meeting.status not in (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)
    ):
        raise ValidationError(
            {"at_meeting": _("Minutes are approved at a later meeting of the organisation, once it has started.")}
        )
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = now or timezone.now()
    minutes.approved_at_meeting = at_meeting
    minutes.save(update_fields=["status", "approved_at", "approved_at_meeting"])
    _audit(
        meeting.organisation,
        by=by,
        action="minutes.approve",
        target=minutes,
        summary=f"{meeting} — {at_meeting}",
    )
    return minutes


@transaction.atomic
def minutes_publish(*, minutes: Minutes, by: User, now: datetime.datetime | None = None) -> Minutes:
    """Publish approved minutes to the members (and the public, where the rules make the record public)."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__organisation").get(pk=minutes.pk)
    if minutes.status == MinutesStatus.PUBLISHED:
        raise ValidationError(_("These minutes are already published."), code="published")
    if minutes.status != MinutesStatus.APPROVED:
        raise ValidationError(_("Minutes are published once a meeting has approved them."), code="not_approved")
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = now or timezone.now()
    minutes.save(update_fields=["status", "published_at"])
    _audit(minutes.meeting.organisation, by=by, action="minutes.publish", target=minutes, summary=str(minutes.meeting))
    return minutes


# -- For the members' pages ----------------------------------------------------------------------------


@transaction.atomic
def proxy_change(
    *,
    meeting: Meeting,
    appointer: User,
    by: User,
    holder: User | None = None,
    directions: dict[str, str] | None = None,
    now: datetime.datetime | None = None,
) -> Proxy:
    """Replace ``appointer``'s live proxy for ``meeting`` with a new appointment (or appoint one, if
    there is none), in one transaction: the old proxy is revoked only if the new one is accepted.
    Refused as ``proxy_revoke`` and ``proxy_appoint`` refuse (after the deadline, over the limit …)."""
    now = now or timezone.now()
    current = selectors.live_proxies(meeting).filter(appointer=appointer).first()
    if current is not None:
        proxy_revoke(proxy=current, by=by, now=now)
    return proxy_appoint(meeting=meeting, appointer=appointer, by=by, holder=holder, directions=directions, now=now)
