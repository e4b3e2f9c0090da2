"""What consultations put on a person's home and on the organisation's workspace: an open consultation
near them they have not answered, events they registered for soon, and what the officers'
consultations need; in a fixed number of queries; and every audit action the services write has its words."""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.consultations import workspaces
from coproduce.consultations.models import (
    Audience,
    QuestionKind,
    RegistrationStatus,
    Stage,
)
from coproduce.consultations.tests.factories import (
    AnswerFactory,
    AnswerTagFactory,
    ConsultationFactory,
    EventFactory,
    PageFactory,
    QuestionFactory,
    RegistrationFactory,
    ResponseFactory,
    current_version,
)
from coproduce.core.models import OrganisationKind, PlaceKind, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def borough():
    return PlaceFactory(code="X06000094", name="Kingsmere", kind=PlaceKind.COUNCIL_AREA)


@pytest.fixture
def elmwood(borough):
    return PlaceFactory(code="X05000094", name="Elmwood", parent=borough)


@pytest.fixture
def ironbridge(borough):
    return PlaceFactory(code="X05000095", name="Ironbridge", parent=borough)


@pytest.fixture
def council(borough):
    return OrganisationFactory(kind=OrganisationKind.COUNCIL, slug="kingsmere", area=borough)


@pytest.fixture
def officer(council):
    return RoleFactory(organisation=council, kind=RoleKind.OFFICER).person


@pytest.fixture
def resident(elmwood):
    return UserFactory(ward=elmwood)


def _labels(items) -> list[str]:
    return [str(item.label) for item in items]


def test_a_resident_is_told_of_open_consultations_about_where_they_live_until_they_answer(
    council, borough, elmwood, ironbridge, resident
):
    borough_wide = ConsultationFactory(organisation=council, place=borough, title="Becoming a co-operative council")
    ward = ConsultationFactory(organisation=council, place=elmwood, title="Elmwood Park")
    ConsultationFactory(organisation=council, place=ironbridge, title="Another ward")
    ConsultationFactory(organisation=council, place=borough, title="Closed", closed=True)
    ConsultationFactory(organisation=council, place=borough, title="Coming", upcoming=True)
    ConsultationFactory(organisation=council, place=borough, title="A draft", draft=True)
    ConsultationFactory(organisation=council, place=borough, title="Members only", audience=Audience.MEMBERS)
    hidden = OrganisationFactory(is_public=False)
    ConsultationFactory(organisation=hidden, place=borough, title="Unlisted")

    items = workspaces.home_items(resident)
    # The one closing first comes first (the borough's, made first, closes a moment earlier).
    assert _labels(items) == ["Have your say: Becoming a co-operative council", "Have your say: Elmwood Park"]
    assert {item.url for item in items} == {f"/consultations/{borough_wide.pk}/", f"/consultations/{ward.pk}/"}
    assert not any(item.urgent for item in items)

    # Saved and not sent: finish it (urgent). Sent: nothing more to do.
    ResponseFactory(consultation=borough_wide, person=resident, draft=True)
    ResponseFactory(consultation=ward, person=resident)
    (item,) = workspaces.home_items(resident)
    assert str(item.label) == "Finish your response to Becoming a co-operative council" and item.urgent
    assert item.url == f"/consultations/{borough_wide.pk}/respond/"


def test_nobody_signed_out_or_without_a_ward_is_told_of_consultations(council, borough):
    from django.contrib.auth.models import AnonymousUser

    ConsultationFactory(organisation=council, place=borough)
    assert workspaces.home_items(AnonymousUser()) == []
    assert workspaces.home_items(UserFactory(ward=None)) == []


def test_events_a_person_registered_for_in_the_next_fortnight(council, borough):
    person = UserFactory(ward=None)
    consultation = ConsultationFactory(organisation=council, place=borough)
    soon = EventFactory(consultation=consultation, title="Road show: Elmwood", venue="Elmwood Library")
    full = EventFactory(consultation=consultation, title="Focus group", starts_at=timezone.now() + 5 * DAY)
    later = EventFactory(consultation=consultation, title="Later", starts_at=timezone.now() + 20 * DAY)
    called_off = EventFactory(consultation=consultation, title="Called off", cancelled_at=timezone.now())
    past = EventFactory(consultation=consultation, title="Past", starts_at=timezone.now() - 2 * DAY)
    RegistrationFactory(event=soon, person=person, email=person.email)
    RegistrationFactory(event=full, person=person, email=person.email, status=RegistrationStatus.WAITING)
    for event in (later, called_off, past):
        RegistrationFactory(event=event, person=person, email=person.email)
    cancelled = EventFactory(consultation=consultation, title="I cancelled")
    RegistrationFactory(event=cancelled, person=person, email=person.email, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=soon)  # someone else's

    items = workspaces.home_items(person)
    assert _labels(items) == ["You are going to Road show: Elmwood", "On the waiting list: Focus group"]
    assert items[0].url == f"/consultations/{consultation.pk}/events/{soon.pk}/"
    assert "Elmwood Library" in str(items[0].hint)


