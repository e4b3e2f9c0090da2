"""A secretary's pages: applications to decide, the registers of members and officers, one
member's entry, recording payments, ending memberships, and the register's exports.

Every selector here authorises; a person without the permission gets the 403 page (404 for
an organisation hidden from them).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coproduce.core.views.helpers import call_service
from coproduce.core.views.pagination import paginate

from .. import exports, selectors, services
from ..forms import CeaseForm, DecisionForm, PaymentForm, RegisterFilterForm
from ..models import REASON_MAX_LENGTH


@login_required
def applications(request, slug: str):
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.decide_application"
    )
    pending = list(selectors.applications_pending(user=request.user, organisation=organisation))
    return render(
        request,
        "members/applications.html",
        {"organisation": organisation, "applications": pending, "language": get_language()},
    )


@login_required
def decide(request, slug: str, membership_id: int):
    """Admit or refuse one application."""
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.decide_application"
    )
    membership = selectors.application_for_decision(
        user=request.user, organisation=organisation, membership_id=membership_id
    )
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = membership.person.get_full_name()
        if form.cleaned_data["decision"] == "admit":
            done = call_service(form, services.membership_admit, membership=membership, actor=request.user)
            message = _("%(name)s is now a member.") % {"name": name}
        else:
            done = call_service(
                form,
                services.membership_refuse,
                field="reason",
                membership=membership,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            message = _("You refused %(name)s's application.") % {"name": name}
        if done is not None:
            messages.success(request, message)
            if form.cleaned_data["decision"] == "admit":  # next: the new member's page, to record their payment
                return redirect("members:register_entry", slug=organisation.slug, membership_id=membership.pk)
            return redirect("members:workspace", slug=organisation.slug)
    return render(
        request,
        "members/decide.html",
        {
            "organisation": organisation,
            "rules": membership.rules,
            "membership": membership,
            "form": form,
            "reason_max_length": REASON_MAX_LENGTH,
            "language": get_language(),
        },
    )


def _register(request, slug: str, permission: str):
    """The organisation, the filter form and the filtered register, for the page and the exports."""
    organisation = selectors.organisation_for_secretary(user=request.user, slug=slug, permission=permission)
    form = RegisterFilterForm(
        request.GET, classes=list(organisation.stakeholder_classes.order_by("order", "name")), language=get_language()
    )
    filters = form.filters()
    rows = selectors.register(user=request.user, organisation=organisation, permission=permission, **filters)
    return organisation, filters, form, rows


@login_required
def register(request, slug: str):
    organisation, _filters, form, rows = _register(request, slug, "members.view_register")
    return render(
        request,
        "members/register.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, rows),
            "counts": selectors.register_counts(organisation=organisation),
            "query": request.GET.urlencode(),
            "can_export": request.user.has_perm("members.export_register", organisation),
            "language": get_language(),
        },
    )


@login_required
def register_export(request, slug: str, fmt: str):
    """The register (with the same filters) as CSV or XLSX; each export is in the audit trail."""
    organisation, filters, _form, rows = _register(request, slug, "members.export_register")
    rows = list(rows)
    if fmt == "csv":
        response = HttpResponse(exports.register_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.register_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    services.register_export_record(
        actor=request.user,
        organisation=organisation,
        fmt=fmt,
        columns=exports.register_columns(),
        filters=filters,
        rows=len(rows),
    )
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-register.{fmt}"'
    return response


@login_required
def officers(request, slug: str):
    """The register of officers: secretary and board members, with the dates they served."""
    organisation = selectors.organisation_for_secretary(user=request.user, slug=slug)
    return render(
        request,
        "members/officers.html",
        {
            "organisation": organisation,
            "officers": list(
                selectors.officers_register(
                    user=request.user, organisation=organisation, permission="members.view_register"
                )
            ),
            "language": get_language(),
        },
    )


@login_required
def register_entry(request, slug: str, membership_id: int):
    """One member's entry: the register's columns, the ledger with its payments, and what an
    officer can do next (record a payment, end the membership)."""
    organisation = selectors.organisation_for_secretary(user=request.user, slug=slug)
    member = selectors.register_entry(user=request.user, organisation=organisation, membership_id=membership_id)
    return render(
        request,
        "members/register_entry.html",
        {
            "organisation": organisation,
            "rules": member.rules,
            "membership": member,
            "history": list(selectors.share_history(membership=member)),
            "events": selectors.member_history(user=request.user, organisation=organisation, membership=member),
            "can_correct": request.user.has_perm("members.correct_member_details", organisation),
            "can_record_payment": request.user.has_perm("members.record_payment", organisation)
            and member.owed_pence > 0,
            "can_cease": request.user.has_perm("members.cease_membership", organisation)
            and member.status == "admitted",
            "language": get_language(),
        },
    )


def _describe_owed(item) -> str:
    amount = f"£{item.amount_pence / 100:,.2f}"
    shares = ngettext("%(count)s share", "%(count)s shares", item.shares) % {"count": item.shares}
    return _("%(shares)s, %(kind)s on %(date)s: %(amount)s") % {
        "shares": shares,
        "kind": item.get_kind_display().lower(),
        "date": formats.date_format(timezone.localdate(item.created_at), "j F Y"),
        "amount": amount,
    }


@login_required
def payment_record(request, slug: str, membership_id: int):
    """Record money received for shares the member owes for."""
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.record_payment"
    )
    member = selectors.register_entry(user=request.user, organisation=organisation, membership_id=membership_id)
    owed = list(selectors.owed_share_transactions(membership=member))
    today = timezone.localdate()
    form = PaymentForm(
        request.POST if request.method == "POST" else None,
        owed=owed,
        describe=_describe_owed,
        initial={
            "share_transaction": str(owed[0].pk) if len(owed) == 1 else None,
            "day": today.day,
            "month": today.month,
            "year": today.year,
        },
    )
    if request.method == "POST" and form.is_valid():
        payment = call_service(
            form,
            services.share_payment_record,
            share_transaction=form.cleaned_data["share_transaction"],
            actor=request.user,
            method=form.cleaned_data["method"],
            reference=form.cleaned_data["reference"],
            paid_on=form.cleaned_data["paid_on"],
        )
        if payment is not None:
            messages.success(
                request,
                _("You recorded a payment of %(amount)s from %(name)s.")
                % {"amount": f"£{payment.amount_pence / 100:,.2f}", "name": member.person.get_full_name()},
            )
            return redirect("members:register_entry", slug=organisation.slug, membership_id=member.pk)
    return render(
        request,
        "members/payment_record.html",
        {"organisation": organisation, "membership": member, "owed": owed, "form": form, "language": get_language()},
    )


@login_required
def cease(request, slug: str, membership_id: int):
    """End a membership (resigned by letter, expelled, deceased, lapsed), with the reason."""
    organisation = selectors.organisation_for_secretary(
        user=request.user, slug=slug, permission="members.cease_membership"
    )
    member = selectors.register_entry(user=request.user, organisation=organisation, membership_id=membership_id)
    form = CeaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.membership_cease,
            field="note" if form.cleaned_data["reason"] == "expelled" else None,
            membership=member,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        if done is not None:
            messages.success(request, _("%(name)s's membership has ended.") % {"name": member.person.get_full_name()})
            return redirect("members:register_entry", slug=organisation.slug, membership_id=member.pk)
    return render(
        request,
        "members/cease.html",
        {
            "organisation": organisation,
            "membership": member,
            "form": form,
            "repaid": services.repaid_on_cessation(member),
            "reason_max_length": REASON_MAX_LENGTH,
            "language": get_language(),
        },
    )
