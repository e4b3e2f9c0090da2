"""Anyone who holds a role, staff or superuser must have passed two-factor authentication in this session.

Not "has an authenticator": a password alone must never open a secretary's register, even for
someone who set TOTP up once. allauth records each way a session authenticated (password,
``mfa`` …); this middleware reads those records for the signed-in person.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import Role

# Paths a person who still owes MFA may reach: signing in and setting MFA up, logging out,
# changing language, assets.
_ALWAYS_ALLOWED = ("/accounts/", "/cy/accounts/", "/static/", "/i18n/")
API_PREFIX = "/api/"


def needs_mfa(user) -> bool:
    """Staff, superusers and everyone with a current role in an organisation."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or Role.objects.current().filter(person=user).exists()


def session_passed_mfa(request) -> bool:
    """True once this session has been through a second factor (log-in, re-authentication or set-up)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class RequireMFAMiddleware:
    """Stop a role-holder whose session has not passed MFA: pages redirect, the API answers 403 JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(_ALWAYS_ALLOWED)
            and needs_mfa(user)
            and not session_passed_mfa(request)
        ):
            has_authenticator = (
                Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
            )
            if request.path.startswith(API_PREFIX):
                return JsonResponse(
                    {"detail": _("Two-factor authentication is required for your account. Sign in again with it.")},
                    status=403,
                )
            target = "mfa_reauthenticate" if has_authenticator else "mfa_activate_totp"
            return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
