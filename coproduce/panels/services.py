"""Writes for resident panels: the panel, the invitation lottery, registration, targets, the
selection and what happens after it.

Every service is keyword-only, runs in one transaction and writes its audit event in it;
refusals raise ``ValidationError`` with a message fit to show the person, and write nothing.
Emails and the selection itself run as tasks queued once the transaction has committed.

The selection writes the published targets and anonymised pool as CSV files and reads them
back with the sortition engine's own readers, so that what is published is exactly what the
engine used: anyone can run ``coproduce select`` on the published files and get the same panel.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import re
import secrets
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coproduce.core import equality
from coproduce.core.models import CensusFigure, Organisation, Place, PlaceKind, Postcode, User
from coproduce.core.models.places import is_valid_postcode, normalise_postcode
from coproduce.core.selectors import census_counts
from coproduce.core.services import audit_record
from coproduce.counting.errors import InputError
from coproduce.counting.sortition import ENGINE_VERSION, InfeasibleQuotas, read_people, read_targets, replacements
from coproduce.counting.sortition import select as engine_select
from coproduce.counting.sortition.draw import SeedStream

from . import selectors
from .models import (
    Address,
    Algorithm,
    Attendance,
    Feature,
    Invitation,
    Panel,
    Payment,
    PaymentKind,
    PaymentMethod,
    Registrant,
    RegistrantStatus,
    Session,
    Stage,
    Target,
)
from .models.panels import WARD_FEATURE
from .selectors import (
    CERTIFICATE_TOL,
    ID_COLUMN,
    MEMBER_STATUSES,
    pool_csv,
    targets_csv,
)

# Codes: 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 8×10^14 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
ADDRESS_COLUMNS = ("uprn", "address_1", "address_2", "address_3", "postcode")
LANGUAGES = ("en", "cy")
UPRN = re.compile(r"^[A-Za-z0-9]{1,20}$")
SEED_MAX_LENGTH = 100
# Panels whose selection has started or finished: targets, categories and size are settled.
SETTLED = (Stage.SELECTING, Stage.SELECTED, Stage.PUBLISHED)

# The selection's progress is stored in English (the msgids): ``selectors.progress_text`` translates it.
PROGRESS_CHECKING = "Checking the targets can be met"
PROGRESS_COMPUTING = "Computing the fairest lottery"
PROGRESS_DRAWING = "Drawing the panel"
PROGRESS_STEPS = (
    gettext_noop("Checking the targets can be met"),
    gettext_noop("Computing the fairest lottery"),
    gettext_noop("Drawing the panel"),
)


def _audit(panel: Panel, *, actor: User | None, action: str, summary: str = "", target=None, **data) -> None:
    audit_record(
        actor=actor,
        action=action,
        organisation=panel.organisation,
        target=target or panel,
        summary=summary or panel.title,
        data=data,
    )


def _lock(panel: Panel) -> Panel:
    return Panel.objects.select_for_update().select_related("organisation", "place").get(pk=panel.pk)


def _enqueue(name: str, *args: Any) -> None:
    """Queue one of this app's tasks by name (the tasks module imports these services)."""
    from . import tasks

    job = getattr(tasks, name)
    if hasattr(job, "enqueue"):
        job.enqueue(*args)
    else:
        job(*args)


# The panel -----------------------------------------------------------------------------------------

PANEL_FIELDS = frozenset(
    {
        "place",
        "title",
        "title_cy",
        "purpose",
        "purpose_cy",
        "size",
        "registration_opens",
        "registration_closes",
        "categories",
        "payment_policy",
        "payment_policy_cy",
        "benefits_guidance",
        "benefits_guidance_cy",
        "one_registration_per_household",
        "one_selected_per_household",
        "algorithm",
    }
)
# What cannot change once the selection has started.
SELECTION_FIELDS = frozenset({"size", "categories", "one_selected_per_household", "algorithm", "place"})


def _check_categories(categories: Iterable[str]) -> list[str]:
    keys: list[str] = []
    for key in categories:
        key = str(key).strip()
        if key != WARD_FEATURE:
            try:
                equality.question(key)
            except KeyError:
                raise ValidationError(
                    {"categories": _("“%(key)s” is not one of the questions panels can ask.") % {"key": key}}
                ) from None
        if key in keys:
            raise ValidationError({"categories": _("Choose each category once.")})
        keys.append(key)
    return keys


def _check_panel(panel: Panel) -> None:
    if not panel.title.strip():
        raise ValidationError({"title": _("Enter a title.")})
    if not panel.purpose.strip():
        raise ValidationError({"purpose": _("Say what the panel is for.")})
    if not panel.size or panel.size < 1:
        raise ValidationError({"size": _("Enter how many people the panel needs, 1 or more.")})
    if panel.registration_opens is None:
        raise ValidationError({"registration_opens": _("Enter the date registration opens.")})
    if panel.registration_closes is None:
        raise ValidationError({"registration_closes": _("Enter the date registration closes.")})
    if panel.registration_closes <= panel.registration_opens:
        raise ValidationError({"registration_closes": _("Registration must close after it opens.")})
    if panel.algorithm not in Algorithm.values:
        raise ValidationError({"algorithm": _("Choose LEXIMIN or maximin.")})
    panel.categories = _check_categories(panel.categories or ())


def _check_welsh_wards(panel: Panel, welsh_wards: Iterable[Place]) -> list[Place]:
    wards = list(welsh_wards)
    for ward in wards:
        if ward.kind != PlaceKind.WARD or not (ward.path + "/").startswith(panel.place.path + "/"):
            raise ValidationError({"welsh_wards": _("Choose wards within the panel’s place.")})
    return wards


