"""The officers' pages of a panel up to the selection: setting it up, importing addresses (a bad
file refused with its line), drawing and downloading the letters, targets from the census,
registrations and registering by phone, sessions, attendance and payments; bad input refused on
the page with nothing written, two-factor sign-in required, strangers refused, never a 500."""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coproduce.core.models import AuditEvent, CensusFigure, OrganisationKind, PlaceKind, RoleKind
from coproduce.core.tests.factories import (
    OrganisationFactory,
    PlaceFactory,
    PostcodeFactory,
    RoleFactory,
    UserFactory,
    sign_in_with_mfa,
)
from coproduce.panels.models import (
    Address,
    Attendance,
    Invitation,
    Panel,
    Payment,
    Registrant,
    RegistrantStatus,
    Session,
    Stage,
    Target,
)
from coproduce.panels.tests.factories import (
    AddressFactory,
    InvitationFactory,
    PanelFactory,
    RegistrantFactory,
    SessionFactory,
    TargetFactory,
    registration_dates,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _readable_pages(monkeypatch):
    """Read pages as people do (HTML entities turned back into characters)."""
    from django.http import HttpResponse

    monkeypatch.setattr(HttpResponse, "text", property(lambda response: html.unescape(response.content.decode())))


@pytest.fixture
def borough():
    return PlaceFactory(code="X06000091", name="Kingsmere", kind=PlaceKind.COUNCIL_AREA)


@pytest.fixture
def elmwood(borough):
    return PlaceFactory(code="X05000091", name="Elmwood", name_cy="Coed Llwyf", kind=PlaceKind.WARD, parent=borough)


@pytest.fixture
def ashby(borough):
    return PlaceFactory(code="X05000092", name="Ashby", kind=PlaceKind.WARD, parent=borough)


@pytest.fixture
def council(borough):
    return OrganisationFactory(kind=OrganisationKind.COUNCIL, name="Kingsmere Council", slug="kingsmere", area=borough)


@pytest.fixture
def officer(council):
    return RoleFactory(organisation=council, kind=RoleKind.OFFICER, person__full_name="Olu Officer").person


@pytest.fixture
def panel(council, borough, elmwood, ashby):
    return PanelFactory(
        organisation=council,
        place=borough,
        stage=Stage.DRAFT,
        size=4,
        categories=["sex", "ward"],
        title="Climate panel",
    )


def _date(prefix: str, when: datetime.datetime, time: bool = True) -> dict[str, str]:
    if isinstance(when, datetime.datetime):
        when = timezone.localtime(when)
    data = {f"{prefix}_day": str(when.day), f"{prefix}_month": str(when.month), f"{prefix}_year": str(when.year)}
    if time:
        data[f"{prefix}_time"] = when.strftime("%H:%M")
    return data


def _panel_form(where, **changes) -> dict:
    now = timezone.now().replace(second=0, microsecond=0)
    data = {
        "title": "Kingsmere climate panel",
        "title_cy": "Panel hinsawdd Kingsmere",
        "purpose": "What should Kingsmere do about the climate?",
        "place": str(where.pk),
        "size": "100",
        "categories": ["sex", "age_band", "ward"],
        "one_selected_per_household": "on",
        "algorithm": "leximin",
        "payment_policy": "£150 for taking part.",
        "benefits_guidance": "Tell the benefits office.",
        **_date("registration_opens", now + 10 * DAY),
        **_date("registration_closes", now + 40 * DAY),
    }
    data.update(changes)
    return data


# --- Who may use the pages ----------------------------------------------------------------------------


def _urls(panel) -> list[str]:
    pk = panel.pk
    return [
        "/panels/manage/kingsmere/",
        "/panels/manage/kingsmere/new/",
        f"/panels/{pk}/manage/",
        f"/panels/{pk}/manage/edit/",
        f"/panels/{pk}/manage/addresses/",
        f"/panels/{pk}/manage/letters/",
        f"/panels/{pk}/manage/targets/",
        f"/panels/{pk}/manage/registrants/",
        f"/panels/{pk}/manage/registrants/phone/",
        f"/panels/{pk}/manage/selection/",
        f"/panels/{pk}/manage/members/",
        f"/panels/{pk}/manage/sessions/",
        f"/panels/{pk}/manage/payments/",
    ]


def test_officers_pages_need_two_factor_sign_in(client, panel, officer):
    client.force_login(officer)  # a password alone
    for url in _urls(panel):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp")), url
    refused = client.post("/panels/manage/kingsmere/new/", _panel_form(panel.place))
    assert refused.status_code == 302 and "/accounts/2fa/" in refused["Location"]
    assert Panel.objects.count() == 1


@pytest.mark.parametrize("stage", [Stage.DRAFT, Stage.SELECTING, Stage.PUBLISHED])
def test_every_page_opens_for_the_officer_in_english_and_welsh(client, panel, officer, elmwood, stage):
    Panel.objects.filter(pk=panel.pk).update(stage=stage, progress="Drawing the panel")
    panel.welsh_wards.add(elmwood)
    RegistrantFactory(panel=panel, status=RegistrantStatus.CONFIRMED, features={"sex": "female"})
    TargetFactory(panel=panel, feature="sex", value="female", minimum=1, maximum=2)
    sign_in_with_mfa(client, officer)
    for url in _urls(panel):
        for prefix in ("", "/cy"):
            response = client.get(prefix + url)
            assert response.status_code == 200, prefix + url
            assert "Climate panel" in response.text or "Kingsmere Council" in response.text, url
    assert "Coed Llwyf" in client.get(f"/cy/panels/{panel.pk}/manage/").text


def test_strangers_and_other_councils_are_refused_and_hidden_councils_are_not_found(client, panel, council):
    resident = UserFactory()
    other = RoleFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.COUNCIL, slug="elsewhere"), kind=RoleKind.OFFICER
    ).person
    for person in (resident, other):
        client.logout()
        sign_in_with_mfa(client, person)
        for url in _urls(panel):
            assert client.get(url).status_code == 403, (person, url)
        assert client.post(f"/panels/{panel.pk}/manage/selection/", {"action": "run"}).status_code == 403
    council.is_public = False
    council.save(update_fields=["is_public"])
    assert client.get(f"/panels/{panel.pk}/manage/").status_code == 404
    assert client.get("/panels/manage/kingsmere/").status_code == 404


