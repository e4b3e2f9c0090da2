"""The officers' pages of a budget round: setting it up, moderating and merging ideas, costing
projects or finding them not feasible, opening and closing the vote, paper ballots entered one at a
time and checked by a second officer, the count, departures and delivery with photos; with bad
input refused on the page and nothing written, two-factor sign-in required, strangers refused."""

from __future__ import annotations

import datetime
import html
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from coproduce.budgets import services
from coproduce.budgets.models import (
    BallotKind,
    BudgetRound,
    CountRule,
    DeliveryStatus,
    Departure,
    Idea,
    IdeaPhoto,
    IdeaStatus,
    IdeaSupport,
    Project,
    ProjectStatus,
    ProjectUpdate,
    Stage,
    UpdatePhoto,
)
from coproduce.budgets.tests.factories import BudgetRoundFactory, IdeaFactory, ProjectFactory, ResidentFactory, phases
from coproduce.core.models import AuditEvent, OrganisationKind, PlaceKind, RoleKind
from coproduce.core.tests.factories import (
    OrganisationFactory,
    PlaceFactory,
    RoleFactory,
    sign_in_with_mfa,
)
from coproduce.voting.models import Ballot, Channel, Mark, PaperBatch

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _readable_pages(monkeypatch, settings, tmp_path):
    """Read pages as people do (HTML entities turned back into characters); photos stored in a
    temporary folder."""
    from django.http import HttpResponse

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(HttpResponse, "text", property(lambda response: html.unescape(response.content.decode())))


@pytest.fixture
def borough():
    return PlaceFactory(code="X06000091", name="Kingsmere", kind=PlaceKind.COUNCIL_AREA)


@pytest.fixture
def elmwood(borough):
    return PlaceFactory(code="X05000091", name="Elmwood", name_cy="Coed Llwyf", parent=borough)


@pytest.fixture
def council(borough):
    return OrganisationFactory(kind=OrganisationKind.COUNCIL, name="Kingsmere Council", slug="kingsmere", area=borough)


@pytest.fixture
def officer(council):
    return RoleFactory(organisation=council, kind=RoleKind.OFFICER, person__full_name="Olu Officer").person


@pytest.fixture
def checker(council):
    """A second officer, who checks the batches the first enters."""
    return RoleFactory(organisation=council, kind=RoleKind.OFFICER, person__full_name="Bea Checker").person


def _moment(prefix: str, when: datetime.datetime) -> dict[str, str]:
    when = timezone.localtime(when)
    return {
        f"{prefix}_day": str(when.day),
        f"{prefix}_month": str(when.month),
        f"{prefix}_year": str(when.year),
        f"{prefix}_time": when.strftime("%H:%M"),
    }


def _round_form(place, **changes) -> dict[str, str]:
    now = timezone.now().replace(second=0, microsecond=0)
    data = {
        "title": "Elmwood ward budget",
        "title_cy": "Cyllideb ward Coed Llwyf",
        "description": "Small projects for Elmwood.",
        "place": str(place.pk),
        "amount": "£10,000",
        "min_level": "20",
        "min_age": "16",
        "max_age": "",
        "ballot_kind": "knapsack",
        "ballot_limit": "",
        "count_rule": "mes",
        **_moment("ideas_open", now + DAY),
        **_moment("ideas_close", now + 10 * DAY),
        **_moment("review_close", now + 15 * DAY),
        **_moment("voting_open", now + 16 * DAY),
        **_moment("voting_close", now + 25 * DAY),
        "results_on_day": "",
        "results_on_month": "",
        "results_on_year": "",
        "delivery_by_day": "1",
        "delivery_by_month": "4",
        "delivery_by_year": str(now.year + 1),
    }
    data.update(changes)
    return data


