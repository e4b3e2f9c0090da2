"""Writes for consultations: the consultation and its documents, the survey builder, responding,
events and registration, themes, publishing responses and "you said, we did".

Every service is keyword-only, runs in one transaction and writes its audit event in it (for
officers' writes); refusals raise ``ValidationError`` with a message fit to show the person, and
write nothing. Email is sent by tasks queued once the transaction has committed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coproduce.core import eligibility
from coproduce.core import equality as bank
from coproduce.core.models import Organisation, Place, User
from coproduce.core.services import audit_record

from . import selectors
from .models import (
    Answer,
    AnswerTag,
    Audience,
    Channel,
    Consultation,
    Document,
    EqualityAnswer,
    Event,
    EventKind,
    Option,
    Page,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Response,
    ResponseState,
    Stage,
    Status,
    SurveyVersion,
    Theme,
)
from .models.survey import CHOICE_KINDS, OPTION_KINDS, TEXT_KINDS

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024

CONSULTATION_FIELDS = frozenset(
    {
        "title",
        "title_cy",
        "summary",
        "summary_cy",
        "audience_text",
        "audience_text_cy",
        "audience",
        "one_response_per_person",
        "opens_at",
        "closes_at",
        "equality_questions",
        "place",
    }
)
PAGE_FIELDS = frozenset({"title", "title_cy", "intro", "intro_cy"})
QUESTION_FIELDS = frozenset(
    {
        "kind",
        "text",
        "text_cy",
        "help",
        "help_cy",
        "required",
        "shown_if",
        "scale_min",
        "scale_max",
        "scale_min_label",
        "scale_min_label_cy",
        "scale_max_label",
        "scale_max_label_cy",
        "number_min",
        "number_max",
        "max_choices",
        "key",
    }
)
EVENT_FIELDS = frozenset(
    {
        "kind",
        "title",
        "title_cy",
        "starts_at",
        "ends_at",
        "venue",
        "address",
        "postcode",
        "access",
        "access_cy",
        "capacity",
        "registration",
    }
)
THEME_FIELDS = frozenset({"name", "name_cy", "considered", "considered_cy"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def _enqueue(name: str, *args: Any) -> None:
    """Queue one of this app's tasks by name once the transaction has committed."""

    def run() -> None:
        from . import tasks

        job = getattr(tasks, name)
        if hasattr(job, "enqueue"):
            job.enqueue(*args)
        else:
            job(*args)

    transaction.on_commit(run)


def _audit(actor, action: str, consultation: Consultation, target=None, summary: str = "", **data) -> None:
    audit_record(
        actor=actor,
        action=action,
        organisation=consultation.organisation,
        target=target if target is not None else consultation,
        summary=summary or consultation.title,
        data=data or None,
    )


def _required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


# The consultation --------------------------------------------------------------------------------


def _check_consultation(consultation: Consultation) -> None:
    _required(consultation.title, _("Enter a title."))
    _required(consultation.summary, _("Enter a summary of what the consultation is about."))
    if consultation.opens_at is None or consultation.closes_at is None:
        raise ValidationError(_("Enter when the consultation opens and closes."))
    if consultation.closes_at <= consultation.opens_at:
        raise ValidationError(_("The consultation must close after it opens."))
    if consultation.audience not in Audience.values:
        raise ValidationError(_("Choose who may respond."))
    keys = list(consultation.equality_questions or [])
    unknown = [key for key in keys if key not in {q.key for q in bank.BANK}]
    if unknown:
        raise ValidationError(_("Choose equality questions from the list."))
    # Kept in the bank's order, each once.
    consultation.equality_questions = [q.key for q in bank.questions(keys)]


@transaction.atomic
def consultation_create(
    *,
    organisation: Organisation,
    actor: User,
    place: Place,
    title: str,
    summary: str,
    opens_at,
    closes_at,
    audience: str = Audience.ANYONE,
    one_response_per_person: bool = False,
    equality_questions: Sequence[str] = (),
    title_cy: str = "",
    summary_cy: str = "",
    audience_text: str = "",
    audience_text_cy: str = "",
) -> Consultation:
    """A draft consultation with an empty survey (version 1)."""
    consultation = Consultation(
        organisation=organisation,
        place=place,
        title=(title or "").strip(),
        title_cy=(title_cy or "").strip(),
        summary=(summary or "").strip(),
        summary_cy=(summary_cy or "").strip(),
        audience_text=(audience_text or "").strip(),
        audience_text_cy=(audience_text_cy or "").strip(),
        audience=audience,
        one_response_per_person=one_response_per_person,
        opens_at=opens_at,
        closes_at=closes_at,
        equality_questions=list(equality_questions),
        created_by=actor,
    )
    _check_consultation(consultation)
    consultation.save()
    SurveyVersion.objects.create(consultation=consultation, number=1, created_by=actor)
    _audit(actor, "consultation.create", consultation)
    return consultation


@transaction.atomic
def consultation_update(*, consultation: Consultation, actor: User, **fields: Any) -> Consultation:
    unknown = set(fields) - CONSULTATION_FIELDS
    if unknown:
        raise TypeError(f"consultation_update does not change {sorted(unknown)}")
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.stage == Stage.FEEDBACK:
        raise ValidationError(_("“You said, we did” has been published: the consultation can no longer change."))
    for name, value in fields.items():
        setattr(consultation, name, value.strip() if isinstance(value, str) else value)
    _check_consultation(consultation)
    consultation.save()
    _audit(actor, "consultation.update", consultation, changed=sorted(fields))
    return consultation


