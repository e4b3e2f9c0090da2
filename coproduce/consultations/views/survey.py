"""The survey builder and its preview, for the consultation's officers.

The current version's pages, in order, each with its questions; a page's own page to change it and
add questions of any of the ten kinds (options typed one per line, in English and in Welsh; "shown
only if" an answer to a choice question on an earlier page, so that it works without JavaScript);
a question's page to change, move or remove it. Once someone has answered, the version is locked:
the page says so and offers to start a new version, saying what changes. The preview shows each
page as residents will see it, with the residents' own form; nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coproduce.core.views.helpers import as_id, call_service, messages_of

from .. import selectors, services
from ..forms import PageEditForm, QuestionForm, SurveyVersionForm, page_form
from ..models import Consultation, Page, Question
from ..models.survey import CHOICE_KINDS
from .manage import consultation_for, page_context, posted

_PAGE_FIELDS = ("title", "title_cy", "intro", "intro_cy")


def _current(consultation: Consultation):
    version = selectors.version_current(consultation)
    if version is None:
        raise Http404
    return version


def _conditions(pages: list[Page], before: Page, language: str | None) -> list[tuple]:
    """The options of choice questions on the pages before ``before``: what a question may depend on."""
    found = []
    for page in pages:
        if page.pk == before.pk:
            break
        for question in page.questions.all():
            if question.kind in CHOICE_KINDS:
                for option in question.options.all():
                    words = _("%(question)s — %(option)s") % {
                        "question": question.localised("text", language),
                        "option": option.localised_label(language),
                    }
                    found.append((option, words))
    return found


def _version_form(request, consultation, version):
    """The "start a new version" form, and whether it was just used (then the caller redirects)."""
    form = SurveyVersionForm(posted(request, "new_version"), prefix="version")
    if form.is_bound and form.is_valid():
        created = call_service(
            form,
            services.survey_new_version,
            consultation=consultation,
            actor=request.user,
            note=form.cleaned_data["note"],
            note_cy=form.cleaned_data["note_cy"],
        )
        if created is not None:
            messages.success(
                request,
                _("You started version %(number)s of the survey. Change it, then check it in the preview.")
                % {"number": created.number},
            )
            return form, True
    return form, False


@login_required
def survey(request, pk: int):
    """The survey's pages and questions, its versions; add a page, move pages, start a new version."""
    consultation = consultation_for(request, pk)
    version = _current(consultation)
    language = get_language()
    errors: list[str] = []
    action = request.POST.get("action") if request.method == "POST" else None
    page_form_ = PageEditForm(posted(request, "add_page"), prefix="page")
    version_form, started = _version_form(request, consultation, version)
    if started:
        return redirect("consultations:survey", pk=consultation.pk)
    if action == "add_page" and page_form_.is_valid():
        page = call_service(
            page_form_,
            services.page_add,
            version=version,
            actor=request.user,
            **{name: page_form_.cleaned_data[name] for name in _PAGE_FIELDS},
        )
        if page is not None:
            messages.success(
                request, _("You added the page “%(title)s”. Now add its questions.") % {"title": page.title}
            )
            return redirect("consultations:survey_page", pk=consultation.pk, page=page.pk)
    elif action in ("up", "down"):
        page = Page.objects.filter(pk=as_id(request.POST.get("page")), version=version).first()
        try:
            if page is None:
                raise ValidationError(_("Choose a page of the current version."))
            services.page_move(page=page, actor=request.user, up=action == "up")
        except ValidationError as error:
            errors += messages_of(error)
        else:
            return redirect("consultations:survey", pk=consultation.pk)
    elif request.method == "POST" and action not in ("add_page", "new_version"):
        errors.append(_("Choose what to do."))
    return render(
        request,
        "consultations/manage/survey.html",
        page_context(
            request,
            consultation,
            "survey",
            version=version,
            versions=list(selectors.versions(consultation)),
            pages=selectors.version_pages(version),
            page_form=page_form_,
            version_form=version_form,
            error_forms=[page_form_, version_form],
            errors=errors,
            language=language,
        ),
    )


def _page(consultation: Consultation, page_id: int) -> Page:
    return get_object_or_404(Page.objects.select_related("version"), pk=page_id, version__consultation=consultation)


