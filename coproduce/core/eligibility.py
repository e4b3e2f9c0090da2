"""Eligibility: "may this person take part in this activity on this day?" — one function for every activity.

An activity states its ``Requirement`` (where people must live, how surely verified, ages on a
date, membership of an organisation with voting rights) and asks ``check(person, requirement)``.
The ``Answer`` is truthy when the person may take part; when not, its ``reason`` is the
sentence to show them, in the language of the request.

Membership is answered by the ``members`` app through ``register_membership_check`` (the core
never imports it). With no check registered, a membership requirement is refused: fail closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Organisation, Place, PlaceKind, User
from .verification import VerificationLevel

# check(*, person, organisation, on) -> None when the person is a voting member that day, else the reason.
MembershipCheck = Callable[..., str | None]

_membership_check: MembershipCheck | None = None


def register_membership_check(check: MembershipCheck | None) -> None:
    """Install the function that says whether a person is a voting member of an organisation on a day.

    The ``members`` app calls this from its ``AppConfig.ready()``; tests may install a fake
    (and ``None`` removes it).
    """
    global _membership_check  # one hook, set once at start-up
    _membership_check = check


@dataclass(frozen=True)
class Requirement:
    """Who may take part. Every condition given must hold; ``None`` means "no condition".

    ``place`` is a council area, district or ward: a person qualifies when their ward is that
    place or lies within it. Ages are whole years on the day asked about (``min_age=16,
    max_age=25`` admits people from their 16th birthday until the day before their 26th).
    """

    place: Place | None = None
    min_level: int = VerificationLevel.NONE
    min_age: int | None = None
    max_age: int | None = None
    member_of: Organisation | None = None

    def __post_init__(self) -> None:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age is greater than max_age")


@dataclass(frozen=True)
class Answer:
    """Yes or no, and the reason shown to a person who may not take part (empty when allowed)."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


YES = Answer(True)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on ``day``. Someone born on 29 February turns a year older on 1 March in
    other years (as UK law counts it)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def check(person: User, requirement: Requirement, *, on: date | None = None) -> Answer:
    """May ``person`` take part in an activity with ``requirement`` on ``on`` (default: today)?

    Conditions are checked in the order a person can act on them: account, address, verification,
    age, membership; the first that fails gives the reason.
    """
    on = on or timezone.localdate()
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return Answer(False, _("You need to sign in to take part."))
    if requirement.place is not None:
        answer = _check_place(person, requirement.place)
        if not answer:
            return answer
    if person.verification_level < requirement.min_level:
        return Answer(
            False,
            _("You need to confirm your address before you can take part (at least: %(level)s).")
            % {"level": VerificationLevel(requirement.min_level).label},
        )
    if requirement.min_age is not None or requirement.max_age is not None:
        answer = _check_age(person, requirement, on)
        if not answer:
            return answer
    if requirement.member_of is not None:
        if _membership_check is None:
            return Answer(False, _("Membership cannot be checked at the moment, so you cannot take part yet."))
        reason = _membership_check(person=person, organisation=requirement.member_of, on=on)
        if reason is not None:
            return Answer(False, str(reason))
    return YES


def _check_place(person: User, place: Place) -> Answer:
    name = place.localised_name(translation.get_language())
    if person.ward_id is None:
        return Answer(False, _("Give your address so that we can check you live in %(place)s.") % {"place": name})
    ward = person.ward
    if ward.pk == place.pk or ward.path.startswith(place.path + "/"):
        return YES
    if place.kind == PlaceKind.WARD:
        return Answer(False, _("This is for people who live in %(place)s ward.") % {"place": name})
    return Answer(False, _("This is for people who live in %(place)s.") % {"place": name})


def _check_age(person: User, requirement: Requirement, on: date) -> Answer:
    if person.date_of_birth is None:
        return Answer(False, _("Give your date of birth so that we can check your age."))
    age = age_on(person.date_of_birth, on)
    day = on.strftime("%d/%m/%Y")
    if requirement.min_age is not None and age < requirement.min_age:
        return Answer(
            False,
            _("You need to be %(age)d or older on %(date)s to take part.") % {"age": requirement.min_age, "date": day},
        )
    if requirement.max_age is not None and age > requirement.max_age:
        return Answer(
            False,
            _("This is for people aged %(age)d or younger on %(date)s.") % {"age": requirement.max_age, "date": day},
        )
    return YES
