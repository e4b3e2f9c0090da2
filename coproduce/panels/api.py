"""JSON API for resident panels: the panels, and a published selection with the files to check it.

Everything here is public and needs no sign-in: the panels of listed councils, and once the
selection is published its result (the panel's anonymous ids, every registrant's probability,
the lowest probability and the seed) with the targets and the anonymised pool as CSV files,
exactly as the sortition engine read them, so that

    coproduce select TARGETS POOL --k K --algorithm A --id-column id --households household --seed S --format json

gives the same panel and the same lowest probability. Nothing here names a person or an
address: registrants are their anonymous ids, households a key derived from the letter.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate

from coproduce.core.api import ErrorOut, Pagination, SchemaErrorOut, responses

from . import selectors
from .models import Panel, Stage
from .views.public import public_panels, status, status_label

router = Router(tags=["panels"])

# Keys are 64-bit integers: anything larger is not a panel, and must not reach the database.
ID_MAX = 2**63 - 1
PanelId = Path(..., ge=1, le=ID_MAX, description="the panel's number")


class PanelSummaryOut(Schema):
    id: int
    title: str
    place: str
    status: str
    size: int
    registration_closes: datetime.datetime
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_title(panel: Panel) -> str:
        return panel.localised("title", translation.get_language())

    @staticmethod
    def resolve_place(panel: Panel) -> str:
        return panel.place.localised_name(translation.get_language())

    @staticmethod
    def resolve_status(panel: Panel) -> str:
        return status_label(status(panel))


class SelectionOut(Schema):
    panel_id: int
    title: str
    k: int
    algorithm: str
    seed: str
    targets: str  # the targets CSV's address
    pool: str  # the anonymised pool CSV's address
    id_column: str
    households: list[str]
    panel: list[str]  # anonymous ids, as in the pool
    probabilities: dict[str, float]
    min_probability: float
    bound: float | None
    command: str


def _not_found(reason: str) -> Status:
    return Status(404, {"detail": reason})


def _published(panel_id: int) -> tuple[Panel | None, str]:
    """The panel whose selection is published, or why there is none."""
    panel = public_panels().filter(pk=panel_id).first()
    if panel is None:
        return None, _("There is no published panel with this number.")
    if panel.stage != Stage.PUBLISHED or not panel.result:
        return None, _("The selection of this panel has not been published yet.")
    return panel, ""


@router.get("/", response=responses(list[PanelSummaryOut]), summary="Resident panels")
@paginate(Pagination)
def list_panels(request):
    return public_panels().order_by("-registration_opens", "-pk")


@router.get(
    "/{panel_id}/selection",
    response=responses(SelectionOut, 404),
    url_name="panel_selection",
    summary="A published selection",
    description=(
        "The selection as the engine made it: the panel (anonymous ids as in the pool file), each "
        "registrant's probability of selection, the lowest probability and the seed, with the addresses "
        "of the targets and pool files it read. `command` reproduces the panel with `coproduce select`."
    ),
)
def get_selection(request, panel_id: int = PanelId):
    panel, reason = _published(panel_id)
    if panel is None:
        return _not_found(reason)
    data = dict(selectors.selection_json(panel))
    for name in ("targets", "pool"):
        data[name] = request.build_absolute_uri(data[name])
    data["panel_id"] = panel.pk
    data["title"] = panel.localised("title", translation.get_language())
    data.setdefault("bound", panel.result.get("bound"))
    data["seed"] = str(data["seed"])
    return data


CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "A CSV file, exactly as the sortition engine read it.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/{panel_id}/targets.csv",
    response={404: ErrorOut, 422: SchemaErrorOut, 429: ErrorOut},
    url_name="panel_targets",
    summary="A published selection's targets",
    description="One row per category value: feature,value,min,max.",
    openapi_extra=CSV_RESPONSE,
)
def targets(request, panel_id: int = PanelId):
    panel, reason = _published(panel_id)
    if panel is None:
        return _not_found(reason)
    return _csv(selectors.targets_csv(panel), f"panel-{panel.pk}-targets.csv")


@router.get(
    "/{panel_id}/pool.csv",
    response={404: ErrorOut, 422: SchemaErrorOut, 429: ErrorOut},
    url_name="panel_pool",
    summary="A published selection's anonymised pool",
    description=(
        "One row per registrant: the anonymous id, each category's value, and a household key "
        "(the same for people who registered with the same letter). No names or addresses."
    ),
    openapi_extra=CSV_RESPONSE,
)
def pool(request, panel_id: int = PanelId):
    panel, reason = _published(panel_id)
    if panel is None:
        return _not_found(reason)
    return _csv(selectors.pool_csv(panel), f"panel-{panel.pk}-pool.csv")