@transaction.atomic
def panel_create(
    *,
    organisation: Organisation,
    actor: User | None,
    place: Place,
    title: str,
    purpose: str,
    size: int,
    registration_opens: datetime.datetime,
    registration_closes: datetime.datetime,
    categories: Iterable[str] = (),
    title_cy: str = "",
    purpose_cy: str = "",
    payment_policy: str = "",
    payment_policy_cy: str = "",
    benefits_guidance: str = "",
    benefits_guidance_cy: str = "",
    one_registration_per_household: bool = False,
    one_selected_per_household: bool = True,
    algorithm: str = Algorithm.LEXIMIN,
    welsh_wards: Iterable[Place] = (),
) -> Panel:
    """A panel being prepared (stage DRAFT)."""
    panel = Panel(
        organisation=organisation,
        place=place,
        title=title.strip(),
        title_cy=title_cy.strip(),
        purpose=purpose.strip(),
        purpose_cy=purpose_cy.strip(),
        size=size,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
        categories=list(categories),
        payment_policy=payment_policy,
        payment_policy_cy=payment_policy_cy,
        benefits_guidance=benefits_guidance,
        benefits_guidance_cy=benefits_guidance_cy,
        one_registration_per_household=one_registration_per_household,
        one_selected_per_household=one_selected_per_household,
        algorithm=algorithm,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _check_panel(panel)
    wards = _check_welsh_wards(panel, welsh_wards)
    panel.full_clean(exclude=["created_by"])
    panel.save()
    if wards:
        panel.welsh_wards.set(wards)
    _audit(panel, actor=actor, action="panel.create")
    return panel


@transaction.atomic
def panel_update(
    *, panel: Panel, actor: User | None, welsh_wards: Iterable[Place] | None = None, **fields: Any
) -> Panel:
    """Change the panel's ``fields`` (those of ``panel_create``); the size, categories, place,
    algorithm and household rule are settled once the selection has started. Targets of a
    category taken off the panel are removed."""
    unknown = set(fields) - PANEL_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    panel = _lock(panel)
    changed = [name for name, value in fields.items() if getattr(panel, name) != value]
    if panel.stage in SETTLED and set(changed) & SELECTION_FIELDS:
        raise ValidationError(_("The selection has started: the size, categories and rules can no longer change."))
    if "place" in changed and panel.addresses.exists():
        raise ValidationError({"place": _("Addresses have been imported for this place: the place cannot change.")})
    for name, value in fields.items():
        if isinstance(value, str) and name not in ("algorithm",):
            value = value.strip() if name in ("title", "title_cy", "purpose", "purpose_cy") else value
        setattr(panel, name, value)
    _check_panel(panel)
    panel.full_clean(exclude=["created_by"])
    panel.save()
    if welsh_wards is not None:
        panel.welsh_wards.set(_check_welsh_wards(panel, welsh_wards))
        changed.append("welsh_wards")
    if "categories" in changed:
        panel.targets.exclude(feature__in=panel.categories).delete()
    _audit(panel, actor=actor, action="panel.update", changed=sorted(changed))
    return panel


# Addresses ----------------------------------------------------------------------------------------


class AddressImportError(Exception):
    """An address file that cannot be imported; nothing was written. ``line`` is the file's line."""

    def __init__(self, reason: str, *, file: str, line: int | None = None) -> None:
        self.reason, self.file, self.line = reason, file, line
        super().__init__(f"{file}:{line}: {reason}" if line else f"{file}: {reason}")

    @property
    def message(self) -> str:
        """The error as a sentence for the officer: the file, the line and the reason."""
        if self.line:
            return _("%(file)s, line %(line)s: %(reason)s") % {
                "file": self.file,
                "line": self.line,
                "reason": self.reason,
            }
        return _("%(file)s: %(reason)s") % {"file": self.file, "reason": self.reason}


def _decoded_lines(handle, *, name: str) -> Iterator[str]:
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            if "\x00" in text:  # a binary file (and PostgreSQL refuses NUL in text)
                raise UnicodeDecodeError("utf-8", raw, 0, 1, "NUL byte")
            yield text
        except UnicodeDecodeError:
            raise AddressImportError(_("the file is not text saved as UTF-8"), file=name, line=number) from None


def _address_rows(lines: Iterator[str], *, name: str) -> list[tuple[int, str, str, str, str]]:
    """(line, uprn, address lines, postcode, language) of each row; AddressImportError at the first bad one."""
    reader = csv.reader(lines)
    line = 1
    rows = []
    seen: dict[str, int] = {}
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        if not any(header):
            raise AddressImportError(_("the file is empty"), file=name, line=1)
        expected = list(ADDRESS_COLUMNS)
        if header not in (expected, [*expected, "language"]):
            raise AddressImportError(
                _("the header must be uprn,address_1,address_2,address_3,postcode (and optionally language)"),
                file=name,
                line=1,
            )
        width = len(header)
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > width:
                raise AddressImportError(_("this row has more fields than the header"), file=name, line=line)
            if len(cells) < width:
                raise AddressImportError(_("this row has fewer fields than the header"), file=name, line=line)
            uprn, first, second, third, postcode_text = (cell.strip() for cell in cells[:5])
            language = cells[5].strip().lower() if width == 6 else ""
            if not uprn:
                raise AddressImportError(_("the unique property reference (uprn) is missing"), file=name, line=line)
            if not UPRN.match(uprn):
                raise AddressImportError(
                    _("the unique property reference “%(value)s” must be letters and digits only, 20 at most")
                    % {"value": uprn},
                    file=name,
                    line=line,
                )
            if uprn in seen:
                raise AddressImportError(
                    _("the unique property reference %(value)s is also on line %(first)s")
                    % {"value": uprn, "first": seen[uprn]},
                    file=name,
                    line=line,
                )
            seen[uprn] = line
            if not first:
                raise AddressImportError(
                    _("the first line of the address (address_1) is missing"), file=name, line=line
                )
            lines_text = "\n".join(part for part in (first, second, third) if part)
            if len(lines_text) > 500:
                raise AddressImportError(_("the address is longer than 500 characters"), file=name, line=line)
            postcode = normalise_postcode(postcode_text)
            if not is_valid_postcode(postcode):
                raise AddressImportError(
                    _("“%(value)s” is not a UK postcode") % {"value": postcode_text}, file=name, line=line
                )
            if language not in ("", *LANGUAGES):
                raise AddressImportError(
                    _("the language must be en, cy or blank, not “%(value)s”") % {"value": cells[5].strip()},
                    file=name,
                    line=line,
                )
            rows.append((line, uprn, lines_text, postcode, language))
    except csv.Error as error:
        raise AddressImportError(
            _("this row cannot be read as CSV (%(error)s)") % {"error": error}, file=name, line=line + 1
        ) from None
    if not rows:
        raise AddressImportError(_("the file has no addresses"), file=name, line=1)
    return rows


@transaction.atomic
def addresses_import(*, panel: Panel, actor: User | None, path: Path | str, name: str) -> int:
    """Replace the panel's addresses with those of a CSV file: ``uprn,address_1,address_2,address_3,
    postcode`` and optionally ``language`` (``en``/``cy``); address_2 and address_3 may be blank.

    All or nothing: the first bad row raises ``AddressImportError`` naming the file and its line.
    Each address's ward comes from the postcode directory (none where the postcode is not known).
    Refused once the letters are drawn. Returns the number of addresses imported.
    """
    panel = _lock(panel)
    if panel.invited_at is not None or panel.invitations.exists():
        raise ValidationError(_("The letters have been drawn: the addresses can no longer change."))
    try:
        with Path(path).open("rb") as handle:
            rows = _address_rows(_decoded_lines(handle, name=name), name=name)
    except OSError as error:
        raise AddressImportError(
            _("cannot read the file (%(error)s)") % {"error": error.strerror or error}, file=name
        ) from error
    postcodes = sorted({row[3] for row in rows})
    wards: dict[str, int] = {}
    for start in range(0, len(postcodes), 2000):
        chunk = postcodes[start : start + 2000]
        wards.update(Postcode.objects.filter(postcode__in=chunk).values_list("postcode", "ward_id"))
    panel.addresses.all().delete()
    Address.objects.bulk_create(
        (
            Address(panel=panel, uprn=uprn, lines=lines, postcode=postcode, ward_id=wards.get(postcode), language=lang)
            for _line, uprn, lines, postcode, lang in rows
        ),
        batch_size=2000,
    )
    _audit(panel, actor=actor, action="panel.addresses_import", summary=f"{len(rows)} addresses from {Path(name).name}")
    return len(rows)


# The invitation lottery --------------------------------------------------------------------------


def allocate(sizes: dict[str, int], count: int) -> dict[str, int]:
    """``count`` places shared in proportion to ``sizes`` (largest remainder; ties by key order)."""
    total = sum(sizes.values())
    if total == 0:
        return dict.fromkeys(sizes, 0)
    shares = {key: count * size / total for key, size in sizes.items()}
    result = {key: int(share) for key, share in shares.items()}
    left = count - sum(result.values())
    by_remainder = sorted(sizes, key=lambda key: (-(shares[key] - result[key]), key))
    for key in by_remainder[:left]:
        result[key] += 1
    return result


def draw_addresses(uprns_by_ward: dict[str, list[str]], count: int, seed: str, *, proportional: bool) -> list[str]:
    """The UPRNs drawn, in the order of the draw.

    The construction (so anyone with the address file and the seed can check it): the stream is
    ``SeedStream(seed, "invitations")`` of the sortition engine. Proportional: each ward (by code;
    addresses of no known ward together under "") gets ``count`` × its share of the addresses,
    rounded by largest remainder; in ward-code order, each ward's sorted UPRNs are sampled with
    ``stream.sample``. Uniform: all sorted UPRNs are sampled at once. Then the chosen UPRNs are
    shuffled with the same stream to give the order of the letters.
    """
    stream = SeedStream(seed, "invitations")
    if proportional:
        counts = allocate({ward: len(uprns) for ward, uprns in uprns_by_ward.items()}, count)
        chosen: list[str] = []
        for ward in sorted(uprns_by_ward):
            if counts[ward]:
                chosen.extend(stream.sample(sorted(uprns_by_ward[ward]), counts[ward]))
    else:
        chosen = stream.sample(sorted(uprn for uprns in uprns_by_ward.values() for uprn in uprns), count)
    return stream.shuffled(chosen)


def _new_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        batch = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count - len(codes))}
        batch -= codes
        taken: set[str] = set()
        ordered = sorted(batch)
        for start in range(0, len(ordered), 2000):
            taken.update(
                Invitation.objects.filter(code__in=ordered[start : start + 2000]).values_list("code", flat=True)
            )
        codes |= batch - taken
    return list(codes)


