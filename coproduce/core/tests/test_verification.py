"""Verification services and selectors: declaration, posted codes, in person, uploaded lists."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from coproduce.core import registry, selectors, services
from coproduce.core.models import (
    AuditEvent,
    LetterBatch,
    LetterBatchStatus,
    LetterCode,
    ResidentList,
    ResidentListEntry,
    RoleKind,
    Verification,
)
from coproduce.core.verification import (
    CODE_MAX_ATTEMPTS,
    VerificationLevel,
    hash_letter_code,
    normalise_name,
    resident_list_key,
)

from .factories import OrganisationFactory, PlaceFactory, PostcodeFactory, RoleFactory, UserFactory
from .residents import CouncilFactory, ResidentFactory, officer_of, ward_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory(name="Kingsmere Borough Council")


@pytest.fixture
def ward(council):
    return ward_in(council, name="Ashby Green")


@pytest.fixture
def officer(council):
    return officer_of(council)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def make_letters(council, officer) -> LetterBatch:
    """Create a batch and run its task (the tests' task backend runs it when the transaction commits)."""
    batch = services.letter_batch_create(council=council, actor=officer, base_url="https://coproduce.example/")
    return services.letter_batch_render(batch_id=batch.pk, base_url="https://coproduce.example/")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def codes_in(text: str) -> list[str]:
    return re.findall(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b", text)


# --- Registry ---------------------------------------------------------------------------------


def test_the_built_in_methods_are_registered_with_ordered_levels():
    levels = {method.code: method.level for method in registry.verification_methods()}
    assert levels == {"self_declared": 10, "letter": 20, "resident_list": 20, "in_person": 30}


def test_a_plugged_in_method_records_verifications_at_its_level(ward):
    registry.register_verification_method(registry.VerificationMethod("one_login", "One Login", 25))
    try:
        person = ResidentFactory(ward=ward)
        services.person_verify(person=person, method="one_login", actor=None)
        person.refresh_from_db()
        assert person.verification_level == 25
    finally:
        registry._verification_methods.pop("one_login")


# --- Declaration ------------------------------------------------------------------------------


def test_declaring_sets_the_lowest_level_and_is_audited(ward):
    person = ResidentFactory(ward=ward)
    services.person_declare_address(person=person)
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.DECLARED
    assert actions() == ["verification.record"]
    with pytest.raises(ValidationError, match="already confirmed"):
        services.person_declare_address(person=person)


def test_nobody_is_verified_without_an_address():
    with pytest.raises(ValidationError, match="Give your address"):
        services.person_declare_address(person=UserFactory(postcode="", ward=None))


def test_moving_ends_verification_and_cancels_letters(ward):
    person = ResidentFactory(ward=ward, full_name="Rhian Resident")
    services.person_verify(person=person, method="in_person", actor=None)
    other = PostcodeFactory(ward=ward)
    letter = LetterCode.objects.create(person=person, postcode=person.postcode)
    services.person_update_details(
        person=person,
        full_name="Rhian Resident",
        address="2 New Road\nKingsmere",
        postcode=other.postcode,
        preferred_language="en",
        access_needs=[],
    )
    person.refresh_from_db()
    letter.refresh_from_db()
    assert person.verification_level == VerificationLevel.NONE
    assert Verification.objects.get(person=person).ended_reason == "address changed"
    assert letter.cancelled_at is not None


def test_changing_only_the_language_keeps_verification(ward):
    person = ResidentFactory(ward=ward)
    services.person_verify(person=person, method="in_person", actor=None)
    services.person_update_details(
        person=person,
        full_name=person.full_name,
        address=person.address,
        postcode=person.postcode,
        preferred_language="cy",
        access_needs=["large_print"],
    )
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.CHECKED


def test_date_of_birth_is_kept_unless_given_and_refused_in_the_future(ward):
    person = ResidentFactory(ward=ward, date_of_birth=timezone.localdate() - timedelta(days=7000))
    details = {
        "full_name": "A",
        "address": person.address,
        "postcode": person.postcode,
        "preferred_language": "en",
        "access_needs": [],
    }
    services.person_update_details(person=person, **details)
    person.refresh_from_db()
    assert person.date_of_birth is not None
    with pytest.raises(ValidationError, match="in the past"):
        services.person_update_details(person=person, date_of_birth=timezone.localdate() + timedelta(days=1), **details)


# --- Letters ----------------------------------------------------------------------------------


def test_a_letter_request_is_refused_twice_and_without_an_address(ward):
    person = ResidentFactory(ward=ward)
    services.letter_request(person=person)
    with pytest.raises(ValidationError, match="already asked"):
        services.letter_request(person=person)
    with pytest.raises(ValidationError, match="full address"):
        services.letter_request(person=UserFactory(postcode="", ward=None))


def test_letters_pdf_holds_each_code_and_name_in_the_residents_language(council, ward, officer):
    english = ResidentFactory(ward=ward, full_name="Rhian Resident", preferred_language="en")
    welsh = ResidentFactory(ward=ward, full_name="Gwenllian Jones", preferred_language="cy")
    outside = ResidentFactory(ward=PlaceFactory(), full_name="Oswald Outside")
    for person in (english, welsh, outside):
        services.letter_request(person=person)

    batch = make_letters(council, officer)

    assert batch.status == LetterBatchStatus.READY and batch.letter_count == 2
    reader = PdfReader(io.BytesIO(bytes(batch.pdf)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 2  # one letter a page, one PDF for the batch
    english_page = next(page for page in pages if "Rhian Resident" in page)
    welsh_page = next(page for page in pages if "Gwenllian Jones" in page)
    assert "Oswald Outside" not in "".join(pages)  # not the council's resident
    # The Welsh letter sends its reader to the Welsh page; the English one to the English page.
    assert "coproduce.example/cy/verify/code/" in welsh_page
    assert "coproduce.example/verify/code/" in english_page and "/cy/" not in english_page
    # Each printed code is the one stored (hashed) for that person.
    for person, page in ((english, english_page), (welsh, welsh_page)):
        [code] = codes_in(page)
        assert LetterCode.objects.get(person=person).code_hash == hash_letter_code(code)
    assert "letters.batch_ready" in actions()


def test_the_code_from_the_pdf_verifies_the_resident_once(council, ward, officer):
    person = ResidentFactory(ward=ward, full_name="Rhian Resident")
    services.letter_request(person=person)
    [code] = codes_in(pdf_text(bytes(make_letters(council, officer).pdf)))

    services.letter_code_enter(person=person, code=code.lower().replace("-", " "))  # typed loosely

    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.CONFIRMED
    assert Verification.objects.get(person=person).method == "letter"
    with pytest.raises(ValidationError, match="no code"):
        services.letter_code_enter(person=person, code=code)


def test_wrong_codes_are_counted_and_lock_the_letter(council, ward, officer):
    person = ResidentFactory(ward=ward)
    services.letter_request(person=person)
    [code] = codes_in(pdf_text(bytes(make_letters(council, officer).pdf)))
    for attempt in range(1, CODE_MAX_ATTEMPTS + 1):
        with pytest.raises(ValidationError) as refused:
            services.letter_code_enter(person=person, code="AAAA-AAAA")
        assert LetterCode.objects.get(person=person).attempts == attempt  # kept although refused
    assert "no tries left" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="no code"):
        services.letter_code_enter(person=person, code=code)  # even the right code is now refused
    assert actions().count("letter.code_wrong") == CODE_MAX_ATTEMPTS


def test_an_expired_code_is_refused(council, ward, officer):
    person = ResidentFactory(ward=ward)
    services.letter_request(person=person)
    [code] = codes_in(pdf_text(bytes(make_letters(council, officer).pdf)))
    LetterCode.objects.filter(person=person).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="no code"):
        services.letter_code_enter(person=person, code=code)


def test_a_batch_with_nobody_waiting_is_refused(council, officer):
    with pytest.raises(ValidationError, match="Nobody is waiting"):
        services.letter_batch_create(council=council, actor=officer, base_url="https://x/")


def test_creating_a_batch_runs_the_task_on_commit(council, ward, officer, django_capture_on_commit_callbacks):
    services.letter_request(person=ResidentFactory(ward=ward))
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.letter_batch_create(council=council, actor=officer, base_url="https://x/")
    batch.refresh_from_db()
    assert batch.status == LetterBatchStatus.READY
    assert bytes(batch.pdf).startswith(b"%PDF")


def test_a_failed_render_marks_the_batch_and_leaves_residents_waiting(council, ward, officer, monkeypatch):
    person = ResidentFactory(ward=ward)
    services.letter_request(person=person)
    batch = services.letter_batch_create(council=council, actor=officer, base_url="https://x/")

    def broken(**kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("coproduce.core.letters.render_letters_pdf", broken)
    with pytest.raises(RuntimeError):
        services.letter_batch_render(batch_id=batch.pk, base_url="https://x/")
    batch.refresh_from_db()
    assert batch.status == LetterBatchStatus.FAILED
    assert LetterCode.objects.awaiting_letter().filter(person=person).exists()


def test_expired_letter_pdfs_are_cleared(council, ward, officer):
    services.letter_request(person=ResidentFactory(ward=ward))
    batch = make_letters(council, officer)
    assert services.letter_batches_clear_expired() == 0
    assert services.letter_batches_clear_expired(now=timezone.now() + timedelta(days=43)) == 1
    batch.refresh_from_db()
    assert batch.pdf is None


# --- In person --------------------------------------------------------------------------------


def test_an_officer_records_an_in_person_check_with_what_was_seen(council, ward, officer):
    person = ResidentFactory(ward=ward)
    verification = services.person_verify_in_person(
        person=person, council=council, actor=officer, seen=["council_tax", "tenancy"], notes="Ashby library"
    )
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.CHECKED
    assert verification.verified_by == officer
    assert verification.evidence == "Council tax bill; Tenancy agreement; Ashby library"
    event = AuditEvent.objects.get(action="verification.record")
    assert event.organisation == council and event.actor == officer


@pytest.mark.parametrize(
    ("case", "error"),
    [("self", "cannot verify yourself"), ("outside", "does not live"), ("nothing", "Select what you saw")],
)
def test_in_person_checks_that_cannot_be_recorded(council, ward, officer, case, error):
    person = {
        "self": officer,
        "outside": ResidentFactory(ward=PlaceFactory()),
        "nothing": ResidentFactory(ward=ward),
    }[case]
    if case == "self":
        officer.ward, officer.postcode = ward, PostcodeFactory(ward=ward).postcode
        officer.save()
    with pytest.raises(ValidationError, match=error):
        services.person_verify_in_person(
            person=person, council=council, actor=officer, seen=[] if case == "nothing" else ["other"]
        )


# --- Uploaded lists ---------------------------------------------------------------------------


def test_names_are_normalised_for_matching():
    assert normalise_name("  Siân  O'Brien-Jones ") == normalise_name("SIAN OBRIEN JONES") == "sian obrien jones"


def test_an_uploaded_list_keeps_only_keys_and_verifies_the_residents_on_it(council, ward, officer):
    on_list = ResidentFactory(ward=ward, full_name="Siân O'Brien")
    elsewhere = ResidentFactory(ward=ward, full_name="Not Listed")
    csv = (
        "Surname,First name,Address,Postcode\n"
        f"O'Brien,SIAN,1 Test Street,{on_list.postcode.replace(' ', '').lower()}\n"
        "Other,Person,3 High Street,KM9 9ZZ\n"
    ).encode()
    resident_list = services.resident_list_upload(
        council=council,
        actor=officer,
        name="Register extract",
        content=csv,
        delete_on=timezone.localdate() + timedelta(days=30),
    )
    assert resident_list.entry_count == 2 and resident_list.matched == 1
    keys = set(ResidentListEntry.objects.values_list("key", flat=True))
    assert resident_list_key("Siân O'Brien", on_list.postcode) in keys
    # Minimised: nothing of the file (names, addresses) is stored.
    assert not any("Brien" in key or "High Street" in key for key in keys)
    on_list.refresh_from_db()
    elsewhere.refresh_from_db()
    assert on_list.verification_level == VerificationLevel.CONFIRMED
    assert elsewhere.verification_level == VerificationLevel.NONE
    assert actions() == ["resident_list.upload", "verification.record"]


def test_a_resident_who_gives_details_later_is_matched_against_a_current_list(council, ward, officer):
    postcode = PostcodeFactory(ward=ward).postcode
    services.resident_list_upload(
        council=council,
        actor=officer,
        name="Register",
        content=f"name,postcode\nAlys Evans,{postcode}\n".encode(),
        delete_on=timezone.localdate() + timedelta(days=30),
    )
    person = UserFactory(postcode="", ward=None)
    services.person_update_details(
        person=person,
        full_name="Alys Evans",
        address="5 Lane\nKingsmere",
        postcode=postcode,
        preferred_language="en",
        access_needs=[],
    )
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.CONFIRMED


@pytest.mark.parametrize(
    ("content", "days", "error"),
    [
        (b"name,postcode\nA B,KM1 1AA\n", 0, "in the future"),
        (b"name,postcode\nA B,KM1 1AA\n", 401, "no more than 400 days"),
        (b"name,town\nA B,Kingsmere\n", 30, "first row must name"),
        (b"name,postcode\nA B,not a postcode\n", 30, "Row 2"),
        (b"name,postcode\n", 30, "no names"),
        ("name,postcode\nA B,KM1 1AA\n".encode("utf-16"), 30, "UTF-8"),
    ],
)
def test_a_bad_list_is_refused_and_nothing_is_kept(council, officer, content, days, error):
    with pytest.raises(ValidationError, match=error):
        services.resident_list_upload(
            council=council,
            actor=officer,
            name="Bad",
            content=content,
            delete_on=timezone.localdate() + timedelta(days=days),
        )
    assert not ResidentList.objects.exists() and not ResidentListEntry.objects.exists()


def test_expired_lists_are_deleted_by_the_command(council, officer):
    keep = services.resident_list_upload(
        council=council,
        actor=officer,
        name="Keep",
        content=b"name,postcode\nA B,KM1 1AA\n",
        delete_on=timezone.localdate() + timedelta(days=2),
    )
    expire = services.resident_list_upload(
        council=council,
        actor=officer,
        name="Expire",
        content=b"name,postcode\nC D,KM1 1AB\n",
        delete_on=timezone.localdate() + timedelta(days=1),
    )
    ResidentList.objects.filter(pk=expire.pk).update(delete_on=timezone.localdate())
    out = io.StringIO()
    call_command("delete_expired_verification_data", stdout=out)
    assert list(ResidentList.objects.values_list("name", flat=True)) == ["Keep"]
    assert ResidentListEntry.objects.filter(resident_list=keep).count() == 1
    assert ResidentListEntry.objects.count() == 1
    assert "Deleted 1 resident list" in out.getvalue()
    assert AuditEvent.objects.filter(action="resident_list.delete", summary__contains="Expire").exists()


def test_the_expiry_task_deletes_lists_too(council, officer):
    services.resident_list_upload(
        council=council,
        actor=officer,
        name="Old",
        content=b"name,postcode\nA B,KM1 1AA\n",
        delete_on=timezone.localdate() + timedelta(days=1),
    )
    ResidentList.objects.update(delete_on=timezone.localdate() - timedelta(days=1))
    from coproduce.core.tasks import delete_expired_verification_data

    result = delete_expired_verification_data.enqueue()
    assert result.return_value == {"lists": 1, "letter_batches": 0}
    assert not ResidentList.objects.exists()


# --- Selectors authorise ------------------------------------------------------------------------


def test_only_the_councils_current_officers_reach_its_verification(council, ward, officer):
    other_council = CouncilFactory()
    trust = OrganisationFactory()
    secretary = RoleFactory(organisation=trust, kind=RoleKind.SECRETARY).person
    officer_of_a_trust = RoleFactory(organisation=trust, kind=RoleKind.OFFICER).person
    ResidentFactory(ward=ward, full_name="Rhian Resident")
    assert [p.full_name for p in selectors.residents_find(user=officer, council=council, query="rhian")] == [
        "Rhian Resident"
    ]
    for user in (secretary, officer_of_a_trust, officer_of(other_council), UserFactory()):
        with pytest.raises(PermissionDenied):
            selectors.residents_find(user=user, council=council, query="rhian")
        with pytest.raises(PermissionDenied):
            selectors.letters_awaiting(user=user, council=council)
        with pytest.raises(PermissionDenied):
            selectors.resident_lists(user=user, council=council)
    role = officer.roles.get()
    services.role_end(role=role, actor=None)
    with pytest.raises(PermissionDenied):
        selectors.letter_batches(user=officer, council=council)


def test_a_trust_is_not_a_council_even_for_its_officer():
    trust = OrganisationFactory(slug="trust")
    officer = RoleFactory(organisation=trust, kind=RoleKind.OFFICER).person
    with pytest.raises((PermissionDenied, Http404)):
        selectors.council_for_officer(user=officer, slug="trust")


def test_feedback_is_read_by_council_officers_only(council, officer):
    services.feedback_give(person=None, satisfaction="satisfied", improve="More Welsh")
    assert [f.improve for f in selectors.feedback_received(user=officer)] == ["More Welsh"]
    with pytest.raises(PermissionDenied):
        selectors.feedback_received(user=RoleFactory(kind=RoleKind.SECRETARY).person)
