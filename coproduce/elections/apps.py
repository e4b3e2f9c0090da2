from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "coproduce.elections"
    label = "elections"
    verbose_name = _("Elections")

    def ready(self) -> None:
        from coproduce.core import registry

        from . import workspaces

        registry.register(
            registry.FeatureApp(
                label="elections",
                name=_("Elections"),
                navigation=(registry.NavItem(_("Elections"), "elections:list", order=30),),
                demo_data="coproduce.elections.demo:build_demo_elections",
                demo_order=20,
                home_items=workspaces.home_items,
                workspace_items=workspaces.workspace_items,
                audit_actions=workspaces.AUDIT_ACTIONS,
            )
        )
