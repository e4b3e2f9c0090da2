"""Reads for consultations: the survey, responding, analysis (a constant number of queries), equality
monitoring (only in aggregate, small groups suppressed), exports and what the public sees."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from coproduce.core import equality as bank
from coproduce.core.models import Organisation, Place
from coproduce.core.selectors import census_counts

from .models import (
    Answer,
    AnswerTag,
    Consultation,
    EqualityAnswer,
    Event,
    Option,
    Page,
    Question,
    QuestionKind,
    Registration,
    Response,
    ResponseState,
    Stage,
    Status,
    SurveyVersion,
    Theme,
)
from .models.survey import CHOICE_KINDS, TEXT_KINDS

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


# Analysis (a constant number of queries, whatever the number of responses) -----------------------


@dataclass
class QuestionResult:
    """One question's results, counted by its ``key`` across the survey's versions."""

    question: Question
    kind: str
    answered: int = 0
    options: list[tuple[Option, int]] = field(default_factory=list)
    distribution: list[tuple[int, int]] = field(default_factory=list)
    mean: float | None = None
    rows: list[tuple[Option, list[tuple[int, int]]]] = field(default_factory=list)
    ranks: list[tuple[Option, float | None, int]] = field(default_factory=list)
    text_count: int = 0
    places: list[tuple[Place, int]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.question.key


class Results(list):
    """The list of ``QuestionResult``, with ``responses``: how many sent responses were counted."""

    responses: int = 0


def submitted(consultation: Consultation) -> QuerySet[Response]:
    return Response.objects.filter(consultation=consultation, state=ResponseState.SUBMITTED)


def parse_group(value: str | None) -> tuple[str, str] | None:
    """``"<question>:<category>"`` (as typed in a URL) as a group of the equality bank, or None."""
    if not value or ":" not in value:
        return None
    key, category = value.split(":", 1)
    return (key, category) if bank.is_answer(key, category) else None


def _filtered(consultation: Consultation, ward: Place | None, group: tuple[str, str] | None) -> QuerySet[Response]:
    responses = submitted(consultation)
    if ward is not None:
        responses = responses.filter(ward=ward)
    if group is not None:
        responses = responses.filter(
            pk__in=EqualityAnswer.objects.filter(question=group[0], category=group[1]).values("response_id")
        )
    return responses


def _check_group(consultation: Consultation, ward, group, user) -> None:
    """A group filter: only for the equalities role; refused where the group, or everyone outside it,
    is a small group (either would let a small group's answers be worked out). One query."""
    if group is None:
        return
    if user is None or not user.has_perm("consultations.see_equality", consultation):
        raise PermissionDenied
    if not bank.is_answer(*group):
        raise ValidationError(_("Choose a group from the equality questions."))
    if group[0] not in (consultation.equality_questions or []):
        raise ValidationError(_("This consultation did not ask that equality question."))
    counts = _filtered(consultation, ward, None).aggregate(
        total=Count("pk"),
        inside=Count(
            "pk",
            filter=Q(pk__in=EqualityAnswer.objects.filter(question=group[0], category=group[1]).values("response_id")),
        ),
    )
    inside, outside = counts["inside"], counts["total"] - counts["inside"]
    if inside < bank.SUPPRESS_BELOW or 0 < outside < bank.SUPPRESS_BELOW:
        raise ValidationError(
            _(
                "Results for this group are not shown: fewer than %(n)d people are in it, or outside it, "
                "so their answers could be worked out."
            )
            % {"n": bank.SUPPRESS_BELOW}
        )


def response_count(
    consultation: Consultation, ward: Place | None = None, group: tuple[str, str] | None = None, *, user=None
) -> int:
    """Sent responses (from ``ward``; in an equality ``group``, for the equalities role only and never a
    small group, as ``results``)."""
    _check_group(consultation, ward, group, user)
    return _filtered(consultation, ward, group).count()


# Results are kept in the cache for this long, keyed by what was counted (the responses' number, the
# last one's id and time): a new response makes a new key, so the cache never gives stale counts.
RESULTS_CACHE_SECONDS = 3600


def results(
    *, consultation: Consultation, ward: Place | None = None, group: tuple[str, str] | None = None, user=None
) -> Results:
    """Each question of the current version (in survey order) with its results over every version's
    sent responses. A group filter needs the equalities role (else ``PermissionDenied``) and is refused
    for small groups (``ValidationError``). A fixed number of queries; the counts are cached until the
    next response arrives."""
    _check_group(consultation, ward, group, user)
    questions = version_questions(version_current(consultation))  # 4 queries
    responses = _filtered(consultation, ward, group)
    seen = responses.aggregate(n=Count("pk"), last=Max("pk"), at=Max("submitted_at"))
    key = "consultations:results:{}:{}:{}:{}:{}:{}".format(
        consultation.pk,
        ward.pk if ward is not None else "",
        ":".join(group) if group else "",
        seen["n"],
        seen["last"] or 0,
        seen["at"].isoformat() if seen["at"] else "",
    )
    tallies = cache.get(key)
    if tallies is None:
        tallies = _tallies(consultation, responses)
        cache.set(key, tallies, RESULTS_CACHE_SECONDS)
    answered, counts, place_ids = tallies
    places = Place.objects.in_bulk(place_ids) if place_ids else {}
    out = Results()
    out.responses = seen["n"]
    for question in questions:
        out.append(_result(question, answered.get(question.key, 0), counts.get(question.key, []), places))
    return out


def _tallies(consultation: Consultation, responses: QuerySet[Response]):
    """The counts behind ``results``, by question key: (answered, rows, place ids). Three or four queries."""
    kinds = {
        pk: (key, kind)
        for pk, key, kind in Question.objects.filter(page__version__consultation=consultation).values_list(
            "pk", "key", "kind"
        )
    }
    option_rows = Option.objects.filter(question__page__version__consultation=consultation).values_list(
        "pk", "key", "question_id"
    )
    key_of_option = {pk: (kinds[question_id][0], key) for pk, key, question_id in option_rows}
    answers = Answer.objects.filter(response__in=responses)
    grouped = answers.values_list("question_id", "option_id", "number", "rank", "place_id").annotate(
        n=Count("pk"), texts=Count("pk", filter=~Q(text=""))
    )
    answered: dict[str, int] = defaultdict(int)
    counts: dict[str, list] = defaultdict(list)
    place_ids: set[int] = set()
    several = {QuestionKind.MULTIPLE, QuestionKind.MATRIX}
    for question_id, option_id, number, rank, place_id, n, texts in grouped.order_by():
        key, kind = kinds[question_id]
        option = key_of_option.get(option_id) if option_id else None
        counts[key].append((option, number, rank, place_id, n, texts))
        if place_id:
            place_ids.add(place_id)
        # One row per response answering, except several choices and matrices (a row per option) and
        # rankings (a row per option ranked, the first ranked 1).
        if kind == QuestionKind.RANKING:
            answered[key] += n if rank == 1 else 0
        elif kind not in several:
            answered[key] += n
    several_ids = [pk for pk, (_key, kind) in kinds.items() if kind in several]
    if several_ids:
        rows = (
            answers.filter(question_id__in=several_ids)
            .values_list("question_id")
            .annotate(n=Count("response_id", distinct=True))
            .order_by()
        )
        for question_id, n in rows:
            answered[kinds[question_id][0]] += n
    return dict(answered), dict(counts), place_ids


def _result(question: Question, answered: int, rows, places: dict[int, Place]) -> QuestionResult:
    result = QuestionResult(question=question, kind=question.kind, answered=answered)
    options = list(question.options.all())
    by_key = {option.key: option for option in options}
    kind = question.kind
    if kind in CHOICE_KINDS:
        tally: dict[str, int] = defaultdict(int)
        for option, _number, _rank, _place, n, _texts in rows:
            if option and option[1] in by_key:
                tally[option[1]] += n
        result.options = [(option, tally.get(option.key, 0)) for option in options]
    elif kind in (QuestionKind.RATING, QuestionKind.NUMBER):
        tally = defaultdict(int)
        for _option, number, _rank, _place, n, _texts in rows:
            if number is not None:
                tally[number] += n
        values = range(question.scale_min, question.scale_max + 1) if kind == QuestionKind.RATING else sorted(tally)
        result.distribution = [(value, tally.get(value, 0)) for value in values]
        total = sum(tally.values())
        result.mean = round(sum(v * n for v, n in tally.items()) / total, 2) if total else None
    elif kind == QuestionKind.MATRIX:
        tally2: dict[tuple[str, int], int] = defaultdict(int)
        for option, number, _rank, _place, n, _texts in rows:
            if option and number is not None:
                tally2[(option[1], number)] += n
        scale = range(question.scale_min, question.scale_max + 1)
        result.rows = [(option, [(value, tally2.get((option.key, value), 0)) for value in scale]) for option in options]
    elif kind == QuestionKind.RANKING:
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # rank total, count, first
        for option, _number, rank, _place, n, _texts in rows:
            if option and rank:
                entry = sums[option[1]]
                entry[0] += rank * n
                entry[1] += n
                entry[2] += n if rank == 1 else 0
        ranks = []
        for option in options:
            total, count, first = sums.get(option.key, (0, 0, 0))
            ranks.append((option, round(total / count, 2) if count else None, first))
        result.ranks = sorted(ranks, key=lambda r: (r[1] is None, r[1] or 0, -r[2]))
    elif kind in TEXT_KINDS or kind == QuestionKind.DATE:
        result.text_count = sum(texts for _o, _n, _r, _p, _count, texts in rows)
    elif kind == QuestionKind.PLACE:
        tally = defaultdict(int)
        for _option, _number, _rank, place_id, n, _texts in rows:
            if place_id in places:
                tally[place_id] += n
        result.places = sorted(((places[pk], n) for pk, n in tally.items()), key=lambda pair: (-pair[1], pair[0].name))
    return result


def result_wards(consultation: Consultation) -> list[Place]:
    """The wards sent responses come from (for the ward filter)."""
    ids = submitted(consultation).exclude(ward=None).values("ward_id").distinct()
    return list(Place.objects.filter(pk__in=ids).order_by("name"))


# Equality monitoring (the equalities role only; aggregate, small groups suppressed) --------------


def _equality_allowed(consultation: Consultation, user) -> None:
    if user is None or not user.has_perm("consultations.see_equality", consultation):
        raise PermissionDenied


def _suppressed(key: str, counts: dict[str, int], also_hide: set[str] = frozenset()) -> tuple[bank.Row, ...]:
    """``core.equality.suppress``, also hiding ``also_hide`` (and then, if only one is hidden, the next
    smallest, so that no hidden number can be worked out from a total)."""
    rows = bank.suppress(key, counts)
    hidden = {row.key for row in rows if row.suppressed} | {k for k in also_hide if counts.get(k, 0) > 0}
    if len(hidden) == 1:
        shown = sorted((counts.get(row.key, 0), row.key) for row in rows if row.key not in hidden and row.count)
        if shown:
            hidden.add(shown[0][1])
    return tuple(bank.Row(row.key, row.label, None if row.key in hidden else row.count) for row in rows)


def equality_summary(
    *, consultation: Consultation, user, ward: Place | None = None
) -> list[tuple[bank.Question, tuple[bank.Row, ...]]]:
    """Each equality question asked, with how many sent responses gave each answer; groups under
    ``SUPPRESS_BELOW`` hidden. With a ward, a group is also hidden where everyone else in it (outside the
    ward) is a small group, so that the ward's figures and the whole's cannot be taken one from the
    other. One query. ``PermissionDenied`` without the equalities role."""
    _equality_allowed(consultation, user)
    keys = list(consultation.equality_questions or [])
    rows = EqualityAnswer.objects.filter(response__in=submitted(consultation), question__in=keys)
    if ward is None:
        tallies = rows.values_list("question", "category").annotate(n=Count("pk"), inside=Count("pk"))
    else:
        tallies = rows.values_list("question", "category").annotate(
            n=Count("pk"), inside=Count("pk", filter=Q(response__ward=ward))
        )
    inside: dict[str, dict[str, int]] = defaultdict(dict)
    outside: dict[str, dict[str, int]] = defaultdict(dict)
    for key, category, n, n_inside in tallies.order_by():
        inside[key][category] = n_inside
        outside[key][category] = n - n_inside
    summary = []
    for question in bank.questions(keys):
        also = set()
        if ward is not None:
            also = {k for k, n in outside[question.key].items() if 0 < n < bank.SUPPRESS_BELOW}
        summary.append((question, _suppressed(question.key, inside[question.key], also)))
    return summary


@dataclass(frozen=True)
class RepRow:
    key: str
    label: Any
    responded: int | None
    responded_share: float | None
    population: int | None
    population_share: float | None

    @property
    def suppressed(self) -> bool:
        return self.responded is None


def representativeness(*, consultation: Consultation, user) -> list[tuple[bank.Question, list[RepRow]]]:
    """Who responded compared with the place's population (census figures), per equality question.

    Shares leave out "prefer not to say" (the census has no such group). Suppressed groups stay
    suppressed, share included; where only one category would be hidden among those shares, the next
    smallest is hidden too, so the hidden one cannot be worked out from the shares."""
    _equality_allowed(consultation, user)
    out = []
    for question, rows in equality_summary(consultation=consultation, user=user):
        population = census_counts(place=consultation.place, question=question.key)
        categories = [row for row in rows if row.key != bank.PREFER_NOT_TO_SAY]
        hidden = {row.key for row in categories if row.suppressed}
        if len(hidden) == 1:
            shown = sorted((row.count, row.key) for row in categories if not row.suppressed and row.count)
            if shown:
                hidden.add(shown[0][1])
        # The whole of those who said, hidden groups included: the shares of the shown groups are of it.
        responded_total = sum(row.count or 0 for row in categories) + _hidden_total(consultation, question, hidden)
        population_total = sum(population.get(row.key, 0) for row in categories)
        rep = []
        for row in rows:
            count = None if row.key in hidden else row.count
            prefer = row.key == bank.PREFER_NOT_TO_SAY
            people = None if prefer else population.get(row.key)
            rep.append(
                RepRow(
                    key=row.key,
                    label=row.label,
                    responded=count,
                    responded_share=None if prefer else bank.share(count, responded_total),
                    population=people,
                    population_share=None if prefer else bank.share(people, population_total),
                )
            )
        out.append((question, rep))
    return out


def _hidden_total(consultation: Consultation, question: bank.Question, hidden: set[str]) -> int:
    if not hidden:
        return 0
    return EqualityAnswer.objects.filter(
        response__in=submitted(consultation), question=question.key, category__in=hidden
    ).count()


# Themes ------------------------------------------------------------------------------------------


def themes(consultation: Consultation) -> QuerySet[Theme]:
    return Theme.objects.filter(consultation=consultation).order_by("name")


def text_answers(
    *,
    consultation: Consultation,
    question_key: str | None = None,
    theme: Theme | None = None,
    untagged: bool = False,
) -> QuerySet[Answer]:
    """Sent responses' written answers, with their question and tags (and the tags' themes) prefetched."""
    answers = (
        Answer.objects.filter(
            response__consultation=consultation,
            response__state=ResponseState.SUBMITTED,
            question__kind__in=list(TEXT_KINDS),
        )
        .exclude(text="")
        .select_related("question", "response")
        .prefetch_related(Prefetch("tags", queryset=AnswerTag.objects.select_related("theme")))
        .order_by("response_id", "pk")
    )
    if question_key:
        answers = answers.filter(question__key=question_key)
    if theme is not None:
        answers = answers.filter(tags__theme=theme)
    if untagged:
        answers = answers.filter(tags__isnull=True)
    return answers


def text_question_keys(consultation: Consultation) -> list[tuple[str, str]]:
    """(key, text) of the current version's written questions, for the tagging filter."""
    return [
        (q.key, q.text)
        for q in Question.objects.filter(
            page__version=version_current(consultation), kind__in=list(TEXT_KINDS)
        ).order_by("page__order", "order", "pk")
    ]


def theme_counts(consultation: Consultation) -> list[tuple[Theme, int]]:
    """Each theme with how many answers are tagged with it. One query."""
    return [
        (theme, theme.n)
        for theme in Theme.objects.filter(consultation=consultation).annotate(n=Count("tags")).order_by("-n", "name")
    ]


# Exports (streamed: memory stays flat whatever the number of responses) --------------------------

EXPORT_CHUNK = 2000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Text as a spreadsheet cell that is never run as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def _export_columns(consultation: Consultation):
    """Columns: (heading, key, option key or None), from the current version then keys only in older ones."""
    questions = list(
        Question.objects.filter(page__version__consultation=consultation)
        .select_related("page__version")
        .prefetch_related("options")
        .order_by("-page__version__number", "page__order", "order", "pk")
    )
    columns: list[tuple[str, str, str | None]] = []
    seen_keys: set[str] = set()
    seen_rows: set[tuple[str, str]] = set()
    for question in questions:
        if question.kind == QuestionKind.MATRIX:
            for option in question.options.all():
                if (question.key, option.key) not in seen_rows:
                    seen_rows.add((question.key, option.key))
                    columns.append((f"{question.key}: {option.label}", question.key, option.key))
            seen_keys.add(question.key)
        elif question.key not in seen_keys:
            seen_keys.add(question.key)
            columns.append((question.key, question.key, None))
    # Lookups: question id → (key, kind); option id → (key, label).
    kinds = {q.pk: (q.key, q.kind) for q in questions}
    options = {o.pk: (o.key, o.label) for q in questions for o in q.options.all()}
    return columns, kinds, options


def export_csv_rows(consultation: Consultation) -> Iterator[list[str]]:
    """A header row, then one row per sent response: id, channel, sent, ward, then a column per question
    key (a matrix: a column per row). Never equality answers, names or email addresses. Streams two
    server-side cursors side by side, so memory stays flat."""
    columns, kinds, options = _export_columns(consultation)
    index = {(key, option): i for i, (_heading, key, option) in enumerate(columns)}
    yield ["response", "channel", "submitted", "ward", *[heading for heading, _k, _o in columns]]
    responses = (
        submitted(consultation)
        .order_by("pk")
        .values_list("pk", "channel", "submitted_at", "ward__code", "ward__name")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    answers = (
        Answer.objects.filter(response__consultation=consultation, response__state=ResponseState.SUBMITTED)
        .order_by("response_id", "question_id", "rank", "pk")
        .values_list("response_id", "question_id", "option_id", "number", "text", "place__name")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    pending = next(answers, None)
    for pk, channel, submitted_at, ward_code, ward_name in responses:
        cells: list[list[str]] = [[] for _column in columns]
        while pending is not None and pending[0] < pk:
            pending = next(answers, None)
        while pending is not None and pending[0] == pk:
            _response, question_id, option_id, number, text, place_name = pending
            key, kind = kinds.get(question_id, (None, None))
            option_key, label = options.get(option_id, (None, "")) if option_id else (None, "")
            if kind == QuestionKind.MATRIX:
                slot = index.get((key, option_key))
                value = "" if number is None else str(number)
            else:
                slot = index.get((key, None))
                if option_id:
                    value = label
                elif number is not None:
                    value = str(number)
                elif place_name:
                    value = place_name
                else:
                    value = _cell(text)
            if slot is not None:
                cells[slot].append(value)
            pending = next(answers, None)
        ward = f"{ward_name} ({ward_code})" if ward_code else ""
        yield [
            str(pk),
            channel,
            submitted_at.isoformat() if submitted_at else "",
            ward,
            *["; ".join(values) for values in cells],
        ]


def export_xlsx(consultation: Consultation) -> Path:
    """The CSV export's rows written to a temporary XLSX file (openpyxl write-only: rows go straight to
    disk). The caller streams it and deletes it."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Responses"))
    for row in export_csv_rows(consultation):
        # Control characters a form lets through cannot be held in a spreadsheet: leave them out.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
    handle = tempfile.NamedTemporaryFile(prefix="consultation-", suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    workbook.save(handle.name)
    return Path(handle.name)


# Publishing and the public -----------------------------------------------------------------------


def publishable_responses(consultation: Consultation) -> QuerySet[Response]:
    """Sent responses whose respondent agreed to publication, written answers prefetched (for officers)."""
    return (
        submitted(consultation)
        .filter(publish_consent=True)
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(question__kind__in=list(TEXT_KINDS))
                .exclude(text="")
                .select_related("question")
                .order_by("question__page__order", "question__order", "pk"),
                to_attr="text_answers",
            )
        )
        .order_by("pk")
    )


def published_responses(consultation: Consultation) -> QuerySet[Response]:
    """Published responses, their publishable answers prefetched (questions, options). Show a written
    answer's ``public_text`` only, never ``text``. Date and place answers are never published: only
    written answers are redacted, and a birthday or where someone lives could name them."""
    return (
        submitted(consultation)
        .filter(publish_consent=True, published_at__isnull=False)
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.exclude(question__kind__in=(QuestionKind.DATE, QuestionKind.PLACE))
                .select_related("question__page", "option")
                .order_by("question__page__order", "question__order", "rank", "pk"),
            )
        )
        .order_by("published_at", "pk")
    )


def public_consultations() -> QuerySet[Consultation]:
    """Consultations anyone may see: published, run by a listed organisation."""
    return (
        Consultation.objects.exclude(stage=Stage.DRAFT)
        .filter(organisation__in=Organisation.objects.public())
        .select_related("organisation", "place")
    )


def consultation_public(pk) -> Consultation | None:
    return public_consultations().filter(pk=pk).first()


def consultations_for_organisation(organisation: Organisation) -> QuerySet[Consultation]:
    return Consultation.objects.filter(organisation=organisation).select_related("place").order_by("-opens_at", "pk")


def public_results(consultation: Consultation) -> dict[str, Any] | None:
    """The open results of a closed consultation (None while it is not closed): how many responded and,
    for each choice question, its options with counts. Never identities, never equality answers."""
    if consultation.status() not in (Status.CLOSED, Status.FEEDBACK):
        return None
    found = results(consultation=consultation)
    return {
        "responses": found.responses,
        "questions": [
            {
                "key": result.key,
                "text": result.question.text,
                "kind": result.kind,
                "options": [{"key": option.key, "label": option.label, "count": n} for option, n in result.options],
            }
            for result in found
            if result.kind in CHOICE_KINDS
        ],
    }


def events(consultation: Consultation) -> QuerySet[Event]:
    """The consultation's events with how many are booked and waiting."""
    from .models import RegistrationStatus

    return (
        Event.objects.filter(consultation=consultation)
        .annotate(
            booked=Count("registrations", filter=Q(registrations__status=RegistrationStatus.BOOKED)),
            waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
        )
        .order_by("starts_at", "pk")
    )


def registration_for_token(token: str | None) -> Registration | None:
    """The registration whose token is ``token`` (cancelled ones too, so the page can say so)."""
    if not token or len(token) > 200:
        return None
    hashed = _token_hash(token)
    registration = Registration.objects.filter(token_hash=hashed).select_related("event__consultation").first()
    if registration is None or not hmac.compare_digest(registration.token_hash, hashed):
        return None
    return registration
