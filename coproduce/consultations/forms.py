"""Consultations: forms."""

from __future__ import annotations
