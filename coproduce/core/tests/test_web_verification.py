"""Officers' verification pages, and the pages every public service has (privacy, accessibility, cookies, feedback)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from coproduce.core.models import AuditEvent, Feedback, LetterBatch, LetterCode, ResidentList, RoleKind
from coproduce.core.services import letter_request
from coproduce.core.verification import VerificationLevel

from .factories import OrganisationFactory, RoleFactory, UserFactory
from .residents import CouncilFactory, ResidentFactory, officer_of, sign_in_with_mfa, ward_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory(name="Kingsmere Borough Council", slug="kingsmere")


@pytest.fixture
def ward(council):
    return ward_in(council, name="Ashby Green")


@pytest.fixture
def officer(client, council):
    person = officer_of(council)
    sign_in_with_mfa(client, person)
    return person


OFFICER_PAGES = [
    "/councils/kingsmere/verification/",
    "/councils/kingsmere/verification/letters/",
    "/councils/kingsmere/verification/in-person/",
    "/councils/kingsmere/verification/lists/",
    "/feedback/received/",
]


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_officer_pages_open_for_the_councils_officer(client, council, officer, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_officer_pages_are_refused_to_others(client, council, path):
    assert client.get(path).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(path).status_code == 403
    secretary = RoleFactory(organisation=OrganisationFactory(), kind=RoleKind.SECRETARY).person
    sign_in_with_mfa(client, secretary)
    assert client.get(path).status_code == 403
    sign_in_with_mfa(client, officer_of(CouncilFactory()))  # an officer of another council
    if "/councils/" in path:
        assert client.get(path).status_code == 403


def test_an_officer_makes_and_downloads_a_batch_of_letters(
    client, council, ward, officer, django_capture_on_commit_callbacks
):
    for name in ("Rhian Resident", "Gwen Jones"):
        letter_request(person=ResidentFactory(ward=ward, full_name=name))
    page = client.get("/councils/kingsmere/verification/letters/").content.decode()
    assert "2 residents are waiting for a letter" in page and "Gwen Jones" in page

    # The PDF is made by a task once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/councils/kingsmere/verification/letters/")

    batch = LetterBatch.objects.get()
    assert response.url == f"/councils/kingsmere/verification/letters/{batch.pk}/"
    html = client.get(response.url).content.decode()
    assert "Ready to print" in html and f"/letters/{batch.pk}/pdf/" in html
    pdf = client.get(f"/councils/kingsmere/verification/letters/{batch.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Rhian Resident" in text and "Gwen Jones" in text
    assert AuditEvent.objects.filter(action="letters.batch_download", actor=officer).exists()
    assert not LetterCode.objects.awaiting_letter().exists()
    again = client.post("/councils/kingsmere/verification/letters/", follow=True).content.decode()
    assert "Nobody is waiting for a letter." in again


def test_an_officer_finds_a_resident_and_records_an_in_person_check(client, council, ward, officer):
    person = ResidentFactory(ward=ward, full_name="Rhian Resident")
    ResidentFactory(full_name="Rhian Elsewhere")  # not in the council's area
    short = client.get("/councils/kingsmere/verification/in-person/?q=rh").content.decode()
    assert "Enter at least 3 characters" in short and 'href="#id_q"' in short
    found = client.get("/councils/kingsmere/verification/in-person/?q=rhian").content.decode()
    assert "Rhian Resident" in found and "Rhian Elsewhere" not in found
    record = f"/councils/kingsmere/verification/in-person/{person.pk}/"
    errors = client.post(record, {}).content.decode()
    assert "Select what you saw" in errors and "Confirm that the name and address match" in errors
    assert 'href="#id_seen"' in errors and 'href="#id_confirm"' in errors
    response = client.post(record, {"seen": ["council_tax", "utility_bill"], "notes": "", "confirm": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.CHECKED
    outsider = ResidentFactory(full_name="Out Side")
    assert client.get(f"/councils/kingsmere/verification/in-person/{outsider.pk}/").status_code == 404


def test_an_officer_uploads_a_list_and_deletes_it(client, council, ward, officer):
    person = ResidentFactory(ward=ward, full_name="Alys Evans")
    delete_on = timezone.localdate() + timedelta(days=90)
    upload = SimpleUploadedFile("register.csv", f"name,postcode\nAlys Evans,{person.postcode}\n".encode())
    response = client.post(
        "/councils/kingsmere/verification/lists/",
        {
            "name": "Register extract",
            "file": upload,
            "delete_on_day": delete_on.day,
            "delete_on_month": delete_on.month,
            "delete_on_year": delete_on.year,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "The list has 1 entry. 1 resident was verified." in html or "1 residents were verified" in html
    assert "Register extract" in html
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.CONFIRMED
    resident_list = ResidentList.objects.get()
    client.post(f"/councils/kingsmere/verification/lists/{resident_list.pk}/delete/")
    assert not ResidentList.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name for the list"),
        ({"file": None}, "file", "Select a CSV file"),
        ({"delete_on_year": ""}, "delete_on_year", "must include a year"),
        ({"delete_on_year": "2000"}, "file", "in the future"),
        ({"file": b"surname\nJones\n"}, "file", "first row must name"),
    ],
)
def test_list_upload_errors_are_shown_on_the_page(client, council, officer, data, field, message):
    delete_on = timezone.localdate() + timedelta(days=90)
    post = {
        "name": "Register",
        "file": b"name,postcode\nA B,KM1 1AA\n",
        "delete_on_day": delete_on.day,
        "delete_on_month": delete_on.month,
        "delete_on_year": delete_on.year,
        **data,
    }
    if post["file"] is None:
        del post["file"]
    else:
        post["file"] = SimpleUploadedFile("list.csv", post["file"])
    response = client.post("/councils/kingsmere/verification/lists/", post)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html and f'href="#id_{field}"' in html
    assert not ResidentList.objects.exists()


# --- Pages every public service has ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headings"),
    [
        ("/privacy/", ["What we hold and why", "Lawful basis", "How long we keep it", "Your rights", "erased"]),
        (
            "/accessibility/",
            [
                "How accessible this website is",
                "What to do if you cannot access parts of this website",
                "Reporting accessibility problems with this website",
                "Enforcement procedure",
                "Technical information about this website",
                "Compliance status",
                "What we're doing to improve accessibility",
                "Preparation of this accessibility statement",
            ],
        ),
        ("/cookies/", ["sessionid", "csrftoken", "django_language", "essential"]),
    ],
)
def test_information_pages_say_what_they_must_and_are_in_the_footer(client, path, headings):
    html = client.get(path).content.decode().replace("&#39;", "'")
    for heading in headings:
        assert heading in html
    assert f'class="govuk-footer__link" href="{path}"' in client.get("/").content.decode()


def test_the_phase_banner_links_to_the_feedback_form_with_the_page(client):
    html = client.get("/organisations/").content.decode()
    assert 'href="/feedback/?page=/organisations/"' in html


def test_feedback_is_stored_and_officers_read_it(client, council):
    form = client.get("/feedback/?page=/organisations/").content.decode()
    assert 'value="/organisations/"' in form
    errors = client.post("/feedback/", {"improve": "x"}).content.decode()
    assert "Select how you feel about the service" in errors and 'href="#id_satisfaction"' in errors
    response = client.post(
        "/feedback/", {"satisfaction": "dissatisfied", "improve": "The map is hard to use", "page": "/organisations/"}
    )
    assert response.url == "/organisations/"
    feedback = Feedback.objects.get()
    assert feedback.person is None and feedback.page == "/organisations/" and feedback.language == "en"
    # A page outside the site is dropped, not followed.
    client.post("/feedback/", {"satisfaction": "satisfied", "page": "https://evil.example/"})
    assert Feedback.objects.order_by("-id").first().page == ""
    sign_in_with_mfa(client, officer_of(council))
    html = client.get("/feedback/received/").content.decode()
    assert "The map is hard to use" in html and "Dissatisfied" in html
