"""The JSON API: each app's router under one NinjaAPI.

Every refusal is JSON with a reason, and every status an operation can answer is in the
OpenAPI description (``coproduce.core.api.responses``): 401 unauthenticated, 403 forbidden or
missing two-factor authentication, 404, 422 for a request that breaks the schema, 429 throttled.
Requests are throttled per user and per address (``API_THROTTLE_*`` settings).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.throttling import AuthRateThrottle, SimpleRateThrottle

from coproduce.budgets.api import router as budgets_router
from coproduce.consultations.api import router as consultations_router
from coproduce.core.api import router as core_router
from coproduce.elections.api import router as elections_router
from coproduce.governance.api import router as governance_router
from coproduce.members.api import router as members_router
from coproduce.panels.api import router as panels_router


class _RateFromSettings(SimpleRateThrottle):
    """A throttle whose rate is read from settings at each request (so a deployment or a test sets it)."""

    setting = ""

    def __init__(self) -> None:
        super().__init__(rate="1/s")

    def allow_request(self, request) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class PerAddressThrottle(_RateFromSettings):
    """Every request from one address, signed in or not."""

    scope = "address"
    setting = "API_THROTTLE_PER_ADDRESS"

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PerUserThrottle(_RateFromSettings, AuthRateThrottle):
    """Every request by one signed-in person, from wherever."""

    scope = "user"
    setting = "API_THROTTLE_PER_USER"


api = NinjaAPI(
    title="Coproduce API",
    version="1",
    urls_namespace="api",
    throttle=[PerAddressThrottle(), PerUserThrottle()],
)
api.add_router("/", core_router)
api.add_router("/members", members_router)
api.add_router("/elections", elections_router)
api.add_router("/budgets", budgets_router)
api.add_router("/meetings", governance_router)
api.add_router("/consultations", consultations_router)
api.add_router("/panels", panels_router)


@api.exception_handler(ValidationError)
def validation_error(request, error: ValidationError):
    return api.create_response(request, {"detail": " ".join(error.messages)}, status=400)


@api.exception_handler(SchemaValidationError)
def schema_validation_error(request, error: SchemaValidationError):
    return api.create_response(request, {"detail": error.errors}, status=422)


@api.exception_handler(AuthenticationError)
def not_signed_in(request, error):
    return api.create_response(request, {"detail": _("Sign in to use this part of the API.")}, status=401)


@api.exception_handler(PermissionDenied)
def permission_denied(request, error):
    return api.create_response(request, {"detail": _("You do not have permission to do that.")}, status=403)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)
