"""The workspace hub: for each organisation where the person holds a role, what needs doing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors


@login_required
def work(request):
    """Your work: each organisation you help run, your role there and what the apps say needs you."""
    workspaces = selectors.workspaces_for(user=request.user)
    return render(request, "core/work.html", {"workspaces": workspaces})
