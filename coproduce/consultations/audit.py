"""The consultations services' audit actions in words people use (shown in the audit trail)."""

from django.utils.translation import gettext_lazy

AUDIT_ACTIONS = {
    "consultation.create": gettext_lazy("Created a consultation"),
    "consultation.update": gettext_lazy("Changed a consultation"),
    "consultation.publish": gettext_lazy("Published a consultation"),
    "consultation.document_add": gettext_lazy("Added a document to a consultation"),
    "consultation.document_remove": gettext_lazy("Removed a document from a consultation"),
    # The survey builder.
    "consultation.version_new": gettext_lazy("Started a new version of a consultation’s survey"),
    "consultation.page_add": gettext_lazy("Added a page to a survey"),
    "consultation.page_update": gettext_lazy("Changed a page of a survey"),
    "consultation.page_remove": gettext_lazy("Removed a page from a survey"),
    "consultation.page_move": gettext_lazy("Moved a page of a survey"),
    "consultation.question_add": gettext_lazy("Added a question to a survey"),
    "consultation.question_update": gettext_lazy("Changed a question of a survey"),
    "consultation.question_remove": gettext_lazy("Removed a question from a survey"),
    "consultation.question_move": gettext_lazy("Moved a question of a survey"),
    # Paper responses.
    "consultation.paper_start": gettext_lazy("Started entering a paper response"),
    "consultation.paper_reference": gettext_lazy("Gave a paper response its reference"),
    "consultation.paper_submit": gettext_lazy("Entered a paper response"),
    # Events.
    "consultation.event_add": gettext_lazy("Added an event to a consultation"),
    "consultation.event_update": gettext_lazy("Changed a consultation event"),
    "consultation.event_cancel": gettext_lazy("Cancelled a consultation event"),
    "consultation.attendance": gettext_lazy("Recorded who came to a consultation event"),
    "consultation.event_notes": gettext_lazy("Wrote the notes of a consultation event"),
    # Analysis and publishing.
    "consultation.theme_add": gettext_lazy("Added a theme to a consultation"),
    "consultation.theme_update": gettext_lazy("Changed a consultation theme"),
    "consultation.theme_remove": gettext_lazy("Removed a consultation theme"),
    "consultation.answer_tag": gettext_lazy("Tagged an answer with a theme"),
    "consultation.answer_untag": gettext_lazy("Took a theme off an answer"),
    "consultation.answer_redact": gettext_lazy("Redacted an answer for publication"),
    "consultation.response_publish": gettext_lazy("Published a response"),
    "consultation.response_unpublish": gettext_lazy("Withdrew a published response"),
    "consultation.feedback_save": gettext_lazy("Wrote a consultation’s “you said, we did”"),
    "consultation.feedback_publish": gettext_lazy("Published a consultation’s “you said, we did”"),
}
