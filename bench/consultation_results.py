"""Time a consultation's results pages with 10,000 responses to a 30-question survey.

    .venv/bin/python bench/consultation_results.py                      # fresh SQLite file in a temporary folder
    .venv/bin/python bench/consultation_results.py --responses 20000 --requests 300
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/consultation_results.py   # an EMPTY database of yours
    /tmp/pgbench.sh .venv/bin/python bench/consultation_results.py      # … or a throwaway cluster that sets it

Builds a council, its wards and a closed consultation whose survey (one version, locked) has
30 questions on 5 pages, of every kind: 8 single choice, 5 multiple choice, 4 rating scales, 3
matrices of 4 rows, 2 rankings of 5, 2 numbers, a date, a place (the ward), 2 short and 2 long
texts, one of them shown only after an earlier answer. Then ``--responses`` sent responses
(10,000), bulk-inserted in the shape the services write them (``answers_save`` and
``response_submit``: one ``Answer`` row per value, ``EqualityAnswer`` rows apart, the ward from
the place answer), about 50 rows per response from a seeded random generator. For the query
count, the same survey again with a tenth of the responses, and with a hundredth.

1. **The officers' analysis page** (``consultations:analysis``), as the council's officer signed in
   with a second factor, and
2. **the public results page** (``consultations:results``), as an anonymous visitor:

``--requests`` GETs each (200) through Django's test client (the whole stack: middleware,
session, permissions, selectors, Jinja2 with every chart and its table; no network or WSGI
server), after 5 untimed ones. Target: p95 < 200 ms. The selector keeps the counts in the cache
until a response arrives, so the first GET after the cache is cleared (what the first reader after
a new response waits) is timed and shown apart. And the number of database queries each page
makes for the three consultations (10,000, 1,000 and 100 responses), counted afresh and from the
cache: target, the same for all three.

Prints the figures with PASS or MISS against each target; asserts nothing about speed, and exits
1 if a page did not answer 200. ``bench/consultation_export.py`` reuses the seeding.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.budget_count import page_queries, percentile, time_page, verdict  # noqa: E402 - after the path is set
from bench.election_count import configure  # noqa: E402

TARGET_P95_MS = 200
BATCH = 5_000
SLUG = "bench-council"
WARDS = 12
EQUALITY_KEYS = ["age_band", "sex", "ethnicity", "disability", "tenure", "welsh_language"]

# The survey: (kind, how many). 30 questions in all.
SHAPE = [
    ("place", 1),
    ("single", 8),
    ("multiple", 5),
    ("rating", 4),
    ("matrix", 3),
    ("ranking", 2),
    ("number", 2),
    ("date", 1),
    ("short_text", 2),
    ("long_text", 2),
]
QUESTIONS = sum(count for _kind, count in SHAPE)
SENTENCE = (
    "the council should listen more to residents about housing repairs parks buses libraries youth clubs "
    "and care for older people we need evening meetings and papers in Welsh"
)
WORDS = SENTENCE.split(" ")


def seed_council(slug: str = SLUG):
    """A listed council, its borough and ``WARDS`` wards, and its officer (an officer role, a second
    factor). Returns ``(organisation, borough, wards, officer)``."""
    from coproduce.core.models import Organisation, OrganisationKind, Place, PlaceKind, Role, RoleKind, User

    if Organisation.objects.filter(slug=slug).exists():
        raise SystemExit(f"The database already holds {slug!r}: give the benchmark an empty database.")
    borough = Place.objects.create(code="BENCHB01", name="Bench borough", kind=PlaceKind.COUNCIL_AREA)
    wards = [
        Place.objects.create(
            code=f"BENCHW{number:02d}", name=f"Bench ward {number}", kind=PlaceKind.WARD, parent=borough
        )
        for number in range(1, WARDS + 1)
    ]
    organisation = Organisation.objects.create(
        name="Bench Borough Council", slug=slug, kind=OrganisationKind.COUNCIL, is_public=True, area=borough
    )
    officer = User.objects.create_user(f"consultation-officer@{slug}.example.org", None, full_name="Consulting Officer")
    Role.objects.create(organisation=organisation, person=officer, kind=RoleKind.OFFICER)
    return organisation, borough, wards, officer


def seed_survey(organisation, borough, officer, *, title: str):
    """A closed, published consultation with the 30-question survey (version 1, locked).

    Returns ``(consultation, version, questions)``, the questions as ``(question, options)`` in order.
    """
    from django.utils import timezone

    from coproduce.consultations.models import (
        Consultation,
        Option,
        Page,
        Question,
        QuestionKind,
        Stage,
        SurveyVersion,
    )

    now = timezone.now()
    consultation = Consultation.objects.create(
        organisation=organisation,
        place=borough,
        title=title,
        summary="A benchmark consultation.",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=1),
        stage=Stage.PUBLISHED,
        published_at=now - datetime.timedelta(days=61),
        equality_questions=EQUALITY_KEYS,
        created_by=officer,
    )
    version = SurveyVersion.objects.create(consultation=consultation, number=1, locked=True, created_by=officer)
    pages = [Page.objects.create(version=version, order=number, title=f"Page {number + 1}") for number in range(5)]
    questions = []
    number = 0
    first_single = None
    for kind, count in SHAPE:
        for _ in range(count):
            page = pages[number * len(pages) // QUESTIONS]
            fields = {}
            if kind == "rating":
                fields = {"scale_min": 1, "scale_max": 5, "scale_min_label": "Poor", "scale_max_label": "Good"}
            elif kind == "number":
                fields = {"number_min": 0, "number_max": 100}
            elif kind == "long_text" and first_single is not None and page.order > first_single[0].page.order:
                fields = {"shown_if": first_single[1][0]}
            question = Question.objects.create(
                page=page,
                order=number,
                key=f"q{number + 1:02d}-{kind.replace('_', '-')}",
                kind=kind,
                text=f"Question {number + 1}: what do you think ({kind.replace('_', ' ')})?",
                required=kind in ("single", "place"),
                **fields,
            )
            options = []
            if kind in ("single", "multiple", "matrix", "ranking"):
                labels = {"single": 5, "multiple": 6, "matrix": 4, "ranking": 5}[kind]
                options = Option.objects.bulk_create(
                    [
                        Option(question=question, order=index, key=f"o{index + 1}", label=f"Option {index + 1}")
                        for index in range(labels)
                    ]
                )
            if kind == QuestionKind.SINGLE and first_single is None:
                first_single = (question, options)
            questions.append((question, options))
            number += 1
    return consultation, version, questions


def _answer_rows(rng: random.Random, response, questions, ward) -> list:
    """One response's answers, one row per value, as ``answers_save`` writes them."""
    from coproduce.consultations.models import Answer

    rows = []
    chosen: set[int] = set()
    for question, options in questions:
        kind = question.kind
        if question.shown_if_id is not None and question.shown_if_id not in chosen:
            continue  # hidden: its condition was not met
        if kind == "place":
            rows.append(Answer(response=response, question=question, place=ward))
        elif not question.required and rng.random() < 0.12:
            continue  # an optional question left blank
        elif kind == "single":
            option = rng.choices(options, weights=range(len(options), 0, -1))[0]
            chosen.add(option.pk)
            rows.append(Answer(response=response, question=question, option=option))
        elif kind == "multiple":
            rows += [
                Answer(response=response, question=question, option=option)
                for option in rng.sample(options, rng.randint(1, 3))
            ]
        elif kind == "rating":
            rows.append(Answer(response=response, question=question, number=rng.randint(1, 5)))
        elif kind == "matrix":
            rows += [Answer(response=response, question=question, option=o, number=rng.randint(1, 5)) for o in options]
        elif kind == "ranking":
            order = rng.sample(options, len(options))
            rows += [
                Answer(response=response, question=question, option=o, rank=rank)
                for rank, o in enumerate(order, start=1)
            ]
        elif kind == "number":
            rows.append(Answer(response=response, question=question, number=rng.randint(0, 100)))
        elif kind == "date":
            day = datetime.date(2026, 10, 1) + datetime.timedelta(days=rng.randint(0, 60))
            rows.append(Answer(response=response, question=question, text=day.isoformat()))
        else:  # short and long text
            length = rng.randint(3, 8) if kind == "short_text" else rng.randint(15, 60)
            rows.append(Answer(response=response, question=question, text=" ".join(rng.choices(WORDS, k=length))))
    return rows


