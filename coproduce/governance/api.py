"""Meetings' JSON API: still to be built.

Issue 19 asks for ``GET /api/meetings/`` (id, organisation, kind, status) and
``GET /api/meetings/{id}`` (``starts_at``, ``notice_sent_on``, ``notice_clear_days``,
``quorum_required``, ``quorum_present`` and each resolution's ``kind``, ``threshold``, ``for``,
``against``, ``abstain``, ``passed``), visible to the organisation's members and to the public where
its rules say the record is public (``MeetingRules.record_public``). ``selectors.meeting_record``
gives exactly those figures.
"""