@transaction.atomic
def invitations_draw(
    *, panel: Panel, actor: User | None, count: int, seed: str | None, proportional: bool = True
) -> int:
    """Draw ``count`` of the panel's addresses with the published ``seed`` (a random one if blank),
    in proportion to each ward's addresses or uniformly (see ``draw_addresses``). Each gets an
    invitation with a unique code, in the address's language (else Welsh in the panel's Welsh
    wards, else English). Once only. Returns the number of letters."""
    panel = _lock(panel)
    if panel.invited_at is not None or panel.invitations.exists():
        raise ValidationError(_("The letters have already been drawn."))
    if panel.stage != Stage.DRAFT:
        raise ValidationError(_("Letters can only be drawn while the panel is being prepared."))
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > SEED_MAX_LENGTH:
        raise ValidationError({"seed": _("The seed must be %(n)s characters or fewer.") % {"n": SEED_MAX_LENGTH}})
    addresses = list(panel.addresses.values_list("pk", "uprn", "ward__code", "ward_id", "language"))
    if not addresses:
        raise ValidationError(_("Import the addresses first."))
    if not isinstance(count, int) or count < 1:
        raise ValidationError({"count": _("Enter how many letters to send, 1 or more.")})
    if count > len(addresses):
        raise ValidationError(
            {"count": _("There are only %(n)s addresses: send %(n)s letters or fewer.") % {"n": len(addresses)}}
        )
    by_ward: dict[str, list[str]] = {}
    by_uprn = {}
    for pk, uprn, ward_code, ward_id, language in addresses:
        by_ward.setdefault(ward_code or "", []).append(uprn)
        by_uprn[uprn] = (pk, ward_id, language)
    chosen = draw_addresses(by_ward, count, seed, proportional=proportional)
    welsh = set(panel.welsh_wards.values_list("pk", flat=True))
    codes = _new_codes(len(chosen))
    invitations = []
    for position, (uprn, code) in enumerate(zip(chosen, codes, strict=True), start=1):
        pk, ward_id, language = by_uprn[uprn]
        language = language or ("cy" if ward_id in welsh else "en")
        invitations.append(Invitation(panel=panel, address_id=pk, code=code, language=language, position=position))
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    panel.invitation_seed = seed
    panel.invitations_proportional = proportional
    panel.invited_at = timezone.now()
    panel.stage = Stage.INVITING
    panel.save(update_fields=["invitation_seed", "invitations_proportional", "invited_at", "stage"])
    _audit(panel, actor=actor, action="panel.invitations_draw", summary=f"{len(invitations)} letters", seed=seed)
    return len(invitations)


