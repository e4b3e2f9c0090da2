"""Results, themes, exports, equality monitoring and "you said, we did", for the consultation's officers.

Each question's results are a chart (server-drawn SVG) with a table of the same numbers, filtered
by ward and, only for the equalities role, by a group of the equality questions (the filter is not
even offered to anyone else). Officers tag written answers with themes; the exports stream every
sent response (never equality answers, never names). The equality page is for the equalities role
alone: aggregates with small groups suppressed and a comparison with the place's census figures.
"""

from __future__ import annotations

import csv
import os
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coproduce.core import equality as bank
from coproduce.core.charts import bar_chart
from coproduce.core.models import Place, PlaceKind
from coproduce.core.views.helpers import as_id, call_service, messages_of

from .. import selectors, services
from ..forms import ConfirmForm, FeedbackForm, ThemeForm
from ..models import Consultation, QuestionKind, Theme
from ..models.survey import TEXT_KINDS
from .manage import RUN, SEE_EQUALITY, consultation_for, page_context, posted

TAGGING_PAGE_SIZE = 20


def _wards(consultation: Consultation) -> list[Place]:
    """The wards of the place the consultation concerns (the ward filter's choices)."""
    place = consultation.place
    if place.kind == PlaceKind.WARD:
        return [place]
    return list(Place.objects.filter(kind=PlaceKind.WARD, path__startswith=place.path + "/").order_by("name", "pk"))


def _group_choices(consultation: Consultation) -> list[tuple[str, str]]:
    """The groups of the equality questions the consultation asked, as ``<question>:<category>``."""
    return [
        (f"{question.key}:{key}", f"{question.label}: {label}")
        for question in bank.questions(consultation.equality_questions or [])
        for key, label in question.choices()
    ]


def _percent(count: int, whole: int) -> str:
    share = bank.share(count, whole)
    return f"{share}%" if share is not None else "–"


def _presentation(result: Any, language: str | None, index: int) -> dict[str, Any]:
    """One question's result as a chart and a table: headings, rows and the chart's bars."""
    question = result.question
    kind = result.kind
    answered = getattr(result, "answered", 0) or 0
    title = question.localised("text", language)
    heads: list[str] = [_("Answer"), _("Responses"), _("Share")]
    rows: list[list[Any]] = []
    bars: list[tuple[str, float]] = []
    note = ""
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        for option, count in getattr(result, "options", []) or []:
            label = option.localised_label(language)
            rows.append([label, count, _percent(count, answered)])
            bars.append((label, count))
        if kind == QuestionKind.MULTIPLE:
            note = _("People could choose more than one answer, so the shares add up to more than 100%.")
    elif kind in (QuestionKind.RATING, QuestionKind.NUMBER):
        for value, count in getattr(result, "distribution", []) or []:
            rows.append([str(value), count, _percent(count, answered)])
            bars.append((str(value), count))
        mean = getattr(result, "mean", None)
        if mean is not None:
            note = _("Average: %(mean)s") % {"mean": round(mean, 2)}
    elif kind == QuestionKind.MATRIX:
        heads = [_("Thing rated"), _("Average rating"), _("Responses")]
        for option, counts in getattr(result, "rows", []) or []:
            total = sum(count for _value, count in counts)
            mean = sum(value * count for value, count in counts) / total if total else 0
            label = option.localised_label(language)
            rows.append([label, round(mean, 2) if total else "–", total])
            bars.append((label, round(mean, 2)))
    elif kind == QuestionKind.RANKING:
        heads = [_("Option"), _("Average rank (1 is first)"), _("Ranked first")]
        for option, mean_rank, first in getattr(result, "ranks", []) or []:
            label = option.localised_label(language)
            rows.append([label, round(mean_rank, 2) if mean_rank is not None else "–", first])
            bars.append((label, first))
    elif kind == QuestionKind.PLACE:
        heads = [_("Ward"), _("Responses"), _("Share")]
        for place, count in getattr(result, "places", []) or []:
            label = place.localised_name(language) if place is not None else _("Not known")
            rows.append([label, count, _percent(count, answered)])
            bars.append((label, count))
    else:
        heads = []
        count = getattr(result, "text_count", None)
        note = _("%(count)s written answers.") % {"count": count if count is not None else answered}
    chart = (
        bar_chart(
            bars,
            title=_("Bar chart: %(question)s. The table gives the numbers.") % {"question": title},
            chart_id=f"chart-{index}",
        )
        if bars and any(value for _label, value in bars)
        else ""
    )
    return {
        "question": question,
        "title": title,
        "kind": kind,
        "answered": answered,
        "heads": heads,
        "rows": rows,
        "chart": chart,
        "note": note,
        "text": kind in TEXT_KINDS,
        "id": f"question-{index}",
    }


