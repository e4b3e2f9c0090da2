"""Writes for the core. Every service is keyword-only, runs in one transaction and audits itself."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from . import equality, registry
from .models import (
    AccessNeed,
    AuditEvent,
    CensusFigure,
    Feedback,
    LetterBatch,
    LetterBatchStatus,
    LetterCode,
    Organisation,
    Place,
    PlaceKind,
    Postcode,
    ResidentList,
    ResidentListEntry,
    Role,
    Satisfaction,
    User,
    Verification,
)
from .models.places import is_valid_postcode, normalise_postcode
from .selectors import letters_awaiting_in, residents_in_area, ward_for_postcode
from .verification import (
    CODE_MAX_ATTEMPTS,
    CODE_VALID_DAYS,
    IN_PERSON,
    LETTER,
    RESIDENT_LIST,
    SELF_DECLARED,
    VerificationLevel,
    hash_letter_code,
    letter_code_matches,
    new_letter_code,
    normalise_name,
    resident_list_key,
)


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


class _Keep:
    """The default of an optional argument that leaves a field as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@transaction.atomic
def person_update_details(
    *,
    person: User,
    full_name: str,
    address: str,
    postcode: str,
    preferred_language: str,
    access_needs: list[str],
    date_of_birth: date | None = KEEP,
) -> User:
    """Update a person's details; the ward is derived from the postcode (unknown postcode: refused).

    A new address ends the verifications of the old one (and cancels letters not yet used), then
    the person is matched against the council's current lists at the new one.
    """
    ward = ward_for_postcode(postcode) if postcode.strip() else None
    unknown = sorted(set(access_needs) - set(AccessNeed.values))
    if unknown:
        raise ValidationError(_("Unknown access need: %(need)s"), params={"need": ", ".join(unknown)})
    if date_of_birth is not KEEP and date_of_birth is not None and date_of_birth > timezone.localdate():
        raise ValidationError(_("Date of birth must be in the past"), code="future_date_of_birth")
    new_postcode = normalise_postcode(postcode) if postcode.strip() else ""
    moved = (address.strip(), new_postcode) != (person.address.strip(), person.postcode)
    renamed = full_name.strip() != person.full_name
    person.full_name = full_name.strip()
    person.address = address.strip()
    person.postcode = new_postcode
    person.ward = ward
    person.preferred_language = preferred_language
    person.access_needs = list(access_needs)
    fields = ["full_name", "address", "postcode", "ward", "preferred_language", "access_needs"]
    if date_of_birth is not KEEP:
        person.date_of_birth = date_of_birth
        fields.append("date_of_birth")
    person.save(update_fields=fields)
    audit_record(
        actor=person,
        action="person.update_details",
        target=person,
        summary=person.email,
        data={"moved": moved, "renamed": renamed},
    )
    if moved:
        _verifications_end(person=person, reason="address changed")
    if moved or renamed:
        _person_match_lists(person=person)
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
    *,
    path: Path | str,
    actor: User | None = None,
    skip_unknown_wards: bool = False,
    name: str | None = None,
    area: Place | None = None,
    organisation: Organisation | None = None,
) -> PostcodeImportResult:
    """Import postcode → ward rows from a CSV in the ONS Postcode Directory layout.

    Reads the postcode from ``pcds`` (or ``pcd``/``pcd7``/``pcd8``), the ward code from
    ``osward`` (older ONSPD) or ``wdYYcd`` (2025 on), and skips terminated postcodes
    (``doterm`` set). All or nothing: any bad row aborts the import, naming its line.

    The file is read a line at a time (a whole-country directory is large). ``name`` is the file's
    name as the person knows it (an upload's, not the temporary file's); with ``area`` only wards
    within it count as known (a council's officer imports for their own borough); ``organisation``
    is the council the import is audited under.
    """
    path = Path(path)
    name = name or str(path)
    try:
        with path.open("rb") as handle:
            result, rows = _postcode_rows(
                _utf8_lines(handle, name=name), name=name, skip_unknown_wards=skip_unknown_wards, area=area
            )
    except OSError as error:
        raise PostcodeImportError(
            _("cannot read the file (%(error)s)") % {"error": error.strerror or error}, file=name
        ) from error
    Postcode.objects.bulk_create(
        [Postcode(postcode=postcode, ward_id=ward_id) for postcode, ward_id in rows.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["ward"],
    )
    audit_record(
        actor=actor,
        action="postcodes.import",
        organisation=organisation,
        summary=f"{len(rows)} postcodes from {Path(name).name}",
        data={
            "imported": result.imported,
            "terminated": result.terminated_skipped,
            "outside": result.outside_area_skipped,
        },
    )
    return result


def _utf8_lines(handle, *, name: str):
    """The file's lines as text, decoded one at a time, so that a bad byte is reported on its own line."""
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise PostcodeImportError(_("the file is not text saved as UTF-8"), file=name, line=number) from None


def _postcode_rows(
    handle, *, name: str, skip_unknown_wards: bool, area: Place | None
) -> tuple[PostcodeImportResult, dict[str, int]]:
    reader = csv.DictReader(handle)
    try:
        headers = [header.strip().lower() for header in (reader.fieldnames or [])]
    except csv.Error as error:
        raise PostcodeImportError(
            _("this row cannot be read as CSV (%(error)s)") % {"error": error}, file=name, line=1
        ) from None
    if not headers:
        raise PostcodeImportError(_("the file is empty"), file=name, line=1)
    reader.fieldnames = headers
    postcode_column = next((column for column in _POSTCODE_COLUMNS if column in headers), None)
    ward_column = next((column for column in headers if _WARD_COLUMN.match(column)), None)
    if postcode_column is None or ward_column is None:
        raise PostcodeImportError(
            _("the header needs a postcode column (pcds, pcd, pcd7 or pcd8) and a ward column (osward or wdYYcd)"),
            file=name,
            line=1,
        )
    known = Place.objects.filter(kind=PlaceKind.WARD)
    if area is not None:
        known = known.filter(path__startswith=area.path + "/")
    wards = {place.code: place.pk for place in known.only("pk", "code")}
    rows: dict[str, int] = {}
    terminated = outside = 0
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise PostcodeImportError(_("this row has more fields than the header"), file=name, line=line)
            postcode = normalise_postcode(row.get(postcode_column) or "")
            ward_code = (row.get(ward_column) or "").strip()
            if (row.get("doterm") or "").strip():
                terminated += 1
                continue
            if not is_valid_postcode(postcode):
                raise PostcodeImportError(
                    _("“%(value)s” is not a UK postcode") % {"value": row.get(postcode_column)}, file=name, line=line
                )
            if ward_code not in wards:
                if skip_unknown_wards:
                    outside += 1
                    continue
                raise PostcodeImportError(
                    _("ward code “%(code)s” is not a ward we know (add the ward first, or skip unknown wards)")
                    % {"code": ward_code},
                    file=name,
                    line=line,
                )
            rows[postcode] = wards[ward_code]
    except csv.Error as error:
        raise PostcodeImportError(
            _("this row cannot be read as CSV (%(error)s)") % {"error": error}, file=name, line=line + 1
        ) from None
    result = PostcodeImportResult(imported=len(rows), terminated_skipped=terminated, outside_area_skipped=outside)
    return result, rows


# --- Census figures ----------------------------------------------------------------------------


@transaction.atomic
def census_import(*, path: Path | str, name: str, council: Organisation, actor: User | None) -> int:
    """Import census figures for the council's wards from a CSV: ``ward_code,question,category,count``.

    ``question`` and ``category`` are keys of the equality bank (``core.equality``), e.g.
    ``E05000416,ethnicity,asian,1520``. A row replaces that ward's figure for that category. All or
    nothing: a bad row aborts the import and raises ``PostcodeImportError`` naming its line.
    Returns the number of figures written.
    """
    wards = Place.objects.filter(kind=PlaceKind.WARD)
    if council.area_id:
        wards = wards.filter(path__startswith=council.area.path + "/")
    known = {place.code: place.pk for place in wards.only("pk", "code")}
    figures: dict[tuple[int, str, str], int] = {}
    line = 1
    try:
        with Path(path).open("rb") as handle:
            reader = csv.reader(_utf8_lines(handle, name=name))
            header = [cell.strip().lower() for cell in next(reader, [])]
            if header[:4] != ["ward_code", "question", "category", "count"]:
                raise PostcodeImportError(_("the header must be ward_code,question,category,count"), file=name, line=1)
            for cells in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != 4:
                    raise PostcodeImportError(_("this row needs exactly 4 fields"), file=name, line=line)
                code, question, category, count = (cell.strip() for cell in cells)
                if code not in known:
                    raise PostcodeImportError(
                        _("ward code “%(code)s” is not one of this council’s wards") % {"code": code},
                        file=name,
                        line=line,
                    )
                if not equality.is_answer(question, category) or category == equality.PREFER_NOT_TO_SAY:
                    raise PostcodeImportError(
                        _("“%(question)s / %(category)s” is not a question and category of the equality bank")
                        % {"question": question, "category": category},
                        file=name,
                        line=line,
                    )
                if not count.isascii() or not count.isdigit():
                    raise PostcodeImportError(
                        _("the count “%(value)s” is not a whole number") % {"value": count}, file=name, line=line
                    )
                figures[(known[code], question, category)] = int(count)
    except OSError as error:
        raise PostcodeImportError(
            _("cannot read the file (%(error)s)") % {"error": error.strerror or error}, file=name
        ) from error
    except csv.Error as error:
        raise PostcodeImportError(
            _("this row cannot be read as CSV (%(error)s)") % {"error": error}, file=name, line=line + 1
        ) from None
    if not figures:
        raise PostcodeImportError(_("the file has no figures"), file=name, line=1)
    CensusFigure.objects.bulk_create(
        [CensusFigure(place_id=p, question=q, category=c, count=n) for (p, q, c), n in figures.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["place", "question", "category"],
        update_fields=["count", "updated_at"],
    )
    audit_record(
        actor=actor,
        action="census.import",
        organisation=council,
        summary=f"{len(figures)} census figures from {Path(name).name}",
    )
    return len(figures)


# --- Verification ------------------------------------------------------------------------------


def _verification_level_refresh(*, person: User) -> int:
    """Set the person's level to the highest of their current verifications (0 without any)."""
    level = max(person.verifications.current().values_list("level", flat=True), default=VerificationLevel.NONE)
    if person.verification_level != level:
        person.verification_level = level
        person.save(update_fields=["verification_level"])
    return level


def _verifications_end(*, person: User, reason: str) -> int:
    """End the person's current verifications and cancel their open letters (address changed, account closed)."""
    now = timezone.now()
    ended = person.verifications.current().update(ended_at=now, ended_reason=reason)
    person.letter_codes.filter(used_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)
    _verification_level_refresh(person=person)
    if ended:
        audit_record(actor=None, action="verification.end", target=person, summary=reason, data={"ended": ended})
    return ended


@transaction.atomic
def person_verify(
    *,
    person: User,
    method: str,
    actor: User | None,
    evidence: str = "",
    council: Organisation | None = None,
) -> Verification:
    """Record that ``person`` was verified at their current address by ``method`` (a registered code).

    The one way every method, built in or plugged in, records a verification: audited, and the
    person's level raised if this one is higher.
    """
    registered = registry.verification_method(method)
    if not person.postcode or person.ward_id is None:
        raise ValidationError(_("Give your address before it can be verified."), code="no_address")
    verification = Verification.objects.create(
        person=person,
        method=registered.code,
        level=registered.level,
        postcode=person.postcode,
        verified_by=actor if actor is not None and actor.is_authenticated else None,
        council=council,
        evidence=evidence,
    )
    _verification_level_refresh(person=person)
    audit_record(
        actor=actor,
        action="verification.record",
        organisation=council,
        target=person,
        summary=f"{person.email}: {registered.code}",
        data={"method": registered.code, "level": registered.level, "verification": verification.pk},
    )
    return verification


@transaction.atomic
def person_declare_address(*, person: User) -> Verification:
    """The person declares that they live at the address they gave (the lowest level)."""
    if person.verification_level >= VerificationLevel.DECLARED:
        raise ValidationError(_("You have already confirmed your address."), code="already_verified")
    return person_verify(person=person, method=SELF_DECLARED, actor=person)


@transaction.atomic
def letter_request(*, person: User) -> LetterCode:
    """Ask for a code posted to the person's address; an officer's next batch of letters includes it."""
    if not person.postcode or person.ward_id is None or not person.address:
        raise ValidationError(_("Give your full address before we can post you a code."), code="no_address")
    if person.verification_level >= VerificationLevel.CONFIRMED:
        raise ValidationError(_("Your address is already confirmed."), code="already_verified")
    if LetterCode.objects.awaiting_letter().filter(person=person).exists():
        raise ValidationError(_("You have already asked for a letter. We will post it soon."), code="already_asked")
    letter = LetterCode.objects.create(person=person, postcode=person.postcode)
    audit_record(actor=person, action="letter.request", target=person, summary=person.email)
    return letter


@transaction.atomic
def letter_batch_create(*, council: Organisation, actor: User, base_url: str) -> LetterBatch:
    """Start a batch of letters for everyone waiting for one; a task makes the PDF.

    ``base_url`` (``https://coproduce.example.gov.uk/``) is where the letters send people.
    """
    from .tasks import render_letter_batch

    if not letters_awaiting_in(council).exists():
        raise ValidationError(_("Nobody is waiting for a letter."), code="nobody_waiting")
    if LetterBatch.objects.filter(council=council, status=LetterBatchStatus.PENDING).exists():
        raise ValidationError(_("A batch of letters is already being prepared."), code="batch_pending")
    batch = LetterBatch.objects.create(council=council, created_by=actor)
    audit_record(actor=actor, action="letters.batch_create", organisation=council, target=batch)
    transaction.on_commit(lambda: render_letter_batch.enqueue(batch.pk, base_url))
    return batch


def letter_batch_render(*, batch_id: int, base_url: str) -> LetterBatch:
    """Give every waiting resident a code and make the batch's PDF, in one transaction (run by a task).

    If rendering fails nothing is kept but the batch, marked failed, so the residents stay in
    the queue for the next batch.
    """
    from .letters import Letter, render_letters_pdf

    try:
        with transaction.atomic():
            batch = LetterBatch.objects.select_for_update().select_related("council").get(pk=batch_id)
            if batch.status != LetterBatchStatus.PENDING:
                return batch
            now = timezone.now()
            expires_at = now + timedelta(days=CODE_VALID_DAYS)
            letters = []
            for letter_code in letters_awaiting_in(batch.council).select_for_update(of=("self",)):
                code = new_letter_code()
                letter_code.batch = batch
                letter_code.code_hash = hash_letter_code(code)
                letter_code.expires_at = expires_at
                letter_code.save(update_fields=["batch", "code_hash", "expires_at"])
                letters.append(Letter(person=letter_code.person, code=code, expires_at=expires_at))
            batch.letter_count = len(letters)
            batch.ready_at = now
            if letters:
                batch.pdf = render_letters_pdf(council=batch.council, letters=letters, base_url=base_url)
                batch.status = LetterBatchStatus.READY
            else:
                batch.status = LetterBatchStatus.EMPTY
            batch.save(update_fields=["letter_count", "ready_at", "pdf", "status"])
            audit_record(
                actor=None,
                action="letters.batch_ready",
                organisation=batch.council,
                target=batch,
                summary=f"{len(letters)} letters",
                data={"letters": len(letters)},
            )
            return batch
    except Exception:
        with transaction.atomic():
            LetterBatch.objects.filter(pk=batch_id).update(status=LetterBatchStatus.FAILED)
            audit_record(actor=None, action="letters.batch_failed", summary=f"batch {batch_id}")
        raise


@transaction.atomic
def letter_batch_download(*, batch: LetterBatch, actor: User) -> bytes:
    """The batch's PDF for printing; each download is audited (the letters carry codes and addresses)."""
    if batch.status != LetterBatchStatus.READY or not batch.pdf:
        raise ValidationError(_("These letters are not ready to download."), code="not_ready")
    if batch.downloaded_at is None:
        batch.downloaded_at = timezone.now()
        batch.save(update_fields=["downloaded_at"])
    audit_record(
        actor=actor,
        action="letters.batch_download",
        organisation=batch.council,
        target=batch,
        summary=f"{batch.letter_count} letters",
    )
    return bytes(batch.pdf)


def letter_code_enter(*, person: User, code: str) -> Verification:
    """Check a code from a letter. Right: the person is verified. Wrong: the attempt is counted
    (and kept: the refusal is raised after the count is saved)."""
    verification, refusal = _letter_code_try(person=person, code=code)
    if refusal is not None:
        raise refusal
    return verification


@transaction.atomic
def _letter_code_try(*, person: User, code: str) -> tuple[Verification | None, ValidationError | None]:
    now = timezone.now()
    letters = list(
        LetterCode.objects.select_for_update().filter(person=person, postcode=person.postcode).usable(now=now)
    )
    if not letters:
        return None, ValidationError(
            _("You have no code that can be used. Ask for a new letter from your account page."), code="no_code"
        )
    right = next((letter for letter in letters if letter_code_matches(code, letter.code_hash)), None)
    if right is None:
        for letter in letters:
            letter.attempts += 1
            letter.save(update_fields=["attempts"])
        audit_record(actor=person, action="letter.code_wrong", target=person, summary=person.email)
        left = CODE_MAX_ATTEMPTS - max(letter.attempts for letter in letters)
        if left <= 0:
            return None, ValidationError(
                _("That code is wrong, and you have no tries left. Ask for a new letter from your account page."),
                code="locked",
            )
        return None, ValidationError(
            ngettext(
                "That code is wrong. Check it against your letter. You have %(left)d try left.",
                "That code is wrong. Check it against your letter. You have %(left)d tries left.",
                left,
            )
            % {"left": left},
            code="wrong_code",
        )
    right.used_at = now
    right.save(update_fields=["used_at"])
    return person_verify(person=person, method=LETTER, actor=person, evidence=f"letter batch {right.batch_id}"), None


# Documents an officer may see as proof of address (what was seen is recorded, not copied).
PROOF_OF_ADDRESS = {
    "council_tax": _lazy("Council tax bill"),
    "utility_bill": _lazy("Utility bill"),
    "bank_statement": _lazy("Bank or building society statement"),
    "tenancy": _lazy("Tenancy agreement"),
    "benefits": _lazy("Benefits letter"),
    "driving_licence": _lazy("Driving licence with address"),
    "other": _lazy("Other document"),
}


@transaction.atomic
def person_verify_in_person(
    *, person: User, council: Organisation, actor: User, seen: list[str], notes: str = ""
) -> Verification:
    """An officer records that they checked the person's proof of address, face to face."""
    if actor.pk == person.pk:
        raise ValidationError(_("You cannot verify yourself. Ask another officer."), code="self")
    if not residents_in_area(council).filter(pk=person.pk).exists():
        raise ValidationError(_("This person does not live in the council's area."), code="outside_area")
    unknown = sorted(set(seen) - set(PROOF_OF_ADDRESS))
    if not seen or unknown:
        raise ValidationError(_("Select what you saw"), code="nothing_seen")
    evidence = "; ".join([*(str(PROOF_OF_ADDRESS[key]) for key in seen), *([notes.strip()] if notes.strip() else [])])
    return person_verify(person=person, method=IN_PERSON, actor=actor, evidence=evidence[:2000], council=council)


class ResidentListError(ValidationError):
    """An uploaded list that cannot be read; nothing was kept."""


_NAME_COLUMNS = ("name", "full_name", "full name", "elector name")
_FIRST_NAME_COLUMNS = ("first_name", "first name", "forename", "forenames", "given name", "given names")
_SURNAME_COLUMNS = ("surname", "last_name", "last name", "family name")
_LIST_POSTCODE_COLUMNS = ("postcode", "post code", "post_code", "pcd", "pcds")
RESIDENT_LIST_MAX_BYTES = 50 * 1024 * 1024
RESIDENT_LIST_MAX_DAYS = 400


def _resident_list_keys(content: bytes) -> set[str]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResidentListError(_("The file must be a CSV file saved as UTF-8."), code="encoding") from None
    reader = csv.DictReader(io.StringIO(text))
    headers = [(header or "").strip().lower() for header in (reader.fieldnames or [])]
    reader.fieldnames = headers
    name = next((column for column in _NAME_COLUMNS if column in headers), None)
    first = next((column for column in _FIRST_NAME_COLUMNS if column in headers), None)
    surname = next((column for column in _SURNAME_COLUMNS if column in headers), None)
    postcode = next((column for column in _LIST_POSTCODE_COLUMNS if column in headers), None)
    if postcode is None or not (name or (first and surname)):
        raise ResidentListError(
            _("The first row must name the columns: name (or first name and surname) and postcode."), code="header"
        )
    keys = set()
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ResidentListError(
                _("Row %(line)d has more values than the first row has columns."), params={"line": line}, code="row"
            )
        full_name = row[name] if name else f"{row[first] or ''} {row[surname] or ''}"
        row_postcode = normalise_postcode(row[postcode] or "")
        if not full_name.strip() and not row_postcode:
            continue  # blank line
        if not normalise_name(full_name) or not is_valid_postcode(row_postcode):
            raise ResidentListError(
                _("Row %(line)d needs a name and a real postcode."), params={"line": line}, code="row"
            )
        keys.add(resident_list_key(full_name, row_postcode))
    if not keys:
        raise ResidentListError(_("The file has no names in it."), code="empty")
    return keys


@transaction.atomic
def resident_list_upload(
    *, council: Organisation, actor: User, name: str, content: bytes, delete_on: date
) -> ResidentList:
    """Keep a minimised copy of a council list (a keyed hash of each name and postcode, nothing else)
    until ``delete_on``, and verify the residents who are on it."""
    today = timezone.localdate()
    if delete_on <= today:
        raise ValidationError(_("The date to delete the list must be in the future"), code="delete_on_past")
    if delete_on > today + timedelta(days=RESIDENT_LIST_MAX_DAYS):
        raise ValidationError(
            _("Keep the list for no more than %(days)d days"), params={"days": RESIDENT_LIST_MAX_DAYS}, code="too_long"
        )
    if len(content) > RESIDENT_LIST_MAX_BYTES:
        raise ValidationError(_("The file must be smaller than 50 MB"), code="too_big")
    keys = _resident_list_keys(content)
    resident_list = ResidentList.objects.create(
        council=council, name=name.strip(), uploaded_by=actor, delete_on=delete_on, entry_count=len(keys)
    )
    ResidentListEntry.objects.bulk_create(
        [ResidentListEntry(resident_list=resident_list, key=key) for key in keys], batch_size=2000
    )
    audit_record(
        actor=actor,
        action="resident_list.upload",
        organisation=council,
        target=resident_list,
        summary=f"{resident_list.name}: {len(keys)} entries, delete on {delete_on:%Y-%m-%d}",
        data={"entries": len(keys), "delete_on": delete_on.isoformat()},
    )
    matched = 0
    for person in (
        residents_in_area(council).filter(verification_level__lt=VerificationLevel.CONFIRMED).exclude(postcode="")
    ):
        if resident_list_key(person.full_name, person.postcode) in keys:
            person_verify(
                person=person, method=RESIDENT_LIST, actor=actor, evidence=resident_list.name, council=council
            )
            matched += 1
    resident_list.matched = matched  # for the page that says how many were verified
    return resident_list


def _person_match_lists(*, person: User) -> Verification | None:
    """Verify a person found on a current list of the council whose area they live in."""
    if person.verification_level >= VerificationLevel.CONFIRMED or not person.postcode or person.ward_id is None:
        return None
    ward_path = person.ward.path
    key = resident_list_key(person.full_name, person.postcode)
    entry = (
        ResidentListEntry.objects.filter(key=key, resident_list__delete_on__gt=timezone.localdate())
        .select_related("resident_list__council__area")
        .first()
    )
    if entry is None:
        return None
    resident_list = entry.resident_list
    area = resident_list.council.area
    if area is None or not (ward_path == area.path or ward_path.startswith(area.path + "/")):
        return None
    return person_verify(
        person=person, method=RESIDENT_LIST, actor=None, evidence=resident_list.name, council=resident_list.council
    )


@transaction.atomic
def resident_list_delete(*, resident_list: ResidentList, actor: User | None, reason: str = "") -> None:
    """Delete a list and every entry in it (verifications it made stay: they record that it matched)."""
    council, name, pk = resident_list.council, resident_list.name, resident_list.pk
    resident_list.delete()
    audit_record(
        actor=actor,
        action="resident_list.delete",
        organisation=council,
        summary=f"{name}{f' ({reason})' if reason else ''}",
        data={"resident_list": pk},
    )


def resident_lists_delete_expired(*, today: date | None = None) -> int:
    """Delete every list whose date has come (run daily by the command or the task)."""
    today = today or timezone.localdate()
    deleted = 0
    for resident_list in ResidentList.objects.filter(delete_on__lte=today).select_related("council"):
        resident_list_delete(resident_list=resident_list, actor=None, reason="its deletion date came")
        deleted += 1
    return deleted


@transaction.atomic
def letter_batches_clear_expired(*, now=None) -> int:
    """Drop the PDFs of batches whose codes have all expired: nothing in them can be used any more."""
    cutoff = (now or timezone.now()) - timedelta(days=CODE_VALID_DAYS)
    cleared = LetterBatch.objects.filter(ready_at__lt=cutoff, pdf__isnull=False).update(pdf=None)
    if cleared:
        audit_record(actor=None, action="letters.clear_expired", summary=f"{cleared} batches")
    return cleared


# --- The person's own data and account ----------------------------------------------------------


@transaction.atomic
def person_data_export(*, person: User) -> dict[str, Any]:
    """Everything we and every registered app hold about the person, for their download (audited)."""
    from .selectors import person_data

    data = person_data(person=person)
    audit_record(actor=person, action="person.data_download", target=person, summary=person.email)
    return data


@transaction.atomic
def account_close(*, person: User) -> list[str]:
    """Close the person's account: no more log-in, and erase what nothing obliges us to keep.

    Erased: date of birth, access needs, verification evidence and letters, email addresses,
    two-factor devices, feedback's link to them; name and postal address too, unless an app
    (a register of members) must keep them by law. Returns the reasons anything was kept, to
    tell the person.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from .selectors import account_retention_reasons

    if person.closed_at is not None:
        raise ValidationError(_("This account is already closed."), code="closed")
    reasons = account_retention_reasons(person=person)
    for feature in registry.features():
        if feature.on_account_close is not None:
            feature.on_account_close(person)
    now = timezone.now()
    person.verifications.update(evidence="")
    _verifications_end(person=person, reason="account closed")
    person.letter_codes.all().delete()
    for role in Role.objects.current().filter(person=person):
        role_end(role=role, actor=person)
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    Feedback.objects.filter(person=person).update(person=None)
    erased = ["date_of_birth", "access_needs", "email", "verification_evidence", "letters", "authenticators"]
    person.date_of_birth = None
    person.access_needs = []
    person.email = f"closed-{person.pk}@closed.invalid"
    person.is_active = False
    person.is_staff = False
    person.closed_at = now
    person.set_unusable_password()
    fields = ["date_of_birth", "access_needs", "email", "is_active", "is_staff", "closed_at", "password"]
    if not reasons:
        person.full_name, person.address, person.postcode, person.ward = "", "", "", None
        fields += ["full_name", "address", "postcode", "ward"]
        erased += ["full_name", "address"]
    person.save(update_fields=fields)
    audit_record(
        actor=person,
        action="person.close",
        target=person,
        summary=f"account {person.pk} closed",
        data={"erased": erased, "kept_name_and_address": bool(reasons)},
    )
    return reasons


@transaction.atomic
def feedback_give(
    *, person: User | None, satisfaction: str, improve: str, page: str = "", language: str = ""
) -> Feedback:
    """Store what someone thought of the service (anonymous unless signed in)."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError(_("Select how you feel about the service"), code="satisfaction")
    feedback = Feedback.objects.create(
        person=person if person is not None and person.is_authenticated else None,
        satisfaction=satisfaction,
        improve=improve.strip()[:2000],
        page=page[:300],
        language=language[:2],
    )
    audit_record(actor=person, action="feedback.give", target=feedback, summary=satisfaction)
    return feedback
