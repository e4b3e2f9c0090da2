"""URLs. Pages live under a language prefix: English has none, Welsh is under /cy/."""

from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from coproduce.config.api import api

# Every sign-in goes through allauth (rate limits, then the second factor); the admin has no log-in form of its own.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # Switching language by POST (the pages themselves link to /cy/… and back, needing no JavaScript).
    path("i18n/setlang/", set_language, name="set_language"),
    # The JSON API, with its OpenAPI description at /api/openapi.json and docs at /api/docs.
    path("api/", api.urls),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("coproduce.core.urls")),
    path("", include("coproduce.members.urls")),
    path("", include("coproduce.elections.urls")),
    path("", include("coproduce.budgets.urls")),
    path("", include("coproduce.governance.urls")),
    path("", include("coproduce.consultations.urls")),
    path("", include("coproduce.panels.urls")),
    prefix_default_language=False,
)
