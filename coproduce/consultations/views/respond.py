"""Answering a consultation's survey: start, page by page (Continue, or save and come back later),
the finish page (optional equality questions, a copy by email, "tell me what was decided",
consent to publish, check your answers), Send, and the confirmation.

Works without JavaScript and, where the consultation allows it, without an account: the
response's token is kept in the session (``consultation_response_<pk>``) and in the link a person
may email to themselves. A signed-in person finds their draft again from their account.
Questions shown only if an earlier answer says so are on the page only when it does; a page
with no question to show is skipped.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coproduce.core.jinja import long_date
from coproduce.core.views.helpers import call_service

from .. import selectors, services
from ..forms import FinishForm, ResumeLinkForm, page_form, page_initial
from ..models import Audience, Consultation, Page, QuestionKind, Response, Status
from .public import consultation_for, notice

TOKEN_MAX_LENGTH = 200
# About how long a question takes, to say how long the survey will take.
SECONDS_PER_QUESTION = 30


def session_key(consultation: Consultation) -> str:
    return f"consultation_response_{consultation.pk}"


def sent_key(consultation: Consultation) -> str:
    return f"consultation_sent_{consultation.pk}"


def _sign_in_url(request, next_url: str | None = None) -> str:
    return reverse("account_login") + "?" + urlencode({"next": next_url or request.get_full_path()})


def current_response(request, consultation: Consultation) -> Response | None:
    """This person's draft: from the token in their session, else (signed in) from their account."""
    token = request.session.get(session_key(consultation))
    if isinstance(token, str) and token:
        response = selectors.response_for_token(consultation=consultation, token=token)
        if response is not None:
            return response
    if request.user.is_authenticated:
        return selectors.response_draft_for(consultation=consultation, person=request.user)
    return None


def _pages(response: Response) -> list[Page]:
    return list(Page.objects.filter(version_id=response.version_id).order_by("order", "pk"))


def _questions(response: Response, page: Page) -> list:
    return list(selectors.page_questions(response=response, page=page))


def _visible_by_page(response: Response) -> dict[int, list]:
    """The questions the response is asked, given its answers so far, by page id."""
    by_page: dict[int, list] = {}
    for question in selectors.visible_questions(response):
        by_page.setdefault(question.page_id, []).append(question)
    return by_page


def _visible_numbers(response: Response, pages: list[Page]) -> list[int]:
    """The 1-based numbers of the pages with a question to show, given the answers so far."""
    by_page = _visible_by_page(response)
    return [number for number, page in enumerate(pages, start=1) if by_page.get(page.pk)]


def _closed_notice(request, consultation: Consultation):
    """The consultation no longer (or not yet) takes responses: say so, and what there is instead."""
    language = get_language()
    status = consultation.status()
    if status == Status.UPCOMING:
        paragraphs = [_("This consultation opens on %(date)s.") % {"date": long_date(consultation.opens_at)}]
    elif status == Status.DRAFT:
        paragraphs = [_("This consultation is being prepared and does not take responses yet.")]
    else:
        paragraphs = [
            _("This consultation closed on %(date)s. Responses can no longer be sent.")
            % {"date": long_date(consultation.closes_at)},
        ]
    links = []
    if consultation.is_closed():
        links.append(
            {"href": reverse("consultations:results", kwargs={"pk": consultation.pk}), "text": _("See the results")}
        )
    return notice(
        request,
        consultation=consultation,
        title=_("You cannot respond to this consultation"),
        paragraphs=paragraphs,
        links=links,
        status=403,
        language=language,
    )


def _needs_sign_in(request, consultation: Consultation) -> bool:
    """Only people signed in may respond (one response each is only sure with an account)."""
    needs_account = consultation.audience != Audience.ANYONE or consultation.one_response_per_person
    return needs_account and not request.user.is_authenticated


def _audience_words(consultation: Consultation, language: str | None) -> str:
    place = consultation.place.localised_name(language)
    return {
        Audience.ANYONE: _("Anyone can respond, without an account."),
        Audience.SIGNED_IN: _("You need to sign in to an account to respond."),
        Audience.RESIDENTS: _("Residents of %(place)s can respond, signed in to an account.") % {"place": place},
        Audience.MEMBERS: _("Members of %(organisation)s can respond, signed in to an account.")
        % {"organisation": consultation.organisation.name},
    }.get(consultation.audience, "")


