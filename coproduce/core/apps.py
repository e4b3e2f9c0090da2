from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "coproduce.core"
    label = "core"
    verbose_name = _("Co-operative core")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from .accounts import record_mfa_on_activation

        authenticator_added.connect(record_mfa_on_activation, dispatch_uid="coproduce-mfa-activation")
