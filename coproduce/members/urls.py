"""Members' pages (mounted inside the language prefix by coproduce.config.urls)."""

from django.urls import path, re_path

from .views import pages, secretary

app_name = "members"

urlpatterns = [
    path("organisations/<slug:slug>/", pages.organisation, name="organisation"),
    path("organisations/<slug:slug>/join/", pages.join, name="join"),
    path("my-memberships/", pages.mine, name="mine"),
    path("my-memberships/<int:membership_id>/withdraw/", pages.withdraw, name="withdraw"),
    path("organisations/<slug:slug>/applications/", secretary.applications, name="applications"),
    path("organisations/<slug:slug>/applications/<int:membership_id>/", secretary.decide, name="decide"),
    path("organisations/<slug:slug>/register/", secretary.register, name="register"),
    re_path(
        r"^organisations/(?P<slug>[-\w]+)/register\.(?P<fmt>csv|xlsx)$",
        secretary.register_export,
        name="register_export",
    ),
]