def fill_responses(consultation, version, questions, wards, count: int, *, officer, seed: int = 2020) -> int:
    """``count`` sent responses (one in ten on paper) with their answers and equality answers, in bulk.
    Returns the number of answer rows written."""
    from django.db import transaction

    from coproduce.consultations.models import Answer, Channel, EqualityAnswer, Response, ResponseState
    from coproduce.core import equality

    rng = random.Random(seed + count)
    sent = consultation.closes_at - datetime.timedelta(days=2)
    pages = version.pages.count()
    written = 0
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        with transaction.atomic():
            responses = []
            for number in range(start, start + size):
                paper = number % 10 == 0
                responses.append(
                    Response(
                        consultation=consultation,
                        version=version,
                        state=ResponseState.SUBMITTED,
                        channel=Channel.PAPER if paper else Channel.ONLINE,
                        ward=rng.choice(wards),
                        wants_feedback=rng.random() < 0.4,
                        publish_consent=rng.random() < 0.3,
                        page_reached=pages,
                        entered_by=officer if paper else None,
                        submitted_at=sent - datetime.timedelta(minutes=rng.randint(0, 80_000)),
                    )
                )
            responses = Response.objects.bulk_create(responses)
            answers, equalities = [], []
            for response in responses:
                answers += _answer_rows(rng, response, questions, response.ward)
                for key in EQUALITY_KEYS:
                    if rng.random() < 0.85:
                        bank = equality.question(key)
                        category = rng.choice([*bank.keys(), equality.PREFER_NOT_TO_SAY])
                        equalities.append(EqualityAnswer(response=response, question=key, category=category))
            Answer.objects.bulk_create(answers, batch_size=BATCH)
            EqualityAnswer.objects.bulk_create(equalities, batch_size=BATCH)
            written += len(answers)
    return written


