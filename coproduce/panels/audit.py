"""The panels services' audit actions in words people use (shown in the audit trail)."""

from django.utils.translation import gettext_lazy

AUDIT_ACTIONS = {
    "panel.create": gettext_lazy("Created a resident panel"),
    "panel.update": gettext_lazy("Changed a resident panel"),
    "panel.addresses_import": gettext_lazy("Imported the addresses a panel may write to"),
    "panel.invitations_draw": gettext_lazy("Drew the addresses to send a panel's letters to"),
    "panel.registration_open": gettext_lazy("Opened registration for a panel"),
    "panel.registration_close": gettext_lazy("Closed registration for a panel"),
    "panel.register_by_phone": gettext_lazy("Registered someone for a panel by phone"),
    "panel.targets_from_census": gettext_lazy("Set a panel's targets from the census"),
    "panel.target_set": gettext_lazy("Changed a panel's target"),
    "panel.target_add": gettext_lazy("Added a target to a panel"),
    "panel.target_remove": gettext_lazy("Took a target off a panel"),
    "panel.seed": gettext_lazy("Published the seed for a panel's selection"),
    "panel.selection_start": gettext_lazy("Started a panel's selection"),
    "panel.selection_infeasible": gettext_lazy("Found that no panel meets the targets"),
    "panel.selection_made": gettext_lazy("Selected a panel"),
    "panel.selection_publish": gettext_lazy("Published a panel's selection"),
    "panel.place_confirm": gettext_lazy("Took a place on a panel"),
    "panel.place_decline": gettext_lazy("Gave up a place on a panel"),
    "panel.dropout_replace": gettext_lazy("Replaced a panel member who dropped out from the reserves"),
    "panel.session_add": gettext_lazy("Added a session to a panel"),
    "panel.attendance": gettext_lazy("Recorded who came to a panel session"),
    "panel.payment": gettext_lazy("Recorded a payment to a panel member"),
}
