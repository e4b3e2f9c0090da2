"""The council's officers' pages for running a resident panel, up to the selection.

Officers (or the organisation's secretaries) set a panel up, import the place's addresses, draw
the letters with a published seed and download them (one PDF, and a CSV for a print house), set
the targets from the census, and take registrations by phone with the letter's code. The
selection and what follows it (members, replacements) are in ``selection``; sessions,
attendance and payments here. Every button calls one service; a refusal is shown on the page
with nothing written. Officers' pages are behind two-factor sign-in
(``core.middleware.RequireMFAMiddleware``: they hold roles).
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coproduce.core import equality
from coproduce.core import selectors as core_selectors
from coproduce.core.forms import service_error_on
from coproduce.core.models import Organisation, Place, PlaceKind
from coproduce.core.views.helpers import as_id, call_service, messages_of

from .. import letters as printing
from .. import selectors, services
from ..forms import (
    AddressesForm,
    AttendanceForm,
    CodeForm,
    LettersDrawForm,
    PanelForm,
    PaymentForm,
    RegisterForm,
    SessionForm,
    TargetAddForm,
    TargetsComputeForm,
    TargetsForm,
    category_label,
)
from ..models import (
    Address,
    Attendance,
    Feature,
    Invitation,
    Panel,
    Payment,
    Registrant,
    RegistrantStatus,
    Session,
    Stage,
    Target,
)
from ..models.panels import WARD_FEATURE

MANAGE = "panels.manage"
RUN = "panels.run"
REGISTRANTS_PER_PAGE = 100
# People on the panel (or invited to it): who sessions, attendance and payments are for.
MEMBER_STATUSES = (RegistrantStatus.SELECTED, RegistrantStatus.CONFIRMED, RegistrantStatus.REPLACEMENT)

# --- Fetching and authorising -------------------------------------------------------------------


def _refuse(organisation: Organisation) -> None:
    """A hidden organisation's panels answer 404 to those without the permission; others 403."""
    if not organisation.is_public:
        raise Http404
    raise PermissionDenied


def _organisation(request, slug: str) -> Organisation:
    """The council, if ``request.user`` may set its panels up."""
    organisation = get_object_or_404(Organisation.objects.select_related("area"), slug=slug)
    if not request.user.has_perm(MANAGE, organisation):
        _refuse(organisation)
    return organisation


def panel_for_officer(request, pk: int) -> Panel:
    """The panel, if ``request.user`` runs it (``panels.run``)."""
    panel = get_object_or_404(Panel.objects.select_related("organisation", "place"), pk=pk)
    if not request.user.has_perm(RUN, panel):
        _refuse(panel.organisation)
    return panel


def _wards(places: Iterable[Place]) -> list[Place]:
    return sorted((place for place in places if place.kind == PlaceKind.WARD), key=lambda ward: ward.name)


def value_label(feature: str, value: str, wards: dict[str, Place], language: str | None) -> str:
    """A category's value in words: the ward's name, or the bank's words for the answer."""
    if feature == WARD_FEATURE:
        ward = wards.get(value)
        return ward.localised_name(language) if ward else value
    try:
        return str(equality.question(feature).label_of(value))
    except KeyError:
        return value


def wards_by_code(panel: Panel) -> dict[str, Place]:
    """The wards of the panel's place (and the place itself), by code."""
    places = Place.objects.filter(Q(pk=panel.place_id) | Q(path__startswith=panel.place.path + "/"))
    return {place.code: place for place in places}


def make_up(panel: Panel, statuses: Iterable[str] | None = None, public_ids: Iterable[str] | None = None):
    """How many registrants (of these statuses, or these public ids) have each (category, value)."""
    features = Feature.objects.filter(registrant__panel=panel)
    if statuses is not None:
        features = features.filter(registrant__status__in=list(statuses))
    if public_ids is not None:
        features = features.filter(registrant__public_id__in=list(public_ids))
    counts: dict[tuple[str, str], int] = {}
    for feature, value, number in features.values_list("feature", "value").annotate(n=Count("pk")).order_by():
        counts[(feature, value)] = number
    return counts


