"""The budget services' audit actions in words people use (shown in the audit trail)."""

from django.utils.translation import gettext_lazy

AUDIT_ACTIONS = {
    "budget.create": gettext_lazy("Created a budget round"),
    "budget.update": gettext_lazy("Changed a budget round"),
    "budget.publish": gettext_lazy("Published a budget round"),
    "budget.seed": gettext_lazy("Published the seed for drawing lots"),
    "budget.idea_submit": gettext_lazy("Submitted an idea"),
    "budget.idea_publish": gettext_lazy("Published an idea"),
    "budget.idea_hide": gettext_lazy("Hid an idea, giving the reason"),
    "budget.ideas_merge": gettext_lazy("Merged duplicate ideas"),
    "budget.project_cost": gettext_lazy("Costed a project"),
    "budget.project_not_feasible": gettext_lazy("Found a project not feasible, giving the reason"),
    "budget.open_voting": gettext_lazy("Opened voting on a budget"),
    "budget.close_voting": gettext_lazy("Closed voting on a budget"),
    "budget.declare": gettext_lazy("Declared a budget's result"),
    "budget.depart": gettext_lazy("Departed from the count, giving the reason"),
    "budget.delivery": gettext_lazy("Changed where a project's delivery has got to"),
    "budget.project_update": gettext_lazy("Added an update on a project's delivery"),
    # Youth polls.
    "budget.poll_create": gettext_lazy("Created a youth poll"),
    "budget.poll_update": gettext_lazy("Changed a youth poll"),
    "budget.poll_option_add": gettext_lazy("Added an option to a youth poll"),
    "budget.poll_option_remove": gettext_lazy("Took an option off a youth poll"),
    "budget.poll_publish": gettext_lazy("Published a youth poll"),
    "budget.poll_open": gettext_lazy("Opened voting in a youth poll"),
    "budget.poll_close": gettext_lazy("Closed a youth poll and counted the votes"),
}
