from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "coproduce.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from coproduce.core import eligibility, registry

        from . import accounts, selectors, workspaces

        eligibility.register_membership_check(selectors.voting_member_reason)

        registry.register(
            registry.FeatureApp(
                label="members",
                name=_("Membership"),
                navigation=(
                    registry.NavItem(_("Organisations"), "core:directory", order=10),
                    registry.NavItem(_("My memberships"), "members:mine", login_required=True, order=20),
                ),
                organisation_page="members:organisation",
                demo_data="coproduce.members.demo:build_demo_members",
                demo_order=10,
                personal_data=accounts.personal_data,
                retention_reasons=accounts.retention_reasons,
                on_account_close=accounts.on_account_close,
                home_items=workspaces.home_items,
                workspace_items=workspaces.workspace_items,
                programme_sections=workspaces.programme_sections,
                audit_actions=workspaces.AUDIT_ACTIONS,
            )
        )
