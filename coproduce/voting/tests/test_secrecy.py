"""The secret ballot, proved: there is no path from a person to their ballot.

* In the schema: the only relations a ballot has are its box (shared by everyone who voted in
  it) and, for a paper, its batch (shared by every paper in it, and naming the officers who
  entered and checked it, never a voter). Take those shared rows away and a ballot reaches no
  person, no mark and no elector. Ballots carry no time and a random key; marks carry no time.
* In the admin: marks, ballots and electors are not registered, and a sealed box's page shows
  no receipt and no voter.
* In the order of rows: sealing rewrites the ballots in a shuffled order, so neither their keys
  nor the order on disk follows the order in which people voted.
* In the audit trail: no event names a ballot.

What the API and its exports publish (the BLT file, the receipts list) is proved beside the
API that publishes them, in ``coproduce/elections/tests/test_api.py`` (voting may not import
elections).
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict, deque

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models

from coproduce.core.models import AuditEvent
from coproduce.core.tests.factories import UserFactory, sign_in_with_mfa
from coproduce.voting import services
from coproduce.voting.models import Ballot, BallotBox, BoxKind, Channel, Elector, Mark, PaperBatch

pytestmark = pytest.mark.django_db

OPTIONS = ["a", "b", "c", "d"]


# (a) The schema ----------------------------------------------------------------------------------------


def relation_graph() -> dict[type[models.Model], set[tuple[type[models.Model], str]]]:
    """Every model's neighbours through a foreign key, one-to-one or many-to-many, in either direction,
    each edge named by the field that makes it (``app.Model.field``)."""
    graph: dict[type[models.Model], set[tuple[type[models.Model], str]]] = defaultdict(set)
    for model in apps.get_models(include_auto_created=True):  # auto-created: many-to-many tables
        graph.setdefault(model, set())  # every model is a node, related or not
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue  # reverse accessors are the same edges seen from the other end
            if not field.concrete and not field.many_to_many:
                continue  # a generic relation is a (type, id) pair, covered by the columns it reads
            other = field.related_model
            if other == "self":
                other = model
            name = f"{model._meta.label}.{field.name}"
            graph[model].add((other, name))
            graph[other].add((model, name))
    return graph


def reachable(graph, start, *, without_nodes=(), without_edges=()) -> set[type[models.Model]]:
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for other, edge in graph[node]:
            if other in without_nodes or edge in without_edges or other in seen:
                continue
            seen.add(other)
            queue.append(other)
    return seen


# The officers who entered and checked a batch of papers: named on the batch, never the voters.
OFFICERS_OF_A_BATCH = {"voting.PaperBatch.entered_by", "voting.PaperBatch.checked_by"}


def test_a_ballot_relates_only_to_its_box_and_its_batch():
    graph = relation_graph()
    assert {edge for _, edge in graph[Ballot]} == {"voting.Ballot.box", "voting.Ballot.batch"}
    assert {edge for _, edge in graph[PaperBatch]} == {"voting.PaperBatch.box", "voting.Ballot.batch"} | (
        OFFICERS_OF_A_BATCH
    )


def test_without_the_shared_box_and_batch_a_ballot_reaches_no_person_mark_or_elector():
    graph = relation_graph()
    user = get_user_model()
    everything = reachable(graph, Ballot)
    assert {user, Mark, Elector} <= everything  # the schema is connected: the test below means something
    # Through the box alone, never a person: without it, only the batch's officers are left.
    without_box = reachable(graph, Ballot, without_nodes={BallotBox})
    assert user in without_box
    only_officers = reachable(graph, Ballot, without_nodes={BallotBox}, without_edges=OFFICERS_OF_A_BATCH)
    assert only_officers == {Ballot, PaperBatch}
    assert not {user, Mark, Elector} & only_officers
    # And from the other side: a person's mark and elector row reach no ballot without the box.
    for start in (Mark, Elector, user):
        assert Ballot not in reachable(graph, start, without_nodes={BallotBox}, without_edges=OFFICERS_OF_A_BATCH)


def test_ballots_and_marks_carry_no_time_and_ballots_a_random_key():
    timed = (models.DateTimeField, models.DateField, models.TimeField, models.DurationField)
    for model in (Ballot, Mark, Elector):
        fields = [field.name for field in model._meta.get_fields() if isinstance(field, timed)]
        assert fields == [], (model, fields)
    primary_key = Ballot._meta.pk
    assert isinstance(primary_key, models.UUIDField)
    assert not isinstance(primary_key, models.AutoField | models.IntegerField)
    assert primary_key.default is not models.NOT_PROVIDED and not primary_key.editable
    # The receipt is on the mark only; the ballot names no one and nothing a mark holds.
    ballot_fields = {field.name for field in Ballot._meta.get_fields()}
    assert ballot_fields == {"id", "box", "content", "spoilt", "spoilt_reason", "batch"}
    assert "receipt" in {field.name for field in Mark._meta.get_fields()}


# (d) The admin -----------------------------------------------------------------------------------------


def sealed_box(voters: int = 6):
    box = services.box_create(title="Board", app_label="tests", kind=BoxKind.RANKED, options=OPTIONS)
    people = [UserFactory(full_name=f"Voter Quillfeather {n}") for n in range(voters)]
    box = services.box_open(box=box, electorate=people, by=None)
    receipts = [
        services.vote_cast(box=box, person=person, content=list(ranking))
        for person, ranking in zip(people, itertools.permutations(OPTIONS, 2), strict=False)
    ]
    services.box_close(box=box, by=None)
    return services.box_seal(box=box, by=None), people, receipts


def test_marks_ballots_and_electors_are_not_in_the_admin():
    registered = set(admin.site._registry)
    assert not {Mark, Ballot, Elector} & registered
    assert BallotBox in registered
    assert not admin.site._registry[BallotBox].inlines


def test_the_admin_page_of_a_sealed_box_shows_no_receipt_and_no_voter(client):
    box, people, receipts = sealed_box()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_mfa(client, superuser)
    for url in (f"/admin/voting/ballotbox/{box.pk}/change/", "/admin/voting/ballotbox/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert box.title in page
        for receipt in receipts:
            assert receipt not in page
        for person in people:
            assert person.full_name not in page and person.email not in page
    for model in ("mark", "ballot", "elector"):
        assert client.get(f"/admin/voting/{model}/").status_code == 404


def test_no_audit_event_names_a_ballot_or_its_contents():
    _box, people, receipts = sealed_box()
    proxy = UserFactory()
    other = services.box_create(title="Another", app_label="tests", kind=BoxKind.RANKED, options=OPTIONS)
    other = services.box_open(box=other, electorate=people, by=None)
    services.vote_cast(box=other, person=people[0], content=["d", "c"], channel=Channel.PROXY, cast_by=proxy)
    ballot_ids = {str(pk) for pk in Ballot.objects.values_list("id", flat=True)}
    events = list(AuditEvent.objects.all())
    assert events  # the box's life is in the trail
    for event in events:
        assert event.target_type not in ("voting.ballot", "voting.mark", "Ballot", "Mark"), event.action
        written = json.dumps(event.data) + event.summary + event.target_id
        assert not any(pk in written for pk in ballot_ids), event.action
        assert not any(receipt in written for receipt in receipts), event.action
        assert '"d", "c"' not in written and "['d', 'c']" not in written, event.action


# (e) The order of rows ---------------------------------------------------------------------------------


def spearman(order: list[int]) -> float:
    """Rank correlation between positions and the values there (1: the same order, -1: reversed)."""
    n = len(order)
    return 1 - 6 * sum((position - value) ** 2 for position, value in enumerate(order)) / (n * (n * n - 1))


def test_after_sealing_no_order_of_the_ballots_follows_the_order_of_voting():
    contents = [list(p) for size in (1, 2, 3, 4) for p in itertools.permutations(OPTIONS, size)][:60]
    assert len({tuple(c) for c in contents}) == 60
    box = services.box_create(title="Board", app_label="tests", kind=BoxKind.RANKED, options=OPTIONS)
    people = [UserFactory() for _ in contents]
    box = services.box_open(box=box, electorate=people, by=None)
    for person, content in zip(people, contents, strict=True):
        services.vote_cast(box=box, person=person, content=content)
    cast_order = [tuple(c) for c in contents]
    position = {content: number for number, content in enumerate(cast_order)}

    def read(queryset) -> list[tuple[str, ...]]:
        return [tuple(c) for c in queryset.values_list("content", flat=True)]

    # Before the seal, rows lie on disk in the order they were written: that is what sealing undoes.
    assert read(Ballot.objects.filter(box=box).order_by()) == cast_order
    services.box_close(box=box, by=None)
    services.box_seal(box=box, by=None)
    on_disk = read(Ballot.objects.filter(box=box).order_by())
    by_key = read(Ballot.objects.filter(box=box).order_by("id"))
    by_default = read(Ballot.objects.filter(box=box))
    for order in (on_disk, by_key, by_default):
        assert sorted(order) == sorted(cast_order)  # every ballot, once
        assert order != cast_order and order != cast_order[::-1]
        # Not merely different: no usable trend (a random order of 60 has |rho| < 0.6 but for
        # odds of about one in a hundred thousand).
        assert abs(spearman([position[content] for content in order])) < 0.6


def test_sealing_leaves_no_paper_ballot_distinguishable_from_an_online_one():
    """With a single paper voter, the batch link would single out their ballot: sealing drops it."""
    from coproduce.core.tests.factories import UserFactory
    from coproduce.voting import services

    voters = [UserFactory() for _ in range(3)]
    officer, checker = UserFactory(), UserFactory()
    box = services.box_create(title="Board", app_label="elections", kind="ranked", options=["1", "2"])
    services.box_open(box=box, electorate=voters, by=officer)
    services.vote_cast(box=box, person=voters[0], content=["1"])
    services.vote_cast(box=box, person=voters[1], content=["2", "1"])
    services.paper_vote_mark(box=box, person=voters[2], by=officer)
    batch = services.paper_batch_start(box=box, by=officer)
    services.paper_ballot_enter(batch=batch, by=officer, content=["2"])
    services.paper_batch_check(batch=batch, by=checker)
    assert Ballot.objects.filter(box=box, batch__isnull=False).count() == 1  # before the seal, for the check
    services.box_close(box=box, by=officer)
    services.box_seal(box=box, by=officer)
    assert not Ballot.objects.filter(box=box, batch__isnull=False).exists()
    batch.refresh_from_db()
    assert batch.papers == 1 and Ballot.objects.filter(box=box).count() == 3
