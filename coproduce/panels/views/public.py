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
from ..models import Algorithm, Panel, Registrant, RegistrantStatus, Stage

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
    audit = audit_data(panel, get_language())
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


# Bound and lowest probability within this: the lottery is certified the fairest possible.
CERTIFICATE_TOL = 1e-6


def _labels(categories, language: str | None) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Words for the categories and their values (wards by name, bank categories by label)."""
    from coproduce.core import equality
    from coproduce.core.models import Place

    features: dict[str, str] = {}
    values: dict[tuple[str, str], str] = {}
    for key in categories:
        if key == "ward":
            features[key] = _("Ward")
            continue
        try:
            bank_question = equality.question(key)
        except KeyError:
            features[key] = key
            continue
        features[key] = str(bank_question.label)
        for value, label in bank_question.choices():
            values[(key, value)] = str(label)
    if "ward" in categories:
        for place in Place.objects.filter(kind="ward"):
            values[("ward", place.code)] = place.localised_name(language)
    return features, values


def audit_data(panel: Panel, language: str | None) -> dict:
    """What the audit page shows, read from the published files and result (exactly what anyone can
    download): each target against the pool and the panel, the pool grouped by profile with each
    profile's probability, the certificate, the seed and the command."""
    import csv
    import io

    result = panel.result or {}
    targets = list(csv.DictReader(io.StringIO(selectors.targets_csv(panel))))
    pool_rows = list(csv.DictReader(io.StringIO(selectors.pool_csv(panel))))
    categories = []
    for row in targets:
        if row["feature"] not in categories:
            categories.append(row["feature"])
    features, values = _labels(categories, language)
    chosen = set(result.get("panel", ()))
    probabilities = result.get("probabilities", {})
    in_pool: dict[tuple[str, str], int] = {}
    in_panel: dict[tuple[str, str], int] = {}
    profiles: dict[tuple, dict] = {}
    for row in pool_rows:
        for feature in categories:
            key = (feature, row.get(feature, ""))
            in_pool[key] = in_pool.get(key, 0) + 1
            if row["id"] in chosen:
                in_panel[key] = in_panel.get(key, 0) + 1
        probability = round(float(probabilities.get(row["id"], 0.0)), 6)
        profile = (*(row.get(feature, "") for feature in categories), probability)
        entry = profiles.setdefault(profile, {"count": 0, "selected": 0, "probability": probability})
        entry["count"] += 1
        entry["selected"] += row["id"] in chosen
    size = len(pool_rows)
    tables = []
    for feature in categories:
        rows = [
            {
                "value": values.get((feature, row["value"]), row["value"]),
                "minimum": int(row["min"]),
                "maximum": int(row["max"]),
                "pool": in_pool.get((feature, row["value"]), 0),
                "pool_share": 100 * in_pool.get((feature, row["value"]), 0) / size if size else 0,
                "panel": in_panel.get((feature, row["value"]), 0),
                "met": int(row["min"]) <= in_panel.get((feature, row["value"]), 0) <= int(row["max"]),
            }
            for row in targets
            if row["feature"] == feature
        ]
        tables.append({"feature": feature, "label": features[feature], "rows": rows})
    grouped = [
        {
            "values": [
                values.get((feature, value), value) for feature, value in zip(categories, profile, strict=False)
            ],
            **entry,
        }
        for profile, entry in sorted(profiles.items(), key=lambda item: (item[1]["probability"], item[0]))
    ]
    lowest = result.get("min_probability")
    bound = result.get("bound")
    published = selectors.selection_json(panel) if result else {}
    return {
        "k": result.get("k", panel.size),
        "algorithm": result.get("algorithm", panel.algorithm),
        "algorithm_label": dict(Algorithm.choices).get(result.get("algorithm", panel.algorithm), panel.algorithm),
        "seed": result.get("seed", panel.selection_seed),
        "engine": result.get("engine", ""),
        "pool_size": size,
        # Who registered but was not in the pool (an answer a target needs was missing, e.g. prefer not to say).
        "outside": Registrant.objects.filter(panel=panel)
        .exclude(status=RegistrantStatus.WITHDRAWN)
        .exclude(public_id__in=[row["id"] for row in pool_rows])
        .count(),
        "tables": tables,
        "features": [features[feature] for feature in categories],
        "profiles": grouped,
        "min_probability": lowest,
        "bound": bound,
        "certified": lowest is not None and bound is not None and bound - lowest <= CERTIFICATE_TOL,
        "command": published.get("command", ""),
        "pool_sha256": result.get("pool_sha256", ""),
        "targets_sha256": result.get("targets_sha256", ""),
    }


urlpatterns = [
    path("panels/", panel_list, name="list"),
    path("panels/<int:pk>/", panel_page, name="detail"),
    path("panels/<int:pk>/selection/", audit_page, name="audit"),
]