def test_bad_ids_are_not_found(client, panel, officer):
    other_session = SessionFactory()
    sign_in_with_mfa(client, officer)
    assert client.get("/panels/999999/manage/").status_code == 404
    assert client.get("/panels/manage/nowhere/").status_code == 404
    assert client.get(f"/panels/{panel.pk}/manage/sessions/{other_session.pk}/").status_code == 404
    assert client.get(f"/panels/{panel.pk}/manage/sessions/999999/").status_code == 404
    # No letters drawn yet: nothing to download.
    assert client.get(f"/panels/{panel.pk}/manage/letters.pdf").status_code == 404
    assert client.get(f"/panels/{panel.pk}/manage/letters.csv").status_code == 404
    assert client.get(f"/panels/{panel.pk}/manage/registrants/?page=x²").status_code == 200


# --- Setting a panel up ------------------------------------------------------------------------------------


def test_an_officer_creates_a_panel_with_clear_errors_and_nothing_written_until_it_is_right(
    client, council, officer, borough, elmwood, ashby
):
    sign_in_with_mfa(client, officer)
    listing = client.get("/panels/manage/kingsmere/")
    assert (
        listing.status_code == 200 and "Create a panel" in listing.text and "There are no panels yet." in listing.text
    )
    form = client.get("/panels/manage/kingsmere/new/")
    assert form.status_code == 200
    assert "Kingsmere (Council area)" in form.text and "Elmwood (Ward)" in form.text
    assert "Ethnic group" in form.text  # the equality bank's questions as categories

    url = "/panels/manage/kingsmere/new/"
    bad = client.post(
        url,
        _panel_form(
            borough,
            size="lots",
            categories=["sex", "shoe_size"],
            registration_opens_day="31",
            registration_opens_month="2",
            registration_closes_time="25:00",
            place="99999999999999999999",
            welsh_wards=["x²"],
        ),
    )
    assert bad.status_code == 200 and "There is a problem" in bad.text
    assert "Enter the panel's size as a whole number, like 100" in bad.text
    assert "Choose categories from the list" in bad.text
    assert "The date registration opens must be a real date" in bad.text
    assert "Enter the time for “Registration closes” as hours and minutes on the 24-hour clock" in bad.text
    assert "Choose a place" in bad.text and "Choose wards from the list" in bad.text
    now = timezone.now()
    backwards = client.post(url, _panel_form(borough, **_date("registration_closes", now + DAY)))
    assert "Registration must close after it opens" in backwards.text
    missing = client.post(url, {})
    assert "Enter the panel's title" in missing.text and "Enter the date registration opens" in missing.text
    assert not Panel.objects.exists()

    created = client.post(url, _panel_form(borough, welsh_wards=[str(elmwood.pk)]))
    panel = Panel.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/panels/{panel.pk}/manage/"
    assert panel.organisation == council and panel.place == borough and panel.size == 100
    assert panel.categories == ["ward", "age_band", "sex"]  # in the form's order
    assert panel.one_selected_per_household and not panel.one_registration_per_household
    assert list(panel.welsh_wards.all()) == [elmwood]
    assert AuditEvent.objects.filter(actor=officer, action__startswith="panel.").exists()
    page = client.get(f"/panels/{panel.pk}/manage/")
    assert "Import the addresses letters may go to." in page.text and "Coed Llwyf" not in page.text
    assert "Elmwood" in page.text  # letters in Welsh to


