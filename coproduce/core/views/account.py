"""A person's own account: details, verification, their data and closing the account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import registry, selectors, services
from ..forms import AccountDetailsForm, DeclarationForm, LetterCodeForm
from ..verification import VerificationLevel
from .helpers import call_service


def posted(request):
    """The POST data for a form, or None on GET (an empty POST is still a submission, to be refused)."""
    return request.POST if request.method == "POST" else None


def safe_next(request) -> str:
    """The ``next`` page another app asked to come back to, if it is on this site; else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _account_page(request, *, declaration_form: DeclarationForm | None = None, status: int = 200):
    person = request.user
    verification = selectors.verification_current(person=person)
    context = {
        "person": person,
        "verification": verification,
        "method": registry.verification_method(verification.method) if verification else None,
        "level": VerificationLevel(person.verification_level),
        "levels": VerificationLevel,
        "methods": registry.verification_methods(),
        "letter": selectors.letter_status(person=person),
        "declaration_form": declaration_form or DeclarationForm(),
        "councils": list(selectors.councils_for_officer(user=person)),
        "reads_feedback": person.has_perm("core.read_feedback"),
        "roles": list(selectors.roles_for(user=person)),
    }
    return render(request, "core/account/account.html", context, status=status)


@login_required
def account(request):
    """Your account: details, how sure the council is of your address, and what you can do."""
    return _account_page(request)


@login_required
def account_details(request):
    """Give or change name, address, date of birth, language and access needs; then back to ``next``."""
    person = request.user
    next_url = safe_next(request)
    form = AccountDetailsForm(
        posted(request), initial=AccountDetailsForm.initial_for(person), example=selectors.postcode_example()
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        saved = call_service(
            form,
            services.person_update_details,
            person=person,
            full_name=data["full_name"],
            address=form.address(),
            postcode=data["postcode"],
            preferred_language=data["preferred_language"],
            access_needs=data["access_needs"],
            date_of_birth=data["date_of_birth"],
        )
        if saved is not None:
            messages.success(request, _("Your details have been saved."))
            return redirect(next_url or "core:account")
    return render(request, "core/account/details.html", {"form": form, "next": next_url})


@login_required
def account_data(request):
    """Download everything we (and every app) hold about you, as JSON."""
    data = services.person_data_export(person=request.user)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="coproduce-my-data.json"'
    return response


@login_required
def account_close(request):
    """Confirm, then close the account: what the law makes registers keep is kept, and we say so."""
    person = request.user
    if request.method == "POST":
        kept = services.account_close(person=person)
        logout(request)
        return render(request, "core/account/closed.html", {"kept": kept})
    reasons = selectors.account_retention_reasons(person=person)
    return render(request, "core/account/close.html", {"person": person, "reasons": reasons})


@login_required
@require_POST
def verify_declare(request):
    """The person declares that they live at the address they gave."""
    form = DeclarationForm(request.POST)
    if form.is_valid() and call_service(form, services.person_declare_address, person=request.user) is not None:
        messages.success(request, _("Thank you. You have declared that you live at this address."))
        return redirect("core:account")
    return _account_page(request, declaration_form=form)


@login_required
@require_POST
def verify_letter(request):
    """Ask for a code to be posted to the address."""
    try:
        services.letter_request(person=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("We will post a letter with a code to your address. It can take up to 2 weeks."))
    return redirect("core:account")


@login_required
def verify_code(request):
    """Enter the code from a letter (the letter's QR code opens this page with it filled in)."""
    form = LetterCodeForm(posted(request), initial={"code": request.GET.get("code", "")[:20]})
    if (
        form.is_bound
        and form.is_valid()
        and call_service(
            form, services.letter_code_enter, field="code", person=request.user, code=form.cleaned_data["code"]
        )
    ):
        messages.success(request, _("Your address is confirmed."))
        return redirect("core:account")
    letter = selectors.letter_status(person=request.user)
    return render(request, "core/account/verify_code.html", {"form": form, "letter": letter})
