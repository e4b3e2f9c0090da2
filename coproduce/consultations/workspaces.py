"""What consultations put on a person's home and an organisation's workspace (a fixed number of queries).

Residents are told of open consultations about a place they live in that they have not answered
(a response they saved and have not sent is urgent), and of the events they registered for in
the next fortnight. The organisation's officers and secretaries are told what each consultation
needs: a draft to finish and publish, the responses arriving, text answers to tag with themes,
"you said, we did" to write and publish once it has closed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coproduce.core.jinja import long_date
from coproduce.core.models import Organisation, Role, RoleKind
from coproduce.core.registry import WorkItem

from .audit import AUDIT_ACTIONS
from .models import (
    Answer,
    Audience,
    Consultation,
    Registration,
    RegistrationStatus,
    Response,
    ResponseState,
    Stage,
    Status,
)
from .models.survey import TEXT_KINDS

__all__ = ["AUDIT_ACTIONS", "ConsultationCounts", "consultation_counts", "home_items", "to_do", "workspace_items"]

EVENTS_AHEAD = datetime.timedelta(days=14)
# How long after "you said, we did" is published a consultation stays on the workspace.
FEEDBACK_KEPT = datetime.timedelta(days=90)


@dataclass(frozen=True)
class ConsultationCounts:
    """What waits for the officers of one consultation."""

    responses: int = 0  # sent
    untagged: int = 0  # text answers of sent responses with no theme yet


def consultation_counts(consultations: list[Consultation]) -> dict[int, ConsultationCounts]:
    """``ConsultationCounts`` for each consultation, in two queries whatever their number."""
    ids = [consultation.pk for consultation in consultations]
    if not ids:
        return {}
    sent = dict(
        Response.objects.filter(consultation__in=ids, state=ResponseState.SUBMITTED)
        .order_by()
        .values_list("consultation")
        .annotate(n=Count("pk"))
    )
    untagged = dict(
        Answer.objects.filter(
            response__consultation__in=ids,
            response__state=ResponseState.SUBMITTED,
            question__kind__in=TEXT_KINDS,
            tags__isnull=True,
        )
        .exclude(text="")
        .order_by()
        .values_list("response__consultation")
        .annotate(n=Count("pk"))
    )
    return {pk: ConsultationCounts(responses=sent.get(pk, 0), untagged=untagged.get(pk, 0)) for pk in ids}


def to_do(consultation: Consultation, counts: ConsultationCounts, *, now: datetime.datetime) -> list[str]:
    """What the consultation's officers have to do now, in plain words (empty when nothing waits)."""
    status = consultation.status(now)
    items: list[str] = []
    if status == Status.DRAFT:
        items.append(_("Finish the survey and publish the consultation"))
    if status in (Status.OPEN, Status.CLOSED) and counts.untagged:
        items.append(
            ngettext(
                "%(count)s text answer to tag with themes",
                "%(count)s text answers to tag with themes",
                counts.untagged,
            )
            % {"count": counts.untagged}
        )
    if status == Status.CLOSED:
        items.append(_("Write and publish “you said, we did”"))
    return items


def _summary(consultation: Consultation, counts: ConsultationCounts, *, now: datetime.datetime) -> str:
    """The status, with the responses once it has opened."""
    status = consultation.status(now)
    label = str(consultation.status_label(now))
    if status in (Status.DRAFT, Status.UPCOMING):
        return label
    return (
        label
        + ": "
        + (ngettext("%(count)s response", "%(count)s responses", counts.responses) % {"count": counts.responses})
    )


def manage_url(consultation: Consultation) -> str:
    return reverse("consultations:manage", kwargs={"pk": consultation.pk})


def public_url(consultation: Consultation) -> str:
    return reverse("consultations:detail", kwargs={"pk": consultation.pk})


