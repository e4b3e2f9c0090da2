"""General, board and committee meetings, run as each society's rules say.

* ``MeetingRules`` — the society's rules about meetings, one version per date it took effect.
* ``Meeting`` with its ``AgendaItem`` (and papers), ``Resolution`` (each on a ``voting``
  ballot box, with the chair's counts for a show of hands) and ``Minutes``.
* What members do: ``Requisition`` (and ``RequisitionSignature``), ``Proxy``, ``Attendance``.
* ``NoticeLetters``: the printable notices for members who get them by post.

The rules themselves (clear days, quorum, thresholds) are pure functions in ``governance.law``.
"""

from .meetings import (
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AgendaItem,
    Choice,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeLetters,
    Resolution,
    ResolutionKind,
    ThresholdBase,
    VotingMethod,
)
from .participation import Attendance, AttendanceMode, Proxy, Requisition, RequisitionSignature
from .rules import GENERAL_MEETINGS, CountRule, MeetingKind, MeetingRules, default_rules, rules_in_force

__all__ = [
    "GENERAL_MEETINGS",
    "REASON_MAX_LENGTH",
    "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "AgendaItem",
    "Attendance",
    "AttendanceMode",
    "Choice",
    "CountRule",
    "Meeting",
    "MeetingKind",
    "MeetingRules",
    "MeetingStatus",
    "Minutes",
    "MinutesStatus",
    "NoticeLetters",
    "Proxy",
    "Requisition",
    "RequisitionSignature",
    "Resolution",
    "ResolutionKind",
    "ThresholdBase",
    "VotingMethod",
    "default_rules",
    "rules_in_force",
]
