"""Reads for resident panels: codes and tokens, who is in the pool, the published files, the
selection's JSON and its audit.

The published files (``targets_csv``, ``pool_csv``) are exactly what the engine read: once the
selection is made they are served from the copy stored with the result, byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shlex
from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coproduce.core import equality
from coproduce.core.models import Place

from .models import Algorithm, Feature, Invitation, Panel, Registrant, RegistrantStatus, Stage
from .models.panels import WARD_FEATURE

ID_COLUMN = "id"
HOUSEHOLD_COLUMN = "household"
CERTIFICATE_TOL = 1e-6
# On the panel (or asked to be): those whose place counts.
MEMBER_STATUSES = (RegistrantStatus.SELECTED, RegistrantStatus.CONFIRMED, RegistrantStatus.REPLACEMENT)


# Codes and tokens -----------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-‐‑–—]+", "", code or "").upper()


def format_code(code: str) -> str:
    """A stored code as printed: ``ABCDE-23456``."""
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


def invitation_for_code(code: str) -> Invitation | None:
    """The invitation of a letter's code (case, spaces and dashes do not matter), or None."""
    normalised = normalise_code(code)
    # Codes are letters and digits: anything else (a NUL byte, which PostgreSQL refuses) is no code.
    if not normalised or len(normalised) > 20 or not (normalised.isascii() and normalised.isalnum()):
        return None
    return (
        Invitation.objects.select_related("panel__organisation", "panel__place", "address__ward")
        .filter(code=normalised)
        .first()
    )


def registrant_for_token(token: str) -> Registrant | None:
    """The registrant a confirm-or-decline link is for, or None."""
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return Registrant.objects.select_related("panel__organisation", "panel__place").filter(token_hash=digest).first()


# Labels -------------------------------------------------------------------------------------------


def category_label(key: str) -> str:
    if key == WARD_FEATURE:
        return _("Ward")
    try:
        return str(equality.question(key).label)
    except KeyError:
        return key


def value_label(feature: str, value: str, wards: dict[str, Place] | None = None) -> str:
    """A category value in words (a ward's name in the current language)."""
    if feature == WARD_FEATURE:
        if value == equality.PREFER_NOT_TO_SAY:
            return _("Not known")
        ward = (wards or {}).get(value) or Place.objects.filter(code=value).first()
        if ward is None:
            return value
        return (ward.name_cy if get_language() == "cy" else "") or ward.name
    try:
        return str(equality.question(feature).label_of(value))
    except KeyError:
        return value


def _wards(panel: Panel) -> dict[str, Place]:
    return {place.code: place for place in Place.objects.filter(path__startswith=panel.place.path + "/")}


# The pool -----------------------------------------------------------------------------------------


def target_features(panel: Panel) -> list[str]:
    """The categories the targets use, in the panel's order."""
    used = set(panel.targets.values_list("feature", flat=True))
    return [key for key in panel.categories if key in used]


def household_columns(panel: Panel) -> list[str]:
    return [HOUSEHOLD_COLUMN] if panel.one_selected_per_household else []


def _answers(registrants) -> dict[int, dict[str, str]]:
    answers: dict[int, dict[str, str]] = {}
    for registrant_id, feature, value in Feature.objects.filter(registrant__in=registrants).values_list(
        "registrant_id", "feature", "value"
    ):
        answers.setdefault(registrant_id, {})[feature] = value
    return answers


def _selectable(panel: Panel) -> tuple[list[tuple[Registrant, dict[str, str]]], list[str], dict[str, set[str]]]:
    features = target_features(panel)
    values: dict[str, set[str]] = {}
    for feature, value in panel.targets.values_list("feature", "value"):
        values.setdefault(feature, set()).add(value)
    registrants = list(
        Registrant.objects.filter(panel=panel, consent=True)
        .exclude(status=RegistrantStatus.WITHDRAWN)
        .select_related("invitation")
        .order_by("public_id")
    )
    answers = _answers([r.pk for r in registrants])
    rows = []
    for registrant in registrants:
        mine = answers.get(registrant.pk, {})
        if all(mine.get(feature) in values[feature] for feature in features):
            rows.append((registrant, mine))
    return rows, features, values


