"""The demo borough's consultations."""

from __future__ import annotations

from typing import Any


def build_demo_consultations(context: dict[str, Any]) -> None:
    return None
