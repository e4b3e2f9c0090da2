"""django-allauth glue.

- Sign-up asks for the person's name (registers and letters need it) and starts the account in
  the language the person signed up in.
- Every email allauth sends is in the recipient's preferred language and carries the site's
  name (``COPRODUCE_SITE_NAME``), not the host it was served from.
- After signing in, people who run things land on their work (``selectors.landing_url``).
- Setting up an authenticator counts as passing the second factor for that session.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import record_authentication
from allauth.core import context
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def site_name() -> str:
    return settings.COPRODUCE_SITE_NAME


def site_url(path: str = "/") -> str:
    """An absolute link to ``path`` on this site, for emails sent by tasks (no request to ask)."""
    return settings.COPRODUCE_SITE_URL + path


@dataclass(frozen=True)
class _Site:
    """What allauth's email templates read as ``current_site``: our name, and the host people use."""

    name: str
    domain: str


class SignupForm(forms.Form):
    """The fields allauth's sign-up form gains: the person's full name, first."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As you would write it on a letter. The co-ops you join keep it in their register."),
        error_messages={"required": _("Enter your full name")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["full_name", "email", "password1", "password2"]

    def signup(self, request, user) -> None:
        """allauth calls this once the account exists (the adapter has already saved the name)."""


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.preferred_language = "cy" if translation.get_language() == "cy" else "en"
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request) -> str:
        from .selectors import landing_url

        return landing_url(request.user) or super().get_login_redirect_url(request)

    def format_email_subject(self, subject: str) -> str:
        return f"[{site_name()}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        request = context.request
        domain = request.get_host() if request is not None else ""
        with translation.override(_language_for(email)):
            data = {"request": request, "email": email, "current_site": _Site(site_name(), domain)}
            data.update(context_data)
            self.render_mail(template_prefix, email, data).send()


def _language_for(email: str) -> str:
    """The preferred language of whoever holds ``email``; the page's language for a stranger."""
    from .models import User

    preferred = User.objects.filter(email__iexact=email).values_list("preferred_language", flat=True).first()
    return preferred or translation.get_language() or settings.LANGUAGE_CODE


def record_mfa_on_activation(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up an authenticator proves the second factor (a code from it was just entered).

    allauth records MFA only when an authenticator is *used*; without this, a secretary who set
    TOTP up at the prompt would be sent straight back to enter another code.
    """
    if request is not None and authenticator.type != authenticator.Type.RECOVERY_CODES:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)
