"""The core's pages (mounted inside the language prefix by coproduce.config.urls)."""

from django.urls import path

from .views import audit, pages

app_name = "core"

urlpatterns = [
    path("", pages.home, name="home"),
    path("organisations/", pages.directory, name="directory"),
    path("organisations/<slug:slug>/audit/", audit.audit_trail, name="audit_trail"),
]
