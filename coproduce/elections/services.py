"""Writes for elections: setting one up, nominations, opening and closing the poll, the count.

Every service is keyword-only, runs in one transaction and writes its audit event in it;
refusals raise ``ValidationError`` with a message fit to show the person, and write nothing.
Email is sent by tasks queued once the transaction has committed. Votes themselves go
through ``voting``: this app decides who is on the electorate and what is on the ballot.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.core.models import Organisation, User
from coproduce.core.services import audit_record
from coproduce.members.models import StakeholderClass
from coproduce.voting import services as voting
from coproduce.voting.models import BoxKind, BoxStatus, Channel

from . import counting, selectors
from .models import (
    REASON_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    AppointedSeat,
    Constituency,
    CountRules,
    Election,
    Nomination,
    NominationStatus,
    Stage,
    Status,
)

# What may be changed while an election is a draft, or published but not yet taking nominations.
ELECTION_FIELDS = frozenset(
    {
        "title",
        "title_cy",
        "description",
        "description_cy",
        "rules",
        "nominations_open",
        "nominations_close",
        "voting_open",
        "voting_close",
        "qualifying_date",
        "nominations_need_proposer",
        "returning_officer",
    }
)


def _audit(election: Election, *, by: User | None, action: str, summary: str = "", target=None, **data: Any) -> None:
    audit_record(
        actor=by,
        action=action,
        organisation=election.organisation,
        target=target or election,
        summary=summary or election.title,
        data=data,
    )


def _lock(election: Election) -> Election:
    return Election.objects.select_for_update().select_related("organisation").get(pk=election.pk)


def _check_timetable(values: dict[str, Any]) -> None:
    opens, closes = values["nominations_open"], values["nominations_close"]
    poll_opens, poll_closes = values["voting_open"], values["voting_close"]
    if not opens < closes:
        raise ValidationError({"nominations_close": _("Nominations must close after they open.")})
    if not closes <= poll_opens:
        raise ValidationError({"voting_open": _("Voting must open after nominations close.")})
    if not poll_opens < poll_closes:
        raise ValidationError({"voting_close": _("Voting must close after it opens.")})


def _check_returning_officer(election: Election, person: User) -> None:
    if Nomination.objects.filter(
        constituency__election=election,
        candidate=person,
        status__in=(NominationStatus.SUBMITTED, NominationStatus.ACCEPTED),
    ).exists():
        raise ValidationError({"returning_officer": _("The returning officer cannot be a candidate in the election.")})


@transaction.atomic
def election_create(*, organisation: Organisation, by: User, **fields: Any) -> Election:
    """A draft election; ``fields`` are those of ``ELECTION_FIELDS`` (all but the Welsh ones required)."""
    unknown = set(fields) - ELECTION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_timetable(fields)
    if fields["rules"] not in CountRules.values:
        raise ValidationError({"rules": _("Choose how the votes are counted.")})
    election = Election(organisation=organisation, **fields)
    election.full_clean()
    election.save()
    _audit(election, by=by, action="election.create")
    return election


@transaction.atomic
def election_update(*, election: Election, by: User, **fields: Any) -> Election:
    """Change an election until nominations open (after that, its timetable and rules are fixed)."""
    election = _lock(election)
    unknown = set(fields) - ELECTION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if election.status() not in (Status.DRAFT, Status.UPCOMING):
        raise ValidationError(_("Once nominations have opened the election's timetable and rules are fixed."))
    for name, value in fields.items():
        setattr(election, name, value)
    _check_timetable(
        {
            name: getattr(election, name)
            for name in ("nominations_open", "nominations_close", "voting_open", "voting_close")
        }
    )
    _check_returning_officer(election, election.returning_officer)
    election.full_clean()
    election.save()
    _audit(election, by=by, action="election.update", changed=sorted(fields))
    return election


def _editable(election: Election) -> Election:
    election = _lock(election)
    if election.status() not in (Status.DRAFT, Status.UPCOMING):
        raise ValidationError(_("Once nominations have opened the seats are fixed."))
    return election


@transaction.atomic
def constituency_add(
    *,
    election: Election,
    by: User,
    name: str,
    seats: int,
    name_cy: str = "",
    stakeholder_class: StakeholderClass | None = None,
) -> Constituency:
    """Seats elected on one ballot: by every member, or by one class's members for its reserved seats."""
    election = _editable(election)
    if stakeholder_class is not None and stakeholder_class.organisation_id != election.organisation_id:
        raise ValidationError({"stakeholder_class": _("Choose a class of this organisation's members.")})
    if seats < 1:
        raise ValidationError({"seats": _("A constituency elects at least one seat.")})
    order = election.constituencies.count()
    constituency = Constituency.objects.create(
        election=election, name=name, name_cy=name_cy, seats=seats, stakeholder_class=stakeholder_class, order=order
    )
    _audit(election, by=by, action="election.constituency_add", summary=f"{election.title} — {name}")
    return constituency


