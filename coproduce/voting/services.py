"""Writes for the ballot box: open it, cast, mark paper voters, enter and check papers, close, seal.

Every service is keyword-only and runs in one transaction; refusals raise ``ValidationError``
with a message fit to show the person (its ``code`` says which refusal) and write nothing.
A cast writes the mark and the ballot together: a double click, a second tab or a crash leaves
exactly one vote or none. The feature app that owns a box decides who is on its electorate
and who may enter papers; the box enforces one person, one vote and the secrecy of the ballot.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.core.models import Organisation, User
from coproduce.core.services import audit_record

from .models import Ballot, BallotBox, BoxKind, BoxStatus, Channel, Elector, Mark, PaperBatch

# Receipt codes: no letters or digits people confuse (0/O, 1/I/L), grouped in fours to read out.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_GROUPS = 3


def new_receipt() -> str:
    groups = ("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4)) for _ in range(RECEIPT_GROUPS))
    return "-".join(groups)


def box_create(
    *,
    title: str,
    app_label: str,
    kind: str,
    options: Sequence[str],
    max_choices: int | None = None,
    max_points: int | None = None,
    organisation: Organisation | None = None,
) -> BallotBox:
    """A box for ``options`` (keys the owning app understands), not yet open.

    A points ballot needs ``max_points``, the most points a voter may share among the options.
    """
    if kind not in BoxKind.values:
        raise ValueError(f"unknown kind of ballot {kind!r}")
    if (kind == BoxKind.POINTS) != (max_points is not None) or (max_points is not None and max_points < 1):
        raise ValueError("a points ballot, and only a points ballot, has a positive max_points")
    if len(set(options)) != len(options) or not options:
        raise ValueError("a ballot needs distinct options")
    return BallotBox.objects.create(
        title=title,
        organisation=organisation,
        app_label=app_label,
        kind=kind,
        options=[str(option) for option in options],
        max_choices=max_choices,
        max_points=max_points,
    )


@transaction.atomic
def box_open(*, box: BallotBox, electorate: Iterable[User | int], by: User | None) -> BallotBox:
    """Fix the electorate and open the box for votes."""
    box = BallotBox.objects.select_for_update().get(pk=box.pk)
    if box.status != BoxStatus.READY:
        raise ValidationError(_("This ballot is already open or closed."), code="not_ready")
    people = sorted({person if isinstance(person, int) else person.pk for person in electorate})
    Elector.objects.bulk_create([Elector(box=box, person_id=person) for person in people], batch_size=2000)
    box.status = BoxStatus.OPEN
    box.opened_at = timezone.now()
    box.electorate_size = len(people)
    box.save(update_fields=["status", "opened_at", "electorate_size"])
    audit_record(
        actor=by,
        action="ballot.open",
        organisation=box.organisation,
        target=box,
        summary=box.title,
        data={"electorate": box.electorate_size},
    )
    return box


def _lock_open_box(box: BallotBox, *, statuses: tuple[str, ...] = (BoxStatus.OPEN,)) -> BallotBox:
    """Read the box so that it cannot close while this transaction casts into it.

    On PostgreSQL a shared row lock: casts do not wait for each other, but closing (which updates
    the row) waits for the casts under way, and a cast after the close sees it closed. SQLite
    runs one writing transaction at a time, which gives the same guarantee.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM voting_ballotbox WHERE id = %s FOR SHARE", [box.pk])
            row = cursor.fetchone()
        status = row[0] if row else None
    else:
        status = BallotBox.objects.filter(pk=box.pk).values_list("status", flat=True).first()
    if status not in statuses:
        if status == BoxStatus.READY:
            raise ValidationError(_("Voting has not opened yet."), code="not_open")
        raise ValidationError(_("Voting has closed."), code="closed")
    return box


