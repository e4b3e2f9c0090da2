"""Register exports as CSV and XLSX: the same columns, from the same selector.

The views record every export in the audit trail (``services.register_export_record``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import Membership


def register_columns() -> list[str]:
    return [
        _("Member number"),
        _("Name"),
        _("Email"),
        _("Address"),
        _("Postcode"),
        _("Class"),
        _("Shares held"),
        _("Amount paid (£)"),
        _("Amount owed (£)"),
        _("Email may be used for"),
        _("Date admitted"),
        _("Date ceased"),
        _("Reason ceased"),
        _("Status"),
    ]


def _pounds(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def register_rows(memberships: Iterable[Membership]) -> Iterable[list]:
    for membership in memberships:
        person = membership.person
        yield [
            membership.member_number,
            person.full_name,
            person.email,
            person.address,
            person.postcode,
            membership.stakeholder_class.name,
            membership.shares_held,
            _pounds(membership.paid_pence),
            _pounds(membership.owed_pence),
            membership.get_email_use_display(),
            membership.admitted_on.isoformat() if membership.admitted_on else "",
            membership.ceased_on.isoformat() if membership.ceased_on else "",
            membership.get_cessation_reason_display(),
            membership.get_status_display(),
        ]


def _safe(value):
    """Stop spreadsheet formula injection from names people type (=, +, -, @ at the start)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def register_csv(memberships: Iterable[Membership]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(register_columns())
    for row in register_rows(memberships):
        writer.writerow([_safe(value) for value in row])
    return buffer.getvalue()


def register_xlsx(memberships: Iterable[Membership]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Register of members"))
    sheet.append(register_columns())
    for row in register_rows(memberships):
        sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