@transaction.atomic
def constituency_remove(*, constituency: Constituency, by: User) -> None:
    election = _editable(constituency.election)
    if constituency.nominations.exists():
        raise ValidationError(_("This constituency has nominations: it cannot be removed."))
    constituency.delete()
    _audit(election, by=by, action="election.constituency_remove", summary=f"{election.title} — {constituency.name}")


@transaction.atomic
def appointed_seat_add(
    *, election: Election, by: User, title: str, appointed_by: str, seats: int = 1, title_cy: str = ""
) -> AppointedSeat:
    """A seat filled by appointment (e.g. council nominees), listed beside the elected seats."""
    election = _editable(election)
    seat = AppointedSeat.objects.create(
        election=election, title=title, title_cy=title_cy, appointed_by=appointed_by, seats=seats
    )
    _audit(election, by=by, action="election.appointed_seat_add", summary=f"{election.title} — {title}")
    return seat


@transaction.atomic
def appointed_seat_remove(*, seat: AppointedSeat, by: User) -> None:
    election = _editable(seat.election)
    seat.delete()
    _audit(election, by=by, action="election.appointed_seat_remove", summary=f"{election.title} — {seat.title}")


@transaction.atomic
def election_publish(*, election: Election, by: User) -> Election:
    """Publish the election and its timetable: from now on members can see it, and nominate when it opens."""
    election = _lock(election)
    if election.stage != Stage.DRAFT:
        raise ValidationError(_("This election has already been published."))
    if not election.constituencies.exists():
        raise ValidationError(_("Add at least one constituency with its seats first."))
    if election.nominations_close <= timezone.now():
        raise ValidationError(_("The nominations would already have closed: change the timetable first."))
    election.stage = Stage.PUBLISHED
    election.save(update_fields=["stage"])
    _audit(election, by=by, action="election.publish")
    transaction.on_commit(lambda: _enqueue("send_election_notice", election.pk, "nominations"))
    return election


@transaction.atomic
def election_seed_set(*, election: Election, seed: str, by: User) -> Election:
    """Publish the seed any lot in the count will use: only before voting closes, so no one can
    choose a seed knowing the ballots."""
    election = _lock(election)
    if election.stage in (Stage.CLOSED, Stage.DECLARED):
        raise ValidationError(_("The seed is fixed once voting has closed."))
    seed = seed.strip()
    if not seed:
        raise ValidationError({"seed": _("Enter the seed.")})
    if len(seed) > 100:
        raise ValidationError({"seed": _("The seed must be 100 characters or fewer.")})
    election.seed = seed
    election.save(update_fields=["seed"])
    _audit(election, by=by, action="election.seed", summary=f"{election.title}: {seed}")
    return election


# Nominations --------------------------------------------------------------------------------------


def _nominations_open(election: Election) -> None:
    if election.status() != Status.NOMINATIONS:
        raise ValidationError(_("Nominations are not open for this election."))


def _in_constituency(constituency: Constituency, person: User | None, *, field: str, what: str) -> None:
    if person is None:
        raise ValidationError({field: _("Name the %(role)s.") % {"role": what}})
    if not selectors.may_vote_in(constituency, person, on=timezone.localdate()):
        raise ValidationError(
            {field: _("The %(role)s must be a member with a vote in this constituency.") % {"role": what}}
        )


