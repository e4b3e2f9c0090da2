"""JSON API for the core: the public directory and places (django-ninja, OpenAPI 3.1)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors
from .models import Place

router = Router(tags=["core"])

# A page of at most 100 rows, starting anywhere a database can count to.
MAX_PAGE_SIZE = 100
MAX_OFFSET = 2**31 - 1
# A place's code (ONS/GSS, e.g. E05000001) and a UK postcode, with or without its space.
CODE_PATTERN = r"^[A-Za-z0-9]{1,20}$"
POSTCODE_PATTERN = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"


class ErrorOut(Schema):
    """Why a request was refused, in words fit to show a person."""

    detail: str


class SchemaErrorOut(Schema):
    """A request that breaks the OpenAPI description: where and why, field by field."""

    detail: list[dict[str, Any]]


def responses(ok: Any, *refusals: int) -> dict[int, Any]:
    """An operation's responses: ``ok`` for 200, and every refusal it can answer, described.

    422 (schema) and 429 (throttled) can answer any operation, so every operation lists them.
    """
    described: dict[int, Any] = {200: ok, 422: SchemaErrorOut, 429: ErrorOut}
    described.update(dict.fromkeys(refusals, ErrorOut))
    return described


class Pagination(LimitOffsetPagination):
    """Limit and offset, both bounded, so no request can ask for everything or overflow the database."""

    class Input(Schema):
        limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="rows in the page (at most 100)")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="rows to skip")


class PlaceOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(place: Place) -> str | None:
        return place.parent.code if place.parent_id else None

    @staticmethod
    def resolve_name(place: Place) -> str:
        return place.localised_name(translation.get_language())


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    legal_form: str
    registration_number: str
    area_code: str | None
    summary: str

    @staticmethod
    def resolve_area_code(organisation) -> str | None:
        return organisation.area.code if organisation.area_id else None

    @staticmethod
    def resolve_summary(organisation) -> str:
        return organisation.localised_summary(translation.get_language())


@router.get(
    "/organisations", response=responses(list[OrganisationOut], 404), summary="Public directory of organisations"
)
@paginate(Pagination)
def list_organisations(
    request,
    kind: str = Query(None, pattern=r"^[a-z_]{1,30}$", description="only organisations of this kind"),
    ward: str = Query(None, pattern=CODE_PATTERN, description="only those serving this ward (its code)"),
):
    ward_place = selectors.ward_by_code(code=ward) if ward else None
    return selectors.organisation_directory(kind=kind, ward=ward_place)


@router.get("/organisations/{slug}", response=responses(OrganisationOut, 404), summary="One organisation")
def get_organisation(request, slug: str):
    return selectors.organisation_get(slug=slug)


@router.get("/wards", response=responses(list[PlaceOut]), summary="Every ward")
def list_wards(request):
    return selectors.wards()


@router.get("/postcodes/{postcode}", response=responses(PlaceOut, 404), summary="The ward a postcode lies in")
def ward_for_postcode(request, postcode: str = Path(..., pattern=POSTCODE_PATTERN)):
    try:
        return selectors.ward_for_postcode(postcode)
    except ValidationError as error:  # a well-formed postcode outside the borough
        raise Http404(" ".join(error.messages)) from None