def _paths_above(path: str) -> list[str]:
    """The materialised paths of a place and every place it lies within ("/A/B" → "/A", "/A/B")."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: depth + 1]) for depth in range(len(codes))]


def _running(organisations) -> list[Consultation]:
    """The consultations of ``organisations`` officers still work on (one query)."""
    since = timezone.now() - FEEDBACK_KEPT
    return list(
        Consultation.objects.filter(organisation__in=organisations)
        .filter(Q(feedback_published_at__isnull=True) | Q(feedback_published_at__gte=since))
        .select_related("organisation")
        .order_by("-opens_at", "pk")
    )


def home_items(user) -> list[WorkItem]:
    """Open consultations about where the person lives that they have not answered (a saved response
    first, urgent), events they registered for soon, and for officers and secretaries the
    consultations they run with something to do."""
    if not user.is_authenticated:
        return []
    language = get_language()
    now = timezone.now()
    items: list[WorkItem] = []

    # Open consultations whose place contains the person's ward, not yet answered (two queries).
    if user.ward_id is not None:
        mine = Response.objects.filter(consultation=OuterRef("pk"), person=user)
        consultations = (
            Consultation.objects.filter(
                stage=Stage.PUBLISHED,
                opens_at__lte=now,
                closes_at__gt=now,
                organisation__in=Organisation.objects.public(),
                place__path__in=_paths_above(user.ward.path),
            )
            .exclude(audience=Audience.MEMBERS)
            .annotate(
                sent=Exists(mine.filter(state=ResponseState.SUBMITTED)),
                saved=Exists(mine.filter(state=ResponseState.DRAFT)),
            )
            .filter(sent=False)
            .select_related("organisation")
            .order_by("closes_at", "pk")
        )
        for consultation in consultations:
            title = consultation.localised_title(language)
            if consultation.saved:
                items.append(
                    WorkItem(
                        _("Finish your response to %(consultation)s") % {"consultation": title},
                        reverse("consultations:respond_start", kwargs={"pk": consultation.pk}),
                        urgent=True,
                        hint=_("You saved your answers. The consultation closes on %(date)s.")
                        % {"date": long_date(consultation.closes_at)},
                    )
                )
            else:
                items.append(
                    WorkItem(
                        _("Have your say: %(consultation)s") % {"consultation": title},
                        public_url(consultation),
                        hint=_("%(organisation)s is consulting until %(date)s.")
                        % {"organisation": consultation.organisation.name, "date": long_date(consultation.closes_at)},
                    )
                )

    # Events the person registered for in the next fortnight (one query).
    registrations = (
        Registration.objects.filter(
            person=user,
            status__in=(RegistrationStatus.BOOKED, RegistrationStatus.WAITING),
            event__cancelled_at__isnull=True,
            event__starts_at__gte=now,
            event__starts_at__lt=now + EVENTS_AHEAD,
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    for registration in registrations:
        event = registration.event
        waiting = registration.status == RegistrationStatus.WAITING
        items.append(
            WorkItem(
                (_("On the waiting list: %(event)s") if waiting else _("You are going to %(event)s"))
                % {"event": event.localised("title", language)},
                reverse("consultations:event", kwargs={"pk": event.consultation_id, "event": event.pk}),
                hint=_("%(date)s at %(venue)s.") % {"date": long_date(event.starts_at), "venue": event.venue},
            )
        )

    # Consultations of the organisations where the person is an officer or secretary (three queries).
    organisations = (
        Role.objects.current()
        .filter(person=user, kind__in=(RoleKind.OFFICER, RoleKind.SECRETARY))
        .values("organisation")
    )
    running = _running(organisations)
    counts = consultation_counts(running)
    for consultation in running:
        waiting = to_do(consultation, counts[consultation.pk], now=now)
        if waiting:
            items.append(
                WorkItem(
                    _("%(consultation)s: %(to_do)s")
                    % {"consultation": consultation.localised_title(language), "to_do": "; ".join(waiting)},
                    manage_url(consultation),
                    urgent=consultation.status(now) == Status.CLOSED,
                    hint=_("A consultation of %(organisation)s.") % {"organisation": consultation.organisation.name},
                )
            )
    return items


def workspace_items(user, organisation) -> list[WorkItem]:
    """For the organisation's officers and secretaries: its consultations (drafts too, and those whose
    "you said, we did" was published in the last three months), each with its status, responses and
    what needs doing; then the list of consultations."""
    if not user.has_perm("consultations.manage", organisation):
        return []
    language = get_language()
    now = timezone.now()
    consultations = _running([organisation.pk])
    counts = consultation_counts(consultations)
    items: list[WorkItem] = []
    for consultation in consultations:
        waiting = to_do(consultation, counts[consultation.pk], now=now)
        hint = _summary(consultation, counts[consultation.pk], now=now)
        if waiting:
            hint = f"{hint}. {'; '.join(waiting)}"
        items.append(
            WorkItem(
                consultation.localised_title(language),
                manage_url(consultation),
                count=counts[consultation.pk].untagged or None,
                urgent=consultation.status(now) == Status.CLOSED,
                hint=hint,
            )
        )
    items.append(WorkItem(_("Consultations"), reverse("consultations:manage_list", kwargs={"slug": organisation.slug})))
    return items
