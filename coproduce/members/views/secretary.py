"""A secretary's pages: applications to decide, the register and its exports.

Every selector here authorises; a person without the permission gets the 403 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coproduce.core.views.helpers import call_service
from coproduce.core.views.pagination import paginate

from .. import exports, selectors, services
from ..forms import DecisionForm, RegisterFilterForm


@login_required
def applications(request, slug: str):
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.decide_application"
    )
    pending = list(selectors.applications_pending(user=request.user, organisation=organisation))
    return render(
        request,
        "members/applications.html",
        {"organisation": organisation, "applications": pending, "language": get_language()},
    )


@login_required
def decide(request, slug: str, membership_id: int):
    """Admit or refuse one application."""
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.decide_application"
    )
    membership = selectors.application_for_decision(
        user=request.user, organisation=organisation, membership_id=membership_id
    )
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = membership.person.get_full_name()
        if form.cleaned_data["decision"] == "admit":
            done = call_service(form, services.membership_admit, membership=membership, actor=request.user)
            message = _("%(name)s is now a member.") % {"name": name}
        else:
            done = call_service(
                form,
                services.membership_refuse,
                field="reason",
                membership=membership,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            message = _("You refused %(name)s's application.") % {"name": name}
        if done is not None:
            messages.success(request, message)
            return redirect("members:applications", slug=organisation.slug)
    return render(
        request,
        "members/decide.html",
        {"organisation": organisation, "membership": membership, "form": form, "language": get_language()},
    )


def _register(request, slug: str, permission: str):
    """The organisation, the filter form and the filtered register, for the page and the exports."""
    organisation = selectors.organisation_for_secretary(user=request.user, slug=slug, permission=permission)
    form = RegisterFilterForm(
        request.GET, classes=list(organisation.stakeholder_classes.order_by("order", "name")), language=get_language()
    )
    rows = selectors.register(user=request.user, organisation=organisation, permission=permission, **form.filters())
    return organisation, form, rows


@login_required
def register(request, slug: str):
    organisation, form, rows = _register(request, slug, "members.view_register")
    return render(
        request,
        "members/register.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, rows),
            "query": request.GET.urlencode(),
            "can_export": request.user.has_perm("members.export_register", organisation),
            "language": get_language(),
        },
    )


@login_required
def register_export(request, slug: str, fmt: str):
    """The register (with the same filters) as CSV or XLSX."""
    organisation, _form, rows = _register(request, slug, "members.export_register")
    if fmt == "csv":
        response = HttpResponse(exports.register_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.register_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-register.{fmt}"'
    return response
