"""Meetings' pages: public (see coproduce/governance/urls.py)."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
