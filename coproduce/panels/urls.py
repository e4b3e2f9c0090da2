"""Panels' pages (mounted inside the language prefix by coproduce.config.urls).

Each view module lists its own URLs: ``public`` (the panels, a panel, its public audit page and
files), ``register`` (registering with a letter's code; confirming or declining a place),
``manage`` (officers: the panel, addresses, letters, targets, registrations by phone, sessions,
attendance, payments), ``selection`` (running, publishing the selection, replacements).
"""

from .views import manage, public, register, selection

app_name = "panels"

urlpatterns = public.urlpatterns + register.urlpatterns + manage.urlpatterns + selection.urlpatterns