@transaction.atomic
def consultation_publish(*, consultation: Consultation, actor: User) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.stage != Stage.DRAFT:
        raise ValidationError(_("This consultation has already been published."))
    version = selectors.version_current(consultation)
    if not Question.objects.filter(page__version=version).exists():
        raise ValidationError(_("Add at least one question to the survey before publishing."))
    if consultation.closes_at <= timezone.now():
        raise ValidationError(_("The closing date has passed: change the dates before publishing."))
    consultation.stage = Stage.PUBLISHED
    consultation.published_at = timezone.now()
    consultation.save(update_fields=["stage", "published_at"])
    _audit(actor, "consultation.publish", consultation)
    return consultation


@transaction.atomic
def document_add(
    *, consultation: Consultation, actor: User, file, title: str, summary: str, title_cy: str = "", summary_cy: str = ""
) -> Document:
    """Add a PDF (checked from its content, at most 20 MB) with its accessible summary."""
    title = _required(title, _("Enter the document’s title."))
    summary = _required(summary, _("Enter an accessible summary of what the document says."))
    if file is None:
        raise ValidationError(_("Choose a PDF file."))
    size = getattr(file, "size", None) or 0
    if size > DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The file must be smaller than 20 MB."))
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("The file must be a PDF."))
    order = (consultation.documents.aggregate(top=Max("order"))["top"] or 0) + 1
    document = Document(
        consultation=consultation,
        title=title,
        title_cy=(title_cy or "").strip(),
        summary=summary,
        summary_cy=(summary_cy or "").strip(),
        size=size,
        order=order,
    )
    name = slugify(title)[:80] or "document"
    document.file.save(f"{name}.pdf", file, save=False)
    document.save()
    _audit(actor, "consultation.document_add", consultation, target=document, summary=title)
    return document


@transaction.atomic
def document_remove(*, document: Document, actor: User) -> None:
    consultation = document.consultation
    _audit(actor, "consultation.document_remove", consultation, target=document, summary=document.title)
    storage, name = document.file.storage, document.file.name
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# The survey builder ------------------------------------------------------------------------------


def _check_editable(version: SurveyVersion) -> SurveyVersion:
    version = SurveyVersion.objects.select_for_update().select_related("consultation__organisation").get(pk=version.pk)
    if version.locked:
        raise ValidationError(_("People have answered this version of the survey: start a new version to change it."))
    current = selectors.version_current(version.consultation)
    if current.pk != version.pk:
        raise ValidationError(_("This is not the current version of the survey."))
    return version


def _drop_draft_answers(answers) -> None:
    """Delete answers of saved, unsent responses (a version is unlocked only while no one has sent one)."""
    answers.filter(response__state=ResponseState.DRAFT).delete()


def _renumber(items) -> list:
    items = list(items)
    for order, item in enumerate(items):
        if item.order != order:
            item.order = order
            item.save(update_fields=["order"])
    return items