@require_http_methods(["GET", "POST"])
def respond_start(request, pk: int):
    """What to expect (how many questions, how long, what happens to the answers); Start."""
    consultation = consultation_for(request, pk)
    language = get_language()
    if not consultation.is_open():
        return _closed_notice(request, consultation)
    response = current_response(request, consultation)
    if (
        response is None
        and consultation.one_response_per_person
        and selectors.has_responded(consultation=consultation, person=request.user)
    ):
        return notice(
            request,
            consultation=consultation,
            title=_("You have already responded"),
            paragraphs=[
                _("Each person can send one response to this consultation, and yours has been sent."),
                _("We will publish the results when the consultation closes on %(date)s.")
                % {"date": long_date(consultation.closes_at)},
            ],
            status=403,
            language=language,
        )
    if request.method == "POST":
        if response is not None:
            return redirect(_resume_url(response, consultation))
        if _needs_sign_in(request, consultation):
            return redirect(_sign_in_url(request, reverse("consultations:respond_start", kwargs={"pk": pk})))
        try:
            response, token = services.response_start(
                consultation=consultation,
                person=request.user if request.user.is_authenticated else None,
                language=language or "en",
            )
        except ValidationError as refusal:
            links = []
            if not request.user.is_authenticated:
                links.append({"href": _sign_in_url(request), "text": _("Sign in")})
            elif consultation.audience == Audience.RESIDENTS and request.user.ward_id is None:
                details = reverse("core:account_details") + "?" + urlencode({"next": request.get_full_path()})
                links.append({"href": details, "text": _("Give your address")})
            return notice(
                request,
                consultation=consultation,
                title=_("You cannot respond to this consultation"),
                paragraphs=refusal.messages,
                links=links,
                status=403,
                language=language,
            )
        if token:
            request.session[session_key(consultation)] = token
        return redirect(_resume_url(response, consultation))
    from ..models import Question

    version = selectors.version_current(consultation)
    question_count = Question.objects.filter(page__version=version).count()
    page_count = version.pages.count()
    minutes = max(1, round(question_count * SECONDS_PER_QUESTION / 60))
    return render(
        request,
        "consultations/respond/start.html",
        {
            "consultation": consultation,
            "draft": response,
            "question_count": question_count,
            "page_count": page_count,
            "minutes": minutes,
            "audience_words": _audience_words(consultation, language),
            "needs_sign_in": _needs_sign_in(request, consultation),
            "sign_in_url": _sign_in_url(request),
            "has_equality": bool(consultation.equality_questions),
            "language": language,
        },
    )


def _resume_url(response: Response, consultation: Consultation) -> str:
    """Where a person carries on: the furthest page they reached (or the first)."""
    # The survey may have lost pages since (it changes until someone sends a response).
    number = max(1, min(response.page_reached or 1, Page.objects.filter(version_id=response.version_id).count()))
    return reverse("consultations:respond_page", kwargs={"pk": consultation.pk, "number": number})


def _no_response(request, consultation: Consultation):
    messages.info(request, _("Start the survey to answer its questions."))
    return redirect("consultations:respond_start", pk=consultation.pk)


def _next_url(consultation: Consultation, numbers: list[int], after: int) -> str:
    later = [number for number in numbers if number > after]
    if later:
        return reverse("consultations:respond_page", kwargs={"pk": consultation.pk, "number": later[0]})
    return reverse("consultations:respond_finish", kwargs={"pk": consultation.pk})


def _back_url(consultation: Consultation, numbers: list[int], before: int) -> str:
    earlier = [number for number in numbers if number < before]
    if earlier:
        return reverse("consultations:respond_page", kwargs={"pk": consultation.pk, "number": earlier[-1]})
    return reverse("consultations:respond_start", kwargs={"pk": consultation.pk})


