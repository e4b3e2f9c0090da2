"""JSON API for panels (public, no sign-in)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["panels"])
