"""Residents' pages of the panels: the panels, a panel (what it is for, how the civic lottery
works, its dates, payment and benefits guidance, where it has got to) and, once the selection is
published, its audit page: the targets against the pool and the panel, every registrant's chance
grouped by profile, the certificate, the seed and the command that reproduces the panel.

Anyone may read a panel of a listed council once it is out of draft; a draft only the people who
run it. The audit page is public once the selection is published (its officers see it before).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coproduce.core.models import Organisation
from coproduce.core.views.pagination import paginate

from .. import selectors
from ..models import Panel, Stage

# GOV.UK tag colours for a panel's status (the words say it; the colour only helps).
STATUS_TAGS = {
    "draft": "govuk-tag--grey",
    "upcoming": "govuk-tag--grey",
    "registering": "govuk-tag--green",
    "closed": "govuk-tag--yellow",
    "selecting": "govuk-tag--orange",
    "selected": "govuk-tag--orange",
    "published": "govuk-tag--purple",
}
# Once the selection is published, its audit page and files are public.
PUBLISHED = Stage.PUBLISHED


def public_panels() -> QuerySet[Panel]:
    """Panels anyone may see: out of draft, run by a listed organisation."""
    return (
        Panel.objects.exclude(stage=Stage.DRAFT)
        .filter(organisation__in=Organisation.objects.public())
        .select_related("organisation", "place")
    )


def registration_open(panel: Panel, now=None) -> bool:
    """Whether people may register on the web now: letters drawn, and between the dates."""
    now = now or timezone.now()
    return (
        panel.stage in (Stage.INVITING, Stage.REGISTERING)
        and panel.registration_opens <= now < panel.registration_closes
    )


def status(panel: Panel, now=None) -> str:
    """Where the panel has got to, as a key of ``STATUS_TAGS``."""
    now = now or timezone.now()
    if panel.stage == Stage.DRAFT:
        return "draft"
    if panel.stage in (Stage.INVITING, Stage.REGISTERING):
        if now < panel.registration_opens:
            return "upcoming"
        return "registering" if now < panel.registration_closes else "closed"
    return {Stage.SELECTING: "selecting", Stage.SELECTED: "selected"}.get(panel.stage, "published")


def status_label(key: str) -> str:
    return {
        "draft": _("Being prepared"),
        "upcoming": _("Letters sent"),
        "registering": _("Taking registrations"),
        "closed": _("Registration closed"),
        "selecting": _("Selecting the panel"),
        "selected": _("Panel selected, to be published"),
        "published": _("Panel selected"),
    }[key]


def may_see(request, panel: Panel) -> bool:
    hidden = panel.stage == Stage.DRAFT or not panel.organisation.is_public
    return not hidden or request.user.has_perm("panels.run", panel)


def panel_for(request, pk: int) -> Panel:
    """A panel anyone may see; a draft (or a hidden council's) only for the people who run it."""
    panel = get_object_or_404(Panel.objects.select_related("organisation", "place"), pk=pk)
    if not may_see(request, panel):
        raise Http404
    return panel


@require_GET
def panel_list(request):
    """Panels of listed councils, the latest registration first, each with its status."""
    page = paginate(request, public_panels())
    now = timezone.now()
    rows = [(panel, status(panel, now)) for panel in page.object_list]
    return render(
        request,
        "panels/public/list.html",
        {"page": page, "rows": rows, "tags": STATUS_TAGS, "labels": status_label, "language": get_language()},
    )


@require_GET
def panel_page(request, pk: int):
    panel = panel_for(request, pk)
    key = status(panel)
    return render(
        request,
        "panels/public/panel.html",
        {
            "panel": panel,
            "status": key,
            "status_label": status_label(key),
            "tag": STATUS_TAGS[key],
            "sessions": list(panel.sessions.all()),
            "categories": _category_labels(panel.categories),
            "can_register": key == "registering",
            "published": panel.stage == PUBLISHED,
            "language": get_language(),
        },
    )


def _category_labels(categories) -> list[str]:
    from coproduce.core import equality

    labels = []
    for key in categories or ():
        if key == "ward":
            labels.append(_("Ward"))
            continue
        try:
            labels.append(str(equality.question(key).label))
        except KeyError:
            labels.append(key)
    return labels


@require_GET
def audit_page(request, pk: int):
    """The selection as published: anyone can check it and reproduce it."""
    panel = panel_for(request, pk)
    published = panel.stage == PUBLISHED
    if not (published or (panel.result and request.user.has_perm("panels.run", panel))):
        raise Http404
    audit = selectors.audit(panel)
    files = {
        "targets": reverse("api:panel_targets", kwargs={"panel_id": panel.pk}),
        "pool": reverse("api:panel_pool", kwargs={"panel_id": panel.pk}),
        "json": reverse("api:panel_selection", kwargs={"panel_id": panel.pk}),
    }
    return render(
        request,
        "panels/public/audit.html",
        {
            "panel": panel,
            "audit": audit,
            "files": {name: request.build_absolute_uri(address) for name, address in files.items()},
            "published": published,
            "language": get_language(),
        },
    )


urlpatterns = [
    path("panels/", panel_list, name="list"),
    path("panels/<int:pk>/", panel_page, name="detail"),
    path("panels/<int:pk>/selection/", audit_page, name="audit"),
]