# Registration -------------------------------------------------------------------------------------


@transaction.atomic
def registration_open(*, panel: Panel, actor: User | None) -> Panel:
    """Start taking registrations (also done by ``panels_due`` when the opening date comes)."""
    panel = _lock(panel)
    if panel.stage == Stage.REGISTERING:
        return panel
    if panel.stage != Stage.INVITING:
        raise ValidationError(_("Draw the letters before opening registration."))
    panel.stage = Stage.REGISTERING
    if panel.registration_opens > timezone.now():
        panel.registration_opens = timezone.now()
        if panel.registration_closes <= panel.registration_opens:
            raise ValidationError(_("Registration has closed: change its dates first."))
    panel.save(update_fields=["stage", "registration_opens"])
    _audit(panel, actor=actor, action="panel.registration_open")
    return panel


@transaction.atomic
def registration_close(*, panel: Panel, actor: User | None) -> Panel:
    """Stop taking registrations now (the closing date moves to now)."""
    panel = _lock(panel)
    if panel.stage not in (Stage.INVITING, Stage.REGISTERING):
        raise ValidationError(_("Registration is not open."))
    now = timezone.now()
    if panel.registration_closes > now:
        panel.registration_opens = min(panel.registration_opens, now - datetime.timedelta(seconds=1))
        panel.registration_closes = now
        panel.save(update_fields=["registration_opens", "registration_closes"])
    _audit(panel, actor=actor, action="panel.registration_close")
    return panel


def _new_public_id(panel: Panel, taken: set[str]) -> str:
    while True:
        candidate = f"P{secrets.randbelow(1_000_000):06d}"
        if candidate not in taken:
            return candidate


@transaction.atomic
def register(
    *,
    invitation: Invitation,
    name: str,
    email: str = "",
    phone: str = "",
    date_of_birth: datetime.date | None = None,
    features: dict[str, str],
    availability: Iterable[str] = (),
    access_needs: str = "",
    care_needs: str = "",
    consent: bool,
    language: str = "en",
    person: User | None = None,
    by_phone: bool = False,
    actor: User | None = None,
) -> Registrant:
    """Register someone with a letter's code, on the web or by phone through an officer (``actor``).

    ``features`` answers the panel's categories with the bank's keys ("prefer not to say" is
    allowed, but someone who prefers not to say on a category with targets cannot be selected);
    the ward comes from the letter's address. Refused outside the registration dates (unless an
    officer takes it by phone), without consent, without an email address or a phone number, or
    for a second person at the address when the panel takes one registration per household.
    """
    panel = _lock(invitation.panel)
    now = timezone.now()
    if person is not None and not person.is_authenticated:
        person = None
    if panel.stage not in (Stage.INVITING, Stage.REGISTERING):
        raise ValidationError(_("This panel is not taking registrations."))
    officer = by_phone and actor is not None and actor.has_perm("panels.run", panel)
    if by_phone and not officer:
        raise ValidationError(_("Only the panel’s officers can take a registration by phone."))
    if officer and panel.seed_published_at is not None and now >= panel.registration_closes:
        raise ValidationError(
            _("The seed of the selection is published and registration has closed: no one can be added now.")
        )
    if not officer:
        if now < panel.registration_opens:
            raise ValidationError(_("Registration has not opened yet."))
        if now >= panel.registration_closes:
            raise ValidationError(_("Registration has closed."))
    if not consent:
        raise ValidationError({"consent": _("Agree to how your answers are used, or you cannot be selected.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter your full name.")})
    email, phone = email.strip(), phone.strip()
    if not email and not phone:
        raise ValidationError(
            {"email": _("Enter an email address or a phone number, so we can tell you if you are selected.")}
        )
    answers: dict[str, str] = {}
    for key in panel.categories:
        if key == WARD_FEATURE:
            continue
        value = (features.get(key) or "").strip()
        if not value:
            raise ValidationError({f"feature_{key}": _("Choose an answer, or prefer not to say.")})
        if not equality.is_answer(key, value):
            raise ValidationError({f"feature_{key}": _("Choose one of the answers.")})
        answers[key] = value
    if WARD_FEATURE in panel.categories:
        address = invitation.address
        answers[WARD_FEATURE] = address.ward.code if address.ward_id else equality.PREFER_NOT_TO_SAY
    registrants = Registrant.objects.filter(panel=panel)
    if panel.one_registration_per_household and registrants.filter(invitation=invitation).exists():
        raise ValidationError(
            _("Someone at this address has already registered: this panel takes one person from each address.")
        )
    if person is not None and registrants.filter(person=person).exists():
        raise ValidationError(_("You have already registered for this panel."))
    if email and registrants.filter(email__iexact=email, name__iexact=name).exists():
        raise ValidationError(_("%(name)s has already registered for this panel.") % {"name": name})
    digits = "".join(character for character in phone if character.isdigit())
    if digits and any(
        "".join(character for character in other if character.isdigit()) == digits
        for other in registrants.filter(name__iexact=name).exclude(phone="").values_list("phone", flat=True)
    ):
        # One registration per person, for those who give a phone number and no email address too.
        raise ValidationError(_("%(name)s has already registered for this panel.") % {"name": name})
    taken = set(registrants.values_list("public_id", flat=True))
    registrant = Registrant.objects.create(
        panel=panel,
        invitation=invitation,
        public_id=_new_public_id(panel, taken),
        name=name,
        email=email,
        phone=phone,
        date_of_birth=date_of_birth,
        availability=[str(item) for item in availability],
        access_needs=access_needs.strip(),
        care_needs=care_needs.strip(),
        consent=True,
        language=language if language in LANGUAGES else "en",
        by_phone=by_phone,
        registered_by=actor if officer else None,
        person=person,
    )
    Feature.objects.bulk_create(Feature(registrant=registrant, feature=f, value=v) for f, v in answers.items())
    if officer:
        _audit(panel, actor=actor, action="panel.register_by_phone", target=registrant, summary=registrant.public_id)
    transaction.on_commit(lambda: _enqueue("send_registration_confirmation", registrant.pk))
    return registrant