def ballot_content_check(box: BallotBox, content: Sequence[Any]) -> list[Any]:
    """The ballot as the box stores it, or a ``ValidationError`` saying what is wrong with it.

    A points ballot is a list of ``[key, points]`` pairs (each a positive whole number, at most
    ``max_points`` in all); every other kind a list of option keys.
    """
    if box.kind == BoxKind.POINTS:
        return _points_check(box, content)
    choices = [str(choice) for choice in content]
    if not choices:
        raise ValidationError(_("The ballot has no choices on it."), code="empty")
    unknown = set(choices) - set(box.options)
    if unknown:
        raise ValidationError(_("The ballot names an option that is not on it."), code="unknown_option")
    if len(set(choices)) != len(choices):
        raise ValidationError(_("The ballot names the same option more than once."), code="repeated")
    if box.kind in (BoxKind.CHOOSE, BoxKind.APPROVAL) and box.max_choices and len(choices) > box.max_choices:
        raise ValidationError(_("Choose no more than %(count)s.") % {"count": box.max_choices}, code="too_many")
    return choices


def _points_check(box: BallotBox, content: Sequence[Any]) -> list[list[Any]]:
    pairs = []
    for item in content:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ValidationError(_("Give each option you choose a number of points."), code="bad_points")
        key, points = item
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            raise ValidationError(_("Points must be whole numbers of 1 or more."), code="bad_points")
        pairs.append([str(key), points])
    keys = [key for key, _points in pairs]
    if not pairs:
        raise ValidationError(_("The ballot has no choices on it."), code="empty")
    if set(keys) - set(box.options):
        raise ValidationError(_("The ballot names an option that is not on it."), code="unknown_option")
    if len(set(keys)) != len(keys):
        raise ValidationError(_("The ballot names the same option more than once."), code="repeated")
    total = sum(points for _key, points in pairs)
    if total > box.max_points:
        raise ValidationError(
            _("You have given %(given)s points: give no more than %(count)s in all.")
            % {"given": total, "count": box.max_points},
            code="too_many_points",
        )
    return pairs


def _mark(box: BallotBox, person: User, *, channel: str, cast_by: User | None) -> Mark:
    elector = Elector.objects.filter(box=box, person=person).first()
    if elector is None:
        raise ValidationError(_("You are not on the electorate for this ballot."), code="not_elector")
    try:
        with transaction.atomic():  # a savepoint, so the refusal can be reported cleanly
            return Mark.objects.create(
                elector=elector, box=box, channel=channel, cast_by=cast_by, receipt=new_receipt()
            )
    except IntegrityError as error:
        if Mark.objects.filter(elector=elector).exists():
            raise ValidationError(
                _("A vote has already been recorded for this person."), code="already_voted"
            ) from error
        raise


@transaction.atomic
def vote_cast(
    *,
    box: BallotBox,
    person: User,
    content: Sequence[Any],
    channel: str = Channel.ONLINE,
    cast_by: User | None = None,
) -> str:
    """Cast ``person``'s vote: the mark and the ballot in one transaction. Returns the receipt code.

    ``channel`` is online for the voter themself; proxy or assisted when ``cast_by`` casts it for them.
    """
    if channel == Channel.PAPER:
        raise ValueError("paper votes are marked with paper_vote_mark and entered in batches")
    if channel == Channel.ONLINE and cast_by not in (None, person):
        raise ValueError("an online vote is cast by the voter")
    if channel in (Channel.PROXY, Channel.ASSISTED) and cast_by is None:
        raise ValueError("a vote cast on someone's behalf records who cast it")
    _lock_open_box(box)
    choices = ballot_content_check(box, content)
    mark = _mark(box, person, channel=channel, cast_by=None if channel == Channel.ONLINE else cast_by)
    Ballot.objects.create(box=box, content=choices)
    if channel != Channel.ONLINE:
        audit_record(
            actor=cast_by,
            action="ballot.cast_for",
            organisation=box.organisation,
            target=box,
            summary=f"{mark.get_channel_display()}: {person}",
            data={"person": person.pk, "channel": channel},
        )
    return mark.receipt