@transaction.atomic
def survey_new_version(*, consultation: Consultation, actor: User, note: str, note_cy: str = "") -> SurveyVersion:
    """Copy the current, locked version (pages, questions, options, conditions) as the next version."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    current = selectors.version_current(consultation)
    if not current.locked:
        raise ValidationError(_("No one has answered the current version yet: change it as it is."))
    note = _required(note, _("Say what changes in the new version."))
    version = SurveyVersion.objects.create(
        consultation=consultation,
        number=current.number + 1,
        note=note,
        note_cy=(note_cy or "").strip(),
        created_by=actor,
    )
    option_map: dict[int, Option] = {}
    conditions: list[tuple[Question, int]] = []
    questions = Question.objects.filter(page__version=current).prefetch_related("options").order_by("order", "pk")
    by_page: dict[int, list[Question]] = {}
    for question in questions:
        by_page.setdefault(question.page_id, []).append(question)
    for page in current.pages.order_by("order", "pk"):
        old_page_id = page.pk
        page.pk = None
        page.id = None
        page.version = version
        page.save()
        for question in by_page.get(old_page_id, []):
            options = list(question.options.all())
            shown_if_id = question.shown_if_id
            question.pk = None
            question.id = None
            question.page = page
            question.shown_if = None
            question.save()
            for option in options:
                old_id = option.pk
                option.pk = None
                option.id = None
                option.question = question
                option.save()
                option_map[old_id] = option
            if shown_if_id:
                conditions.append((question, shown_if_id))
    for question, old_option_id in conditions:
        question.shown_if = option_map.get(old_option_id)
        question.save(update_fields=["shown_if"])
    _audit(actor, "consultation.version_new", consultation, target=version, summary=note, number=version.number)
    return version


@transaction.atomic
def page_add(
    *, version: SurveyVersion, actor: User, title: str, intro: str = "", title_cy: str = "", intro_cy: str = ""
) -> Page:
    version = _check_editable(version)
    title = _required(title, _("Enter the page’s title."))
    order = (version.pages.aggregate(top=Max("order"))["top"] or 0) + 1 if version.pages.exists() else 0
    page = Page.objects.create(
        version=version,
        order=order,
        title=title,
        title_cy=(title_cy or "").strip(),
        intro=(intro or "").strip(),
        intro_cy=(intro_cy or "").strip(),
    )
    _audit(actor, "consultation.page_add", version.consultation, target=page, summary=title)
    return page


@transaction.atomic
def page_update(*, page: Page, actor: User, **fields: Any) -> Page:
    unknown = set(fields) - PAGE_FIELDS
    if unknown:
        raise TypeError(f"page_update does not change {sorted(unknown)}")
    version = _check_editable(page.version)
    page = Page.objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, (value or "").strip())
    _required(page.title, _("Enter the page’s title."))
    page.save()
    _audit(actor, "consultation.page_update", version.consultation, target=page, summary=page.title)
    return page


@transaction.atomic
def page_remove(*, page: Page, actor: User) -> None:
    """Remove a page and its questions (questions shown only after one of them are then always shown)."""
    version = _check_editable(page.version)
    _drop_draft_answers(Answer.objects.filter(question__page=page))
    Question.objects.filter(shown_if__question__page=page).update(shown_if=None)
    _audit(actor, "consultation.page_remove", version.consultation, target=page, summary=page.title)
    page.delete()
    _renumber(version.pages.order_by("order", "pk"))


def _check_conditions(version: SurveyVersion) -> None:
    """Every condition points at a question on an earlier page."""
    pages = {page.pk: index for index, page in enumerate(version.pages.order_by("order", "pk"))}
    for question in Question.objects.filter(page__version=version, shown_if__isnull=False).select_related(
        "shown_if__question"
    ):
        if pages[question.shown_if.question.page_id] >= pages[question.page_id]:
            raise ValidationError(
                _("“%(text)s” is shown only after an answer on this page or a later one: move it first.")
                % {"text": question.text}
            )


@transaction.atomic
def page_move(*, page: Page, actor: User, up: bool) -> Page:
    version = _check_editable(page.version)
    pages = _renumber(version.pages.order_by("order", "pk"))
    index = next(i for i, p in enumerate(pages) if p.pk == page.pk)
    other = index - 1 if up else index + 1
    if other < 0 or other >= len(pages):
        return pages[index]
    pages[index].order, pages[other].order = pages[other].order, pages[index].order
    pages[index].save(update_fields=["order"])
    pages[other].save(update_fields=["order"])
    _check_conditions(version)
    _audit(actor, "consultation.page_move", version.consultation, target=pages[index], summary=pages[index].title)
    return pages[index]


def _unique_key(base: str, taken: set[str], fallback: str) -> str:
    base = slugify(base)[:50].strip("-") or fallback
    key, n = base, 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    return key


def _clean_options(options: Sequence) -> list[tuple[str, str]]:
    cleaned = []
    for option in options:
        label, label_cy = (option, "") if isinstance(option, str) else (*tuple(option), "")[:2]
        label, label_cy = (label or "").strip(), (label_cy or "").strip()
        if label:
            cleaned.append((label, label_cy))
    return cleaned


def _check_question(question: Question, options: list[tuple[str, str]] | None, version: SurveyVersion) -> None:
    if question.kind not in QuestionKind.values:
        raise ValidationError(_("Choose what kind of question it is."))
    _required(question.text, _("Enter the question."))
    if question.kind in OPTION_KINDS and options is not None and len(options) < 2:
        raise ValidationError(_("Give at least two options."))
    if question.kind in (QuestionKind.RATING, QuestionKind.MATRIX) and (
        question.scale_max <= question.scale_min or question.scale_max - question.scale_min > 10
    ):
        raise ValidationError(_("The scale must go up, by no more than 10 steps."))
    if (
        question.number_min is not None
        and question.number_max is not None
        and question.number_max < question.number_min
    ):
        raise ValidationError(_("The largest number must be at least the smallest."))
    if question.max_choices is not None and question.kind != QuestionKind.MULTIPLE:
        question.max_choices = None
    if question.max_choices is not None and question.max_choices < 1:
        raise ValidationError(_("The most choices must be 1 or more."))
    if question.shown_if_id is not None:
        option = Option.objects.select_related("question__page").get(pk=question.shown_if_id)
        controlling = option.question
        pages = list(version.pages.order_by("order", "pk").values_list("pk", flat=True))
        if controlling.page.version_id != version.pk or controlling.kind not in CHOICE_KINDS:
            raise ValidationError(_("A question can be shown only after an answer to a choice question."))
        if pages.index(controlling.page_id) >= pages.index(question.page_id):
            raise ValidationError(
                _("A question can be shown only after an answer on an earlier page (so it works without JavaScript).")
            )


def _set_options(question: Question, options: list[tuple[str, str]]) -> None:
    """Give ``question`` these options in this order, keeping the rows (and keys) of those in the same places."""
    existing = list(question.options.order_by("order", "pk"))
    taken = {option.key for option in existing[: len(options)]}
    for order, (label, label_cy) in enumerate(options):
        if order < len(existing):
            option = existing[order]
            option.label, option.label_cy, option.order = label, label_cy, order
            option.save(update_fields=["label", "label_cy", "order"])
        else:
            key = _unique_key(label, taken, f"option-{order + 1}")
            taken.add(key)
            Option.objects.create(question=question, order=order, key=key, label=label, label_cy=label_cy)
    extra = existing[len(options) :]
    if extra:
        _drop_draft_answers(Answer.objects.filter(option__in=extra))
        Question.objects.filter(shown_if__in=extra).update(shown_if=None)
        Option.objects.filter(pk__in=[option.pk for option in extra]).delete()


@transaction.atomic
def question_add(
    *,
    page: Page,
    actor: User,
    kind: str,
    text: str,
    required: bool = False,
    help: str = "",
    text_cy: str = "",
    help_cy: str = "",
    options: Sequence = (),
    shown_if: Option | None = None,
    scale_min: int = 1,
    scale_max: int = 5,
    scale_min_label: str = "",
    scale_max_label: str = "",
    scale_min_label_cy: str = "",
    scale_max_label_cy: str = "",
    number_min: int | None = None,
    number_max: int | None = None,
    max_choices: int | None = None,
    key: str | None = None,
) -> Question:
    version = _check_editable(page.version)
    taken = set(Question.objects.filter(page__version=version).values_list("key", flat=True))
    if key:
        key = slugify(key)[:60]
        if not key or key in taken:
            raise ValidationError(_("Another question in this survey has that key: choose another."))
    else:
        key = _unique_key(text or "", taken, "question")
    question = Question(
        page=page,
        order=(page.questions.aggregate(top=Max("order"))["top"] or 0) + 1 if page.questions.exists() else 0,
        key=key,
        kind=kind,
        text=(text or "").strip(),
        text_cy=(text_cy or "").strip(),
        help=(help or "").strip(),
        help_cy=(help_cy or "").strip(),
        required=bool(required),
        shown_if=shown_if,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_min_label=(scale_min_label or "").strip(),
        scale_max_label=(scale_max_label or "").strip(),
        scale_min_label_cy=(scale_min_label_cy or "").strip(),
        scale_max_label_cy=(scale_max_label_cy or "").strip(),
        number_min=number_min,
        number_max=number_max,
        max_choices=max_choices,
    )
    cleaned = _clean_options(options) if kind in OPTION_KINDS else []
    _check_question(question, cleaned if kind in OPTION_KINDS else None, version)
    question.save()
    if cleaned:
        _set_options(question, cleaned)
    _audit(actor, "consultation.question_add", version.consultation, target=question, summary=question.text)
    return question


@transaction.atomic
def question_update(*, question: Question, actor: User, options: Sequence | None = None, **fields: Any) -> Question:
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise TypeError(f"question_update does not change {sorted(unknown)}")
    version = _check_editable(question.page.version)
    question = Question.objects.get(pk=question.pk)
    old_kind = question.kind
    for name, value in fields.items():
        setattr(question, name, value.strip() if isinstance(value, str) else value)
    if "key" in fields:
        key = slugify(question.key or "")[:60]
        taken = set(
            Question.objects.filter(page__version=version).exclude(pk=question.pk).values_list("key", flat=True)
        )
        if not key or key in taken:
            raise ValidationError(_("Another question in this survey has that key: choose another."))
        question.key = key
    cleaned = _clean_options(options) if options is not None else None
    if question.kind in OPTION_KINDS and cleaned is None and not question.options.exists():
        cleaned = []
    _check_question(question, cleaned if question.kind in OPTION_KINDS else None, version)
    if question.kind != old_kind:
        _drop_draft_answers(question.answers.all())
    question.save()
    if question.kind in OPTION_KINDS and cleaned is not None:
        _set_options(question, cleaned)
    elif question.kind not in OPTION_KINDS and question.options.exists():
        _set_options(question, [])
    _audit(actor, "consultation.question_update", version.consultation, target=question, summary=question.text)
    return question


@transaction.atomic
def question_remove(*, question: Question, actor: User) -> None:
    version = _check_editable(question.page.version)
    _drop_draft_answers(question.answers.all())
    Question.objects.filter(shown_if__question=question).update(shown_if=None)
    _audit(actor, "consultation.question_remove", version.consultation, target=question, summary=question.text)
    page = question.page
    question.delete()
    _renumber(page.questions.order_by("order", "pk"))


@transaction.atomic
def question_move(*, question: Question, actor: User, up: bool) -> Question:
    """Move a question up or down its page."""
    version = _check_editable(question.page.version)
    questions = _renumber(Question.objects.filter(page=question.page_id).order_by("order", "pk"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(questions):
        questions[index].order, questions[other].order = questions[other].order, questions[index].order
        questions[index].save(update_fields=["order"])
        questions[other].save(update_fields=["order"])
        _audit(
            actor, "consultation.question_move", version.consultation, target=questions[index], summary=question.text
        )
    return questions[index]


# Responding --------------------------------------------------------------------------------------


def _audience_refusal(consultation: Consultation, person) -> str | None:
    """Why ``person`` may not respond, or None."""
    signed_in = person is not None and getattr(person, "is_authenticated", False)
    if consultation.audience == Audience.ANYONE:
        if consultation.one_response_per_person and not signed_in:
            return _("Sign in to respond: each person may send one response to this consultation.")
        return None
    if not signed_in:
        return _("Sign in to respond to this consultation.")
    if consultation.audience == Audience.SIGNED_IN:
        return None
    if consultation.audience == Audience.RESIDENTS:
        answer = eligibility.check(person, eligibility.Requirement(place=consultation.place))
    else:
        answer = eligibility.check(person, eligibility.Requirement(member_of=consultation.organisation))
    return None if answer else answer.reason


@transaction.atomic
def response_start(
    *,
    consultation: Consultation,
    person: User | None = None,
    language: str = "en",
    channel: str = Channel.ONLINE,
    entered_by: User | None = None,
) -> tuple[Response, str | None]:
    """Start a response to the current version; returns it and its raw resume token.

    A signed-in person's saved draft is returned instead (token ``None``). Officers entering a
    paper response (``entered_by``) may do so after the close too.
    """
    consultation = (
        Consultation.objects.select_for_update().select_related("organisation", "place").get(pk=consultation.pk)
    )
    status = consultation.status()
    if entered_by is not None:
        if status not in (Status.OPEN, Status.CLOSED):
            raise ValidationError(_("Paper responses can be entered once the consultation has opened."))
        person = None
    else:
        if status != Status.OPEN:
            raise ValidationError(_("This consultation is not open for responses."))
        reason = _audience_refusal(consultation, person)
        if reason:
            raise ValidationError(reason)
        if person is not None and not person.is_authenticated:
            person = None
        if person is not None:
            draft = selectors.response_draft_for(consultation=consultation, person=person)
            if draft is not None:
                return draft, None
            if (
                consultation.one_response_per_person
                and Response.objects.filter(
                    consultation=consultation, person=person, state=ResponseState.SUBMITTED
                ).exists()
            ):
                raise ValidationError(_("You have already responded to this consultation."))
    token, hashed = _new_token()
    response = Response.objects.create(
        consultation=consultation,
        version=selectors.version_current(consultation),
        person=person,
        channel=channel if entered_by is None else (channel if channel != Channel.ONLINE else Channel.PAPER),
        language=language if language in ("en", "cy") else "en",
        resume_token_hash=hashed,
        entered_by=entered_by,
        ward=getattr(person, "ward", None) if person is not None else None,
    )
    if entered_by is not None:
        _audit(entered_by, "consultation.paper_start", consultation, target=response)
    return response, token


@transaction.atomic
def response_update_reference(*, response: Response, actor: User, paper_reference: str) -> Response:
    response.paper_reference = (paper_reference or "").strip()[:60]
    response.save(update_fields=["paper_reference"])
    _audit(
        actor, "consultation.paper_reference", response.consultation, target=response, summary=response.paper_reference
    )
    return response


def _answer_rows(response: Response, question: Question, value, options: dict[int, Option]) -> list[Answer]:
    """The rows for one cleaned value (empty: not answered). ``options``: the question's options by id."""

    def option_of(option) -> Option:
        if not isinstance(option, Option) or option.pk not in options:
            raise ValidationError(_("Choose one of the options given for “%(text)s”.") % {"text": question.text})
        return options[option.pk]

    kind = question.kind
    if value is None or value == "" or value == [] or value == {}:
        return []
    if kind in TEXT_KINDS or kind == QuestionKind.DATE:
        return [Answer(response=response, question=question, text=str(value).strip()[:8000])]
    if kind in (QuestionKind.NUMBER, QuestionKind.RATING):
        number = int(value)
        low, high = (
            (question.scale_min, question.scale_max)
            if kind == QuestionKind.RATING
            else (question.number_min, question.number_max)
        )
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValidationError(_("Give a number in the range asked for “%(text)s”.") % {"text": question.text})
        return [Answer(response=response, question=question, number=number)]
    if kind == QuestionKind.SINGLE:
        return [Answer(response=response, question=question, option=option_of(value))]
    if kind == QuestionKind.MULTIPLE:
        chosen = list(dict.fromkeys(option_of(option) for option in value))
        if question.max_choices and len(chosen) > question.max_choices:
            raise ValidationError(
                _("Choose at most %(n)d answers for “%(text)s”.") % {"n": question.max_choices, "text": question.text}
            )
        return [Answer(response=response, question=question, option=option) for option in chosen]
    if kind == QuestionKind.RANKING:
        ranked = list(dict.fromkeys(option_of(option) for option in value))
        return [
            Answer(response=response, question=question, option=option, rank=rank)
            for rank, option in enumerate(ranked, start=1)
        ]
    if kind == QuestionKind.MATRIX:
        rows = []
        for option, number in value.items():
            if number is None or number == "":
                continue
            number = int(number)
            if not question.scale_min <= number <= question.scale_max:
                raise ValidationError(_("Give a number in the range asked for “%(text)s”.") % {"text": question.text})
            rows.append(Answer(response=response, question=question, option=option_of(option), number=number))
        return rows
    if kind == QuestionKind.PLACE:
        if not isinstance(value, Place):
            raise ValidationError(_("Choose a ward for “%(text)s”.") % {"text": question.text})
        return [Answer(response=response, question=question, place=value)]
    raise ValidationError(_("This question cannot be answered."))


