"""What meetings tell the core about a person's account: the data a download holds.

A proxy's directions are the member's own (how they asked their proxy to vote), so they are in
their download; votes are not, because the ballot box keeps no link from a person to a ballot.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .models import Attendance, Proxy, RequisitionSignature


def personal_data(person) -> dict[str, Any]:
    """The meetings a person checked in at, the proxies they appointed or held, the requisitions they signed."""
    attendances = Attendance.objects.filter(person=person).select_related("meeting__organisation")
    proxies = (
        Proxy.objects.filter(Q(appointer=person) | Q(holder=person))
        .select_related("meeting__organisation", "appointer", "holder")
        .order_by("appointed_at")
    )
    signatures = RequisitionSignature.objects.filter(person=person).select_related("requisition__organisation")
    return {
        "meetings_attended": [
            {
                "organisation": attendance.meeting.organisation.name,
                "meeting": attendance.meeting.title,
                "starts_at": attendance.meeting.starts_at.isoformat(),
                "mode": attendance.mode,
                "checked_in_at": attendance.checked_in_at.isoformat(),
            }
            for attendance in attendances
        ],
        "proxies": [
            {
                "organisation": proxy.meeting.organisation.name,
                "meeting": proxy.meeting.title,
                "appointed_by_you": proxy.appointer_id == person.pk,
                "appointer": str(proxy.appointer),
                "holder": str(proxy.holder) if proxy.holder_id else "the chair",
                "directed": proxy.directed,
                "directions": proxy.directions if proxy.appointer_id == person.pk else {},
                "appointed_at": proxy.appointed_at.isoformat(),
                "revoked_at": proxy.revoked_at.isoformat() if proxy.revoked_at else None,
            }
            for proxy in proxies
        ],
        "requisitions_signed": [
            {
                "organisation": signature.requisition.organisation.name,
                "purpose": signature.requisition.purpose,
                "signed_at": signature.signed_at.isoformat(),
            }
            for signature in signatures
        ],
    }