def target_tables(panel: Panel, columns: dict[str, dict[tuple[str, str], int]], language: str | None):
    """Per category: its name and a row per target (value, census share, min, max, and each column's count)."""
    wards = wards_by_code(panel)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for target in Target.objects.filter(panel=panel):
        counts = {name: numbers.get((target.feature, target.value), 0) for name, numbers in columns.items()}
        grouped[target.feature].append(
            {
                "target": target,
                "label": value_label(target.feature, target.value, wards, language),
                "counts": counts,
                "met": {name: target.minimum <= n <= target.maximum for name, n in counts.items()},
            }
        )
    order = list(panel.categories) + sorted(set(grouped) - set(panel.categories))
    return [
        {"feature": feature, "label": category_label(feature), "rows": grouped[feature]}
        for feature in order
        if grouped.get(feature)
    ]


def page(request, template: str, panel: Panel, **context: Any):
    context.setdefault("errors", [])
    return render(request, f"panels/manage/{template}", {"panel": panel, "language": get_language(), **context})


# --- The council's panels, and a new one ------------------------------------------------------------


@login_required
def manage_list(request, slug: str):
    """The council's panels, drafts included, each with its stage and registrations."""
    organisation = _organisation(request, slug)
    panels = list(
        Panel.objects.filter(organisation=organisation)
        .select_related("place")
        .annotate(registered=Count("registrants", distinct=True))
    )
    return render(
        request,
        "panels/manage/list.html",
        {"organisation": organisation, "panels": panels, "language": get_language()},
    )


def _form_page(request, *, organisation, form, panel=None, locked=False):
    return render(
        request,
        "panels/manage/form.html",
        {"organisation": organisation, "panel": panel, "form": form, "locked": locked, "language": get_language()},
    )


@login_required
def manage_create(request, slug: str):
    """A new panel (being prepared until its letters are drawn)."""
    organisation = _organisation(request, slug)
    places = core_selectors.places_for(organisation)
    form = PanelForm(
        request.POST if request.method == "POST" else None,
        places=places,
        wards=_wards(places),
        language=get_language(),
        initial=PanelForm.initial_new(),
    )
    if request.method == "POST" and form.is_valid():
        panel = call_service(
            form,
            services.panel_create,
            organisation=organisation,
            actor=request.user,
            welsh_wards=form.cleaned_data["welsh_wards"],
            **form.values(),
        )
        if panel is not None:
            messages.success(request, _("You created the panel. Next, import the addresses letters may go to."))
            return redirect("panels:manage", pk=panel.pk)
    return _form_page(request, organisation=organisation, form=form)


@login_required
def manage_edit(request, pk: int):
    """Change the panel until its selection is made."""
    panel = panel_for_officer(request, pk)
    places = core_selectors.places_for(panel.organisation, panel.place)
    form = PanelForm(
        request.POST if request.method == "POST" else None,
        places=places,
        wards=_wards(places),
        language=get_language(),
        initial=PanelForm.initial_for(panel),
    )
    locked = panel.stage in (Stage.SELECTING, Stage.SELECTED, Stage.PUBLISHED)
    if (
        not locked
        and request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            services.panel_update,
            panel=panel,
            actor=request.user,
            welsh_wards=form.cleaned_data["welsh_wards"],
            **form.values(),
        )
        is not None
    ):
        messages.success(request, _("You saved the changes to the panel."))
        return redirect("panels:manage", pk=panel.pk)
    return _form_page(request, organisation=panel.organisation, form=form, panel=panel, locked=locked)


# --- The panel's page: where it has got to, and what to do next ----------------------------------------


def _counts(panel: Panel) -> dict[str, int]:
    return {
        "addresses": Address.objects.filter(panel=panel).count(),
        "invitations": Invitation.objects.filter(panel=panel).count(),
        "registrants": Registrant.objects.filter(panel=panel).exclude(status=RegistrantStatus.WITHDRAWN).count(),
        "targets": Target.objects.filter(panel=panel).count(),
        "sessions": Session.objects.filter(panel=panel).count(),
    }


def next_step(panel: Panel, counts: dict[str, int], now) -> str:
    """In plain words, what the panel needs next."""
    from coproduce.core.jinja import long_date

    if panel.stage == Stage.DRAFT:
        if not counts["addresses"]:
            return _("Import the addresses letters may go to.")
        return _("Draw the addresses to write to, then download the letters and send them.")
    if panel.stage == Stage.INVITING:
        return _(
            "Print and send the letters. Open registration when they are on their way (it opens by itself on %(date)s)."
        ) % {"date": long_date(panel.registration_opens)}
    if panel.stage == Stage.REGISTERING:
        if now < panel.registration_closes:
            return _("Registration is open until %(date)s. Take registrations by phone, and check the targets.") % {
                "date": long_date(panel.registration_closes)
            }
        if not panel.seed_published_at:
            return _("Registration has closed. Publish the seed for the selection, then run it.")
        return _("Registration has closed and the seed is published: run the selection.")
    if panel.stage == Stage.SELECTING:
        return _("The selection is running.")
    if panel.stage == Stage.SELECTED:
        return _("Check the selection against the targets, then publish it: the people selected are invited.")
    return _(
        "The selection is published. Record who confirms or declines, replace anyone who drops out from the "
        "reserves, and record attendance and payments."
    )


