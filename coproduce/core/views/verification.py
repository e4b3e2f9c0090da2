"""Council officers verify residents: letters with codes, checks in person, uploaded lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import InPersonCheckForm, ResidentListForm, ResidentSearchForm
from .account import posted
from .helpers import call_service


@login_required
def home(request, slug: str):
    """What is waiting: letters to print, batches, lists, and a link to check someone in person."""
    council = selectors.council_for_officer(user=request.user, slug=slug)
    context = {
        "council": council,
        "awaiting": selectors.letters_awaiting(user=request.user, council=council).count(),
        "batches": list(selectors.letter_batches(user=request.user, council=council)[:5]),
        "lists": list(selectors.resident_lists(user=request.user, council=council)),
    }
    return render(request, "core/verification/home.html", context)


@login_required
def letters(request, slug: str):
    """Letters waiting to be printed (GET) and making a batch of them (POST)."""
    council = selectors.council_for_officer(user=request.user, slug=slug)
    awaiting = selectors.letters_awaiting(user=request.user, council=council)
    if request.method == "POST":
        try:
            batch = services.letter_batch_create(
                council=council, actor=request.user, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("core:letters", slug=council.slug)
        return redirect("core:letter_batch", slug=council.slug, pk=batch.pk)
    context = {
        "council": council,
        "awaiting": list(awaiting[:50]),
        "awaiting_count": awaiting.count(),
        "batches": list(selectors.letter_batches(user=request.user, council=council)[:20]),
    }
    return render(request, "core/verification/letters.html", context)


@login_required
def letter_batch(request, slug: str, pk: int):
    """A batch's status; once ready, a link to download its PDF."""
    council = selectors.council_for_officer(user=request.user, slug=slug)
    batch = selectors.letter_batch_get(user=request.user, council=council, pk=pk)
    return render(request, "core/verification/letter_batch.html", {"council": council, "batch": batch})


@login_required
def letter_batch_pdf(request, slug: str, pk: int):
    council = selectors.council_for_officer(user=request.user, slug=slug)
    batch = selectors.letter_batch_get(user=request.user, council=council, pk=pk)
    try:
        pdf = services.letter_batch_download(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("core:letter_batch", slug=council.slug, pk=batch.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letters-{batch.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def in_person(request, slug: str):
    """Find the resident standing in front of you."""
    council = selectors.council_for_officer(user=request.user, slug=slug)
    form = ResidentSearchForm(request.GET if "q" in request.GET else None)
    people = None
    if form.is_bound and form.is_valid():
        people = selectors.residents_find(user=request.user, council=council, query=form.cleaned_data["q"])
    return render(
        request, "core/verification/in_person_search.html", {"council": council, "form": form, "people": people}
    )


@login_required
def in_person_record(request, slug: str, pk: int):
    """Record what proof of address you saw."""
    council = selectors.council_for_officer(user=request.user, slug=slug)
    person = selectors.resident_get(user=request.user, council=council, pk=pk)
    form = InPersonCheckForm(posted(request), proofs=services.PROOF_OF_ADDRESS)
    if form.is_bound and form.is_valid():
        done = call_service(
            form,
            services.person_verify_in_person,
            person=person,
            council=council,
            actor=request.user,
            seen=form.cleaned_data["seen"],
            notes=form.cleaned_data["notes"],
        )
        if done is not None:
            messages.success(request, _("%(name)s is now verified in person.") % {"name": person.get_full_name()})
            return redirect("core:verify_in_person", slug=council.slug)
    return render(
        request,
        "core/verification/in_person_record.html",
        {
            "council": council,
            "person": person,
            "form": form,
            "verification": selectors.verification_current(person=person),
        },
    )


@login_required
def lists(request, slug: str):
    """Upload a list of residents (kept minimised, deleted on a date), and see the lists held."""
    council = selectors.council_for_officer(user=request.user, slug=slug)
    held = selectors.resident_lists(user=request.user, council=council)
    form = ResidentListForm(posted(request), request.FILES if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        resident_list = call_service(
            form,
            services.resident_list_upload,
            field="file",
            council=council,
            actor=request.user,
            name=form.cleaned_data["name"],
            content=upload.read(services.RESIDENT_LIST_MAX_BYTES + 1),
            delete_on=form.cleaned_data["delete_on"],
        )
        if resident_list is not None:
            messages.success(
                request,
                ngettext(
                    "The list has %(entries)d entry. %(matched)d resident was verified.",
                    "The list has %(entries)d entries. %(matched)d residents were verified.",
                    resident_list.entry_count,
                )
                % {"entries": resident_list.entry_count, "matched": resident_list.matched},
            )
            return redirect("core:resident_lists", slug=council.slug)
    return render(request, "core/verification/lists.html", {"council": council, "form": form, "lists": list(held)})


@login_required
@require_POST
def list_delete(request, slug: str, pk: int):
    council = selectors.council_for_officer(user=request.user, slug=slug)
    resident_list = selectors.resident_list_get(user=request.user, council=council, pk=pk)
    services.resident_list_delete(resident_list=resident_list, actor=request.user, reason="deleted by an officer")
    messages.success(request, _("The list has been deleted."))
    return redirect("core:resident_lists", slug=council.slug)