def _drop_hidden(response: Response) -> None:
    """Delete answers to questions that the response's answers now hide (in page order, so chains follow)."""
    questions = selectors.version_questions(response.version)
    chosen = set(Answer.objects.filter(response=response, option__isnull=False).values_list("option_id", flat=True))
    hidden: list[int] = []
    for question in questions:
        if question.shown_if_id is not None and question.shown_if_id not in chosen:
            hidden.append(question.pk)
            # Its answers no longer count for the questions after it.
            chosen -= {option.pk for option in question.options.all()}
    if hidden:
        Answer.objects.filter(response=response, question_id__in=hidden).delete()


@transaction.atomic
def answers_save(*, response: Response, page: Page, values: Mapping[int, Any]) -> Response:
    """Replace ``response``'s answers to ``page`` with ``values`` (cleaned, per question id)."""
    response = Response.objects.select_for_update().select_related("version").get(pk=response.pk)
    if response.state != ResponseState.DRAFT:
        raise ValidationError(_("This response has been sent: it can no longer change."))
    if page.version_id != response.version_id:
        raise ValidationError(_("This page is not part of the survey you are answering."))
    visible = selectors.page_questions(response=response, page=page)
    page_ids = list(Question.objects.filter(page=page).values_list("pk", flat=True))
    Answer.objects.filter(response=response, question_id__in=page_ids).delete()
    rows: list[Answer] = []
    ward = None
    for question in visible:
        options = {option.pk: option for option in question.options.all()}
        new = _answer_rows(response, question, values.get(question.pk), options)
        rows.extend(new)
        if question.kind == QuestionKind.PLACE and new:
            ward = new[0].place
    Answer.objects.bulk_create(rows)
    _drop_hidden(response)
    number = selectors.page_number(page)
    fields = []
    if number > response.page_reached:
        response.page_reached = number
        fields.append("page_reached")
    if ward is not None and response.ward_id != ward.pk:
        response.ward = ward
        fields.append("ward")
    if fields:
        response.save(update_fields=fields)
    return response


