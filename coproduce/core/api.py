"""JSON API for the core: the public directory and places (django-ninja, OpenAPI 3.1)."""

from __future__ import annotations

from django.utils import translation
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors
from .models import Place

router = Router(tags=["core"])


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
    share_value_pence: int
    accepts_members: bool

    @staticmethod
    def resolve_area_code(organisation) -> str | None:
        return organisation.area.code if organisation.area_id else None

    @staticmethod
    def resolve_summary(organisation) -> str:
        return organisation.localised_summary(translation.get_language())


@router.get("/organisations", response=list[OrganisationOut], summary="Public directory of organisations")
@paginate(LimitOffsetPagination)
def list_organisations(request, kind: str | None = None, ward: str | None = None):
    ward_place = selectors.ward_by_code(code=ward) if ward else None
    return selectors.organisation_directory(kind=kind, ward=ward_place)


@router.get("/organisations/{slug}", response=OrganisationOut, summary="One organisation")
def get_organisation(request, slug: str):
    return selectors.organisation_get(slug=slug)


@router.get("/wards", response=list[PlaceOut], summary="Every ward")
def list_wards(request):
    return selectors.wards()


@router.get("/postcodes/{postcode}", response=PlaceOut, summary="The ward a postcode lies in")
def ward_for_postcode(request, postcode: str):
    return selectors.ward_for_postcode(postcode)
