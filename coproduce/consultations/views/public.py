"""Residents' pages of consultations: the list, a consultation (what it proposes, its dates, who
it is for, documents, events, survey changes), its documents and events as iCal, the results
once it closes, the responses published with consent, and "you said, we did".

Anyone may read a published consultation of a listed organisation; a draft (or a hidden
organisation's) is seen only by the people who run it.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coproduce.core import selectors as core_selectors
from coproduce.core.charts import bar_chart
from coproduce.core.views.pagination import paginate

from .. import selectors
from ..forms import ConsultationFilterForm
from ..models import (
    Consultation,
    Event,
    QuestionKind,
    RegistrationStatus,
    Response,
    Stage,
    Status,
    SurveyVersion,
)

STATUS_TAGS = {
    Status.DRAFT: "govuk-tag--grey",
    Status.UPCOMING: "govuk-tag--light-blue",
    Status.OPEN: "govuk-tag--green",
    Status.CLOSED: "govuk-tag--grey",
    Status.FEEDBACK: "govuk-tag--purple",
}
RESPONSES_PER_PAGE = 20


# Finding what a person may see --------------------------------------------------------------------


def may_see(request, consultation: Consultation) -> bool:
    hidden = consultation.stage == Stage.DRAFT or not consultation.organisation.is_public
    return not hidden or request.user.has_perm("consultations.run", consultation)


def consultation_for(request, pk: int) -> Consultation:
    """A published consultation of a listed organisation; a draft (or a hidden organisation's)
    only for the people who run it. Anyone else: 404."""
    consultation = get_object_or_404(Consultation.objects.select_related("organisation", "place"), pk=pk)
    if not may_see(request, consultation):
        raise Http404
    return consultation


def notice(request, *, consultation: Consultation, title: str, paragraphs, links=(), status: int = 200, language=None):
    """A page that tells the person plainly why they cannot do something, and where to go."""
    return render(
        request,
        "consultations/public/notice.html",
        {
            "consultation": consultation,
            "title": title,
            "paragraphs": list(paragraphs),
            "links": [link for link in links if link],
            "language": language or get_language(),
        },
        status=status,
    )


def places_left(event: Event, booked: int) -> int | None:
    """Places left at an event (None: no limit)."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - booked)


def events_with_places(consultation: Consultation) -> list[Event]:
    """The consultation's events, each with ``booked`` and ``places_left`` (one query)."""
    events = list(
        consultation.events.annotate(
            booked=Count("registrations", filter=Q(registrations__status=RegistrationStatus.BOOKED))
        ).order_by("starts_at", "pk")
    )
    for event in events:
        event.places_left = places_left(event, event.booked)
    return events


# The list and a consultation ---------------------------------------------------------------------


def _status_filter(status: str | None) -> Q:
    now = timezone.now()
    published = Q(stage=Stage.PUBLISHED)
    return {
        Status.UPCOMING: published & Q(opens_at__gt=now),
        Status.OPEN: published & Q(opens_at__lte=now, closes_at__gt=now),
        Status.CLOSED: published & Q(closes_at__lte=now),
        Status.FEEDBACK: Q(stage=Stage.FEEDBACK),
    }.get(status, Q())


@require_GET
def consultation_list(request):
    """Published consultations of listed organisations, the newest first, filtered by status and ward."""
    language = get_language()
    wards = list(core_selectors.wards())
    form = ConsultationFilterForm(request.GET or None, wards=wards, language=language)
    filters = form.filters() if form.is_bound else {}
    consultations = selectors.public_consultations()
    consultations = consultations.filter(_status_filter(filters.get("status")))
    ward = filters.get("ward")
    if ward is not None:
        # A borough-wide consultation concerns every ward in it.
        consultations = consultations.filter(place__in=[ward, *ward.ancestors()])
    return render(
        request,
        "consultations/public/list.html",
        {"page": paginate(request, consultations), "form": form, "tags": STATUS_TAGS, "language": language},
    )


@require_GET
def consultation_detail(request, pk: int):
    """What is proposed, the dates, who it is for, the documents and events, the survey's changes;
    the results once closed and "you said, we did" once published."""
    consultation = consultation_for(request, pk)
    language = get_language()
    status = consultation.status()
    versions = list(SurveyVersion.objects.filter(consultation=consultation, number__gt=1).order_by("number"))
    return render(
        request,
        "consultations/public/detail.html",
        {
            "consultation": consultation,
            "status": status,
            "tag_class": STATUS_TAGS.get(status, ""),
            "documents": list(consultation.documents.order_by("order", "pk")),
            "events": events_with_places(consultation),
            "changes": versions,
            "published_count": Response.objects.filter(consultation=consultation, published_at__isnull=False).count(),
            "is_preview": consultation.stage == Stage.DRAFT,
            "now": timezone.now(),
            "language": language,
        },
    )


@require_GET
def document(request, pk: int, doc: int):
    """A document's PDF, as a download."""
    consultation = consultation_for(request, pk)
    item = get_object_or_404(consultation.documents, pk=doc)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    filename = f"consultation-{consultation.pk}-document-{item.pk}.pdf"
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def events_ical(events, *, consultation: Consultation, request, language: str | None) -> bytes:
    """Events as an iCalendar file (RFC 5545); cancelled ones are marked so."""
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent

    title = consultation.localised_title(language)
    calendar = Calendar()
    calendar.add("prodid", "-//Coproduce//Consultations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    for event in events:
        page = request.build_absolute_uri(
            reverse("consultations:event", kwargs={"pk": consultation.pk, "event": event.pk})
        )
        item = CalendarEvent()
        item.add("uid", f"consultation-event-{event.pk}@{request.get_host()}")
        item.add("dtstamp", timezone.now())
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at)
        item.add("summary", f"{event.localised('title', language)} — {title}")
        location = ", ".join(part for part in (event.venue, event.address, event.postcode) if part)
        if location:
            item.add("location", location)
        description = [event.get_kind_display(), event.localised("access", language), page]
        item.add("description", "\n".join(part for part in description if part))
        item.add("url", page)
        if event.cancelled_at:
            item.add("status", "CANCELLED")
        calendar.add_component(item)
    return calendar.to_ical()


def ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def consultation_ics(request, pk: int):
    """All the consultation's events as one calendar file."""
    consultation = consultation_for(request, pk)
    events = consultation.events.order_by("starts_at", "pk")
    content = events_ical(events, consultation=consultation, request=request, language=get_language())
    return ical_response(content, f"consultation-{consultation.pk}-events.ics")


# Results, published responses, "you said, we did" --------------------------------------------------


def _not_yet(request, consultation: Consultation, title: str):
    from coproduce.core.jinja import long_date

    return notice(
        request,
        consultation=consultation,
        title=title,
        paragraphs=[
            _("The results are published when the consultation closes, on %(date)s.")
            % {"date": long_date(consultation.closes_at)}
        ],
        status=404,
    )


def _chart_rows(result, language: str | None) -> tuple[list[tuple[str, float]], list[list[str]], list[str]]:
    """A question's result as chart bars, table rows and the table's head."""
    kind = result.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        bars = [(option.localised_label(language), count) for option, count in result.options]
        return bars, [[label, str(count)] for label, count in bars], [_("Answer"), _("People")]
    if kind in (QuestionKind.RATING, QuestionKind.NUMBER):
        bars = [(str(value), count) for value, count in result.distribution]
        return bars, [[label, str(count)] for label, count in bars], [_("Answer"), _("People")]
    if kind == QuestionKind.PLACE:
        bars = [(place.localised_name(language), count) for place, count in result.places]
        return bars, [[label, str(count)] for label, count in bars], [_("Ward"), _("People")]
    if kind == QuestionKind.RANKING:
        bars = [(option.localised_label(language), first) for option, _mean, first in result.ranks]
        rows = [
            [option.localised_label(language), str(first), f"{mean:.1f}" if mean is not None else "–"]
            for option, mean, first in result.ranks
        ]
        return bars, rows, [_("Option"), _("People who put it first"), _("Average position")]
    if kind == QuestionKind.MATRIX:
        bars, rows = [], []
        for option, counts in result.rows:
            total = sum(count for _value, count in counts)
            mean = sum(value * count for value, count in counts) / total if total else 0
            bars.append((option.localised_label(language), round(mean, 1)))
            rows.append([option.localised_label(language), f"{mean:.1f}" if total else "–", str(total)])
        return bars, rows, [_("Row"), _("Average rating"), _("People")]
    return [], [], []


@require_GET
def results(request, pk: int):
    """Once closed: each question's result as a chart (SVG) and its data table."""
    consultation = consultation_for(request, pk)
    if not consultation.is_closed():
        return _not_yet(request, consultation, _("There are no results yet"))
    language = get_language()
    items = []
    found = selectors.results(consultation=consultation)
    for index, result in enumerate(found):
        question = result.question
        text = question.localised("text", language)
        bars, rows, head = _chart_rows(result, language)
        chart = ""
        if bars and any(value for _label, value in bars):
            description = (
                _("Average rating of each row.")
                if result.kind == QuestionKind.MATRIX
                else _("Number of people who put each option first.")
                if result.kind == QuestionKind.RANKING
                else _("Number of people giving each answer.")
            )
            chart = bar_chart(
                bars,
                title=_("Bar chart: %(question)s. The table gives the numbers.") % {"question": text},
                description=description,
                chart_id=f"question-{index}",
                tick_format=(lambda value: f"{value:g}") if result.kind == QuestionKind.MATRIX else None,
            )
        items.append(
            {
                "id": f"question-{index}",
                "text": text,
                "kind": result.kind,
                "answered": result.answered,
                "chart": chart,
                "head": head,
                "rows": rows,
                "mean": getattr(result, "mean", None),
                "text_count": getattr(result, "text_count", None),
            }
        )
    return render(
        request,
        "consultations/public/results.html",
        {
            "consultation": consultation,
            "items": items,
            "total": found.responses,
            "published_count": Response.objects.filter(consultation=consultation, published_at__isnull=False).count(),
            "language": language,
        },
    )


@require_GET
def responses(request, pk: int):
    """The responses published where the respondent agreed, after an officer redacted them."""
    from .respond import answer_text

    consultation = consultation_for(request, pk)
    language = get_language()
    published = selectors.published_responses(consultation)
    page = paginate(request, published, per_page=RESPONSES_PER_PAGE)
    shown = []
    for response in page.object_list:
        by_question: dict[int, list] = {}
        questions = {}
        for answer in response.answers.all():
            by_question.setdefault(answer.question_id, []).append(answer)
            questions[answer.question_id] = answer.question
        rows = []
        for question_id, answers in by_question.items():
            question = questions[question_id]
            if question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
                value = answers[0].public_text  # only ever the redacted text
            else:
                value = answer_text(question, answers, language)
            if value:
                rows.append({"key": {"text": question.localised("text", language)}, "value": {"text": value}})
        shown.append({"response": response, "rows": rows})
    return render(
        request,
        "consultations/public/responses.html",
        {"consultation": consultation, "page": page, "shown": shown, "language": language},
    )


@require_GET
def feedback(request, pk: int):
    """ "You said, we did": what people said, the decision, and how each theme was considered."""
    consultation = consultation_for(request, pk)
    if consultation.stage != Stage.FEEDBACK:
        return notice(
            request,
            consultation=consultation,
            title=_("“You said, we did” is not published yet"),
            paragraphs=[
                _(
                    "Once the responses have been considered and a decision made, "
                    "we will publish what people said and what was decided."
                )
            ],
            status=404,
        )
    themes = [theme for theme in consultation.themes.order_by("name") if theme.considered]
    return render(
        request,
        "consultations/public/feedback.html",
        {
            "consultation": consultation,
            "themes": themes,
            "total": selectors.response_count(consultation),
            "language": get_language(),
        },
    )


urlpatterns = [
    path("consultations/", consultation_list, name="list"),
    path("consultations/<int:pk>/", consultation_detail, name="detail"),
    path("consultations/<int:pk>/documents/<int:doc>/", document, name="document"),
    path("consultations/<int:pk>/events.ics", consultation_ics, name="ics"),
    path("consultations/<int:pk>/results/", results, name="results"),
    path("consultations/<int:pk>/responses/", responses, name="responses"),
    path("consultations/<int:pk>/you-said-we-did/", feedback, name="feedback"),
]
