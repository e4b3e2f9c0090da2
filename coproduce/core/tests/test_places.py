import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from coproduce.core.models import AuditEvent, Place, PlaceKind, Postcode
from coproduce.core.selectors import organisation_directory, ward_for_postcode
from coproduce.core.services import person_update_details

from .factories import OrganisationFactory, PlaceFactory, PostcodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough():
    council_area = Place.objects.create(code="X06000009", name="Borough", kind=PlaceKind.COUNCIL_AREA)
    district = Place.objects.create(code="X07000009", name="North", kind=PlaceKind.DISTRICT, parent=council_area)
    ward = Place.objects.create(code="X05000091", name="Ashby", kind=PlaceKind.WARD, parent=district)
    other = Place.objects.create(code="X05000092", name="Brook", kind=PlaceKind.WARD, parent=district)
    return council_area, district, ward, other


def write(tmp_path, text, name="onspd.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_places_nest_to_any_depth(borough):
    council_area, district, ward, _other = borough
    assert ward.path == "/X06000009/X07000009/X05000091"
    assert set(Place.objects.within(council_area)) == {district, ward, _other}
    assert ward.ancestors() == [council_area, district]


def test_import_onspd_layout_skips_terminated_and_derives_ward(borough, tmp_path):
    *_, ward, other = borough
    path = write(
        tmp_path,
        "pcd,pcd2,pcds,dointr,doterm,osward,oslaua\n"
        "KM1 1AA,KM1  1AA,KM1 1AA,198001,,X05000091,X06000009\n"
        "KM11AB,KM1  1AB,km1 1ab,198001,,X05000092,X06000009\n"
        "KM1 9ZZ,KM1  9ZZ,KM1 9ZZ,198001,200112,X05000091,X06000009\n",
    )
    call_command("import_postcodes", str(path))
    assert dict(Postcode.objects.values_list("postcode", "ward")) == {"KM1 1AA": ward.pk, "KM1 1AB": other.pk}
    assert ward_for_postcode("km11aa") == ward
    assert AuditEvent.objects.filter(action="postcodes.import").count() == 1


def test_import_2025_onspd_headers(borough, tmp_path):
    *_, ward, _other = borough
    path = write(tmp_path, "pcd7,pcd8,pcds,doterm,lad25cd,wd25cd\nKM2 2AB,KM2  2AB,KM2 2AB,,X06000009,X05000091\n")
    call_command("import_postcodes", str(path))
    assert Postcode.objects.get().ward == ward


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pcds,osward\nKM1 1AA,X05000091\nNOT A CODE,X05000091\n", "onspd.csv:3: “NOT A CODE” is not a UK postcode"),
        ("pcds,osward\nKM1 1AA,X05000091\nKM1 1AB,E05999999\n", "onspd.csv:3: ward code “E05999999”"),
        ("pcds,osward\nKM1 1AA,X05000091,extra\n", "onspd.csv:2: this row has more fields"),
        ("postcode_only\nKM1 1AA\n", "onspd.csv:1: the header needs"),
        ("", "onspd.csv:1: the file is empty"),
    ],
)
def test_malformed_postcode_file_names_the_line_and_imports_nothing(borough, tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as error:
        call_command("import_postcodes", str(path))
    assert message in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert not Postcode.objects.exists()


def test_unknown_postcode_is_a_clear_error_and_writes_nothing():
    person = UserFactory(postcode="")
    PostcodeFactory(postcode="KM3 3AA")
    with pytest.raises(ValidationError) as error:
        person_update_details(
            person=person,
            full_name="New Name",
            address="",
            postcode="KM9 9ZZ",
            preferred_language="cy",
            access_needs=[],
        )
    assert error.value.messages[0] == "KM9 9ZZ is not in the council's area"  # no council set up here
    person.refresh_from_db()
    assert (person.full_name != "New Name", person.postcode, person.preferred_language) == (True, "", "en")
    with pytest.raises(ValidationError, match="real postcode"):
        ward_for_postcode("12345")


def test_resident_ward_is_derived_from_postcode():
    postcode = PostcodeFactory(postcode="KM3 3AA")
    person = person_update_details(
        person=UserFactory(),
        full_name="Nia",
        address="3 Road",
        postcode="km33aa",
        preferred_language="cy",
        access_needs=["bsl", "large_print"],
    )
    person.refresh_from_db()
    assert (person.postcode, person.ward) == ("KM3 3AA", postcode.ward)
    assert person.access_need_labels() == ["British Sign Language", "Large print"]


def test_directory_for_a_ward_includes_organisations_serving_the_district_and_borough(
    borough, django_assert_num_queries
):
    council_area, district, ward, other = borough
    borough_wide = OrganisationFactory(area=council_area)
    district_wide = OrganisationFactory(area=district)
    in_ward = OrganisationFactory(area=ward)
    OrganisationFactory(area=other)
    OrganisationFactory(area=ward, is_public=False)
    with django_assert_num_queries(1):
        assert set(organisation_directory(ward=ward)) == {borough_wide, district_wide, in_ward}
    for _ in range(20):
        OrganisationFactory(area=PlaceFactory(parent=district))
    with django_assert_num_queries(1):
        rows = list(organisation_directory())
        assert len(rows) == 24
        assert all(row.area is not None for row in rows)  # select_related: no query per row
