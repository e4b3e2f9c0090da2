"""Reads for the core. Selectors that touch private data take the user and authorise."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import registry
from .models import (
    AuditEvent,
    CensusFigure,
    Feedback,
    LetterBatch,
    LetterCode,
    Organisation,
    OrganisationKind,
    Place,
    PlaceKind,
    Postcode,
    ResidentList,
    Role,
    RoleKind,
    User,
    Verification,
)
from .models.places import is_valid_postcode, normalise_postcode


def ward_for_postcode(postcode: str) -> Place:
    """The ward a postcode lies in; a clear ValidationError for text that is not a postcode
    ("Enter a real postcode") and for a real one outside the area ("KM99 9ZZ is not in Kingsmere")."""
    from django.utils.translation import get_language

    normalised = normalise_postcode(postcode)
    if not is_valid_postcode(normalised):
        raise ValidationError(_("Enter a real postcode"), code="invalid_postcode")
    try:
        return Postcode.objects.select_related("ward").get(postcode=normalised).ward
    except Postcode.DoesNotExist:
        raise ValidationError(
            _("%(postcode)s is not in %(area)s"),
            code="unknown_postcode",
            params={"postcode": normalised, "area": council_area_name(language=get_language())},
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
    return [
        str(reason)
        for feature in registry.features()
        if feature.retention_reasons is not None
        for reason in feature.retention_reasons(person)
    ]


def person_data(*, person: User) -> dict[str, Any]:
    """Everything held about ``person``, by the core and by every registered app (their download)."""
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


# --- Where people work: the signed-in home, the workspace hub, the programme workspace -------------


def has_work(user: User) -> bool:
    """True when ``user`` holds a current role anywhere (their work is at ``core:work``)."""
    return user.is_authenticated and Role.objects.current().filter(person=user).exists()


def landing_url(user: User) -> str | None:
    """Where a person lands after signing in: their work if they hold a current role; None for the
    default (the signed-in home). The allauth adapter's ``get_login_redirect_url`` calls this."""
    return reverse("core:work") if has_work(user) else None


def urgent_first(items: list[registry.WorkItem]) -> list[registry.WorkItem]:
    """Urgent items first, each group in the order the apps gave them."""
    return sorted(items, key=lambda item: not item.urgent)


def home_items(*, user: User) -> list[registry.WorkItem]:
    """What every app has for this person on their signed-in home: what needs them, what they take
    part in, what is happening in their ward. Urgent first."""
    if not user.is_authenticated:
        return []
    items = [item for feature in registry.features() if feature.home_items for item in feature.home_items(user)]
    return urgent_first(items)


@dataclass(frozen=True)
class Workspace:
    """One organisation on a person's workspace hub: the roles they hold there and what needs doing."""

    organisation: Organisation
    roles: tuple[str, ...]
    items: tuple[registry.WorkItem, ...] = field(default_factory=tuple)

    @property
    def urgent(self) -> int:
        return sum(1 for item in self.items if item.urgent)


def workspaces_for(*, user: User) -> list[Workspace]:
    """For each organisation where ``user`` holds a current role: the roles and every app's work items.

    Councils first (an officer's programme), then the others by name. Reads only the user's own roles.
    """
    if not user.is_authenticated:
        return []
    held: dict[int, list[Role]] = defaultdict(list)
    organisations: dict[int, Organisation] = {}
    for role in roles_for(user=user).order_by("organisation__name", "kind"):
        held[role.organisation_id].append(role)
        organisations[role.organisation_id] = role.organisation
    ordered = sorted(
        organisations.values(), key=lambda org: (org.kind != OrganisationKind.COUNCIL, org.name.casefold())
    )
    workspaces = []
    for organisation in ordered:
        items = [
            item
            for feature in registry.features()
            if feature.workspace_items
            for item in feature.workspace_items(user, organisation)
        ]
        workspaces.append(
            Workspace(
                organisation=organisation,
                roles=tuple(str(role.get_kind_display()) for role in held[organisation.pk]),
                items=tuple(urgent_first(items)),
            )
        )
    return workspaces


def core_workspace_items(*, user: User, organisation: Organisation) -> list[registry.WorkItem]:
    """The core's own lines on the workspace hub: a council's programme, places, roles and
    verification for its officers; the audit trail for a secretary."""
    items: list[registry.WorkItem] = []
    slug = organisation.slug
    if organisation.kind == OrganisationKind.COUNCIL and user.has_perm("core.view_programme", organisation):
        awaiting = letters_awaiting_in(organisation).count()
        items += [
            registry.WorkItem(
                gettext_lazy("Programme workspace"),
                reverse("core:programme", kwargs={"slug": slug}),
                hint=gettext_lazy("The co-ops, mutuals and trusts in the borough, and their members"),
            ),
            registry.WorkItem(
                gettext_lazy("Residents waiting for a letter"),
                reverse("core:letters", kwargs={"slug": slug}),
                count=awaiting,
                urgent=awaiting > 0,
            ),
            registry.WorkItem(gettext_lazy("Verify residents"), reverse("core:verification", kwargs={"slug": slug})),
            registry.WorkItem(
                gettext_lazy("Places and postcodes"), reverse("core:programme_places", kwargs={"slug": slug})
            ),
            registry.WorkItem(gettext_lazy("Roles"), reverse("core:programme_roles", kwargs={"slug": slug})),
        ]
    if user.has_perm("core.view_audit_trail", organisation):
        items.append(registry.WorkItem(gettext_lazy("Audit trail"), reverse("core:audit_trail", kwargs={"slug": slug})))
    return items


