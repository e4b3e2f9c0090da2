from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "coproduce.panels"
    label = "panels"
    verbose_name = _("Resident panels")

    def ready(self) -> None:
        from coproduce.core import registry

        from . import workspaces
        from .audit import AUDIT_ACTIONS

        registry.register(
            registry.FeatureApp(
                label="panels",
                name=_("Resident panels"),
                navigation=(registry.NavItem(_("Resident panels"), "panels:list", order=60),),
                audit_actions=AUDIT_ACTIONS,
                home_items=workspaces.home_items,
                workspace_items=workspaces.workspace_items,
                demo_data="coproduce.panels.demo:build_demo_panels",
                demo_order=50,
            )
        )
