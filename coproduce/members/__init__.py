"""Members: registers, stakeholder classes, applications and the share ledger."""
