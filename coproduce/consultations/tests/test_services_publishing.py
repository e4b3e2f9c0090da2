"""Publishing responses after redaction, and "you said, we did" emailed once to those who asked."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from coproduce.consultations import selectors, services
from coproduce.consultations.models import Consultation, QuestionKind, Stage
from coproduce.core.tests.factories import UserFactory

from .factories import AnswerFactory, AnswerTagFactory, ConsultationFactory, ResponseFactory, ThemeFactory, dates

pytestmark = pytest.mark.django_db


def test_a_response_is_published_only_with_consent_and_once_each_text_is_reviewed():
    consultation = ConsultationFactory(closed=True)
    officer = UserFactory()
    agreed = ResponseFactory(consultation=consultation, publish_consent=True)
    answer = AnswerFactory(response=agreed, text="I live at 4 Mill Lane and want more buses")
    AnswerFactory(response=agreed, question=answer.question, text="")  # empty answers need no review
    refused = ResponseFactory(consultation=consultation, publish_consent=False)
    with pytest.raises(ValidationError, match="did not agree"):
        services.response_publish(response=refused, actor=officer)
    with pytest.raises(ValidationError, match="did not agree"):
        services.answer_redact(answer=AnswerFactory(response=refused), actor=officer, public_text="x")
    with pytest.raises(ValidationError, match="Review each written answer"):
        services.response_publish(response=agreed, actor=officer)
    services.answer_redact(answer=answer, actor=officer, public_text="I live at [address] and want more buses")
    services.response_publish(response=agreed, actor=officer)
    assert list(selectors.published_responses(consultation)) == [agreed]
    published = selectors.published_responses(consultation).get()
    texts = [a.public_text for a in published.answers.all() if a.text]
    assert texts == ["I live at [address] and want more buses"]
    services.response_unpublish(response=agreed, actor=officer)
    assert not selectors.published_responses(consultation).exists()
    assert list(selectors.publishable_responses(consultation)) == [agreed]


def test_feedback_needs_the_close_words_and_every_tagged_theme_considered(django_capture_on_commit_callbacks):
    consultation = ConsultationFactory()
    officer = UserFactory()
    with pytest.raises(ValidationError, match="once the consultation has closed"):
        services.feedback_publish(consultation=consultation, actor=officer)
    Consultation.objects.filter(pk=consultation.pk).update(**dates("closed"))
    with pytest.raises(ValidationError, match="Write what people said"):
        services.feedback_publish(consultation=consultation, actor=officer)
    services.feedback_save(consultation=consultation, actor=officer, said="More buses", decision="Two new routes")
    tagged = ThemeFactory(consultation=consultation, name="Buses")
    AnswerTagFactory(theme=tagged, answer=AnswerFactory(response=ResponseFactory(consultation=consultation)))
    ThemeFactory(consultation=consultation, name="Untagged")  # no tags: nothing to say
    with pytest.raises(ValidationError, match="Buses"):
        services.feedback_publish(consultation=consultation, actor=officer)
    services.theme_update(theme=tagged, actor=officer, considered="We added two routes.")
    # Who asked and gave an address; in their language; once.
    english = ResponseFactory(consultation=consultation, wants_feedback=True, email="en@example.org")
    welsh = ResponseFactory(consultation=consultation, wants_feedback=True, email="cy@example.org", language="cy")
    person = UserFactory(email="account@example.org")
    ResponseFactory(consultation=consultation, wants_feedback=True, person=person)
    ResponseFactory(consultation=consultation, wants_feedback=False, email="no@example.org")
    ResponseFactory(consultation=consultation, wants_feedback=True, email="draft@example.org", draft=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_publish(consultation=consultation, actor=officer)
    consultation.refresh_from_db()
    assert consultation.stage == Stage.FEEDBACK
    assert sorted(m.to[0] for m in mail.outbox) == ["account@example.org", "cy@example.org", "en@example.org"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "/cy/" in by_address["cy@example.org"].body
    assert "/cy/" not in by_address["en@example.org"].body
    assert "Two new routes" in by_address["en@example.org"].body
    english.refresh_from_db()
    welsh.refresh_from_db()
    assert english.feedback_sent_at and welsh.feedback_sent_at
    with pytest.raises(ValidationError, match="already been published"):
        services.feedback_publish(consultation=consultation, actor=officer)
    with pytest.raises(ValidationError):
        services.feedback_save(consultation=consultation, actor=officer, said="x", decision="y")


def test_tagging_refuses_answers_not_written():
    consultation = ConsultationFactory()
    theme = ThemeFactory(consultation=consultation)
    response = ResponseFactory(consultation=consultation)
    answer = AnswerFactory(response=response)
    answer.question.kind = QuestionKind.SINGLE
    answer.question.save()
    with pytest.raises(ValidationError, match="Only written answers"):
        services.answer_tag(answer=answer, theme=theme, actor=UserFactory())