@transaction.atomic
def nomination_submit(
    *,
    constituency: Constituency,
    candidate: User,
    by: User,
    ballot_name: str,
    statement: str,
    statement_cy: str = "",
    photo: UploadedFile | None = None,
    proposer: User | None = None,
    seconder: User | None = None,
) -> Nomination:
    """Nominate ``candidate`` (``by`` themself, or another member) in ``constituency``.

    The candidate, proposer and seconder each confirm online unless they are the one nominating.
    """
    election = _lock(constituency.election)
    _nominations_open(election)
    _in_constituency(constituency, candidate, field="candidate", what=_("candidate"))
    if candidate == election.returning_officer:
        raise ValidationError({"candidate": _("The returning officer cannot stand in the election.")})
    if election.nominations_need_proposer:
        _in_constituency(constituency, proposer, field="proposer", what=_("proposer"))
        _in_constituency(constituency, seconder, field="seconder", what=_("seconder"))
        if len({candidate.pk, proposer.pk, seconder.pk}) < 3:
            raise ValidationError(_("The candidate, proposer and seconder must be three different people."))
    else:
        proposer = seconder = None
    ballot_name = " ".join(ballot_name.split())
    if not ballot_name:
        raise ValidationError({"ballot_name": _("Enter the name to appear on the ballot paper.")})
    if len(statement) > STATEMENT_MAX_LENGTH or len(statement_cy) > STATEMENT_MAX_LENGTH:
        raise ValidationError(
            {"statement": _("A statement must be %(count)s characters or fewer.") % {"count": STATEMENT_MAX_LENGTH}}
        )
    if not statement.strip():
        raise ValidationError({"statement": _("Enter the candidate's statement.")})
    if Nomination.objects.filter(
        constituency__election=election,
        candidate=candidate,
        status__in=(NominationStatus.SUBMITTED, NominationStatus.ACCEPTED),
    ).exists():
        raise ValidationError({"candidate": _("This person is already nominated in this election.")})
    now = timezone.now()
    nomination = Nomination(
        constituency=constituency,
        candidate=candidate,
        ballot_name=ballot_name,
        nominated_by=by,
        proposer=proposer,
        seconder=seconder,
        statement=statement.strip(),
        statement_cy=statement_cy.strip(),
        candidate_consented_at=now if by == candidate else None,
        proposer_confirmed_at=now if proposer is not None and by == proposer else None,
        seconder_confirmed_at=now if seconder is not None and by == seconder else None,
    )
    if photo is not None:
        from coproduce.core.uploads import photo_clean

        nomination.photo.save(photo.name, photo_clean(photo), save=False)
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as error:
        raise ValidationError({"candidate": _("This person is already nominated in this election.")}) from error
    _audit(election, by=by, action="election.nominate", target=nomination, summary=f"{election.title}: {ballot_name}")
    transaction.on_commit(lambda: _enqueue("send_nomination_requests", nomination.pk))
    return nomination


@transaction.atomic
def nomination_confirm(*, nomination: Nomination, by: User) -> Nomination:
    """The candidate consents, or the proposer or seconder confirms, as ``by`` is named."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    election = nomination.constituency.election
    _nominations_open(election)
    if nomination.status != NominationStatus.SUBMITTED:
        raise ValidationError(_("This nomination has already been decided or withdrawn."))
    now, fields = timezone.now(), []
    for role, stamp in (
        ("candidate", "candidate_consented_at"),
        ("proposer", "proposer_confirmed_at"),
        ("seconder", "seconder_confirmed_at"),
    ):
        if getattr(nomination, f"{role}_id") == by.pk and getattr(nomination, stamp) is None:
            setattr(nomination, stamp, now)
            fields.append(stamp)
    if not fields:
        raise ValidationError(_("There is nothing for you to confirm in this nomination."))
    nomination.save(update_fields=fields)
    _audit(election, by=by, action="election.nomination_confirm", target=nomination, summary=nomination.ballot_name)
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, by: User) -> Nomination:
    """The candidate (or whoever nominated them) withdraws it, before nominations close."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    election = nomination.constituency.election
    if by.pk not in (nomination.candidate_id, nomination.nominated_by_id):
        raise ValidationError(_("Only the candidate or whoever nominated them can withdraw a nomination."))
    if nomination.status not in (NominationStatus.SUBMITTED, NominationStatus.ACCEPTED):
        raise ValidationError(_("This nomination has already been withdrawn or rejected."))
    if timezone.now() >= election.nominations_close:
        raise ValidationError(_("Nominations have closed: it is too late to withdraw."))
    nomination.status = NominationStatus.WITHDRAWN
    nomination.save(update_fields=["status"])
    _audit(election, by=by, action="election.nomination_withdraw", target=nomination, summary=nomination.ballot_name)
    return nomination


