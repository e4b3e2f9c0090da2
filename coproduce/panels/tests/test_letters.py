"""The invitation letters: one PDF with a page per letter in its language, and a print-house CSV."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from pypdf import PdfReader

from coproduce.core.tests.factories import PlaceFactory
from coproduce.panels import letters, selectors, services
from coproduce.panels.models import Address

from .factories import PanelFactory

pytestmark = pytest.mark.django_db

BASE = "https://coproduce.example/"


def _panel_with_letters(count=4):
    panel = PanelFactory(stage="draft", title="Climate panel", title_cy="Panel hinsawdd")
    welsh = PlaceFactory(parent=panel.place)
    panel.welsh_wards.set([welsh])
    Address.objects.bulk_create(
        Address(
            panel=panel,
            uprn=str(n),
            lines=f"{n} Heol Fawr\nFlat {n}" if n % 2 else f"{n} High Street",
            postcode="KM1 1AA",
            ward=welsh if n % 2 else None,
        )
        for n in range(1, count + 1)
    )
    services.invitations_draw(panel=panel, actor=None, count=count, seed="letters")
    return panel


def test_one_pdf_with_a_page_per_letter_in_its_language():
    panel = _panel_with_letters(4)
    pdf = letters.letters_pdf(panel=panel, base_url=BASE)
    assert pdf.startswith(b"%PDF")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 4
    for invitation, text in zip(panel.invitations.order_by("position"), pages, strict=True):
        assert selectors.format_code(invitation.code) in text
        assert invitation.address.lines.splitlines()[0] in text
        title = "Panel hinsawdd" if invitation.language == "cy" else "Climate panel"
        assert title in text
    assert {i.language for i in panel.invitations.all()} == {"cy", "en"}


def test_the_csv_for_a_print_house():
    panel = _panel_with_letters(3)
    rows = list(letters.letters_csv_rows(panel, base_url=BASE))
    assert rows[0] == letters.CSV_HEADER
    assert len(rows) == 4
    for invitation, row in zip(panel.invitations.order_by("position"), rows[1:], strict=True):
        code, language, first, _second, _third, postcode, url = row
        assert code == selectors.format_code(invitation.code)
        assert language == invitation.language
        assert first == invitation.address.lines.splitlines()[0]
        assert postcode == "KM1 1AA"
        parts = urlsplit(url)
        assert parts.path.endswith("/panels/register/")
        assert parts.path.startswith("/cy/") == (language == "cy")
        # The code in the link finds the letter's invitation.
        assert selectors.invitation_for_code(parse_qs(parts.query)["code"][0]) == invitation
