"""Fixes found reviewing the consultations app: each test fails without its fix."""

from __future__ import annotations

import pytest

from coproduce.consultations.models import Answer, QuestionKind, Response
from coproduce.consultations.tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    PageFactory,
    QuestionFactory,
    ResponseFactory,
    current_version,
)
from coproduce.core.models import Role, RoleKind
from coproduce.core.tests.factories import UserFactory, sign_in_with_mfa
from coproduce.core.tests.residents import CouncilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory(name="Kingsmere Borough Council", slug="kingsmere")


@pytest.fixture
def consultation(council):
    return ConsultationFactory(organisation=council, place=council.area, title="Becoming a co-operative council")


@pytest.fixture
def officer(client, council):
    person = UserFactory()
    Role.objects.create(person=person, organisation=council, kind=RoleKind.OFFICER)
    sign_in_with_mfa(client, person)
    return person


def test_publishing_a_response_with_a_nul_character_in_the_redaction_is_no_500(client, officer, consultation):
    """PostgreSQL refuses text holding NUL characters: the redaction typed (or pasted) by an officer
    goes to the database without a form, so it is cleaned of them first."""
    page = PageFactory(version=current_version(consultation))
    question = QuestionFactory(page=page, kind=QuestionKind.LONG_TEXT)
    response = ResponseFactory(consultation=consultation, publish_consent=True)
    answer = AnswerFactory(response=response, question=question, text="I live at 3 High Street and I agree.")
    reply = client.post(
        f"/consultations/{consultation.pk}/manage/publishing/",
        {"action": "publish", "response": str(response.pk), f"public_{answer.pk}": "I agree.\x00"},
    )
    assert reply.status_code == 302
    assert Answer.objects.get(pk=answer.pk).public_text == "I agree."
    assert Response.objects.get(pk=response.pk).published_at is not None


def test_the_xlsx_export_takes_an_answer_holding_a_control_character(client, officer, consultation):
    """A resident's answer may hold a control character (pasted from elsewhere) that a form lets
    through but a spreadsheet cannot hold: the export leaves it out rather than failing."""
    page = PageFactory(version=current_version(consultation))
    question = QuestionFactory(page=page, kind=QuestionKind.LONG_TEXT)
    response = ResponseFactory(consultation=consultation)
    AnswerFactory(response=response, question=question, text="More buses\x0b please\x1b")
    reply = client.get(f"/consultations/{consultation.pk}/manage/responses.xlsx")
    assert reply.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(b"".join(reply.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][-1] == "More buses please"


def test_a_saved_response_comes_back_after_the_page_it_reached_was_removed(client, consultation):
    """Nobody has sent a response yet, so the survey can still change: a resident whose saved
    response reached a page the officer has since removed carries on from the last page, not a 404."""
    from coproduce.consultations import services
    from coproduce.consultations.tests.factories import token_hash

    version = current_version(consultation)
    first = PageFactory(version=version, order=1)
    second = PageFactory(version=version, order=2)
    QuestionFactory(page=first, kind=QuestionKind.SHORT_TEXT)
    QuestionFactory(page=second, kind=QuestionKind.SHORT_TEXT)
    ResponseFactory(consultation=consultation, draft=True, page_reached=2, resume_token_hash=token_hash("saved-token"))
    officer = UserFactory()
    Role.objects.create(person=officer, organisation=consultation.organisation, kind=RoleKind.OFFICER)
    services.page_remove(page=second, actor=officer)

    reply = client.get(f"/consultations/{consultation.pk}/respond/resume/saved-token/", follow=True)
    assert reply.status_code == 200
    assert reply.redirect_chain[-1][0] == f"/consultations/{consultation.pk}/respond/1/"


def test_a_place_is_not_cancelled_once_the_event_has_started(client):
    """The page offers Cancel only before the event starts; a page left open (or posted again) after
    that changes nothing, so the attendance the officer recorded stays."""
    import datetime

    from django.utils import timezone

    from coproduce.consultations.models import Registration, RegistrationStatus
    from coproduce.consultations.tests.factories import EventFactory, RegistrationFactory, token_hash

    started = timezone.now() - datetime.timedelta(hours=3)
    event = EventFactory(starts_at=started, ends_at=started + datetime.timedelta(hours=2))
    registration = RegistrationFactory(event=event, token_hash=token_hash("place-token"), attended=True)
    reply = client.post("/consultations/registrations/place-token/")
    assert reply.status_code == 302
    registration = Registration.objects.get(pk=registration.pk)
    assert registration.status == RegistrationStatus.BOOKED
    assert registration.attended is True


def test_the_xlsx_exports_sheet_is_named_in_the_officers_language(client, officer, consultation):
    from io import BytesIO

    from openpyxl import load_workbook

    ResponseFactory(consultation=consultation)
    reply = client.get(f"/cy/consultations/{consultation.pk}/manage/responses.xlsx")
    assert reply.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(reply.streaming_content)))
    assert workbook.sheetnames == ["Ymatebion"]


def test_a_published_response_shows_no_date_or_place_answer(client, consultation):
    """Officers redact only written answers: a date (a birthday?) and where someone lives could name them,
    so neither is ever published."""
    from django.utils import timezone

    from coproduce.core.tests.factories import PlaceFactory

    page = PageFactory(version=current_version(consultation))
    born = QuestionFactory(page=page, kind=QuestionKind.DATE, text="When were you born?")
    lives = QuestionFactory(page=page, kind=QuestionKind.PLACE, text="Where do you live?")
    said = QuestionFactory(page=page, kind=QuestionKind.LONG_TEXT, text="What do you think?")
    response = ResponseFactory(consultation=consultation, publish_consent=True, published_at=timezone.now())
    AnswerFactory(response=response, question=born, text="1961-03-14")
    AnswerFactory(response=response, question=lives, place=PlaceFactory(name="Ironbridge"))
    AnswerFactory(response=response, question=said, text="Yes please, Ann", public_text="Yes please, [name]")
    type(consultation).objects.filter(pk=consultation.pk).update(closes_at=timezone.now())
    shown = client.get(f"/consultations/{consultation.pk}/responses/").text
    assert "Yes please, [name]" in shown and "Ann" not in shown
    assert "When were you born?" not in shown and "1961" not in shown and "14 March" not in shown
    assert "Where do you live?" not in shown and "Ironbridge" not in shown
