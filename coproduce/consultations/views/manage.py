"""The officers' pages for running a consultation.

Officers and secretaries of the organisation create a consultation (its words, place, dates, who
may respond and the equality questions it asks), add its documents, publish it, run its events
(registrations, the waiting list, attendance and notes), enter paper responses page by page with
the residents' own forms, and publish the responses whose authors agreed once each text answer is
checked. Every button calls one service; a refusal is shown on the page with nothing written.
Officers' pages are behind two-factor sign-in (``core.middleware.RequireMFAMiddleware``: they hold
roles). The survey builder is in ``survey.py``, results, themes and exports in ``analysis.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.core import selectors as core_selectors
from coproduce.core.models import Organisation
from coproduce.core.views.helpers import as_id, call_service, messages_of

from .. import selectors, services
from ..forms import (
    AttendanceForm,
    ConfirmForm,
    ConsultationForm,
    DocumentForm,
    EventForm,
    EventNotesForm,
    PaperFinishForm,
    PaperReferenceForm,
    page_form,
    page_initial,
)
from ..models import (
    Answer,
    Channel,
    Consultation,
    Document,
    Event,
    Page,
    RegistrationStatus,
    Response,
    ResponseState,
    Stage,
    Status,
)

MANAGE = "consultations.manage"
RUN = "consultations.run"
SEE_EQUALITY = "consultations.see_equality"
PUBLISHING_PAGE_SIZE = 20

# --- Fetching and authorising ---------------------------------------------------------------------


def _refuse(organisation: Organisation) -> None:
    """A hidden organisation's consultations answer 404 to those without the permission; others 403."""
    if not organisation.is_public:
        raise Http404
    raise PermissionDenied


def organisation_for(request, slug: str) -> Organisation:
    """The organisation, if ``request.user`` may create consultations there."""
    organisation = get_object_or_404(Organisation.objects.select_related("area"), slug=slug)
    if not request.user.has_perm(MANAGE, organisation):
        _refuse(organisation)
    return organisation


def consultation_for(request, pk: int, *permissions: str) -> Consultation:
    """The consultation, if ``request.user`` holds one of ``permissions`` for it (running it, by default).

    Someone who runs the consultation but holds none of ``permissions`` (an officer without the
    equalities role, on the equality page) is refused outright, whether or not the organisation is listed.
    """
    consultation = get_object_or_404(Consultation.objects.select_related("organisation", "place"), pk=pk)
    wanted = permissions or (RUN,)
    if not any(request.user.has_perm(permission, consultation) for permission in wanted):
        if request.user.has_perm(RUN, consultation):
            raise PermissionDenied
        _refuse(consultation.organisation)
    return consultation


def posted(request, action: str | None = None):
    """The POST data when the page was posted (with ``action`` when given), else None."""
    if request.method != "POST" or (action is not None and request.POST.get("action") != action):
        return None
    return request.POST


def page_context(request, consultation: Consultation, current: str, **context: Any) -> dict[str, Any]:
    """What every officers' page shows: the consultation, its sub-navigation (the equality page only
    for the equalities role), the language."""
    context.setdefault("errors", [])
    context.setdefault("error_forms", [])
    return {
        "consultation": consultation,
        "current": current,
        "can_see_equality": request.user.has_perm(SEE_EQUALITY, consultation),
        "can_run": request.user.has_perm(RUN, consultation),
        "language": get_language(),
        **context,
    }


# --- The organisation's consultations, creating and changing one -----------------------------------


@login_required
def manage_list(request, slug: str):
    """The organisation's consultations, drafts included, with their status and responses."""
    organisation = organisation_for(request, slug)
    consultations = list(
        Consultation.objects.filter(organisation=organisation)
        .select_related("place")
        .annotate(sent=Count("responses", filter=Q(responses__state=ResponseState.SUBMITTED)))
    )
    return render(
        request,
        "consultations/manage/list.html",
        {
            "organisation": organisation,
            "consultations": consultations,
            "now": timezone.now(),
            "language": get_language(),
        },
    )


