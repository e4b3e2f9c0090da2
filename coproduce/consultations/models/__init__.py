"""Consultations: a survey with documents and events, its responses, analysis and "you said, we did".

A consultation belongs to the organisation that runs it (a council, or a co-op consulting its
members) and to the place it concerns. Its survey is a numbered ``SurveyVersion`` of pages and
questions: while no one has answered, officers edit the current version in place; once a
response has arrived the version is locked and a change makes a new version (copied, then
edited), shown publicly with its note. A response records the version it answered; results are
counted per question ``key``, which stays the same across versions.

Equality monitoring answers (``EqualityAnswer``, keys of ``core.equality``) live in their own
table, are never shown with a response and are read only in aggregate by the equalities role.
"""

from .consultations import Audience, Consultation, Document, Stage, Status
from .events import Event, EventKind, Registration, RegistrationStatus
from .responses import Answer, AnswerTag, Channel, EqualityAnswer, Response, ResponseState, Theme
from .survey import Option, Page, Question, QuestionKind, SurveyVersion

__all__ = [
    "Answer",
    "AnswerTag",
    "Audience",
    "Channel",
    "Consultation",
    "Document",
    "EqualityAnswer",
    "Event",
    "EventKind",
    "Option",
    "Page",
    "Question",
    "QuestionKind",
    "Registration",
    "RegistrationStatus",
    "Response",
    "ResponseState",
    "Stage",
    "Status",
    "SurveyVersion",
    "Theme",
]