@login_required
def analysis(request, pk: int):
    """Each question's results as a chart and a table, by ward, and by group for the equalities role
    (who may read the results without running the consultation)."""
    consultation = consultation_for(request, pk, RUN, SEE_EQUALITY)
    language = get_language()
    can_group = request.user.has_perm(SEE_EQUALITY, consultation)
    wards = _wards(consultation)
    by_code = {ward.code: ward for ward in wards}
    ward = by_code.get(request.GET.get("ward") or "")
    groups = _group_choices(consultation) if can_group else []
    group = None
    chosen_group = request.GET.get("group") or "" if can_group else ""
    if chosen_group in dict(groups):
        group = tuple(chosen_group.split(":", 1))
    errors: list[str] = []
    try:
        results = selectors.results(consultation=consultation, ward=ward, group=group, user=request.user)
        total = (
            results.responses
            if hasattr(results, "responses")
            else selectors.response_count(consultation, ward=ward, group=group)
        )
    except ValidationError as error:
        errors += messages_of(error)
        results, total = [], None
    except PermissionDenied:
        results, total = [], None
    shown = [_presentation(result, language, index) for index, result in enumerate(results, start=1)]
    return render(
        request,
        "consultations/manage/analysis.html",
        page_context(
            request,
            consultation,
            "analysis",
            results=shown,
            total=total,
            wards=wards,
            ward=ward,
            groups=groups,
            group=chosen_group if group else "",
            errors=errors,
        ),
    )


# --- Themes and tagging ---------------------------------------------------------------------------------


def _theme(consultation: Consultation, value) -> Theme | None:
    key = as_id(value)
    return Theme.objects.filter(pk=key, consultation=consultation).first() if key is not None else None


