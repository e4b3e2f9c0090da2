"""Budgets' pages: public (see coproduce/budgets/urls.py)."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
