"""What elections put on a person's home and an organisation's workspace, and the audit trail's words.

Each hook runs a fixed number of queries for each election it lists, and says what needs doing
in plain words: nominations to confirm, a vote to cast, a poll to open or close, papers to check.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from coproduce.core.jinja import long_date
from coproduce.core.registry import WorkItem
from coproduce.core.rules import is_board_or_secretary
from coproduce.voting.models import BoxStatus, Elector, PaperBatch

from . import selectors
from .models import Constituency, Election, Nomination, NominationStatus, Stage, Status

# Every action elections and the ballot box write, in words people use.
AUDIT_ACTIONS = {
    "election.create": gettext_lazy("Created an election"),
    "election.update": gettext_lazy("Changed an election"),
    "election.constituency_add": gettext_lazy("Added elected seats to an election"),
    "election.constituency_remove": gettext_lazy("Removed elected seats from an election"),
    "election.appointed_seat_add": gettext_lazy("Added appointed seats to an election"),
    "election.appointed_seat_remove": gettext_lazy("Removed appointed seats from an election"),
    "election.publish": gettext_lazy("Published an election"),
    "election.seed": gettext_lazy("Published the seed for drawing lots"),
    "election.nominate": gettext_lazy("Nominated a candidate"),
    "election.nomination_confirm": gettext_lazy("Confirmed a nomination"),
    "election.nomination_withdraw": gettext_lazy("Withdrew a nomination"),
    "election.nomination_accept": gettext_lazy("Accepted a nomination"),
    "election.nomination_reject": gettext_lazy("Rejected a nomination"),
    "election.open_voting": gettext_lazy("Opened voting in an election"),
    "election.close_voting": gettext_lazy("Closed voting in an election"),
    "election.declare": gettext_lazy("Counted the votes and declared the result"),
    "ballot.open": gettext_lazy("Opened a ballot"),
    "ballot.cast_for": gettext_lazy("Recorded a vote cast on someone's behalf"),
    "ballot.paper_mark": gettext_lazy("Marked a voter as having returned a paper ballot"),
    "ballot.paper_batch": gettext_lazy("Started a batch of paper ballots"),
    "ballot.paper_check": gettext_lazy("Checked a batch of paper ballots"),
    "ballot.close": gettext_lazy("Closed a ballot"),
    "ballot.seal": gettext_lazy("Sealed a ballot for the count"),
}


def _manage_url(election: Election) -> str:
    return reverse("elections:manage", kwargs={"pk": election.pk})


def _public_url(election: Election) -> str:
    return reverse("elections:election", kwargs={"pk": election.pk})


def _to_do(election: Election, *, pending: int, unchecked: int, now) -> str:
    """What the returning officer has to do now (empty when nothing waits for them)."""
    status = election.status(now)
    if status == Status.NOMINATIONS and pending:
        return _("Decide the nominations waiting for you")
    if status == Status.AWAITING_POLL:
        if pending:
            return _("Decide the nominations waiting for you")
        if now >= election.voting_open:
            return _("Open voting")
    if status == Status.VOTING and now >= election.voting_close:
        return _("Close voting")
    if status == Status.COUNTING:
        return _("Check the paper ballots, then start the count") if unchecked else _("Start the count")
    return ""


def _counts(elections: list[Election]) -> tuple[dict[int, int], dict[int, int]]:
    """Nominations waiting for a decision and unchecked paper batches, per election (two queries)."""
    ids = [election.pk for election in elections]
    pending = dict(
        Nomination.objects.filter(constituency__election__in=ids, status=NominationStatus.SUBMITTED)
        .order_by()
        .values_list("constituency__election")
        .annotate(n=Count("pk"))
    )
    boxes = dict(Constituency.objects.filter(election__in=ids).exclude(box=None).values_list("box", "election"))
    unchecked: dict[int, int] = {}
    for box, n in (
        PaperBatch.objects.filter(box__in=list(boxes), checked_at__isnull=True)
        .order_by()
        .values_list("box")
        .annotate(n=Count("pk"))
    ):
        unchecked[boxes[box]] = unchecked.get(boxes[box], 0) + n
    return pending, unchecked


def home_items(user) -> list[WorkItem]:
    """Nominations waiting for this person's confirmation, elections they can vote in now and have
    not (urgent), and elections they run as returning officer with something to do."""
    if not user.is_authenticated:
        return []
    language = get_language()
    now = timezone.now()
    items: list[WorkItem] = []

    for nomination in selectors.nominations_waiting_for(user):
        election = nomination.constituency.election
        items.append(
            WorkItem(
                _("Confirm the nomination of %(name)s in %(election)s")
                % {"name": nomination.ballot_name, "election": election.localised_title(language)},
                _public_url(election),
                urgent=True,
                hint=_("Nominations close on %(date)s.") % {"date": long_date(election.nominations_close)},
            )
        )

    unvoted = Elector.objects.filter(
        person=user, mark__isnull=True, box__status=BoxStatus.OPEN, box__app_label="elections"
    ).values("box")
    seen: set[int] = set()
    for constituency in Constituency.objects.filter(box__in=unvoted, election__stage=Stage.VOTING).select_related(
        "election__organisation"
    ):
        election = constituency.election
        if election.pk in seen:
            continue
        seen.add(election.pk)
        items.append(
            WorkItem(
                _("Vote in %(election)s") % {"election": election.localised_title(language)},
                _public_url(election),
                urgent=True,
                hint=_("%(organisation)s. Voting closes on %(date)s.")
                % {"organisation": election.organisation.name, "date": long_date(election.voting_close)},
            )
        )

    running = list(
        Election.objects.filter(returning_officer=user)
        .exclude(stage__in=(Stage.DRAFT, Stage.DECLARED))
        .select_related("organisation")
    )
    if running:
        pending, unchecked = _counts(running)
        for election in running:
            to_do = _to_do(
                election, pending=pending.get(election.pk, 0), unchecked=unchecked.get(election.pk, 0), now=now
            )
            if to_do:
                items.append(
                    WorkItem(
                        _("%(election)s: %(to_do)s") % {"election": election.localised_title(language), "to_do": to_do},
                        _manage_url(election),
                        urgent=True,
                        hint=_("You are the returning officer for %(organisation)s.")
                        % {"organisation": election.organisation.name},
                    )
                )
    return items


def workspace_items(user, organisation) -> list[WorkItem]:
    """For the organisation's secretary and board: its elections, their status and what needs doing."""
    can_manage = user.has_perm("elections.manage_elections", organisation)
    if not (can_manage or is_board_or_secretary(user, organisation)):
        return []
    language = get_language()
    now = timezone.now()
    # Elections under way, and those declared in the last three months; drafts for the secretary.
    elections = Election.objects.filter(organisation=organisation).filter(
        Q(declared_at__isnull=True) | Q(declared_at__gte=now - datetime.timedelta(days=90))
    )
    if not can_manage:
        elections = elections.exclude(stage=Stage.DRAFT)
    elections = list(elections.select_related("returning_officer"))
    pending, unchecked = _counts(elections)
    items: list[WorkItem] = []
    for election in elections:
        waiting = []
        if pending.get(election.pk):
            waiting.append(_("%(count)s nominations to decide") % {"count": pending[election.pk]})
        if unchecked.get(election.pk):
            waiting.append(_("%(count)s batches of paper ballots to check") % {"count": unchecked[election.pk]})
        hint = election.status_label(now)
        if waiting:
            hint = f"{hint}: {'; '.join(str(part) for part in waiting)}"
        manage = can_manage or user.has_perm("elections.view_management", election)
        items.append(
            WorkItem(
                election.localised_title(language),
                _manage_url(election) if manage else _public_url(election),
                urgent=bool(waiting) and manage,
                hint=hint,
            )
        )
    if can_manage:
        items.append(WorkItem(_("Elections"), reverse("elections:manage_list", kwargs={"slug": organisation.slug})))
    return items
