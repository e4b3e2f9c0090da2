"""Budgets' forms. Each form reads and checks what a person typed; the services decide the rest."""

from __future__ import annotations

from django import forms  # noqa: F401
from django.utils.translation import gettext_lazy as _  # noqa: F401

# -- Rounds and ideas (public pages) -------------------------------------------------------------------


# -- The ballot, results and delivery -------------------------------------------------------------------


# -- Officers' pages -------------------------------------------------------------------------------------


# -- Youth polls -----------------------------------------------------------------------------------------