@login_required
def manage_create(request, slug: str):
    """A new consultation (a draft until it is published), with an empty survey."""
    organisation = organisation_for(request, slug)
    form = ConsultationForm(
        posted(request),
        places=core_selectors.places_for(organisation),
        language=get_language(),
        initial=ConsultationForm.initial_new(),
    )
    if form.is_bound and form.is_valid():
        consultation = call_service(
            form, services.consultation_create, organisation=organisation, actor=request.user, **form.values()
        )
        if consultation is not None:
            messages.success(
                request, _("You created the consultation. Add its documents and build its survey, then publish it.")
            )
            return redirect("consultations:manage", pk=consultation.pk)
    return render(
        request,
        "consultations/manage/form.html",
        {"organisation": organisation, "consultation": None, "form": form, "language": get_language()},
    )


@login_required
def manage_edit(request, pk: int):
    """Change the consultation's words, place, dates and who may respond."""
    consultation = consultation_for(request, pk)
    form = ConsultationForm(
        posted(request),
        places=core_selectors.places_for(consultation.organisation, consultation.place),
        language=get_language(),
        initial=ConsultationForm.initial_for(consultation),
    )
    if form.is_bound and form.is_valid():
        done = call_service(
            form, services.consultation_update, consultation=consultation, actor=request.user, **form.values()
        )
        if done is not None:
            messages.success(request, _("You saved the changes to the consultation."))
            return redirect("consultations:manage", pk=consultation.pk)
    return render(
        request,
        "consultations/manage/form.html",
        {
            "organisation": consultation.organisation,
            "consultation": consultation,
            "form": form,
            "language": get_language(),
        },
    )


# --- The overview -----------------------------------------------------------------------------------


def _next_step(consultation: Consultation, *, status: str, questions: int, sent: int, now) -> str:
    from coproduce.core.jinja import long_date

    if status == Status.DRAFT:
        if not questions:
            return _("Build the survey: add a page and its questions. Then publish the consultation.")
        return _("Check the consultation, its documents and a preview of its survey, then publish it.")
    if status == Status.UPCOMING:
        return _(
            "The consultation opens on %(date)s. Until then residents can read it and register for its events."
        ) % {"date": long_date(consultation.opens_at)}
    if status == Status.OPEN:
        return _(
            "The consultation is open until %(date)s. Enter paper responses as they arrive, and tag the "
            "free-text answers with themes."
        ) % {"date": long_date(consultation.closes_at)}
    if status == Status.CLOSED:
        if not sent:
            return _("The consultation has closed without responses. Write what was decided in “You said, we did”.")
        return _(
            "The consultation has closed. Tag the answers with themes, publish the responses people agreed to, "
            "then write and publish “You said, we did”."
        )
    return _("“You said, we did” is published and the respondents who asked have been emailed.")


@login_required
def manage(request, pk: int):
    """The consultation's page for officers: status, responses by channel, what to do next, publish."""
    consultation = consultation_for(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("action") != "publish":
            errors.append(_("Choose what to do."))
        else:
            try:
                services.consultation_publish(consultation=consultation, actor=request.user)
            except ValidationError as error:
                errors += messages_of(error)
            else:
                messages.success(request, _("You published the consultation. Residents can now see it."))
                return redirect("consultations:manage", pk=consultation.pk)
    now = timezone.now()
    status = consultation.status(now)
    by_channel = dict(
        Response.objects.filter(consultation=consultation, state=ResponseState.SUBMITTED)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("pk"))
    )
    drafts = Response.objects.filter(consultation=consultation, state=ResponseState.DRAFT).count()
    version = selectors.version_current(consultation)
    questions = version.pages.aggregate(n=Count("questions"))["n"] if version else 0
    sent = sum(by_channel.values())
    return render(
        request,
        "consultations/manage/overview.html",
        page_context(
            request,
            consultation,
            "manage",
            errors=errors,
            status=status,
            Status=Status,
            channels=[(channel.label, by_channel.get(channel.value, 0)) for channel in Channel],
            sent=sent,
            drafts=drafts,
            version=version,
            questions=questions,
            documents=consultation.documents.count(),
            events=consultation.events.filter(cancelled_at__isnull=True).count(),
            next_step=_next_step(consultation, status=status, questions=questions, sent=sent, now=now),
            publishable=consultation.stage == Stage.DRAFT,
            public_url=reverse("consultations:detail", kwargs={"pk": consultation.pk}),
        ),
    )


# --- Documents ----------------------------------------------------------------------------------------


