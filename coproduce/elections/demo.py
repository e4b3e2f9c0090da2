"""The demo borough's elections (built by ``coproduce demo``)."""

from __future__ import annotations

from typing import Any


def build_demo_elections(context: dict[str, Any]) -> None:
    """Filled in by the demo issue work: see the module docstring."""
