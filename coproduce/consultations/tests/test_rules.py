"""Who may create, run and read the equality answers of a consultation."""

import pytest

from coproduce.core.models import RoleKind
from coproduce.core.tests.factories import RoleFactory, UserFactory

from .factories import (
    AnswerFactory,
    ConsultationFactory,
    EventFactory,
    OptionFactory,
    QuestionFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


def test_officers_and_secretaries_manage_and_run_their_organisations_consultations():
    consultation = ConsultationFactory()
    officer = RoleFactory(organisation=consultation.organisation, kind=RoleKind.OFFICER).person
    secretary = RoleFactory(organisation=consultation.organisation, kind=RoleKind.SECRETARY).person
    for user in (officer, secretary):
        assert user.has_perm("consultations.manage", consultation.organisation)
        assert user.has_perm("consultations.run", consultation)
        assert not user.has_perm("consultations.see_equality", consultation)


def test_others_do_not():
    consultation = ConsultationFactory()
    elsewhere = RoleFactory(kind=RoleKind.OFFICER).person
    councillor = RoleFactory(organisation=consultation.organisation, kind=RoleKind.COUNCILLOR).person
    for user in (elsewhere, councillor, UserFactory()):
        assert not user.has_perm("consultations.manage", consultation.organisation)
        assert not user.has_perm("consultations.run", consultation)
        assert not user.has_perm("consultations.see_equality", consultation)


def test_only_the_equalities_role_and_superusers_see_equality():
    consultation = ConsultationFactory()
    equalities = RoleFactory(organisation=consultation.organisation, kind=RoleKind.EQUALITIES).person
    assert equalities.has_perm("consultations.see_equality", consultation)
    assert not equalities.has_perm("consultations.run", consultation)
    other_org = RoleFactory(kind=RoleKind.EQUALITIES).person
    assert not other_org.has_perm("consultations.see_equality", consultation)
    admin = UserFactory(is_superuser=True)
    assert admin.has_perm("consultations.see_equality", consultation)
    assert admin.has_perm("consultations.run", consultation)


def test_factories_build_a_survey():
    answer = AnswerFactory(text="More buses")
    assert answer.question.page.version == answer.response.version
    question = QuestionFactory(kind="single")
    assert [o.label for o in question.options.all()] == ["Yes", "No", "Not sure"]
    assert OptionFactory().question.kind == "short_text"
    registration = RegistrationFactory()
    assert registration.event.capacity == 20
    assert EventFactory().consultation.versions.count() == 1
