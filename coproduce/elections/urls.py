"""Elections' pages (mounted inside the language prefix by coproduce.config.urls).

Each view module lists its own URLs: ``public`` for members and everyone, ``manage`` for the
secretary and the returning officer.
"""

from .views import manage, public

app_name = "elections"

urlpatterns = public.urlpatterns + manage.urlpatterns
