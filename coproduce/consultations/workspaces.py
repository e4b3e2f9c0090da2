"""What consultations put on a person's home and an organisation's workspace (a fixed number of queries)."""

from __future__ import annotations

from coproduce.core.registry import WorkItem

from .audit import AUDIT_ACTIONS

__all__ = ["AUDIT_ACTIONS", "home_items", "workspace_items"]


def home_items(user) -> list[WorkItem]:
    return []


def workspace_items(user, organisation) -> list[WorkItem]:
    return []
