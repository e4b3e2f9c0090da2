from .audit import AuditEvent
from .census import CensusFigure
from .feedback import Feedback, Satisfaction
from .organisations import LegalForm, Organisation, OrganisationKind
from .people import AccessNeed, User
from .places import Place, PlaceKind, Postcode
from .roles import Role, RoleKind
from .verification import (
    LetterBatch,
    LetterBatchStatus,
    LetterCode,
    ResidentList,
    ResidentListEntry,
    Verification,
)

__all__ = [
    "AccessNeed",
    "AuditEvent",
    "CensusFigure",
    "Feedback",
    "LegalForm",
    "LetterBatch",
    "LetterBatchStatus",
    "LetterCode",
    "Organisation",
    "OrganisationKind",
    "Place",
    "PlaceKind",
    "Postcode",
    "ResidentList",
    "ResidentListEntry",
    "Role",
    "RoleKind",
    "Satisfaction",
    "User",
    "Verification",
]
