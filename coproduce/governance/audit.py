"""The governance services' audit actions in words people use (shown in the audit trail)."""

from django.utils.translation import gettext_lazy

AUDIT_ACTIONS = {
    "meeting_rules.set": gettext_lazy("Recorded the society's rules about meetings"),
    "meeting.create": gettext_lazy("Created a meeting"),
    "meeting.update": gettext_lazy("Changed a meeting"),
    "meeting.agenda_add": gettext_lazy("Added an item to a meeting's agenda"),
    "meeting.agenda_remove": gettext_lazy("Took an item off a meeting's agenda"),
    "meeting.paper_attach": gettext_lazy("Attached a paper to a meeting's agenda"),
    "meeting.resolution_add": gettext_lazy("Added a resolution to a meeting"),
    "meeting.resolution_update": gettext_lazy("Changed a resolution"),
    "meeting.resolution_remove": gettext_lazy("Took a resolution off a meeting"),
    "meeting.notice": gettext_lazy("Sent the notice of a meeting"),
    "meeting.check_in": gettext_lazy("Checked someone in at a meeting"),
    "meeting.business_start": gettext_lazy("Started a meeting's business with the quorum present"),
    "meeting.poll_open": gettext_lazy("Opened a poll on a resolution"),
    "meeting.hands": gettext_lazy("Recorded the count on a show of hands"),
    "meeting.declare": gettext_lazy("Declared the result of a resolution"),
    "meeting.close": gettext_lazy("Closed a meeting"),
    "meeting.proxy_appoint": gettext_lazy("Appointed a proxy"),
    "meeting.proxy_revoke": gettext_lazy("Revoked a proxy"),
    "requisition.open": gettext_lazy("Started a requisition for a special general meeting"),
    "requisition.sign": gettext_lazy("Signed a requisition for a special general meeting"),
    "requisition.reached": gettext_lazy("A requisition reached the signatures the rules ask for"),
    "minutes.draft": gettext_lazy("Drafted a meeting's minutes"),
    "minutes.update": gettext_lazy("Changed a meeting's draft minutes"),
    "minutes.approve": gettext_lazy("Recorded that a meeting approved the minutes"),
    "minutes.publish": gettext_lazy("Published a meeting's minutes to the members"),
}
