from .audit import AuditEvent
from .organisations import LegalForm, Organisation, OrganisationKind
from .people import AccessNeed, User
from .places import Place, PlaceKind, Postcode
from .roles import Role, RoleKind

__all__ = [
    "AccessNeed",
    "AuditEvent",
    "LegalForm",
    "Organisation",
    "OrganisationKind",
    "Place",
    "PlaceKind",
    "Postcode",
    "Role",
    "RoleKind",
    "User",
]
