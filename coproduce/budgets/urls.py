"""Budgets' pages (mounted inside the language prefix by coproduce.config.urls).

Each view module lists its own URLs: ``public`` (rounds, ideas, the calendar), ``vote`` (the
ballot, results and delivery), ``manage`` (officers' pages), ``polls`` (youth polls).
"""

from .views import manage, polls, public, vote

app_name = "budgets"

urlpatterns = public.urlpatterns + vote.urlpatterns + manage.urlpatterns + polls.urlpatterns