def pool_registrants(panel: Panel) -> QuerySet[Registrant]:
    """The registrants who can be selected: consent given, not withdrawn, and an answer with a
    target for every category the targets use (someone who preferred not to say on such a
    category, or whose value has no target, cannot be selected)."""
    rows, _features, _values = _selectable(panel)
    return Registrant.objects.filter(pk__in=[registrant.pk for registrant, _answers in rows])


def household_key(invitation: Invitation) -> str:
    """The anonymous household of a letter: a hash of its secret code (people registering with the
    same letter share it; nothing about the address can be worked out from it)."""
    return hashlib.sha256(f"coproduce-panel-household\0{invitation.code}".encode()).hexdigest()[:12]


def _csv_text(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def targets_csv(panel: Panel, *, live: bool = False) -> str:
    """The targets as the engine reads them: ``feature,value,min,max`` (the copy the selection
    used once it is made, unless ``live``)."""
    if panel.result and "targets_csv" in panel.result and not live:
        return panel.result["targets_csv"]
    order = {key: index for index, key in enumerate(panel.categories)}
    targets = sorted(panel.targets.all(), key=lambda t: (order.get(t.feature, len(order)), t.order, t.pk))
    return _csv_text(["feature", "value", "min", "max"], [[t.feature, t.value, t.minimum, t.maximum] for t in targets])


def pool_csv(panel: Panel, *, live: bool = False) -> str:
    """The anonymised pool: ``id`` (public ids), each category the targets use, ``household``.
    No names, no addresses. The copy the selection used once it is made, unless ``live``."""
    if panel.result and "pool_csv" in panel.result and not live:
        return panel.result["pool_csv"]
    rows, features, _values = _selectable(panel)
    return _csv_text(
        [ID_COLUMN, *features, HOUSEHOLD_COLUMN],
        [[r.public_id, *(answers[f] for f in features), household_key(r.invitation)] for r, answers in rows],
    )


def unselectable(panel: Panel) -> list[Registrant]:
    """Registrants who cannot be selected (no target for one of their answers, or they preferred
    not to say on a category with targets), to tell the officer before the selection."""
    selectable = set(pool_registrants(panel).values_list("pk", flat=True))
    return list(
        Registrant.objects.filter(panel=panel)
        .exclude(status=RegistrantStatus.WITHDRAWN)
        .exclude(pk__in=selectable)
        .order_by("public_id")
    )


# The selection ------------------------------------------------------------------------------------


def _api_path(name: str, panel: Panel, fallback: str) -> str:
    try:
        return reverse(f"api:{name}", kwargs={"panel_id": panel.pk})
    except NoReverseMatch:
        return fallback


def command(panel: Panel) -> str:
    """The exact ``coproduce select`` line that reproduces the panel from the published files
    (saved as ``targets.csv`` and ``pool.csv``)."""
    result = panel.result or {}
    parts = [
        "coproduce",
        "select",
        "targets.csv",
        "pool.csv",
        "--k",
        str(result.get("k", panel.size)),
        "--algorithm",
        result.get("algorithm", panel.algorithm),
        "--id-column",
        ID_COLUMN,
    ]
    households = result.get("households", household_columns(panel))
    if households:
        parts += ["--households", ",".join(households)]
    seed = str(result.get("seed", panel.selection_seed))
    # A seed typed in may start with "-": as "--seed=-x" the command line still reads it as the seed.
    parts += [f"--seed={seed}"] if seed.startswith("-") else ["--seed", seed]
    parts += ["--format", "json"]
    return shlex.join(parts)


def selection_json(panel: Panel) -> dict[str, Any]:
    """The published selection for the API (``panel.result`` must be set)."""
    result = panel.result
    return {
        "panel_id": panel.pk,
        "title": panel.title,
        "engine": result["engine"],
        "k": result["k"],
        "algorithm": result["algorithm"],
        "seed": result["seed"],
        "targets": _api_path("panel_targets", panel, f"/api/panels/{panel.pk}/targets.csv"),
        "pool": _api_path("panel_pool", panel, f"/api/panels/{panel.pk}/pool.csv"),
        "targets_sha256": result["targets_sha256"],
        "pool_sha256": result["pool_sha256"],
        "id_column": result.get("id_column", ID_COLUMN),
        "households": result.get("households", []),
        "panel": result["panel"],
        "probabilities": result["probabilities"],
        "min_probability": result["min_probability"],
        "bound": result["bound"],
        "command": command(panel),
    }


def _pool_rows(panel: Panel) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(pool_csv(panel)))
    features = [name for name in (reader.fieldnames or []) if name not in (ID_COLUMN, HOUSEHOLD_COLUMN)]
    return features, list(reader)


