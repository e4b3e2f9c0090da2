"""Reads for meetings: who may attend and vote, the quorum now, figures, and what a person may see.

Who takes part comes from ``members`` (the register, voting rights on a date) and the core's
roles (the board); this app never imports another feature app. Selectors named ``…_for_member``,
``…_to_run`` or taking ``user`` fetch *and* authorise, so that no page forgets to; the others
are plain reads the services and those selectors share.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.core.models import Organisation, Role, RoleKind, User
from coproduce.members.models import Membership, MembershipStatus
from coproduce.voting.models import Channel, Mark

from . import law
from .models import (
    GENERAL_MEETINGS,
    Attendance,
    Meeting,
    MeetingRules,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Proxy,
    Requisition,
    Resolution,
    ResolutionKind,
    rules_in_force,
)

# -- Who takes part --------------------------------------------------------------------------------------


def rules_for(meeting: Meeting, *, on: datetime.date | None = None) -> MeetingRules:
    """The rules a meeting runs under: those it was called under, or (before notice) those in force
    on ``on`` (today)."""
    if meeting.rules_id is not None:
        return meeting.rules
    return rules_in_force(meeting.organisation, on=on or timezone.localdate())


def _memberships(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.current()
        .with_holdings()
        .filter(organisation=organisation)
        .select_related("stakeholder_class", "organisation__membership_rules")
    )


def voting_member_ids(organisation: Organisation, *, on: datetime.date) -> set[int]:
    """The people who are members of ``organisation`` with a vote on ``on`` (its eligible members)."""
    return {membership.person_id for membership in _memberships(organisation) if membership.has_voting_rights(on=on)}


def member_ids(organisation: Organisation) -> set[int]:
    """Every current member of ``organisation``, with a vote or without."""
    return set(Membership.objects.current().filter(organisation=organisation).values_list("person_id", flat=True))


def board_member_ids(organisation: Organisation) -> set[int]:
    return set(
        Role.objects.current()
        .filter(organisation=organisation, kind=RoleKind.BOARD_MEMBER)
        .values_list("person_id", flat=True)
    )


def entitled_to_vote(meeting: Meeting, *, on: datetime.date | None = None) -> set[int]:
    """Who votes at ``meeting``: the members with a vote on the meeting's day for a general meeting,
    the board members for a board or committee meeting."""
    if meeting.kind in GENERAL_MEETINGS:
        return voting_member_ids(meeting.organisation, on=on or meeting.starts_on)
    return board_member_ids(meeting.organisation)


def entitled_to_attend(meeting: Meeting) -> set[int]:
    """Who may attend: every current member (voting or not) at a general meeting; the board at a
    board or committee meeting."""
    if meeting.kind in GENERAL_MEETINGS:
        return member_ids(meeting.organisation)
    return board_member_ids(meeting.organisation)


def attend_refusal(meeting: Meeting, person: User) -> str | None:
    """None when ``person`` may attend ``meeting``; else why not, in words to show them."""
    if person.is_authenticated and person.pk in entitled_to_attend(meeting):
        return None
    if meeting.kind in GENERAL_MEETINGS:
        return _("Only members of %(organisation)s can attend its general meetings.") % {
            "organisation": meeting.organisation.name
        }
    return _("Only members of the board of %(organisation)s can attend this meeting.") % {
        "organisation": meeting.organisation.name
    }


def vote_refusal(meeting: Meeting, person: User, *, on: datetime.date | None = None) -> str | None:
    """None when ``person`` votes at ``meeting``; else why not (the register's reason for a member)."""
    if not person.is_authenticated:
        return _("Sign in to vote.")
    if meeting.kind in GENERAL_MEETINGS:
        from coproduce.members.selectors import voting_member_reason

        return voting_member_reason(person=person, organisation=meeting.organisation, on=on or meeting.starts_on)
    if person.pk in board_member_ids(meeting.organisation):
        return None
    return _("Only members of the board of %(organisation)s vote at this meeting.") % {
        "organisation": meeting.organisation.name
    }


# -- Quorum ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumNow:
    """The quorum as the rules count it, from the attendance register and the proxies."""

    required: int
    present: int  # what the rules count: members attending, and those represented where proxies count
    members_entitled: int
    attending: int  # members entitled to vote who are checked in
    represented: int  # members not checked in whose proxy's holder is present (or is the chair)
    proxies_count: bool

    @property
    def met(self) -> bool:
        return self.present >= self.required

    @property
    def short_by(self) -> int:
        return max(self.required - self.present, 0)


def present_voters(meeting: Meeting) -> set[int]:
    """The people checked in who may vote."""
    return set(meeting.attendances.filter(may_vote=True).values_list("person_id", flat=True))


def live_proxies(meeting: Meeting) -> QuerySet[Proxy]:
    return meeting.proxies.filter(revoked_at__isnull=True)


def represented_by_proxy(meeting: Meeting, *, checked_in: set[int] | None = None) -> set[int]:
    """The appointers whose live proxy can act: its holder is checked in, or it is the chair's
    (the meeting always has a chair). Appointers who came themselves are left out: they act for themselves."""
    if checked_in is None:
        checked_in = set(meeting.attendances.values_list("person_id", flat=True))
    proxies = live_proxies(meeting).filter(Q(holder__isnull=True) | Q(holder_id__in=checked_in))
    return set(proxies.values_list("appointer_id", flat=True)) - checked_in


def quorum_now(meeting: Meeting) -> QuorumNow:
    """The quorum live: required (from the members entitled today) and present (from the register)."""
    rules = rules_for(meeting)
    entitled = entitled_to_vote(meeting)
    checked_in = set(meeting.attendances.values_list("person_id", flat=True))
    attending = present_voters(meeting) & entitled if meeting.is_general else checked_in & entitled
    represented = set()
    proxies_count = meeting.is_general and rules.proxies_allowed and rules.proxies_count_to_quorum
    if proxies_count:
        represented = (represented_by_proxy(meeting, checked_in=checked_in) & entitled) - attending
    return QuorumNow(
        required=rules.quorum_required(meeting.kind, len(entitled)),
        present=law.quorum_present(attending, represented, proxies_count),
        members_entitled=len(entitled),
        attending=len(attending),
        represented=len(represented),
        proxies_count=proxies_count,
    )


# -- Resolutions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolutionFigures:
    """What may be said of a resolution's vote: before the declaration only how many have voted and
    how (never how they voted: the box is secret until it is sealed and counted); after, the result."""

    declared: bool
    electorate: int
    voted_online: int  # in advance, or in the poll at the meeting
    voted_by_proxy: int
    hands: tuple[int, int, int] | None  # for, against, abstain as the chair counted them
    for_votes: int | None = None
    against_votes: int | None = None
    abstain_votes: int | None = None
    passed: bool | None = None
    threshold: law.Threshold | None = None

    @property
    def share_for(self) -> Fraction | None:
        """The votes for as a share of the votes cast, once declared (None before, or with none cast)."""
        cast = (self.for_votes or 0) + (self.against_votes or 0)
        return Fraction(self.for_votes, cast) if self.declared and cast else None


def resolution_figures(resolution: Resolution) -> ResolutionFigures:
    by_channel = {Channel.ONLINE: 0, Channel.PROXY: 0}
    electorate = 0
    if resolution.box_id is not None:
        electorate = resolution.box.electorate_size
        for channel, count in (
            Mark.objects.filter(box_id=resolution.box_id).order_by().values_list("channel").annotate(n=Count("pk"))
        ):
            by_channel[channel] = count
    hands = None
    if resolution.hands_recorded_at is not None:
        hands = (resolution.hands_for, resolution.hands_against, resolution.hands_abstain)
    return ResolutionFigures(
        declared=resolution.is_declared,
        electorate=electorate,
        voted_online=by_channel[Channel.ONLINE],
        voted_by_proxy=by_channel[Channel.PROXY],
        hands=hands,
        for_votes=resolution.for_votes,
        against_votes=resolution.against_votes,
        abstain_votes=resolution.abstain_votes,
        passed=resolution.passed,
        threshold=resolution.threshold,
    )


def marked(resolution: Resolution, people: Iterable[int] | None = None) -> set[int]:
    """The people who have a vote in ``resolution``'s box (advance, poll or proxy), among ``people``."""
    if resolution.box_id is None:
        return set()
    marks = Mark.objects.filter(box_id=resolution.box_id)
    if people is not None:
        marks = marks.filter(elector__person_id__in=list(people))
    return set(marks.values_list("elector__person_id", flat=True))


def confirmation_due(resolution: Resolution) -> tuple[datetime.date, datetime.date] | None:
    """For a s.111 or s.113 resolution passed at a first meeting: the window for the second meeting."""
    if not resolution.needs_confirmation or not resolution.passed:
        return None
    return law.confirmation_window(resolution.meeting.starts_on)


def awaiting_confirmation(organisation: Organisation) -> QuerySet[Resolution]:
    """Resolutions passed at a first meeting that no second meeting has yet confirmed (or tried to)."""
    return (
        Resolution.objects.filter(
            meeting__organisation=organisation,
            kind__in=law.NEED_CONFIRMATION,
            passed=True,
        )
        .exclude(confirmations__isnull=False)
        .select_related("meeting")
    )


def is_confirmed(resolution: Resolution) -> bool:
    """Whether a s.111 or s.113 resolution has been confirmed at a second meeting (always true of others)."""
    if not resolution.needs_confirmation:
        return bool(resolution.passed)
    return resolution.confirmations.filter(passed=True).exists()


# -- Requisitions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequisitionProgress:
    signatures: int
    needed: int
    reached_at: datetime.datetime | None
    call_by: datetime.date | None
    called: bool  # a meeting has been called for it

    @property
    def reached(self) -> bool:
        return self.reached_at is not None

    @property
    def still_needed(self) -> int:
        return max(self.needed - self.signatures, 0)


def requisition_signatures_needed(organisation: Organisation, *, on: datetime.date | None = None) -> int:
    """How many members with a vote must sign a requisition today, under the rules in force."""
    on = on or timezone.localdate()
    rules = rules_in_force(organisation, on=on)
    return rules.requisition_threshold(len(voting_member_ids(organisation, on=on)))


def requisition_progress(requisition: Requisition) -> RequisitionProgress:
    needed = requisition.signatures_needed or requisition_signatures_needed(requisition.organisation)
    return RequisitionProgress(
        signatures=requisition.signatures.count(),
        needed=needed,
        reached_at=requisition.reached_at,
        call_by=requisition.call_by,
        called=requisition.meetings.exists(),
    )


def open_requisitions(organisation: Organisation) -> QuerySet[Requisition]:
    """Requisitions no meeting has yet been called for, newest first, with their signature counts."""
    return (
        Requisition.objects.filter(organisation=organisation)
        .exclude(Exists(Meeting.objects.filter(requisition=OuterRef("pk"))))
        .annotate(signature_count=Count("signatures"))
        .order_by("-opened_at")
    )


def requisitions_to_call(organisation: Organisation) -> QuerySet[Requisition]:
    """Requisitions that reached their signatures and still wait for a meeting to be called: the secretary's."""
    return open_requisitions(organisation).filter(reached_at__isnull=False).order_by("call_by")


# -- Proxies and attendance ------------------------------------------------------------------------------


def proxy_of(meeting: Meeting, person: User) -> Proxy | None:
    """``person``'s live proxy for ``meeting``, if they have appointed one."""
    if not person.is_authenticated:
        return None
    return live_proxies(meeting).filter(appointer=person).select_related("holder").first()


def proxies_held(meeting: Meeting, person: User) -> QuerySet[Proxy]:
    """The live proxies ``person`` holds at ``meeting`` (with the chair's, if they chair it)."""
    held = Q(holder=person)
    if meeting.chair_id == person.pk:
        held |= Q(holder__isnull=True)
    return live_proxies(meeting).filter(held).select_related("appointer").order_by("appointed_at")


def proxies_for_secretary(*, user: User, meeting: Meeting) -> QuerySet[Proxy]:
    """Every live proxy for ``meeting``, by holder (the chair's first), for the secretary's list."""
    _authorise(user, "governance.run_meetings", meeting.organisation)
    return live_proxies(meeting).select_related("appointer", "holder").order_by("holder__full_name", "appointed_at")


def proxy_counts(meeting: Meeting) -> dict[int | None, int]:
    """Live proxies held, per holder's id (None: the chair)."""
    return dict(live_proxies(meeting).order_by().values_list("holder_id").annotate(n=Count("pk")))


def attendance_register(*, user: User, meeting: Meeting) -> QuerySet[Attendance]:
    _authorise(user, "governance.run_meetings", meeting.organisation)
    return meeting.attendances.select_related("person", "checked_in_by").order_by("checked_in_at")


CHECK_IN_SALT = "governance.check_in"


def check_in_token(meeting: Meeting, person: User) -> str:
    """The token in the QR code on ``person``'s notice: it checks them in to this meeting only."""
    return signing.Signer(salt=CHECK_IN_SALT).sign(f"{meeting.pk}.{person.pk}")


def check_in_person_id(meeting: Meeting, token: str) -> int | None:
    """The person a notice's check-in token names, if it is genuine and for ``meeting``."""
    try:
        value = signing.Signer(salt=CHECK_IN_SALT).unsign(token.strip())
    except signing.BadSignature:
        return None
    meeting_id, _dot, person_id = value.partition(".")
    if meeting_id != str(meeting.pk) or not person_id.isdigit():
        return None
    return int(person_id)


# -- Meetings a person may see ----------------------------------------------------------------------------


def _authorise(user: User, permission: str, organisation: Organisation) -> None:
    if not user.has_perm(permission, organisation):
        raise PermissionDenied


def record_public(organisation: Organisation, *, on: datetime.date | None = None) -> bool:
    """Whether the organisation's rules make the record of its meetings open to the public."""
    return rules_in_force(organisation, on=on or timezone.localdate()).record_public


def may_view_record(user: User, organisation: Organisation) -> bool:
    """The organisation's people, or anyone where a listed organisation's rules make the record
    public (the same condition as ``_public_record``: a hidden organisation's record is not public)."""
    return user.has_perm("governance.view_record", organisation) or (
        organisation.is_public and record_public(organisation)
    )


def _organisations_public_record() -> QuerySet[Organisation]:
    latest = (
        MeetingRules.objects.filter(organisation=OuterRef("pk"), effective_from__lte=timezone.localdate())
        .order_by("-effective_from")
        .values("record_public")[:1]
    )
    return Organisation.objects.annotate(public_record=Subquery(latest)).filter(public_record=True)


def _public_record() -> Q:
    """General meetings of listed organisations whose rules make the record public (board and
    committee meetings are the board's)."""
    return Q(kind__in=GENERAL_MEETINGS, organisation__in=_organisations_public_record(), organisation__is_public=True)


def public_meetings() -> QuerySet[Meeting]:
    """Meetings anyone may see: called general meetings whose record is public (``_public_record``)."""
    return Meeting.objects.exclude(status=MeetingStatus.DRAFT).filter(_public_record()).select_related("organisation")


def meetings_for_member(*, user: User, organisation: Organisation | None = None) -> QuerySet[Meeting]:
    """The called meetings of the organisations ``user`` belongs to (general meetings as a member,
    board and committee meetings as a board member), newest first."""
    if not user.is_authenticated:
        return Meeting.objects.none()
    memberships = Membership.objects.filter(person=user, status=MembershipStatus.ADMITTED).values("organisation")
    boards = Role.objects.current().filter(person=user, kind=RoleKind.BOARD_MEMBER).values("organisation")
    meetings = (
        Meeting.objects.exclude(status=MeetingStatus.DRAFT)
        .filter(
            Q(kind__in=GENERAL_MEETINGS, organisation__in=memberships)
            | (~Q(kind__in=GENERAL_MEETINGS) & Q(organisation__in=boards))
        )
        .select_related("organisation")
    )
    if organisation is not None:
        meetings = meetings.filter(organisation=organisation)
    return meetings


def upcoming(meetings: QuerySet[Meeting], *, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Of ``meetings``, those called and not yet closed, soonest first."""
    now = now or timezone.now()
    return meetings.filter(
        Q(status=MeetingStatus.CALLED, starts_at__gte=now - datetime.timedelta(hours=12))
        | Q(status=MeetingStatus.IN_PROGRESS)
    ).order_by("starts_at")


def upcoming_meetings(*, organisation: Organisation, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    return upcoming(Meeting.objects.filter(organisation=organisation).select_related("organisation"), now=now)


def meetings_to_run(*, user: User, organisation: Organisation) -> QuerySet[Meeting]:
    """Every meeting of ``organisation``, drafts included, for its secretary and board."""
    _authorise(user, "governance.run_meetings", organisation)
    return Meeting.objects.filter(organisation=organisation).select_related("organisation").order_by("-starts_at")


def _get_meeting(meeting_id: int) -> Meeting:
    try:
        return Meeting.objects.select_related("organisation", "rules", "chair").get(pk=meeting_id)
    except Meeting.DoesNotExist as error:
        raise Http404 from error


def meeting_to_run(*, user: User, meeting_id: int) -> Meeting:
    """Fetch a meeting and check ``user`` runs its organisation's meetings, in one call (403, or 404
    where the organisation is hidden from them)."""
    meeting = _get_meeting(meeting_id)
    if not user.has_perm("governance.run_meetings", meeting.organisation):
        if not meeting.organisation.is_public:
            raise Http404
        raise PermissionDenied
    return meeting


def meeting_for_member(*, user: User, meeting_id: int) -> Meeting:
    """Fetch a meeting ``user`` may see (a member, the board, the public where the record is public);
    a draft only for those who run meetings. 404 otherwise, so that nothing leaks."""
    meeting = _get_meeting(meeting_id)
    organisation = meeting.organisation
    if meeting.status == MeetingStatus.DRAFT:
        if user.has_perm("governance.run_meetings", organisation):
            return meeting
        raise Http404
    if not meeting.is_general and not (
        user.has_perm("governance.run_meetings", organisation)
        or (user.is_authenticated and user.pk in board_member_ids(organisation))
    ):
        raise Http404
    if not may_view_record(user, organisation):
        raise Http404
    return meeting


def published_minutes(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting, status=MinutesStatus.PUBLISHED).first()


def papers(meeting: Meeting):
    """The agenda items with a paper attached, in agenda order."""
    return meeting.agenda_items.exclude(paper="").order_by("order", "pk")


# -- The open record and the regulator's copy -------------------------------------------------------------


def meeting_record(meeting: Meeting) -> dict:
    """The figures of issue 19's open record (``GET /api/meetings/{id}``), JSON-ready."""
    resolutions = []
    for resolution in meeting.resolutions.order_by("order", "pk"):
        threshold = resolution.threshold
        resolutions.append(
            {
                "id": resolution.pk,
                "kind": resolution.kind,
                "title": resolution.title,
                "threshold": str(threshold.fraction) if threshold else None,
                "threshold_inclusive": threshold.inclusive if threshold else None,
                "threshold_base": str(threshold.base) if threshold else None,
                "for": resolution.for_votes,
                "against": resolution.against_votes,
                "abstain": resolution.abstain_votes,
                "passed": resolution.passed,
            }
        )
    return {
        "id": meeting.pk,
        "organisation": meeting.organisation.name,
        "kind": meeting.kind,
        "status": meeting.status,
        "starts_at": meeting.starts_at.isoformat(),
        "notice_sent_on": meeting.notice_sent_on.isoformat() if meeting.notice_sent_on else None,
        "notice_clear_days": meeting.notice_clear_days,
        "quorum_required": meeting.quorum_required,
        "quorum_present": meeting.quorum_present,
        "resolutions": resolutions,
    }


# The 2014 Act section each statutory kind is made under (for the copy sent to the FCA).
SECTIONS = {
    ResolutionKind.AMALGAMATION_OR_TRANSFER: "111",
    ResolutionKind.CONVERSION: "113",
    ResolutionKind.DISSOLUTION: "119",
}


@dataclass(frozen=True)
class SpecialResolutionCopy:
    """What the signed copy of a special resolution carries (s.111(5): signed by the chair of the
    meeting, countersigned by the secretary); the PDF is drawn from it by the pages."""

    organisation: str
    registration_number: str
    kind: str
    section: str | None
    title: str
    text: str
    text_cy: str
    meeting_title: str
    meeting_on: datetime.date
    for_votes: int
    against_votes: int
    abstain_votes: int
    threshold: law.Threshold
    declared_at: datetime.datetime
    chair: str
    secretaries: tuple[str, ...]
    # For a resolution confirmed at a second meeting: that meeting's day and figures.
    confirmed_on: datetime.date | None = None
    confirmation_figures: tuple[int, int, int] | None = None


def special_resolution_copy(resolution: Resolution) -> SpecialResolutionCopy:
    """The data for the signed copy of a special resolution the regulator needs (ValueError for an
    ordinary resolution or one that did not pass)."""
    if resolution.kind in (ResolutionKind.ORDINARY, ResolutionKind.CONFIRMATION):
        raise ValueError("only a special resolution has a copy for the regulator")
    if not resolution.passed:
        raise ValueError("the resolution did not pass")
    meeting = resolution.meeting
    organisation = meeting.organisation
    secretaries = tuple(
        str(role.person)
        for role in Role.objects.current()
        .filter(organisation=organisation, kind=RoleKind.SECRETARY)
        .select_related("person")
    )
    confirmation = resolution.confirmations.filter(passed=True).select_related("meeting").first()
    return SpecialResolutionCopy(
        organisation=organisation.name,
        registration_number=organisation.registration_number,
        kind=resolution.kind,
        section=SECTIONS.get(resolution.kind),
        title=resolution.title,
        text=resolution.text,
        text_cy=resolution.text_cy,
        meeting_title=meeting.title,
        meeting_on=meeting.starts_on,
        for_votes=resolution.for_votes,
        against_votes=resolution.against_votes,
        abstain_votes=resolution.abstain_votes,
        threshold=resolution.threshold,
        declared_at=resolution.declared_at,
        # The copy is signed by the chair of the meeting that made it final: the second, where confirmed.
        chair=str((confirmation.meeting if confirmation else meeting).chair or ""),
        secretaries=secretaries,
        confirmed_on=confirmation.meeting.starts_on if confirmation else None,
        confirmation_figures=(
            (confirmation.for_votes, confirmation.against_votes, confirmation.abstain_votes) if confirmation else None
        ),
    )


# -- G3: the open record API and the workspace hooks --------------------------------------------------------


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Every called meeting ``user`` may read the record of, as ``meeting_for_member`` decides one by
    one (drafts left out: they are not yet the record): a general meeting's for its organisation's
    members, secretary and board, and for everyone where the rules make the record public (of a
    listed organisation); a board or committee meeting's for the secretary and the board."""
    called = Meeting.objects.exclude(status=MeetingStatus.DRAFT).select_related("organisation")
    general = Q(kind__in=GENERAL_MEETINGS)
    public = _public_record()
    if not user.is_authenticated:
        return called.filter(public)
    if user.is_superuser:
        return called
    members = Membership.objects.filter(person=user, status=MembershipStatus.ADMITTED).values("organisation")
    runners = (
        Role.objects.current()
        .filter(person=user, kind__in=(RoleKind.SECRETARY, RoleKind.BOARD_MEMBER))
        .values("organisation")
    )
    return called.filter(public | (general & Q(organisation__in=members)) | Q(organisation__in=runners))
