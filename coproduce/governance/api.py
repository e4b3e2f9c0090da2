"""JSON API for meetings: the open record, for members' own tools and the regulator (issue 19).

``GET /api/meetings/`` lists the meetings the requester may see, and ``GET /api/meetings/{id}``
gives one meeting's record: when it was called and under what notice, the quorum required and
present when business started, and each resolution with the threshold it needed (a share of the
votes cast, or of the members for a dissolution), its votes for, against and abstaining, and
whether it passed. The figures come from ``selectors.meeting_record``.

Who sees what is the pages' rule (``selectors.meeting_for_member``), drafts left out: a general
meeting's record is its organisation's members' (and its secretary's and board's), and everyone's
where the organisation's rules make the record public (``MeetingRules.record_public``); a board or
committee meeting's is the board's. Anything else is answered 404 with the reason, the same for a
meeting that does not exist, so that nothing leaks. Votes are figures only: no answer names a voter,
a proxy or anyone at the meeting.
"""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from coproduce.core.api import Pagination, responses

from . import law, selectors
from .models import Meeting, Resolution
from .services import describe_threshold

router = Router(tags=["meetings"])

# Keys are 64-bit integers: anything larger is not a meeting, and must not reach the database.
ID_MAX = 2**63 - 1
MeetingId = Path(..., ge=1, le=ID_MAX, description="the meeting's number")
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,80}$"


class _MeetingFields(Schema):
    id: int
    title: str  # in the active language, as the other APIs' titles
    organisation: str
    organisation_slug: str
    kind: str  # agm, sgm, board, committee
    status: str  # called, in_progress, closed
    starts_at: datetime.datetime


class MeetingSummaryOut(_MeetingFields):
    @staticmethod
    def resolve_title(meeting: Meeting) -> str:
        return meeting.localised_title(translation.get_language())

    @staticmethod
    def resolve_organisation(meeting: Meeting) -> str:
        return meeting.organisation.name

    @staticmethod
    def resolve_organisation_slug(meeting: Meeting) -> str:
        return meeting.organisation.slug


class ResolutionOut(Schema):
    id: int
    kind: str  # ordinary, special, amalgamation_or_transfer, conversion, dissolution, confirmation
    title: str
    text: str
    # The share of ``threshold_base`` the votes for must reach (``threshold_inclusive``) or pass:
    # "1/2" not inclusive for an ordinary resolution (more than half), "3/4" inclusive for a special one.
    threshold: str
    threshold_inclusive: bool
    threshold_base: str  # votes_cast (for + against; abstentions are not votes cast), or members
    # The share of the members entitled who must vote (a conversion, s.113); empty where none.
    threshold_turnout: str | None
    threshold_description: str  # the threshold in words
    # The members counted as the base of a threshold on the members (a dissolution), once declared.
    members_entitled: int | None
    declared: bool
    # The figures, once the chair has declared the result (empty before). ``for`` is a Python
    # keyword: the field is ``for_`` here and ``for`` in the JSON (the operation answers by alias).
    for_: int | None = Field(alias="for")
    against: int | None
    abstain: int | None
    passed: bool | None


class MeetingOut(_MeetingFields):
    place: str
    online: bool  # members could (or can) attend online
    notice_sent_on: datetime.date | None
    notice_clear_days: int | None  # the clear days of notice the rules required
    short_notice_agreed: bool
    business_started_at: datetime.datetime | None
    members_entitled: int | None  # members entitled to vote when business started
    quorum_required: int | None
    quorum_present: int | None  # as the rules count it when business started (proxies where they count)
    closed_at: datetime.datetime | None
    resolutions: list[ResolutionOut]


NOT_FOUND = (
    "There is no meeting with this number that you may see: a meeting's record is open to its "
    "organisation's members, and to everyone where the organisation's rules make the record public."
)


def _not_found() -> Status:
    return Status(404, {"detail": _(NOT_FOUND)})


def _resolution(resolution: Resolution, figures: dict, meeting: Meeting, language: str) -> dict:
    """One resolution's record: its figures once declared, and the threshold it needs (the one it was
    declared against, or before then the one the rules it was called under set)."""
    threshold = resolution.threshold or meeting.rules.threshold_for(resolution.kind)
    return {
        "id": resolution.pk,
        "kind": resolution.kind,
        "title": resolution.localised_title(language),
        "text": resolution.localised_text(language),
        "threshold": str(threshold.fraction),
        "threshold_inclusive": threshold.inclusive,
        "threshold_base": str(law.Base(threshold.base)),
        "threshold_turnout": str(threshold.turnout) if threshold.turnout is not None else None,
        "threshold_description": describe_threshold(threshold),
        "members_entitled": resolution.members_entitled,
        "declared": resolution.is_declared,
        "for": figures["for"],
        "against": figures["against"],
        "abstain": figures["abstain"],
        "passed": figures["passed"],
    }


def meeting_out(meeting: Meeting) -> dict:
    """The open record of one meeting (``selectors.meeting_record``), with what the pages say beside it."""
    language = translation.get_language()
    record = selectors.meeting_record(meeting)
    figures = {entry["id"]: entry for entry in record["resolutions"]}
    resolutions = meeting.resolutions.order_by("order", "pk")
    return {
        "id": meeting.pk,
        "title": meeting.localised_title(language),
        "organisation": record["organisation"],
        "organisation_slug": meeting.organisation.slug,
        "kind": record["kind"],
        "status": record["status"],
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "online": bool(meeting.online_url),
        "notice_sent_on": meeting.notice_sent_on,
        "notice_clear_days": record["notice_clear_days"],
        "short_notice_agreed": meeting.short_notice_agreed,
        "business_started_at": meeting.business_started_at,
        "members_entitled": meeting.members_entitled,
        "quorum_required": record["quorum_required"],
        "quorum_present": record["quorum_present"],
        "closed_at": meeting.closed_at,
        "resolutions": [_resolution(r, figures[r.pk], meeting, language) for r in resolutions],
    }


@router.get(
    "/",
    response=responses(list[MeetingSummaryOut], 404),
    summary="Meetings you may see",
    description=(
        "Meetings that have been called, newest first: your organisations' as a member (board and "
        "committee meetings as a member of the board), and everyone's general meetings where the "
        "organisation's rules make the record public. Sign in to see your own organisations'."
    ),
)
@paginate(Pagination)
def list_meetings(
    request,
    organisation: str = Query(None, pattern=SLUG_PATTERN, description="only this organisation's meetings (its slug)"),
):
    meetings = selectors.meetings_visible_to(request.user)
    if organisation:
        meetings = meetings.filter(organisation__slug=organisation)
    return meetings.order_by("-starts_at", "-pk")


@router.get(
    "/{meeting_id}",
    response=responses(MeetingOut, 404),
    by_alias=True,
    summary="One meeting's record",
    description=(
        "When the notice was sent and the clear days the rules required; the quorum required and "
        "present when business started; each resolution with the threshold it needs (`threshold` is a "
        "share of `threshold_base`: the votes cast, or for a dissolution the members), and once the "
        "chair has declared it the votes `for`, `against` and `abstain` and whether it `passed`."
    ),
)
def get_meeting(request, meeting_id: int = MeetingId):
    meeting = selectors.meetings_visible_to(request.user).select_related("rules").filter(pk=meeting_id).first()
    if meeting is None:
        return _not_found()
    return meeting_out(meeting)
