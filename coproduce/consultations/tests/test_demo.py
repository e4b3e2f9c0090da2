"""The demo borough's consultations: the co-operative council consultation open with 300 responses
(some on paper), equality answers with a small group, census figures and a 15-event road show; the
libraries consultation with its "you said, we did" published; the equalities officer's log-in."""

from __future__ import annotations

from collections import Counter

import pytest
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.test import override_settings

from coproduce.consultations import workspaces
from coproduce.consultations.demo import build_demo_consultations
from coproduce.consultations.models import (
    Answer,
    AnswerTag,
    Channel,
    Consultation,
    EqualityAnswer,
    Event,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Response,
    ResponseState,
    Status,
)
from coproduce.consultations.models.survey import TEXT_KINDS
from coproduce.core import demo as core_demo
from coproduce.core import equality
from coproduce.core.models import AuditEvent, Role, RoleKind
from coproduce.core.selectors import census_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The core's part of the demo borough (places, organisations, log-ins, residents), then ours:
    built once for the module, and rolled back after its last test."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),  # the proposal's PDF
        transaction.atomic(),
    ):
        context = core_demo._places()
        context["organisations"] = core_demo._organisations(context)
        context["users"] = core_demo._logins(context)
        context["residents"] = core_demo._residents(context)
        build_demo_consultations(context)
        yield context
        transaction.set_rollback(True)


def test_the_co_operative_council_consultation_is_open_in_english_and_welsh_with_its_document(demo):
    consultation = demo["consultations"]["cooperative"]
    assert consultation.title == "Becoming a co-operative council" and consultation.title_cy
    assert consultation.summary_cy and consultation.audience_text_cy
    assert consultation.status() == Status.OPEN
    assert consultation.organisation.slug == "kingsmere-council"
    assert consultation.place == demo["borough"]
    document = consultation.documents.get()
    assert document.summary and document.summary_cy and document.title_cy
    with document.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-") and len(content) == document.size


def test_its_survey_has_three_pages_most_kinds_and_a_question_shown_after_an_earlier_answer(demo):
    consultation = demo["consultations"]["cooperative"]
    version = consultation.versions.get()
    assert version.locked  # answered: changes would make a new version
    pages = list(version.pages.order_by("order"))
    assert len(pages) == 3 and all(page.title_cy for page in pages)
    questions = [q for page in pages for q in page.questions.all()]
    assert all(q.text_cy for q in questions)
    assert len({q.kind for q in questions}) >= 9
    conditional = [q for q in questions if q.shown_if_id]
    assert conditional
    for question in conditional:
        assert question.shown_if.question.page.order < question.page.order  # works without JavaScript
        # Only respondents who chose the option answered it.
        answered = set(Answer.objects.filter(question=question).values_list("response", flat=True))
        chose = set(Answer.objects.filter(option=question.shown_if).values_list("response", flat=True))
        assert answered and answered <= chose


def test_300_responses_from_every_ward_some_on_paper_entered_by_the_officer(demo):
    consultation = demo["consultations"]["cooperative"]
    sent = Response.objects.filter(consultation=consultation, state=ResponseState.SUBMITTED)
    assert sent.count() == 300
    paper = sent.filter(channel=Channel.PAPER)
    assert 20 <= paper.count() < 300
    assert set(paper.values_list("entered_by", flat=True)) == {demo["users"]["officer"].pk}
    assert all(paper.values_list("paper_reference", flat=True))
    assert sent.values("ward").distinct().count() == 12
    # Every required question answered, and the place answer is the response's ward.
    for question in consultation.versions.get().pages.get(order=0).questions.filter(required=True):
        assert Answer.objects.filter(question=question).values("response").distinct().count() == 300
    place = Answer.objects.filter(response__consultation=consultation, question__kind=QuestionKind.PLACE)
    assert all(answer.place_id == answer.response.ward_id for answer in place.select_related("response"))
    # The demo resident has not answered: her home tells her.
    assert not Response.objects.filter(consultation=consultation, person=demo["users"]["resident"]).exists()


def test_text_answers_are_partly_tagged_with_themes(demo):
    consultation = demo["consultations"]["cooperative"]
    texts = Answer.objects.filter(response__consultation=consultation, question__kind__in=TEXT_KINDS)
    tagged = texts.filter(tags__isnull=False).distinct().count()
    assert 0 < tagged < texts.count()
    assert consultation.themes.count() >= 4
    assert all(theme.name_cy for theme in consultation.themes.all())
    assert AnswerTag.objects.filter(theme__consultation=consultation).values("theme").distinct().count() >= 4


