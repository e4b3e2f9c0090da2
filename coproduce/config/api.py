"""The JSON API: each app's router under one NinjaAPI, with errors as 4xx and a reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI

from coproduce.core.api import router as core_router
from coproduce.members.api import router as members_router

api = NinjaAPI(title="Coproduce API", version="1", urls_namespace="api")
api.add_router("/", core_router)
api.add_router("/members", members_router)


@api.exception_handler(ValidationError)
def validation_error(request, error: ValidationError):
    return api.create_response(request, {"detail": " ".join(error.messages)}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request, error):
    return api.create_response(request, {"detail": "You do not have permission to do that."}, status=403)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": "Not found."}, status=404)
