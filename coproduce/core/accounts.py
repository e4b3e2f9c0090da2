"""django-allauth glue: new accounts start in the language the person signed up in; MFA set-up counts as MFA."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import record_authentication
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.preferred_language = "cy" if translation.get_language() == "cy" else "en"
        return super().save_user(request, user, form, commit=commit)


def record_mfa_on_activation(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up an authenticator proves the second factor (a code from it was just entered).

    allauth records MFA only when an authenticator is *used*; without this, a secretary who set
    TOTP up at the prompt would be sent straight back to enter another code.
    """
    if request is not None and authenticator.type != authenticator.Type.RECOVERY_CODES:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)
