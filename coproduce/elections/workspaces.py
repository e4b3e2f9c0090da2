"""What elections put on a person's home and an organisation's workspace, and the audit trail's words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coproduce.core.registry import WorkItem

AUDIT_ACTIONS = {
    "election.create": _("Created an election"),
}


def home_items(user) -> list[WorkItem]:
    return []


def workspace_items(user, organisation) -> list[WorkItem]:
    return []
