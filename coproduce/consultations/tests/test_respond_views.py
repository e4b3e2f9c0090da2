"""Answering a consultation's survey: without an account (the token in the session), page by page,
a conditional question and a skipped page, save and come back by an emailed link, the finish
page (equality answers kept apart), check answers, send; refusals in words; garbage never a 500."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from coproduce.consultations.models import (
    Answer,
    Audience,
    EqualityAnswer,
    QuestionKind,
    Response,
    ResponseState,
)
from coproduce.consultations.tests.factories import (
    ConsultationFactory,
    PageFactory,
    QuestionFactory,
    current_version,
)
from coproduce.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    """Three pages, the second shown only to people who said Yes on the first."""
    consultation = ConsultationFactory(
        title="Becoming a co-operative council",
        title_cy="Dod yn gyngor cydweithredol",
        equality_questions=["age_band", "sex"],
    )
    version = current_version(consultation)
    first = PageFactory(version=version, order=1, title="Your views", title_cy="Eich barn")
    agree = QuestionFactory(
        page=first,
        order=1,
        kind=QuestionKind.SINGLE,
        text="Do you agree?",
        text_cy="Ydych chi'n cytuno?",
        required=True,
    )
    yes = agree.options.get(label="Yes")
    second = PageFactory(version=version, order=2, title="Why")
    why = QuestionFactory(page=second, order=1, kind=QuestionKind.LONG_TEXT, text="Why do you agree?", shown_if=yes)
    third = PageFactory(version=version, order=3, title="Anything else")
    other = QuestionFactory(page=third, order=1, kind=QuestionKind.SHORT_TEXT, text="Anything else?")
    return {"consultation": consultation, "agree": agree, "yes": yes, "why": why, "other": other}


def url(consultation, tail=""):
    return f"/consultations/{consultation.pk}/respond/{tail}"


def start(client, consultation):
    response = client.post(url(consultation))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_the_start_page_says_what_to_expect(client, survey):
    page = client.get(url(survey["consultation"])).content.decode()
    assert "The survey has 3 questions on 3 pages" in page
    assert "Anyone can respond, without an account." in page
    assert "save your answers and come back" in page
    assert "kept apart from your answers" in page  # equality questions announced


def test_a_resident_answers_without_an_account_with_a_conditional_page(
    client, survey, django_capture_on_commit_callbacks
):
    consultation, agree, yes = survey["consultation"], survey["agree"], survey["yes"]
    assert start(client, consultation)["Location"] == url(consultation, "1/")
    assert f"consultation_response_{consultation.pk}" in client.session
    # Required: Continue without an answer is refused on the page.
    refused = client.post(url(consultation, "1/"), {"continue": "1"})
    assert refused.status_code == 200 and "Select an answer to: Do you agree?" in refused.content.decode()
    # "No": the page about why is skipped.
    no = agree.options.get(label="No")
    assert client.post(url(consultation, "1/"), {f"q{agree.pk}": str(no.pk)})["Location"] == url(consultation, "3/")
    assert client.get(url(consultation, "2/"))["Location"] == url(consultation, "3/")
    # Back to "Yes": the page about why is shown.
    assert client.post(url(consultation, "1/"), {f"q{agree.pk}": str(yes.pk)})["Location"] == url(consultation, "2/")
    page_two = client.get(url(consultation, "2/")).content.decode()
    assert "Why do you agree?" in page_two and "(optional)" in page_two
    client.post(url(consultation, "2/"), {f"q{survey['why'].pk}": "Good for all"})
    assert client.post(url(consultation, "3/"), {f"q{survey['other'].pk}": ""})["Location"] == url(
        consultation, "finish/"
    )
    finish = client.get(url(consultation, "finish/")).content.decode()
    assert "Check your answers" in finish and "Good for all" in finish and "Not answered" in finish
    assert "About you (optional)" in finish and "Prefer not to say" in finish
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url(consultation, "finish/"),
            {
                "email": "resident@example.org",
                "wants_feedback": "on",
                "publish_consent": "on",
                "equality_age_band": "25_34",
            },
        )
    assert sent["Location"] == url(consultation, "done/")
    response = Response.objects.get(consultation=consultation)
    assert response.state == ResponseState.SUBMITTED and response.person is None
    assert response.wants_feedback and response.publish_consent and response.email == "resident@example.org"
    assert list(EqualityAnswer.objects.filter(response=response).values_list("question", "category")) == [
        ("age_band", "25_34")
    ]
    assert set(Answer.objects.filter(response=response).values_list("question_id", flat=True)) == {
        agree.pk,
        survey["why"].pk,
    }
    done = client.get(url(consultation, "done/")).content.decode()
    assert "Your response has been sent" in done and "resident@example.org" in done
    assert f"consultation_response_{consultation.pk}" not in client.session
    # The copy of the answers went by email.
    assert any("resident@example.org" in message.to for message in mail.outbox)


def test_save_and_come_back_by_an_emailed_link_in_another_browser(client, survey, django_capture_on_commit_callbacks):
    from django.test import Client

    consultation, agree, yes = survey["consultation"], survey["agree"], survey["yes"]
    start(client, consultation)
    saved = client.post(url(consultation, "1/"), {f"q{agree.pk}": str(yes.pk), "save": "1"})
    assert saved["Location"] == url(consultation, "save/")
    page = client.get(url(consultation, "save/")).content.decode()
    assert "Email me a link" in page
    bad = client.post(url(consultation, "save/"), {"email": "nope"})
    assert "correct format" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url(consultation, "save/"), {"email": "me@example.org"}).content.decode()
    assert "We have sent a link to me@example.org" in sent
    link = re.search(r"https?://[^\s]+/respond/resume/[^\s/]+/", mail.outbox[-1].body).group(0)
    other = Client()
    path = link.split("testserver", 1)[-1]
    resumed = other.get(path)
    assert resumed.status_code == 302 and resumed["Location"] == url(consultation, "1/")
    again = other.get(url(consultation, "1/")).content.decode()
    assert re.search(rf'value="{yes.pk}"\s+checked', again)


def test_a_save_with_a_required_question_unanswered_is_kept(client, survey):
    consultation = survey["consultation"]
    start(client, consultation)
    assert client.post(url(consultation, "1/"), {"save": "1"})["Location"] == url(consultation, "save/")


def test_sending_with_a_required_question_unanswered_names_the_page(client, survey):
    consultation = survey["consultation"]
    start(client, consultation)
    page = client.post(url(consultation, "finish/"), {}).content.decode()
    assert "Answer the questions that are needed on page 1" in page
    assert Response.objects.get(consultation=consultation).state == ResponseState.DRAFT


def test_in_welsh_the_welsh_texts_are_shown(client, survey):
    consultation = survey["consultation"]
    assert client.post(f"/cy/consultations/{consultation.pk}/respond/")["Location"].startswith("/cy/")
    page = client.get(f"/cy/consultations/{consultation.pk}/respond/1/").content.decode()
    assert "Ydych chi&#39;n cytuno?" in page and "Eich barn" in page and "Dod yn gyngor cydweithredol" in page
    assert Response.objects.get(consultation=consultation).language == "cy"


def test_refusals_are_explained(client, survey):
    closed = ConsultationFactory(closed=True)
    page = client.get(url(closed))
    assert page.status_code == 403 and "closed on" in page.content.decode()
    assert "See the results" in page.content.decode()
    upcoming = ConsultationFactory(upcoming=True)
    assert "opens on" in client.get(url(upcoming)).content.decode()
    signed_in_only = ConsultationFactory(audience=Audience.SIGNED_IN)
    assert "sign in" in client.get(url(signed_in_only)).content.decode()
    assert "/accounts/login/" in client.post(url(signed_in_only))["Location"]


def test_one_response_per_person_refuses_a_second(client, survey):
    consultation = ConsultationFactory(one_response_per_person=True, audience=Audience.SIGNED_IN)
    person = UserFactory()
    page = PageFactory(version=current_version(consultation))
    QuestionFactory(page=page, kind=QuestionKind.SHORT_TEXT)
    client.force_login(person)
    start(client, consultation)
    client.post(url(consultation, "finish/"), {})
    assert Response.objects.get(person=person).state == ResponseState.SUBMITTED
    refused = client.post(url(consultation))
    assert refused.status_code == 403 and "already responded" in refused.content.decode()
    told = client.get(url(consultation))
    assert told.status_code == 403 and "yours has been sent" in told.content.decode()


def test_a_signed_in_person_finds_their_draft_again(client, survey):
    consultation, agree, yes = survey["consultation"], survey["agree"], survey["yes"]
    person = UserFactory()
    client.force_login(person)
    start(client, consultation)
    client.post(url(consultation, "1/"), {f"q{agree.pk}": str(yes.pk)})
    client.logout()
    client.force_login(person)  # a new session: no token
    page = client.get(url(consultation, "save/")).content.decode()
    assert "kept with your account" in page
    assert "Continue your response" in client.get(url(consultation)).content.decode()
    # Back to the furthest page saved, with its answers.
    assert client.post(url(consultation))["Location"] == url(consultation, "1/")


@pytest.mark.parametrize(
    "path",
    [
        "0/",
        "99/",
        "99999999999999999999/",
        "resume/nonsense/",
        "resume/" + "x" * 300 + "/",
        "done/",
        "save/",
        "finish/",
    ],
)
def test_garbage_is_never_a_500(client, survey, path):
    consultation = survey["consultation"]
    assert client.get(url(consultation, path)).status_code in (200, 302, 404)
    start(client, consultation)
    assert client.get(url(consultation, path)).status_code in (200, 302, 404)
    assert client.post(url(consultation, path), {"email": "x" * 400, "junk": "\x00"}).status_code in (
        200,
        302,
        404,
        405,
    )


def test_garbage_answers_are_refused_on_the_page(client, survey):
    consultation, agree = survey["consultation"], survey["agree"]
    start(client, consultation)
    page = client.post(url(consultation, "1/"), {f"q{agree.pk}": "'; drop table"})
    assert page.status_code == 200 and "Select an answer from the list" in page.content.decode()
    page = client.post(url(consultation, "finish/"), {"equality_age_band": "lots", "email": "@"})
    assert page.status_code == 200 and "There is a problem" in page.content.decode()


def test_a_draft_or_hidden_consultation_is_not_found(client):
    assert client.get(url(ConsultationFactory(draft=True))).status_code == 404
    assert client.get("/consultations/999999/respond/").status_code == 404


def test_every_kind_of_question_is_shown_answered_and_checked(client):
    from coproduce.core.tests.factories import PlaceFactory, PostcodeFactory

    ward = PlaceFactory(name="Elmwood")
    PostcodeFactory(postcode="KM1 1AA", ward=ward)
    consultation = ConsultationFactory()
    page = PageFactory(version=current_version(consultation), title="Everything")
    kinds = {}
    for order, kind in enumerate(QuestionKind.values):
        extra = {"options": ("Parks", "Roads", "Bins")} if kind in ("matrix", "ranking") else {}
        kinds[kind] = QuestionFactory(page=page, order=order, kind=kind, text=f"About {kind}?", required=True, **extra)
    start(client, consultation)
    shown = client.get(url(consultation, "1/"))
    html = shown.content.decode()
    assert shown.status_code == 200
    for kind in kinds:
        assert f"About {kind}?" in html
    assert html.count("<fieldset") >= 8  # choices, rating, matrix (and a fieldset per row), ranking, date, place
    assert "Not ranked" in html and 'name="q{}_day"'.format(kinds["date"].pk) in html
    # Every required question left out: each refused beside its own field, linked from the summary.
    refused = client.post(url(consultation, "1/"), {}).content.decode()
    assert refused.count('class="govuk-error-message"') >= 10
    assert f'href="#id_q{kinds["single"].pk}"' in refused
    options = {kind: list(question.options.all()) for kind, question in kinds.items()}
    data = {
        f"q{kinds['short_text'].pk}": "Short",
        f"q{kinds['long_text'].pk}": "Long answer",
        f"q{kinds['single'].pk}": str(options["single"][0].pk),
        f"q{kinds['multiple'].pk}": [str(options["multiple"][1].pk)],
        f"q{kinds['rating'].pk}": "3",
        f"q{kinds['number'].pk}": "7",
        f"q{kinds['date'].pk}_day": "1",
        f"q{kinds['date'].pk}_month": "2",
        f"q{kinds['date'].pk}_year": "2020",
        f"q{kinds['place'].pk}_postcode": "KM1 1AA",
    }
    for option in options["matrix"]:
        data[f"q{kinds['matrix'].pk}_{option.pk}"] = "4"
    for position, option in enumerate(reversed(options["ranking"]), start=1):
        data[f"q{kinds['ranking'].pk}_{option.pk}"] = str(position)
    saved = client.post(url(consultation, "1/"), data)
    assert saved.status_code == 302, saved.content.decode()
    finish = client.get(url(consultation, "finish/")).content.decode()
    for words in ("Short", "Long answer", "Parks: 4", "1. Bins; 2. Roads; 3. Parks", "1 February 2020", "Elmwood", "7"):
        assert words in finish
    assert "Not answered" not in finish
    response = Response.objects.get(consultation=consultation)
    assert response.ward == ward  # the place question says where the respondent lives
    assert client.post(url(consultation, "finish/"), {})["Location"] == url(consultation, "done/")


def test_a_person_the_audience_says_no_to_is_told_why_and_what_to_do(client):
    consultation = ConsultationFactory(audience=Audience.RESIDENTS)
    person = UserFactory()
    client.force_login(person)
    refused = client.post(url(consultation))
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "You cannot respond to this consultation" in page and "Give your address" in page
    assert not Response.objects.exists()
