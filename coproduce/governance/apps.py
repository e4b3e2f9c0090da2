from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "coproduce.governance"
    label = "governance"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from coproduce.core import registry

        from . import accounts, workspaces
        from .audit import AUDIT_ACTIONS

        registry.register(
            registry.FeatureApp(
                label="governance",
                name=_("Meetings"),
                # After Ward budgets (40): members' meetings, and the public record where it is public.
                navigation=(registry.NavItem(_("Meetings"), "governance:list", order=50),),
                home_items=workspaces.home_items,
                workspace_items=workspaces.workspace_items,
                audit_actions=AUDIT_ACTIONS,
                personal_data=accounts.personal_data,
                # After the members' (10) and elections' (20) demos: the housing co-op's register is full.
                demo_data="coproduce.governance.demo:build_demo_governance",
                demo_order=25,
            )
        )
