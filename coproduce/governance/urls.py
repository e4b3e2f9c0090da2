"""Meetings' pages (mounted inside the language prefix by coproduce.config.urls).

Each view module lists its own URLs: ``public`` for members (and the public record), ``manage`` for
the secretary and the chair.
"""

from .views import manage, public

app_name = "governance"

urlpatterns = public.urlpatterns + manage.urlpatterns