def council_for_programme(*, user: User, slug: str) -> Organisation:
    """A council whose programme workspace ``user`` may see (404 for what is not a council)."""
    council = organisation_get_for(user=user, slug=slug, permission="core.view_programme")
    if council.kind != OrganisationKind.COUNCIL:
        raise Http404
    return council


def _require_programme(user: User, council: Organisation) -> None:
    if not user.has_perm("core.view_programme", council):
        raise PermissionDenied


def programme_organisations(*, user: User, council: Organisation) -> QuerySet[Organisation]:
    """The co-ops, mutuals and trusts the council sponsors, with their contacts (public or not)."""
    _require_programme(user, council)
    return Organisation.objects.filter(sponsoring_council=council).select_related("area").order_by("name")


def programme_sections(*, user: User, council: Organisation) -> list[registry.Section]:
    """What every app adds to the programme workspace (members by ward, growth over time, …)."""
    _require_programme(user, council)
    return [
        section
        for feature in registry.features()
        if feature.programme_sections
        for section in feature.programme_sections(user, council)
    ]


@dataclass(frozen=True)
class PlaceRow:
    """A place in the council's area with its depth (for indenting) and how many postcodes lie in it."""

    place: Place
    depth: int
    postcodes: int


def programme_places(*, user: User, council: Organisation) -> list[PlaceRow]:
    """The council's area, its districts and wards (to any depth), with counts of postcodes: two queries."""
    _require_programme(user, council)
    if council.area_id is None:
        return []
    area = council.area
    places = list(
        Place.objects.filter(Q(pk=area.pk) | Q(path__startswith=area.path + "/"))
        .annotate(postcode_count=Count("postcodes"))
        .order_by("path")
    )
    # A ward's postcodes count in every place above it too.
    totals: dict[str, int] = defaultdict(int)
    for place in places:
        codes = [code for code in place.path.split("/") if code]
        for depth in range(len(codes)):
            totals["/" + "/".join(codes[: depth + 1])] += place.postcode_count
    base = area.path.count("/")
    return [PlaceRow(place=place, depth=place.path.count("/") - base, postcodes=totals[place.path]) for place in places]


def postcode_example(*, council: Organisation | None = None) -> str:
    """A postcode the borough accepts, for hints ("For example, KM1 0AP"): the first of the council's
    area (or of any area), else a made-up one in the usual shape."""
    postcodes = Postcode.objects.order_by("postcode")
    if council is None:
        council = Organisation.objects.filter(kind=OrganisationKind.COUNCIL, area__isnull=False).order_by("pk").first()
    if council is not None and council.area_id is not None:
        area = council.area
        in_area = postcodes.filter(Q(ward=area) | Q(ward__path__startswith=area.path + "/"))
        first = in_area.values_list("postcode", flat=True).first()
        if first:
            return first
    return postcodes.values_list("postcode", flat=True).first() or "SW2 1AA"


def council_area_name(*, language: str | None = None) -> str:
    """The name of the area the site serves (the first council's), for "KM99 9ZZ is not in Kingsmere"."""
    council = (
        Organisation.objects.filter(kind=OrganisationKind.COUNCIL, area__isnull=False)
        .select_related("area")
        .order_by("pk")
        .first()
    )
    if council is None:
        return _("the council's area")
    return council.area.localised_name(language)


def role_assignments(*, user: User, council: Organisation) -> QuerySet[Role]:
    """Current roles in the council and in the organisations it sponsors, for its officers."""
    if not user.has_perm("core.assign_roles", council):
        raise PermissionDenied
    return (
        Role.objects.current()
        .filter(Q(organisation=council) | Q(organisation__sponsoring_council=council))
        .select_related("person", "organisation")
        .order_by("organisation__name", "kind", "person__full_name", "pk")
    )


def role_assignment_get(*, user: User, council: Organisation, pk: int) -> Role:
    return get_object_or_404(role_assignments(user=user, council=council), pk=pk)


def assignable_organisations(*, user: User, council: Organisation) -> QuerySet[Organisation]:
    """Where the council's officers may grant roles: the council itself and what it sponsors."""
    if not user.has_perm("core.assign_roles", council):
        raise PermissionDenied
    return Organisation.objects.filter(Q(pk=council.pk) | Q(sponsoring_council=council)).order_by("name")


def person_by_email(*, email: str) -> User | None:
    """The active person with this email address (any case), or None."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def census_counts(*, place: Place, question: str) -> dict[str, int]:
    """Residents of ``place`` by category of the equality bank's ``question``: its wards' figures summed.

    Empty where no figures were uploaded. One query.
    """
    rows = (
        CensusFigure.objects.filter(Q(place=place) | Q(place__path__startswith=place.path + "/"), question=question)
        .values("category")
        .annotate(total=Sum("count"))
    )
    return {row["category"]: row["total"] for row in rows}


def places_for(organisation: Organisation, current: Place | None = None) -> list[Place]:
    """Where an organisation's round, consultation or panel may be for: its area (or its sponsoring
    council's) and the districts and wards within it, anywhere when neither has an area; ``current``
    first when it is not among them (a place chosen before the area changed)."""
    area = organisation.area
    if area is None and organisation.sponsoring_council_id:
        area = Place.objects.filter(organisations=organisation.sponsoring_council_id).first()
    places = Place.objects.filter(kind__in=(PlaceKind.COUNCIL_AREA, PlaceKind.DISTRICT, PlaceKind.WARD))
    if area is not None:
        places = places.filter(Q(pk=area.pk) | Q(path__startswith=area.path + "/"))
    found = list(places.order_by("path"))
    if current is not None and current not in found:
        found.insert(0, current)
    return found
