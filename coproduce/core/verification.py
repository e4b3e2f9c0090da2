"""How sure the council is that a person lives where they say: levels, method codes and the
small pure helpers the verification services share (letter codes, list keys).

Importing this module loads no model, so the registry can declare the built-in methods with it.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _


class VerificationLevel(models.IntegerChoices):
    """Ordered: eligibility asks for "at least" a level, so a higher number is always surer."""

    NONE = 0, _("Not verified")
    DECLARED = 10, _("Self-declared")
    CONFIRMED = 20, _("Address confirmed")
    CHECKED = 30, _("Checked in person")


# The built-in methods' codes (a plug-in method registers its own code through the registry).
SELF_DECLARED = "self_declared"
LETTER = "letter"
IN_PERSON = "in_person"
RESIDENT_LIST = "resident_list"

# A posted code: 8 characters without look-alikes (no 0/O, 1/I/L), about 39 bits; only its keyed
# hash is stored, it expires and allows few attempts, so guessing it online is hopeless.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_VALID_DAYS = 42
CODE_MAX_ATTEMPTS = 5


def new_letter_code() -> str:
    """A fresh random code, shown as two groups of four: ``K7PQ-3MXA``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_letter_code(value: str) -> str:
    """What the person typed, compared as the letter prints it: case, spaces and dashes ignored."""
    compact = re.sub(r"[\s\-]+", "", value or "").upper()
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == CODE_LENGTH else compact


def hash_letter_code(code: str) -> str:
    """Keyed hash (HMAC with the site's secret key): a copy of the database alone cannot reverse it."""
    return salted_hmac("coproduce.core.letter-code", normalise_letter_code(code), algorithm="sha256").hexdigest()


def letter_code_matches(code: str, code_hash: str) -> bool:
    return bool(code_hash) and constant_time_compare(hash_letter_code(code), code_hash)


def normalise_name(value: str) -> str:
    """A name reduced to what survives retyping: no accents, case, punctuation or extra spaces.

    "Siân  O'Brien-Jones" and "SIAN OBRIEN JONES" both become "sian obrien jones".
    """
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    plain = re.sub(r"['’`]", "", plain)
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def resident_list_key(name: str, postcode: str) -> str:
    """The only thing kept from a row of an uploaded list: a keyed hash of name and postcode.

    The list can then answer "is this person on it?" and nothing else: it cannot be read back.
    """
    compact_postcode = re.sub(r"\s+", "", postcode or "").upper()
    value = f"{normalise_name(name)}|{compact_postcode}"
    return salted_hmac("coproduce.core.resident-list", value, algorithm="sha256").hexdigest()
