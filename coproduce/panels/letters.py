"""The invitation letters: one printable PDF (a page per letter, in its language) and a CSV for a
print house.

Every letter is rendered into ONE HTML document (WeasyPrint lays it out once), each with its
code and a QR code that opens the registration page with the code filled in.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from markupsafe import Markup

from coproduce.core.letters import qr_svg

from .models import Invitation, Panel
from .selectors import format_code

CSV_HEADER = ["code", "language", "address_1", "address_2", "address_3", "postcode", "registration_url"]


def registration_url(*, base_url: str, code: str, language: str) -> str:
    """The registration page in ``language`` with the letter's code filled in."""
    with translation.override(language):
        path = reverse("panels:register")
    return urljoin(base_url, path) + "?" + urlencode({"code": format_code(code)})


def _invitations(panel: Panel):
    return Invitation.objects.filter(panel=panel).select_related("address").order_by("position")


def _letter_html(panel: Panel, invitation: Invitation, base_url: str, today) -> str:
    language = "cy" if invitation.language == "cy" else "en"
    with translation.override(language):
        url = registration_url(base_url=base_url, code=invitation.code, language=language)
        page = urljoin(base_url, reverse("panels:register"))
        context = {
            "panel": panel,
            "council": panel.organisation,
            "title": panel.localised("title", language),
            "purpose": panel.localised("purpose", language),
            "payment_policy": panel.localised("payment_policy", language),
            "address_lines": [line for line in invitation.address.lines.splitlines() if line.strip()],
            "postcode": invitation.address.postcode,
            "code": format_code(invitation.code),
            "url": page,
            "qr": qr_svg(url),
            "closes": timezone.localtime(panel.registration_closes),
            "today": today,
            "language": language,
        }
        return render_to_string("panels/letters/invitation.html", context)


def letters_pdf(*, panel: Panel, base_url: str) -> bytes:
    """Every letter of the panel, in the order drawn, as one PDF."""
    from weasyprint import HTML  # imported here: loading Pango costs time every page need not pay

    today = timezone.localdate()
    # Each part is our own template's output, escaped as it was rendered.
    parts = (Markup(_letter_html(panel, invitation, base_url, today)) for invitation in _invitations(panel))  # noqa: S704
    body = Markup("").join(parts)
    html = render_to_string("panels/letters/batch.html", {"letters": body, "panel": panel})
    return HTML(string=html, base_url=base_url).write_pdf()


def not_selected_pdf(*, panel: Panel, base_url: str) -> bytes:
    """A letter to everyone who registered and was not selected (after the selection is published),
    each in their own language, as one PDF to post (the emails reach only those who gave an address)."""
    from weasyprint import HTML

    from .models import Registrant, RegistrantStatus

    today = timezone.localdate()
    people = (
        Registrant.objects.filter(panel=panel, status=RegistrantStatus.RESERVE)
        .select_related("invitation__address", "panel__organisation")
        .order_by("public_id")
    )
    parts = []
    for registrant in people:
        language = "cy" if registrant.language == "cy" else "en"
        with translation.override(language):
            address = registrant.invitation.address
            context = {
                "registrant": registrant,
                "council": panel.organisation,
                "title": panel.localised("title", language),
                "address_lines": [line for line in address.lines.splitlines() if line.strip()],
                "postcode": address.postcode,
                "url": urljoin(base_url, reverse("panels:detail", args=(panel.pk,))),
                "today": today,
                "language": language,
            }
            # Our own template's output, escaped as it was rendered.
            parts.append(Markup(render_to_string("panels/letters/not_selected.html", context)))  # noqa: S704
    html = render_to_string("panels/letters/batch.html", {"letters": Markup("").join(parts), "panel": panel})
    return HTML(string=html, base_url=base_url).write_pdf()


def letters_csv_rows(panel: Panel, *, base_url: str = "") -> Iterator[list[str]]:
    """The header, then each letter: code, language, address lines, postcode, registration URL."""
    if not base_url:
        from coproduce.core.accounts import site_url

        base_url = site_url("/")
    yield CSV_HEADER
    for invitation in _invitations(panel):
        lines = invitation.address.lines.splitlines()
        lines = [*lines, "", "", ""][:3] if len(lines) <= 3 else [*lines[:2], ", ".join(lines[2:])]
        yield [
            format_code(invitation.code),
            invitation.language,
            *lines,
            invitation.address.postcode,
            registration_url(base_url=base_url, code=invitation.code, language=invitation.language),
        ]
