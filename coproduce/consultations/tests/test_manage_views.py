"""The officers' pages of a consultation: creating and changing it, documents, publishing, events
(registrations, the waiting list, attendance, notes, cancelling), paper responses entered page by
page, and publishing responses people agreed to; permissions, two-factor sign-in, and garbage
input refused on the page (never a 500)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coproduce.consultations.models import (
    Answer,
    Channel,
    Consultation,
    Document,
    EqualityAnswer,
    Event,
    QuestionKind,
    RegistrationStatus,
    Response,
    ResponseState,
    Stage,
)
from coproduce.consultations.tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    DocumentFactory,
    EventFactory,
    PageFactory,
    QuestionFactory,
    RegistrationFactory,
    ResponseFactory,
    current_version,
)
from coproduce.core.models import Role, RoleKind
from coproduce.core.tests.factories import UserFactory, sign_in_with_mfa
from coproduce.core.tests.residents import CouncilFactory, ward_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def council():
    return CouncilFactory(name="Kingsmere Borough Council", slug="kingsmere")


@pytest.fixture
def ward(council):
    return ward_in(council, name="Ashby Green", code="X05000001", kind="ward")


def officer_of(organisation, kind=RoleKind.OFFICER):
    person = UserFactory()
    Role.objects.create(person=person, organisation=organisation, kind=kind)
    return person


@pytest.fixture
def officer(client, council):
    person = officer_of(council)
    sign_in_with_mfa(client, person)
    return person


@pytest.fixture
def consultation(council, ward):
    return ConsultationFactory(organisation=council, place=council.area, title="Becoming a co-operative council")


def manage(consultation, tail=""):
    return f"/consultations/{consultation.pk}/manage/{tail}"


def html_of(response) -> str:
    return response.content.decode()


# --- Creating and changing a consultation ------------------------------------------------------------


def _new(area, **overrides):
    data = {
        "title": "Our parks",
        "title_cy": "Ein parciau",
        "summary": "What we propose for the parks.",
        "place": str(area.pk),
        "audience": "anyone",
        "opens_at_day": "1",
        "opens_at_month": "3",
        "opens_at_year": "2030",
        "opens_at_time": "09:00",
        "closes_at_day": "1",
        "closes_at_month": "6",
        "closes_at_year": "2030",
        "closes_at_time": "17:00",
        "equality_questions": ["sex", "age_band"],
    }
    data.update(overrides)
    return data


def test_an_officer_creates_a_draft_consultation_with_equality_questions(client, officer, council):
    page = client.get("/consultations/manage/kingsmere/new/")
    assert page.status_code == 200
    assert "Ethnic group" in html_of(page)  # the bank's questions as checkboxes
    response = client.post("/consultations/manage/kingsmere/new/", _new(council.area))
    assert response.status_code == 302
    consultation = Consultation.objects.get(title="Our parks")
    assert response.url == manage(consultation)
    assert consultation.stage == Stage.DRAFT and consultation.title_cy == "Ein parciau"
    assert consultation.equality_questions == ["age_band", "sex"]
    assert consultation.versions.count() == 1
    listing = html_of(client.get("/consultations/manage/kingsmere/"))
    assert "Our parks" in listing
    overview = html_of(client.get(response.url))
    assert "Build the survey" in overview


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter the consultation"),
        ({"place": "999999"}, "Choose the place"),
        ({"opens_at_day": "31", "opens_at_month": "2"}, "must be a real date"),
        ({"opens_at_time": "25:99"}, "24-hour clock"),
        ({"closes_at_year": "2029"}, "must close after it opens"),
        ({"equality_questions": ["star_sign"]}, "Choose equality questions from the list"),
        ({"audience": "martians"}, "Choose who may respond"),
    ],
)
def test_a_bad_consultation_is_refused_on_the_page(client, officer, council, overrides, message):
    response = client.post("/consultations/manage/kingsmere/new/", _new(council.area, **overrides))
    html = html_of(response)
    assert response.status_code == 200
    assert "<title>Error:" in html and "govuk-error-summary" in html
    assert message in html
    assert not Consultation.objects.exists()


def test_an_officer_changes_the_consultation(client, officer, consultation, council):
    page = client.get(manage(consultation, "edit/"))
    assert page.status_code == 200 and "Becoming a co-operative council" in html_of(page)
    response = client.post(manage(consultation, "edit/"), _new(council.area, title="Becoming a co-op council"))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Becoming a co-op council"


def test_publishing_needs_a_question_and_is_refused_on_the_page(client, officer, council):
    draft = ConsultationFactory(organisation=council, place=council.area, draft=True)
    html = html_of(client.post(manage(draft), {"action": "publish"}))
    assert "Add at least one question" in html and "govuk-error-summary" in html
    QuestionFactory(page=PageFactory(version=current_version(draft)), kind=QuestionKind.SHORT_TEXT)
    response = client.post(manage(draft), {"action": "publish"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.stage == Stage.PUBLISHED
    assert "Choose what to do" in html_of(client.post(manage(draft), {"action": "explode"}))


def test_the_overview_counts_responses_by_channel(client, officer, consultation):
    ResponseFactory.create_batch(3, consultation=consultation)
    ResponseFactory(consultation=consultation, channel=Channel.PAPER)
    ResponseFactory(consultation=consultation, draft=True)
    html = html_of(client.get(manage(consultation)))
    assert "Responses sent, by channel" in html
    assert "1 response started and not yet sent." in html
    assert ">4</strong>" in html


# --- Permissions ---------------------------------------------------------------------------------------


def test_residents_and_other_officers_are_refused_and_officers_need_two_factor(client, consultation, council):
    resident = UserFactory()
    client.force_login(resident)
    for tail in ("", "edit/", "documents/", "events/", "paper/", "publishing/"):
        assert client.get(manage(consultation, tail)).status_code == 403
    assert client.get("/consultations/manage/kingsmere/").status_code == 403
    other = officer_of(CouncilFactory())
    sign_in_with_mfa(client, other)
    assert client.get(manage(consultation)).status_code == 403
    # An officer of the council without the second factor is sent to set it up.
    client.force_login(officer_of(council))
    response = client.get(manage(consultation))
    assert response.status_code == 302 and "/accounts/2fa/" in response.url
    client.logout()
    assert client.get(manage(consultation)).status_code == 302  # to sign in


def test_a_hidden_organisations_consultations_are_not_found_by_others(client):
    hidden = CouncilFactory(is_public=False)
    consultation = ConsultationFactory(organisation=hidden)
    client.force_login(UserFactory())
    assert client.get(manage(consultation)).status_code == 404


def test_unknown_ids_are_not_found(client, officer, consultation):
    assert client.get("/consultations/999999/manage/").status_code == 404
    assert client.get(manage(consultation, "events/999999/")).status_code == 404
    assert client.post(manage(consultation, "documents/999999/remove/")).status_code == 404
    assert client.get(manage(consultation, "paper/999999/1/")).status_code == 404
    assert client.get(manage(consultation, "paper/999999/finish/")).status_code == 404
    assert client.get("/consultations/manage/no-such-council/").status_code == 404


# --- Documents -------------------------------------------------------------------------------------------


def test_an_officer_adds_a_pdf_with_its_summary_and_removes_it(client, officer, consultation):
    pdf = SimpleUploadedFile("proposal.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    data = {"file": pdf, "title": "The proposal", "summary": "What we propose, in plain words."}
    response = client.post(manage(consultation, "documents/"), data)
    assert response.status_code == 302
    document = Document.objects.get(consultation=consultation)
    assert document.title == "The proposal"
    assert "The proposal" in html_of(client.get(manage(consultation, "documents/")))
    assert client.post(manage(consultation, f"documents/{document.pk}/remove/")).status_code == 302
    assert not Document.objects.exists()


def test_a_document_that_is_not_a_pdf_or_has_no_summary_is_refused(client, officer, consultation):
    fake = SimpleUploadedFile("proposal.pdf", b"MZ not a pdf", content_type="application/pdf")
    html = html_of(client.post(manage(consultation, "documents/"), {"file": fake, "title": "X", "summary": "Y"}))
    assert "The file must be a PDF." in html and "govuk-error-summary" in html
    pdf = SimpleUploadedFile("proposal.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    html = html_of(client.post(manage(consultation, "documents/"), {"file": pdf, "title": "X", "summary": ""}))
    assert "Enter a summary of what the document says" in html
    assert "Select a PDF" in html_of(client.post(manage(consultation, "documents/"), {}))
    assert not Document.objects.exists()


def test_a_document_of_another_consultation_cannot_be_removed(client, officer, consultation):
    elsewhere = DocumentFactory()
    assert client.post(manage(consultation, f"documents/{elsewhere.pk}/remove/")).status_code == 404
    assert client.get(manage(consultation, f"documents/{elsewhere.pk}/remove/")).status_code == 405
    assert Document.objects.filter(pk=elsewhere.pk).exists()


# --- Events ------------------------------------------------------------------------------------------------


def _event(**overrides):
    data = {
        "kind": "road_show",
        "title": "Road show at the library",
        "starts_at_day": "10",
        "starts_at_month": "4",
        "starts_at_year": "2030",
        "starts_at_time": "10:00",
        "ends_time": "12:30",
        "venue": "Kingsmere Library",
        "access": "Step-free entrance.",
        "registration": "on",
        "capacity": "2",
    }
    data.update(overrides)
    return data


def test_an_officer_adds_an_event_and_bad_input_is_refused(client, officer, consultation):
    response = client.post(manage(consultation, "events/"), _event())
    assert response.status_code == 302
    event = Event.objects.get(consultation=consultation)
    assert event.capacity == 2 and event.venue == "Kingsmere Library"
    assert response.url == manage(consultation, f"events/{event.pk}/")
    for overrides, message in [
        ({"ends_time": "09:00"}, "must end after it starts"),
        ({"capacity": "lots"}, "Enter a whole number"),
        ({"kind": "rave"}, "Choose the kind of event"),
        ({"starts_at_month": ""}, "must include a month"),
    ]:
        html = html_of(client.post(manage(consultation, "events/"), _event(**overrides)))
        assert message in html and "govuk-error-summary" in html
    assert Event.objects.count() == 1


def test_an_event_page_lists_bookings_and_the_waiting_list_and_records_attendance(client, officer, consultation):
    event = EventFactory(consultation=consultation, capacity=1)
    came = RegistrationFactory(event=event, name="Ada Booked")
    RegistrationFactory(event=event, name="Bea Waiting", status=RegistrationStatus.WAITING)
    html = html_of(client.get(manage(consultation, f"events/{event.pk}/")))
    assert "Ada Booked" in html and "Bea Waiting" in html and "Waiting list (1)" in html
    response = client.post(
        manage(consultation, f"events/{event.pk}/"),
        {"action": "attendance", f"came-came_{came.pk}": "on", "came-attended_count": "14"},
    )
    assert response.status_code == 302
    came.refresh_from_db()
    event.refresh_from_db()
    assert came.attended is True and event.attended_count == 14
    html = html_of(
        client.post(manage(consultation, f"events/{event.pk}/"), {"action": "attendance", "came-attended_count": "-3"})
    )
    assert "govuk-error-summary" in html
    response = client.post(manage(consultation, f"events/{event.pk}/"), {"action": "notes", "notes-notes": "Busy."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.notes == "Busy."
    assert "Choose what to do" in html_of(client.post(manage(consultation, f"events/{event.pk}/"), {"action": "x"}))


def test_cancelling_an_event_needs_the_box_ticked(client, officer, consultation):
    event = EventFactory(consultation=consultation)
    RegistrationFactory(event=event)
    html = html_of(client.post(manage(consultation, f"events/{event.pk}/"), {"action": "cancel"}))
    assert "Tick the box to confirm" in html
    event.refresh_from_db()
    assert event.cancelled_at is None
    response = client.post(manage(consultation, f"events/{event.pk}/"), {"action": "cancel", "cancel-confirm": "on"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cancelled_at is not None


def test_an_officer_changes_an_event(client, officer, consultation):
    event = EventFactory(consultation=consultation)
    data = {f"event-{key}": value for key, value in _event(title="Moved road show").items()}
    response = client.post(manage(consultation, f"events/{event.pk}/"), {"action": "edit", **data})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Moved road show"


# --- Paper responses ------------------------------------------------------------------------------------------


@pytest.fixture
def survey(consultation):
    version = current_version(consultation)
    first = PageFactory(version=version, order=1, title="Your views")
    agree = QuestionFactory(page=first, order=1, kind=QuestionKind.SINGLE, text="Do you agree?", required=True)
    second = PageFactory(version=version, order=2, title="Why")
    why = QuestionFactory(page=second, order=1, kind=QuestionKind.LONG_TEXT, text="Why?")
    consultation.equality_questions = ["sex"]
    consultation.save()
    return {"agree": agree, "yes": agree.options.get(label="Yes"), "why": why}


def test_an_officer_enters_a_paper_response_page_by_page(client, officer, consultation, survey):
    assert "No paper responses" in html_of(client.get(manage(consultation, "paper/")))
    response = client.post(manage(consultation, "paper/"), {"paper_reference": "P-0042"})
    assert response.status_code == 302
    paper = Response.objects.get(consultation=consultation)
    assert paper.channel == Channel.PAPER and paper.entered_by == officer and paper.paper_reference == "P-0042"
    assert response.url == manage(consultation, f"paper/{paper.pk}/1/")
    page = html_of(client.get(response.url))
    assert "Do you agree?" in page
    # A tampered choice is refused on the page.
    html = html_of(client.post(response.url, {f"q{survey['agree'].pk}": "not-an-option"}))
    assert "govuk-error-summary" in html
    response = client.post(response.url, {f"q{survey['agree'].pk}": str(survey["yes"].pk)})
    assert response.url == manage(consultation, f"paper/{paper.pk}/2/")
    response = client.post(response.url, {f"q{survey['why'].pk}": "Because it is ours."})
    assert response.url == manage(consultation, f"paper/{paper.pk}/finish/")
    assert "Sex" in html_of(client.get(response.url))
    bad = html_of(client.post(response.url, {"paper_reference": "P-0042", "equality_sex": "robot"}))
    assert "govuk-error-summary" in bad
    done = client.post(
        response.url,
        {"paper_reference": "P-0042", "email": "", "publish_consent": "on", "equality_sex": "female"},
    )
    assert done.status_code == 302
    paper.refresh_from_db()
    assert paper.state == ResponseState.SUBMITTED and paper.publish_consent
    assert EqualityAnswer.objects.get(response=paper).category == "female"
    assert Answer.objects.filter(response=paper).count() == 2
    listing = html_of(client.get(manage(consultation, "paper/")))
    assert "P-0042" in listing and "Sent" in listing
    # A sent paper response cannot be entered again.
    assert client.get(manage(consultation, f"paper/{paper.pk}/1/")).status_code == 302


def test_paper_pages_out_of_range_and_online_responses_are_not_found(client, officer, consultation, survey):
    client.post(manage(consultation, "paper/"), {"paper_reference": ""})
    paper = Response.objects.get(consultation=consultation)
    assert client.get(manage(consultation, f"paper/{paper.pk}/9/")).status_code == 404
    assert client.get(manage(consultation, f"paper/{paper.pk}/0/")).status_code == 404
    online = ResponseFactory(consultation=consultation, draft=True)
    assert client.get(manage(consultation, f"paper/{online.pk}/1/")).status_code == 404


def test_asking_to_hear_the_decision_needs_an_email_on_paper(client, officer, consultation, survey):
    client.post(manage(consultation, "paper/"), {})
    paper = Response.objects.get(consultation=consultation)
    html = html_of(client.post(manage(consultation, f"paper/{paper.pk}/finish/"), {"wants_feedback": "on"}))
    assert "Enter the email address written on the form" in html
    paper.refresh_from_db()
    assert paper.state == ResponseState.DRAFT


# --- Publishing responses -------------------------------------------------------------------------------------


def test_an_officer_redacts_and_publishes_a_response_people_agreed_to(client, officer, consultation):
    agreed = ResponseFactory(consultation=consultation, publish_consent=True)
    answer = AnswerFactory(response=agreed, text="I am Jo Bloggs of 1 High Street and I agree.")
    private = ResponseFactory(consultation=consultation, publish_consent=False)
    AnswerFactory(response=private, text="Do not publish me.")
    html = html_of(client.get(manage(consultation, "publishing/")))
    assert "Jo Bloggs" in html and "Do not publish me." not in html
    # Publishing without each written answer checked is refused, and nothing is written.
    html = html_of(client.post(manage(consultation, "publishing/"), {"response": agreed.pk, "action": "publish"}))
    assert "Check each written answer" in html
    agreed.refresh_from_db()
    assert agreed.published_at is None
    response = client.post(
        manage(consultation, "publishing/"),
        {"response": agreed.pk, "action": "publish", f"public_{answer.pk}": "I am [name removed] and I agree."},
    )
    assert response.status_code == 302
    agreed.refresh_from_db()
    answer.refresh_from_db()
    assert agreed.published_at is not None
    assert answer.public_text == "I am [name removed] and I agree."
    # A response without consent cannot be published by posting its id.
    html = html_of(client.post(manage(consultation, "publishing/"), {"response": private.pk, "action": "publish"}))
    assert "Choose a response whose author agreed" in html
    private.refresh_from_db()
    assert private.published_at is None
    assert "govuk-error-summary" in html_of(client.post(manage(consultation, "publishing/"), {"response": "²"}))
    response = client.post(manage(consultation, "publishing/"), {"response": agreed.pk, "action": "unpublish"})
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert agreed.published_at is None


def test_ids_too_large_for_the_database_and_empty_posts_are_not_a_500(client, officer, consultation):
    huge = "9" * 30
    assert client.get(f"/consultations/{huge}/manage/").status_code == 404
    assert client.get(manage(consultation, f"events/{huge}/")).status_code == 404
    assert client.get(manage(consultation, f"paper/{huge}/{huge}/")).status_code == 404
    assert client.get(manage(consultation, f"survey/preview/{huge}/")).status_code in (302, 404)
    for tail in ("edit/", "documents/", "events/", "publishing/"):
        response = client.post(manage(consultation, tail), {})
        assert response.status_code == 200, tail
        assert "govuk-error-summary" in html_of(response), tail
    assert "govuk-error-summary" in html_of(client.post("/consultations/manage/kingsmere/new/", {}))
