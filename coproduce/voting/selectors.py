"""Reads of the ballot box. The owning app checks who may see what; these never join a person to a ballot."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from coproduce.core.models import User

from .models import Ballot, BallotBox, BoxStatus, Channel, Elector, Mark, PaperBatch

# Published only once the box is sealed: before then a receipt list would show who had voted when.
PUBLISHED = (BoxStatus.SEALED,)


@dataclass(frozen=True)
class Turnout:
    electorate: int
    voted: int
    by_channel: dict[str, int]
    ballots: int
    spoilt: int

    @property
    def percent(self) -> float:
        return 100 * self.voted / self.electorate if self.electorate else 0.0


def turnout(box: BallotBox) -> Turnout:
    by_channel = dict.fromkeys(Channel.values, 0)
    for channel, count in _channel_counts(box):
        by_channel[channel] = count
    return Turnout(
        electorate=box.electorate_size,
        voted=sum(by_channel.values()),
        by_channel=by_channel,
        ballots=Ballot.objects.filter(box=box).count(),
        spoilt=Ballot.objects.filter(box=box, spoilt=True).count(),
    )


def _channel_counts(box: BallotBox):
    from django.db.models import Count

    return Mark.objects.filter(box=box).order_by().values_list("channel").annotate(n=Count("pk"))


def is_elector(box: BallotBox, person: User) -> bool:
    return person.is_authenticated and box.electors.filter(person=person).exists()


def voter_status(box: BallotBox, person: User) -> tuple[bool, Mark | None]:
    """Whether ``person`` is on the box's electorate, and their mark if they have voted (one query)."""
    if not person.is_authenticated:
        return False, None
    elector = Elector.objects.filter(box=box, person=person).select_related("mark").first()
    if elector is None:
        return False, None
    try:
        return True, elector.mark
    except Mark.DoesNotExist:
        return True, None


def mark_for(box: BallotBox, person: User) -> Mark | None:
    """The person's mark on the register (with their receipt), if they have voted."""
    if not person.is_authenticated:
        return None
    return Mark.objects.filter(box=box, elector__person=person).first()


def valid_ballots(box: BallotBox) -> Iterator[list[str]]:
    """The contents of the box's valid ballots, in the random order of their keys."""
    return (
        Ballot.objects.filter(box=box, spoilt=False)
        .order_by("id")
        .values_list("content", flat=True)
        .iterator(chunk_size=5000)
    )


def published_receipts(box: BallotBox) -> list[str]:
    """Every receipt code, sorted (random codes: the order says nothing); empty until sealed."""
    if box.status not in PUBLISHED:
        return []
    return sorted(Mark.objects.filter(box=box).values_list("receipt", flat=True))


def paper_batches(box: BallotBox):
    return PaperBatch.objects.filter(box=box).select_related("entered_by", "checked_by")


def batch_ballots(batch: PaperBatch):
    return Ballot.objects.filter(batch=batch).order_by("id")


def batch_paper(batch: PaperBatch, key: str | None) -> Ballot | None:
    """The paper of ``batch`` whose key an officer's form sent back (a UUID), or None for anything else."""
    try:
        key = uuid.UUID(key or "")
    except ValueError:
        return None
    return Ballot.objects.filter(batch=batch, pk=key).first()


def unvoted_electors(box: BallotBox):
    """People on the electorate with no mark yet (for a reminder)."""
    return User.objects.filter(pk__in=box.electors.filter(mark__isnull=True).values("person"))
