"""The equality question bank: one set of standard questions every app asks the same way.

The categories follow the ONS 2021 census for England and Wales (the high-level groups its
ward tables publish), so that who answered a consultation or registered for a panel can be
compared with the place's population. Every question also offers "Prefer not to say"; none is
ever required. Answers are stored by each app apart from what they describe, and shown only in
aggregate, with any group smaller than ``SUPPRESS_BELOW`` hidden (``suppress``).

Pure data and arithmetic, no database: apps store answers as (question key, category key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PREFER_NOT_TO_SAY = "prefer_not_to_say"
# Groups with fewer people than this are never shown (nor can they be worked out from totals).
SUPPRESS_BELOW = 10


@dataclass(frozen=True)
class Category:
    key: str
    label: str | Promise


@dataclass(frozen=True)
class Question:
    key: str
    label: str | Promise
    categories: tuple[Category, ...]
    hint: str | Promise = ""

    def choices(self) -> list[tuple[str, str | Promise]]:
        """The categories and "Prefer not to say", as form choices."""
        return [(c.key, c.label) for c in self.categories] + [(PREFER_NOT_TO_SAY, _("Prefer not to say"))]

    def label_of(self, key: str) -> str | Promise:
        return dict(self.choices()).get(key, key)

    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.categories)


def _q(key: str, label, categories: Iterable[tuple[str, object]], hint="") -> Question:
    return Question(key=key, label=label, categories=tuple(Category(k, v) for k, v in categories), hint=hint)


BANK: tuple[Question, ...] = (
    _q(
        "age_band",
        _("Age"),
        [
            ("16_24", _("16 to 24")),
            ("25_34", _("25 to 34")),
            ("35_44", _("35 to 44")),
            ("45_54", _("45 to 54")),
            ("55_64", _("55 to 64")),
            ("65_74", _("65 to 74")),
            ("75_plus", _("75 or over")),
        ],
    ),
    _q("sex", _("Sex"), [("female", _("Female")), ("male", _("Male"))]),
    _q(
        "gender_identity",
        _("Is the gender you identify with the same as your sex registered at birth?"),
        [("same", _("Yes")), ("different", _("No"))],
    ),
    _q(
        "sexual_orientation",
        _("Sexual orientation"),
        [
            ("straight", _("Straight or heterosexual")),
            ("gay_lesbian", _("Gay or lesbian")),
            ("bisexual", _("Bisexual")),
            ("other", _("Another sexual orientation")),
        ],
    ),
    _q(
        "ethnicity",
        _("Ethnic group"),
        [
            ("asian", _("Asian, Asian British or Asian Welsh")),
            ("black", _("Black, Black British, Black Welsh, Caribbean or African")),
            ("mixed", _("Mixed or multiple ethnic groups")),
            ("white", _("White")),
            ("other", _("Another ethnic group")),
        ],
    ),
    _q(
        "religion",
        _("Religion"),
        [
            ("none", _("No religion")),
            ("christian", _("Christian")),
            ("buddhist", _("Buddhist")),
            ("hindu", _("Hindu")),
            ("jewish", _("Jewish")),
            ("muslim", _("Muslim")),
            ("sikh", _("Sikh")),
            ("other", _("Another religion")),
        ],
    ),
    _q(
        "disability",
        _(
            "Do you have a physical or mental health condition or illness lasting or expected to last 12 months"
            " or more?"
        ),
        [
            ("limited_a_lot", _("Yes, and it reduces my ability to carry out day-to-day activities a lot")),
            ("limited_a_little", _("Yes, and it reduces my ability to carry out day-to-day activities a little")),
            ("not_disabled", _("No, or it does not reduce my ability to carry out day-to-day activities")),
        ],
    ),
    _q(
        "tenure",
        _("Your home"),
        [
            ("owned", _("Owned outright, with a mortgage or in shared ownership")),
            ("social_rented", _("Rented from the council or a housing association or co-op")),
            ("private_rented", _("Rented privately, or lived in rent free")),
        ],
    ),
    _q(
        "unpaid_care",
        _("Do you look after or support anyone because of their long-term health, disability or old age?"),
        [
            ("no", _("No")),
            ("up_to_19", _("Yes, up to 19 hours a week")),
            ("20_plus", _("Yes, 20 hours a week or more")),
        ],
    ),
    _q(
        "welsh_language",
        _("Can you understand, speak, read or write Welsh?"),
        [("yes", _("Yes")), ("no", _("No"))],
    ),
)

_BY_KEY = {question.key: question for question in BANK}


def question(key: str) -> Question:
    """The bank's question ``key`` (KeyError for one that is not in the bank)."""
    return _BY_KEY[key]


def questions(keys: Iterable[str] | None = None) -> tuple[Question, ...]:
    """The bank's questions, in bank order; only ``keys`` when given."""
    if keys is None:
        return BANK
    wanted = set(keys)
    return tuple(q for q in BANK if q.key in wanted)


def is_answer(question_key: str, category: str) -> bool:
    """Whether ``category`` is an answer the bank accepts for ``question_key`` (prefer not to say included)."""
    q = _BY_KEY.get(question_key)
    return q is not None and (category == PREFER_NOT_TO_SAY or category in q.keys())  # noqa: SIM118 (Question.keys, not a dict)


@dataclass(frozen=True)
class Row:
    """One group in an aggregate: its count, or ``None`` where it is suppressed."""

    key: str
    label: str | Promise
    count: int | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


def suppress(question_key: str, counts: Mapping[str, int], *, threshold: int = SUPPRESS_BELOW) -> tuple[Row, ...]:
    """The groups of ``question_key`` with their counts, small groups suppressed.

    A group under ``threshold`` (but above 0) is hidden. If exactly one group is hidden, the
    next-smallest shown group is hidden too, so that no hidden number can be worked out by
    taking the others from a published total. "Prefer not to say" is a group like the others.
    """
    q = _BY_KEY[question_key]
    keys = [key for key, _label in q.choices()]
    hidden = {key for key in keys if 0 < counts.get(key, 0) < threshold}
    if len(hidden) == 1:
        shown = sorted((counts.get(key, 0), key) for key in keys if key not in hidden and counts.get(key, 0) > 0)
        if shown:
            hidden.add(shown[0][1])
    return tuple(Row(key, q.label_of(key), None if key in hidden else counts.get(key, 0)) for key in keys)


def share(part: int | None, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (one decimal place), ``None`` if either is unknown or zero."""
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)
