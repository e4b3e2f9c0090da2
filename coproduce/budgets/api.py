"""JSON API for participatory budgets: published rounds, declared results and the ballots to recount them.

Everything here is public and needs no sign-in: the rounds of listed fund holders, and once the
result is declared the count as it was published (the rule, the seed of any lot, the projects
selected and why each project was or was not funded), the fund holder's departures from the
count with their reasons, and the anonymised ballots as a Pabulib file that
``coproduce count pb FILE --rule as-declared`` recounts to the same selection.
Nothing here names a voter: the file's voters are numbers in the random order of their ballots.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate

from coproduce.core.api import ErrorOut, Pagination, SchemaErrorOut, responses

from . import selectors
from .models import BudgetRound, Stage

router = Router(tags=["budgets"])

# Keys are 64-bit integers: anything larger is not a round, and must not reach the database.
ID_MAX = 2**63 - 1
RoundId = Path(..., ge=1, le=ID_MAX, description="the budget round's number")


class RoundSummaryOut(Schema):
    id: int
    title: str
    place: str
    status: str
    voting_close: datetime.datetime

    @staticmethod
    def resolve_title(budget_round: BudgetRound) -> str:
        return budget_round.localised_title(translation.get_language())

    @staticmethod
    def resolve_place(budget_round: BudgetRound) -> str:
        return budget_round.place.localised_name(translation.get_language())

    @staticmethod
    def resolve_status(budget_round: BudgetRound) -> str:
        return str(budget_round.status())


class ProjectResultOut(Schema):
    id: str  # as in the Pabulib file
    title: str
    cost: int  # pence
    votes: int
    selected: bool
    explanation: str  # in English, as the count stored it


class DepartureOut(Schema):
    project: str  # as in the Pabulib file
    title: str
    funded: bool  # funded although the count did not select it, or not funded although it did
    reason: str
    decided_at: datetime.datetime


class ResultOut(Schema):
    round: int
    title: str
    declared_at: datetime.datetime | None
    ballots: str  # the Pabulib file's address
    rule: str  # the file's ``rule`` line: equalshares/add1 or greedy
    seed: int  # the seed of any lot, also the file's ``seed`` line
    budget: int  # pence
    cost: int  # pence: what the selected projects cost together
    selected: list[str]  # project ids as in the file, in funding order
    projects: list[ProjectResultOut]
    departures: list[DepartureOut]


def _not_found(reason: str) -> Status:
    return Status(404, {"detail": reason})


def _declared_round(round_id: int) -> tuple[BudgetRound | None, str]:
    """The published round whose result is declared, or why there is none."""
    budget_round = selectors.public_rounds().filter(pk=round_id).first()
    if budget_round is None:
        return None, _("There is no published budget round with this number.")
    if budget_round.stage != Stage.DECLARED or not budget_round.result:
        return None, _("The result of this budget round has not been declared yet.")
    return budget_round, ""


@router.get("/", response=responses(list[RoundSummaryOut]), summary="Published budget rounds")
@paginate(Pagination)
def list_rounds(request):
    return selectors.public_rounds().order_by("-voting_close", "-pk")


@router.get(
    "/{round_id}/result",
    response=responses(ResultOut, 404),
    summary="The declared result",
    description=(
        "The count as published: the rule and seed, the projects selected (ids as in the ballots file), "
        "each project's votes and explanation, and any departure from the count with its reason. "
        "Money is in pence. The `ballots` address gives the Pabulib file to recount with "
        "`coproduce count pb FILE --rule as-declared`."
    ),
)
def get_result(request, round_id: int = RoundId):
    budget_round, reason = _declared_round(round_id)
    if budget_round is None:
        return _not_found(reason)
    result = budget_round.result
    selected = set(result["selected"])
    address = reverse("api:budget_ballots", kwargs={"round_id": budget_round.pk})
    departures = budget_round.departures.select_related("project").order_by("decided_at", "pk")
    return {
        "round": budget_round.pk,
        "title": budget_round.localised_title(translation.get_language()),
        "declared_at": budget_round.declared_at,
        "ballots": request.build_absolute_uri(address),
        "rule": result["declared_rule"],
        "seed": result["engine"]["seed"],
        "budget": result["budget"],
        "cost": result["cost"],
        "selected": result["selected"],
        "projects": [
            {
                "id": entry["id"],
                "title": entry["title"],
                "cost": entry["cost"],
                "votes": entry["votes"],
                "selected": entry["id"] in selected,
                "explanation": entry["explanation"],
            }
            for entry in result["projects"]
        ],
        "departures": [
            {
                "project": str(departure.project_id),
                "title": departure.project.title,
                "funded": departure.funded,
                "reason": departure.reason,
                "decided_at": departure.decided_at,
            }
            for departure in departures
        ],
    }


PB_RESPONSE = {
    "responses": {
        200: {
            "description": "The anonymised ballots in Pabulib format, with the rule and seed the count used.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    }
}


@router.get(
    "/{round_id}/ballots.pb",
    response={404: ErrorOut, 422: SchemaErrorOut, 429: ErrorOut},
    url_name="budget_ballots",
    summary="A round's ballots, to recount",
    description="Published when the result is declared. Voters are numbers: no ballot carries a name.",
    openapi_extra=PB_RESPONSE,
)
def ballots(request, round_id: int = RoundId):
    budget_round, reason = _declared_round(round_id)
    if budget_round is None:
        return _not_found(reason)
    response = HttpResponse(budget_round.ballots_pb, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="budget-round-{budget_round.pk}.pb"'
    return response
