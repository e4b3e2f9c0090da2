"""Meetings' pages: still to be built, on ``governance.services`` and ``governance.selectors``.

Expected URL names (the notices and emails link to them once they exist, see ``notices.py``):
``governance:meeting`` (pk) — a meeting's page for members; ``governance:check_in`` (pk) — self
check-in with the notice's QR code (``?token=``); ``governance:ical`` (pk) — ``/meetings/{id}.ics``.
"""
