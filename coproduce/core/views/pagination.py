"""One way to paginate every list page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (``?page=``); a bad or out-of-range number gives the first or last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
