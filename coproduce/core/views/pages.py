"""Public pages: where I live and the organisation directory; a signed-in person's home.

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
    """What's happening where I live: organisations active in a ward found by postcode or by name.

    Signed in, the page is the person's own: what every app has for them (what needs them, what they
    take part in), the organisations serving their ward, and a way to their work if they run things.
    """
    language = get_language()
    wards = list(selectors.wards())
    form = WhereILiveForm(request.GET or None, wards=wards, language=language, example=selectors.postcode_example())
    place = None
    if form.is_bound and form.is_valid():
        place = form.cleaned_data["place"]
    organisations = list(selectors.organisation_directory(ward=place)) if place else []
    context = {"form": form, "place": place, "organisations": organisations, "language": language}
    user = request.user
    if user.is_authenticated:
        own_ward = user.ward
        context.update(
            signed_in=True,
            items=selectors.home_items(user=user),
            has_work=selectors.has_work(user),
            own_ward=own_ward,
            ward_organisations=list(selectors.organisation_directory(ward=own_ward)) if own_ward else [],
        )
    return render(request, "core/home.html", context)


def directory(request):
    """Every public organisation, filtered by kind and ward, a page at a time."""
    language = get_language()
    form = DirectoryFilterForm(request.GET, wards=list(selectors.wards()), language=language)
    page = paginate(request, selectors.organisation_directory(**form.filters()))
    return render(request, "core/directory.html", {"form": form, "page": page, "language": language})
