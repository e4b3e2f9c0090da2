"""Writes for the core. Every service is keyword-only, runs in one transaction and audits itself."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AccessNeed, AuditEvent, Organisation, Place, PlaceKind, Postcode, Role, User
from .models.places import is_valid_postcode, normalise_postcode
from .selectors import ward_for_postcode


def audit_record(
    *,
    actor: User | None,
    action: str,
    organisation: Organisation | None = None,
    target: models.Model | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the service's transaction, never on its own."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        organisation=organisation,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=data or {},
    )


@transaction.atomic
def person_update_details(
    *,
    person: User,
    full_name: str,
    address: str,
    postcode: str,
    preferred_language: str,
    access_needs: list[str],
) -> User:
    """Update a person's details; the ward is derived from the postcode (unknown postcode: refused)."""
    ward = ward_for_postcode(postcode) if postcode.strip() else None
    unknown = sorted(set(access_needs) - set(AccessNeed.values))
    if unknown:
        raise ValidationError(_("Unknown access need: %(need)s"), params={"need": ", ".join(unknown)})
    person.full_name = full_name.strip()
    person.address = address.strip()
    person.postcode = normalise_postcode(postcode) if postcode.strip() else ""
    person.ward = ward
    person.preferred_language = preferred_language
    person.access_needs = list(access_needs)
    person.save(update_fields=["full_name", "address", "postcode", "ward", "preferred_language", "access_needs"])
    audit_record(actor=person, action="person.update_details", target=person, summary=person.email)
    return person


@transaction.atomic
def organisation_save(*, organisation: Organisation, actor: User | None, changed: list[str]) -> Organisation:
    """Create or change an organisation (from the back office), audited with the fields changed."""
    created = organisation.pk is None
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation.create" if created else "organisation.change",
        organisation=organisation,
        target=organisation,
        summary=organisation.name,
        data={"fields": sorted(changed)},
    )
    return organisation


@transaction.atomic
def place_save(*, place: Place, actor: User | None, changed: list[str]) -> Place:
    """Create or change a place (council area, district, ward), audited with the fields changed."""
    created = place.pk is None
    place.save()
    audit_record(
        actor=actor,
        action="place.create" if created else "place.change",
        target=place,
        summary=f"{place.name} ({place.code})",
        data={"fields": sorted(changed)},
    )
    return place


@transaction.atomic
def role_grant(*, organisation: Organisation, person: User, kind: str, actor: User | None) -> Role:
    role, _created = Role.objects.get_or_create(organisation=organisation, person=person, kind=kind, ended_at=None)
    audit_record(
        actor=actor,
        action="role.grant",
        organisation=organisation,
        target=role,
        summary=f"{person.email}: {role.get_kind_display()}",
    )
    return role


@transaction.atomic
def role_end(*, role: Role, actor: User | None) -> Role:
    role.ended_at = timezone.now()
    role.save(update_fields=["ended_at"])
    audit_record(actor=actor, action="role.end", organisation=role.organisation, target=role, summary=str(role))
    return role


class PostcodeImportError(Exception):
    """A postcode file that cannot be imported; nothing was written."""

    def __init__(self, reason: str, *, file: str, line: int | None = None) -> None:
        self.reason, self.file, self.line = reason, file, line
        super().__init__(f"{file}:{line}: {reason}" if line else f"{file}: {reason}")


@dataclass(frozen=True)
class PostcodeImportResult:
    imported: int
    terminated_skipped: int
    outside_area_skipped: int


_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "postcode")
_WARD_COLUMN = re.compile(r"^(osward|wd\d\dcd|ward_?code)$", re.IGNORECASE)


@transaction.atomic
def postcodes_import(
    *, path: Path | str, actor: User | None = None, skip_unknown_wards: bool = False
) -> PostcodeImportResult:
    """Import postcode → ward rows from a CSV in the ONS Postcode Directory layout.

    Reads the postcode from ``pcds`` (or ``pcd``/``pcd7``/``pcd8``), the ward code from
    ``osward`` (older ONSPD) or ``wdYYcd`` (2025 on), and skips terminated postcodes
    (``doterm`` set). All or nothing: any bad row aborts the import, naming its line.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise PostcodeImportError(f"cannot read the file ({error})", file=name) from error
    reader = csv.DictReader(io.StringIO(text))
    headers = [header.strip().lower() for header in (reader.fieldnames or [])]
    if not headers:
        raise PostcodeImportError("the file is empty", file=name, line=1)
    reader.fieldnames = headers
    postcode_column = next((column for column in _POSTCODE_COLUMNS if column in headers), None)
    ward_column = next((column for column in headers if _WARD_COLUMN.match(column)), None)
    if postcode_column is None or ward_column is None:
        raise PostcodeImportError(
            "the header needs a postcode column (pcds, pcd, pcd7 or pcd8) and a ward column (osward or wdYYcd)",
            file=name,
            line=1,
        )
    wards = {place.code: place.pk for place in Place.objects.filter(kind=PlaceKind.WARD).only("pk", "code")}
    rows: dict[str, int] = {}
    terminated = outside = 0
    for row in reader:
        line = reader.line_num
        if None in row:
            raise PostcodeImportError("this row has more fields than the header", file=name, line=line)
        postcode = normalise_postcode(row.get(postcode_column) or "")
        ward_code = (row.get(ward_column) or "").strip()
        if (row.get("doterm") or "").strip():
            terminated += 1
            continue
        if not is_valid_postcode(postcode):
            raise PostcodeImportError(f"{row.get(postcode_column)!r} is not a UK postcode", file=name, line=line)
        if ward_code not in wards:
            if skip_unknown_wards:
                outside += 1
                continue
            raise PostcodeImportError(
                f"ward code {ward_code!r} is not a ward we know (add the ward first, or use --skip-unknown-wards)",
                file=name,
                line=line,
            )
        rows[postcode] = wards[ward_code]
    Postcode.objects.bulk_create(
        [Postcode(postcode=postcode, ward_id=ward_id) for postcode, ward_id in rows.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["ward"],
    )
    audit_record(actor=actor, action="postcodes.import", summary=f"{len(rows)} postcodes from {path.name}")
    return PostcodeImportResult(imported=len(rows), terminated_skipped=terminated, outside_area_skipped=outside)