@transaction.atomic
def response_resume_link_send(*, response: Response, email: str, base_url: str) -> None:
    """Email the link that brings the respondent back to their saved response ("save and come back").

    ``base_url`` is the absolute resume link itself (``consultations:respond_resume`` with the
    token the respondent holds): only the hash of the token is kept, so the caller supplies it.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter an email address in the correct format, like name@example.com")) from None
    if response.state != ResponseState.DRAFT:
        raise ValidationError(_("This response has already been sent."))
    if not response.email:
        response.email = email
        response.save(update_fields=["email"])
    _enqueue("send_resume_link", response.pk, email, base_url)


def _missing_required(response: Response) -> Page | None:
    """The first page with a visible required question left unanswered, or None."""
    answered = set(Answer.objects.filter(response=response).values_list("question_id", flat=True))
    for question in selectors.visible_questions(response):
        if question.required and question.pk not in answered:
            return question.page
    return None


@transaction.atomic
def response_submit(
    *,
    response: Response,
    email: str = "",
    wants_feedback: bool = False,
    publish_consent: bool = False,
    equality: Mapping[str, str] | None = None,
) -> Response:
    """Send the response: every visible required question answered; equality answers kept apart."""
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("consultation", "version", "person", "entered_by")
        .get(pk=response.pk)
    )
    consultation = response.consultation
    if response.state != ResponseState.DRAFT:
        raise ValidationError(_("This response has already been sent."))
    if response.entered_by_id is None and not consultation.is_open():
        raise ValidationError(_("This consultation has closed: responses can no longer be sent."))
    # A paper form is entered as the person filled it in: a question they left blank stays blank.
    page = None if response.channel == Channel.PAPER else _missing_required(response)
    if page is not None:
        raise ValidationError(
            _("Answer the questions that are needed on page %(number)d, “%(title)s”.")
            % {"number": selectors.page_number(page), "title": page.localised("title", response.language)}
        )
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(_("Enter an email address in the correct format, like name@example.com")) from None
        response.email = email
    address = response.email or (response.person.email if response.person_id else "")
    if wants_feedback and not address:
        raise ValidationError(_("Give an email address so that we can tell you what was decided."))
    rows = []
    for key, category in (equality or {}).items():
        if not category:
            continue
        if key not in consultation.equality_questions or not bank.is_answer(key, category):
            raise ValidationError(_("Choose one of the answers given to the equality questions."))
        rows.append(EqualityAnswer(response=response, question=key, category=category))
    EqualityAnswer.objects.filter(response=response).delete()
    EqualityAnswer.objects.bulk_create(rows)
    response.wants_feedback = bool(wants_feedback)
    response.publish_consent = bool(publish_consent)
    response.state = ResponseState.SUBMITTED
    response.submitted_at = timezone.now()
    response.resume_token_hash = ""
    if response.ward_id is None and response.person_id and response.person.ward_id:
        response.ward_id = response.person.ward_id
    response.save()
    SurveyVersion.objects.filter(pk=response.version_id, locked=False).update(locked=True)
    if response.entered_by_id is not None:
        _audit(response.entered_by, "consultation.paper_submit", consultation, target=response)
    if address:
        _enqueue("send_response_copy", response.pk)
    return response


# Events and registration -------------------------------------------------------------------------


def _check_event(event: Event) -> None:
    if event.kind not in EventKind.values:
        raise ValidationError(_("Choose what kind of event it is."))
    _required(event.title, _("Enter the event’s title."))
    _required(event.venue, _("Enter where the event is."))
    if event.starts_at is None or event.ends_at is None:
        raise ValidationError(_("Enter when the event starts and ends."))
    if event.ends_at <= event.starts_at:
        raise ValidationError(_("The event must end after it starts."))
    if event.capacity is not None and event.capacity < 1:
        raise ValidationError(_("The number of places must be 1 or more, or left empty for no limit."))


@transaction.atomic
def event_add(
    *,
    consultation: Consultation,
    actor: User,
    kind: str,
    title: str,
    starts_at,
    ends_at,
    venue: str,
    address: str = "",
    postcode: str = "",
    access: str = "",
    capacity: int | None = None,
    registration: bool = True,
    title_cy: str = "",
    access_cy: str = "",
) -> Event:
    event = Event(
        consultation=consultation,
        kind=kind,
        title=(title or "").strip(),
        title_cy=(title_cy or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        venue=(venue or "").strip(),
        address=(address or "").strip(),
        postcode=(postcode or "").strip().upper(),
        access=(access or "").strip(),
        access_cy=(access_cy or "").strip(),
        capacity=capacity,
        registration=bool(registration),
    )
    _check_event(event)
    event.save()
    _audit(actor, "consultation.event_add", consultation, target=event, summary=event.title)
    return event


def _promote(event: Event) -> list[Registration]:
    """Offer freed places to the waiting list, first come first offered; each promoted person is emailed."""
    promoted = []
    if event.capacity is None:
        waiting = list(event.registrations.filter(status=RegistrationStatus.WAITING).order_by("created_at", "pk"))
    else:
        booked = event.registrations.filter(status=RegistrationStatus.BOOKED).count()
        free = max(event.capacity - booked, 0)
        waiting = list(
            event.registrations.filter(status=RegistrationStatus.WAITING).order_by("created_at", "pk")[:free]
        )
    for registration in waiting:
        registration.status = RegistrationStatus.BOOKED
        registration.save(update_fields=["status"])
        _enqueue("send_promoted", registration.pk)
        promoted.append(registration)
    return promoted


@transaction.atomic
def event_update(*, event: Event, actor: User, **fields: Any) -> Event:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"event_update does not change {sorted(unknown)}")
    event = Event.objects.select_for_update().select_related("consultation__organisation").get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError(_("This event has been cancelled."))
    for name, value in fields.items():
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    _check_event(event)
    event.save()
    _promote(event)
    _audit(actor, "consultation.event_update", event.consultation, target=event, summary=event.title)
    return event


@transaction.atomic
def event_cancel(*, event: Event, actor: User) -> Event:
    event = Event.objects.select_for_update().select_related("consultation__organisation").get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError(_("This event has already been cancelled."))
    event.cancelled_at = timezone.now()
    event.save(update_fields=["cancelled_at"])
    _audit(actor, "consultation.event_cancel", event.consultation, target=event, summary=event.title)
    _enqueue("send_event_cancelled", event.pk)
    return event


@transaction.atomic
def event_register(
    *, event: Event, name: str, email: str, needs: str = "", person: User | None = None, language: str = "en"
) -> tuple[Registration, str]:
    """Book a place, or a place on the waiting list when the event is full; returns the raw token."""
    event = Event.objects.select_for_update().select_related("consultation").get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError(_("This event has been cancelled."))
    if not event.registration:
        raise ValidationError(_("You do not need to register for this event: just come along."))
    if event.starts_at <= timezone.now():
        raise ValidationError(_("This event has started: registration has closed."))
    if event.consultation.stage == Stage.DRAFT:
        raise ValidationError(_("This event is not open for registration."))
    name = _required(name, _("Enter your name."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter an email address in the correct format, like name@example.com")) from None
    if event.registrations.filter(email__iexact=email).exclude(status=RegistrationStatus.CANCELLED).exists():
        raise ValidationError(_("This email address is already registered for this event."))
    booked = event.registrations.filter(status=RegistrationStatus.BOOKED).count()
    full = event.capacity is not None and booked >= event.capacity
    token, hashed = _new_token()
    registration = Registration.objects.create(
        event=event,
        person=person if person is not None and person.is_authenticated else None,
        name=name[:200],
        email=email,
        needs=(needs or "").strip()[:1000],
        language=language if language in ("en", "cy") else "en",
        status=RegistrationStatus.WAITING if full else RegistrationStatus.BOOKED,
        token_hash=hashed,
    )
    _enqueue("send_registration", registration.pk, token)
    return registration, token


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration:
    """Cancel a registration; a freed place goes to the first on the waiting list (who is emailed)."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("This registration has already been cancelled."))
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    if not event.cancelled_at and event.starts_at > timezone.now():
        _promote(event)
    return registration