@login_required
def manage(request, pk: int):
    """The one page for running a panel, saying what to do next."""
    panel = panel_for_officer(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        # The one button here: open registration once the letters are drawn.
        try:
            if request.POST.get("action") != "open":
                raise ValidationError(_("Choose what to do."))
            services.registration_open(panel=panel, actor=request.user)
        except ValidationError as error:
            errors = messages_of(error)
        else:
            messages.success(request, _("Registration is open. People can now register with the code on their letter."))
            return redirect("panels:manage", pk=panel.pk)
    now = timezone.now()
    counts = _counts(panel)
    return page(
        request,
        "overview.html",
        panel,
        counts=counts,
        next_step=next_step(panel, counts, now),
        now=now,
        Stage=Stage,
        categories=[category_label(key) for key in panel.categories],
        welsh_wards=[ward.localised_name(get_language()) for ward in panel.welsh_wards.order_by("name")],
        errors=errors,
    )


# --- Addresses -------------------------------------------------------------------------------------------


def _ward_rows(queryset, wards: dict[int, Place], language: str | None) -> list[tuple[str, int]]:
    rows = []
    for ward_id, number in queryset:
        ward = wards.get(ward_id)
        rows.append((ward.localised_name(language) if ward else _("Ward not known"), number))
    return sorted(rows, key=lambda row: row[0])


@login_required
def addresses(request, pk: int):
    """Import the place's addresses (CSV); a bad file is refused with its line, nothing imported."""
    panel = panel_for_officer(request, pk)
    form = AddressesForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        imported = None
        with tempfile.TemporaryDirectory(prefix="coproduce-addresses-") as folder:
            target = Path(folder) / "upload.csv"
            with target.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            name = Path(upload.name or "addresses.csv").name
            try:
                imported = services.addresses_import(panel=panel, actor=request.user, path=target, name=name)
            except services.AddressImportError as error:
                where = (
                    _("%(file)s, line %(line)d") % {"file": error.file, "line": error.line}
                    if error.line
                    else error.file
                )
                form.add_error(
                    "file", _("%(where)s: %(reason)s. Nothing was imported.") % {"where": where, "reason": error.reason}
                )
            except ValidationError as error:
                service_error_on(form, error)
        if imported is not None:
            messages.success(
                request,
                ngettext("%(num)d address imported.", "%(num)d addresses imported.", imported) % {"num": imported},
            )
            return redirect("panels:addresses", pk=panel.pk)
    by_ward = Address.objects.filter(panel=panel).values_list("ward").annotate(n=Count("pk")).order_by()
    ward_ids = [ward_id for ward_id, _n in by_ward if ward_id]
    wards = {ward.pk: ward for ward in Place.objects.filter(pk__in=ward_ids)}
    rows = _ward_rows(by_ward, wards, get_language())
    return page(
        request,
        "addresses.html",
        panel,
        form=form,
        rows=rows,
        total=sum(number for _label, number in rows),
        drawn=Invitation.objects.filter(panel=panel).exists(),
    )


# --- Letters ------------------------------------------------------------------------------------------------


@login_required
def letters(request, pk: int):
    """Draw the addresses to write to (count, seed, in proportion to the wards), then download the letters."""
    panel = panel_for_officer(request, pk)
    form = LettersDrawForm(
        request.POST if request.method == "POST" else None, initial={"proportional": True, "seed_choice": "generate"}
    )
    if request.method == "POST" and form.is_valid():
        drawn = call_service(
            form,
            services.invitations_draw,
            panel=panel,
            actor=request.user,
            count=form.cleaned_data["count"],
            seed=form.cleaned_data["seed"],
            proportional=form.cleaned_data["proportional"],
        )
        if drawn is not None:
            messages.success(
                request,
                ngettext(
                    "%(num)d address drawn. Download the letters below.",
                    "%(num)d addresses drawn. Download the letters below.",
                    drawn,
                )
                % {"num": drawn},
            )
            return redirect("panels:letters", pk=panel.pk)
    language = get_language()
    by_ward = (
        Invitation.objects.filter(panel=panel)
        .values_list("address__ward", "language")
        .annotate(n=Count("pk"))
        .order_by()
    )
    wards = {ward.pk: ward for ward in Place.objects.filter(pk__in={w for w, _lang, _n in by_ward if w})}
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"en": 0, "cy": 0})
    for ward_id, letter_language, number in by_ward:
        ward = wards.get(ward_id)
        name = ward.localised_name(language) if ward else _("Ward not known")
        table[name][letter_language if letter_language in ("en", "cy") else "en"] += number
    rows = sorted(table.items())
    return page(
        request,
        "letters.html",
        panel,
        form=form,
        rows=rows,
        total=sum(n["en"] + n["cy"] for _name, n in rows),
        english=sum(n["en"] for _name, n in rows),
        welsh=sum(n["cy"] for _name, n in rows),
        addresses=Address.objects.filter(panel=panel).count(),
    )


