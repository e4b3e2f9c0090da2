"""Meetings' forms. Each form reads and checks what a person typed; the services
(``governance.services``) decide the rest and give the refusals to show."""

from django import forms  # noqa: F401
from django.utils.translation import gettext_lazy as _  # noqa: F401

# -- Members' pages -------------------------------------------------------------------------------------


# -- The secretary's and the chair's pages -------------------------------------------------------------