@login_required
def manage_documents(request, pk: int):
    """The consultation's PDFs with their accessible summaries; add one."""
    consultation = consultation_for(request, pk)
    form = DocumentForm(posted(request), request.FILES if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        document = call_service(
            form,
            services.document_add,
            consultation=consultation,
            actor=request.user,
            file=data["file"],
            title=data["title"],
            summary=data["summary"],
            title_cy=data["title_cy"],
            summary_cy=data["summary_cy"],
        )
        if document is not None:
            messages.success(request, _("You added “%(title)s”.") % {"title": document.title})
            return redirect("consultations:manage_documents", pk=consultation.pk)
    return render(
        request,
        "consultations/manage/documents.html",
        page_context(
            request,
            consultation,
            "documents",
            form=form,
            error_forms=[form],
            documents=list(consultation.documents.all()),
        ),
    )


@login_required
@require_POST
def document_remove(request, pk: int, doc: int):
    consultation = consultation_for(request, pk)
    document = get_object_or_404(Document, pk=doc, consultation=consultation)
    try:
        services.document_remove(document=document, actor=request.user)
    except ValidationError as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("You removed “%(title)s”.") % {"title": document.title})
    return redirect("consultations:manage_documents", pk=consultation.pk)


# --- Events ---------------------------------------------------------------------------------------------


@login_required
def manage_events(request, pk: int):
    """The consultation's events with their bookings; add one."""
    consultation = consultation_for(request, pk)
    form = EventForm(posted(request), initial=EventForm.initial_new())
    if form.is_bound and form.is_valid():
        event = call_service(form, services.event_add, consultation=consultation, actor=request.user, **form.values())
        if event is not None:
            messages.success(request, _("You added “%(title)s”.") % {"title": event.title})
            return redirect("consultations:manage_event", pk=consultation.pk, event=event.pk)
    events = list(
        consultation.events.annotate(
            booked=Count("registrations", filter=Q(registrations__status=RegistrationStatus.BOOKED)),
            waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
        )
    )
    return render(
        request,
        "consultations/manage/events.html",
        page_context(request, consultation, "events", form=form, error_forms=[form], events=events),
    )


@login_required
def manage_event(request, pk: int, event: int):
    """One event: change it, cancel it, its registrations and waiting list, who came, and its notes."""
    consultation = consultation_for(request, pk)
    event_obj = get_object_or_404(Event, pk=event, consultation=consultation)
    registrations = list(event_obj.registrations.exclude(status=RegistrationStatus.CANCELLED))
    booked = [r for r in registrations if r.status == RegistrationStatus.BOOKED]
    action = request.POST.get("action") if request.method == "POST" else None
    edit = EventForm(posted(request, "edit"), initial=EventForm.initial_for(event_obj), prefix="event")
    attendance = AttendanceForm(
        posted(request, "attendance"),
        registrations=booked,
        initial=AttendanceForm.initial_for(event_obj, booked),
        prefix="came",
    )
    notes = EventNotesForm(
        posted(request, "notes"), initial={"notes": event_obj.notes, "notes_cy": event_obj.notes_cy}, prefix="notes"
    )
    cancel = ConfirmForm(
        posted(request, "cancel"), label=_("Cancel the event and email everyone registered"), prefix="cancel"
    )
    errors: list[str] = []
    done = None
    if action == "edit" and edit.is_valid():
        if call_service(edit, services.event_update, event=event_obj, actor=request.user, **edit.values()) is not None:
            done = _("You saved the changes to the event.")
    elif action == "attendance" and attendance.is_valid():
        if (
            call_service(
                attendance,
                services.attendance_record,
                event=event_obj,
                actor=request.user,
                attended=attendance.attended(),
                attended_count=attendance.cleaned_data["attended_count"],
            )
            is not None
        ):
            done = _("You recorded who came.")
    elif action == "notes" and notes.is_valid():
        if (
            call_service(
                notes,
                services.event_notes_save,
                event=event_obj,
                actor=request.user,
                notes=notes.cleaned_data["notes"],
                notes_cy=notes.cleaned_data["notes_cy"],
            )
            is not None
        ):
            done = _("You saved the notes from the event.")
    elif action == "cancel" and cancel.is_valid():
        if call_service(cancel, services.event_cancel, event=event_obj, actor=request.user) is not None:
            done = _("You cancelled the event. Everyone registered is being emailed.")
    elif request.method == "POST" and action not in ("edit", "attendance", "notes", "cancel"):
        errors.append(_("Choose what to do."))
    if done:
        messages.success(request, done)
        return redirect("consultations:manage_event", pk=consultation.pk, event=event_obj.pk)
    return render(
        request,
        "consultations/manage/event.html",
        page_context(
            request,
            consultation,
            "events",
            event=event_obj,
            edit=edit,
            attendance=attendance,
            notes=notes,
            cancel=cancel,
            error_forms=[edit, attendance, notes, cancel],
            errors=errors,
            booked=booked,
            waiting=[r for r in registrations if r.status == RegistrationStatus.WAITING],
            action=action,
        ),
    )


