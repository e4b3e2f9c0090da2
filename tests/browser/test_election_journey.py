"""An election in the browser, in English and in Welsh, as its people live it (issue 17).

The returning officer marks a member who posted a paper ballot and enters the paper; the
organisation's secretary checks the batch; the paper voter is refused a second vote online;
a member votes online and keeps their receipt; the poll closes, the count runs at once, the
member finds their receipt in the published list, and the published ballots recount to the
same result through the ``coproduce`` command. Every page is checked with axe.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from coproduce.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from coproduce.elections.models import Election
from coproduce.members.models import Membership
from coproduce.voting.models import Ballot, Mark

from .test_join_journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _leisure_election() -> Election:
    return Election.objects.get(organisation__slug="leisure-trust", stage="voting")


def _paper_voter(election: Election) -> Membership:
    """A member on the electorate who has not voted, given the demo password to sign in with."""
    box = election.constituencies.get().box
    voted = Mark.objects.filter(box=box).values("elector__person")
    demo_people = ["member@example.org", "secretary@example.org", "officer@example.org", "resident@example.org"]
    electors = box.electors.exclude(person__in=voted).exclude(person__email__in=demo_people).values("person")
    membership = (
        Membership.objects.filter(organisation=election.organisation, person__in=electors)
        .select_related("person")
        .order_by("member_number")
        .first()
    )
    membership.person.set_password(DEMO_PASSWORD)
    membership.person.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=membership.person, email=membership.person.email, defaults={"verified": True, "primary": True}
    )
    return membership


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_paper_and_online_votes_counted_and_recounted(page: Page, live_server, borough, lang: str, tmp_path):
    page.set_default_timeout(10_000)
    election = _leisure_election()
    constituency = election.constituencies.get()
    box = constituency.box
    paper = _paper_voter(election)
    you = Journey(page, lang)

    # The returning officer (a council officer) marks the paper voter and enters their paper.
    page.goto(live_server.url + you.path("/"))
    you.signs_in("officer@example.org", DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(live_server.url + you.path(f"/elections/{election.pk}/manage/"))
    expect(page.locator("main h1")).to_contain_text(election.localised_title(lang))
    you.sees("What to do next")
    you.follow(f"main a[href$='/elections/{election.pk}/paper/']")
    you.heading("Paper ballots")
    page.fill("input[name=q]", str(paper.member_number))
    you.submit("main form[method=get]")
    with page.expect_navigation():
        page.locator("main form[method=post]").filter(has=page.locator("input[name=action][value=mark]")).locator(
            "button"
        ).click()
    you.sees(
        "%(voted)s of %(electorate)s have voted so far, %(paper)s of them on paper.",
        voted=Mark.objects.filter(box=box).count(),
        electorate=box.electorate_size,
        paper=1,
    )
    with page.expect_navigation():
        page.get_by_role("button", name=you.says("Start a new batch")).click()
    you.heading("Batch %(number)s of paper ballots", number=1)
    for position, row in enumerate(page.locator("main input[name^=rank_]").all()[:2], start=1):
        row.fill(str(position))
    with page.expect_navigation():
        page.get_by_role("button", name=you.says("Enter this paper")).click()
    you.sees("Papers in this batch")
    assert Ballot.objects.filter(box=box, batch__isnull=False).count() == 1
    you.signs_out()

    # A second person, the trust's secretary, checks the batch against the paper.
    cache.clear()  # the demo's officers share one TOTP secret, and a code is accepted only once
    you.signs_in("secretary@example.org", DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(live_server.url + you.path(f"/elections/{election.pk}/paper/?constituency={constituency.pk}"))
    you.follow("main a[href$='/check/']")
    you.heading("Check batch %(number)s", number=1)
    with page.expect_navigation():
        page.get_by_role("button", name=you.says("The papers match: confirm the check")).click()
    assert box.paper_batches.get().checked_at is not None
    you.signs_out()

    # The paper voter cannot vote again online.
    you.signs_in(paper.person.email, DEMO_PASSWORD)
    you.goto(live_server.url + you.path(f"/elections/{election.pk}/"))
    you.sees("You have voted on paper for the %(seats)s seats.", seats=constituency.localised_name(lang))
    you.goto(live_server.url + you.path(f"/elections/{election.pk}/vote/{constituency.pk}/"))
    you.heading("You have already voted")
    you.sees("You have already voted on paper for these seats, so you cannot vote online as well.")
    assert Mark.objects.filter(box=box, elector__person=paper.person).count() == 1
    you.signs_out()

    # A member votes online: numbers in the boxes, a check page, a receipt.
    you.signs_in("member@example.org", DEMO_PASSWORD)
    you.goto(live_server.url + you.path(f"/elections/{election.pk}/"))
    you.follow(f"main a[href$='/vote/{constituency.pk}/']")
    you.heading("Your ballot paper")
    boxes = page.locator("main input[name^=rank_]").all()
    boxes[0].fill("1")
    boxes[1].fill("1")  # a repeated number is refused, with the choices kept
    you.submit()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    boxes = page.locator("main input[name^=rank_]").all()
    boxes[1].fill("2")
    boxes[2].fill("3")
    you.submit()
    you.heading("Check your vote")
    with page.expect_navigation():
        page.get_by_role("button", name=you.says("Cast my vote")).click()
    you.heading("Your vote has been recorded")
    receipt = page.locator("main .app-receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt), receipt
    you.signs_out()

    # Time passes: the close of voting comes, and the returning officer closes the poll.
    Election.objects.filter(pk=election.pk).update(voting_close=timezone.now() - datetime.timedelta(minutes=1))
    cache.clear()
    you.signs_in("officer@example.org", DEMO_PASSWORD, secret=DEMO_TOTP_SECRET)
    you.goto(live_server.url + you.path(f"/elections/{election.pk}/manage/"))
    with page.expect_navigation():
        page.get_by_role("button", name=you.says("Close voting")).click()
    you.follow(f"main a[href$='/elections/{election.pk}/result/']")
    you.heading("Result: %(election)s", election=election.localised_title(lang))
    you.signs_out()

    # Anyone: the receipt is in the published list, and the published ballots recount the same.
    you.goto(live_server.url + you.path(f"/elections/{election.pk}/constituencies/{constituency.pk}/receipts/"))
    you.heading("Receipt codes")
    page.fill("main input[name=code]", receipt.lower())
    you.submit()
    you.sees("The code %(code)s is in the list: that vote was counted.", code=receipt)

    result = page.request.get(f"{live_server.url}/api/elections/{election.pk}/result").json()
    (published,) = result["constituencies"]
    blt = page.request.get(published["ballots"])
    assert blt.ok
    path = tmp_path / "ballots.blt"
    path.write_bytes(blt.body())
    command = [
        sys.executable,
        "-m",
        "coproduce",
        "count",
        "stv",
        str(path),
        "--rules",
        published["rules"],
        "--format",
        "json",
    ]
    if result["seed"]:
        command += ["--seed", result["seed"]]
    recount = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    assert recount["elected"] == published["elected"] and recount["quota"] == published["quota"]
    assert [stage["totals"] for stage in recount["stages"]] == [stage["totals"] for stage in published["stages"]]
