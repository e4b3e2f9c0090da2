"""The demo borough's resident panels."""

from __future__ import annotations

from typing import Any


def build_demo_panels(context: dict[str, Any]) -> None:
    return None
