"""Factories for consultations: a consultation with its survey version, pages, questions, options,
responses and answers, themes, events and registrations."""

from __future__ import annotations

import datetime
import hashlib

import factory
from django.utils import timezone

from coproduce.consultations.models import (
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
    SurveyVersion,
    Theme,
)
from coproduce.core.models import OrganisationKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory

DAY = datetime.timedelta(days=1)


def dates(status: str = "open") -> dict[str, datetime.datetime]:
    """Dates that put a published consultation in ``status``: "upcoming", "open" or "closed"."""
    now = timezone.now()
    if status == "upcoming":
        return {"opens_at": now + 2 * DAY, "closes_at": now + 30 * DAY}
    if status == "closed":
        return {"opens_at": now - 30 * DAY, "closes_at": now - DAY}
    return {"opens_at": now - 2 * DAY, "closes_at": now + 28 * DAY}


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A published, open consultation anyone may answer, with an empty survey version 1."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COUNCIL)
    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Consultation {n}")
    summary = "What we propose, and why we are asking."
    audience = Audience.ANYONE
    stage = Stage.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    opens_at = factory.LazyFunction(lambda: dates("open")["opens_at"])
    closes_at = factory.LazyFunction(lambda: dates("open")["closes_at"])

    class Params:
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: dates("closed")["opens_at"]),
            closes_at=factory.LazyFunction(lambda: dates("closed")["closes_at"]),
        )
        upcoming = factory.Trait(
            opens_at=factory.LazyFunction(lambda: dates("upcoming")["opens_at"]),
            closes_at=factory.LazyFunction(lambda: dates("upcoming")["closes_at"]),
        )
        draft = factory.Trait(stage=Stage.DRAFT, published_at=None)

    @factory.post_generation
    def version(obj, create, extracted, **kwargs):
        """Survey version 1 (pass ``version=False`` for none)."""
        if create and extracted is not False:
            SurveyVersion.objects.create(consultation=obj, number=1)


class SurveyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyVersion

    consultation = factory.SubFactory(ConsultationFactory, version=False)
    number = factory.Sequence(lambda n: n + 1)


def current_version(consultation: Consultation) -> SurveyVersion:
    return consultation.versions.order_by("-number").first()


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    version = factory.LazyFunction(lambda: current_version(ConsultationFactory()))
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Page {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question; choice, ranking and matrix kinds get ``options`` labels (default three)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    page = factory.SubFactory(PageFactory)
    order = factory.Sequence(lambda n: n)
    key = factory.Sequence(lambda n: f"question-{n}")
    kind = QuestionKind.SINGLE
    text = factory.Sequence(lambda n: f"Question {n}?")

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):
        if not create or obj.kind not in (
            QuestionKind.SINGLE,
            QuestionKind.MULTIPLE,
            QuestionKind.MATRIX,
            QuestionKind.RANKING,
        ):
            return
        labels = extracted if extracted is not None else ("Yes", "No", "Not sure")
        for order, label in enumerate(labels):
            Option.objects.create(question=obj, order=order, key=f"o{order + 1}", label=label)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory, kind=QuestionKind.SHORT_TEXT)
    order = factory.Sequence(lambda n: n)
    key = factory.Sequence(lambda n: f"option-{n}")
    label = factory.Sequence(lambda n: f"Option {n}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ResponseFactory(factory.django.DjangoModelFactory):
    """A submitted online response to the consultation's current version."""

    class Meta:
        model = Response

    consultation = factory.SubFactory(ConsultationFactory)
    version = factory.LazyAttribute(lambda o: current_version(o.consultation))
    state = ResponseState.SUBMITTED
    channel = Channel.ONLINE
    submitted_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(state=ResponseState.DRAFT, submitted_at=None)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    # A long text question on a page of the response's version.
    question = factory.LazyAttribute(
        lambda o: QuestionFactory(kind=QuestionKind.LONG_TEXT, page=PageFactory(version=o.response.version))
    )
    text = ""


class EqualityAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EqualityAnswer

    response = factory.SubFactory(ResponseFactory)
    question = "age_band"
    category = "25_34"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    consultation = factory.SubFactory(ConsultationFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class AnswerTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerTag

    answer = factory.SubFactory(AnswerFactory)
    theme = factory.SubFactory(ThemeFactory)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    summary = "What the document says, in plain words."
    file = factory.django.FileField(filename="proposal.pdf", data=b"%PDF-1.4\n%%EOF\n")
    size = 15


class EventFactory(factory.django.DjangoModelFactory):
    """A road show in three days' time, two hours long, with 20 places."""

    class Meta:
        model = Event

    consultation = factory.SubFactory(ConsultationFactory)
    kind = EventKind.ROAD_SHOW
    title = factory.Sequence(lambda n: f"Road show {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + 3 * DAY)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    venue = "Kingsmere Library"
    address = "1 High Street, Kingsmere"
    postcode = "KM1 1AA"
    access = "Step-free entrance; hearing loop."
    capacity = 20
    registration = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"guest{n}@example.org")
    status = RegistrationStatus.BOOKED
    token_hash = factory.Sequence(lambda n: token_hash(f"registration-token-{n}"))