@login_required
def survey_page(request, pk: int, page: int):
    """One page: change its title and introduction, add a question, or remove the page."""
    consultation = consultation_for(request, pk)
    page_obj = _page(consultation, page)
    version = page_obj.version
    language = get_language()
    pages = selectors.version_pages(version)
    current = next((p for p in pages if p.pk == page_obj.pk), page_obj)
    action = request.POST.get("action") if request.method == "POST" else None
    edit = PageEditForm(
        posted(request, "page"), initial={name: getattr(page_obj, name) for name in _PAGE_FIELDS}, prefix="page"
    )
    question = QuestionForm(
        posted(request, "question"),
        conditions=_conditions(pages, page_obj, language),
        initial={"kind": "single"},
        prefix="question",
    )
    errors: list[str] = []
    version_form, started = _version_form(request, consultation, version)
    if started:
        return redirect("consultations:survey", pk=consultation.pk)
    if action == "page" and edit.is_valid():
        done = call_service(
            edit,
            services.page_update,
            page=page_obj,
            actor=request.user,
            **{name: edit.cleaned_data[name] for name in _PAGE_FIELDS},
        )
        if done is not None:
            messages.success(request, _("You saved the page."))
            return redirect("consultations:survey_page", pk=consultation.pk, page=page_obj.pk)
    elif action == "question" and question.is_valid():
        added = call_service(question, services.question_add, page=page_obj, actor=request.user, **question.values())
        if added is not None:
            messages.success(request, _("You added the question “%(text)s”.") % {"text": added.text})
            return redirect("consultations:survey_page", pk=consultation.pk, page=page_obj.pk)
    elif action == "remove":
        try:
            services.page_remove(page=page_obj, actor=request.user)
        except ValidationError as error:
            errors += messages_of(error)
        else:
            messages.success(request, _("You removed the page “%(title)s”.") % {"title": page_obj.title})
            return redirect("consultations:survey", pk=consultation.pk)
    elif request.method == "POST" and action not in ("page", "question", "new_version"):
        errors.append(_("Choose what to do."))
    return render(
        request,
        "consultations/manage/survey_page.html",
        page_context(
            request,
            consultation,
            "survey",
            version=version,
            is_current=version.pk == _current(consultation).pk,
            page=current,
            number=[p.pk for p in pages].index(page_obj.pk) + 1,
            edit=edit,
            question_form=question,
            version_form=version_form,
            error_forms=[edit, question, version_form],
            errors=errors,
            action=action,
        ),
    )


@login_required
def survey_question(request, pk: int, question: int):
    """One question: change it (options one per line), move it up or down its page, or remove it."""
    consultation = consultation_for(request, pk)
    question_obj = get_object_or_404(
        Question.objects.select_related("page__version", "shown_if__question"),
        pk=question,
        page__version__consultation=consultation,
    )
    page_obj = question_obj.page
    language = get_language()
    pages = selectors.version_pages(page_obj.version)
    action = request.POST.get("action") if request.method == "POST" else None
    form = QuestionForm(
        posted(request, "edit"),
        conditions=_conditions(pages, page_obj, language),
        initial=QuestionForm.initial_for(question_obj),
        prefix="question",
    )
    errors: list[str] = []
    if action == "edit" and form.is_valid():
        done = call_service(form, services.question_update, question=question_obj, actor=request.user, **form.values())
        if done is not None:
            messages.success(request, _("You saved the question."))
            return redirect("consultations:survey_page", pk=consultation.pk, page=page_obj.pk)
    elif action in ("up", "down", "remove"):
        try:
            if action == "remove":
                services.question_remove(question=question_obj, actor=request.user)
            else:
                services.question_move(question=question_obj, actor=request.user, up=action == "up")
        except ValidationError as error:
            errors += messages_of(error)
        else:
            if action == "remove":
                messages.success(request, _("You removed the question “%(text)s”.") % {"text": question_obj.text})
            return redirect("consultations:survey_page", pk=consultation.pk, page=page_obj.pk)
    elif request.method == "POST" and action != "edit":
        errors.append(_("Choose what to do."))
    return render(
        request,
        "consultations/manage/survey_question.html",
        page_context(
            request,
            consultation,
            "survey",
            question=question_obj,
            page=page_obj,
            version=page_obj.version,
            form=form,
            error_forms=[form],
            errors=errors,
        ),
    )


@login_required
def survey_preview(request, pk: int, number: int):
    """Page ``number`` of the current version as residents see it, every question shown (those shown
    only after an answer say so). Sending the page checks the answers; nothing is saved."""
    consultation = consultation_for(request, pk)
    version = _current(consultation)
    pages = selectors.version_pages(version)
    if not pages:
        messages.info(request, _("The survey has no pages yet: add one to preview it."))
        return redirect("consultations:survey", pk=consultation.pk)
    if not 1 <= number <= len(pages):
        raise Http404
    page = pages[number - 1]
    questions = list(page.questions.all())
    language = get_language()
    form = page_form(questions, language=language, data=posted(request))
    checked = form.is_bound and form.is_valid()
    return render(
        request,
        "consultations/manage/survey_preview.html",
        page_context(
            request,
            consultation,
            "survey",
            version=version,
            page=page,
            number=number,
            pages=len(pages),
            form=form,
            error_forms=[form],
            checked=checked,
            conditional={
                q.pk: _("Shown only to people who answered “%(option)s” to “%(question)s”.")
                % {
                    "option": q.shown_if.localised_label(language),
                    "question": q.shown_if.question.localised("text", language),
                }
                for q in questions
                if q.shown_if_id
            },
        ),
    )


_SURVEY = "consultations/<int:pk>/manage/survey/"

urlpatterns = [
    path(_SURVEY, survey, name="survey"),
    path(_SURVEY + "pages/<int:page>/", survey_page, name="survey_page"),
    path(_SURVEY + "questions/<int:question>/", survey_question, name="survey_question"),
    path(_SURVEY + "preview/<int:number>/", survey_preview, name="survey_preview"),
]
