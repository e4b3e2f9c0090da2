"""Anyone can recount: the published ballots, run through the real command, give the published result.

An election is voted and declared through the services; the result and the BLT file are fetched
from the public API as anyone would, and ``coproduce count stv`` runs as a separate process on
the downloaded file with the published rules and seed. Its elected set, quota and every stage
must be the API's, for each of the three STV rules — including a count where a lot decides.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from coproduce.counting.formats.blt import parse_blt
from coproduce.counting.stv import count
from coproduce.elections.tests.test_api import Poll

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
RULES = ["scottish", "ers97", "meek"]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"


def varied_rankings(number: int, candidates: int) -> list[list[int]]:
    """``number`` ranked ballots of every length, some candidates more popular than others."""
    draw = random.Random(17)
    weights = [5, 4, 3, 2, 1][:candidates]
    rankings = []
    for _ in range(number):
        order: list[int] = []
        while len(order) < candidates:
            pick = draw.choices(range(candidates), weights=weights)[0]
            if pick not in order:
                order.append(pick)
        rankings.append(order[: draw.randint(1, candidates)])
    return rankings


def recount(client, tmp_path: Path, poll: Poll) -> tuple[dict, dict]:
    """The API's result for the contested constituency, and the command's recount of its published file."""
    response = client.get(poll.url("/result"))
    assert response.status_code == 200, response.content
    published = response.json()
    contested = published["constituencies"][0]
    download = client.get(contested["ballots"])  # the absolute address the result gives
    assert download.status_code == 200
    path = tmp_path / "ballots.blt"
    path.write_bytes(download.content)
    command = [
        sys.executable, "-m", "coproduce", "count", "stv", str(path),
        "--rules", contested["rules"], "--seed", published["seed"], "--format", "json",
    ]  # fmt: skip
    process = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert process.returncode == 0, process.stderr
    return contested, json.loads(process.stdout)


def assert_same_count(published: dict, recounted: dict) -> None:
    assert recounted["elected"] == published["elected"]
    assert recounted["elected_names"] == published["elected_names"]
    assert recounted["quota"] == published["quota"]
    assert recounted["valid"] == published["valid"]
    assert len(recounted["stages"]) == len(published["stages"])
    for ours, theirs in zip(published["stages"], recounted["stages"], strict=True):
        assert theirs["totals"] == ours["totals"], ours["stage"]
        assert theirs["non_transferable"] == ours["non_transferable"], ours["stage"]
    assert recounted["stages"] == published["stages"]  # and everything else each stage says


@pytest.mark.parametrize("rules", RULES)
def test_the_published_ballots_recount_to_the_published_result(client, tmp_path, rules):
    rankings = varied_rankings(36, candidates=5)
    poll = Poll(voters=40, candidates=5, seats=2, rules=rules, seed="varied").open().vote(rankings).declare()
    published, recounted = recount(client, tmp_path, poll)
    assert published["rules"] == rules and published["valid"].startswith("36")
    assert len(published["stages"]) > 1  # a count with transfers, not decided at the first stage
    assert_same_count(published, recounted)


# A and B tie for the last place; each one's voters give their next preference to the other, so
# whoever the lot excludes hands the seat to the other. Only the seed decides.
TIE = [[0, 1]] * 3 + [[1, 0]] * 3 + [[2]] * 4


@pytest.mark.parametrize("rules", RULES)
def test_a_count_decided_by_lot_recounts_the_same_with_the_published_seed(client, tmp_path, rules):
    poll = Poll(voters=10, candidates=3, seats=1, rules=rules, seed="drawn in public").open().vote(TIE).declare()
    published, recounted = recount(client, tmp_path, poll)
    lots = [tie for stage in published["stages"] for tie in stage["tie_breaks"] if "lot" in tie["method"]]
    assert lots and "drawn in public" in lots[0]["method"]
    assert published["elected_names"] in (["Candidate A"], ["Candidate B"])
    assert_same_count(published, recounted)
    # The seed matters: other seeds elect the other candidate.
    contest = parse_blt(client.get(published["ballots"]).content.decode())
    winners = {count(contest, rules=rules, seed=f"seed {n}").elected for n in range(20)}
    assert winners == {(0,), (1,)}