def test_equality_answers_from_most_respondents_with_a_group_small_enough_to_be_suppressed(demo):
    consultation = demo["consultations"]["cooperative"]
    rows = EqualityAnswer.objects.filter(response__consultation=consultation)
    assert rows.values("response").distinct().count() >= 0.7 * 300
    assert set(rows.values_list("question", flat=True)) <= set(consultation.equality_questions)
    assert all(equality.is_answer(q, c) for q, c in rows.values_list("question", "category"))
    suppressed = []
    for key in consultation.equality_questions:
        counts = Counter(rows.filter(question=key).values_list("category", flat=True))
        suppressed += [row for row in equality.suppress(key, counts) if row.suppressed]
    assert suppressed  # "another ethnic group" is under ten


def test_census_figures_for_every_ward_so_representativeness_shows(demo):
    consultation = demo["consultations"]["cooperative"]
    for key in consultation.equality_questions:
        counts = census_counts(place=consultation.place, question=key)
        assert set(counts) == set(equality.question(key).keys())
        assert all(count > 0 for count in counts.values())
    total = sum(census_counts(place=consultation.place, question="sex").values())
    assert 12 * 8_000 < total < 12 * 15_000


def test_a_road_show_of_15_events_past_with_attendance_and_notes_coming_with_waiting_lists(demo):
    consultation = demo["consultations"]["cooperative"]
    events = list(Event.objects.filter(consultation=consultation))
    assert len(events) == 15
    assert len({event.venue for event in events}) == 15 and all(event.access for event in events)
    now = consultation.closes_at - (consultation.closes_at - consultation.opens_at)  # the opening
    past = [event for event in events if event.ends_at < Response.objects.latest("submitted_at").submitted_at]
    assert past and all(event.attended_count and event.notes for event in past)
    assert all(event.starts_at > now for event in events)
    waiting = Registration.objects.filter(event__consultation=consultation, status=RegistrationStatus.WAITING)
    assert waiting.exists()
    for event in events:
        booked = event.registrations.filter(status=RegistrationStatus.BOOKED).count()
        if event.capacity is not None:
            assert booked <= event.capacity
        if event.registrations.filter(status=RegistrationStatus.WAITING).exists():
            assert booked == event.capacity  # a waiting list only when full
    # Someone with a log-in is going to one soon (their home lists it).
    assert Registration.objects.filter(event__consultation=consultation, person=demo["users"]["member"]).exists()


def test_the_libraries_consultation_closed_and_its_you_said_we_did_is_published(demo):
    consultation = demo["consultations"]["libraries"]
    assert consultation.status() == Status.FEEDBACK and consultation.is_closed()
    assert consultation.said and consultation.decision and consultation.said_cy and consultation.decision_cy
    themes = list(consultation.themes.all())
    assert themes and all(theme.considered and theme.considered_cy and theme.tags.exists() for theme in themes)
    asked = Response.objects.filter(consultation=consultation, wants_feedback=True).exclude(email="")
    assert asked.exists() and not asked.filter(feedback_sent_at__isnull=True).exists()
    published = Response.objects.filter(consultation=consultation, published_at__isnull=False)
    assert published.exists() and not published.filter(publish_consent=False).exists()
    assert demo["consultations"]["climate"].status() == Status.DRAFT


def test_the_equalities_officer_signs_in_with_two_factors_and_alone_sees_equality_answers(demo):
    equalities, officer = demo["users"]["equalities"], demo["users"]["officer"]
    assert equalities.email == "equalities@example.org" and equalities.check_password(core_demo.DEMO_PASSWORD)
    assert Role.objects.current().filter(person=equalities, kind=RoleKind.EQUALITIES).get().organisation.slug == (
        "kingsmere-council"
    )
    assert Authenticator.objects.filter(user=equalities).exists()
    consultation = Consultation.objects.get(title="Becoming a co-operative council")
    assert equalities.has_perm("consultations.see_equality", consultation)
    assert not officer.has_perm("consultations.see_equality", consultation)
    assert officer.has_perm("consultations.run", consultation)


def test_the_audit_trail_tells_what_the_officer_did_on_the_days_they_did_it(demo):
    consultation = demo["consultations"]["cooperative"]
    events = AuditEvent.objects.filter(target_id=str(consultation.pk), action__startswith="consultation.")
    published = events.get(action="consultation.publish")
    assert published.actor == demo["users"]["officer"]
    assert abs((published.created_at - consultation.published_at).total_seconds()) < 600
    paper = Response.objects.filter(consultation=consultation, channel=Channel.PAPER).count()
    assert AuditEvent.objects.filter(
        action="consultation.paper_submit", organisation=consultation.organisation
    ).count() >= (paper)
    libraries = demo["consultations"]["libraries"]
    assert AuditEvent.objects.filter(action="consultation.feedback_publish", target_id=str(libraries.pk)).exists()
    assert all(
        action in workspaces.AUDIT_ACTIONS
        for action in AuditEvent.objects.filter(action__startswith="consultation.").values_list("action", flat=True)
    )
