"""One way to paginate every list page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


class DeferredJoinPaginator(Paginator):
    """Find a page's primary keys with a light query, then load only those rows in full.

    A deep page of a large register (``OFFSET 60000``) otherwise makes the database build
    every skipped row with its joins and annotations; skipping bare keys is far cheaper.
    """

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys], number, self)


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (``?page=``); a bad or out-of-range number gives the first or last page."""
    return DeferredJoinPaginator(queryset, per_page).get_page(request.GET.get("page"))
