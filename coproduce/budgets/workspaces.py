"""What budget rounds put on a person's home and an organisation's workspace, and the audit trail's words.

Residents are told when they can vote (urgent) and when a round near them takes ideas; the fund
holder's officers and secretaries are told what their rounds need: ideas to moderate and to
cost, voting to open or close, paper ballots to check, the count. Each hook runs a fixed number
of queries, however many rounds it lists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coproduce.core.jinja import long_date
from coproduce.core.models import Role, RoleKind
from coproduce.core.registry import WorkItem
from coproduce.voting.models import BoxStatus, Elector, PaperBatch

from . import selectors
from .audit import AUDIT_ACTIONS
from .models import BudgetRound, Idea, IdeaStatus, Project, ProjectStatus, Stage, Status

__all__ = ["AUDIT_ACTIONS", "RoundCounts", "home_items", "round_counts", "to_do", "workspace_items"]


@dataclass(frozen=True)
class RoundCounts:
    """What waits for the officers of one round."""

    waiting: int = 0  # ideas waiting for moderation
    to_review: int = 0  # published ideas not yet costed nor found not feasible
    costed: int = 0  # projects on the ballot
    unchecked: int = 0  # paper batches waiting for a second person's check


def round_counts(rounds: list[BudgetRound]) -> dict[int, RoundCounts]:
    """``RoundCounts`` for each round, in four queries whatever their number."""
    ids = [budget_round.pk for budget_round in rounds]
    if not ids:
        return {}

    def per_round(queryset) -> dict[int, int]:
        return dict(queryset.order_by().values_list("round").annotate(n=Count("pk", distinct=True)))

    waiting = per_round(Idea.objects.filter(round__in=ids, status=IdeaStatus.SUBMITTED))
    to_review = per_round(
        Idea.objects.filter(round__in=ids, status=IdeaStatus.PUBLISHED, merged_into__isnull=True, projects__isnull=True)
    )
    costed = per_round(Project.objects.filter(round__in=ids, status=ProjectStatus.COSTED))
    boxes = {budget_round.box_id: budget_round.pk for budget_round in rounds if budget_round.box_id}
    unchecked = {
        boxes[box]: n
        for box, n in PaperBatch.objects.filter(box__in=list(boxes), checked_at__isnull=True)
        .order_by()
        .values_list("box")
        .annotate(n=Count("pk"))
    }
    return {
        pk: RoundCounts(
            waiting=waiting.get(pk, 0),
            to_review=to_review.get(pk, 0),
            costed=costed.get(pk, 0),
            unchecked=unchecked.get(pk, 0),
        )
        for pk in ids
    }


def to_do(budget_round: BudgetRound, counts: RoundCounts, *, now: datetime.datetime) -> list[str]:
    """What the round's officers have to do now, in plain words (empty when nothing waits for them)."""
    status = budget_round.status(now)
    items: list[str] = []
    if status == Status.DRAFT:
        items.append(_("Check the round's details and publish it"))
    if budget_round.stage in (Stage.DRAFT, Stage.PUBLISHED):
        if counts.waiting:
            items.append(
                ngettext("%(count)s idea to moderate", "%(count)s ideas to moderate", counts.waiting)
                % {"count": counts.waiting}
            )
        if status in (Status.REVIEW, Status.AWAITING_VOTE) and counts.to_review:
            items.append(
                ngettext(
                    "%(count)s idea to cost or find not feasible",
                    "%(count)s ideas to cost or find not feasible",
                    counts.to_review,
                )
                % {"count": counts.to_review}
            )
        if status == Status.AWAITING_VOTE and now >= budget_round.voting_open:
            items.append(_("Open voting") if counts.costed >= 2 else _("Cost at least two projects, then open voting"))
    if status in (Status.VOTING, Status.COUNTING) and counts.unchecked:
        items.append(
            ngettext(
                "%(count)s batch of paper ballots to check",
                "%(count)s batches of paper ballots to check",
                counts.unchecked,
            )
            % {"count": counts.unchecked}
        )
    if status == Status.VOTING and now >= budget_round.voting_close:
        items.append(_("Close voting"))
    if status == Status.COUNTING:
        items.append(_("Start the count"))
    return items


def manage_url(budget_round: BudgetRound) -> str:
    return reverse("budgets:manage", kwargs={"pk": budget_round.pk})


