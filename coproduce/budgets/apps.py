from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "coproduce.budgets"
    label = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self) -> None:
        from coproduce.core import registry

        from . import workspaces
        from .audit import AUDIT_ACTIONS

        registry.register(
            registry.FeatureApp(
                label="budgets",
                name=_("Participatory budgets"),
                navigation=(registry.NavItem(_("Ward budgets"), "budgets:list", order=40),),
                audit_actions=AUDIT_ACTIONS,
                home_items=workspaces.home_items,
                workspace_items=workspaces.workspace_items,
                demo_data="coproduce.budgets.demo:build_demo_budgets",
                demo_order=30,
            )
        )