def audit(panel: Panel) -> dict[str, Any]:
    """What the public audit page shows (``panel.result`` must be set), read from the published
    files — exactly what anyone can download:

    ``targets``: per category (``feature``, ``label``) its ``values``, each with ``value``,
    ``label``, ``minimum``, ``maximum``, ``census_share``, ``pool`` (people in the pool with it),
    ``pool_share`` (%), ``panel`` (on the panel drawn) and ``met``; ``profiles``: the pool grouped
    by answers, each with ``values`` (labels in category order), ``probability``, ``count`` and
    ``selected`` (lowest chance first); ``certificate``: ``min_probability``, ``bound``,
    ``optimal``; ``outside``: people who registered but were not in the pool (an answer a target
    needs was missing); and ``seed``, ``algorithm`` (and its ``algorithm_label``), ``k``,
    ``pool_size``, ``engine``, ``command``, ``households``.
    """
    result = panel.result or {}
    features, people = _pool_rows(panel)
    wards = _wards(panel)
    chosen = set(result.get("panel", ()))
    probabilities = result.get("probabilities", {})
    in_pool: dict[str, Counter[str]] = {f: Counter() for f in features}
    on_panel: dict[str, Counter[str]] = {f: Counter() for f in features}
    for person in people:
        for feature in features:
            in_pool[feature][person[feature]] += 1
            if person[ID_COLUMN] in chosen:
                on_panel[feature][person[feature]] += 1
    shares = {(t.feature, t.value): t.census_share for t in panel.targets.all()}
    by_feature: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(targets_csv(panel))):
        by_feature.setdefault(row["feature"], []).append(row)
    size = len(people)
    targets = []
    for feature in features:
        values = []
        for row in by_feature.get(feature, []):
            value, minimum, maximum = row["value"], int(row["min"]), int(row["max"])
            values.append(
                {
                    "value": value,
                    "label": value_label(feature, value, wards),
                    "minimum": minimum,
                    "maximum": maximum,
                    "census_share": shares.get((feature, value)),
                    "pool": in_pool[feature][value],
                    "pool_share": 100 * in_pool[feature][value] / size if size else 0,
                    "panel": on_panel[feature][value],
                    "met": minimum <= on_panel[feature][value] <= maximum,
                }
            )
        targets.append({"feature": feature, "label": category_label(feature), "values": values})
    groups: dict[tuple[tuple[str, ...], float], dict[str, int]] = {}
    for person in people:
        key = (tuple(person[f] for f in features), round(probabilities.get(person[ID_COLUMN], 0.0), 6))
        group = groups.setdefault(key, {"count": 0, "selected": 0})
        group["count"] += 1
        group["selected"] += person[ID_COLUMN] in chosen
    profiles = [
        {
            "values": [value_label(f, v, wards) for f, v in zip(features, profile, strict=True)],
            "probability": probability,
            **group,
        }
        for (profile, probability), group in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0]))
    ]
    bound = result.get("bound")
    minimum = result.get("min_probability")
    algorithm = result.get("algorithm", panel.algorithm)
    return {
        "categories": [category_label(f) for f in features],
        "targets": targets,
        "profiles": profiles,
        "certificate": {
            "min_probability": minimum,
            "bound": bound,
            "optimal": bound is not None and minimum is not None and bound - minimum <= CERTIFICATE_TOL,
        },
        "outside": Registrant.objects.filter(panel=panel)
        .exclude(status=RegistrantStatus.WITHDRAWN)
        .exclude(public_id__in=[person[ID_COLUMN] for person in people])
        .count(),
        "seed": result.get("seed", panel.selection_seed),
        "algorithm": algorithm,
        "algorithm_label": dict(Algorithm.choices).get(algorithm, algorithm),
        "k": result.get("k", panel.size),
        "pool_size": size,
        "panel_size": len(chosen),
        "engine": result.get("engine", ""),
        "households": result.get("households", household_columns(panel)),
        "command": command(panel),
    }


