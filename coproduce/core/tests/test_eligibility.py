"""Eligibility as a table: each row a person, a requirement, a day, and the expected answer."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from coproduce.core import eligibility
from coproduce.core.eligibility import Answer, Requirement, age_on, check
from coproduce.core.models import PlaceKind
from coproduce.core.verification import VerificationLevel

from .factories import OrganisationFactory, PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2027, 5, 6)


@pytest.fixture
def places():
    borough = PlaceFactory(code="B1", name="Kingsmere", kind=PlaceKind.COUNCIL_AREA)
    north = PlaceFactory(code="D1", name="Kingsmere North", kind=PlaceKind.DISTRICT, parent=borough)
    south = PlaceFactory(code="D2", name="Kingsmere South", kind=PlaceKind.DISTRICT, parent=borough)
    return {
        "borough": borough,
        "north": north,
        "south": south,
        "ashby": PlaceFactory(code="W1", name="Ashby Green", parent=north),
        "brook": PlaceFactory(code="W2", name="Brookfield", parent=north),
        "lowfield": PlaceFactory(code="W3", name="Lowfield", parent=south),
        "elsewhere": PlaceFactory(code="W9", name="Elsewhere"),
    }


@pytest.fixture
def trust():
    return OrganisationFactory(name="Kingsmere Leisure Trust")


@pytest.fixture
def members_of_trust(trust):
    """A fake membership check, as the members app would register it: only "member" people vote."""

    def membership(*, person, organisation, on):
        assert organisation == trust and on == DAY
        return None if person.full_name.startswith("Member") else "You are not a voting member of this trust."

    eligibility.register_membership_check(membership)
    yield
    eligibility.register_membership_check(None)


def person(places, *, ward="ashby", level=VerificationLevel.CONFIRMED, born=date(1990, 1, 1), name="Member Mo"):
    return UserFactory(
        full_name=name,
        ward=places[ward] if ward else None,
        verification_level=level,
        date_of_birth=born,
    )


# (case, person's attributes, requirement's attributes, allowed, words in the reason)
CASES = [
    ("no requirement", {}, {}, True, ""),
    ("lives in the ward", {}, {"place": "ashby"}, True, ""),
    ("lives in the district", {}, {"place": "north"}, True, ""),
    ("lives in the borough", {"ward": "lowfield"}, {"place": "borough"}, True, ""),
    ("wrong ward", {"ward": "brook"}, {"place": "ashby"}, False, "live in Ashby Green ward"),
    ("wrong district", {"ward": "lowfield"}, {"place": "north"}, False, "live in Kingsmere North"),
    ("outside the borough", {"ward": "elsewhere"}, {"place": "borough"}, False, "live in Kingsmere"),
    ("no address", {"ward": None}, {"place": "ashby"}, False, "Give your address"),
    ("unverified", {"level": VerificationLevel.NONE}, {"min_level": VerificationLevel.DECLARED}, False, "confirm"),
    (
        "declared, confirmed needed",
        {"level": VerificationLevel.DECLARED},
        {"min_level": VerificationLevel.CONFIRMED},
        False,
        "Address confirmed",
    ),
    ("checked in person suffices", {"level": VerificationLevel.CHECKED}, {"min_level": 20}, True, ""),
    ("missing date of birth", {"born": None}, {"min_age": 16}, False, "date of birth"),
    ("too young", {"born": date(2011, 5, 7)}, {"min_age": 16}, False, "16 or older on 06/05/2027"),
    ("16 on the day", {"born": date(2011, 5, 6)}, {"min_age": 16}, True, ""),
    ("too old", {"born": date(2001, 5, 6)}, {"min_age": 11, "max_age": 25}, False, "25 or younger"),
    ("25 until the day before 26", {"born": date(2001, 5, 7)}, {"min_age": 11, "max_age": 25}, True, ""),
    ("member", {}, {"member_of": True}, True, ""),
    ("not a member", {"name": "Nia Nonmember"}, {"member_of": True}, False, "not a voting member"),
    (
        "the first failing condition is the one explained",
        {"ward": "brook", "level": VerificationLevel.NONE, "born": None},
        {"place": "ashby", "min_level": 20, "min_age": 16},
        False,
        "Ashby Green",
    ),
    (
        "all at once",
        {"ward": "brook", "born": date(2010, 1, 1)},
        {"place": "north", "min_level": 20, "min_age": 11, "max_age": 18, "member_of": True},
        True,
        "",
    ),
]


@pytest.mark.parametrize(
    ("person_attrs", "requirement_attrs", "allowed", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_eligibility(places, trust, members_of_trust, person_attrs, requirement_attrs, allowed, reason):
    attrs = dict(requirement_attrs)
    if "place" in attrs:
        attrs["place"] = places[attrs["place"]]
    if attrs.get("member_of"):
        attrs["member_of"] = trust
    answer = check(person(places, **person_attrs), Requirement(**attrs), on=DAY)
    assert answer.allowed is allowed
    assert bool(answer) is allowed  # an Answer is falsy when not allowed
    if allowed:
        assert answer.reason == ""
    else:
        assert reason in answer.reason


def test_membership_required_with_no_check_registered_is_refused(places, trust):
    eligibility.register_membership_check(None)
    answer = check(person(places), Requirement(member_of=trust), on=DAY)
    assert not answer
    assert "Membership cannot be checked" in answer.reason


def test_anonymous_and_closed_accounts_are_refused(places):
    assert check(AnonymousUser(), Requirement()) == Answer(False, "You need to sign in to take part.")
    closed = person(places)
    closed.is_active = False
    assert not check(closed, Requirement())


def test_the_reason_is_in_the_language_of_the_request_and_uses_the_welsh_place_name(places):
    places["ashby"].name_cy = "Grîn Ashby"
    places["ashby"].save()
    with translation.override("cy"):
        answer = check(person(places, ward="brook"), Requirement(place=places["ashby"]), on=DAY)
    assert "Grîn Ashby" in answer.reason


def test_requirement_refuses_an_impossible_age_range():
    with pytest.raises(ValueError, match="min_age"):
        Requirement(min_age=30, max_age=18)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # a leap-day birthday falls on 1 March in other years
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2000, 12, 31), date(2001, 12, 30), 0),
    ],
)
def test_age_on(born, on, age):
    assert age_on(born, on) == age
