"""Public pages: where I live and the organisation directory.

An organisation's own page is the members app's (it shows the classes open to join), so
that the core imports no feature app.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import get_language

from .. import selectors
from ..forms import DirectoryFilterForm, WhereILiveForm
from .pagination import paginate


def home(request):
    """What's happening where I live: organisations active in a ward found by postcode or by name."""
    language = get_language()
    wards = list(selectors.wards())
    form = WhereILiveForm(request.GET or None, wards=wards, language=language)
    place = None
    if form.is_bound and form.is_valid():
        place = form.cleaned_data["place"]
    elif not form.is_bound and request.user.is_authenticated:
        place = request.user.ward  # a signed-in resident sees their own ward at once
    organisations = list(selectors.organisation_directory(ward=place)) if place else []
    return render(
        request,
        "core/home.html",
        {"form": form, "place": place, "organisations": organisations, "language": language},
    )


def directory(request):
    """Every public organisation, filtered by kind and ward, a page at a time."""
    language = get_language()
    form = DirectoryFilterForm(request.GET, wards=list(selectors.wards()), language=language)
    page = paginate(request, selectors.organisation_directory(**form.filters()))
    return render(request, "core/directory.html", {"form": form, "page": page, "language": language})
