"""The ballot box's hard guarantees: one person one vote across channels, held by the database;
ballots checked before they are stored; paper batches entered by one officer and checked by
another; a box sealed only when every paper is in, its ballots shuffled and its receipts published."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coproduce.core.tests.factories import UserFactory
from coproduce.voting import selectors, services
from coproduce.voting.models import Ballot, BallotBox, BoxKind, BoxStatus, Channel, Elector, Mark, PaperBatch

pytestmark = pytest.mark.django_db

OPTIONS = ["a", "b", "c", "d"]


def open_box(voters: int = 4, *, kind: str = BoxKind.RANKED, max_choices: int | None = None):
    box = services.box_create(title="Board", app_label="tests", kind=kind, options=OPTIONS, max_choices=max_choices)
    people = [UserFactory() for _ in range(voters)]
    box = services.box_open(box=box, electorate=people, by=None)
    return box, people


def refused(code: str, service, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        service(**kwargs)
    codes = (
        {getattr(caught.value, "code", None)}
        if hasattr(caught.value, "code")
        else {error.code for error in caught.value.error_list}
    )
    assert codes == {code}, caught.value
    return caught.value


def nothing_more(box: BallotBox, *, marks: int, ballots: int) -> None:
    assert Mark.objects.filter(box=box).count() == marks
    assert Ballot.objects.filter(box=box).count() == ballots


# One person, one vote ---------------------------------------------------------------------------------


def test_online_then_paper_is_refused():
    box, (voter, *_) = open_box()
    officer = UserFactory()
    services.vote_cast(box=box, person=voter, content=["a"])
    refused("already_voted", services.paper_vote_mark, box=box, person=voter, by=officer)
    nothing_more(box, marks=1, ballots=1)


def test_paper_then_online_is_refused():
    box, (voter, *_) = open_box()
    services.paper_vote_mark(box=box, person=voter, by=UserFactory())
    refused("already_voted", services.vote_cast, box=box, person=voter, content=["a"])
    nothing_more(box, marks=1, ballots=0)  # the paper itself is entered later, in a batch
    assert Mark.objects.get(box=box).channel == Channel.PAPER


def test_proxy_then_online_is_refused():
    box, (voter, proxy, *_) = open_box()
    services.vote_cast(box=box, person=voter, content=["b", "a"], channel=Channel.PROXY, cast_by=proxy)
    refused("already_voted", services.vote_cast, box=box, person=voter, content=["a"])
    refused("already_voted", services.vote_cast, box=box, person=voter, content=["a"], channel=Channel.ASSISTED,
            cast_by=proxy)  # fmt: skip
    mark = Mark.objects.get(box=box)
    assert (mark.channel, mark.cast_by) == (Channel.PROXY, proxy)
    nothing_more(box, marks=1, ballots=1)


def test_the_database_refuses_a_second_mark_for_the_same_elector():
    box, (voter, *_) = open_box()
    services.vote_cast(box=box, person=voter, content=["a"])
    elector = Elector.objects.get(box=box, person=voter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(elector=elector, box=box, channel=Channel.PAPER, receipt="ZZZZ-ZZZZ-ZZZZ")
    assert Mark.objects.filter(elector=elector).count() == 1


def test_the_database_refuses_a_person_twice_on_the_electorate():
    box, (voter, *_) = open_box()
    with pytest.raises(IntegrityError), transaction.atomic():
        Elector.objects.create(box=box, person=voter)


def test_only_the_electorate_votes_and_only_while_open():
    box, (voter, other, *_) = open_box()
    refused("not_elector", services.vote_cast, box=box, person=UserFactory(), content=["a"])
    services.box_close(box=box, by=None)
    refused("closed", services.vote_cast, box=box, person=voter, content=["a"])
    refused("closed", services.paper_vote_mark, box=box, person=other, by=UserFactory())
    nothing_more(box, marks=0, ballots=0)
    ready = services.box_create(title="Later", app_label="tests", kind=BoxKind.RANKED, options=OPTIONS)
    refused("not_open", services.vote_cast, box=ready, person=voter, content=["a"])


# What a ballot may say ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [([], "empty"), (["a", "z"], "unknown_option"), (["a", "b", "a"], "repeated"), (["a", "b", "c"], "too_many")],
)
def test_a_ballot_is_checked_before_anything_is_written(content, code):
    box, (voter, *_) = open_box(kind=BoxKind.CHOOSE, max_choices=2)
    refused(code, services.vote_cast, box=box, person=voter, content=content)
    nothing_more(box, marks=0, ballots=0)
    services.vote_cast(box=box, person=voter, content=["c", "a"])  # the refusal left the vote unused
    nothing_more(box, marks=1, ballots=1)


def test_a_ranked_ballot_may_rank_every_option():
    box, (voter, *_) = open_box()
    services.vote_cast(box=box, person=voter, content=["d", "c", "b", "a"])
    assert Ballot.objects.get(box=box).content == ["d", "c", "b", "a"]


# Paper batches -----------------------------------------------------------------------------------------


def test_only_the_batchs_officer_adds_or_removes_papers():
    box, _ = open_box()
    officer, other = UserFactory(), UserFactory()
    batch = services.paper_batch_start(box=box, by=officer)
    paper = services.paper_ballot_enter(batch=batch, by=officer, content=["a", "b"])
    refused("not_yours", services.paper_ballot_enter, batch=batch, by=other, content=["b"])
    refused("not_yours", services.paper_ballot_remove, ballot=paper, by=other)
    spoilt = services.paper_ballot_enter(batch=batch, by=officer, spoilt_reason="  Two marks for one option ")
    assert spoilt.spoilt and spoilt.spoilt_reason == "Two marks for one option" and spoilt.content == []
    services.paper_ballot_remove(ballot=paper, by=officer)
    assert list(Ballot.objects.filter(batch=batch)) == [spoilt]


def test_an_online_ballot_cannot_be_taken_back():
    box, (voter, *_) = open_box()
    services.vote_cast(box=box, person=voter, content=["a"])
    refused("online", services.paper_ballot_remove, ballot=Ballot.objects.get(box=box), by=UserFactory())


def test_a_batch_is_checked_by_another_officer_and_then_frozen():
    box, _ = open_box()
    officer, second = UserFactory(), UserFactory()
    batch = services.paper_batch_start(box=box, by=officer)
    refused("empty", services.paper_batch_check, batch=batch, by=second)
    paper = services.paper_ballot_enter(batch=batch, by=officer, content=["a"])
    refused("same_officer", services.paper_batch_check, batch=batch, by=officer)
    batch = services.paper_batch_check(batch=batch, by=second)
    assert batch.checked_by == second and batch.is_checked
    refused("checked", services.paper_ballot_enter, batch=batch, by=officer, content=["b"])
    refused("checked", services.paper_ballot_remove, ballot=paper, by=officer)
    refused("checked", services.paper_batch_check, batch=batch, by=UserFactory())
    assert Ballot.objects.filter(batch=batch).count() == 1


def test_the_database_refuses_a_batch_checked_by_its_own_officer():
    box, _ = open_box()
    officer = UserFactory()
    batch = services.paper_batch_start(box=box, by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperBatch.objects.filter(pk=batch.pk).update(checked_by=officer)
    batch.refresh_from_db()
    assert batch.checked_by is None


def test_batches_are_numbered_in_their_box():
    box, _ = open_box()
    other_box, _ = open_box()
    officer = UserFactory()
    first = services.paper_batch_start(box=box, by=officer)
    second = services.paper_batch_start(box=box, by=UserFactory())
    elsewhere = services.paper_batch_start(box=other_box, by=officer)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperBatch.objects.create(box=box, number=1, entered_by=officer)


# Sealing -----------------------------------------------------------------------------------------------


def test_the_seal_waits_for_every_paper_to_be_entered_and_checked():
    box, people = open_box(voters=5)
    officer, second = UserFactory(), UserFactory()
    services.vote_cast(box=box, person=people[0], content=["a"])
    services.paper_vote_mark(box=box, person=people[1], by=officer)
    services.paper_vote_mark(box=box, person=people[2], by=officer)
    batch = services.paper_batch_start(box=box, by=officer)
    services.paper_ballot_enter(batch=batch, by=officer, content=["b", "a"])
    refused("not_ready_to_seal", services.box_seal, box=box, by=officer)  # still open
    box = services.box_close(box=box, by=officer)
    problems = services.seal_problems(box)
    assert len(problems) == 2  # an unchecked batch, and 2 paper voters marked against 1 paper
    error = refused("not_ready_to_seal", services.box_seal, box=box, by=officer)
    assert error.messages == problems
    services.paper_ballot_enter(batch=batch, by=officer, content=["c"])  # papers may be entered after the close
    assert len(services.seal_problems(box)) == 1
    services.paper_batch_check(batch=batch, by=second)
    assert services.seal_problems(box) == []
    box = services.box_seal(box=box, by=officer)
    assert box.status == BoxStatus.SEALED and box.sealed_at is not None
    refused("closed", services.paper_batch_start, box=box, by=officer)


def test_sealing_shuffles_the_ballots_and_then_publishes_the_receipts():
    box, people = open_box(voters=30)
    receipts = []
    for number, person in enumerate(people):
        receipts.append(
            services.vote_cast(box=box, person=person, content=[OPTIONS[number % 4], OPTIONS[(number + 1) % 4]])
        )
    before_ids = set(Ballot.objects.filter(box=box).values_list("id", flat=True))
    before_contents = Counter(tuple(c) for c in Ballot.objects.filter(box=box).values_list("content", flat=True))
    assert selectors.published_receipts(box) == []  # not while open
    services.box_close(box=box, by=None)
    box.refresh_from_db()
    assert selectors.published_receipts(box) == []  # nor closed: the list would show who had voted so far
    box = services.box_seal(box=box, by=None)
    assert set(Ballot.objects.filter(box=box).values_list("id", flat=True)) == before_ids
    after_contents = Counter(tuple(c) for c in Ballot.objects.filter(box=box).values_list("content", flat=True))
    assert after_contents == before_contents and sum(after_contents.values()) == 30
    assert selectors.published_receipts(box) == sorted(receipts)
    assert len(set(receipts)) == 30
    figures = selectors.turnout(box)
    assert (figures.electorate, figures.voted, figures.ballots) == (30, 30, 30)
    assert services.box_seal(box=box, by=None).status == BoxStatus.SEALED  # sealing again changes nothing
    assert set(Ballot.objects.filter(box=box).values_list("id", flat=True)) == before_ids
