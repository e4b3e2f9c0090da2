"""Reads for the core. Selectors that touch private data take the user and authorise."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import AuditEvent, Organisation, Place, Postcode, Role, User
from .models.places import is_valid_postcode, normalise_postcode


def ward_for_postcode(postcode: str) -> Place:
    """The ward a postcode lies in; a clear ValidationError for a malformed or unknown postcode."""
    normalised = normalise_postcode(postcode)
    if not is_valid_postcode(normalised):
        raise ValidationError(_("Enter a real postcode, like SW2 1AA"), code="invalid_postcode")
    try:
        return Postcode.objects.select_related("ward").get(postcode=normalised).ward
    except Postcode.DoesNotExist:
        raise ValidationError(
            _("We could not find %(postcode)s. Check it, or choose your ward from the list."),
            code="unknown_postcode",
            params={"postcode": normalised},
        ) from None


def wards() -> QuerySet[Place]:
    return Place.objects.wards().select_related("parent").order_by("name")


def organisation_directory(*, kind: str | None = None, ward: Place | None = None) -> QuerySet[Organisation]:
    """Public organisations, optionally of one kind and serving one ward (or the area containing it).

    One query whatever the size: the ward's ancestors come from its materialised path.
    """
    organisations = Organisation.objects.public().select_related("area", "sponsoring_council")
    if kind:
        organisations = organisations.filter(kind=kind)
    if ward is not None:
        codes = [code for code in ward.path.split("/") if code]
        organisations = organisations.filter(area__code__in=codes)
    return organisations.order_by("name")


def organisation_get(*, slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.public().select_related("area", "sponsoring_council"), slug=slug)


def organisation_get_for(*, user: User, slug: str, permission: str) -> Organisation:
    """Fetch an organisation and check ``permission`` on it in one call.

    Someone without the permission gets 404 for a hidden organisation, exactly as for an
    unknown slug (a 403 would confirm that it exists), and 403 for a public one.
    """
    organisation = get_object_or_404(Organisation, slug=slug)
    if not user.has_perm(permission, organisation):
        if not organisation.is_public:
            raise Http404
        raise PermissionDenied
    return organisation


def audit_trail(*, user: User, organisation: Organisation) -> QuerySet[AuditEvent]:
    """The organisation's audit events, newest first, for its secretary."""
    if not user.has_perm("core.view_audit_trail", organisation):
        raise PermissionDenied
    return AuditEvent.objects.filter(organisation=organisation).select_related("actor").order_by("-created_at", "-id")


def roles_for(*, user: User) -> QuerySet[Role]:
    return Role.objects.current().filter(person=user).select_related("organisation")


def ward_by_code(*, code: str) -> Place:
    return get_object_or_404(Place.objects.wards(), code=code)
