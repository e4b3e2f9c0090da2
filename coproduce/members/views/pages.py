"""A resident's and a member's pages: an organisation, joining it, my memberships, my entry in
the register, buying, withdrawing, resigning, and the duplicate register members may inspect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.core import selectors as core_selectors
from coproduce.core.views.helpers import call_service
from coproduce.core.views.pagination import paginate

from .. import selectors, services
from ..forms import BuySharesForm, ConfirmForm, DuplicateRegisterFilterForm, EmailUseForm, JoinForm, WithdrawForm
from ..models import EmailUse, rules_for


def organisation(request, slug: str):
    """An organisation: what it does, its rules for members, the classes open to join, and where
    the person stands (applied, a member, or free to join)."""
    org = core_selectors.organisation_get(slug=slug)
    return render(
        request,
        "members/organisation.html",
        {
            "organisation": org,
            "rules": rules_for(org),
            "classes": list(selectors.classes_open_to_applications(organisation=org)),
            "own": selectors.own_membership(user=request.user, organisation=org),
            "is_secretary": request.user.has_perm("members.view_register", org),
            "can_work": request.user.has_perm("members.view_workspace", org),
            "can_inspect": request.user.has_perm("members.inspect_register", org),
            "language": get_language(),
        },
    )


def _details_url(next_url: str) -> str:
    """Where a person gives their name and address, coming back to ``next_url`` afterwards."""
    return reverse("core:account_details") + "?" + urlencode({"next": next_url})


def _answers_key(org) -> str:
    return f"members:join:{org.pk}"


def _already_applied(request, org):
    """Someone with an open application or membership goes to it, not through the form again
    (going back after sending, or a second tab, must not make a second application)."""
    own = selectors.own_membership(user=request.user, organisation=org)
    if own is None:
        return None
    request.session.pop(_answers_key(org), None)
    if own.status == "applied":
        messages.info(
            request,
            _("You have already applied to join %(organisation)s. Your reference is %(reference)s.")
            % {"organisation": org.name, "reference": own.reference},
        )
    else:
        messages.info(request, _("You are already a member of %(organisation)s.") % {"organisation": org.name})
    return redirect("members:membership", membership_id=own.pk)


@login_required
def join(request, slug: str):
    """Apply to join: choose a class and the use of your email, then check the answers.

    Where the rules require it, a person without a name and postal address gives them first
    (the register must hold them) and comes back here. Valid answers are kept in the session and
    the person is sent to the check page (POST-redirect-GET); coming back here from a "Change"
    link shows the answers given so far.
    """
    org = core_selectors.organisation_get(slug=slug)
    rules = rules_for(org)
    language = get_language()
    details_url = _details_url(request.path)
    if rules.details_required_to_apply and not services.person_has_register_details(request.user):
        messages.info(
            request, _("Before you apply, give your name and postal address: the register of members holds them.")
        )
        return redirect(details_url)
    if (done := _already_applied(request, org)) is not None:
        return done
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        initial=request.session.get(_answers_key(org), {}),
        classes=selectors.classes_open_to_applications(organisation=org),
        language=language,
    )
    if request.method == "POST" and form.is_valid():
        request.session[_answers_key(org)] = {
            "stakeholder_class": str(form.cleaned_data["stakeholder_class"].pk),
            "email_use": form.cleaned_data["email_use"],
        }
        return redirect("members:join_check", slug=org.slug)
    return render(
        request,
        "members/join.html",
        {"organisation": org, "rules": rules, "form": form, "language": language, "details_url": details_url},
    )


@login_required
def join_check(request, slug: str):
    """Check your answers, each with a "Change" link, then send the application (once)."""
    org = core_selectors.organisation_get(slug=slug)
    if (done := _already_applied(request, org)) is not None:
        return done
    language = get_language()
    form = JoinForm(
        request.session.get(_answers_key(org)),
        classes=selectors.classes_open_to_applications(organisation=org),
        language=language,
    )
    if not form.is_bound or not form.is_valid():  # no answers yet, or a class has closed since
        return redirect("members:join", slug=org.slug)
    if request.method == "POST":
        membership = call_service(
            form,
            services.membership_apply,
            person=request.user,
            organisation=org,
            stakeholder_class=form.cleaned_data["stakeholder_class"],
            email_use=form.cleaned_data["email_use"],
        )
        if membership is not None:
            request.session.pop(_answers_key(org), None)
            messages.success(
                request,
                _(
                    "Your application to join %(organisation)s has been sent. The secretary will decide on it. "
                    "Your reference is %(reference)s."
                )
                % {"organisation": org.name, "reference": membership.reference},
            )
            return redirect("members:mine")
        if (done := _already_applied(request, org)) is not None:  # a second tab sent it first
            return done
    return render(
        request,
        "members/join_confirm.html",
        {
            "organisation": org,
            "rules": rules_for(org),
            "form": form,
            "language": language,
            "email_use_label": EmailUse(form.cleaned_data["email_use"]).label,
            "details_url": _details_url(reverse("members:join_check", kwargs={"slug": org.slug})),
        },
    )


@login_required
def mine(request):
    """My memberships and shares: status, class, shares held, what I owe and voting rights."""
    return render(
        request,
        "members/mine.html",
        {"memberships": list(selectors.memberships_for_person(user=request.user)), "language": get_language()},
    )


def _membership_context(request, membership) -> dict:
    rules = membership.rules
    language = get_language()
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "rules": rules,
        "payment_instructions": rules.localised_payment_instructions(language),
        "language": language,
    }


@login_required
def membership(request, membership_id: int):
    """My entry in the register of members: what it holds about me, what I owe and how to pay."""
    member = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    return render(
        request,
        "members/membership.html",
        {
            **_membership_context(request, member),
            "history": list(selectors.share_history(membership=member)),
            "email_form": EmailUseForm(initial={"email_use": member.email_use}),
            "can_inspect": request.user.has_perm("members.inspect_register", member.organisation),
            "details_url": _details_url(request.path),
        },
    )


@login_required
@require_POST
def email_use(request, membership_id: int):
    """Change what my email address may be used for."""
    member = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    form = EmailUseForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            services.membership_email_use_update,
            field="email_use",
            membership=member,
            actor=request.user,
            email_use=form.cleaned_data["email_use"],
        )
        if done is not None:
            messages.success(request, _("We have recorded what we may use your email address for."))
            return redirect("members:membership", membership_id=member.pk)
    return render(
        request,
        "members/membership.html",
        {
            **_membership_context(request, member),
            "history": list(selectors.share_history(membership=member)),
            "email_form": form,
            "can_inspect": request.user.has_perm("members.inspect_register", member.organisation),
            "details_url": _details_url(reverse("members:membership", kwargs={"membership_id": member.pk})),
        },
    )


@login_required
def withdraw(request, membership_id: int):
    """Withdraw some or all of my paid shares. Withdrawing the last one ends the membership, so
    it asks for confirmation first, saying when and how the money comes back."""
    member = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        shares = form.cleaned_data["shares"]
        if shares == member.shares_held and not form.cleaned_data["confirm"]:
            return render(
                request,
                "members/withdraw_confirm.html",
                {**_membership_context(request, member), "form": form, "shares": shares},
            )
        done = call_service(
            form, services.share_withdraw, field="shares", membership=member, actor=request.user, shares=shares
        )
        if done is not None:
            messages.success(
                request,
                ngettext("You have withdrawn %(count)s share.", "You have withdrawn %(count)s shares.", shares)
                % {"count": shares},
            )
            return redirect("members:mine")
    return render(request, "members/withdraw.html", {**_membership_context(request, member), "form": form})


@login_required
def buy(request, membership_id: int):
    """Buy further shares, where the rules allow, up to the cap. They are owed until paid."""
    member = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    form = BuySharesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        shares = form.cleaned_data["shares"]
        purchase = call_service(
            form, services.share_purchase, field="shares", membership=member, actor=request.user, shares=shares
        )
        if purchase is not None:
            messages.success(
                request,
                ngettext(
                    "You have bought %(count)s share. You owe %(amount)s for it until the secretary records your "
                    "payment.",
                    "You have bought %(count)s shares. You owe %(amount)s for them until the secretary records your "
                    "payment.",
                    shares,
                )
                % {"count": shares, "amount": f"£{purchase.amount_pence / 100:,.2f}"},
            )
            return redirect("members:membership", membership_id=member.pk)
    rules = member.rules
    return render(
        request,
        "members/buy.html",
        {**_membership_context(request, member), "form": form, "room": max(rules.max_shares - member.shares_held, 0)},
    )


@login_required
def resign(request, membership_id: int):
    """Resign: what happens to my shares, then confirm."""
    member = selectors.membership_for_member(user=request.user, membership_id=membership_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.membership_resign, membership=member, actor=request.user)
        if done is not None:
            messages.success(
                request, _("You have resigned from %(organisation)s.") % {"organisation": member.organisation.name}
            )
            return redirect("members:mine")
    return render(
        request,
        "members/resign.html",
        {
            **_membership_context(request, member),
            "form": form,
            "repaid": services.repaid_on_cessation(member),
        },
    )


@login_required
def duplicate_register(request, slug: str):
    """The duplicate register members may inspect: the register of members without holdings,
    and the register of officers beside it."""
    org = selectors.organisation_for_member(user=request.user, slug=slug)
    form = DuplicateRegisterFilterForm(request.GET)
    rows = selectors.duplicate_register(user=request.user, organisation=org, **form.filters())
    officers = selectors.officers_register(user=request.user, organisation=org, permission="members.inspect_register")
    return render(
        request,
        "members/duplicate_register.html",
        {
            "organisation": org,
            "form": form,
            "page": paginate(request, rows),
            "officers": list(officers),
            "language": get_language(),
        },
    )
