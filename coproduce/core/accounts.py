"""django-allauth adapter: new accounts start in the language the person signed up in."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.preferred_language = "cy" if translation.get_language() == "cy" else "en"
        return super().save_user(request, user, form, commit=commit)
