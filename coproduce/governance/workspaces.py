"""What meetings put on a person's home and on an organisation's workspace.

Members are told of their organisations' meetings: the papers to read, a proxy to appoint before the
deadline, a vote to cast in advance (urgent until they have); and of requisitions for a special general
meeting they could sign. The secretary and the board (``governance.run_meetings``) are told what their
meetings need: a notice to send before the notice period runs out, members to check in and business to
start, results to declare, a requisition that reached its signatures and the date to call the meeting
by, minutes to draft, approve and publish. Each hook runs a fixed number of queries, however many
meetings it lists. The audit trail's words stay in ``audit.py``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coproduce.core.jinja import long_date
from coproduce.core.models import Role, RoleKind
from coproduce.core.registry import WorkItem
from coproduce.members.models import Membership
from coproduce.voting.models import Elector

from . import selectors
from .models import (
    Meeting,
    MeetingRules,
    MeetingStatus,
    MinutesStatus,
    Proxy,
    Requisition,
    RequisitionSignature,
    Resolution,
    VotingMethod,
    default_rules,
)
from .services import CHECK_IN_OPENS_BEFORE

# Closed meetings whose minutes are not yet published stay on the secretary's list this long.
MINUTES_WATCHED = datetime.timedelta(days=400)
# A notice to send this close to its last day is urgent.
NOTICE_SOON = datetime.timedelta(days=7)


def meeting_url(meeting: Meeting) -> str:
    return reverse("governance:meeting", kwargs={"pk": meeting.pk})


def manage_url(meeting: Meeting) -> str:
    return reverse("governance:manage", kwargs={"pk": meeting.pk})


def latest_notice_day(rules: MeetingRules, meeting: Meeting) -> datetime.date:
    """The last day a notice can be sent for ``meeting`` under ``rules`` (the clear days, and any days
    before a notice counts as received, between it and the meeting's day)."""
    days = rules.notice_clear_days(meeting.kind) + 1 + rules.notice_deemed_served_after_days
    return meeting.starts_on - datetime.timedelta(days=days)


# -- Members ------------------------------------------------------------------------------------------------


def _member_meeting_items(user, *, language: str, now: datetime.datetime) -> list[WorkItem]:
    """The person's organisations' meetings called and not yet closed, each with what they can do (four queries)."""
    meetings = list(selectors.upcoming(selectors.meetings_for_member(user=user), now=now).select_related("rules"))
    if not meetings:
        return []
    ids = [meeting.pk for meeting in meetings]
    resolutions = list(
        Resolution.objects.filter(meeting__in=ids, box__isnull=False).values_list("meeting_id", "box_id", "method")
    )
    # The boxes the person is an elector of, and whether they have voted in each.
    electors = dict(
        Elector.objects.filter(person=user, box__in=[box for _, box, _ in resolutions]).values_list("box_id", "mark")
    )
    proxies = set(
        Proxy.objects.filter(meeting__in=ids, appointer=user, revoked_at__isnull=True).values_list(
            "meeting_id", flat=True
        )
    )
    items = []
    for meeting in meetings:
        boxes = [(box, method) for meeting_id, box, method in resolutions if meeting_id == meeting.pk]
        entitled = any(box in electors for box, _ in boxes)
        voted_everywhere = entitled and all(electors.get(box) is not None for box, _ in boxes if box in electors)
        advance_open = (
            meeting.status == MeetingStatus.CALLED
            and now < meeting.starts_at
            and any(
                method == VotingMethod.ADVANCE and box in electors and electors[box] is None for box, method in boxes
            )
        )
        deadline = meeting.proxy_deadline
        may_appoint = (
            entitled
            and not voted_everywhere
            and deadline is not None
            and meeting.status == MeetingStatus.CALLED
            and now < deadline
            and meeting.pk not in proxies
        )
        names = {
            "meeting": meeting.localised_title(language),
            "organisation": meeting.organisation.name,
            "date": long_date(meeting.starts_at, time=False),
        }
        hints = []
        if meeting.status == MeetingStatus.IN_PROGRESS:
            label = _("%(meeting)s of %(organisation)s is under way") % names
            if entitled:
                hints.append(_("Check in with the QR code on your notice to vote at the meeting."))
        elif advance_open and may_appoint:
            label = _(
                "%(meeting)s of %(organisation)s on %(date)s: read the papers, appoint a proxy or vote in advance"
            )
        elif advance_open:
            label = _("%(meeting)s of %(organisation)s on %(date)s: read the papers and vote in advance")
        elif may_appoint:
            label = _(
                "%(meeting)s of %(organisation)s on %(date)s: read the papers, and appoint a proxy if you cannot come"
            )
        else:
            label = _("%(meeting)s of %(organisation)s on %(date)s: read the papers")
        label = label % names
        if advance_open:
            hints.append(_("Voting in advance closes when the meeting starts."))
        if may_appoint:
            hints.append(_("Proxies must be appointed by %(deadline)s.") % {"deadline": long_date(deadline)})
        items.append(WorkItem(label, meeting_url(meeting), urgent=advance_open, hint=" ".join(hints)))
    return items


def _requisition_items(user, *, language: str, now: datetime.datetime) -> list[WorkItem]:
    """Requisitions for a special general meeting, in organisations where the person has a vote, that they
    have not signed and no meeting has yet answered (two queries)."""
    memberships = (
        Membership.objects.current()
        .with_holdings()
        .filter(person=user)
        .select_related("stakeholder_class", "organisation__membership_rules")
    )
    today = timezone.localdate(now)
    organisations = [m.organisation_id for m in memberships if m.has_voting_rights(on=today)]
    if not organisations:
        return []
    requisitions = (
        Requisition.objects.filter(organisation__in=organisations)
        .exclude(Exists(Meeting.objects.filter(requisition=OuterRef("pk"))))
        .exclude(Exists(RequisitionSignature.objects.filter(requisition=OuterRef("pk"), person=user)))
        .annotate(signature_count=Count("signatures"))
        .select_related("organisation")
        .order_by("-opened_at")
    )
    items = []
    for requisition in requisitions:
        purpose = requisition.localised_purpose(language)
        if len(purpose) > 160:
            purpose = purpose[:157].rstrip() + "…"
        signed = ngettext(
            "%(count)s member has signed.", "%(count)s members have signed.", requisition.signature_count
        ) % {"count": requisition.signature_count}
        items.append(
            WorkItem(
                _("Sign the requisition for a special general meeting of %(organisation)s")
                % {"organisation": requisition.organisation.name},
                reverse("governance:requisition", kwargs={"pk": requisition.pk}),
                hint=f"{purpose} {signed}",
            )
        )
    return items


# -- The secretary and the board ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ToDo:
    """What a meeting needs from the people who run it now: in words, where to do it, and how urgently."""

    text: str
    url: str
    urgent: bool = False
    home: bool = True  # worth a line on the home page (else on the workspace only)


def _rules_today(organisations: list, today: datetime.date) -> dict[int, MeetingRules]:
    """The rules in force today for each organisation (one query; the defaults where it has set none)."""
    rules: dict[int, MeetingRules] = {}
    versions = MeetingRules.objects.filter(
        organisation__in=[o.pk for o in organisations], effective_from__lte=today
    ).order_by("organisation", "-effective_from")
    for version in versions:
        rules.setdefault(version.organisation_id, version)
    for organisation in organisations:
        if organisation.pk not in rules:
            rules[organisation.pk] = default_rules(organisation, on=today)
    return rules


def _to_do(
    meeting: Meeting,
    *,
    now: datetime.datetime,
    rules: dict[int, MeetingRules],
    started: dict[int, list[datetime.datetime]],
) -> ToDo | None:
    today = timezone.localdate(now)
    if meeting.status == MeetingStatus.DRAFT:
        in_force = rules[meeting.organisation_id]
        latest = latest_notice_day(in_force, meeting)
        url = reverse("governance:notice", kwargs={"pk": meeting.pk})
        if today > latest:
            earliest = in_force.earliest_meeting_date(meeting.kind, today)
            return ToDo(
                _("Move the meeting: with notice sent today, the earliest date is %(date)s")
                % {"date": long_date(earliest)},
                manage_url(meeting),
                urgent=True,
            )
        return ToDo(
            _("Send the notice by %(date)s") % {"date": long_date(latest)},
            url,
            urgent=latest - today <= NOTICE_SOON,
        )
    if meeting.status == MeetingStatus.CALLED:
        if now >= meeting.starts_at - CHECK_IN_OPENS_BEFORE:
            register = reverse("governance:register", kwargs={"pk": meeting.pk})
            return ToDo(_("Check members in and start the business"), register, urgent=True)
        return None
    if meeting.status == MeetingStatus.IN_PROGRESS:
        return ToDo(_("Declare the results and close the meeting"), manage_url(meeting), urgent=True)
    minutes_url = reverse("governance:minutes_edit", kwargs={"pk": meeting.pk})
    minutes = getattr(meeting, "minutes", None)
    if minutes is None:
        return ToDo(_("Draft the minutes"), minutes_url)
    if minutes.status == MinutesStatus.DRAFT:
        if any(moment > meeting.starts_at for moment in started.get(meeting.organisation_id, [])):
            return ToDo(_("Record the approval of the minutes at the later meeting"), minutes_url, urgent=True)
        return ToDo(_("The minutes wait for approval at the next meeting"), minutes_url, home=False)
    if minutes.status == MinutesStatus.APPROVED:
        return ToDo(_("Publish the approved minutes"), minutes_url, urgent=True)
    return None


def _meetings_run(organisations: list, *, now: datetime.datetime) -> list[Meeting]:
    """The meetings of ``organisations`` not yet closed, and those closed lately whose minutes are not
    published, soonest first (one query)."""
    unpublished = Q(minutes__isnull=True) | ~Q(minutes__status=MinutesStatus.PUBLISHED)
    return list(
        Meeting.objects.filter(organisation__in=[o.pk for o in organisations])
        .filter(~Q(status=MeetingStatus.CLOSED) | (unpublished & Q(closed_at__gte=now - MINUTES_WATCHED)))
        .select_related("organisation__membership_rules", "minutes")
        .order_by("starts_at", "pk")
    )


def _started_meetings(organisations: list) -> dict[int, list[datetime.datetime]]:
    """When each organisation's meetings that have started began (one query): minutes are approved at one."""
    started: dict[int, list[datetime.datetime]] = {}
    for organisation_id, starts_at in Meeting.objects.filter(
        organisation__in=[o.pk for o in organisations], status__in=(MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)
    ).values_list("organisation_id", "starts_at"):
        started.setdefault(organisation_id, []).append(starts_at)
    return started


def _requisitions_to_call(organisations: list) -> list[Requisition]:
    """Requisitions that reached their signatures and wait for a meeting, the soonest deadline first (one query)."""
    return list(
        Requisition.objects.filter(organisation__in=[o.pk for o in organisations], reached_at__isnull=False)
        .exclude(Exists(Meeting.objects.filter(requisition=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("call_by", "pk")
    )


def _requisition_to_call_item(requisition: Requisition, *, today: datetime.date) -> WorkItem:
    url = reverse("governance:create", kwargs={"slug": requisition.organisation.slug})
    late = requisition.call_by < today
    hint = (
        _("The meeting had to be called by %(date)s.") if late else _("The rules say it must be called by %(date)s.")
    ) % {"date": long_date(requisition.call_by)}
    return WorkItem(
        _("Members of %(organisation)s requisitioned a special general meeting: call it")
        % {"organisation": requisition.organisation.name},
        f"{url}?requisition={requisition.pk}",
        urgent=True,
        hint=hint,
    )


def _runner_items(user, *, language: str, now: datetime.datetime) -> list[WorkItem]:
    """For the secretary and board members: what the meetings of their organisations need (six queries)."""
    organisations = [
        role.organisation
        for role in Role.objects.current()
        .filter(person=user, kind__in=(RoleKind.SECRETARY, RoleKind.BOARD_MEMBER))
        .select_related("organisation__membership_rules")
    ]
    organisations = list({organisation.pk: organisation for organisation in organisations}.values())
    if not organisations:
        return []
    today = timezone.localdate(now)
    meetings = _meetings_run(organisations, now=now)
    rules = _rules_today(organisations, today)
    started = _started_meetings(organisations)
    items = []
    for meeting in meetings:
        to_do = _to_do(meeting, now=now, rules=rules, started=started)
        if to_do is None or not to_do.home:
            continue
        items.append(
            WorkItem(
                _("%(meeting)s: %(to_do)s") % {"meeting": meeting.localised_title(language), "to_do": to_do.text},
                to_do.url,
                urgent=to_do.urgent,
                hint=_("%(kind)s of %(organisation)s on %(date)s.")
                % {
                    "kind": meeting.get_kind_display(),
                    "organisation": meeting.organisation.name,
                    "date": long_date(meeting.starts_at),
                },
            )
        )
    items += [_requisition_to_call_item(r, today=today) for r in _requisitions_to_call(organisations)]
    return items


def home_items(user) -> list[WorkItem]:
    """Members' meetings and requisitions they could sign; for the secretary and the board, what their
    meetings need."""
    if not user.is_authenticated:
        return []
    language = get_language()
    now = timezone.now()
    return [
        *_member_meeting_items(user, language=language, now=now),
        *_requisition_items(user, language=language, now=now),
        *_runner_items(user, language=language, now=now),
    ]


def workspace_items(user, organisation) -> list[WorkItem]:
    """For those who run the organisation's meetings: each meeting not yet closed (drafts too) and those
    closed whose minutes are still to publish, with its status and what it needs; requisitions to call or
    still collecting signatures; then the list of meetings."""
    if not user.has_perm("governance.run_meetings", organisation):
        return []
    language = get_language()
    now = timezone.now()
    today = timezone.localdate(now)
    rules = _rules_today([organisation], today)
    started = _started_meetings([organisation])
    items = []
    for meeting in _meetings_run([organisation], now=now):
        to_do = _to_do(meeting, now=now, rules=rules, started=started)
        hint = _("%(status)s. %(date)s.") % {
            "status": meeting.get_status_display(),
            "date": long_date(meeting.starts_at),
        }
        if to_do is not None:
            hint = f"{hint} {to_do.text}."
        items.append(
            WorkItem(
                meeting.localised_title(language),
                to_do.url if to_do is not None else manage_url(meeting),
                urgent=to_do is not None and to_do.urgent,
                hint=hint,
            )
        )
    items += [_requisition_to_call_item(r, today=today) for r in _requisitions_to_call([organisation])]
    collecting = (
        Requisition.objects.filter(organisation=organisation, reached_at__isnull=True)
        .exclude(Exists(Meeting.objects.filter(requisition=OuterRef("pk"))))
        .annotate(signature_count=Count("signatures"))
        .order_by("-opened_at")
    )
    for requisition in collecting:
        items.append(
            WorkItem(
                _("A requisition for a special general meeting is collecting signatures"),
                reverse("governance:requisition", kwargs={"pk": requisition.pk}),
                hint=ngettext(
                    "%(count)s member has signed so far.",
                    "%(count)s members have signed so far.",
                    requisition.signature_count,
                )
                % {"count": requisition.signature_count},
            )
        )
    items.append(WorkItem(_("Meetings"), reverse("governance:manage_list", kwargs={"slug": organisation.slug})))
    return items