# Officers' reads ------------------------------------------------------------------------------------


def progress_text(panel: Panel) -> str:
    """The selection's progress in the reader's language (stored in English)."""
    return _(panel.progress) if panel.progress else ""


def panels_for_organisation(organisation) -> QuerySet[Panel]:
    return Panel.objects.filter(organisation=organisation).select_related("place").order_by("-registration_opens", "pk")


def registrant_counts(panel: Panel) -> dict[str, Any]:
    """Registrations by status, and by value of each category (with the targets), for officers."""
    statuses = dict(
        Registrant.objects.filter(panel=panel).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    counts: dict[str, Counter[str]] = {key: Counter() for key in panel.categories}
    for feature, value in (
        Feature.objects.filter(registrant__panel=panel, feature__in=panel.categories)
        .exclude(registrant__status=RegistrantStatus.WITHDRAWN)
        .values_list("feature", "value")
    ):
        counts[feature][value] += 1
    wards = _wards(panel)
    targets = {(t.feature, t.value): t for t in panel.targets.all()}
    categories = []
    for key in panel.categories:
        values = list(equality.question(key).keys()) if key != WARD_FEATURE else sorted(counts[key])
        values = [*values, *(v for v in counts[key] if v not in values)]
        categories.append(
            {
                "feature": key,
                "label": category_label(key),
                "values": [
                    {
                        "value": v,
                        "label": value_label(key, v, wards),
                        "count": counts[key][v],
                        "target": targets.get((key, v)),
                    }
                    for v in values
                ],
            }
        )
    return {"total": sum(statuses.values()), "statuses": statuses, "categories": categories}


def members(panel: Panel) -> QuerySet[Registrant]:
    """The people selected and what they said, replacements included, with who they replace."""
    return (
        Registrant.objects.filter(panel=panel)
        .filter(status__in=(*MEMBER_STATUSES, RegistrantStatus.DECLINED))
        .select_related("replaced")
        .order_by("public_id")
    )


def panel_counts(panel: Panel) -> dict[str, dict[str, int]]:
    """The current panel's make-up (members, replacements included) per category and value."""
    ids = list(Registrant.objects.filter(panel=panel, status__in=MEMBER_STATUSES).values_list("pk", flat=True))
    counts: dict[str, dict[str, int]] = {}
    for feature, value in Feature.objects.filter(registrant__in=ids).values_list("feature", "value"):
        counts.setdefault(feature, {}).setdefault(value, 0)
        counts[feature][value] += 1
    return counts


def targets_met(panel: Panel) -> bool:
    """Whether the current panel (replacements included) meets every target."""
    counts = panel_counts(panel)
    return all(t.minimum <= counts.get(t.feature, {}).get(t.value, 0) <= t.maximum for t in panel.targets.all())


def published_panels() -> QuerySet[Panel]:
    return Panel.objects.exclude(stage=Stage.DRAFT).select_related("organisation", "place")