def public_url(budget_round: BudgetRound) -> str:
    return reverse("budgets:round", kwargs={"pk": budget_round.pk})


def _paths_above(path: str) -> list[str]:
    """The materialised paths of a place and every place it lies within ("/A/B" → "/A", "/A/B")."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: depth + 1]) for depth in range(len(codes))]


def home_items(user) -> list[WorkItem]:
    """A vote to cast (urgent), rounds near the person taking ideas they may send, and, for the fund
    holder's officers and secretaries, the rounds they run with something to do."""
    if not user.is_authenticated:
        return []
    language = get_language()
    now = timezone.now()
    items: list[WorkItem] = []

    # On the electorate of an open round and not yet voted (one query).
    unvoted = Elector.objects.filter(
        person=user, mark__isnull=True, box__status=BoxStatus.OPEN, box__app_label="budgets"
    ).values("box")
    for budget_round in BudgetRound.objects.filter(box__in=unvoted, stage=Stage.VOTING).select_related("organisation"):
        items.append(
            WorkItem(
                _("Vote in %(round)s") % {"round": budget_round.localised_title(language)},
                public_url(budget_round),
                urgent=True,
                hint=_("%(organisation)s. Voting closes on %(date)s.")
                % {"organisation": budget_round.organisation.name, "date": long_date(budget_round.voting_close)},
            )
        )

    # Rounds taking ideas whose place contains the person's ward (two queries: the ward, the rounds).
    if user.ward_id is not None:
        taking_ideas = selectors.public_rounds().filter(
            stage=Stage.PUBLISHED,
            ideas_open__lte=now,
            ideas_close__gt=now,
            place__path__in=_paths_above(user.ward.path),
        )
        for budget_round in taking_ideas:
            if selectors.may_take_part(budget_round, user):
                items.append(
                    WorkItem(
                        _("Ideas are open in %(round)s") % {"round": budget_round.localised_title(language)},
                        public_url(budget_round),
                        hint=_("Send an idea for %(place)s, or support others', until %(date)s.")
                        % {
                            "place": budget_round.place.localised_name(language),
                            "date": long_date(budget_round.ideas_close),
                        },
                    )
                )

    # Rounds of the organisations where the person is an officer or secretary (five queries).
    organisations = (
        Role.objects.current()
        .filter(person=user, kind__in=(RoleKind.OFFICER, RoleKind.SECRETARY))
        .values("organisation")
    )
    running = list(
        BudgetRound.objects.filter(organisation__in=organisations)
        .exclude(stage=Stage.DECLARED)
        .select_related("organisation")
    )
    counts = round_counts(running)
    for budget_round in running:
        waiting = to_do(budget_round, counts[budget_round.pk], now=now)
        if waiting:
            items.append(
                WorkItem(
                    _("%(round)s: %(to_do)s")
                    % {"round": budget_round.localised_title(language), "to_do": "; ".join(waiting)},
                    manage_url(budget_round),
                    urgent=budget_round.stage != Stage.DRAFT,
                    hint=_("A budget round of %(organisation)s.") % {"organisation": budget_round.organisation.name},
                )
            )
    return items


def workspace_items(user, organisation) -> list[WorkItem]:
    """For the fund holder's officers and secretaries: its rounds (drafts too, and those declared in
    the last three months), each with its status and what needs doing; then the list of rounds."""
    if not user.has_perm("budgets.manage_rounds", organisation):
        return []
    language = get_language()
    now = timezone.now()
    rounds = list(
        BudgetRound.objects.filter(organisation=organisation).filter(
            Q(declared_at__isnull=True) | Q(declared_at__gte=now - datetime.timedelta(days=90))
        )
    )
    counts = round_counts(rounds)
    items: list[WorkItem] = []
    for budget_round in rounds:
        waiting = to_do(budget_round, counts[budget_round.pk], now=now)
        hint = budget_round.status_label(now)
        if waiting:
            hint = f"{hint}: {'; '.join(waiting)}"
        items.append(
            WorkItem(
                budget_round.localised_title(language),
                manage_url(budget_round),
                urgent=bool(waiting) and budget_round.stage != Stage.DRAFT,
                hint=hint,
            )
        )
    items.append(WorkItem(_("Budget rounds"), reverse("budgets:manage_list", kwargs={"slug": organisation.slug})))
    return items