def _png(name: str = "benches.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 120, 40)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _shift(budget_round: BudgetRound, phase: str) -> None:
    """Move the round's dates so that it is in ``phase`` now (the test's clock)."""
    BudgetRound.objects.filter(pk=budget_round.pk).update(**phases(phase))


# --- Setting a round up ------------------------------------------------------------------------------


def test_an_officer_creates_a_round_with_clear_errors_and_nothing_written_until_it_is_right(
    client, council, officer, elmwood
):
    sign_in_with_mfa(client, officer)
    listing = client.get("/organisations/kingsmere/budgets/")
    assert listing.status_code == 200 and "Create a budget round" in listing.text
    form = client.get("/organisations/kingsmere/budgets/new/")
    assert form.status_code == 200
    assert "Elmwood (Ward)" in form.text and "Kingsmere (Council area)" in form.text
    assert 'value="09:00"' in form.text  # the phases start at 09:00 unless changed

    url = "/organisations/kingsmere/budgets/new/"
    bad = client.post(
        url,
        _round_form(
            elmwood, amount="lots", ideas_open_day="31", ideas_open_month="2", voting_close_time="25:00", max_age="x"
        ),
    )
    assert bad.status_code == 200
    assert "There is a problem" in bad.text
    assert "Enter the budget in pounds, like 50000 or 12500.50" in bad.text
    assert "The date ideas open must be a real date" in bad.text
    assert "Enter the time for “Voting closes” as hours and minutes on the 24-hour clock, like 09:00" in bad.text
    assert "Enter the oldest age as a whole number, like 25" in bad.text
    assert not BudgetRound.objects.exists()

    now = timezone.now()
    out_of_order = client.post(url, _round_form(elmwood, **_moment("ideas_close", now - DAY)))
    assert out_of_order.status_code == 200
    assert "Ideas must close after they open." in out_of_order.text
    assert 'href="#id_ideas_close_day"' in out_of_order.text  # the summary links to the date it is about
    no_limit = client.post(url, _round_form(elmwood, ballot_kind="points"))
    assert "Enter how many points each voter shares among the projects." in no_limit.text
    assert 'href="#id_ballot_limit"' in no_limit.text
    ages = client.post(url, _round_form(elmwood, min_age="30", max_age="18"))
    assert "The oldest age must be at least the youngest age." in ages.text
    missing = client.post(url, {})
    assert "Enter the round's title" in missing.text and "Enter the budget, in pounds" in missing.text
    assert "Choose where the budget is for" in missing.text and "Enter the date ideas open" in missing.text
    assert not BudgetRound.objects.exists()

    created = client.post(url, _round_form(elmwood, amount="12,500.50", count_rule="greedy"))
    budget_round = BudgetRound.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/budgets/{budget_round.pk}/manage/"
    assert budget_round.amount == 12_500_50 and budget_round.stage == Stage.DRAFT
    assert budget_round.place == elmwood and budget_round.organisation == council
    assert budget_round.count_rule == CountRule.GREEDY and budget_round.min_age == 16
    assert budget_round.min_level == 20 and budget_round.ballot_limit is None
    assert budget_round.delivery_by == datetime.date(timezone.now().year + 1, 4, 1)
    assert timezone.localtime(budget_round.ideas_open).strftime("%H:%M") == timezone.localtime(
        timezone.now() + DAY
    ).strftime("%H:%M")
    assert AuditEvent.objects.filter(action="budget.create", actor=officer).exists()
    page = client.get(f"/budgets/{budget_round.pk}/manage/")
    assert "Check the round's details, then publish it" in page.text and "£12,500.50" in page.text


def test_a_round_is_changed_until_ideas_open_then_fixed(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, stage=Stage.DRAFT)
    sign_in_with_mfa(client, officer)
    page = client.get(f"/budgets/{budget_round.pk}/edit/")
    assert page.status_code == 200 and budget_round.title in page.text and 'value="10000"' in page.text
    changed = client.post(f"/budgets/{budget_round.pk}/edit/", _round_form(elmwood, title="Elmwood 2027"))
    assert changed.status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.title == "Elmwood 2027" and budget_round.amount == 10_000_00

    published = client.post(f"/budgets/{budget_round.pk}/publish/")
    assert published.status_code == 302
    _shift(budget_round, "ideas")
    locked = client.post(f"/budgets/{budget_round.pk}/edit/", _round_form(elmwood, title="Too late"))
    assert locked.status_code == 200 and "the round's dates and rules are fixed" in locked.text
    budget_round.refresh_from_db()
    assert budget_round.title == "Elmwood 2027" and budget_round.stage == Stage.PUBLISHED


def test_publishing_a_round_whose_ideas_would_have_closed_is_refused(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, stage=Stage.DRAFT, **phases("review"))
    sign_in_with_mfa(client, officer)
    refused = client.post(f"/budgets/{budget_round.pk}/publish/")
    assert refused.status_code == 200
    assert "There is a problem" in refused.text and "Ideas would already have closed" in refused.text
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DRAFT


def test_the_seed_is_published_until_the_close(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, seed=None)
    sign_in_with_mfa(client, officer)
    bad = client.post(f"/budgets/{budget_round.pk}/seed/", {"seed": "twelve"})
    assert bad.status_code == 200 and "Enter the seed as a whole number, like 120931" in bad.text
    too_big = client.post(f"/budgets/{budget_round.pk}/seed/", {"seed": str(2**31)})
    assert "Enter a seed from 0 to 2147483647" in too_big.text
    budget_round.refresh_from_db()
    assert budget_round.seed is None
    assert client.post(f"/budgets/{budget_round.pk}/seed/", {"seed": "120931"}).status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.seed == 120931
    assert "The seed is: 120931" in client.get(f"/budgets/{budget_round.pk}/manage/").text


# --- Who may use the pages -----------------------------------------------------------------------------


def test_officers_pages_need_two_factor_sign_in(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, stage=Stage.DRAFT)
    client.force_login(officer)  # a password alone
    for url in ("/organisations/kingsmere/budgets/", f"/budgets/{budget_round.pk}/manage/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp")), url
    refused = client.post(f"/budgets/{budget_round.pk}/publish/")
    assert refused.status_code == 302 and "/accounts/2fa/" in refused["Location"]
    created = client.post("/organisations/kingsmere/budgets/new/", _round_form(elmwood))
    assert created.status_code == 302 and "/accounts/2fa/" in created["Location"]
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DRAFT and BudgetRound.objects.count() == 1