@transaction.atomic
def paper_vote_mark(*, box: BallotBox, person: User, by: User) -> str:
    """Mark the register for a paper ballot returned by ``person``: they cannot then vote online."""
    _lock_open_box(box)
    mark = _mark(box, person, channel=Channel.PAPER, cast_by=by)
    audit_record(
        actor=by,
        action="ballot.paper_mark",
        organisation=box.organisation,
        target=box,
        summary=str(person),
        data={"person": person.pk},
    )
    return mark.receipt


@transaction.atomic
def paper_batch_start(*, box: BallotBox, by: User) -> PaperBatch:
    """A new batch for ``by`` to enter papers into, while the box is open or closed (not sealed)."""
    _lock_open_box(box, statuses=(BoxStatus.OPEN, BoxStatus.CLOSED))
    number = (PaperBatch.objects.filter(box=box).aggregate(last=Max("number"))["last"] or 0) + 1
    batch = PaperBatch.objects.create(box=box, number=number, entered_by=by)
    audit_record(
        actor=by, action="ballot.paper_batch", organisation=box.organisation, target=box, summary=f"{box} — {number}"
    )
    return batch


def _open_batch(batch: PaperBatch, by: User) -> PaperBatch:
    batch = PaperBatch.objects.select_for_update().select_related("box").get(pk=batch.pk)
    if batch.checked_at is not None:
        raise ValidationError(_("This batch has been checked: it can no longer change."), code="checked")
    if batch.entered_by_id != by.pk:
        raise ValidationError(_("Only the officer entering this batch can change it."), code="not_yours")
    _lock_open_box(batch.box, statuses=(BoxStatus.OPEN, BoxStatus.CLOSED))
    return batch


@transaction.atomic
def paper_ballot_enter(*, batch: PaperBatch, by: User, content: Sequence[Any] = (), spoilt_reason: str = "") -> Ballot:
    """Enter one paper as it reads: its choices, or spoilt with the reason (never totals)."""
    batch = _open_batch(batch, by)
    if spoilt_reason.strip():
        return Ballot.objects.create(box=batch.box, batch=batch, spoilt=True, spoilt_reason=spoilt_reason.strip()[:200])
    return Ballot.objects.create(box=batch.box, batch=batch, content=ballot_content_check(batch.box, content))


@transaction.atomic
def paper_ballot_remove(*, ballot: Ballot, by: User) -> None:
    """Take back a paper entered wrongly, before the batch is checked."""
    if ballot.batch_id is None:
        raise ValidationError(_("Only a paper ballot can be taken back."), code="online")
    _open_batch(ballot.batch, by)
    Ballot.objects.filter(pk=ballot.pk).delete()


@transaction.atomic
def paper_batch_check(*, batch: PaperBatch, by: User) -> PaperBatch:
    """A second officer confirms that the batch matches the papers."""
    batch = PaperBatch.objects.select_for_update().select_related("box").get(pk=batch.pk)
    if batch.checked_at is not None:
        raise ValidationError(_("This batch has already been checked."), code="checked")
    if batch.entered_by_id == by.pk:
        raise ValidationError(
            _("A batch is checked by a second officer, not the one who entered it."), code="same_officer"
        )
    if not batch.ballots.exists():
        raise ValidationError(_("This batch has no papers in it."), code="empty")
    batch.checked_by = by
    batch.checked_at = timezone.now()
    batch.papers = batch.ballots.count()
    batch.save(update_fields=["checked_by", "checked_at", "papers"])
    audit_record(
        actor=by,
        action="ballot.paper_check",
        organisation=batch.box.organisation,
        target=batch.box,
        summary=f"{batch.box} — {batch.number}",
        data={"papers": batch.papers},
    )
    return batch