def seed(responses: int, *, sizes: tuple[int, ...] = ()):
    """The council and a consultation for each of ``responses`` and ``sizes`` response counts.

    Returns ``(officer, {count: consultation}, rows)`` where rows is the answer rows of the largest."""
    organisation, borough, wards, officer = seed_council()
    consultations, rows = {}, 0
    for count in (responses, *sizes):
        consultation, version, questions = seed_survey(
            organisation, borough, officer, title=f"Bench consultation: {count:,} responses"
        )
        written = fill_responses(consultation, version, questions, wards, count, officer=officer)
        rows = rows or written
        consultations[count] = consultation
    from django.db import connection

    if connection.vendor == "postgresql":
        # Half a million rows arrived at once: give the planner statistics, as autovacuum soon would
        # (and as the demo does); without them the first count can take a plan hundreds of times slower.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return officer, consultations, rows


def officer_client(officer):
    """A test client signed in as the officer, with a second factor (as allauth records it)."""
    from django.test import Client

    from coproduce.core.tests.factories import sign_in_with_mfa

    client = Client()
    sign_in_with_mfa(client, officer)
    return client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=10_000, help="responses to the consultation measured")
    parser.add_argument("--requests", type=int, default=200, help="timed GETs of each page (default 200)")
    args = parser.parse_args()

    given = os.environ.get("DATABASE_URL")
    configure(given)
    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    sizes = (max(1, args.responses // 10), max(1, args.responses // 100))
    print(
        f"database: {connection.vendor} ({'DATABASE_URL' if given else 'a temporary SQLite file'}); a closed "
        f"consultation, {QUESTIONS} questions on 5 pages, {args.responses:,} sent responses; for the query count "
        f"also {sizes[0]:,} and {sizes[1]:,} responses",
        flush=True,
    )
    started = time.perf_counter()
    officer, consultations, rows = seed(args.responses, sizes=sizes)
    print(f"set up in {time.perf_counter() - started:.1f} s ({rows:,} answer rows in the consultation measured)")

    pages = [
        ("officers' analysis", "consultations:analysis", officer_client(officer)),
        ("public results", "consultations:results", Client()),
    ]
    measured = consultations[args.responses]
    problems = []
    for name, url_name, client in pages:
        url = reverse(url_name, kwargs={"pk": measured.pk})
        cache.clear()  # as after a new response: the results are counted afresh
        started = time.perf_counter()
        first = client.get(url)
        cold = (time.perf_counter() - started) * 1000
        if first.status_code != 200:
            problems.append(f"{name}: the first GET answered {first.status_code}")
        timings, errors = time_page(client, url, args.requests)
        problems += errors
        p95 = percentile(timings, 0.95)
        print()
        print(
            f"{name} {url}, {args.requests} GETs, Django test client: p50 {statistics.median(timings):.1f} ms, "
            f"p95 {p95:.1f} ms, max {max(timings):.1f} ms (target p95 < {TARGET_P95_MS} ms) "
            f"{verdict(p95 < TARGET_P95_MS)}"
        )
        print(f"  the first GET after a new response (nothing cached, every answer counted): {cold:.0f} ms")
        for label, clear in (("counted afresh", True), ("cached", False)):
            counts = {}
            for count, consultation in consultations.items():
                if clear:
                    cache.clear()
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(reverse(url_name, kwargs={"pk": consultation.pk}))
                    counts[count], status = len(queries), response.status_code
                else:
                    counts[count], status = page_queries(client, reverse(url_name, kwargs={"pk": consultation.pk}))
                if status != 200:
                    problems.append(f"{name} of {consultation.title}: answered {status}")
            print(
                f"  queries per page, {label}: "
                + "; ".join(f"{count:,} responses: {queries}" for count, queries in counts.items())
                + f" (target: the same for all) {verdict(len(set(counts.values())) == 1)}"
            )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
