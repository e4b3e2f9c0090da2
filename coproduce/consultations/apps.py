from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "coproduce.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from coproduce.core import registry

        from . import workspaces
        from .audit import AUDIT_ACTIONS

        registry.register(
            registry.FeatureApp(
                label="consultations",
                name=_("Consultations"),
                navigation=(registry.NavItem(_("Consultations"), "consultations:list", order=35),),
                audit_actions=AUDIT_ACTIONS,
                home_items=workspaces.home_items,
                workspace_items=workspaces.workspace_items,
                demo_data="coproduce.consultations.demo:build_demo_consultations",
                demo_order=40,
            )
        )