# --- Paper responses ----------------------------------------------------------------------------------


def _paper_response(consultation: Consultation, response_id: int) -> Response:
    return get_object_or_404(
        Response.objects.select_related("version", "entered_by"),
        pk=response_id,
        consultation=consultation,
        channel=Channel.PAPER,
    )


def _pages(version) -> list[Page]:
    return list(Page.objects.filter(version=version).order_by("order", "pk"))


@login_required
def paper(request, pk: int):
    """Start a paper response (then enter it page by page), and the paper responses so far."""
    consultation = consultation_for(request, pk)
    form = PaperReferenceForm(posted(request))
    if form.is_bound and form.is_valid():
        started = call_service(
            form,
            services.response_start,
            consultation=consultation,
            channel=Channel.PAPER,
            entered_by=request.user,
            language=get_language() or "en",
        )
        if started is not None:
            response = started[0]
            reference = form.cleaned_data["paper_reference"]
            if reference:
                services.response_update_reference(response=response, actor=request.user, paper_reference=reference)
            return redirect("consultations:paper_page", pk=consultation.pk, response=response.pk, number=1)
    responses = list(
        Response.objects.filter(consultation=consultation, channel=Channel.PAPER)
        .select_related("entered_by", "version")
        .order_by("-pk")
    )
    return render(
        request,
        "consultations/manage/paper.html",
        page_context(request, consultation, "paper", form=form, error_forms=[form], responses=responses),
    )


@login_required
def paper_page(request, pk: int, response: int, number: int):
    """One page of a paper response, entered with the residents' own form for that page."""
    consultation = consultation_for(request, pk)
    paper_response = _paper_response(consultation, response)
    if paper_response.state != ResponseState.DRAFT:
        messages.info(request, _("That paper response has been sent: it cannot be changed."))
        return redirect("consultations:paper", pk=consultation.pk)
    pages = _pages(paper_response.version)
    if not pages:
        return redirect("consultations:paper_finish", pk=consultation.pk, response=paper_response.pk)
    if not 1 <= number <= len(pages):
        raise Http404
    page = pages[number - 1]
    questions = list(selectors.page_questions(response=paper_response, page=page))
    language = get_language()
    form = page_form(
        questions,
        language=language,
        data=posted(request),
        initial=page_initial(questions, Answer.objects.filter(response=paper_response).select_related("option")),
        require=False,
    )
    if form.is_bound and form.is_valid():
        try:
            services.answers_save(response=paper_response, page=page, values=form.values)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if number < len(pages):
                return redirect(
                    "consultations:paper_page", pk=consultation.pk, response=paper_response.pk, number=number + 1
                )
            return redirect("consultations:paper_finish", pk=consultation.pk, response=paper_response.pk)
    return render(
        request,
        "consultations/manage/paper_page.html",
        page_context(
            request,
            consultation,
            "paper",
            response=paper_response,
            page=page,
            number=number,
            pages=len(pages),
            form=form,
            error_forms=[form],
        ),
    )