def _with_text_answers(consultation, *, tagged: int, untagged: int):
    question = QuestionFactory(page=PageFactory(version=current_version(consultation)), kind=QuestionKind.LONG_TEXT)
    for number in range(tagged + untagged):
        answer = AnswerFactory(response=ResponseFactory(consultation=consultation), question=question, text="Words")
        if number < tagged:
            AnswerTagFactory(answer=answer, theme__consultation=consultation)


def test_the_workspace_lists_the_organisations_consultations_with_counts_and_what_they_need(council, borough, officer):
    draft = ConsultationFactory(organisation=council, place=borough, title="Climate plan", draft=True)
    open_one = ConsultationFactory(organisation=council, place=borough, title="Co-operative council")
    _with_text_answers(open_one, tagged=2, untagged=3)
    closed = ConsultationFactory(organisation=council, place=borough, title="Libraries", closed=True)
    ResponseFactory(consultation=closed)
    ResponseFactory(consultation=open_one, draft=True)  # not sent: not counted
    now = timezone.now()
    ConsultationFactory(
        organisation=council,
        place=borough,
        title="Long done",
        closed=True,
        stage=Stage.FEEDBACK,
        feedback_published_at=now - 200 * DAY,
    )
    ConsultationFactory(place=borough, title="Another council's")

    items = workspaces.workspace_items(officer, council)
    by_label = {str(item.label): item for item in items}
    assert set(by_label) == {"Climate plan", "Co-operative council", "Libraries", "Consultations"}
    assert _labels(items)[-1] == "Consultations" and items[-1].url == "/consultations/manage/kingsmere/"
    assert by_label["Climate plan"].url == f"/consultations/{draft.pk}/manage/"
    assert "Finish the survey and publish" in str(by_label["Climate plan"].hint)
    hint = str(by_label["Co-operative council"].hint)
    assert "5 responses" in hint and "3 text answers to tag with themes" in hint
    assert by_label["Co-operative council"].count == 3 and not by_label["Co-operative council"].urgent
    assert "1 response" in str(by_label["Libraries"].hint) and "you said, we did" in str(by_label["Libraries"].hint)
    assert by_label["Libraries"].urgent and by_label["Libraries"].url == f"/consultations/{closed.pk}/manage/"


def test_people_without_an_officer_role_get_nothing_on_the_workspace(council, borough, resident):
    ConsultationFactory(organisation=council, place=borough)
    assert workspaces.workspace_items(resident, council) == []
    equalities = RoleFactory(organisation=council, kind=RoleKind.EQUALITIES).person
    assert workspaces.workspace_items(equalities, council) == []


def test_officers_are_told_at_home_what_their_consultations_need(council, borough, officer):
    closed = ConsultationFactory(organisation=council, place=borough, title="Libraries", closed=True)
    ConsultationFactory(organisation=council, place=borough, title="Quiet")  # open, nothing to tag
    items = workspaces.home_items(officer)
    (item,) = [item for item in items if "Libraries" in str(item.label)]
    assert "you said, we did" in str(item.label) and item.urgent
    assert item.url == f"/consultations/{closed.pk}/manage/"
    assert not any("Quiet" in label for label in _labels(items))


def _queries(function, *args) -> int:
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)


def test_home_and_workspace_take_a_fixed_number_of_queries(council, borough, elmwood, officer):
    officer.ward = elmwood
    officer.save()

    def add(number: int) -> None:
        for _ in range(number):
            consultation = ConsultationFactory(organisation=council, place=borough)
            _with_text_answers(consultation, tagged=1, untagged=1)
            ResponseFactory(consultation=consultation, person=officer, draft=True)
            RegistrationFactory(event=EventFactory(consultation=consultation), person=officer)
            ConsultationFactory(organisation=council, place=borough, closed=True)

    add(1)
    officer.refresh_from_db()
    home, workspace = _queries(workspaces.home_items, officer), _queries(workspaces.workspace_items, officer, council)
    assert len(workspaces.home_items(officer)) == 1 + 1 + 2
    add(4)
    officer.refresh_from_db()  # the ward is read again, as on the first count
    assert _queries(workspaces.home_items, officer) == home
    assert _queries(workspaces.workspace_items, officer, council) == workspace
    assert len(workspaces.home_items(officer)) == 5 + 5 + 10


def test_every_audit_action_has_words():
    root = pathlib.Path(__file__).resolve().parents[1]
    text = (root / "services.py").read_text()
    codes = set(re.findall(r'action="(consultation\.[a-z_]+)"', text))
    codes |= set(re.findall(r'"(consultation\.[a-z_]+)"', text))
    assert {"consultation.create", "consultation.publish"} <= codes
    assert codes <= set(workspaces.AUDIT_ACTIONS), sorted(codes - set(workspaces.AUDIT_ACTIONS))
