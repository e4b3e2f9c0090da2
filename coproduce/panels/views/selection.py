"""The officers' pages for the selection and what follows it.

``selection``: the seed (generated here, or typed in from a public ceremony) published before
the draw; running the selection as a task, its progress (the page is refreshed by a button, no
script); if the targets cannot be met, the engine's explanation and the smallest change that
would make a panel possible; the result against the targets with the certificate; publishing it.
``members``: the people selected and what became of them — confirmed, declined, replaced from
the reserves (who replaced whom, and that the panel still meets every target).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coproduce.core.views.helpers import as_id, call_service, messages_of

from .. import letters, selectors, services
from ..forms import MemberActionForm, SelectionSeedForm
from ..models import Algorithm, Registrant, RegistrantStatus, Stage, Target
from .manage import MEMBER_STATUSES, make_up, page, panel_for_officer, target_tables

# Who has been selected at some point: members, and those who declined or withdrew after.
SELECTED_STATUSES = (*MEMBER_STATUSES, RegistrantStatus.DECLINED, RegistrantStatus.WITHDRAWN)


def _result(panel) -> dict | None:
    """The engine's result as the page shows it (None before the selection)."""
    result = panel.result
    if not isinstance(result, dict) or not result.get("panel"):
        return None
    return {
        # In words (the engine's name for it is in the published files and the command).
        "algorithm": dict(Algorithm.choices).get(result.get("algorithm"), result.get("algorithm", panel.algorithm)),
        "seed": result.get("seed", panel.selection_seed),
        "k": result.get("k", panel.size),
        "size": len(result.get("panel") or []),
        "min_probability": result.get("min_probability"),
        "bound": result.get("bound"),
        "engine": result.get("engine", ""),
        "certified": bool(result.get("certified_optimal")),
        "ids": [str(key) for key in result.get("panel") or []],
    }


@login_required
def selection(request, pk: int):
    """The seed, running the selection and its progress, any problem, the result, and publishing it."""
    panel = panel_for_officer(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    seed_form = SelectionSeedForm(request.POST if action == "seed" else None, initial={"seed_choice": "generate"})
    errors: list[str] = []
    if action == "seed":
        if (
            seed_form.is_valid()
            and call_service(
                seed_form,
                services.selection_seed_set,
                panel=panel,
                actor=request.user,
                seed=seed_form.cleaned_data["seed"],
            )
            is not None
        ):
            messages.success(request, _("You published the seed. It is on the panel's public page."))
            return redirect("panels:selection", pk=panel.pk)
    elif action in ("run", "publish"):
        service = services.selection_start if action == "run" else services.selection_publish
        try:
            service(panel=panel, actor=request.user)
        except ValidationError as error:
            errors = messages_of(error)
        else:
            messages.success(
                request,
                _("The selection has started. Refresh this page to see how it is getting on.")
                if action == "run"
                else _("The selection is published. The people selected are being invited, and the others told."),
            )
            return redirect("panels:selection", pk=panel.pk)
    elif request.method == "POST":
        errors.append(_("Choose what to do."))
    panel.refresh_from_db()
    result = _result(panel)
    language = get_language()
    tables = []
    if result:
        tables = target_tables(
            panel,
            {
                "pool": make_up(
                    panel, statuses=[s for s in RegistrantStatus.values if s != RegistrantStatus.WITHDRAWN]
                ),
                "panel": make_up(panel, public_ids=result["ids"]),
            },
            language,
        )
    registered = Registrant.objects.filter(panel=panel).exclude(status=RegistrantStatus.WITHDRAWN).count()
    return page(
        request,
        "selection.html",
        panel,
        Stage=Stage,
        seed_form=seed_form,
        result=result,
        tables=tables,
        registered=registered,
        has_targets=Target.objects.filter(panel=panel).exists(),
        progress=selectors.progress_text(panel),
        errors=errors,
    )


@login_required
def members(request, pk: int):
    """The people selected: confirmed, declined (and replaced from the reserves), and the targets now."""
    panel = panel_for_officer(request, pk)
    form = MemberActionForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST":
        registrant = None
        if form.is_valid():
            key = as_id(form.cleaned_data["registrant"])
            registrant = (
                Registrant.objects.filter(panel=panel, pk=key, status__in=SELECTED_STATUSES).first()
                if key is not None
                else None
            )
        if registrant is None:
            errors.append(_("Choose someone who was selected for the panel."))
        else:
            action = form.cleaned_data["action"]
            try:
                if action == "replace":
                    replacements = services.dropout_replace(panel=panel, actor=request.user, registrant=registrant)
                    names = ", ".join(f"{r.name} ({r.public_id})" for r in replacements)
                    done = (
                        _("%(name)s is replaced by %(replacements)s, from the reserves. They are being invited.")
                        % {"name": registrant.name, "replacements": names}
                        if replacements
                        else _("%(name)s is recorded as declining.") % {"name": registrant.name}
                    )
                else:
                    services.place_respond(registrant=registrant, accept=action == "confirm", actor=request.user)
                    done = (
                        _("%(name)s is recorded as taking their place.")
                        if action == "confirm"
                        else _("%(name)s is recorded as declining. Replace them from the reserves.")
                    ) % {"name": registrant.name}
            except ValidationError as error:
                errors = messages_of(error)
            else:
                messages.success(request, done)
                return redirect("panels:members", pk=panel.pk)
    people = list(
        Registrant.objects.filter(panel=panel, status__in=SELECTED_STATUSES)
        .select_related("replaced")
        .order_by("status", "name", "pk")
    )
    replaced_by = {person.replaced_id: person for person in people if person.replaced_id}
    language = get_language()
    tables = target_tables(panel, {"now": make_up(panel, statuses=MEMBER_STATUSES)}, language)
    all_met = all(row["met"]["now"] for table in tables for row in table["rows"])
    return page(
        request,
        "members.html",
        panel,
        people=[{"person": person, "replaced_by": replaced_by.get(person.pk)} for person in people],
        tables=tables,
        all_met=all_met,
        members=sum(1 for person in people if person.status in MEMBER_STATUSES),
        Stage=Stage,
        Status=RegistrantStatus,
        reserves=Registrant.objects.filter(panel=panel, status=RegistrantStatus.RESERVE).count(),
        errors=errors,
    )


@login_required
def not_selected_letters(request, pk: int):
    """The letters to everyone not selected, one PDF to post, once the selection is published."""
    panel = panel_for_officer(request, pk)
    if panel.stage != Stage.PUBLISHED:
        raise Http404
    content = letters.not_selected_pdf(panel=panel, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="panel-{panel.pk}-not-selected.pdf"'
    return response


urlpatterns = [
    path("panels/<int:pk>/manage/selection/", selection, name="selection"),
    path("panels/<int:pk>/manage/members/", members, name="members"),
    path("panels/<int:pk>/manage/not-selected.pdf", not_selected_letters, name="not_selected_letters"),
]