@require_http_methods(["GET", "POST"])
def respond_page(request, pk: int, number: int):
    """One page of the survey: its visible questions, Continue, and Save and come back later."""
    consultation = consultation_for(request, pk)
    if not consultation.is_open():
        return _closed_notice(request, consultation)
    response = current_response(request, consultation)
    if response is None:
        return _no_response(request, consultation)
    pages = _pages(response)
    if not 1 <= number <= len(pages):
        raise Http404
    page = pages[number - 1]
    language = get_language()
    questions = _questions(response, page)
    if not questions:  # nothing to ask here, given the earlier answers: on to the next page
        return redirect(_next_url(consultation, _visible_numbers(response, pages), number))
    saving = "save" in request.POST
    if request.method == "POST":
        form = page_form(questions, language=language, data=request.POST, require=not saving)
        if form.is_valid():
            call_service(form, services.answers_save, response=response, page=page, values=form.values)
        if form.is_valid():
            if saving:
                return redirect("consultations:respond_save", pk=consultation.pk)
            # Answers on this page may show or hide questions further on: read them afresh.
            return redirect(_next_url(consultation, _visible_numbers(response, pages), number))
    else:
        answers = response.answers.select_related("place")
        form = page_form(questions, language=language, initial=page_initial(questions, answers))
    numbers = _visible_numbers(response, pages)
    return render(
        request,
        "consultations/respond/page.html",
        {
            "consultation": consultation,
            "page": page,
            "number": number,
            "page_total": len(pages),
            "form": form,
            "back_url": _back_url(consultation, numbers, number),
            "language": language,
        },
    )


@require_http_methods(["GET", "POST"])
def respond_save(request, pk: int):
    """Save and come back later: a signed-in person finds their draft from their account; anyone
    else asks for a link by email (the token stays in this browser's session as well)."""
    consultation = consultation_for(request, pk)
    if not consultation.is_open():
        return _closed_notice(request, consultation)
    response = current_response(request, consultation)
    if response is None:
        return _no_response(request, consultation)
    language = get_language()
    token = request.session.get(session_key(consultation))
    # Without the token in this session (a signed-in person's draft) the account is the way back.
    by_link = isinstance(token, str) and bool(token) and response.resume_token_hash != ""
    signed_in = not by_link
    form = ResumeLinkForm(request.POST if request.method == "POST" and by_link else None)
    sent_to = ""
    if form.is_bound and form.is_valid():
        link = request.build_absolute_uri(
            reverse("consultations:respond_resume", kwargs={"pk": consultation.pk, "token": token})
        )
        call_service(
            form,
            services.response_resume_link_send,
            field="email",
            response=response,
            email=form.cleaned_data["email"],
            base_url=link,
        )
        if form.is_valid():
            sent_to = form.cleaned_data["email"]
    return render(
        request,
        "consultations/respond/save.html",
        {
            "consultation": consultation,
            "form": form,
            "signed_in": signed_in,
            "sent_to": sent_to,
            "continue_url": _resume_url(response, consultation),
            "language": language,
        },
    )


@require_GET
def respond_resume(request, pk: int, token: str):
    """The emailed link: the draft it names goes back into this browser's session."""
    consultation = consultation_for(request, pk)
    response = None
    if len(token) <= TOKEN_MAX_LENGTH:
        response = selectors.response_for_token(consultation=consultation, token=token)
    if response is None:
        return notice(
            request,
            consultation=consultation,
            title=_("This link does not work"),
            paragraphs=[
                _("The link may have been copied wrongly, or the response it was for has already been sent."),
                _("You can start the survey again."),
            ],
            links=[{"href": reverse("consultations:respond_start", kwargs={"pk": pk}), "text": _("Start the survey")}],
            status=404,
            language=get_language(),
        )
    if not consultation.is_open():
        return _closed_notice(request, consultation)
    request.session[session_key(consultation)] = token
    messages.success(request, _("Welcome back: your answers were saved. Carry on where you left off."))
    return redirect(_resume_url(response, consultation))


def answer_text(question, rows, language: str | None) -> str:
    """A question's answer in words, from its Answer rows (for check your answers, the copy, published responses)."""
    if not rows:
        return ""
    kind = question.kind
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.DATE):
        first = rows[0]
        if kind == QuestionKind.DATE:
            from datetime import date

            try:
                return long_date(date.fromisoformat(first.text))
            except ValueError:
                return first.text
        return first.text
    if kind in (QuestionKind.NUMBER, QuestionKind.RATING):
        return "" if rows[0].number is None else str(rows[0].number)
    if kind == QuestionKind.SINGLE:
        return rows[0].option.localised_label(language) if rows[0].option_id else ""
    if kind == QuestionKind.MULTIPLE:
        return "; ".join(row.option.localised_label(language) for row in rows if row.option_id)
    if kind == QuestionKind.RANKING:
        ranked = sorted((row for row in rows if row.option_id and row.rank), key=lambda row: row.rank)
        return "; ".join(f"{row.rank}. {row.option.localised_label(language)}" for row in ranked)
    if kind == QuestionKind.MATRIX:
        return "; ".join(
            f"{row.option.localised_label(language)}: {row.number}"
            for row in rows
            if row.option_id and row.number is not None
        )
    if kind == QuestionKind.PLACE:
        return rows[0].place.localised_name(language) if rows[0].place_id else ""
    return ""