@transaction.atomic
def nomination_decide(*, nomination: Nomination, accept: bool, by: User, reason: str = "") -> Nomination:
    """The returning officer accepts a valid nomination or rejects it with a reason the candidate is sent."""
    nomination = Nomination.objects.select_for_update().select_related("constituency__election").get(pk=nomination.pk)
    election = nomination.constituency.election
    if election.stage not in (Stage.PUBLISHED,):
        raise ValidationError(_("Nominations can be decided only before voting opens."))
    if nomination.status not in (NominationStatus.SUBMITTED, NominationStatus.ACCEPTED, NominationStatus.REJECTED):
        raise ValidationError(_("This nomination has been withdrawn."))
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("The reason must be %(count)s characters or fewer.") % {"count": REASON_MAX_LENGTH}}
        )
    if accept and not nomination.is_complete:
        raise ValidationError(
            _("This nomination cannot be accepted until the candidate, proposer and seconder have all confirmed it.")
        )
    if not accept and not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting the nomination: the candidate is sent it.")})
    nomination.status = NominationStatus.ACCEPTED if accept else NominationStatus.REJECTED
    nomination.decision_reason = "" if accept else reason
    nomination.decided_by = by
    nomination.decided_at = timezone.now()
    nomination.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    _audit(
        election,
        by=by,
        action="election.nomination_accept" if accept else "election.nomination_reject",
        target=nomination,
        summary=nomination.ballot_name,
    )
    transaction.on_commit(lambda: _enqueue("send_nomination_decision", nomination.pk))
    return nomination


# The poll --------------------------------------------------------------------------------------------


def _uncontested_result(constituency: Constituency, nominations: list[Nomination]) -> dict[str, Any]:
    return {
        "rules": "uncontested",
        "title": f"{constituency.election.title} — {constituency.name}",
        "seats": constituency.seats,
        "candidates": [nomination.ballot_name for nomination in nominations],
        "elected": list(range(1, len(nominations) + 1)),
        "elected_names": [nomination.ballot_name for nomination in nominations],
        "stages": [],
    }


@transaction.atomic
def election_open_voting(*, election: Election, by: User | None, now: datetime.datetime | None = None) -> Election:
    """Open the poll: fix each constituency's electorate and ballot paper, or declare it uncontested.

    Every nomination must have been decided. A seed for any lot is drawn now unless the
    returning officer has published one (they may still replace it until the close).
    """
    election = _lock(election)
    now = now or timezone.now()
    if election.stage != Stage.PUBLISHED:
        raise ValidationError(_("Voting can be opened only once, after nominations close."))
    if now < election.voting_open:
        raise ValidationError(_("Voting opens on the date in the timetable, not before."))
    pending = Nomination.objects.filter(constituency__election=election, status=NominationStatus.SUBMITTED).count()
    if pending:
        raise ValidationError(
            _("Decide every nomination first: %(count)s still wait for the returning officer.") % {"count": pending}
        )
    if not election.seed:
        election.seed = secrets.token_hex(8)
    contested = 0
    for constituency in election.constituencies.select_related("stakeholder_class"):
        nominations = list(selectors.accepted_nominations(constituency).order_by("ballot_name", "pk"))
        if len(nominations) <= constituency.seats:
            constituency.uncontested = True
            constituency.result = _uncontested_result(constituency, nominations)
            constituency.save(update_fields=["uncontested", "result"])
            continue
        contested += 1
        box = voting.box_create(
            title=f"{election.title} — {constituency.name}",
            organisation=election.organisation,
            app_label="elections",
            kind=BoxKind.RANKED if election.is_ranked else BoxKind.CHOOSE,
            options=[str(nomination.pk) for nomination in nominations],
            max_choices=None if election.is_ranked else constituency.seats,
        )
        voting.box_open(box=box, electorate=selectors.electorate(constituency), by=by)
        constituency.box = box
        constituency.save(update_fields=["box"])
    if contested:
        election.stage = Stage.VOTING
    else:
        election.stage = Stage.DECLARED
        election.declared_at = now
    election.save(update_fields=["stage", "seed", "declared_at"])
    _audit(election, by=by, action="election.open_voting", contested=contested)
    transaction.on_commit(lambda: _enqueue("send_election_notice", election.pk, "voting" if contested else "result"))
    if contested:
        transaction.on_commit(lambda: _enqueue("schedule_close", election))
    return election