@login_required
def paper_finish(request, pk: int, response: int):
    """The end of a paper form: its reference, contact and consent boxes, equality answers; send it."""
    consultation = consultation_for(request, pk)
    paper_response = _paper_response(consultation, response)
    if paper_response.state != ResponseState.DRAFT:
        messages.info(request, _("That paper response has been sent: it cannot be changed."))
        return redirect("consultations:paper", pk=consultation.pk)
    form = PaperFinishForm(
        posted(request),
        equality_questions=consultation.equality_questions or (),
        initial={"paper_reference": paper_response.paper_reference, "email": paper_response.email},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["wants_feedback"] and not data["email"]:
            form.add_error("email", _("Enter the email address written on the form, to tell them what was decided"))
        else:
            try:
                if data["paper_reference"] != paper_response.paper_reference:
                    services.response_update_reference(
                        response=paper_response, actor=request.user, paper_reference=data["paper_reference"]
                    )
                services.response_submit(
                    response=paper_response,
                    email=data["email"],
                    wants_feedback=data["wants_feedback"],
                    publish_consent=data["publish_consent"],
                    equality=form.equality(),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The paper response is entered. Enter the next one."))
                return redirect("consultations:paper", pk=consultation.pk)
    pages = _pages(paper_response.version)
    return render(
        request,
        "consultations/manage/paper_finish.html",
        page_context(
            request, consultation, "paper", response=paper_response, form=form, error_forms=[form], pages=len(pages)
        ),
    )


# --- Publishing responses -----------------------------------------------------------------------------


@login_required
def publishing(request, pk: int):
    """Responses whose authors agreed to publication, 20 a page: check each written answer, redact it
    (or leave it as written), publish; or stop publishing one. A refusal writes nothing."""
    consultation = consultation_for(request, pk)
    responses = selectors.publishable_responses(consultation)
    errors: list[str] = []
    entered: dict[int, str] = {}
    if request.method == "POST":
        key = as_id(request.POST.get("response"))
        chosen = responses.filter(pk=key).first() if key is not None else None
        action = request.POST.get("action")
        try:
            if chosen is None:
                raise ValidationError(_("Choose a response whose author agreed to publication."))
            if action == "publish":
                with transaction.atomic():
                    for answer in chosen.text_answers:
                        public_text = request.POST.get(f"public_{answer.pk}")
                        if public_text is None:
                            raise ValidationError(_("Check each written answer before publishing the response."))
                        # Not a form field: drop the NUL characters a form would refuse (PostgreSQL does).
                        public_text = public_text.replace("\x00", "")
                        entered[answer.pk] = public_text
                        services.answer_redact(answer=answer, actor=request.user, public_text=public_text.strip())
                    services.response_publish(response=chosen, actor=request.user)
                done = _("You published response %(number)s.") % {"number": chosen.pk}
            elif action == "unpublish":
                services.response_unpublish(response=chosen, actor=request.user)
                done = _("Response %(number)s is no longer published.") % {"number": chosen.pk}
            else:
                raise ValidationError(_("Choose what to do."))
        except ValidationError as error:
            errors += messages_of(error)
        else:
            messages.success(request, done)
            page = as_id(request.POST.get("page"))
            target = reverse("consultations:publishing", kwargs={"pk": consultation.pk})
            return redirect(target + (f"?page={page}" if page and page > 1 else ""))
    page = Paginator(responses, PUBLISHING_PAGE_SIZE).get_page(
        as_id(request.POST.get("page") if request.method == "POST" else request.GET.get("page")) or 1
    )
    rows = [
        (
            response,
            [(answer, entered.get(answer.pk, answer.public_text or answer.text)) for answer in response.text_answers],
        )
        for response in page.object_list
    ]
    return render(
        request,
        "consultations/manage/publishing.html",
        page_context(request, consultation, "publishing", rows=rows, page=page, errors=errors),
    )


_CONSULTATION = "consultations/<int:pk>/manage/"

urlpatterns = [
    path("consultations/manage/<slug:slug>/", manage_list, name="manage_list"),
    path("consultations/manage/<slug:slug>/new/", manage_create, name="manage_create"),
    path(_CONSULTATION, manage, name="manage"),
    path(_CONSULTATION + "edit/", manage_edit, name="manage_edit"),
    path(_CONSULTATION + "documents/", manage_documents, name="manage_documents"),
    path(_CONSULTATION + "documents/<int:doc>/remove/", document_remove, name="document_remove"),
    path(_CONSULTATION + "events/", manage_events, name="manage_events"),
    path(_CONSULTATION + "events/<int:event>/", manage_event, name="manage_event"),
    path(_CONSULTATION + "paper/", paper, name="paper"),
    path(_CONSULTATION + "paper/<int:response>/finish/", paper_finish, name="paper_finish"),
    path(_CONSULTATION + "paper/<int:response>/<int:number>/", paper_page, name="paper_page"),
    path(_CONSULTATION + "publishing/", publishing, name="publishing"),
]
