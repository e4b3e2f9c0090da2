"""JSON API for consultations: published consultations, and the open results of closed ones.

Everything here is public and needs no sign-in: the consultations of listed organisations, and
once a consultation has closed, how many people responded and, for each choice question, how
many chose each option. Nothing here names or identifies a respondent, and equality monitoring
answers are never published here, not even in aggregate (only the equalities role sees those,
on its own page).
"""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate

from coproduce.core.api import Pagination, responses

from . import selectors
from .models import Consultation

router = Router(tags=["consultations"])

# Keys are 64-bit integers: anything larger is not a consultation, and must not reach the database.
ID_MAX = 2**63 - 1
ConsultationId = Path(..., ge=1, le=ID_MAX, description="the consultation's number")


class ConsultationSummaryOut(Schema):
    id: int
    title: str
    place: str
    status: str  # upcoming, open, closed, feedback ("you said, we did" published)
    opens_at: datetime.datetime
    closes_at: datetime.datetime

    @staticmethod
    def resolve_title(consultation: Consultation) -> str:
        return consultation.localised_title(translation.get_language())

    @staticmethod
    def resolve_place(consultation: Consultation) -> str:
        return consultation.place.localised_name(translation.get_language())

    @staticmethod
    def resolve_status(consultation: Consultation) -> str:
        return str(consultation.status())


class OptionCountOut(Schema):
    key: str
    label: str
    count: int  # responses that chose it


class QuestionCountOut(Schema):
    key: str  # the same across the survey's versions
    text: str
    kind: str  # single or multiple
    options: list[OptionCountOut]


class ResultsOut(Schema):
    consultation: int
    title: str
    status: str
    closes_at: datetime.datetime
    responses: int  # responses sent (online, on paper and at events)
    questions: list[QuestionCountOut]


def _not_found(reason: str) -> Status:
    return Status(404, {"detail": reason})


def _closed_consultation(consultation_id: int) -> tuple[Consultation | None, str]:
    """The published consultation, once closed, or why its results are not published."""
    consultation = selectors.public_consultations().filter(pk=consultation_id).first()
    if consultation is None:
        return None, _("There is no published consultation with this number.")
    if not consultation.is_closed():
        return None, _("This consultation has not closed yet: its results are published when it closes.")
    return consultation, ""


@router.get("/", response=responses(list[ConsultationSummaryOut]), summary="Published consultations")
@paginate(Pagination)
def list_consultations(request):
    return selectors.public_consultations().select_related("place").order_by("-opens_at", "-pk")


@router.get(
    "/{consultation_id}/results",
    response=responses(ResultsOut, 404),
    summary="A closed consultation's results",
    description=(
        "Published once the consultation closes: how many responses were sent, and for each single or "
        "multiple choice question, each option with the number of responses that chose it. Never a "
        "respondent's identity, and never equality monitoring answers."
    ),
)
def get_results(request, consultation_id: int = ConsultationId):
    consultation, reason = _closed_consultation(consultation_id)
    if consultation is None:
        return _not_found(reason)
    results = selectors.public_results(consultation)
    return {
        "consultation": consultation.pk,
        "title": consultation.localised_title(translation.get_language()),
        "status": str(consultation.status()),
        "closes_at": consultation.closes_at,
        "responses": results["responses"],
        "questions": [
            {
                "key": question["key"],
                "text": str(question["text"]),
                "kind": str(question["kind"]),
                "options": [
                    {"key": option["key"], "label": str(option["label"]), "count": option["count"]}
                    for option in question["options"]
                ],
            }
            for question in results["questions"]
        ],
    }