@transaction.atomic
def box_close(*, box: BallotBox, by: User | None) -> BallotBox:
    """Close the box to votes: no more casts or marks. Papers already returned may still be entered."""
    box = BallotBox.objects.select_for_update().get(pk=box.pk)
    if box.status != BoxStatus.OPEN:
        raise ValidationError(_("This ballot is not open."), code="not_open")
    box.status = BoxStatus.CLOSED
    box.closed_at = timezone.now()
    box.save(update_fields=["status", "closed_at"])
    audit_record(actor=by, action="ballot.close", organisation=box.organisation, target=box, summary=box.title)
    return box


def seal_problems(box: BallotBox) -> list[str]:
    """Why the box cannot yet be sealed for the count (empty when it can)."""
    problems = []
    if box.status not in (BoxStatus.CLOSED, BoxStatus.SEALED):
        problems.append(_("Voting has not closed."))
    unchecked = box.paper_batches.filter(checked_at__isnull=True).count()
    if unchecked:
        problems.append(
            ngettext(
                "%(count)s batch of paper ballots waits for a second officer's check.",
                "%(count)s batches of paper ballots wait for a second officer's check.",
                unchecked,
            )
            % {"count": unchecked}
        )
    marked = box.marks.filter(channel=Channel.PAPER).count()
    entered = box.ballots.filter(batch__isnull=False).count()
    if marked != entered:
        problems.append(
            ngettext(
                "%(marked)s paper voter is marked on the register but %(entered)s papers have been entered.",
                "%(marked)s paper voters are marked on the register but %(entered)s papers have been entered.",
                marked,
            )
            % {"marked": marked, "entered": entered}
        )
    return problems


@transaction.atomic
def box_seal(*, box: BallotBox, by: User | None) -> BallotBox:
    """Seal a closed box for the count once every paper is entered and checked.

    The ballots are written again in a shuffled order and without their paper batch, so that
    the rows on disk no longer follow the order in which votes were cast and a paper ballot
    cannot be told from one cast online.
    """
    box = BallotBox.objects.select_for_update().get(pk=box.pk)
    if box.status == BoxStatus.SEALED:
        return box
    problems = seal_problems(box)
    if problems:
        # A list drops a code given beside it: each problem carries its own.
        raise ValidationError([ValidationError(problem, code="not_ready_to_seal") for problem in problems])
    sealed = _rewrite_shuffled(box)
    box.status = BoxStatus.SEALED
    box.sealed_at = timezone.now()
    box.save(update_fields=["status", "sealed_at"])
    audit_record(
        actor=by,
        action="ballot.seal",
        organisation=box.organisation,
        target=box,
        summary=box.title,
        data={"ballots": sealed},
    )
    return box


def _rewrite_shuffled(box: BallotBox) -> int:
    """Write the box's ballots again in a random order, without their batch; returns how many.

    On PostgreSQL the database does it in three statements (a copy ordered by a random UUID,
    the delete, the insert back in that order): 50,000 ballots in well under a second. Elsewhere
    the rows make the trip through Python, shuffled by the operating system's randomness.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE voting_sealing AS SELECT id, box_id, content, spoilt, spoilt_reason, "
                "gen_random_uuid() AS shuffle FROM voting_ballot WHERE box_id = %s",
                [box.pk],
            )
            cursor.execute("DELETE FROM voting_ballot WHERE box_id = %s", [box.pk])
            cursor.execute(
                "INSERT INTO voting_ballot (id, box_id, content, spoilt, spoilt_reason, batch_id) "
                "SELECT id, box_id, content, spoilt, spoilt_reason, NULL FROM voting_sealing ORDER BY shuffle"
            )
            count = cursor.rowcount
            cursor.execute("DROP TABLE voting_sealing")
        return count
    ballots = list(Ballot.objects.filter(box=box).order_by())
    secrets.SystemRandom().shuffle(ballots)
    for ballot in ballots:
        ballot.batch = None  # checked and counted: the batch would single out the few paper voters
    Ballot.objects.filter(box=box).delete()
    Ballot.objects.bulk_create(ballots, batch_size=2000)
    return len(ballots)
