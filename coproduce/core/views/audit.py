"""The audit trail of an organisation, for its secretary."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors
from .pagination import paginate


@login_required
def audit_trail(request, slug: str):
    organisation = selectors.organisation_get_for(user=request.user, slug=slug, permission="core.view_audit_trail")
    page = paginate(request, selectors.audit_trail(user=request.user, organisation=organisation))
    return render(request, "core/audit_trail.html", {"organisation": organisation, "page": page})