# Targets ----------------------------------------------------------------------------------------


def _refuse_if_settled(panel: Panel) -> None:
    if panel.stage in SETTLED:
        raise ValidationError(_("The selection has started: the targets can no longer change."))


def _ward_totals(panel: Panel) -> dict[str, int]:
    """Residents of each ward of the panel's place, from the census figures of one question."""
    figures = CensusFigure.objects.filter(place__path__startswith=panel.place.path + "/")
    questions = set(figures.values_list("question", flat=True).distinct())
    if not questions:
        return {}
    preferred = next((q for q in ("sex", "age_band") if q in questions), sorted(questions)[0])
    totals: Counter[str] = Counter()
    for code, count in figures.filter(question=preferred).values_list("place__code", "count"):
        totals[code] += count
    return dict(totals)


def _category_label(key: str) -> str:
    if key == WARD_FEATURE:
        return _("ward")
    try:
        return str(equality.question(key).label)
    except KeyError:
        return key


@transaction.atomic
def targets_from_census(*, panel: Panel, actor: User | None, tolerance: int = 1) -> list[Target]:
    """Replace the panel's targets with the place's census shares: for each value of each
    category, round(share × size) ± ``tolerance`` (never below 0 nor above the size)."""
    panel = _lock(panel)
    _refuse_if_settled(panel)
    if not panel.categories:
        raise ValidationError(_("Choose the panel’s categories first."))
    if tolerance < 0:
        raise ValidationError({"tolerance": _("The tolerance must be 0 or more.")})
    rows: list[tuple[str, str, int]] = []
    for key in panel.categories:
        if key == WARD_FEATURE:
            counts = _ward_totals(panel)
            values = list(counts)
        else:
            counts = census_counts(place=panel.place, question=key)
            values = list(equality.question(key).keys())
        if not sum(counts.values()):
            raise ValidationError(
                _("There are no census figures for %(category)s in %(place)s. Upload them, or take the category off.")
                % {"category": _category_label(key), "place": panel.place.name}
            )
        rows.extend((key, value, counts.get(value, 0)) for value in values)
    totals: Counter[str] = Counter()
    for key, _value, count in rows:
        totals[key] += count
    panel.targets.all().delete()
    targets = []
    for order, (key, value, count) in enumerate(rows):
        share = count / totals[key]
        centre = round(share * panel.size)
        targets.append(
            Target(
                panel=panel,
                feature=key,
                value=value,
                minimum=max(0, centre - tolerance),
                maximum=min(panel.size, centre + tolerance),
                census_share=round(100 * share, 2),
                order=order,
            )
        )
    Target.objects.bulk_create(targets)
    _audit(panel, actor=actor, action="panel.targets_from_census", tolerance=tolerance)
    return list(panel.targets.all())


def _check_bounds(panel: Panel, minimum: int, maximum: int) -> None:
    if minimum is None or minimum < 0:
        raise ValidationError({"minimum": _("Enter the fewest people, 0 or more.")})
    if maximum is None or maximum < minimum:
        raise ValidationError({"maximum": _("The most people must be at least the fewest.")})
    if minimum > panel.size:
        raise ValidationError({"minimum": _("The fewest people cannot be more than the panel’s size.")})


@transaction.atomic
def target_set(*, target: Target, actor: User | None, minimum: int, maximum: int) -> Target:
    panel = _lock(target.panel)
    _refuse_if_settled(panel)
    _check_bounds(panel, minimum, maximum)
    target.minimum, target.maximum = minimum, maximum
    target.save(update_fields=["minimum", "maximum"])
    _audit(panel, actor=actor, action="panel.target_set", target=target, summary=str(target))
    return target


@transaction.atomic
def target_add(*, panel: Panel, actor: User | None, feature: str, value: str, minimum: int, maximum: int) -> Target:
    """A target for one value of one of the panel's categories (a bank category key, or a ward's code)."""
    panel = _lock(panel)
    _refuse_if_settled(panel)
    if feature not in panel.categories:
        raise ValidationError({"feature": _("Choose one of the panel’s categories.")})
    value = value.strip()
    if feature == WARD_FEATURE:
        ok = Place.objects.filter(kind=PlaceKind.WARD, code=value, path__startswith=panel.place.path + "/").exists()
    else:
        ok = value in equality.question(feature).keys()  # noqa: SIM118 (a tuple, not a dict)
    if not ok:
        raise ValidationError({"value": _("Choose one of the category’s values.")})
    if panel.targets.filter(feature=feature, value=value).exists():
        raise ValidationError({"value": _("There is already a target for this value.")})
    _check_bounds(panel, minimum, maximum)
    order = max(panel.targets.values_list("order", flat=True), default=-1) + 1
    target = Target.objects.create(
        panel=panel, feature=feature, value=value, minimum=minimum, maximum=maximum, order=order
    )
    _audit(panel, actor=actor, action="panel.target_add", target=target, summary=str(target))
    return target


@transaction.atomic
def target_remove(*, target: Target, actor: User | None) -> None:
    panel = _lock(target.panel)
    _refuse_if_settled(panel)
    _audit(panel, actor=actor, action="panel.target_remove", summary=str(target))
    target.delete()


# The selection ------------------------------------------------------------------------------------


