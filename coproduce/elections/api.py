"""JSON API for elections: published elections, declared results and what anyone needs to recount them.

Everything here is public and needs no sign-in: the elections of listed organisations, their
timetables and seats, and once the result is declared the engine's own report with the
published ballots (a BLT file ``coproduce count stv`` recounts) and the list of receipt codes.
Nothing here joins a person to a ballot: the ballots carry no receipt and no voter, and the
receipts carry no choices (see ``coproduce.voting.models``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate

from coproduce.core.api import ErrorOut, Pagination, SchemaErrorOut, responses
from coproduce.voting.models import BoxStatus
from coproduce.voting.selectors import published_receipts

from . import counting, selectors
from .models import Constituency, Election, Stage

router = Router(tags=["elections"])

# Keys are 64-bit integers: anything larger is not an election, and must not reach the database.
ID_MAX = 2**63 - 1
ElectionId = Path(..., ge=1, le=ID_MAX, description="the election's number")
ConstituencyId = Path(..., ge=1, le=ID_MAX, description="the constituency's number")


class ElectionSummaryOut(Schema):
    id: int
    title: str
    organisation: str
    organisation_slug: str
    status: str
    voting_close: datetime.datetime

    @staticmethod
    def resolve_title(election: Election) -> str:
        return election.localised_title(translation.get_language())

    @staticmethod
    def resolve_organisation(election: Election) -> str:
        return election.organisation.name

    @staticmethod
    def resolve_organisation_slug(election: Election) -> str:
        return election.organisation.slug

    @staticmethod
    def resolve_status(election: Election) -> str:
        return str(election.status())


class TimetableOut(Schema):
    nominations_open: datetime.datetime
    nominations_close: datetime.datetime
    voting_open: datetime.datetime
    voting_close: datetime.datetime
    qualifying_date: datetime.date


class ConstituencyOut(Schema):
    id: int
    name: str
    seats: int
    electorate: int | None  # fixed when voting opens; empty before then and where there was no poll
    uncontested: bool

    @staticmethod
    def resolve_name(constituency: Constituency) -> str:
        return constituency.localised_name(translation.get_language())

    @staticmethod
    def resolve_electorate(constituency: Constituency) -> int | None:
        return constituency.box.electorate_size if constituency.box_id else None


class AppointedSeatOut(Schema):
    title: str
    appointed_by: str
    seats: int

    @staticmethod
    def resolve_title(seat) -> str:
        return seat.localised_title(translation.get_language())


class ElectionOut(ElectionSummaryOut):
    description: str
    rules: str
    seed: str
    declared_at: datetime.datetime | None
    timetable: TimetableOut
    constituencies: list[ConstituencyOut]
    appointed_seats: list[AppointedSeatOut]

    @staticmethod
    def resolve_description(election: Election) -> str:
        return election.localised_description(translation.get_language())

    @staticmethod
    def resolve_timetable(election: Election) -> Election:
        return election

    @staticmethod
    def resolve_constituencies(election: Election) -> list[Constituency]:
        return list(election.constituencies.select_related("box"))

    @staticmethod
    def resolve_appointed_seats(election: Election) -> list:
        return list(election.appointed_seats.all())


class TurnoutOut(Schema):
    electorate: int
    voted: int
    ballots: int
    spoilt: int


class ConstituencyResultOut(Schema):
    id: int
    name: str
    ballots: str | None  # the BLT file's address; empty where there was no poll
    receipts: str | None  # the receipt codes' address; empty where there was no poll
    rules: str
    seats: int
    quota: str | None
    valid: str | None
    elected: list[int]  # candidate numbers, 1-based, as in the BLT file
    elected_names: list[str]
    candidates: list[str]
    stages: list[dict[str, Any]]  # the counting engine's stages, exactly as it reported them
    votes: list[int] | None  # a plurality count's votes per candidate
    turnout: TurnoutOut | None


class ResultOut(Schema):
    election: int
    title: str
    declared_at: datetime.datetime | None
    seed: str
    constituencies: list[ConstituencyResultOut]


def _not_found(reason: str) -> Status:
    return Status(404, {"detail": reason})


def _election(election_id: int) -> Election | None:
    return selectors.public_elections().filter(pk=election_id).first()


def _sealed_constituency(election_id: int, constituency_id: int) -> tuple[Constituency | None, str]:
    """The constituency of a published election whose box has been sealed, or why there is none."""
    election = _election(election_id)
    if election is None:
        return None, _("There is no published election with this number.")
    constituency = (
        Constituency.objects.filter(election=election, pk=constituency_id).select_related("box", "election").first()
    )
    if constituency is None:
        return None, _("This election has no constituency with this number.")
    if constituency.box is None:
        return None, _("This constituency was declared without a poll: there are no ballots.")
    if constituency.box.status != BoxStatus.SEALED:
        return None, _("The ballots are published when the count seals the ballot box.")
    return constituency, ""


def _constituency_result(request, constituency: Constituency) -> dict[str, Any]:
    report = constituency.result or {}
    addresses = {"ballots": None, "receipts": None}
    if constituency.box_id:
        kwargs = {"election_id": constituency.election_id, "constituency_id": constituency.pk}
        addresses = {
            "ballots": request.build_absolute_uri(reverse("api:election_ballots", kwargs=kwargs)),
            "receipts": request.build_absolute_uri(reverse("api:election_receipts", kwargs=kwargs)),
        }
    return {
        "id": constituency.pk,
        "name": constituency.localised_name(translation.get_language()),
        **addresses,
        "rules": report.get("rules", "uncontested"),
        "seats": report.get("seats", constituency.seats),
        "quota": report.get("quota"),
        "valid": report.get("valid"),
        "elected": report.get("elected", []),
        "elected_names": report.get("elected_names", []),
        "candidates": report.get("candidates", []),
        "stages": report.get("stages", []),
        "votes": report.get("votes"),
        "turnout": report.get("turnout"),
    }


@router.get("/", response=responses(list[ElectionSummaryOut]), summary="Published elections")
@paginate(Pagination)
def list_elections(request):
    return selectors.public_elections().order_by("-voting_close", "-pk")


@router.get(
    "/{election_id}",
    response=responses(ElectionOut, 404),
    summary="One election",
    description="Its constituencies (seats, electorates), appointed seats, timetable and the seed for any lot.",
)
def get_election(request, election_id: int = ElectionId):
    election = _election(election_id)
    if election is None:
        return _not_found(_("There is no published election with this number."))
    return election


@router.get(
    "/{election_id}/result",
    response=responses(ResultOut, 404),
    summary="The declared result",
    description=(
        "Each constituency's count as the engine reported it, stage by stage, with the addresses "
        "of its published ballots (a BLT file to recount with `coproduce count stv`) and receipt codes."
    ),
)
def get_result(request, election_id: int = ElectionId):
    election = _election(election_id)
    if election is None:
        return _not_found(_("There is no published election with this number."))
    if election.stage != Stage.DECLARED:
        return _not_found(_("The result of this election has not been declared yet."))
    return {
        "election": election.pk,
        "title": election.localised_title(translation.get_language()),
        "declared_at": election.declared_at,
        "seed": election.seed,
        "constituencies": [
            _constituency_result(request, constituency)
            for constituency in election.constituencies.select_related("box", "election")
        ],
    }


BLT_RESPONSE = {
    "responses": {
        200: {
            "description": "The ballots in BLT format, one line per distinct ranking with its count.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    }
}


@router.get(
    "/{election_id}/constituencies/{constituency_id}/ballots.blt",
    response={404: ErrorOut, 422: SchemaErrorOut, 429: ErrorOut},
    url_name="election_ballots",
    summary="A constituency's ballots, to recount",
    description="Published when the count seals the ballot box. No ballot carries a voter or a receipt.",
    openapi_extra=BLT_RESPONSE,
)
def ballots(request, election_id: int = ElectionId, constituency_id: int = ConstituencyId):
    constituency, reason = _sealed_constituency(election_id, constituency_id)
    if constituency is None:
        return _not_found(reason)
    response = HttpResponse(counting.ballots_blt(constituency), content_type="text/plain; charset=utf-8")
    filename = f"election-{election_id}-constituency-{constituency_id}.blt"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/{election_id}/constituencies/{constituency_id}/receipts",
    response=responses(list[str], 404),
    url_name="election_receipts",
    summary="A constituency's receipt codes",
    description=(
        "Every receipt code given to a voter, sorted, published when the count seals the ballot box: "
        "a voter finds their own code here. Codes carry no choices."
    ),
)
def receipts(request, election_id: int = ElectionId, constituency_id: int = ConstituencyId):
    constituency, reason = _sealed_constituency(election_id, constituency_id)
    if constituency is None:
        return _not_found(reason)
    return published_receipts(constituency.box)
