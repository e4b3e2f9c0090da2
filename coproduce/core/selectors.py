"""Reads for the core. Selectors that touch private data take the user and authorise."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import (
    AuditEvent,
    Feedback,
    LetterBatch,
    LetterCode,
    Organisation,
    OrganisationKind,
    Place,
    Postcode,
    ResidentList,
    Role,
    RoleKind,
    User,
    Verification,
)
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


# --- Verification (officers of a council) ------------------------------------------------------


def council_for_officer(*, user: User, slug: str) -> Organisation:
    """A council whose residents ``user`` may verify (404 for anything else they may not see, 403 otherwise)."""
    council = organisation_get_for(user=user, slug=slug, permission="core.verify_residents")
    if council.kind != OrganisationKind.COUNCIL:
        raise Http404
    return council


def councils_for_officer(*, user: User) -> QuerySet[Organisation]:
    """The councils in which ``user`` is currently an officer (for links from their account page)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.COUNCIL,
        roles__person=user,
        roles__kind=RoleKind.OFFICER,
        roles__ended_at__isnull=True,
    ).distinct()


def residents_in_area(council: Organisation) -> QuerySet[User]:
    """Active people whose ward lies in the council's area. Does not authorise: for services, and
    for the selectors below once they have."""
    if council.area_id is None:
        return User.objects.none()
    area = council.area
    return User.objects.filter(is_active=True).filter(Q(ward=area) | Q(ward__path__startswith=area.path + "/"))


def letters_awaiting_in(council: Organisation) -> QuerySet[LetterCode]:
    """Letter requests from the council's residents, at the address they still live at (does not authorise)."""
    return (
        LetterCode.objects.awaiting_letter()
        .filter(person__in=residents_in_area(council), postcode=F("person__postcode"))
        .select_related("person", "person__ward")
        .order_by("person__postcode", "requested_at")
    )


def _require_verifier(user: User, council: Organisation) -> None:
    if not user.has_perm("core.verify_residents", council):
        raise PermissionDenied


def residents_of(*, user: User, council: Organisation) -> QuerySet[User]:
    """Active people living in the council's area, for its officers."""
    _require_verifier(user, council)
    return residents_in_area(council)


def residents_find(*, user: User, council: Organisation, query: str, limit: int = 20) -> list[User]:
    """Residents whose name, email or postcode contains ``query`` (at least 3 characters)."""
    query = " ".join(query.split())
    if len(query) < 3:
        return []
    people = residents_of(user=user, council=council).select_related("ward")
    compact = query.replace(" ", "").upper()
    matches = Q(full_name__icontains=query) | Q(email__icontains=query)
    if compact.isalnum():
        matches |= Q(postcode__iexact=normalise_postcode(query))
    return list(people.filter(matches).order_by("full_name", "pk")[:limit])


def resident_get(*, user: User, council: Organisation, pk: int) -> User:
    return get_object_or_404(residents_of(user=user, council=council).select_related("ward"), pk=pk)


def letters_awaiting(*, user: User, council: Organisation) -> QuerySet[LetterCode]:
    """Residents of the council waiting for a letter with a code."""
    _require_verifier(user, council)
    return letters_awaiting_in(council)


def letter_batches(*, user: User, council: Organisation) -> QuerySet[LetterBatch]:
    _require_verifier(user, council)
    return LetterBatch.objects.filter(council=council).select_related("created_by").defer("pdf")


def letter_batch_get(*, user: User, council: Organisation, pk: int) -> LetterBatch:
    return get_object_or_404(letter_batches(user=user, council=council).defer(None), pk=pk)


def resident_lists(*, user: User, council: Organisation) -> QuerySet[ResidentList]:
    _require_verifier(user, council)
    return ResidentList.objects.filter(council=council).select_related("uploaded_by")


def resident_list_get(*, user: User, council: Organisation, pk: int) -> ResidentList:
    return get_object_or_404(resident_lists(user=user, council=council), pk=pk)


def feedback_received(*, user: User) -> QuerySet[Feedback]:
    """Feedback on the service, newest first, for council officers."""
    if not user.has_perm("core.read_feedback"):
        raise PermissionDenied
    return Feedback.objects.order_by("-created_at", "-id")


# --- A person's own account --------------------------------------------------------------------


def verification_current(*, person: User) -> Verification | None:
    """The person's strongest current verification (None when unverified)."""
    return person.verifications.current().order_by("-level", "-verified_at").first()


def letter_status(*, person: User) -> LetterCode | None:
    """The person's open letter: asked for and not yet posted, or posted and usable."""
    if person.postcode == "":
        return None
    awaiting = LetterCode.objects.awaiting_letter().filter(person=person).first()
    if awaiting is not None:
        return awaiting
    return LetterCode.objects.usable().filter(person=person, postcode=person.postcode).first()


def account_retention_reasons(*, person: User) -> list[str]:
    """Why a closing account's name and address must be kept, from every registered app."""
    from . import registry

    return [
        str(reason)
        for feature in registry.features()
        if feature.retention_reasons is not None
        for reason in feature.retention_reasons(person)
    ]


def person_data(*, person: User) -> dict[str, Any]:
    """Everything held about ``person``, by the core and by every registered app (their download)."""
    from . import registry

    data: dict[str, Any] = {
        "person": {
            "email": person.email,
            "full_name": person.full_name,
            "address": person.address,
            "postcode": person.postcode,
            "ward": person.ward.name if person.ward_id else None,
            "date_of_birth": person.date_of_birth,
            "preferred_language": person.preferred_language,
            "access_needs": list(person.access_needs),
            "verification_level": person.verification_level,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=person)
        ],
        "verifications": [
            {
                "method": verification.method,
                "level": verification.level,
                "postcode": verification.postcode,
                "verified_at": verification.verified_at,
                "evidence": verification.evidence,
                "ended_at": verification.ended_at,
                "ended_reason": verification.ended_reason,
            }
            for verification in person.verifications.all()
        ],
        "letters": [
            {
                "requested_at": letter.requested_at,
                "postcode": letter.postcode,
                "posted": letter.batch_id is not None,
                "expires_at": letter.expires_at,
                "used_at": letter.used_at,
                "cancelled_at": letter.cancelled_at,
            }
            for letter in person.letter_codes.all()
        ],
        "roles": [
            {
                "organisation": role.organisation.name,
                "role": role.kind,
                "started_at": role.started_at,
                "ended_at": role.ended_at,
            }
            for role in Role.objects.filter(person=person).select_related("organisation")
        ],
        "feedback": [
            {"sent": feedback.created_at, "satisfaction": feedback.satisfaction, "improve": feedback.improve}
            for feedback in Feedback.objects.filter(person=person)
        ],
        "apps": {},
    }
    for feature in registry.features():
        if feature.personal_data is not None:
            data["apps"][feature.label] = feature.personal_data(person)
    return data
