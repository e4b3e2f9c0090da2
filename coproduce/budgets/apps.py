from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "coproduce.budgets"
    label = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self) -> None:
        from coproduce.core import registry

        from .audit import AUDIT_ACTIONS

        # No pages yet: no navigation entry until the pages exist.
        registry.register(
            registry.FeatureApp(
                label="budgets",
                name=_("Participatory budgets"),
                audit_actions=AUDIT_ACTIONS,
                demo_data="coproduce.budgets.demo:build_demo_budgets",
                demo_order=30,
            )
        )
