"""The council's census figures page: officers upload figures per ward for the equality bank's
questions (consultations and panels compare who took part with them) and see what is held."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coproduce.core.models import AuditEvent, CensusFigure

from .factories import UserFactory
from .residents import CouncilFactory, officer_of, sign_in_with_mfa, ward_in

pytestmark = pytest.mark.django_db

URL = "/councils/kingsmere/programme/census/"


@pytest.fixture
def council():
    return CouncilFactory(name="Kingsmere Borough Council", slug="kingsmere")


@pytest.fixture
def ward(council):
    return ward_in(council, name="Ashby Green", code="X05000001", kind="ward")


def _upload(text: str, name: str = "census-2021.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_an_officer_imports_census_figures_and_sees_them_per_ward(client, council, ward):
    officer = officer_of(council)
    sign_in_with_mfa(client, officer)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "No census figures are held" in html
    assert "ethnicity" in html and "asian" in html  # the keys to use are listed
    programme = client.get("/councils/kingsmere/programme/").content.decode()
    assert URL in programme

    text = "ward_code,question,category,count\nX05000001,ethnicity,asian,1520\nX05000001,ethnicity,white,4000\n"
    text += "X05000001,sex,female,2800\n"
    response = client.post(URL, {"file": _upload(text)})
    assert response.status_code == 302 and response.url == URL
    assert CensusFigure.objects.get(place=ward, question="ethnicity", category="asian").count == 1520
    assert AuditEvent.objects.get(action="census.import").actor == officer
    html = client.get(URL).content.decode()
    assert "3 census figures imported." in html
    assert "Ashby Green" in html and "X05000001" in html
    assert "Ethnic group: 5,520" in html and "Sex: 2,800" in html

    # A second file replaces a figure rather than adding to it.
    client.post(URL, {"file": _upload("ward_code,question,category,count\nX05000001,ethnicity,asian,1600\n")})
    assert CensusFigure.objects.get(place=ward, question="ethnicity", category="asian").count == 1600
    assert CensusFigure.objects.count() == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ward_code,question,category,count\nX05000001,ethnicity,martian,3\n", "census-2021.csv, line 2: "),
        ("ward_code,question,category,count\nX05000001,ethnicity,asian,many\n", "the count “many” is not a whole"),
        ("ward_code,question,category,count\nX05999999,sex,male,3\n", "ward code “X05999999” is not one of"),
        ("ward,what\nX05000001,3\n", "census-2021.csv, line 1: the header must be"),
        ("ward_code,question,category,count\n", "the file has no figures"),
    ],
)
def test_a_bad_census_file_is_an_error_on_the_page_and_nothing_is_imported(client, council, ward, text, message):
    sign_in_with_mfa(client, officer_of(council))
    response = client.post(URL, {"file": _upload(text)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and 'href="#id_file"' in html
    assert message in html and "Nothing was imported." in html
    assert not CensusFigure.objects.exists()


def test_no_file_or_binary_garbage_is_an_error_not_a_crash(client, council, ward):
    sign_in_with_mfa(client, officer_of(council))
    assert "Select a CSV file" in client.post(URL, {}).content.decode()
    garbage = SimpleUploadedFile("x.csv", b"ward_code,question,category,count\n\xff\xfe\x00garbage\n")
    response = client.post(URL, {"file": garbage})
    assert response.status_code == 200 and "Nothing was imported." in response.content.decode()
    assert not CensusFigure.objects.exists()


def test_another_councils_wards_and_people_without_the_role_are_refused(client, council, ward):
    elsewhere = ward_in(CouncilFactory(), code="X05000099")
    sign_in_with_mfa(client, officer_of(council))
    html = client.post(
        URL, {"file": _upload(f"ward_code,question,category,count\n{elsewhere.code},sex,male,5\n")}
    ).content.decode()
    assert "is not one of this council" in html
    assert not CensusFigure.objects.exists()

    client.force_login(UserFactory())
    assert client.get(URL).status_code in (403, 404)
    upload = _upload("ward_code,question,category,count\nX05000001,sex,male,5\n")
    assert client.post(URL, {"file": upload}).status_code in (403, 404)
    assert not CensusFigure.objects.exists()
