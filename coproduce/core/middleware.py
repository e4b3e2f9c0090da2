"""Officers and secretaries must use two-factor authentication."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse

from .models import Role
from .models.roles import MFA_REQUIRED_ROLES

# Paths a person without MFA may still reach: setting MFA up, logging out, changing language, assets.
_ALWAYS_ALLOWED = ("/accounts/", "/static/", "/i18n/", "/cy/accounts/")


class RequireMFAForOfficersMiddleware:
    """Send anyone holding a secretary or officer role to set up MFA before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_ALWAYS_ALLOWED)
            and Role.objects.current().filter(person=user, kind__in=MFA_REQUIRED_ROLES).exists()
            and not Authenticator.objects.filter(user=user).exists()
        ):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.get_full_path())
        return self.get_response(request)