@pytest.mark.parametrize(
    "tail",
    [
        "edit/",
        "seed/",
        "manage/",
        "moderate/",
        "merge/",
        "review/",
        "projects/new/",
        "not-feasible/",
        "paper/",
        "paper/batches/{batch}/",
        "paper/batches/{batch}/check/",
        "departures/new/",
        "projects/{project}/delivery/",
    ],
)
def test_every_officers_page_asks_for_the_second_factor(client, council, officer, elmwood, tail):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, **phases("voting"))
    project = ProjectFactory(round=budget_round)
    ProjectFactory(round=budget_round)
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    from coproduce.voting import services as voting

    batch = voting.paper_batch_start(box=budget_round.box, by=officer)
    url = f"/budgets/{budget_round.pk}/" + tail.format(batch=batch.pk, project=project.pk)
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp")), url
    sign_in_with_mfa(client, officer)
    assert client.get(url).status_code == 200, url


def test_residents_and_other_organisations_officers_are_refused(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, stage=Stage.DRAFT)
    idea = IdeaFactory(round=budget_round, status=IdeaStatus.SUBMITTED)
    resident = ResidentFactory(ward=elmwood)
    other = RoleFactory(kind=RoleKind.OFFICER, organisation=OrganisationFactory(kind=OrganisationKind.COUNCIL)).person
    for person in (resident, other):
        if person is other:
            sign_in_with_mfa(client, person)
        else:
            client.force_login(person)
        for url in (
            "/organisations/kingsmere/budgets/",
            "/organisations/kingsmere/budgets/new/",
            f"/budgets/{budget_round.pk}/manage/",
            f"/budgets/{budget_round.pk}/moderate/",
            f"/budgets/{budget_round.pk}/review/",
            f"/budgets/{budget_round.pk}/paper/",
        ):
            assert client.get(url).status_code == 403, (person, url)
        assert client.post(f"/budgets/{budget_round.pk}/publish/").status_code == 403
        moderated = client.post(
            f"/budgets/{budget_round.pk}/moderate/", {"idea": idea.pk, f"idea-{idea.pk}-decision": "publish"}
        )
        assert moderated.status_code == 403
    budget_round.refresh_from_db()
    idea.refresh_from_db()
    assert budget_round.stage == Stage.DRAFT and idea.status == IdeaStatus.SUBMITTED
    # A hidden fund holder's rounds are not found at all by those who may not run them.
    council.is_public = False
    council.save(update_fields=["is_public"])
    assert client.get(f"/budgets/{budget_round.pk}/manage/").status_code == 404
    assert client.get("/organisations/kingsmere/budgets/").status_code == 404
    client.logout()
    anonymous = client.get(f"/budgets/{budget_round.pk}/manage/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


# --- The whole round, as officers run it -------------------------------------------------------------


def test_an_officer_runs_a_round_from_setup_to_delivery(
    client, council, officer, checker, elmwood, django_capture_on_commit_callbacks
):
    sign_in_with_mfa(client, officer)
    # Create and publish.
    assert client.post("/organisations/kingsmere/budgets/new/", _round_form(elmwood)).status_code == 302
    budget_round = BudgetRound.objects.get()
    pk = budget_round.pk
    assert client.post(f"/budgets/{pk}/publish/").status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.PUBLISHED

    # Residents send ideas while they are open.
    _shift(budget_round, "ideas")
    budget_round.refresh_from_db()
    cara = ResidentFactory(ward=elmwood, full_name="Cara Jones", postcode="EW1 2AB", email="cara@example.org")
    dylan = ResidentFactory(ward=elmwood, full_name="Dylan Rees", preferred_language="cy")
    eve = ResidentFactory(ward=elmwood, full_name="Eve Shah")
    fred = ResidentFactory(ward=elmwood, full_name="Fred Ode")
    benches = services.idea_submit(budget_round=budget_round, person=cara, title="Benches", description="By the canal.")
    seats = services.idea_submit(budget_round=budget_round, person=eve, title="Seats on the towpath", description="x")
    trees = services.idea_submit(budget_round=budget_round, person=eve, title="Trees", description="Street trees.")
    tower = services.idea_submit(budget_round=budget_round, person=dylan, title="A tower", description="Very tall.")
    rude = services.idea_submit(budget_round=budget_round, person=fred, title="My neighbour", description="Names.")
    page = client.get(f"/budgets/{pk}/manage/")
    assert "5 ideas to moderate" in page.text

    # Moderate: publish four, hide one with its reason.
    moderate = f"/budgets/{pk}/moderate/"
    listing = client.get(moderate)
    assert listing.status_code == 200 and "My neighbour" in listing.text and "Cara Jones" in listing.text
    for idea in (benches, seats, trees, tower):
        done = client.post(moderate, {"idea": idea.pk, f"idea-{idea.pk}-decision": "publish"})
        assert done.status_code == 302
    hidden = client.post(
        moderate,
        {"idea": rude.pk, f"idea-{rude.pk}-decision": "hide", f"idea-{rude.pk}-reason": "It names a neighbour."},
    )
    assert hidden.status_code == 302
    rude.refresh_from_db()
    assert rude.status == IdeaStatus.HIDDEN and rude.moderation_reason == "It names a neighbour."
    assert "No ideas are waiting for moderation." in client.get(moderate).text

    # Support, then merge the duplicate seats into the benches: Eve's support moves across.
    services.idea_support(idea=Idea.objects.get(pk=seats.pk), person=fred)
    merge = client.post(f"/budgets/{pk}/merge/", {"keep": benches.pk, "duplicates": [seats.pk]})
    assert merge.status_code == 302 and merge["Location"] == f"/budgets/{pk}/review/"
    seats.refresh_from_db()
    assert seats.merged_into_id == benches.pk
    assert IdeaSupport.objects.filter(idea=benches, person=fred).exists()

    # Review: two costed projects, one idea not feasible (its proposer emailed, in Welsh).
    _shift(budget_round, "review")
    review = client.get(f"/budgets/{pk}/review/")
    assert review.status_code == 200
    assert "Benches" in review.text and "Trees" in review.text and "A tower" in review.text
    assert "Seats on the towpath" not in review.text  # merged
    assert client.get(f"/budgets/{pk}/projects/new/", {"ideas": [benches.pk]}).status_code == 200
    costed = client.post(
        f"/budgets/{pk}/projects/new/",
        {
            "ideas": [benches.pk],
            "title": "Canal benches",
            "title_cy": "Meinciau'r gamlas",
            "description": "Six benches along the canal path.",
            "cost": "6000",
            "cost_breakdown": "6 benches at £800; fitting £1,200.",
            "delivery_time": "3 months",
        },
    )
    assert costed.status_code == 302
    client.post(f"/budgets/{pk}/projects/new/", {"ideas": [trees.pk], "title": "Street trees", "cost": "5,000.00"})
    canal = Project.objects.get(title="Canal benches")
    street = Project.objects.get(title="Street trees")
    assert canal.cost == 6_000_00 and street.cost == 5_000_00 and list(canal.ideas.all()) == [benches]
    assert canal.title_cy == "Meinciau'r gamlas" and canal.delivery_time == "3 months"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            f"/budgets/{pk}/not-feasible/",
            {"ideas": [tower.pk], "reason": "The council cannot build above three storeys in a park."},
        )
    assert refused.status_code == 302
    tower_project = Project.objects.get(status=ProjectStatus.NOT_FEASIBLE)
    assert list(tower_project.ideas.all()) == [tower]
    to_dylan = [message for message in mail.outbox if message.to == [dylan.email]]
    assert len(to_dylan) == 1
    assert "The council cannot build above three storeys in a park." in to_dylan[0].body
    assert "wedi canfod na ellir gwireddu eich syniad" in to_dylan[0].body  # in Welsh, his language
    review = client.get(f"/budgets/{pk}/review/")
    assert "Every published idea has been reviewed." in review.text
    assert "The council cannot build above three storeys in a park." in review.text

    # Voting opens (on the day in the timetable) with the eligible residents as the electorate.
    early = client.post(f"/budgets/{pk}/open/")
    assert early.status_code == 200 and "Voting opens on the date in the timetable, not before." in early.text
    _shift(budget_round, "voting")
    assert "it is time to open voting" in client.get(f"/budgets/{pk}/manage/").text
    assert client.post(f"/budgets/{pk}/open/").status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.VOTING and budget_round.box.electorate_size == 4

    # Paper ballots: find Cara by postcode and Eve by name, mark both, enter their papers.
    paper = f"/budgets/{pk}/paper/"
    by_postcode = client.get(paper, {"q": "ew12ab"})
    assert "Cara Jones" in by_postcode.text and "Eve Shah" not in by_postcode.text
    by_email = client.get(paper, {"q": "CARA@example.org"})
    assert "Cara Jones" in by_email.text
    assert "Eve Shah" in client.get(paper, {"q": "shah"}).text
    for person in (cara, eve):
        assert client.post(paper, {"action": "mark", "person": person.pk}).status_code == 302
    assert Mark.objects.filter(box=budget_round.box, channel=Channel.PAPER).count() == 2
    twice = client.post(paper, {"action": "mark", "person": cara.pk})
    assert twice.status_code == 200 and "A vote has already been recorded for this person." in twice.text
    assert "Has voted" in client.get(paper, {"q": "Cara"}).text

    started = client.post(paper, {"action": "batch"})
    batch = PaperBatch.objects.get(box=budget_round.box)
    batch_url = f"/budgets/{pk}/paper/batches/{batch.pk}/"
    assert started.status_code == 302 and started["Location"] == batch_url
    entry = client.get(batch_url)
    assert "Canal benches (£6,000.00)" in entry.text and "Street trees (£5,000.00)" in entry.text
    a, b = str(canal.pk), str(street.pk)
    empty = client.post(batch_url, {"action": "enter"})
    assert empty.status_code == 200 and "There is a problem" in empty.text
    over = client.post(batch_url, {"action": "enter", "projects": [a, b]})
    assert over.status_code == 200
    assert "cost £11,000.00 together, more than the budget of £10,000.00" in over.text
    assert "Enter it as spoilt, giving that reason." in over.text
    assert "Over the budget: the projects marked cost £11,000.00, the budget is £10,000.00" in over.text
    assert not Ballot.objects.filter(batch=batch).exists()
    spoilt = client.post(
        batch_url,
        {"action": "spoilt", "spoilt_reason": "Over the budget: the projects marked cost £11,000.00"},
    )
    assert spoilt.status_code == 302
    assert client.post(batch_url, {"action": "enter", "projects": [a]}).status_code == 302
    wrong = Ballot.objects.get(batch=batch, spoilt=False)
    assert client.post(batch_url, {"action": "remove", "ballot": str(wrong.pk)}).status_code == 302
    assert client.post(batch_url, {"action": "enter", "projects": [b]}).status_code == 302
    papers = client.get(batch_url)
    assert "Spoilt: Over the budget" in papers.text and "Street trees (£5,000.00)" in papers.text
    assert sorted((ballot.spoilt, tuple(ballot.content)) for ballot in Ballot.objects.filter(batch=batch)) == [
        (False, (b,)),
        (True, ()),
    ]

    # The officer who entered the batch cannot check it; the second officer does.
    same = client.post(f"{batch_url}check/")
    assert same.status_code == 200 and "not the one who entered it" in same.text
    sign_in_with_mfa(client, checker)
    listing = client.get(f"{batch_url}check/")
    assert "2 papers in this batch" in listing.text and "Street trees" in listing.text
    assert client.post(f"{batch_url}check/").status_code == 302
    batch.refresh_from_db()
    assert batch.checked_by == checker

    # Online votes, then the close and the count.
    services.ballot_cast(budget_round=budget_round, person=dylan, content=[a])
    services.ballot_cast(budget_round=budget_round, person=fred, content=[a])
    sign_in_with_mfa(client, officer)
    assert "You can close voting from" in client.get(f"/budgets/{pk}/manage/").text
    BudgetRound.objects.filter(pk=pk).update(voting_close=timezone.now() - datetime.timedelta(seconds=1))
    assert client.post(f"/budgets/{pk}/close/").status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.CLOSED
    assert client.post(f"/budgets/{pk}/count/").status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.DECLARED
    assert budget_round.result["selected"] == [a]  # 3 votes for the benches, 1 for the trees: one fits
    page = client.get(f"/budgets/{pk}/manage/")
    assert "The result has been declared." in page.text and "See the result" in page.text
    assert "Canal benches" in page.text  # a funded project, with its delivery link

    # The fund holder also funds the trees from elsewhere, with the reason.
    departure_url = f"/budgets/{pk}/departures/new/"
    wrong_way = client.post(departure_url, {"project": a, "decision": "fund", "reason": "x"})
    assert wrong_way.status_code == 200 and "The count already funds this project." in wrong_way.text
    assert 'href="#id_decision"' in wrong_way.text
    recorded = client.post(
        departure_url, {"project": b, "decision": "fund", "reason": "A tree fund pays for them this year."}
    )
    assert recorded.status_code == 302
    departure = Departure.objects.get()
    assert departure.project == street and departure.funded and departure.decided_by == officer

    # Delivery of the benches: under way, and an update with a photo described for those who cannot see it.
    delivery_url = f"/budgets/{pk}/projects/{canal.pk}/delivery/"
    assert client.post(delivery_url, {"action": "status", "status": "in_progress"}).status_code == 302
    canal.refresh_from_db()
    assert canal.delivery_status == DeliveryStatus.IN_PROGRESS
    added = client.post(
        delivery_url,
        {
            "action": "update",
            "text": "The first three benches are in.",
            "text_cy": "Mae'r tair mainc gyntaf yn eu lle.",
            "photo_1": _png(),
            "alt_1": "Three new wooden benches beside the canal.",
            "alt_cy_1": "Tair mainc bren newydd ger y gamlas.",
        },
    )
    assert added.status_code == 302
    update = ProjectUpdate.objects.get(project=canal)
    photo = UpdatePhoto.objects.get(update=update)
    assert photo.alt == "Three new wooden benches beside the canal." and photo.image.name.endswith(".png")
    assert update.on == timezone.localdate() and update.by == officer
    shown = client.get(delivery_url)
    assert "The first three benches are in." in shown.text
    assert f'src="/budgets/updates/photos/{photo.pk}" alt="Three new wooden benches beside the canal."' in shown.text
    assert client.get(f"/budgets/updates/photos/{photo.pk}")["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action="budget.project_update", actor=officer).exists()


# --- Each page's bad input: an error on the page, nothing written ----------------------------------------


def test_hiding_an_idea_needs_a_reason(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood)
    idea = IdeaFactory(round=budget_round, status=IdeaStatus.SUBMITTED, title="Skate park")
    photo = IdeaPhoto(idea=idea, alt="An empty corner of the park")
    photo.image.save("park.png", _png(), save=True)
    sign_in_with_mfa(client, officer)
    url = f"/budgets/{budget_round.pk}/moderate/"
    page = client.get(url)
    assert f'src="/budgets/ideas/photos/{photo.pk}" alt="An empty corner of the park"' in page.text
    no_choice = client.post(url, {"idea": idea.pk})
    assert "Choose whether to publish or hide the idea" in no_choice.text
    no_reason = client.post(url, {"idea": idea.pk, f"idea-{idea.pk}-decision": "hide"})
    assert no_reason.status_code == 200 and "There is a problem" in no_reason.text
    assert "Give the reason for hiding the idea: it is published in its place." in no_reason.text
    assert f'href="#id_idea-{idea.pk}-reason"' in no_reason.text
    gone = client.post(url, {"idea": "99999", "idea-99999-decision": "publish"})
    assert "That idea is no longer waiting for moderation." in gone.text
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED and not idea.moderation_reason


def test_merging_needs_a_duplicate_other_than_the_idea_kept(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood)
    first, second = IdeaFactory(round=budget_round), IdeaFactory(round=budget_round)
    sign_in_with_mfa(client, officer)
    url = f"/budgets/{budget_round.pk}/merge/"
    itself = client.post(url, {"keep": first.pk, "duplicates": [first.pk]})
    assert itself.status_code == 200
    assert "Choose at least one duplicate other than the idea you keep" in itself.text
    nothing = client.post(url, {})
    assert "Choose the idea to keep" in nothing.text and "Choose the duplicates" in nothing.text
    assert not Idea.objects.filter(merged_into__isnull=False).exists()
    assert client.post(url, {"keep": first.pk, "duplicates": [first.pk, second.pk]}).status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first


def test_a_project_needs_a_title_and_a_cost_within_the_budget(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, **phases("review"))
    sign_in_with_mfa(client, officer)
    url = f"/budgets/{budget_round.pk}/projects/new/"
    bad = client.post(url, {"title": "", "cost": "12,000.505"})
    assert bad.status_code == 200
    assert "Enter the project's title" in bad.text and "Enter the cost in pounds, like 12000 or 850.50" in bad.text
    zero = client.post(url, {"title": "Benches", "cost": "0"})
    assert "Enter a cost of at least 1p" in zero.text
    too_much = client.post(url, {"title": "Benches", "cost": "10,000.01"})
    assert too_much.status_code == 200
    assert "The project costs more than the whole budget of £10,000.00." in too_much.text
    assert 'href="#id_cost"' in too_much.text
    assert not Project.objects.exists()


def test_not_feasible_needs_what_and_why(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, **phases("review"))
    idea = IdeaFactory(round=budget_round)
    project = ProjectFactory(round=budget_round, title="Lido")
    sign_in_with_mfa(client, officer)
    url = f"/budgets/{budget_round.pk}/not-feasible/"
    assert "Lido" in client.get(url, {"project": project.pk}).text
    nothing = client.post(url, {"reason": "Too dear."})
    assert "Choose the ideas, or the project, that are not feasible" in nothing.text
    both = client.post(url, {"ideas": [idea.pk], "project": project.pk, "reason": "Too dear."})
    assert "Choose either ideas or a project, not both" in both.text
    no_reason = client.post(url, {"project": project.pk})
    assert "Give the reason it is not feasible" in no_reason.text
    project.refresh_from_db()
    assert project.status == ProjectStatus.COSTED
    assert (
        client.post(url, {"project": project.pk, "reason": "The pool would cost ten times the budget."}).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.NOT_FEASIBLE and project.reason.startswith("The pool")


def test_voting_cannot_open_with_fewer_than_two_projects(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, **phases("voting"))
    ProjectFactory(round=budget_round)
    sign_in_with_mfa(client, officer)
    assert "Cost at least two projects before voting opens." in client.get(f"/budgets/{budget_round.pk}/manage/").text
    refused = client.post(f"/budgets/{budget_round.pk}/open/")
    assert refused.status_code == 200 and "Cost at least two projects before voting opens." in refused.text
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.PUBLISHED and budget_round.box is None


def test_the_count_waits_for_unchecked_papers_and_says_why(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, **phases("closing"))
    first = ProjectFactory(round=budget_round)
    ProjectFactory(round=budget_round)
    voter = ResidentFactory(ward=elmwood)
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    from coproduce.voting import services as voting

    voting.paper_vote_mark(box=budget_round.box, person=voter, by=officer)
    batch = voting.paper_batch_start(box=budget_round.box, by=officer)
    services.paper_ballot_enter(budget_round=budget_round, batch=batch, by=officer, content=[str(first.pk)])
    services.round_close_voting(budget_round=budget_round, by=officer)
    sign_in_with_mfa(client, officer)
    page = client.get(f"/budgets/{budget_round.pk}/manage/")
    assert "The count cannot start yet." in page.text and "1 batch of paper ballots to check" in page.text
    waiting = client.post(f"/budgets/{budget_round.pk}/count/")
    assert waiting.status_code == 200 and "There is a problem" in waiting.text
    assert "1 batch of paper ballots waits for a second officer's check." in waiting.text
    budget_round.refresh_from_db()
    assert budget_round.stage == Stage.CLOSED and budget_round.result is None


def test_points_papers_are_entered_as_they_read_and_too_many_points_refused(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(
        organisation=council, place=elmwood, ballot_kind=BallotKind.POINTS, ballot_limit=5, **phases("voting")
    )
    a, b = (str(ProjectFactory(round=budget_round, title=title).pk) for title in ("Benches", "Trees"))
    ResidentFactory(ward=elmwood)
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    sign_in_with_mfa(client, officer)
    client.post(f"/budgets/{budget_round.pk}/paper/", {"action": "batch"})
    batch = PaperBatch.objects.get(box=budget_round.box)
    url = f"/budgets/{budget_round.pk}/paper/batches/{batch.pk}/"
    page = client.get(url)
    assert "up to 5 in all" in page.text and f'name="points_{a}"' in page.text
    too_many = client.post(url, {"action": "enter", f"points_{a}": "4", f"points_{b}": "3"})
    assert too_many.status_code == 200 and "have given 7" in too_many.text
    assert not Ballot.objects.filter(batch=batch).exists()
    assert client.post(url, {"action": "enter", f"points_{a}": "4", f"points_{b}": "1"}).status_code == 302
    assert Ballot.objects.get(batch=batch).content == [[a, 4], [b, 1]]
    entered = client.get(url).text
    assert "Benches (£1,000.00): 4 points" in entered
    assert "Trees (£1,000.00): 1 point" in entered and "1 points" not in entered
    assert "Share 5 points among the projects" in client.get(f"/budgets/{budget_round.pk}/manage/").text


def test_a_departure_and_delivery_refuse_bad_input(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, amount=100_00, **phases("closing"))
    funded = ProjectFactory(round=budget_round, cost=60_00, title="Benches")
    unfunded = ProjectFactory(round=budget_round, cost=60_00, title="Trees")
    voter = ResidentFactory(ward=elmwood)
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    services.ballot_cast(budget_round=budget_round, person=voter, content=[str(funded.pk)])
    services.round_close_voting(budget_round=budget_round, by=officer)
    services.round_count(budget_round=budget_round, by=officer)
    sign_in_with_mfa(client, officer)

    departure_url = f"/budgets/{budget_round.pk}/departures/new/"
    empty = client.post(departure_url, {})
    assert "Choose the project" in empty.text and "Give the reason for departing from the count" in empty.text
    assert not Departure.objects.exists()

    url = f"/budgets/{budget_round.pk}/projects/{unfunded.pk}/delivery/"
    assert "Only a funded project has a delivery to follow" in client.get(url).text
    url = f"/budgets/{budget_round.pk}/projects/{funded.pk}/delivery/"
    no_alt = client.post(url, {"action": "update", "text": "Ordered.", "photo_1": _png()})
    assert no_alt.status_code == 200 and "Describe photo 1 for people who cannot see it" in no_alt.text
    not_photo = client.post(
        url,
        {
            "action": "update",
            "text": "Ordered.",
            "photo_1": SimpleUploadedFile("notes.png", b"not a picture", content_type="image/png"),
            "alt_1": "Benches",
        },
    )
    assert not_photo.status_code == 200 and "Photo 1: The photo must be a JPG or PNG picture." in not_photo.text
    assert 'href="#id_photo_1"' in not_photo.text
    future = client.post(
        url,
        {
            "action": "update",
            "text": "Ordered.",
            "on_day": "1",
            "on_month": "1",
            "on_year": str(timezone.localdate().year + 2),
        },
    )
    assert "The date of the update must be today or in the past" in future.text
    no_text = client.post(url, {"action": "update"})
    assert "Write the update" in no_text.text
    status = client.post(url, {"action": "status", "status": "finished"})
    assert status.status_code == 200 and "There is a problem" in status.text
    assert not ProjectUpdate.objects.exists() and not UpdatePhoto.objects.exists()
    funded.refresh_from_db()
    assert funded.delivery_status == DeliveryStatus.NOT_STARTED


def test_the_officers_pages_read_in_welsh(client, council, officer, elmwood):
    budget_round = BudgetRoundFactory(organisation=council, place=elmwood, **phases("voting"))
    ProjectFactory.create_batch(2, round=budget_round)
    ResidentFactory(ward=elmwood)
    budget_round = services.round_open_voting(budget_round=budget_round, by=officer)
    sign_in_with_mfa(client, officer)
    for url in (
        f"/cy/budgets/{budget_round.pk}/manage/",
        f"/cy/budgets/{budget_round.pk}/paper/",
        f"/cy/budgets/{budget_round.pk}/review/",
        "/cy/organisations/kingsmere/budgets/",
    ):
        response = client.get(url)
        assert response.status_code == 200 and 'lang="cy"' in response.text, url


def test_the_list_says_what_each_round_needs(client, council, officer, elmwood):
    draft = BudgetRoundFactory(organisation=council, place=elmwood, stage=Stage.DRAFT, title="Draft round")
    taking = BudgetRoundFactory(organisation=council, place=elmwood, title="Taking ideas")
    IdeaFactory.create_batch(2, round=taking, status=IdeaStatus.SUBMITTED)
    BudgetRoundFactory(place=elmwood, title="Someone else's round")
    sign_in_with_mfa(client, officer)
    page = client.get("/organisations/kingsmere/budgets/")
    assert draft.title in page.text and taking.title in page.text and "Someone else's round" not in page.text
    assert "Check the round's details and publish it" in page.text and "2 ideas to moderate" in page.text
