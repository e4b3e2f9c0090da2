"""Registering for a panel with the code on a letter, and a selected person taking or giving up
their place.

No account is needed: the letter's code is the key to register (anyone in the household may use
it, unless the panel takes one registration per household), and the link in the selection email
carries a token for the place. A code that is not known, a panel not taking registrations, or a
household already registered is explained on the page, never an error page.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coproduce.core.views.helpers import call_service

from .. import selectors, services
from ..forms import CodeForm, PlaceResponseForm, RegisterForm
from ..models import Invitation, Registrant, RegistrantStatus, Stage
from .public import registration_open, status

# A selected person may still answer while their place is offered.
ANSWERABLE = (RegistrantStatus.SELECTED, RegistrantStatus.REPLACEMENT)


def _invitation(code: str) -> Invitation | None:
    """The invitation a typed code is for (case, spaces and dashes do not matter), or None."""
    code = (code or "").strip()
    if not code or len(code) > 40:
        return None
    invitation = selectors.invitation_for_code(code)
    if invitation is not None and invitation.panel.stage == Stage.DRAFT:
        return None
    return invitation


def _refusal(invitation: Invitation) -> str | None:
    """Why this letter's household cannot register now, in words; None when they can."""
    panel = invitation.panel
    now = timezone.now()
    if not registration_open(panel, now):
        key = status(panel, now)
        if key == "upcoming":
            from coproduce.core.jinja import long_date

            return _("Registration for this panel opens on %(date)s. Come back then with your code.") % {
                "date": long_date(panel.registration_opens)
            }
        return _("Registration for this panel has closed. Thank you for your interest.")
    if panel.one_registration_per_household and invitation.registrants.exists():
        return _(
            "Someone in your household has already registered with this code. Only one person from each "
            "household can register for this panel."
        )
    return None


def _notice(request, *, panel, title: str, paragraphs: list[str], status_code: int = 200):
    return render(
        request,
        "panels/register/notice.html",
        {"panel": panel, "title": title, "paragraphs": paragraphs, "language": get_language()},
        status=status_code,
    )


@require_http_methods(["GET", "POST"])
def register_code(request):
    """Enter the code from the letter (``?code=`` fills it, as the letter's QR code does)."""
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            invitation = _invitation(form.cleaned_data["code"])
            if invitation is None:
                form.add_error(
                    "code",
                    _("We cannot find this code. Check it against your letter: it is 10 letters and numbers."),
                )
            else:
                refusal = _refusal(invitation)
                if refusal:
                    form.add_error("code", refusal)
                else:
                    return redirect("panels:register_form", code=invitation.code)
    else:
        code = request.GET.get("code", "")
        form = CodeForm(initial={"code": code[:40]} if isinstance(code, str) else None)
    return render(request, "panels/register/code.html", {"form": form, "language": get_language()})


@require_http_methods(["GET", "POST"])
def register_form(request, code: str):
    invitation = _invitation(code)
    if invitation is None:
        return _notice(
            request,
            panel=None,
            title=_("We cannot find this code"),
            paragraphs=[_("Check the code against your letter and enter it again.")],
            status_code=404,
        )
    panel = invitation.panel
    refusal = _refusal(invitation)
    if refusal:
        return _notice(request, panel=panel, title=_("You cannot register with this code"), paragraphs=[refusal])
    language = get_language()
    sessions = list(panel.sessions.all())
    options = {"categories": panel.categories, "sessions": sessions, "language": language}
    if request.method == "POST":
        form = RegisterForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            registrant = call_service(
                form,
                services.register,
                invitation=invitation,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                date_of_birth=data["date_of_birth"],
                features=data["features"],
                availability=data["availability"],
                access_needs=data["access_needs"],
                care_needs=data["care_needs"],
                consent=data["consent"],
                language=language if language in ("en", "cy") else "en",
                person=request.user if request.user.is_authenticated else None,
            )
            if registrant is not None:
                request.session[f"panels_registered_{invitation.pk}"] = registrant.public_id
                return redirect("panels:register_done", code=invitation.code)
    else:
        form = RegisterForm(**options)
    ward = invitation.address.ward
    return render(
        request,
        "panels/register/form.html",
        {
            "form": form,
            "panel": panel,
            "invitation": invitation,
            "ward": ward.localised_name(language) if ward else "",
            "sessions": sessions,
            "language": language,
        },
    )


@require_GET
def register_done(request, code: str):
    invitation = _invitation(code)
    if invitation is None or not invitation.registrants.exists():
        return _notice(
            request,
            panel=invitation.panel if invitation else None,
            title=_("We cannot find this registration"),
            paragraphs=[_("Check the code against your letter and enter it again.")],
            status_code=404,
        )
    panel = invitation.panel
    return render(
        request,
        "panels/register/done.html",
        {
            "panel": panel,
            "invitation": invitation,
            "public_id": request.session.get(f"panels_registered_{invitation.pk}", ""),
            "household_may_register": not panel.one_registration_per_household,
            "language": get_language(),
        },
    )


@require_http_methods(["GET", "POST"])
def place(request, token: str):
    """A selected person takes or gives up their place (the link in their email)."""
    registrant: Registrant | None = None
    if isinstance(token, str) and 10 <= len(token) <= 200:
        registrant = selectors.registrant_for_token(token)
    if registrant is None:
        return _notice(
            request,
            panel=None,
            title=_("This link does not work"),
            paragraphs=[
                _("Check you used the whole link from your email. If it still does not work, contact the council.")
            ],
            status_code=404,
        )
    panel = registrant.panel
    form = PlaceResponseForm()
    if request.method == "POST":
        form = PlaceResponseForm(request.POST)
        if registrant.status not in ANSWERABLE:
            form.add_error(None, _("You have already answered. Contact the council to change your answer."))
        elif form.is_valid():
            call_service(
                form, services.place_respond, registrant=registrant, accept=form.cleaned_data["accept"] == "yes"
            )
            if not form.errors:
                return redirect("panels:place", token=token)
    return render(
        request,
        "panels/register/place.html",
        {
            "panel": panel,
            "registrant": registrant,
            "form": form,
            "answerable": registrant.status in ANSWERABLE,
            "confirmed": registrant.status == RegistrantStatus.CONFIRMED,
            "declined": registrant.status == RegistrantStatus.DECLINED,
            "sessions": list(panel.sessions.all()),
            "language": get_language(),
        },
    )


urlpatterns = [
    path("panels/register/", register_code, name="register"),
    path("panels/register/<str:code>/", register_form, name="register_form"),
    path("panels/register/<str:code>/done/", register_done, name="register_done"),
    path("panels/places/<str:token>/", place, name="place"),
]