@transaction.atomic
def selection_seed_set(*, panel: Panel, actor: User | None, seed: str | None = None) -> Panel:
    """Publish the seed of the selection's draw: a random one, or one typed in from a public
    ceremony. Refused once the selection has started."""
    panel = _lock(panel)
    if panel.stage in SETTLED or panel.result:
        raise ValidationError(_("The selection has started: the seed can no longer change."))
    if panel.seed_published_at is not None and timezone.now() >= panel.registration_closes:
        # Who can be selected is known once registration closes: a seed published by then is final,
        # or an officer could try seeds against the pool and publish the one they liked.
        raise ValidationError(_("The seed is published and registration has closed: the seed can no longer change."))
    if seed is None:
        seed = f"{secrets.randbelow(10**12):012d}"
    seed = seed.strip()
    if not seed:
        raise ValidationError({"seed": _("Enter the seed drawn at the ceremony.")})
    if len(seed) > SEED_MAX_LENGTH or not seed.isprintable():
        raise ValidationError(
            {"seed": _("The seed must be %(n)s letters, digits or signs at most.") % {"n": SEED_MAX_LENGTH}}
        )
    panel.selection_seed = seed
    panel.seed_published_at = timezone.now()
    panel.save(update_fields=["selection_seed", "seed_published_at"])
    _audit(panel, actor=actor, action="panel.seed", summary=seed, seed=seed)
    return panel


@transaction.atomic
def selection_start(*, panel: Panel, actor: User | None) -> Panel:
    """Queue the selection (``tasks.select_panel``): needs a published seed, registration closed,
    targets, and at least as many people who can be selected as the panel's size."""
    panel = _lock(panel)
    if panel.stage not in (Stage.INVITING, Stage.REGISTERING):
        raise ValidationError(_("The selection has already been made, or the letters have not been drawn."))
    if not panel.selection_seed or panel.seed_published_at is None:
        raise ValidationError(_("Publish the seed before the selection."))
    if timezone.now() < panel.registration_closes:
        raise ValidationError(_("Registration is still open: close it before the selection."))
    if not panel.targets.exists():
        raise ValidationError(_("Set the targets before the selection."))
    pool = selectors.pool_registrants(panel).count()
    if pool < panel.size:
        raise ValidationError(
            _("Only %(pool)s people can be selected, fewer than the panel’s size of %(size)s.")
            % {"pool": pool, "size": panel.size}
        )
    panel.stage = Stage.SELECTING
    panel.progress = PROGRESS_CHECKING
    panel.selection_problem = ""
    panel.save(update_fields=["stage", "progress", "selection_problem"])
    _audit(panel, actor=actor, action="panel.selection_start")
    transaction.on_commit(lambda: _enqueue("select_panel", panel.pk))
    return panel


def _progress(panel: Panel, step: str) -> None:
    Panel.objects.filter(pk=panel.pk).update(progress=step)


def _problem_text(error: InfeasibleQuotas, targets, pool, k: int) -> str:
    """Why no panel meets the targets and the smallest change that would, in words."""
    from .selectors import value_label

    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("No panel of %(k)s people meets all the targets.") % {"k": k}]
        position = {feature: j for j, feature in enumerate(pool.features)}
        for feature in targets.features:
            quotas = targets.values_of(feature)
            low, high = sum(q.min for q in quotas), sum(q.max for q in quotas)
            label = _category_label(feature)
            if low > k:
                lines.append(
                    _("The fewest people of each %(category)s add up to %(n)s, more than %(k)s.")
                    % {"category": label, "n": low, "k": k}
                )
            if high < k:
                lines.append(
                    _("The most people of each %(category)s add up to %(n)s, fewer than %(k)s.")
                    % {"category": label, "n": high, "k": k}
                )
        for quota in targets.quotas:
            j = position[quota.feature]
            available = sum(1 for person in pool.people if person.values[j] == quota.value)
            if available < quota.min:
                lines.append(
                    _(
                        "Only %(n)s people who registered are %(category)s: %(value)s,"
                        " but the target needs at least %(min)s."
                    )
                    % {
                        "n": available,
                        "category": _category_label(quota.feature),
                        "value": value_label(quota.feature, quota.value),
                        "min": quota.min,
                    }
                )
        if len(lines) == 1:
            lines.append(_("The targets cannot all be met together with the rule of one person per household."))
        if error.relaxations:
            lines.append(_("The smallest change to the targets that makes a panel possible:"))
            for r in error.relaxations:
                lines.append(
                    _("%(category)s: %(value)s — from %(old_min)s–%(old_max)s to %(new_min)s–%(new_max)s people.")
                    % {
                        "category": _category_label(r.feature),
                        "value": value_label(r.feature, r.value),
                        "old_min": r.old_min,
                        "old_max": r.old_max,
                        "new_min": r.new_min,
                        "new_max": r.new_max,
                    }
                )
        else:
            lines.append(_("No change to the targets alone makes a panel possible: more people need to register."))
    return "\n".join(lines)


def _read_back(panel: Panel, directory: Path, targets_text: str, pool_text: str):
    """Write the files to publish and read them back with the engine's own readers."""
    targets_path, pool_path = directory / "targets.csv", directory / "pool.csv"
    targets_path.write_bytes(targets_text.encode())
    pool_path.write_bytes(pool_text.encode())
    targets = read_targets(targets_path)
    pool = read_people(pool_path, targets, id_column=ID_COLUMN, household_columns=selectors.household_columns(panel))
    return targets, pool


def _check_feasible(targets, pool, k: int) -> None:
    """Raise the engine's ``InfeasibleQuotas`` (explanation and smallest relaxation) if no panel exists."""
    import numpy as np

    from coproduce.counting.sortition.infeasibility import diagnose
    from coproduce.counting.sortition.panels import PanelOracle, build_instance

    inst = build_instance(targets, pool, k)
    if PanelOracle(inst).best(np.zeros(inst.n_groups)) is None:
        raise diagnose(targets, pool, k)


