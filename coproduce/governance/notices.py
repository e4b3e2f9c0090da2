"""The notice of a meeting: who is sent it and how, what it says, the letters to post, the iCal file.

A general meeting's notice goes to every current member (a member without a vote may attend);
a board or committee meeting's to the board. By email to those who agreed to receive notices by
email (the register records it: ``Membership.email_use``), by post to everyone else: the
printable notices are one PDF (HTML → PDF with WeasyPrint, as the core's letters), each in its
reader's language, with the QR code that checks them in at the door. The notice sets out every
resolution in full, with the threshold it needs, the proxy deadline and how to vote in advance.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from markupsafe import Markup

from coproduce.core.models import Role, RoleKind, User
from coproduce.members.models import EmailUse, Membership

from . import selectors
from .models import GENERAL_MEETINGS, Meeting, VotingMethod


def recipients(meeting: Meeting) -> tuple[list[User], list[User]]:
    """Who gets the notice by email and who by post, each in a fixed order."""
    if meeting.kind in GENERAL_MEETINGS:
        memberships = (
            Membership.objects.current()
            .filter(organisation=meeting.organisation)
            .select_related("person")
            .order_by("member_number", "pk")
        )
        people = [(m.person, m.email_use == EmailUse.NOTICES) for m in memberships]
    else:
        roles = (
            Role.objects.current()
            .filter(organisation=meeting.organisation, kind=RoleKind.BOARD_MEMBER)
            .select_related("person")
            .order_by("person_id")
        )
        people = [(role.person, True) for role in roles]
    by_email, by_post = [], []
    for person, email_agreed in people:
        if email_agreed and person.email and person.is_active:
            by_email.append(person)
        else:
            by_post.append(person)
    return by_email, by_post


def _reverse_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def meeting_url(meeting: Meeting, language: str) -> str:
    """The meeting's page for members, in ``language`` (the site's home until the pages exist)."""
    from coproduce.core.accounts import site_url

    with translation.override(language):
        return site_url(_reverse_or_none("governance:meeting", pk=meeting.pk) or reverse("core:home"))


def check_in_url(meeting: Meeting, person: User, language: str) -> str:
    """The link in the QR code on a member's notice: it checks them in at this meeting."""
    from coproduce.core.accounts import site_url

    token = selectors.check_in_token(meeting, person)
    with translation.override(language):
        path = _reverse_or_none("governance:check_in", pk=meeting.pk) or reverse("core:home")
    return site_url(path) + "?" + urlencode({"token": token})


def notice_context(meeting: Meeting, person: User, language: str) -> dict[str, Any]:
    """What a notice says, for ``person``, in ``language`` (call inside ``translation.override``)."""
    from coproduce.core.accounts import site_name

    from .services import describe_threshold

    rules = meeting.rules
    resolutions = [
        {
            "number": number,
            "title": resolution.localised_title(language),
            "kind": resolution.get_kind_display(),
            "text": resolution.localised_text(language),
            "method": resolution.get_method_display(),
            "needs": describe_threshold(rules.threshold_for(resolution.kind)),
            "advance": resolution.method == VotingMethod.ADVANCE,
        }
        for number, resolution in enumerate(meeting.resolutions.order_by("order", "pk"), start=1)
    ]
    agenda = [
        {
            "number": number,
            "title": item.localised_title(language),
            "text": item.localised_text(language),
            "paper": item.localised_paper_title(language) if item.paper else "",
        }
        for number, item in enumerate(meeting.agenda_items.order_by("order", "pk"), start=1)
    ]
    return {
        "meeting": meeting,
        "organisation": meeting.organisation,
        "recipient": person,
        "language": language,
        "site_name": site_name(),
        "title": meeting.localised_title(language),
        "kind": meeting.get_kind_display().lower(),  # inside a sentence: "Notice of the annual general meeting"
        "starts_at": meeting.starts_at,
        "agenda": agenda,
        "resolutions": resolutions,
        "advance_voting": any(r["advance"] for r in resolutions),
        "proxy_deadline": meeting.proxy_deadline,
        "link": meeting_url(meeting, language),
        "check_in_link": check_in_url(meeting, person, language),
    }


def meeting_ical(meeting: Meeting, *, language: str = "en") -> bytes:
    """The meeting as an iCalendar file (RFC 5545), for a calendar app."""
    from icalendar import Calendar, Event

    from coproduce.core.accounts import site_url

    with translation.override(language):
        title = meeting.localised_title(language)
        page = meeting_url(meeting, language)
        calendar = Calendar()
        calendar.add("prodid", "-//Coproduce//Meetings//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", title)
        event = Event()
        host = site_url("/").split("//", 1)[-1].strip("/") or "coproduce"
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", meeting.starts_at)
        event.add("duration", timezone.timedelta(hours=2))
        event.add("summary", f"{title} — {meeting.organisation.name}")
        location = ", ".join(part for part in (meeting.place, meeting.online_url) if part)
        if location:
            event.add("location", location)
        event.add(
            "description",
            _("%(kind)s of %(organisation)s.")
            % {
                "kind": meeting.get_kind_display(),
                "organisation": meeting.organisation.name,
            }
            + f"\n{page}",
        )
        event.add("url", page)
        calendar.add_component(event)
        return calendar.to_ical()


def _letter_html(meeting: Meeting, person: User) -> str:
    from coproduce.core.letters import qr_svg

    language = "cy" if person.preferred_language == "cy" else "en"
    with translation.override(language):
        context = notice_context(meeting, person, language)
        context.update(
            {
                "address_lines": [line for line in person.address.splitlines() if line.strip()],
                "postcode": person.postcode,
                "qr": qr_svg(context["check_in_link"]),
                "today": timezone.localdate(),
                "large_print": "large_print" in (person.access_needs or []),
            }
        )
        return render_to_string("governance/notice_letter.html", context)


def letters_pdf(meeting: Meeting, people: list[User]) -> bytes:
    """One printable PDF of the notices to post, each member's starting on a new page."""
    from weasyprint import HTML  # imported here: loading Pango costs time no other work need pay

    from coproduce.core.accounts import site_url

    # Each part is our own template's output, escaped as it was rendered.
    body = Markup("").join(Markup(_letter_html(meeting, person)) for person in people)  # noqa: S704
    html = render_to_string("governance/notice_letters.html", {"letters": body, "meeting": meeting})
    return HTML(string=html, base_url=site_url("/")).write_pdf()