@transaction.atomic
def attendance_record(
    *, event: Event, actor: User, attended: Mapping[int, bool], attended_count: int | None = None
) -> Event:
    """Record who came (registration id → came) and how many came in all."""
    event = Event.objects.select_for_update().select_related("consultation__organisation").get(pk=event.pk)
    registrations = {r.pk: r for r in event.registrations.exclude(status=RegistrationStatus.CANCELLED)}
    for pk, came in attended.items():
        registration = registrations.get(pk)
        if registration is None:
            raise ValidationError(_("That person is not registered for this event."))
        if registration.attended != came:
            registration.attended = came
            registration.save(update_fields=["attended"])
    if attended_count is not None:
        if attended_count < 0:
            raise ValidationError(_("The number of people who came must be 0 or more."))
        event.attended_count = attended_count
    elif attended:
        event.attended_count = sum(1 for r in registrations.values() if r.attended)
    event.save(update_fields=["attended_count"])
    _audit(actor, "consultation.attendance", event.consultation, target=event, summary=event.title)
    return event


@transaction.atomic
def event_notes_save(*, event: Event, actor: User, notes: str, notes_cy: str = "") -> Event:
    event = Event.objects.select_for_update().select_related("consultation__organisation").get(pk=event.pk)
    event.notes = (notes or "").strip()
    event.notes_cy = (notes_cy or "").strip()
    event.save(update_fields=["notes", "notes_cy"])
    _audit(actor, "consultation.event_notes", event.consultation, target=event, summary=event.title)
    return event