@login_required
def letters_pdf(request, pk: int):
    """Every letter drawn, one PDF, a page each in its language."""
    panel = panel_for_officer(request, pk)
    if not Invitation.objects.filter(panel=panel).exists():
        raise Http404
    content = printing.letters_pdf(panel=panel, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="panel-{panel.pk}-letters.pdf"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def letters_csv(request, pk: int):
    """The letters for a print house: code, language, address lines, postcode, registration address."""
    panel = panel_for_officer(request, pk)
    if not Invitation.objects.filter(panel=panel).exists():
        raise Http404
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in printing.letters_csv_rows(panel, base_url=request.build_absolute_uri("/"))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="panel-{panel.pk}-letters.csv"'
    return response


# --- Targets -----------------------------------------------------------------------------------------------


@login_required
def targets(request, pk: int):
    """Targets from the census (with a tolerance), then each one's least and most, changed by hand."""
    panel = panel_for_officer(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and "remove" in request.POST:
        action = "remove"  # a Remove button in the targets' table
    compute = TargetsComputeForm(request.POST if action == "compute" else None, initial={"tolerance": 1})
    current = list(Target.objects.filter(panel=panel))
    edit = TargetsForm(request.POST if action == "save" else None, targets=current)
    add = TargetAddForm(request.POST if action == "add" else None, options=_missing_targets(panel, current))
    errors: list[str] = []
    fixed = panel.stage in (Stage.SELECTING, Stage.SELECTED, Stage.PUBLISHED)
    if action == "compute" and compute.is_valid():
        made = call_service(
            compute,
            services.targets_from_census,
            panel=panel,
            actor=request.user,
            tolerance=compute.cleaned_data["tolerance"],
        )
        if made is not None:
            messages.success(
                request,
                ngettext(
                    "%(num)d target computed from the census.", "%(num)d targets computed from the census.", len(made)
                )
                % {"num": len(made)},
            )
            return redirect("panels:targets", pk=panel.pk)
    elif action == "save" and edit.is_valid():
        changes = edit.changes()
        try:
            # All the changes, or none of them.
            with transaction.atomic():
                for target, low, high in changes:
                    try:
                        services.target_set(target=target, actor=request.user, minimum=low, maximum=high)
                    except ValidationError as error:
                        named = getattr(error, "error_dict", {})
                        bound = "max" if "maximum" in named and "minimum" not in named else "min"
                        edit.add_error(f"{bound}_{target.pk}", error.messages)
                        raise
        except ValidationError:
            pass
        else:
            messages.success(
                request,
                ngettext("You changed %(num)d target.", "You changed %(num)d targets.", len(changes))
                % {"num": len(changes)}
                if changes
                else _("Nothing was changed."),
            )
            return redirect("panels:targets", pk=panel.pk)
    elif action == "add" and add.is_valid():
        data = add.cleaned_data
        target = call_service(
            add,
            services.target_add,
            panel=panel,
            actor=request.user,
            feature=data["feature"],
            value=data["value"],
            minimum=data["minimum"],
            maximum=data["maximum"],
        )
        if target is not None:
            messages.success(request, _("You added the target."))
            return redirect("panels:targets", pk=panel.pk)
    elif action == "remove":
        target = next((t for t in current if t.pk == as_id(request.POST.get("remove"))), None)
        try:
            if target is None:
                raise ValidationError(_("Choose the target to remove."))
            services.target_remove(target=target, actor=request.user)
        except ValidationError as error:
            errors = messages_of(error)
        else:
            messages.success(request, _("You removed the target."))
            return redirect("panels:targets", pk=panel.pk)
    elif request.method == "POST" and action not in ("compute", "save", "add", "remove"):
        errors.append(_("Choose what to do."))
    return page(
        request,
        "targets.html",
        panel,
        compute=compute,
        edit=edit,
        add=add,
        tables=target_tables(panel, {}, get_language()),
        fixed=fixed,
        errors=errors,
        sums=_sums(current),
    )


def _missing_targets(panel: Panel, current: list[Target]) -> list[tuple[str, str, str]]:
    """(category, value, words) for each value of the panel's categories that has no target yet."""
    language = get_language()
    have = {(target.feature, target.value) for target in current}
    wards = wards_by_code(panel)
    options = []
    for feature in panel.categories:
        if feature == WARD_FEATURE:
            values = [code for code, place in sorted(wards.items()) if place.kind == PlaceKind.WARD]
        else:
            try:
                values = list(equality.question(feature).keys())
            except KeyError:
                continue
        for value in values:
            if (feature, value) not in have:
                words = f"{category_label(feature)}: {value_label(feature, value, wards, language)}"
                options.append((feature, value, words))
    return options


def _sums(current: list[Target]) -> list[dict[str, Any]]:
    """Per category, the least and most the targets add up to (they must straddle the panel's size)."""
    sums: dict[str, list[int]] = {}
    for target in current:
        low, high = sums.setdefault(target.feature, [0, 0])
        sums[target.feature] = [low + target.minimum, high + target.maximum]
    return [{"label": category_label(key), "minimum": low, "maximum": high} for key, (low, high) in sums.items()]


# --- Registrations ---------------------------------------------------------------------------------------


def _by_status(people) -> dict[str, int]:
    """How many people are in each status, in the statuses' order (none shown for none)."""
    counts = dict(people.order_by().values_list("status").annotate(n=Count("pk")))
    return {label: counts[value] for value, label in RegistrantStatus.choices if counts.get(value)}


@login_required
def registrants(request, pk: int):
    """Who has registered: the counts per category against the targets, and the list."""
    panel = panel_for_officer(request, pk)
    people = Registrant.objects.filter(panel=panel).order_by("registered_at", "pk")
    listing = Paginator(people, REGISTRANTS_PER_PAGE).get_page(request.GET.get("page"))
    return page(
        request,
        "registrants.html",
        panel,
        counts=selectors.registrant_counts(panel),
        unselectable=selectors.unselectable(panel),
        listing=listing,
        total=people.count(),
        by_status=_by_status(people),
    )


@login_required
def phone(request, pk: int):
    """Register someone by phone: the code on their letter, then the questions the web form asks."""
    panel = panel_for_officer(request, pk)
    language = get_language()
    code_text = (request.POST.get("code") or request.GET.get("code") or "").strip()
    code_form = CodeForm({"code": code_text} if code_text else None)
    invitation = None
    if code_form.is_bound and code_form.is_valid():
        invitation = selectors.invitation_for_code(code_form.cleaned_data["code"])
        if invitation is None or invitation.panel_id != panel.pk:
            invitation = None
            code_form.add_error("code", _("There is no letter for this panel with that code. Check it and try again."))
    form = None
    if invitation is not None:
        sessions = list(Session.objects.filter(panel=panel))
        posted = request.method == "POST" and request.POST.get("action") == "register"
        form = RegisterForm(
            request.POST if posted else None, categories=panel.categories, sessions=sessions, language=language
        )
        if posted and form.is_valid():
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
                language=invitation.language,
                by_phone=True,
                actor=request.user,
            )
            if registrant is not None:
                messages.success(
                    request,
                    _("%(name)s is registered, with the anonymous id %(id)s.")
                    % {"name": registrant.name, "id": registrant.public_id},
                )
                return redirect("panels:phone", pk=panel.pk)
    return page(request, "phone.html", panel, code_form=code_form, invitation=invitation, form=form)


# --- Sessions and attendance ----------------------------------------------------------------------------


def members_of(panel: Panel):
    return Registrant.objects.filter(panel=panel, status__in=MEMBER_STATUSES).order_by("name", "pk")


@login_required
def sessions(request, pk: int):
    """The panel's sessions, and a new one."""
    panel = panel_for_officer(request, pk)
    form = SessionForm(request.POST if request.method == "POST" else None, initial={"starts": "18:00", "ends": "21:00"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = call_service(
            form,
            services.session_add,
            panel=panel,
            actor=request.user,
            title=data["title"],
            title_cy=data["title_cy"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            venue=data["venue"],
            access=data["access"],
        )
        if session is not None:
            messages.success(request, _("You added the session “%(title)s”.") % {"title": session.title})
            return redirect("panels:sessions", pk=panel.pk)
    rows = list(
        Session.objects.filter(panel=panel).annotate(
            came=Count("attendance", filter=Q(attendance__attended=True)), recorded=Count("attendance")
        )
    )
    return page(request, "sessions.html", panel, form=form, sessions=rows)


@login_required
def attendance(request, pk: int, session: int):
    """Who came to a session."""
    panel = panel_for_officer(request, pk)
    meeting = get_object_or_404(Session, pk=session, panel=panel)
    members = list(members_of(panel))
    recorded = dict(Attendance.objects.filter(session=meeting).values_list("registrant", "attended"))
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        members=members,
        initial={"came": [str(pk) for pk, came in recorded.items() if came]},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form, services.attendance_record, session=meeting, actor=request.user, attended=form.attended()
        )
        is not None
    ):
        came = sum(form.attended().values())
        messages.success(
            request,
            ngettext("Attendance recorded: %(num)d person came.", "Attendance recorded: %(num)d people came.", came)
            % {"num": came},
        )
        return redirect("panels:sessions", pk=panel.pk)
    return page(request, "attendance.html", panel, meeting=meeting, form=form, members=members, recorded=recorded)


# --- Payments ----------------------------------------------------------------------------------------------


@login_required
def payments(request, pk: int):
    """Payments and expenses: record one (amount in pounds, method, date); the list per person with totals."""
    panel = panel_for_officer(request, pk)
    members = list(members_of(panel))
    form = PaymentForm(request.POST if request.method == "POST" else None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payment = call_service(
            form,
            services.payment_record,
            registrant=data["registrant"],
            actor=request.user,
            kind=data["kind"],
            amount=data["amount"],
            method=data["method"],
            paid_on=data["paid_on"],
            note=data["note"],
        )
        if payment is not None:
            messages.success(request, _("You recorded the payment to %(name)s.") % {"name": data["registrant"].name})
            return redirect("panels:payments", pk=panel.pk)
    paid = list(
        Payment.objects.filter(registrant__panel=panel)
        .select_related("registrant")
        .order_by("registrant__name", "paid_on", "pk")
    )
    people: dict[int, dict[str, Any]] = {}
    for payment in paid:
        row = people.setdefault(payment.registrant_id, {"registrant": payment.registrant, "payments": [], "total": 0})
        row["payments"].append(payment)
        row["total"] += payment.amount
    total = Payment.objects.filter(registrant__panel=panel).aggregate(total=Sum("amount"))["total"] or 0
    return page(request, "payments.html", panel, form=form, people=list(people.values()), total=total)


urlpatterns = [
    path("panels/manage/<slug:slug>/", manage_list, name="manage_list"),
    path("panels/manage/<slug:slug>/new/", manage_create, name="manage_create"),
    path("panels/<int:pk>/manage/", manage, name="manage"),
    path("panels/<int:pk>/manage/edit/", manage_edit, name="manage_edit"),
    path("panels/<int:pk>/manage/addresses/", addresses, name="addresses"),
    path("panels/<int:pk>/manage/letters/", letters, name="letters"),
    path("panels/<int:pk>/manage/letters.pdf", letters_pdf, name="letters_pdf"),
    path("panels/<int:pk>/manage/letters.csv", letters_csv, name="letters_csv"),
    path("panels/<int:pk>/manage/targets/", targets, name="targets"),
    path("panels/<int:pk>/manage/registrants/", registrants, name="registrants"),
    path("panels/<int:pk>/manage/registrants/phone/", phone, name="phone"),
    path("panels/<int:pk>/manage/sessions/", sessions, name="sessions"),
    path("panels/<int:pk>/manage/sessions/<int:session>/", attendance, name="attendance"),
    path("panels/<int:pk>/manage/payments/", payments, name="payments"),
]
