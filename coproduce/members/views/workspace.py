"""The organisation's workspace for its secretary and board, its rules and settings, and the
secretary's corrections to a member's details.

Every selector here authorises: the workspace is for the secretary and board members
(``members.view_workspace``); changing rules and correcting details is the secretary's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coproduce.core.views.helpers import call_service

from .. import selectors, services
from ..forms import RULES_CHECKBOXES, MemberDetailsForm, MembershipRulesForm, StakeholderClassForm
from ..models import rules_for


@login_required
def workspace(request, slug: str):
    """Applications waiting, members by class and ward, what is owed, recent changes, exports, rules."""
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.view_workspace"
    )
    data = selectors.workspace(user=request.user, organisation=organisation)
    user = request.user
    return render(
        request,
        "members/workspace.html",
        {
            "organisation": organisation,
            "rules": rules_for(organisation),
            "data": data,
            "can_decide": user.has_perm("members.decide_application", organisation),
            "can_view_register": user.has_perm("members.view_register", organisation),
            "can_export": user.has_perm("members.export_register", organisation),
            "can_change_rules": user.has_perm("members.change_rules", organisation),
            "language": get_language(),
        },
    )


def _rules_context(organisation, form) -> dict:
    return {
        "organisation": organisation,
        "form": form,
        "checkboxes": RULES_CHECKBOXES,
        "classes": list(organisation.stakeholder_classes.order_by("order", "name")),
        "language": get_language(),
    }


@login_required
def rules(request, slug: str):
    """The organisation's membership rules and classes, in English and Welsh, for the secretary."""
    organisation = selectors.organisation_for_secretary(user=request.user, slug=slug, permission="members.change_rules")
    form = MembershipRulesForm(request.POST if request.method == "POST" else None, instance=rules_for(organisation))
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("You did not change any rules."))
            return redirect("members:rules", slug=organisation.slug)
        done = call_service(
            form, services.membership_rules_update, organisation=organisation, actor=request.user, **changes
        )
        if done is not None:
            messages.success(request, _("The membership rules have been saved."))
            return redirect("members:rules", slug=organisation.slug)
    return render(request, "members/rules.html", _rules_context(organisation, form))


@login_required
def class_edit(request, slug: str, class_id: int):
    """Rename a class of membership, or say who can join it, in English and Welsh."""
    organisation = selectors.organisation_for_secretary(user=request.user, slug=slug, permission="members.change_rules")
    stakeholder_class = get_object_or_404(organisation.stakeholder_classes, pk=class_id)
    form = StakeholderClassForm.for_class(stakeholder_class, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.stakeholder_class_update,
            stakeholder_class=stakeholder_class,
            actor=request.user,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, _("The class %(name)s has been saved.") % {"name": done.name})
            return redirect("members:rules", slug=organisation.slug)
    return render(
        request,
        "members/class_edit.html",
        {"organisation": organisation, "stakeholder_class": stakeholder_class, "form": form},
    )


@login_required
def member_details(request, slug: str, membership_id: int):
    """Correct a member's name and postal address (the register must hold them right)."""
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.correct_member_details"
    )
    member = selectors.register_entry(user=request.user, organisation=organisation, membership_id=membership_id)
    person = member.person
    form = MemberDetailsForm(
        request.POST if request.method == "POST" else None,
        initial={"full_name": person.full_name, "address": person.address, "postcode": person.postcode},
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.member_details_correct,
            field="postcode",
            membership=member,
            actor=request.user,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, _("You corrected %(name)s's details.") % {"name": done.person.get_full_name()})
            return redirect("members:register_entry", slug=organisation.slug, membership_id=member.pk)
    return render(
        request, "members/member_details.html", {"organisation": organisation, "membership": member, "form": form}
    )
