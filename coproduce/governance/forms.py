"""Meetings' forms: still to be built. Each form will read and check what a person typed; the
services (``governance.services``) decide the rest and give the refusals to show."""
