"""The panels services' audit actions in words people use (shown in the audit trail)."""

AUDIT_ACTIONS: dict[str, object] = {}