def selection_run(*, panel: Panel) -> Panel:
    """The selection itself (``tasks.select_panel`` calls it): write the published files, read
    them back with the engine, check the targets can be met, compute the lottery and draw the
    panel with the published seed. Progress is saved as it goes; if the targets cannot be met,
    the explanation is stored and the panel goes back to taking registrations (closed)."""
    panel = Panel.objects.select_related("organisation", "place").get(pk=panel.pk)
    if panel.stage != Stage.SELECTING:
        return panel
    targets_text, pool_text = targets_csv(panel, live=True), pool_csv(panel, live=True)
    _progress(panel, PROGRESS_CHECKING)
    try:
        with tempfile.TemporaryDirectory(prefix="panel-") as directory:
            targets, pool = _read_back(panel, Path(directory), targets_text, pool_text)
        if not 1 <= panel.size <= len(pool.people):
            raise InputError(f"panel size {panel.size} is more than the pool of {len(pool.people)}")
        _check_feasible(targets, pool, panel.size)
        _progress(panel, PROGRESS_COMPUTING)
        result = engine_select(targets, pool, panel.size, algorithm=panel.algorithm, seed=panel.selection_seed)
    except InfeasibleQuotas as error:
        return _selection_failed(panel, _problem_text(error, targets, pool, panel.size))
    except InputError as error:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("The selection could not be made: %(reason)s") % {"reason": error.reason}
        return _selection_failed(panel, text)
    except Exception:
        # Never leave the panel stuck "selecting": the officer can try again.
        with translation.override(settings.LANGUAGE_CODE):
            _selection_failed(panel, _("The selection stopped because of an error on our side. Try again."))
        raise
    _progress(panel, PROGRESS_DRAWING)
    return _selection_store(panel, result, targets, pool, targets_text, pool_text)


@transaction.atomic
def _selection_failed(panel: Panel, problem: str) -> Panel:
    panel = _lock(panel)
    panel.stage = Stage.REGISTERING
    panel.progress = ""
    panel.selection_problem = problem
    panel.save(update_fields=["stage", "progress", "selection_problem"])
    _audit(panel, actor=None, action="panel.selection_infeasible", summary=problem.splitlines()[0][:300])
    return panel


@transaction.atomic
def _selection_store(panel: Panel, result, targets, pool, targets_text: str, pool_text: str) -> Panel:
    panel = _lock(panel)
    bound = result.bound
    panel.result = {
        "engine": ENGINE_VERSION,
        "algorithm": result.algorithm,
        "seed": result.seed,
        "k": result.k,
        "panel": list(result.panel),
        "probabilities": dict(result.probabilities),
        "min_probability": result.min_probability,
        "bound": bound,
        "certified_optimal": bound is not None and bound - result.min_probability <= CERTIFICATE_TOL,
        "pool_sha256": pool.sha256,
        "targets_sha256": targets.sha256,
        "id_column": ID_COLUMN,
        "households": list(pool.household_columns),
        "stats": dict(result.stats),
        # The published files, byte for byte as the engine read them.
        "targets_csv": targets_text,
        "pool_csv": pool_text,
    }
    panel.stage = Stage.SELECTED
    panel.progress = ""
    panel.selection_problem = ""
    panel.selected_at = timezone.now()
    panel.save(update_fields=["result", "stage", "progress", "selection_problem", "selected_at"])
    chosen = set(result.panel)
    probability = dict(result.probabilities)
    registrants = list(Registrant.objects.filter(panel=panel).exclude(status=RegistrantStatus.WITHDRAWN))
    for registrant in registrants:
        registrant.probability = probability.get(registrant.public_id)
        registrant.status = RegistrantStatus.SELECTED if registrant.public_id in chosen else RegistrantStatus.RESERVE
    Registrant.objects.bulk_update(registrants, ["probability", "status"], batch_size=1000)
    _audit(
        panel,
        actor=None,
        action="panel.selection_made",
        summary=f"{len(chosen)} of {len(pool.people)}",
        min_probability=result.min_probability,
    )
    return panel


@transaction.atomic
def selection_publish(*, panel: Panel, actor: User | None) -> Panel:
    """Publish the selection (the audit page and files become public); invite the people selected
    and write to those not selected."""
    panel = _lock(panel)
    if panel.stage != Stage.SELECTED or not panel.result:
        raise ValidationError(_("There is no selection to publish."))
    panel.stage = Stage.PUBLISHED
    panel.published_at = timezone.now()
    panel.save(update_fields=["stage", "published_at"])
    _audit(panel, actor=actor, action="panel.selection_publish")
    transaction.on_commit(lambda: _enqueue("send_selection_invitations", panel.pk))
    transaction.on_commit(lambda: _enqueue("send_not_selected", panel.pk))
    return panel


# After the draw -----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(registrant: Registrant) -> str:
    """A new confirm-or-decline token for ``registrant`` (only its hash is kept)."""
    token = secrets.token_urlsafe(24)
    Registrant.objects.filter(pk=registrant.pk).update(token_hash=token_hash(token))
    registrant.token_hash = token_hash(token)
    return token


@transaction.atomic
def place_respond(*, registrant: Registrant, accept: bool, actor: User | None = None) -> Registrant:
    """A selected person (or an officer for them) takes the place or gives it up."""
    registrant = Registrant.objects.select_for_update().select_related("panel__organisation").get(pk=registrant.pk)
    panel = registrant.panel
    if panel.stage != Stage.PUBLISHED:
        raise ValidationError(_("The selection has not been published."))
    waiting = (RegistrantStatus.SELECTED, RegistrantStatus.REPLACEMENT)
    if accept and registrant.status not in waiting:
        if registrant.status == RegistrantStatus.CONFIRMED:
            raise ValidationError(_("You have already taken your place."))
        raise ValidationError(_("This place is no longer open."))
    if not accept and registrant.status not in (*waiting, RegistrantStatus.CONFIRMED):
        raise ValidationError(_("This place is no longer open."))
    registrant.status = RegistrantStatus.CONFIRMED if accept else RegistrantStatus.DECLINED
    registrant.responded_at = timezone.now()
    registrant.save(update_fields=["status", "responded_at"])
    _audit(
        panel,
        actor=actor,
        action="panel.place_confirm" if accept else "panel.place_decline",
        target=registrant,
        summary=registrant.public_id,
    )
    return registrant


