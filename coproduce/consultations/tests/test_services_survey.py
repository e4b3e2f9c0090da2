"""The survey builder and responding: conditions, locked versions, audiences, tokens, sending."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from coproduce.consultations import selectors, services
from coproduce.consultations.models import (
    Answer,
    Audience,
    Channel,
    Consultation,
    EqualityAnswer,
    QuestionKind,
    ResponseState,
    Stage,
)
from coproduce.core.models import AuditEvent, RoleKind
from coproduce.core.tests.factories import PlaceFactory, RoleFactory, UserFactory

from .factories import ConsultationFactory, dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory()


def build_survey(consultation, officer):
    """Page 1: do you drive (yes/no), your ward; page 2: how often (only if yes), comments (required)."""
    version = selectors.version_current(consultation)
    first = services.page_add(version=version, actor=officer, title="About you")
    drive = services.question_add(
        page=first, actor=officer, kind=QuestionKind.SINGLE, text="Do you drive?", options=[("Yes", "Ydw"), ("No", "")]
    )
    ward = services.question_add(page=first, actor=officer, kind=QuestionKind.PLACE, text="Where do you live?")
    second = services.page_add(version=version, actor=officer, title="Driving")
    yes = drive.options.get(key="yes")
    often = services.question_add(
        page=second,
        actor=officer,
        kind=QuestionKind.RATING,
        text="How often do you drive?",
        required=True,
        shown_if=yes,
    )
    comments = services.question_add(
        page=second, actor=officer, kind=QuestionKind.LONG_TEXT, text="Anything else?", required=True
    )
    return {"first": first, "second": second, "drive": drive, "ward": ward, "often": often, "comments": comments}


def test_consultation_create_makes_version_one_and_audits(officer):
    place = PlaceFactory()
    org = RoleFactory(kind=RoleKind.OFFICER, person=officer).organisation
    consultation = services.consultation_create(
        organisation=org,
        actor=officer,
        place=place,
        title="Buses",
        summary="Bus routes",
        equality_questions=["sex", "age_band", "nonsense"][:2],
        **dates("open"),
    )
    assert consultation.stage == Stage.DRAFT
    assert consultation.equality_questions == ["age_band", "sex"]
    assert selectors.version_current(consultation).number == 1
    assert AuditEvent.objects.filter(action="consultation.create").count() == 1
    with pytest.raises(ValidationError):
        services.consultation_create(
            organisation=org,
            actor=officer,
            place=place,
            title="Buses",
            summary="Bus routes",
            equality_questions=["shoe_size"],
            **dates("open"),
        )
    with pytest.raises(ValidationError, match="at least one question"):
        services.consultation_publish(consultation=consultation, actor=officer)


def test_question_keys_options_and_conditions(officer):
    consultation = ConsultationFactory()
    survey = build_survey(consultation, officer)
    assert survey["drive"].key == "do-you-drive"
    assert [(o.key, o.label, o.label_cy) for o in survey["drive"].options.all()] == [
        ("yes", "Yes", "Ydw"),
        ("no", "No", ""),
    ]
    again = services.question_add(page=survey["first"], actor=officer, kind="short_text", text="Do you drive?")
    assert again.key == "do-you-drive-2"
    with pytest.raises(ValidationError, match="two options"):
        services.question_add(page=survey["first"], actor=officer, kind="single", text="Pick", options=[("One", "")])
    # A condition on the same page (or a later one) would need JavaScript: refused.
    with pytest.raises(ValidationError, match="earlier page"):
        services.question_add(
            page=survey["first"],
            actor=officer,
            kind="short_text",
            text="Car?",
            shown_if=survey["drive"].options.first(),
        )
    # Moving the page with the condition before the page it depends on is refused.
    with pytest.raises(ValidationError):
        services.page_move(page=survey["second"], actor=officer, up=True)


def answer_first_page(response, survey, choice, ward=None):
    values = {survey["drive"].pk: survey["drive"].options.get(key=choice)}
    if ward:
        values[survey["ward"].pk] = ward
    services.answers_save(response=response, page=survey["first"], values=values)


def test_conditional_questions_hidden_answers_dropped_and_not_required(officer):
    consultation = ConsultationFactory()
    survey = build_survey(consultation, officer)
    response, token = services.response_start(consultation=consultation)
    assert token
    ward = PlaceFactory()
    answer_first_page(response, survey, "yes", ward=ward)
    response.refresh_from_db()
    assert response.ward == ward
    assert response.page_reached == 1
    assert selectors.page_questions(response=response, page=survey["second"]) == [survey["often"], survey["comments"]]
    services.answers_save(
        response=response, page=survey["second"], values={survey["often"].pk: 4, survey["comments"].pk: "Fine"}
    )
    # Changing the first answer hides "how often" and drops its answer.
    answer_first_page(response, survey, "no")
    assert selectors.page_questions(response=response, page=survey["second"]) == [survey["comments"]]
    assert not Answer.objects.filter(response=response, question=survey["often"]).exists()
    # Required but hidden: not required. The comments are still there.
    services.response_submit(response=response)
    response.refresh_from_db()
    assert response.state == ResponseState.SUBMITTED
    assert selectors.version_current(consultation).locked


def test_submit_names_the_page_with_a_missing_required_answer(officer):
    consultation = ConsultationFactory()
    survey = build_survey(consultation, officer)
    response, _token = services.response_start(consultation=consultation)
    answer_first_page(response, survey, "yes")
    services.answers_save(response=response, page=survey["second"], values={survey["comments"].pk: "Fine"})
    with pytest.raises(ValidationError, match="page 2, “Driving”"):
        services.response_submit(response=response)
    with pytest.raises(ValidationError, match="range"):
        services.answers_save(response=response, page=survey["second"], values={survey["often"].pk: 9})
    other = ConsultationFactory()
    other_survey = build_survey(other, officer)
    with pytest.raises(ValidationError, match="options given"):
        services.answers_save(
            response=response,
            page=survey["first"],
            values={survey["drive"].pk: other_survey["drive"].options.first()},
        )


def test_locked_version_refuses_edits_and_a_new_version_copies_and_remaps(officer):
    consultation = ConsultationFactory()
    survey = build_survey(consultation, officer)
    with pytest.raises(ValidationError, match="answered the current version yet"):
        services.survey_new_version(consultation=consultation, actor=officer, note="Nothing")
    response, _token = services.response_start(consultation=consultation)
    answer_first_page(response, survey, "no")
    services.answers_save(response=response, page=survey["second"], values={survey["comments"].pk: "Fine"})
    services.response_submit(response=response)
    with pytest.raises(ValidationError, match="start a new version to change it"):
        services.question_update(question=survey["comments"], actor=officer, text="Changed?")
    with pytest.raises(ValidationError, match="start a new version"):
        services.page_add(version=survey["first"].version, actor=officer, title="More")
    version = services.survey_new_version(consultation=consultation, actor=officer, note="Added a question")
    assert version.number == 2 and not version.locked
    assert selectors.version_current(consultation) == version
    questions = selectors.version_questions(version)
    keys = ["do-you-drive", "where-do-you-live", "how-often-do-you-drive", "anything-else"]
    assert [q.key for q in questions] == keys
    often = questions[2]
    assert often.pk != survey["often"].pk
    assert often.shown_if.question == questions[0]
    assert often.shown_if.key == "yes"
    assert often.shown_if.pk != survey["often"].shown_if_id
    services.question_update(question=questions[3], actor=officer, text="Anything more?")
    # The old response stays with version 1.
    response.refresh_from_db()
    assert response.version.number == 1


def test_one_response_per_person_and_drafts_come_back():
    consultation = ConsultationFactory(audience=Audience.SIGNED_IN, one_response_per_person=True)
    officer = UserFactory()
    survey = build_survey(consultation, officer)
    person = UserFactory()
    response, token = services.response_start(consultation=consultation, person=person)
    assert token
    again, none = services.response_start(consultation=consultation, person=person)
    assert again == response and none is None
    answer_first_page(response, survey, "no")
    services.answers_save(response=response, page=survey["second"], values={survey["comments"].pk: "Fine"})
    services.response_submit(response=response)
    with pytest.raises(ValidationError, match="already responded"):
        services.response_start(consultation=consultation, person=person)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ValidationError, match="Sign in"):
        services.response_start(consultation=consultation, person=AnonymousUser())


def test_audience_refusals_say_why():
    ward = PlaceFactory()
    residents = ConsultationFactory(audience=Audience.RESIDENTS, place=ward)
    with pytest.raises(ValidationError, match="Sign in"):
        services.response_start(consultation=residents)
    with pytest.raises(ValidationError, match="Give your address"):
        services.response_start(consultation=residents, person=UserFactory())
    with pytest.raises(ValidationError, match="live in"):
        services.response_start(consultation=residents, person=UserFactory(ward=PlaceFactory()))
    assert services.response_start(consultation=residents, person=UserFactory(ward=ward))[0].ward == ward
    members = ConsultationFactory(audience=Audience.MEMBERS)
    with pytest.raises(ValidationError, match="member"):
        services.response_start(consultation=members, person=UserFactory())
    with pytest.raises(ValidationError, match="not open"):
        services.response_start(consultation=ConsultationFactory(closed=True))
    with pytest.raises(ValidationError, match="not open"):
        services.response_start(consultation=ConsultationFactory(upcoming=True))


def test_paper_responses_after_the_close_and_audited():
    consultation = ConsultationFactory(closed=True)
    officer = UserFactory()
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=dates("open")["closes_at"])
    survey = build_survey(consultation, officer)
    Consultation.objects.filter(pk=consultation.pk).update(**dates("closed"))
    consultation.refresh_from_db()
    response, _token = services.response_start(
        consultation=consultation, channel=Channel.PAPER, entered_by=officer, person=UserFactory()
    )
    assert response.channel == Channel.PAPER and response.person is None
    services.response_update_reference(response=response, actor=officer, paper_reference="P-17")
    answer_first_page(response, survey, "no")
    services.answers_save(response=response, page=survey["second"], values={survey["comments"].pk: "On paper"})
    services.response_submit(response=response)
    audited = AuditEvent.objects.filter(target_type="consultations.response", target_id=str(response.pk))
    assert set(audited.values_list("action", flat=True)) == {
        "consultation.paper_start",
        "consultation.paper_reference",
        "consultation.paper_submit",
    }


def test_a_paper_response_is_sent_with_the_questions_the_person_left_blank(officer):
    """On paper people skip questions: the officer enters what is on the form, and it is counted."""
    consultation = ConsultationFactory()
    survey = build_survey(consultation, officer)
    paper, _token = services.response_start(consultation=consultation, channel=Channel.PAPER, entered_by=officer)
    online, _token = services.response_start(consultation=consultation)
    for response in (paper, online):
        answer_first_page(response, survey, "yes")
        services.answers_save(response=response, page=survey["second"], values={survey["comments"].pk: "Fine"})
    with pytest.raises(ValidationError, match="page 2"):
        services.response_submit(response=online)
    assert services.response_submit(response=paper).state == ResponseState.SUBMITTED


def test_token_resume_finds_only_drafts_of_that_consultation():
    consultation = ConsultationFactory()
    build_survey(consultation, UserFactory())
    response, token = services.response_start(consultation=consultation)
    assert selectors.response_for_token(consultation=consultation, token=token) == response
    assert selectors.response_for_token(consultation=consultation, token=token + "x") is None
    assert selectors.response_for_token(consultation=ConsultationFactory(), token=token) is None
    assert selectors.response_for_token(consultation=consultation, token="") is None


def test_submit_stores_equality_apart_and_emails_a_copy_in_the_respondents_language(
    officer, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(equality_questions=["age_band", "sex"])
    survey = build_survey(consultation, officer)
    response, token = services.response_start(consultation=consultation, language="cy")
    answer_first_page(response, survey, "yes")
    services.answers_save(
        response=response, page=survey["second"], values={survey["often"].pk: 5, survey["comments"].pk: "Da iawn"}
    )
    with pytest.raises(ValidationError, match="equality"):
        services.response_submit(response=response, equality={"ethnicity": "white"})
    with pytest.raises(ValidationError, match="equality"):
        services.response_submit(response=response, equality={"sex": "unicorn"})
    with pytest.raises(ValidationError, match="email address"):
        services.response_submit(response=response, wants_feedback=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(
            response=response,
            email="resident@example.org",
            wants_feedback=True,
            equality={"age_band": "25_34", "sex": "prefer_not_to_say"},
        )
    assert set(EqualityAnswer.objects.filter(response=response).values_list("question", "category")) == {
        ("age_band", "25_34"),
        ("sex", "prefer_not_to_say"),
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["resident@example.org"]
    assert "Da iawn" in message.body
    assert "Ydw" in message.body  # the option in Welsh
    assert "/cy/" in message.body
    assert selectors.response_for_token(consultation=consultation, token=token) is None
    with pytest.raises(ValidationError, match="already been sent"):
        services.response_submit(response=response)


def test_resume_link_is_emailed(officer, django_capture_on_commit_callbacks):
    consultation = ConsultationFactory()
    build_survey(consultation, officer)
    response, token = services.response_start(consultation=consultation)
    mail.outbox.clear()
    with pytest.raises(ValidationError, match="correct format"):
        services.response_resume_link_send(response=response, email="nope", base_url="https://x/")
    link = f"https://coproduce.example/consultations/{consultation.pk}/respond/resume/{token}/"
    with django_capture_on_commit_callbacks(execute=True):
        services.response_resume_link_send(response=response, email="me@example.org", base_url=link)
    assert len(mail.outbox) == 1
    assert link in mail.outbox[0].body
