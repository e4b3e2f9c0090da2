from .memberships import CessationReason, Membership, MembershipStatus, StakeholderClass
from .shares import ShareTransaction, ShareTransactionKind

__all__ = [
    "CessationReason",
    "Membership",
    "MembershipStatus",
    "ShareTransaction",
    "ShareTransactionKind",
    "StakeholderClass",
]
