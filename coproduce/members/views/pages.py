"""A resident's pages: an organisation, joining it, my memberships, withdrawing shares."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coproduce.core import selectors as core_selectors
from coproduce.core.views.helpers import call_service

from .. import selectors, services
from ..forms import JoinForm, WithdrawForm


def organisation(request, slug: str):
    """An organisation: what it does, its rules for members, the classes open to join."""
    org = core_selectors.organisation_get(slug=slug)
    return render(
        request,
        "members/organisation.html",
        {
            "organisation": org,
            "classes": list(selectors.classes_open_to_applications(organisation=org)),
            "is_secretary": request.user.has_perm("members.view_register", org),
            "language": get_language(),
        },
    )


@login_required
def join(request, slug: str):
    """Apply to join: choose a class and how to pay, check the answers, then confirm.

    The check page posts the same answers back with ``confirm``; only then is the service called.
    """
    org = core_selectors.organisation_get(slug=slug)
    language = get_language()
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        classes=selectors.classes_open_to_applications(organisation=org),
        language=language,
    )
    context = {"organisation": org, "form": form, "language": language}
    if request.method == "POST" and form.is_valid():
        if "confirm" not in request.POST:
            return render(request, "members/join_confirm.html", context)
        membership = call_service(
            form,
            services.membership_apply,
            person=request.user,
            organisation=org,
            stakeholder_class=form.cleaned_data["stakeholder_class"],
            pays_now=form.cleaned_data["pays_now"],
        )
        if membership is not None:
            messages.success(
                request,
                _("Your application to join %(organisation)s has been sent. The secretary will decide on it.")
                % {"organisation": org.name},
            )
            return redirect("members:mine")
    return render(request, "members/join.html", context)


@login_required
def mine(request):
    """My memberships and shares: status, class, shares held and voting rights."""
    return render(
        request,
        "members/mine.html",
        {"memberships": list(selectors.memberships_for_person(user=request.user)), "language": get_language()},
    )


@login_required
def withdraw(request, membership_id: int):
    """Withdraw some or all of my shares (all of them ends the membership)."""
    membership = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        shares = form.cleaned_data["shares"]
        done = call_service(
            form, services.share_withdraw, field="shares", membership=membership, actor=request.user, shares=shares
        )
        if done is not None:
            messages.success(request, _("You have withdrawn %(count)s shares.") % {"count": shares})
            return redirect("members:mine")
    return render(
        request, "members/withdraw.html", {"membership": membership, "form": form, "language": get_language()}
    )
