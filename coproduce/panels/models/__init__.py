"""Resident panels chosen by civic lottery: letters to random addresses, registration, a fair selection.

A panel belongs to the council running it and to a place. Officers import the place's
addresses, draw some with a published seed (``Invitation`` per address drawn, with its
one-time code), print the letters, and take registrations on the web (with the letter's code)
or by phone. Each ``Registrant`` answers the demographic questions of ``core.equality``'s bank
(``Feature`` rows, kept apart); the panel's ``Target`` rows are the quotas. The selection runs
the sortition engine in a task; its result is published with the anonymised pool and targets
at stable addresses so that anyone can reproduce it with ``coproduce select``. After the draw,
people confirm or decline, drop-outs are replaced from the reserves within the targets, and
attendance and payments are recorded.
"""

from .panels import Address, Algorithm, Invitation, Panel, Session, Stage, Target
from .people import Attendance, Feature, Payment, PaymentKind, PaymentMethod, Registrant, RegistrantStatus

__all__ = [
    "Address",
    "Algorithm",
    "Attendance",
    "Feature",
    "Invitation",
    "Panel",
    "Payment",
    "PaymentKind",
    "PaymentMethod",
    "Registrant",
    "RegistrantStatus",
    "Session",
    "Stage",
    "Target",
]
