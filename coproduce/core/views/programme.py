"""The council's programme workspace, for its officers: the co-ops, mutuals and trusts it sponsors,
what apps say about them, places and postcodes, and who holds which role."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Sum
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .. import equality, selectors, services
from ..forms import CensusImportForm, PostcodeImportForm, RoleGrantForm
from ..models import CensusFigure, Place, PlaceKind
from .account import posted
from .helpers import call_service


@login_required
def programme(request, slug: str):
    """The co-ops, mutuals and trusts in the borough with their contacts, and every app's sections."""
    council = selectors.council_for_programme(user=request.user, slug=slug)
    context = {
        "council": council,
        "organisations": list(selectors.programme_organisations(user=request.user, council=council)),
        "sections": selectors.programme_sections(user=request.user, council=council),
        "language": get_language(),
    }
    return render(request, "core/programme/home.html", context)


@login_required
def places(request, slug: str):
    """The council area, its districts and wards, with how many postcodes each holds."""
    council = selectors.council_for_programme(user=request.user, slug=slug)
    rows = selectors.programme_places(user=request.user, council=council)
    return render(request, "core/programme/places.html", {"council": council, "rows": rows, "language": get_language()})


@login_required
def postcodes(request, slug: str):
    """Import postcodes (ONS Postcode Directory layout) for the council's wards.

    The upload is copied to a temporary file a chunk at a time (a directory can be large) and the
    service reads it line by line; a bad file is shown as an error naming the file and the line.
    """
    council = selectors.council_for_programme(user=request.user, slug=slug)
    form = PostcodeImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="coproduce-postcodes-") as folder:
            path = Path(folder) / "upload.csv"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                result = services.postcodes_import(
                    path=path,
                    actor=request.user,
                    skip_unknown_wards=form.cleaned_data["skip_unknown_wards"],
                    name=Path(upload.name).name,
                    area=council.area,
                    organisation=council,
                )
            except services.PostcodeImportError as error:
                where = (
                    _("%(file)s, line %(line)d") % {"file": error.file, "line": error.line}
                    if error.line
                    else error.file
                )
                form.add_error(
                    "file", _("%(where)s: %(reason)s. Nothing was imported.") % {"where": where, "reason": error.reason}
                )
                result = None
        if result is not None:
            text = ngettext("%(num)d postcode imported.", "%(num)d postcodes imported.", result.imported) % {
                "num": result.imported
            }
            skipped = result.terminated_skipped + result.outside_area_skipped
            if skipped:
                text += " " + ngettext(
                    "%(num)d was skipped (terminated or outside the area).",
                    "%(num)d were skipped (terminated or outside the area).",
                    skipped,
                ) % {"num": skipped}
            messages.success(request, text)
            return redirect("core:programme_places", slug=council.slug)
    return render(request, "core/programme/postcodes.html", {"council": council, "form": form})


def _census_rows(council) -> list[dict]:
    """The council's wards that hold census figures: for each, the residents counted per bank question
    and when the figures were last changed (two queries)."""
    wards = Place.objects.filter(kind=PlaceKind.WARD)
    if council.area_id:
        wards = wards.filter(path__startswith=council.area.path + "/")
    figures = (
        CensusFigure.objects.filter(place__in=wards)
        .values("place", "question")
        .annotate(total=Sum("count"), updated=Max("updated_at"))
        .order_by()
    )
    held: dict[int, dict] = {}
    for row in figures:
        entry = held.setdefault(row["place"], {"questions": {}, "updated": row["updated"]})
        entry["questions"][row["question"]] = row["total"]
        entry["updated"] = max(entry["updated"], row["updated"])
    places = Place.objects.filter(pk__in=held).order_by("name", "pk")
    return [{"place": place, **held[place.pk]} for place in places]


@login_required
def census(request, slug: str):
    """Import census figures per ward (``ward_code,question,category,count``) and see the figures held.

    Consultations and panels compare who took part with these figures. Like the postcodes import,
    the upload is copied to a temporary file and a bad row is shown naming the file and the line.
    """
    council = selectors.council_for_programme(user=request.user, slug=slug)
    form = CensusImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="coproduce-census-") as folder:
            path = Path(folder) / "upload.csv"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                imported = services.census_import(
                    path=path, name=Path(upload.name).name, council=council, actor=request.user
                )
            except services.PostcodeImportError as error:
                where = (
                    _("%(file)s, line %(line)d") % {"file": error.file, "line": error.line}
                    if error.line
                    else error.file
                )
                form.add_error(
                    "file", _("%(where)s: %(reason)s. Nothing was imported.") % {"where": where, "reason": error.reason}
                )
                imported = None
        if imported is not None:
            messages.success(
                request,
                ngettext("%(num)d census figure imported.", "%(num)d census figures imported.", imported)
                % {"num": imported},
            )
            return redirect("core:programme_census", slug=council.slug)
    bank = equality.questions()
    return render(
        request,
        "core/programme/census.html",
        {
            "council": council,
            "form": form,
            "rows": _census_rows(council),
            "bank": bank,
            "language": get_language(),
        },
    )


@login_required
def roles(request, slug: str):
    """Current roles in the council and the organisations it sponsors (GET), and giving a role (POST)."""
    council = selectors.council_for_programme(user=request.user, slug=slug)
    organisations = list(selectors.assignable_organisations(user=request.user, council=council))
    form = RoleGrantForm(posted(request), organisations=organisations)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        role = call_service(
            form,
            services.role_grant,
            organisation=data["organisation_obj"],
            person=data["person"],
            kind=data["kind"],
            actor=request.user,
        )
        if role is not None:
            messages.success(
                request,
                _("%(name)s is now %(role)s, %(organisation)s.")
                % {
                    "name": role.person.get_full_name(),
                    "role": role.get_kind_display(),
                    "organisation": role.organisation.name,
                },
            )
            return redirect("core:programme_roles", slug=council.slug)
    held = list(selectors.role_assignments(user=request.user, council=council))
    return render(request, "core/programme/roles.html", {"council": council, "form": form, "roles": held})


@login_required
def role_end(request, slug: str, pk: int):
    """Check (GET), then end (POST) someone's role."""
    council = selectors.council_for_programme(user=request.user, slug=slug)
    role = selectors.role_assignment_get(user=request.user, council=council, pk=pk)
    own = role.person_id == request.user.pk
    if request.method == "POST" and not own:
        services.role_end(role=role, actor=request.user)
        messages.success(
            request,
            _("%(name)s is no longer %(role)s, %(organisation)s.")
            % {
                "name": role.person.get_full_name(),
                "role": role.get_kind_display(),
                "organisation": role.organisation.name,
            },
        )
        return redirect("core:programme_roles", slug=council.slug)
    return render(request, "core/programme/role_end.html", {"council": council, "role": role, "own": own})