@transaction.atomic
def dropout_replace(*, panel: Panel, actor: User | None, registrant: Registrant) -> list[Registrant]:
    """Replace a member who dropped out (marked declined if not already) from the reserves, with the
    engine's ``replacements`` and the panel's seed: the panel still meets every target. Each
    replacement is emailed an invitation."""
    panel = _lock(panel)
    if panel.stage != Stage.PUBLISHED or not panel.result:
        raise ValidationError(_("Publish the selection before replacing anyone."))
    registrant = Registrant.objects.select_for_update().get(pk=registrant.pk, panel=panel)
    members = set(
        Registrant.objects.filter(panel=panel, status__in=MEMBER_STATUSES).values_list("public_id", flat=True)
    )
    if registrant.status not in (*MEMBER_STATUSES, RegistrantStatus.DECLINED):
        raise ValidationError(_("%(id)s is not on the panel.") % {"id": registrant.public_id})
    if registrant.status == RegistrantStatus.DECLINED and Registrant.objects.filter(replaced=registrant).exists():
        raise ValidationError(_("%(id)s has already been replaced.") % {"id": registrant.public_id})
    gone = registrant.public_id
    # People who have dropped out before (and are not this one) are not asked again.
    out = set(
        Registrant.objects.filter(
            panel=panel, status__in=(RegistrantStatus.DECLINED, RegistrantStatus.WITHDRAWN)
        ).values_list("public_id", flat=True)
    ) - {gone}
    with tempfile.TemporaryDirectory(prefix="panel-") as directory:
        targets, pool = _read_back(panel, Path(directory), panel.result["targets_csv"], panel.result["pool_csv"])
    if gone not in pool.ids:
        raise ValidationError(_("%(id)s was not in the pool of the selection.") % {"id": gone})
    pool = dataclasses.replace(pool, people=tuple(p for p in pool.people if p.id not in out))
    current = sorted(members | {gone})
    try:
        chosen = replacements(targets, pool, panel.size, current, [gone], panel.result["seed"])
    except InputError:
        chosen = ()
    if not chosen:
        raise ValidationError(
            _("Nobody left in the reserves can take this place and keep every target. The place stays empty.")
        )
    if registrant.status != RegistrantStatus.DECLINED:
        registrant.status = RegistrantStatus.DECLINED
        registrant.responded_at = registrant.responded_at or timezone.now()
        registrant.save(update_fields=["status", "responded_at"])
    taken = []
    for public_id in chosen:
        replacement = Registrant.objects.select_for_update().get(panel=panel, public_id=public_id)
        replacement.status = RegistrantStatus.REPLACEMENT
        replacement.replaced = registrant
        replacement.save(update_fields=["status", "replaced"])
        token = token_issue(replacement)
        transaction.on_commit(lambda pk=replacement.pk, token=token: _enqueue("send_replacement", pk, token))
        taken.append(replacement)
    _audit(
        panel,
        actor=actor,
        action="panel.dropout_replace",
        target=registrant,
        summary=f"{gone} → {', '.join(chosen)}",
    )
    return taken


@transaction.atomic
def session_add(
    *,
    panel: Panel,
    actor: User | None,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str,
    access: str = "",
    title_cy: str = "",
) -> Session:
    panel = _lock(panel)
    if not title.strip():
        raise ValidationError({"title": _("Enter a title for the session.")})
    if not venue.strip():
        raise ValidationError({"venue": _("Enter where the session is.")})
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("Enter when the session starts and ends.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    session = Session(
        panel=panel,
        title=title.strip(),
        title_cy=title_cy.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue.strip(),
        access=access.strip(),
    )
    session.full_clean()
    session.save()
    _audit(panel, actor=actor, action="panel.session_add", target=session, summary=session.title)
    return session


@transaction.atomic
def attendance_record(*, session: Session, actor: User | None, attended: dict[int, bool]) -> int:
    """Who came to ``session``: registrant id → came or not (members of the panel only)."""
    panel = _lock(session.panel)
    allowed = set(
        Registrant.objects.filter(panel=panel)
        .filter(status__in=(*MEMBER_STATUSES, RegistrantStatus.DECLINED))
        .values_list("pk", flat=True)
    )
    unknown = set(attended) - allowed
    if unknown:
        raise ValidationError(_("Record attendance only for the panel’s members."))
    rows = [
        Attendance(session=session, registrant_id=pk, attended=bool(came), recorded_by=actor)
        for pk, came in attended.items()
    ]
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "registrant"],
        update_fields=["attended", "recorded_by"],
    )
    _audit(panel, actor=actor, action="panel.attendance", target=session, summary=f"{session.title}: {len(rows)}")
    return len(rows)


@transaction.atomic
def payment_record(
    *,
    registrant: Registrant,
    actor: User | None,
    kind: str,
    amount: int,
    method: str,
    paid_on: datetime.date,
    note: str = "",
) -> Payment:
    """A payment or expenses (``amount`` in pence) to a member of the panel."""
    panel = _lock(registrant.panel)
    registrant = Registrant.objects.get(pk=registrant.pk)
    came = registrant.attendance.filter(attended=True).exists()
    if registrant.status not in MEMBER_STATUSES and not came:
        raise ValidationError(_("Payments are only for the panel’s members."))
    if kind not in PaymentKind.values:
        raise ValidationError({"kind": _("Choose payment or expenses.")})
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how it was paid.")})
    if not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("Enter the amount, in pounds and pence.")})
    if paid_on is None or paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The date paid must be today or in the past.")})
    if len(note) > 300:
        raise ValidationError({"note": _("The note must be 300 characters or fewer.")})
    payment = Payment.objects.create(
        registrant=registrant,
        kind=kind,
        amount=amount,
        method=method,
        paid_on=paid_on,
        note=note.strip(),
        recorded_by=actor,
    )
    _audit(panel, actor=actor, action="panel.payment", target=payment, summary=f"{registrant.public_id}: {amount}p")
    return payment
