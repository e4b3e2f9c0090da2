from .membership_rules import STATUTORY_MAX_HOLDING_PENCE, MembershipRules, rules_for
from .memberships import REASON_MAX_LENGTH, CessationReason, EmailUse, Membership, MembershipStatus, StakeholderClass
from .shares import (
    PAYABLE_KINDS,
    RECORDABLE_METHODS,
    PaymentMethod,
    SharePayment,
    ShareTransaction,
    ShareTransactionKind,
)

__all__ = [
    "PAYABLE_KINDS",
    "REASON_MAX_LENGTH",
    "RECORDABLE_METHODS",
    "STATUTORY_MAX_HOLDING_PENCE",
    "CessationReason",
    "EmailUse",
    "Membership",
    "MembershipRules",
    "MembershipStatus",
    "PaymentMethod",
    "SharePayment",
    "ShareTransaction",
    "ShareTransactionKind",
    "StakeholderClass",
    "rules_for",
]
