"""Reads for consultations: the survey, responding, analysis (a constant number of queries), equality
monitoring (only in aggregate, small groups suppressed), exports and what the public sees."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    Answer,
    Consultation,
    Page,
    Question,
    QuestionKind,
    Response,
    ResponseState,
    SurveyVersion,
)
from .models.survey import TEXT_KINDS

# The survey --------------------------------------------------------------------------------------


def version_current(consultation: Consultation) -> SurveyVersion:
    """The consultation's current survey version (the highest-numbered)."""
    return SurveyVersion.objects.filter(consultation=consultation).order_by("-number").first()


def versions(consultation: Consultation) -> QuerySet[SurveyVersion]:
    return SurveyVersion.objects.filter(consultation=consultation).order_by("number")


def version_pages(version: SurveyVersion) -> list[Page]:
    """The version's pages in order, each with its questions (and their options) prefetched. Three queries."""
    questions = (
        Question.objects.select_related("shown_if__question").prefetch_related("options").order_by("order", "pk")
    )
    return list(version.pages.order_by("order", "pk").prefetch_related(Prefetch("questions", queryset=questions)))


def version_questions(version: SurveyVersion) -> list[Question]:
    """Every question of the version in survey order, options prefetched, each with ``page`` set."""
    return [question for page in version_pages(version) for question in _with_page(page)]


def _with_page(page: Page) -> list[Question]:
    questions = list(page.questions.all())
    for question in questions:
        question.page = page
    return questions


def page_by_number(version: SurveyVersion, number: int) -> Page | None:
    """The version's page ``number`` (1-based), or None."""
    if number < 1:
        return None
    return version.pages.order_by("order", "pk")[number - 1 : number].first()


def page_number(page: Page) -> int:
    """``page``'s 1-based place in its version."""
    ids = list(Page.objects.filter(version=page.version_id).order_by("order", "pk").values_list("pk", flat=True))
    return ids.index(page.pk) + 1


def page_count(version: SurveyVersion) -> int:
    return version.pages.count()


# Responding --------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def response_for_token(*, consultation: Consultation, token: str | None) -> Response | None:
    """The saved, unsent response whose resume token is ``token``, or None."""
    if not token or len(token) > 200:
        return None
    hashed = _token_hash(token)
    response = (
        Response.objects.filter(consultation=consultation, state=ResponseState.DRAFT, resume_token_hash=hashed)
        .select_related("version")
        .first()
    )
    if response is None or not hmac.compare_digest(response.resume_token_hash, hashed):
        return None
    return response


def response_draft_for(*, consultation: Consultation, person) -> Response | None:
    """``person``'s saved, unsent response to ``consultation``, or None."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return (
        Response.objects.filter(consultation=consultation, person=person, state=ResponseState.DRAFT)
        .select_related("version")
        .order_by("-pk")
        .first()
    )


def has_responded(*, consultation: Consultation, person) -> bool:
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return Response.objects.filter(consultation=consultation, person=person, state=ResponseState.SUBMITTED).exists()


def _chosen_options(response: Response) -> set[int]:
    return set(Answer.objects.filter(response=response, option__isnull=False).values_list("option_id", flat=True))


def _visible(questions: list[Question], chosen: set[int]) -> list[Question]:
    """Those of ``questions`` (in survey order) shown given the options ``chosen``; a hidden question's
    answers count for nothing."""
    chosen = set(chosen)
    shown = []
    for question in questions:
        if question.shown_if_id is not None and question.shown_if_id not in chosen:
            chosen -= {option.pk for option in question.options.all()}
            continue
        shown.append(question)
    return shown


def visible_questions(response: Response) -> list[Question]:
    """Every question ``response`` is asked, given its answers so far, in survey order."""
    return _visible(version_questions(response.version), _chosen_options(response))


def page_questions(*, response: Response, page: Page) -> list[Question]:
    """The questions of ``page`` that ``response`` is asked (conditions met by its answers)."""
    return [question for question in visible_questions(response) if question.page_id == page.pk]


def response_answers(response: Response) -> dict[int, list[Answer]]:
    """The response's answers by question id (options and places loaded), in rank order."""
    answers: dict[int, list[Answer]] = defaultdict(list)
    for answer in (
        Answer.objects.filter(response=response).select_related("option", "place").order_by("question_id", "rank", "pk")
    ):
        answers[answer.question_id].append(answer)
    return dict(answers)


def answer_values(response: Response, page: Page | None = None) -> dict[int, Any]:
    """The response's answers as the page forms' cleaned values (per question id): the ``initial``
    of a page form. Only ``page``'s questions when given."""
    questions = {q.pk: q for q in version_questions(response.version) if page is None or q.page_id == page.pk}
    values: dict[int, Any] = {}
    for question_id, answers in response_answers(response).items():
        question = questions.get(question_id)
        if question is None:
            continue
        kind = question.kind
        if kind in TEXT_KINDS or kind == QuestionKind.DATE:
            values[question_id] = answers[0].text
        elif kind in (QuestionKind.NUMBER, QuestionKind.RATING):
            values[question_id] = answers[0].number
        elif kind == QuestionKind.SINGLE:
            values[question_id] = answers[0].option
        elif kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
            values[question_id] = [answer.option for answer in answers]
        elif kind == QuestionKind.MATRIX:
            values[question_id] = {answer.option: answer.number for answer in answers}
        elif kind == QuestionKind.PLACE:
            values[question_id] = answers[0].place
    return values


def paper_responses(consultation: Consultation) -> QuerySet[Response]:
    return (
        Response.objects.filter(consultation=consultation, entered_by__isnull=False)
        .select_related("entered_by")
        .order_by("-pk")
    )


def response_counts(consultation: Consultation) -> dict[str, int]:
    """Sent and saved responses, and sent on paper. One query."""
    return Response.objects.filter(consultation=consultation).aggregate(
        submitted=Count("pk", filter=Q(state=ResponseState.SUBMITTED)),
        drafts=Count("pk", filter=Q(state=ResponseState.DRAFT)),
        paper=Count("pk", filter=Q(state=ResponseState.SUBMITTED, entered_by__isnull=False)),
    )


def answer_in_words(question: Question, answers: list[Answer], language: str | None) -> str:
    """One question's answers as words (for the copy of a response, the check-answers page)."""
    kind = question.kind
    if not answers:
        return ""
    if kind in TEXT_KINDS or kind == QuestionKind.DATE:
        return answers[0].text
    if kind in (QuestionKind.NUMBER, QuestionKind.RATING):
        return str(answers[0].number)
    if kind == QuestionKind.PLACE:
        place = answers[0].place
        return place.localised_name(language) if hasattr(place, "localised_name") else str(place)
    if kind == QuestionKind.MATRIX:
        return "; ".join(f"{answer.option.localised_label(language)}: {answer.number}" for answer in answers)
    if kind == QuestionKind.RANKING:
        return "; ".join(f"{answer.rank}. {answer.option.localised_label(language)}" for answer in answers)
    return "; ".join(answer.option.localised_label(language) for answer in answers)


def answers_in_words(response: Response, language: str | None = None) -> list[tuple[str, str]]:
    """(question, answer) in words for every question ``response`` answered, in survey order."""
    language = language or response.language
    answers = response_answers(response)
    return [
        (question.localised("text", language), answer_in_words(question, answers[question.pk], language))
        for question in version_questions(response.version)
        if question.pk in answers
    ]