@login_required
def themes(request, pk: int):
    """The consultation's themes with how many answers each tags; add, rename or remove one."""
    consultation = consultation_for(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    form = ThemeForm(posted(request, "add"), prefix="new")
    rename = ThemeForm(posted(request, "rename"), prefix="rename")
    errors: list[str] = []
    if action == "add" and form.is_valid():
        theme = call_service(
            form, services.theme_add, consultation=consultation, actor=request.user, **form.cleaned_data
        )
        if theme is not None:
            messages.success(request, _("You added the theme “%(name)s”.") % {"name": theme.name})
            return redirect("consultations:themes", pk=consultation.pk)
    elif action in ("rename", "remove"):
        theme = _theme(consultation, request.POST.get("theme"))
        if theme is None:
            errors.append(_("Choose one of the consultation's themes."))
        elif action == "remove":
            try:
                services.theme_remove(theme=theme, actor=request.user)
            except ValidationError as error:
                errors += messages_of(error)
            else:
                messages.success(request, _("You removed the theme “%(name)s”.") % {"name": theme.name})
                return redirect("consultations:themes", pk=consultation.pk)
        elif rename.is_valid() and (
            call_service(rename, services.theme_update, theme=theme, actor=request.user, **rename.cleaned_data)
            is not None
        ):
            messages.success(request, _("You renamed the theme “%(name)s”.") % {"name": rename.cleaned_data["name"]})
            return redirect("consultations:themes", pk=consultation.pk)
    elif request.method == "POST" and action != "add":
        errors.append(_("Choose what to do."))
    return render(
        request,
        "consultations/manage/themes.html",
        page_context(
            request,
            consultation,
            "themes",
            form=form,
            rename=rename,
            renaming=as_id(request.POST.get("theme")) if action == "rename" else None,
            error_forms=[form, rename],
            errors=errors,
            counts=list(selectors.theme_counts(consultation)),
        ),
    )


def _text_questions(consultation: Consultation, language: str | None) -> list[tuple[str, str]]:
    version = selectors.version_current(consultation)
    seen: dict[str, str] = {}
    for question in selectors.version_questions(version) if version else []:
        if question.kind in TEXT_KINDS:
            seen.setdefault(question.key, question.localised("text", language))
    return list(seen.items())


@login_required
def tagging(request, pk: int):
    """Written answers, filtered by question, theme or untagged; tick each answer's themes."""
    consultation = consultation_for(request, pk)
    language = get_language()
    questions = _text_questions(consultation, language)
    all_themes = list(Theme.objects.filter(consultation=consultation).order_by("name", "pk"))
    source = request.POST if request.method == "POST" else request.GET
    question_key = source.get("question") or ""
    if question_key not in dict(questions):
        question_key = ""
    theme = _theme(consultation, source.get("theme"))
    untagged = source.get("untagged") == "1"
    errors: list[str] = []
    filters = {
        key: value
        for key, value in (
            ("question", question_key),
            ("theme", theme.pk if theme else ""),
            ("untagged", "1" if untagged else ""),
        )
        if value
    }
    if request.method == "POST":
        answer = (
            selectors.text_answers(consultation=consultation).filter(pk=as_id(request.POST.get("answer"))).first()
            if as_id(request.POST.get("answer")) is not None
            else None
        )
        ticked = {as_id(value) for value in request.POST.getlist("themes")}
        try:
            if answer is None:
                raise ValidationError(_("Choose a written answer of this consultation."))
            tagged = {tag.theme_id for tag in answer.tags.all()}
            for item in all_themes:
                if item.pk in ticked and item.pk not in tagged:
                    services.answer_tag(answer=answer, theme=item, actor=request.user)
                elif item.pk not in ticked and item.pk in tagged:
                    services.answer_untag(answer=answer, theme=item, actor=request.user)
        except ValidationError as error:
            errors += messages_of(error)
        else:
            messages.success(request, _("You saved the themes of the answer."))
            page = as_id(request.POST.get("page"))
            query = urlencode({**filters, **({"page": page} if page and page > 1 else {})})
            return redirect(request.path + (f"?{query}" if query else ""))
    answers = selectors.text_answers(
        consultation=consultation, question_key=question_key or None, theme=theme, untagged=untagged
    )
    paginator = Paginator(answers, TAGGING_PAGE_SIZE)
    page = paginator.get_page(as_id(request.GET.get("page")) or 1)
    rows = [(answer, {tag.theme_id for tag in answer.tags.all()}) for answer in page.object_list]
    return render(
        request,
        "consultations/manage/tagging.html",
        page_context(
            request,
            consultation,
            "themes",
            questions=questions,
            themes=all_themes,
            question_key=question_key,
            theme=theme,
            untagged=untagged,
            rows=rows,
            page=page,
            filters=filters,
            errors=errors,
        ),
    )


# --- Exports ---------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns what it was given (csv.writer writes a row at a time)."""

    def write(self, value: str) -> str:
        return value


@login_required
def export_csv(request, pk: int):
    """Every sent response as a CSV row, streamed (no equality answers, no names or email addresses)."""
    consultation = consultation_for(request, pk)
    writer = csv.writer(_Echo())
    rows = selectors.export_csv_rows(consultation)
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consultation-{consultation.pk}-responses.csv"'
    return response


@login_required
def export_xlsx(request, pk: int):
    """Every sent response as a spreadsheet, written to a temporary file and streamed from it."""
    consultation = consultation_for(request, pk)
    file_path = selectors.export_xlsx(consultation)
    handle = open(file_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    # The open handle keeps the data readable; the name goes now, so nothing is left behind.
    os.unlink(file_path)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"consultation-{consultation.pk}-responses.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- Equality monitoring (the equalities role only) ---------------------------------------------------


@login_required
def equality(request, pk: int):
    """Who responded, by the equality questions asked, small groups suppressed, and the comparison with
    the place's population. Only for the equalities role: officers without it are refused."""
    consultation = consultation_for(request, pk, SEE_EQUALITY)
    wards = _wards(consultation)
    ward = {item.code: item for item in wards}.get(request.GET.get("ward") or "")
    summary = selectors.equality_summary(consultation=consultation, user=request.user, ward=ward)
    comparison = selectors.representativeness(consultation=consultation, user=request.user)
    return render(
        request,
        "consultations/manage/equality.html",
        page_context(
            request,
            consultation,
            "equality",
            summary=summary,
            comparison=comparison,
            wards=wards,
            ward=ward,
            threshold=bank.SUPPRESS_BELOW,
        ),
    )


# --- "You said, we did" ------------------------------------------------------------------------------


@login_required
def feedback_edit(request, pk: int):
    """Write what people said and the decision, how each theme was considered; publish it (emailed)."""
    consultation = consultation_for(request, pk)
    theme_list = list(Theme.objects.filter(consultation=consultation).order_by("name", "pk"))
    action = request.POST.get("action") if request.method == "POST" else None
    form = FeedbackForm(
        posted(request, "save"),
        themes=theme_list,
        initial=FeedbackForm.initial_for(consultation, theme_list),
    )
    publish = ConfirmForm(
        posted(request, "publish"),
        label=_("I have checked “You said, we did”: publish it and email the respondents who asked"),
        prefix="publish",
    )
    errors: list[str] = []
    if action == "save" and form.is_valid():
        data = form.cleaned_data
        try:
            services.feedback_save(
                consultation=consultation,
                actor=request.user,
                said=data["said"],
                decision=data["decision"],
                said_cy=data["said_cy"],
                decision_cy=data["decision_cy"],
            )
            for theme, (considered, considered_cy) in form.considered().items():
                if (considered, considered_cy) != (theme.considered, theme.considered_cy):
                    services.theme_update(
                        theme=theme, actor=request.user, considered=considered, considered_cy=considered_cy
                    )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("You saved “You said, we did”. Publish it when it is ready."))
            return redirect("consultations:feedback_edit", pk=consultation.pk)
    elif action == "publish" and publish.is_valid():
        if call_service(publish, services.feedback_publish, consultation=consultation, actor=request.user) is not None:
            messages.success(
                request, _("You published “You said, we did”. The respondents who asked to hear are being emailed.")
            )
            return redirect("consultations:feedback_edit", pk=consultation.pk)
    elif request.method == "POST" and action not in ("save", "publish"):
        errors.append(_("Choose what to do."))
    return render(
        request,
        "consultations/manage/feedback.html",
        page_context(
            request,
            consultation,
            "feedback",
            form=form,
            publish=publish,
            themes=theme_list,
            error_forms=[form, publish],
            errors=errors,
            published=consultation.feedback_published_at is not None,
            closed=consultation.is_closed(),
        ),
    )


_CONSULTATION = "consultations/<int:pk>/manage/"

urlpatterns = [
    path(_CONSULTATION + "results/", analysis, name="analysis"),
    path(_CONSULTATION + "themes/", themes, name="themes"),
    path(_CONSULTATION + "themes/answers/", tagging, name="tagging"),
    path(_CONSULTATION + "responses.csv", export_csv, name="export_csv"),
    path(_CONSULTATION + "responses.xlsx", export_xlsx, name="export_xlsx"),
    path(_CONSULTATION + "equality/", equality, name="equality"),
    path(_CONSULTATION + "you-said-we-did/", feedback_edit, name="feedback_edit"),
]
