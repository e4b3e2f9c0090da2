"""Importing a panel's addresses: all or nothing, each bad file refused with its line."""

import pytest
from django.core.exceptions import ValidationError

from coproduce.core.tests.factories import PlaceFactory, PostcodeFactory
from coproduce.panels import services
from coproduce.panels.services import AddressImportError

from .factories import AddressFactory, OfficerFactory, PanelFactory

pytestmark = pytest.mark.django_db

HEADER = "uprn,address_1,address_2,address_3,postcode\n"


def _import(tmp_path, panel, text: str | bytes, name="addresses.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    actor = OfficerFactory(organisation=panel.organisation).person
    return services.addresses_import(panel=panel, actor=actor, path=path, name=name)


def test_imports_addresses_with_wards_from_postcodes(tmp_path):
    panel = PanelFactory(stage="draft")
    ward = PlaceFactory(parent=panel.place)
    PostcodeFactory(postcode="KM1 1AA", ward=ward)
    count = _import(
        tmp_path,
        panel,
        HEADER + "1001,1 High Street,Flat 2,,km11aa\n1002,2 High Street,,,KM9 9ZZ\n\n",
    )
    assert count == 2
    first, second = panel.addresses.order_by("uprn")
    assert first.lines == "1 High Street\nFlat 2"
    assert first.postcode == "KM1 1AA"
    assert first.ward == ward
    assert second.ward is None


def test_language_column_and_replacing(tmp_path):
    panel = PanelFactory(stage="draft")
    AddressFactory(panel=panel, uprn="9")
    _import(
        tmp_path,
        panel,
        "uprn,address_1,address_2,address_3,postcode,language\n1,1 Stryd,,,KM1 1AA,CY\n2,2 St,,,KM1 1AA,\n",
    )
    assert dict(panel.addresses.values_list("uprn", "language")) == {"1": "cy", "2": ""}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("uprn,address,postcode\n1,1 High St,KM1 1AA\n", 1, "header"),
        (HEADER + "1,1 High St,,,KM1 1AA\n,2 High St,,,KM1 1AA\n", 3, "missing"),
        (HEADER + "1,1 High St,,,KM1 1AA\n2,2 High St,,,KM1 1AA\n1,3 High St,,,KM1 1AA\n", 4, "also on line 2"),
        (HEADER + "1,1 High St,,,KM1 1AA\n2,2 High St,,,NOT A CODE\n", 3, "not a UK postcode"),
        (HEADER + "1,1 High St,,,KM1 1AA,extra\n", 2, "more fields"),
        (HEADER + "1,1 High St,KM1 1AA\n", 2, "fewer fields"),
        (HEADER + "1,,,,KM1 1AA\n", 2, "address_1"),
        (HEADER + "1 2,1 High St,,,KM1 1AA\n", 2, "letters and digits"),
        ("uprn,address_1,address_2,address_3,postcode,language\n1,1 High St,,,KM1 1AA,fr\n", 2, "language"),
        (HEADER, 1, "no addresses"),
        ("", 1, "empty"),
    ],
)
def test_bad_files_are_refused_with_their_line(tmp_path, text, line, words):
    panel = PanelFactory(stage="draft")
    AddressFactory(panel=panel, uprn="kept")
    with pytest.raises(AddressImportError) as caught:
        _import(tmp_path, panel, text, name="bad.csv")
    assert caught.value.line == line
    assert caught.value.file == "bad.csv"
    assert words in caught.value.reason
    assert f"line {line}" in caught.value.message
    # All or nothing: the addresses there before are still there.
    assert list(panel.addresses.values_list("uprn", flat=True)) == ["kept"]


def test_not_utf8_is_refused_on_its_line(tmp_path):
    panel = PanelFactory(stage="draft")
    text = (HEADER + "1,1 High St,,,KM1 1AA\n").encode() + "2,2 Caf\u00e9 Row,,,KM1 1AA\n".encode("latin-1")
    with pytest.raises(AddressImportError) as caught:
        _import(tmp_path, panel, text)
    assert caught.value.line == 3
    assert "UTF-8" in caught.value.reason
    assert not panel.addresses.exists()


def test_refused_once_letters_are_drawn(tmp_path):
    panel = PanelFactory(stage="draft")
    AddressFactory.create_batch(3, panel=panel)
    services.invitations_draw(panel=panel, actor=None, count=2, seed="1")
    with pytest.raises(ValidationError):
        _import(tmp_path, panel, HEADER + "1,1 High St,,,KM1 1AA\n")
    assert panel.addresses.count() == 3


def test_a_large_file_imports_quickly(tmp_path):
    import time

    panel = PanelFactory(stage="draft")
    rows = "".join(f"{i},{i} Long Road,,,KM1 {i % 10}AB\n" for i in range(1, 20_001))
    started = time.monotonic()
    assert _import(tmp_path, panel, HEADER + rows) == 20_000
    # A loose bound (CI machines are shared): it catches work growing with the square of the rows.
    assert time.monotonic() - started < 30