def vote(*, constituency: Constituency, person: User, choices: list[str]) -> str:
    """Cast ``person``'s vote online in ``constituency``; returns their receipt code."""
    if constituency.box is None or constituency.election.stage != Stage.VOTING:
        raise ValidationError(_("Voting is not open in this election."), code="closed")
    return voting.vote_cast(box=constituency.box, person=person, content=choices, channel=Channel.ONLINE)


def vote_for(*, constituency: Constituency, person: User, choices: list[str], by: User, channel: str) -> str:
    """Cast ``person``'s vote on their behalf (by proxy, or with assistance), recording who did."""
    if constituency.box is None or constituency.election.stage != Stage.VOTING:
        raise ValidationError(_("Voting is not open in this election."), code="closed")
    return voting.vote_cast(box=constituency.box, person=person, content=choices, channel=channel, cast_by=by)


@transaction.atomic
def election_close_voting(*, election: Election, by: User | None, now: datetime.datetime | None = None) -> Election:
    """Close the poll at the time in the timetable; the count follows at once in a task."""
    election = _lock(election)
    now = now or timezone.now()
    if election.stage != Stage.VOTING:
        raise ValidationError(_("Voting is not open in this election."))
    if now < election.voting_close:
        raise ValidationError(_("Voting closes on the date in the timetable, not before."))
    for constituency in election.constituencies.exclude(box=None).select_related("box"):
        if constituency.box.status == BoxStatus.OPEN:
            voting.box_close(box=constituency.box, by=by)
    election.stage = Stage.CLOSED
    election.save(update_fields=["stage"])
    _audit(election, by=by, action="election.close_voting")
    transaction.on_commit(lambda: _enqueue("count_election", election.pk))
    return election


def count_problems(election: Election) -> list[str]:
    """Why the count cannot run yet (papers to enter or check), per constituency."""
    problems = []
    for constituency in election.constituencies.exclude(box=None).select_related("box"):
        for problem in voting.seal_problems(constituency.box):
            problems.append(f"{constituency.name}: {problem}")
    return problems


@transaction.atomic
def election_count(*, election: Election, by: User | None = None) -> Election:
    """Seal every box, count it under the election's rules and declare the result.

    Refused, writing nothing, while paper ballots wait to be entered or checked.
    """
    election = _lock(election)
    if election.stage == Stage.DECLARED:
        return election
    if election.stage != Stage.CLOSED:
        raise ValidationError(_("The count starts once voting has closed."))
    problems = count_problems(election)
    if problems:
        raise ValidationError(problems)
    for constituency in election.constituencies.exclude(box=None).select_related("box"):
        voting.box_seal(box=constituency.box, by=by)
        constituency.box.refresh_from_db()
        constituency.result = counting.count_constituency(constituency)
        constituency.save(update_fields=["result"])
    election.stage = Stage.DECLARED
    election.declared_at = timezone.now()
    election.save(update_fields=["stage", "declared_at"])
    _audit(election, by=by, action="election.declare")
    transaction.on_commit(lambda: _enqueue("send_election_notice", election.pk, "result"))
    return election


def _enqueue(name: str, *args: Any) -> None:
    """Queue one of this app's tasks by name (the tasks module imports these services)."""
    from . import tasks

    job = getattr(tasks, name)
    if hasattr(job, "enqueue"):
        job.enqueue(*args)
    else:
        job(*args)
