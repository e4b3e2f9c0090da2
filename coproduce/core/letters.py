"""Letters as one printable PDF (HTML → PDF with WeasyPrint), each in its reader's language.

One HTML document holds every letter of a batch, each starting on a new page, so a batch is a
single file to print and post. A letter carries its one-time code and a QR code (inline SVG)
that opens the code-entry page with the code filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urljoin

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from markupsafe import Markup

from .models import Organisation, User


@dataclass(frozen=True)
class Letter:
    person: User
    code: str
    expires_at: datetime


def code_entry_url(*, base_url: str, code: str, language: str) -> str:
    """The code-entry page in ``language``, with ``code`` filled in."""
    with translation.override(language):
        path = reverse("core:verify_code")
    return urljoin(base_url, path) + "?" + urlencode({"code": code})


def qr_svg(url: str) -> Markup:
    """A QR code of ``url`` as inline SVG (segno writes it; nothing in it comes from the person)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff"))  # noqa: S704


def _letter_html(*, council: Organisation, letter: Letter, base_url: str) -> str:
    language = "cy" if letter.person.preferred_language == "cy" else "en"
    with translation.override(language):
        url = code_entry_url(base_url=base_url, code=letter.code, language=language)
        path = reverse("core:verify_code")
        context = {
            "council": council,
            "person": letter.person,
            "address_lines": [line for line in letter.person.address.splitlines() if line.strip()],
            "code": letter.code,
            "url": urljoin(base_url, path),
            "qr": qr_svg(url),
            "expires_on": timezone.localtime(letter.expires_at).date(),
            "today": timezone.localdate(),
            "language": language,
            "large_print": "large_print" in (letter.person.access_needs or []),
        }
        return render_to_string("core/letters/verification_letter.html", context)


def render_letters_pdf(*, council: Organisation, letters: list[Letter], base_url: str) -> bytes:
    """One PDF of every letter, in order, each on its own page(s)."""
    from weasyprint import HTML  # imported here: loading Pango costs time every page need not pay

    # Each part is our own template's output, escaped as it was rendered.
    parts = (Markup(_letter_html(council=council, letter=letter, base_url=base_url)) for letter in letters)  # noqa: S704
    body = Markup("").join(parts)
    html = render_to_string("core/letters/batch.html", {"letters": body, "council": council})
    return HTML(string=html, base_url=base_url).write_pdf()