# Themes ------------------------------------------------------------------------------------------


@transaction.atomic
def theme_add(*, consultation: Consultation, actor: User, name: str, name_cy: str = "") -> Theme:
    name = _required(name, _("Enter the theme’s name."))
    if Theme.objects.filter(consultation=consultation, name__iexact=name).exists():
        raise ValidationError(_("There is already a theme with that name."))
    theme = Theme.objects.create(consultation=consultation, name=name[:120], name_cy=(name_cy or "").strip()[:120])
    _audit(actor, "consultation.theme_add", consultation, target=theme, summary=name)
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, actor: User, **fields: Any) -> Theme:
    unknown = set(fields) - THEME_FIELDS
    if unknown:
        raise TypeError(f"theme_update does not change {sorted(unknown)}")
    theme = Theme.objects.select_related("consultation__organisation").get(pk=theme.pk)
    for name, value in fields.items():
        setattr(theme, name, (value or "").strip())
    _required(theme.name, _("Enter the theme’s name."))
    if Theme.objects.filter(consultation=theme.consultation_id, name__iexact=theme.name).exclude(pk=theme.pk).exists():
        raise ValidationError(_("There is already a theme with that name."))
    theme.save()
    _audit(actor, "consultation.theme_update", theme.consultation, target=theme, summary=theme.name)
    return theme