def check_answers(
    response: Response, consultation: Consultation, language: str | None, *, change_url=None
) -> list[dict]:
    """The response's answers page by page, visible questions only, for "check your answers"."""
    answers = response.answers.select_related("option", "place")
    by_question: dict[int, list] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    sections = []
    visible = _visible_by_page(response)
    for number, page in enumerate(_pages(response), start=1):
        questions = visible.get(page.pk, [])
        if not questions:
            continue
        href = (
            change_url(number)
            if change_url
            else reverse("consultations:respond_page", kwargs={"pk": consultation.pk, "number": number})
        )
        rows = []
        for question in questions:
            text = question.localised("text", language)
            value = answer_text(question, by_question.get(question.pk, []), language)
            rows.append(
                {
                    "key": {"text": text},
                    "value": {"text": value or _("Not answered")},
                    "actions": {
                        "items": [{"href": href, "text": _("Change"), "visuallyHiddenText": text}],
                    },
                }
            )
        sections.append({"title": page.localised("title", language), "rows": rows})
    return sections


@require_http_methods(["GET", "POST"])
def respond_finish(request, pk: int):
    """About you (optional, kept apart), a copy by email, what was decided, publication; check; Send."""
    consultation = consultation_for(request, pk)
    if not consultation.is_open():
        return _closed_notice(request, consultation)
    response = current_response(request, consultation)
    if response is None:
        return _no_response(request, consultation)
    language = get_language()
    person_email = request.user.email if request.user.is_authenticated and response.person_id == request.user.pk else ""
    form = FinishForm(
        request.POST if request.method == "POST" else None,
        initial={
            "email": response.email,
            "wants_feedback": response.wants_feedback,
            "publish_consent": response.publish_consent,
        },
        equality_keys=consultation.equality_questions or (),
        person_email=person_email,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        sent = call_service(
            form,
            services.response_submit,
            response=response,
            email=data.get("email") or "",
            wants_feedback=data["wants_feedback"],
            publish_consent=data["publish_consent"],
            equality=data["equality"],
        )
        if sent is not None and form.is_valid():
            request.session.pop(session_key(consultation), None)
            request.session[sent_key(consultation)] = {
                "email": data.get("email") or person_email,
                "wants_feedback": bool(data["wants_feedback"]),
                "reference": response.pk,
            }
            return redirect("consultations:respond_done", pk=consultation.pk)
    pages = _pages(response)
    numbers = _visible_numbers(response, pages)
    return render(
        request,
        "consultations/respond/finish.html",
        {
            "consultation": consultation,
            "form": form,
            "sections": check_answers(response, consultation, language),
            "back_url": _back_url(consultation, numbers, len(pages) + 1),
            "language": language,
        },
    )


@require_GET
def respond_done(request, pk: int):
    """Sent: the reference, where the copy went, and what happens next."""
    consultation = consultation_for(request, pk)
    sent = request.session.get(sent_key(consultation))
    if not isinstance(sent, dict):
        return redirect("consultations:detail", pk=consultation.pk)
    return render(
        request,
        "consultations/respond/done.html",
        {"consultation": consultation, "sent": sent, "language": get_language()},
    )


urlpatterns = [
    path("consultations/<int:pk>/respond/", respond_start, name="respond_start"),
    path("consultations/<int:pk>/respond/save/", respond_save, name="respond_save"),
    path("consultations/<int:pk>/respond/finish/", respond_finish, name="respond_finish"),
    path("consultations/<int:pk>/respond/done/", respond_done, name="respond_done"),
    path("consultations/<int:pk>/respond/resume/<str:token>/", respond_resume, name="respond_resume"),
    path("consultations/<int:pk>/respond/<int:number>/", respond_page, name="respond_page"),
]