def test_the_panel_is_changed_until_the_selection(client, panel, officer, borough):
    sign_in_with_mfa(client, officer)
    page = client.get(f"/panels/{panel.pk}/manage/edit/")
    assert page.status_code == 200 and 'value="Climate panel"' in page.text
    changed = client.post(f"/panels/{panel.pk}/manage/edit/", _panel_form(borough, title="Climate 2027", size="30"))
    assert changed.status_code == 302
    panel.refresh_from_db()
    assert panel.title == "Climate 2027" and panel.size == 30
    Panel.objects.filter(pk=panel.pk).update(stage=Stage.SELECTED)
    locked = client.post(f"/panels/{panel.pk}/manage/edit/", _panel_form(borough, title="Too late"))
    assert locked.status_code == 200 and "the panel's details are fixed" in locked.text
    panel.refresh_from_db()
    assert panel.title == "Climate 2027"


# --- Addresses and letters ----------------------------------------------------------------------------------

HEADER = "uprn,address_1,address_2,address_3,postcode"


def _csv(text: str, name: str = "addresses.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def test_addresses_are_imported_and_a_bad_file_is_refused_with_its_line(client, panel, officer, elmwood, ashby):
    PostcodeFactory(postcode="KM1 1AA", ward=elmwood)
    PostcodeFactory(postcode="KM2 2BB", ward=ashby)
    sign_in_with_mfa(client, officer)
    url = f"/panels/{panel.pk}/manage/addresses/"
    duplicate = _csv(f"{HEADER}\n1,1 High St,,,KM1 1AA\n1,2 High St,,,KM1 1AA\n")
    refused = client.post(url, {"file": duplicate})
    assert refused.status_code == 200 and "There is a problem" in refused.text
    assert "addresses.csv, line 3:" in refused.text and "Nothing was imported." in refused.text
    header = client.post(url, {"file": _csv("id,street\n1,High St\n", "wrong.csv")})
    assert "wrong.csv, line 1:" in header.text and "Nothing was imported." in header.text
    latin = client.post(url, {"file": _csv(f"{HEADER}\n1,Caf\xe9,,,KM1 1AA\n".encode("latin-1"))})
    assert "Nothing was imported." in latin.text
    assert "Select a CSV file" in client.post(url, {}).text
    binary = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", content_type="image/png")
    picture = client.post(url, {"file": binary})
    assert "photo.png, line 1: the file is not text saved as UTF-8. Nothing was imported." in picture.text
    assert "The selected file is empty" in client.post(url, {"file": _csv("")}).text
    assert not Address.objects.exists()

    good = _csv(f"{HEADER}\n1,1 High St,,,KM1 1AA\n2,2 High St,Flat 1,,KM1 1AA\n3,3 Low Rd,,,KM2 2BB\n")
    done = client.post(url, {"file": good})
    assert done.status_code == 302
    assert Address.objects.filter(panel=panel).count() == 3
    page = client.get(url)
    assert "3 addresses imported." in page.text
    assert "Elmwood" in page.text and "Ashby" in page.text
    assert "3 addresses, by ward" in page.text


def test_letters_are_drawn_with_a_seed_and_downloaded(client, panel, officer, elmwood, ashby):
    for n in range(6):
        AddressFactory(panel=panel, ward=elmwood if n < 4 else ashby, uprn=str(1000 + n))
    panel.welsh_wards.add(ashby)
    sign_in_with_mfa(client, officer)
    url = f"/panels/{panel.pk}/manage/letters/"
    page = client.get(url)
    assert "drawn at random from the 6 addresses imported" in page.text
    bad = client.post(url, {"count": "²", "seed_choice": "typed", "seed": ""})
    assert bad.status_code == 200
    assert "Enter the number of letters as a whole number, like 3000" in bad.text
    assert "Enter the seed, or choose to generate a random one" in bad.text
    nothing = client.post(url, {"count": "0", "seed_choice": "sideways"})
    assert "Send at least 1 letter" in nothing.text and "Choose from the list" in nothing.text
    assert not Invitation.objects.exists()

    drawn = client.post(url, {"count": "4", "seed_choice": "typed", "seed": "4 17 23", "proportional": "on"})
    assert drawn.status_code == 302
    panel.refresh_from_db()
    assert Invitation.objects.filter(panel=panel).count() == 4 and panel.invitation_seed == "4 17 23"
    assert panel.stage == Stage.INVITING
    page = client.get(url)
    assert "4 addresses drawn" in page.text or "Letters drawn" in page.text
    assert "Letters by ward and language" in page.text and "4 17 23" in page.text
    welsh = Invitation.objects.filter(panel=panel, language="cy").count()
    assert welsh == Invitation.objects.filter(panel=panel, address__ward=ashby).count()
    again = client.post(url, {"count": "1", "seed_choice": "generate"})
    assert again.status_code == 200 and Invitation.objects.filter(panel=panel).count() == 4

    pdf = client.get(f"/panels/{panel.pk}/manage/letters.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    csv_file = client.get(f"/panels/{panel.pk}/manage/letters.csv")
    assert csv_file.status_code == 200 and csv_file["Content-Type"].startswith("text/csv")
    body = b"".join(csv_file.streaming_content).decode()
    for code in Invitation.objects.filter(panel=panel).values_list("code", flat=True):
        assert code in body or code.replace("-", "") in body.replace("-", "")


def test_registration_is_opened_from_the_panels_page(client, panel, officer):
    Panel.objects.filter(pk=panel.pk).update(stage=Stage.INVITING, **registration_dates("before"))
    sign_in_with_mfa(client, officer)
    page = client.get(f"/panels/{panel.pk}/manage/")
    assert "Open registration now" in page.text
    stray = client.post(f"/panels/{panel.pk}/manage/", {"action": "explode"})
    assert stray.status_code == 200 and "Choose what to do." in stray.text
    assert Panel.objects.get(pk=panel.pk).stage == Stage.INVITING
    opened = client.post(f"/panels/{panel.pk}/manage/", {"action": "open"})
    assert opened.status_code == 302
    panel.refresh_from_db()
    assert panel.stage == Stage.REGISTERING


# --- Targets -------------------------------------------------------------------------------------------------


def test_targets_are_computed_from_the_census_and_changed_by_hand(client, panel, officer, elmwood, ashby):
    sign_in_with_mfa(client, officer)
    url = f"/panels/{panel.pk}/manage/targets/"
    no_census = client.post(url, {"action": "compute", "tolerance": "1"})
    assert no_census.status_code == 200 and "There is a problem" in no_census.text
    assert not Target.objects.exists()
    for ward, (women, men) in ((elmwood, (300, 300)), (ashby, (100, 100))):
        CensusFigure.objects.create(place=ward, question="sex", category="female", count=women)
        CensusFigure.objects.create(place=ward, question="sex", category="male", count=men)
    bad = client.post(url, {"action": "compute", "tolerance": "-1"})
    assert "Enter a tolerance of 0 or more" in bad.text
    computed = client.post(url, {"action": "compute", "tolerance": "1"})
    assert computed.status_code == 302
    targets = {(t.feature, t.value): t for t in Target.objects.filter(panel=panel)}
    assert set(targets) == {("sex", "female"), ("sex", "male"), ("ward", elmwood.code), ("ward", ashby.code)}
    page = client.get(url)
    assert "Sex" in page.text and "Female" in page.text and "Elmwood" in page.text and "50.0%" in page.text

    female = targets[("sex", "female")]
    form = {f"min_{t.pk}": str(t.minimum) for t in targets.values()} | {
        f"max_{t.pk}": str(t.maximum) for t in targets.values()
    }
    refused = client.post(url, {**form, "action": "save", f"min_{female.pk}": "3", f"max_{female.pk}": "1"})
    assert refused.status_code == 200 and "The most must be at least the least" in refused.text
    garbage = client.post(url, {**form, "action": "save", f"min_{female.pk}": "²"})
    assert "Enter a whole number of people, like 12" in garbage.text
    female.refresh_from_db()
    assert (female.minimum, female.maximum) != (3, 1)
    saved = client.post(url, {**form, "action": "save", f"min_{female.pk}": "1", f"max_{female.pk}": "3"})
    assert saved.status_code == 302
    female.refresh_from_db()
    assert (female.minimum, female.maximum) == (1, 3)
    too_many = client.post(url, {**form, "action": "save", f"min_{female.pk}": "9", f"max_{female.pk}": "9"})
    assert too_many.status_code == 200 and "cannot be more than the panel" in too_many.text
    female.refresh_from_db()
    assert (female.minimum, female.maximum) == (1, 3)
    assert client.post(url, {"action": "dance"}).status_code == 200

    # A target removed, and added back; garbage refused.
    assert "Add a target" not in client.get(url).text  # every value has one
    assert client.post(url, {"remove": "²"}).status_code == 200
    assert client.post(url, {"remove": str(female.pk)}).status_code == 302
    assert not Target.objects.filter(pk=female.pk).exists()
    page = client.get(url)
    assert "Add a target" in page.text and "Sex: Female" in page.text
    bad = client.post(url, {"action": "add", "add-choice": "sex:unicorn", "add-minimum": "1", "add-maximum": "0"})
    assert "Choose from the list" in bad.text and "The most must be at least the least" in bad.text
    added = client.post(url, {"action": "add", "add-choice": "sex:female", "add-minimum": "1", "add-maximum": "2"})
    assert added.status_code == 302
    assert Target.objects.filter(panel=panel, feature="sex", value="female", minimum=1, maximum=2).exists()


# --- Registrations --------------------------------------------------------------------------------------------


def test_registrations_are_counted_against_the_targets(client, panel, officer, elmwood):
    TargetFactory(panel=panel, feature="sex", value="female", minimum=2, maximum=3)
    TargetFactory(panel=panel, feature="sex", value="male", minimum=1, maximum=2)
    for _n in range(3):
        RegistrantFactory(panel=panel, features={"sex": "female", "ward": elmwood.code})
    RegistrantFactory(panel=panel, features={"sex": "male"}, name="Mo Male", public_id="P123456")
    RegistrantFactory(panel=panel, features={"sex": "prefer_not_to_say"}, public_id="P654321")
    sign_in_with_mfa(client, officer)
    page = client.get(f"/panels/{panel.pk}/manage/registrants/")
    assert page.status_code == 200
    assert "5 people have registered." in page.text
    assert "P123456" in page.text and "Mo Male" in page.text
    assert "2 to 3" in page.text and "1 to 2" in page.text
    assert "Prefer not to say" in page.text  # every answer, with a target or not
    assert "1 person cannot be selected" in page.text and "P654321" in page.text


def test_an_officer_registers_someone_by_phone_with_their_letters_code(client, panel, officer, elmwood):
    Panel.objects.filter(pk=panel.pk).update(stage=Stage.REGISTERING, **registration_dates("open"))
    invitation = InvitationFactory(panel=panel, code="ABCDE23456", address=AddressFactory(panel=panel, ward=elmwood))
    elsewhere = InvitationFactory(code="ZZZZZ99999")
    sign_in_with_mfa(client, officer)
    url = f"/panels/{panel.pk}/manage/registrants/phone/"
    unknown = client.get(url, {"code": "NOPE"})
    assert unknown.status_code == 200 and "There is no letter for this panel with that code" in unknown.text
    other = client.get(url, {"code": elsewhere.code})
    assert "There is no letter for this panel with that code" in other.text
    found = client.get(url, {"code": "abcde-23456"})
    assert found.status_code == 200 and "ABCDE23456" in found.text and "Sex" in found.text
    bad = client.post(url, {"code": "abcde-23456", "action": "register", "name": "", "feature_sex": "unicorn"})
    assert bad.status_code == 200 and "Enter your full name" in bad.text
    assert "Choose one of the answers" in bad.text
    assert not Registrant.objects.exists()
    done = client.post(
        url,
        {
            "code": "ABCDE-23456",
            "action": "register",
            "name": "Pat Phone",
            "phone": "01632 960 001",
            "feature_sex": "female",
            "consent": "on",
        },
    )
    assert done.status_code == 302
    registrant = Registrant.objects.get()
    assert registrant.by_phone and registrant.invitation == invitation and registrant.name == "Pat Phone"
    assert registrant.registered_by == officer
    assert dict(registrant.features.values_list("feature", "value"))["sex"] == "female"


# --- Sessions, attendance and payments -------------------------------------------------------------------------


def test_sessions_are_added_and_attendance_recorded(client, panel, officer):
    Panel.objects.filter(pk=panel.pk).update(stage=Stage.PUBLISHED)
    came = RegistrantFactory(panel=panel, status=RegistrantStatus.CONFIRMED, name="Ada Came")
    missed = RegistrantFactory(panel=panel, status=RegistrantStatus.CONFIRMED, name="Bo Missed")
    sign_in_with_mfa(client, officer)
    url = f"/panels/{panel.pk}/manage/sessions/"
    when = timezone.now() + 20 * DAY
    bad = client.post(url, {"title": "", "venue": "Town hall", **_date("on", when, time=False), "starts": "7pm"})
    assert bad.status_code == 200 and "Enter the session's title" in bad.text
    assert "Enter the time for “Starts at” as hours and minutes" in bad.text
    backwards = client.post(
        url,
        {"title": "First", "venue": "Town hall", **_date("on", when, time=False), "starts": "21:00", "ends": "18:00"},
    )
    assert "The session must end after it starts" in backwards.text
    assert not Session.objects.exists()
    added = client.post(
        url,
        {"title": "First", "venue": "Town hall", **_date("on", when, time=False), "starts": "18:00", "ends": "21:00"},
    )
    assert added.status_code == 302
    session = Session.objects.get()
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "18:00"

    attendance_url = f"/panels/{panel.pk}/manage/sessions/{session.pk}/"
    page = client.get(attendance_url)
    assert "Ada Came" in page.text and "Bo Missed" in page.text
    garbage = client.post(attendance_url, {"came": ["99999", "x²"]})
    assert garbage.status_code == 200 and "Choose people from the list" in garbage.text
    assert not Attendance.objects.exists()
    recorded = client.post(attendance_url, {"came": [str(came.pk)]})
    assert recorded.status_code == 302
    assert dict(Attendance.objects.values_list("registrant", "attended")) == {came.pk: True, missed.pk: False}
    assert "Record attendance" in client.get(url).text


def test_payments_are_recorded_in_pounds_and_listed_per_person_with_totals(client, panel, officer):
    Panel.objects.filter(pk=panel.pk).update(stage=Stage.PUBLISHED)
    member = RegistrantFactory(panel=panel, status=RegistrantStatus.CONFIRMED, name="Ada Member")
    reserve = RegistrantFactory(panel=panel, status=RegistrantStatus.RESERVE, name="Rue Reserve")
    sign_in_with_mfa(client, officer)
    url = f"/panels/{panel.pk}/manage/payments/"
    page = client.get(url)
    assert "Ada Member" in page.text and "Rue Reserve" not in page.text
    today = timezone.localdate()
    form = {
        "registrant": str(member.pk),
        "kind": "payment",
        "method": "bank_transfer",
        **_date("paid_on", today, False),
    }
    bad = client.post(url, {**form, "amount": "lots"})
    assert bad.status_code == 200 and "Enter the amount in pounds, like 150 or 12.50" in bad.text
    zero = client.post(url, {**form, "amount": "0"})
    assert "Enter an amount of at least 1p" in zero.text
    not_member = client.post(url, {**form, "registrant": str(reserve.pk), "amount": "10"})
    assert "Choose someone on the panel" in not_member.text
    garbage = client.post(url, {**form, "registrant": "²", "amount": "10", "paid_on_month": "13"})
    assert garbage.status_code == 200 and "must be a real date" in garbage.text
    assert not Payment.objects.exists()
    assert client.post(url, {**form, "amount": "£150"}).status_code == 302
    assert client.post(url, {**form, "amount": "12.50", "kind": "expenses", "method": "cash"}).status_code == 302
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [1250, 150_00]
    listed = client.get(url)
    assert "£162.50" in listed.text and "£12.50" in listed.text and "Expenses" in listed.text


# --- Garbage, Welsh, and the number of queries -------------------------------------------------------------

GARBAGE = {
    "action": "²",
    "title": "x" * 5000,
    "size": "99999999999999999999999",
    "place": "'; drop table",
    "categories": ["", "²"],
    "count": "-1",
    "seed_choice": "",
    "tolerance": "1e9",
    "registrant": "٣",
    "came": ["", "0"],
    "amount": "£-5",
    "kind": "gift",
    "method": "crypto",
    "code": "<script>",
    "on_day": "99",
    "paid_on_year": "0",
    "starts": "99:99",
}


@pytest.mark.parametrize("stage", [Stage.DRAFT, Stage.REGISTERING, Stage.PUBLISHED])
def test_garbage_posted_to_any_officers_page_is_refused_without_a_server_error(client, panel, officer, stage):
    Panel.objects.filter(pk=panel.pk).update(stage=stage)
    session = SessionFactory(panel=panel)
    RegistrantFactory(panel=panel, status=RegistrantStatus.CONFIRMED)
    sign_in_with_mfa(client, officer)
    urls = [*_urls(panel), f"/panels/{panel.pk}/manage/sessions/{session.pk}/"]
    for url in urls:
        for data in ({}, GARBAGE):
            response = client.post(url, data)
            assert response.status_code in (200, 302), (url, data, response.status_code)
    panel.refresh_from_db()
    # Nothing written: the one address is the member's letter's.
    assert panel.title == "Climate panel" and not Payment.objects.exists() and Address.objects.count() == 1


def test_the_pages_show_the_welsh_names_in_welsh(client, panel, officer, elmwood):
    Panel.objects.filter(pk=panel.pk).update(title_cy="Panel hinsawdd")
    AddressFactory(panel=panel, ward=elmwood)
    sign_in_with_mfa(client, officer)
    page = client.get(f"/cy/panels/{panel.pk}/manage/addresses/")
    assert page.status_code == 200 and 'lang="cy"' in page.content.decode()
    assert "Panel hinsawdd" in page.text and "Coed Llwyf" in page.text
    assert "Panel hinsawdd" in client.get("/cy/panels/manage/kingsmere/").text


def test_the_registrations_and_payments_pages_take_the_same_queries_however_many_people(
    client, panel, officer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Panel.objects.filter(pk=panel.pk).update(stage=Stage.PUBLISHED)
    sign_in_with_mfa(client, officer)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = [f"/panels/{panel.pk}/manage/{page}/" for page in ("registrants", "payments", "members")]
    RegistrantFactory(panel=panel, status=RegistrantStatus.CONFIRMED, features={"sex": "female"})
    before = [queries(url) for url in urls]
    for _n in range(5):
        member = RegistrantFactory(panel=panel, status=RegistrantStatus.CONFIRMED, features={"sex": "male"})
        Payment.objects.create(
            registrant=member, kind="payment", amount=100, method="cash", paid_on=timezone.localdate()
        )
    assert [queries(url) for url in urls] == before