@transaction.atomic
def theme_remove(*, theme: Theme, actor: User) -> None:
    consultation = theme.consultation
    if consultation.stage == Stage.FEEDBACK:
        raise ValidationError(_("“You said, we did” has been published: its themes can no longer be removed."))
    _audit(actor, "consultation.theme_remove", consultation, target=theme, summary=theme.name)
    theme.delete()


def _check_tagging(answer: Answer, theme: Theme) -> None:
    if answer.response.consultation_id != theme.consultation_id:
        raise ValidationError(_("That theme belongs to another consultation."))
    if answer.response.state != ResponseState.SUBMITTED or answer.question.kind not in TEXT_KINDS:
        raise ValidationError(_("Only written answers that have been sent can be tagged."))


@transaction.atomic
def answer_tag(*, answer: Answer, theme: Theme, actor: User) -> AnswerTag:
    answer = Answer.objects.select_related("response", "question").get(pk=answer.pk)
    _check_tagging(answer, theme)
    tag, created = AnswerTag.objects.get_or_create(answer=answer, theme=theme, defaults={"tagged_by": actor})
    if created:
        _audit(actor, "consultation.answer_tag", theme.consultation, target=answer, summary=theme.name)
    return tag


@transaction.atomic
def answer_untag(*, answer: Answer, theme: Theme, actor: User) -> None:
    deleted, _rows = AnswerTag.objects.filter(answer=answer, theme=theme).delete()
    if deleted:
        _audit(actor, "consultation.answer_untag", theme.consultation, target=answer, summary=theme.name)


# Publishing responses ----------------------------------------------------------------------------


@transaction.atomic
def answer_redact(*, answer: Answer, actor: User, public_text: str) -> Answer:
    """Set the text published for a written answer (the officer's redaction, or the text as written)."""
    answer = Answer.objects.select_related("response__consultation__organisation", "question").get(pk=answer.pk)
    if answer.question.kind not in TEXT_KINDS:
        raise ValidationError(_("Only written answers are redacted."))
    if not answer.response.publish_consent:
        raise ValidationError(_("This respondent did not agree to publication."))
    public_text = _required(public_text, _("Enter the text to publish, with anything identifying taken out."))
    answer.public_text = public_text[:8000]
    answer.save(update_fields=["public_text"])
    _audit(actor, "consultation.answer_redact", answer.response.consultation, target=answer)
    return answer


@transaction.atomic
def response_publish(*, response: Response, actor: User) -> Response:
    """Publish a sent response whose respondent agreed, once each written answer has been reviewed."""
    response = Response.objects.select_for_update().select_related("consultation__organisation").get(pk=response.pk)
    if response.state != ResponseState.SUBMITTED:
        raise ValidationError(_("Only responses that have been sent can be published."))
    if not response.publish_consent:
        raise ValidationError(_("This respondent did not agree to publication."))
    unreviewed = (
        Answer.objects.filter(response=response, question__kind__in=TEXT_KINDS, public_text="").exclude(text="").count()
    )
    if unreviewed:
        raise ValidationError(
            _("Review each written answer first: redact it, or choose to publish it as written (%(n)d left).")
            % {"n": unreviewed}
        )
    response.published_at = timezone.now()
    response.save(update_fields=["published_at"])
    _audit(actor, "consultation.response_publish", response.consultation, target=response)
    return response


@transaction.atomic
def response_unpublish(*, response: Response, actor: User) -> Response:
    response = Response.objects.select_for_update().select_related("consultation__organisation").get(pk=response.pk)
    if response.published_at is None:
        raise ValidationError(_("This response is not published."))
    response.published_at = None
    response.save(update_fields=["published_at"])
    _audit(actor, "consultation.response_unpublish", response.consultation, target=response)
    return response


# "You said, we did" ------------------------------------------------------------------------------


@transaction.atomic
def feedback_save(
    *, consultation: Consultation, actor: User, said: str, decision: str, said_cy: str = "", decision_cy: str = ""
) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.stage == Stage.FEEDBACK:
        raise ValidationError(_("“You said, we did” has been published: it can no longer change."))
    consultation.said = (said or "").strip()
    consultation.said_cy = (said_cy or "").strip()
    consultation.decision = (decision or "").strip()
    consultation.decision_cy = (decision_cy or "").strip()
    consultation.save(update_fields=["said", "said_cy", "decision", "decision_cy"])
    _audit(actor, "consultation.feedback_save", consultation)
    return consultation


@transaction.atomic
def feedback_publish(*, consultation: Consultation, actor: User) -> Consultation:
    """Publish "you said, we did" on a closed consultation; those who asked are emailed (once)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status() != Status.CLOSED:
        if consultation.stage == Stage.FEEDBACK:
            raise ValidationError(_("“You said, we did” has already been published."))
        raise ValidationError(_("“You said, we did” can be published once the consultation has closed."))
    if not consultation.said.strip() or not consultation.decision.strip():
        raise ValidationError(_("Write what people said and the decision before publishing."))
    missing = list(
        Theme.objects.filter(consultation=consultation, tags__isnull=False, considered="")
        .distinct()
        .values_list("name", flat=True)
    )
    if missing:
        raise ValidationError(
            _("Say how each theme was considered: %(themes)s.") % {"themes": ", ".join(sorted(missing))}
        )
    consultation.stage = Stage.FEEDBACK
    consultation.feedback_published_at = timezone.now()
    consultation.save(update_fields=["stage", "feedback_published_at"])
    _audit(actor, "consultation.feedback_publish", consultation)
    _enqueue("send_feedback", consultation.pk)
    return consultation
