"""The public and members' pages: the election, nominating, the ballot, receipts and results."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar
from PIL import Image

from coproduce.core.tests.factories import UserFactory
from coproduce.elections import services
from coproduce.elections.models import Nomination, NominationStatus, Stage
from coproduce.elections.tests.factories import ConstituencyFactory, ElectionFactory, NominationFactory
from coproduce.elections.tests.test_services import close_now, polling_election
from coproduce.elections.views import public
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory
from coproduce.voting import services as voting
from coproduce.voting.models import Ballot, Mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll():
    """An STV election open for voting: 3 candidates for 2 seats, 6 members with a vote."""
    election, constituency, nominations, people = polling_election()
    services.election_open_voting(election=election, by=election.returning_officer)
    constituency.refresh_from_db()
    return election, constituency, nominations, people


def ballot_url(election, constituency, tail: str = "") -> str:
    return f"/elections/{election.pk}/vote/{constituency.pk}/{tail}"


def rank(nominations, *numbers) -> dict[str, str]:
    return {f"rank_{n.pk}": str(number) for n, number in zip(nominations, numbers, strict=True)}


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        (("1", "1", ""), "You have put 1 next to more than one candidate"),
        (("1", "3", ""), "You have skipped 2"),
        (("2", "", ""), "Start with 1 for your first choice"),
        (("1", "4", ""), "Use a number from 1 to 3 for Candidate B"),
        (("1", "two", ""), "Enter a number like 1 or 2 for Candidate B"),
        (("1", "²", ""), "Enter a number like 1 or 2 for Candidate B"),  # a digit int() refuses
        (("", "", ""), "Your ballot is empty"),
    ],
)
def test_a_ranked_ballot_says_what_is_wrong_with_the_numbers(client, poll, numbers, message):
    election, constituency, nominations, people = poll
    client.force_login(people[0])
    response = client.post(ballot_url(election, constituency), rank(nominations, *numbers))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not Mark.objects.filter(box=constituency.box).exists()


def test_a_voter_checks_their_choices_casts_once_and_gets_a_receipt(client, poll):
    election, constituency, nominations, people = poll
    client.force_login(people[0])
    page = client.get(ballot_url(election, constituency)).content.decode()
    assert "Put 1 in the box next to the candidate you like most" in page
    response = client.post(ballot_url(election, constituency), rank(nominations, "2", "", "1"))
    assert response.status_code == 302 and response["Location"] == ballot_url(election, constituency, "check/")
    summary = client.get(response["Location"]).content.decode()
    assert summary.index("Candidate C") < summary.index("Candidate A") and "Candidate B" not in summary
    assert "Cast my vote" in summary and "Change" in summary
    # "Change" brings back the numbers given.
    again = client.get(ballot_url(election, constituency)).content.decode()
    assert re.search(rf'name="rank_{nominations[2].pk}"[^>]*value="1"', again)
    assert re.search(rf'name="rank_{nominations[0].pk}"[^>]*value="2"', again)
    cast = client.post(ballot_url(election, constituency, "check/"))
    assert cast.status_code == 302 and cast["Location"] == ballot_url(election, constituency, "receipt/")
    mark = Mark.objects.get(box=constituency.box, elector__person=people[0])
    assert list(Ballot.objects.filter(box=constituency.box).values_list("content", flat=True)) == [
        [str(nominations[2].pk), str(nominations[0].pk)]
    ]
    receipt = client.get(cast["Location"]).content.decode()
    assert mark.receipt in receipt
    # Said once, in the panel with the code (a banner above it said it again).
    assert receipt.count("Your vote has been recorded") == 2  # the page's title and the panel
    assert "we publish the list of every receipt code" in receipt
    # Nothing of the choices stays in the session once cast.
    assert f"elections:ballot:{constituency.pk}" not in client.session
    # A double submit, or the same page in a second tab, says so cleanly.
    twice = client.post(ballot_url(election, constituency, "check/"), follow=True)
    assert twice.status_code == 200 and "You have already voted" in twice.content.decode()
    assert Mark.objects.filter(box=constituency.box).count() == 1 == Ballot.objects.filter(box=constituency.box).count()
    assert client.get(ballot_url(election, constituency))["Location"] == ballot_url(election, constituency, "receipt/")


def test_a_vote_cast_in_another_tab_meanwhile_is_reported_not_a_500(client, poll, monkeypatch):
    election, constituency, nominations, people = poll
    client.force_login(people[1])
    client.post(ballot_url(election, constituency), rank(nominations, "1", "", ""))
    services.vote(constituency=constituency, person=people[1], choices=[str(nominations[1].pk)])  # the other tab
    # The page's own check passed before the other tab's vote landed: the service refuses it.
    monkeypatch.setattr(public.voting_selectors, "mark_for", lambda box, person: None)
    response = client.post(ballot_url(election, constituency, "check/"))
    assert response.status_code == 302 and response["Location"] == ballot_url(election, constituency, "receipt/")
    assert Ballot.objects.filter(box=constituency.box).count() == 1


def test_someone_who_voted_on_paper_is_refused_online_and_told_why(client, poll):
    election, constituency, nominations, people = poll
    voting.paper_vote_mark(box=constituency.box, person=people[2], by=election.returning_officer)
    client.force_login(people[2])
    response = client.get(ballot_url(election, constituency))
    assert response.status_code == 200
    assert "You have already voted on paper" in response.content.decode()
    client.session[f"elections:ballot:{constituency.pk}"] = [str(nominations[0].pk)]
    refused = client.post(ballot_url(election, constituency, "check/"))
    assert "You have already voted on paper" in refused.content.decode()
    assert Mark.objects.get(elector__person=people[2]).channel == "paper"
    assert Ballot.objects.filter(box=constituency.box).count() == 0


def test_someone_not_on_the_electorate_cannot_see_the_ballot(client, poll):
    election, constituency, _nominations, _people = poll
    client.force_login(UserFactory())
    response = client.get(ballot_url(election, constituency))
    assert response.status_code == 403 and "You cannot vote for these seats" in response.content.decode()


def test_a_plurality_ballot_refuses_too_many_ticks(client):
    election, constituency, nominations, people = polling_election(rules="plurality", seats=1)
    services.election_open_voting(election=election, by=election.returning_officer)
    constituency.refresh_from_db()
    client.force_login(people[0])
    page = client.get(ballot_url(election, constituency)).content.decode()
    assert "Vote for 1 candidate" in page and 'type="checkbox"' in page
    response = client.post(
        ballot_url(election, constituency), {"choices_field": [str(nominations[0].pk), str(nominations[1].pk)]}
    )
    assert response.status_code == 200
    assert "You can vote for only 1 candidate. You have ticked 2" in response.content.decode()
    ok = client.post(ballot_url(election, constituency), {"choices_field": [str(nominations[1].pk)]})
    assert ok["Location"] == ballot_url(election, constituency, "check/")
    client.post(ok["Location"])
    assert list(Ballot.objects.filter(box=constituency.box).values_list("content", flat=True)) == [
        [str(nominations[1].pk)]
    ]


# Nominating ------------------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (51.0, 28.0, 0.0)}  # GPS position
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


@pytest.fixture
def nominating(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tenant = StakeholderClassFactory()
    member = MembershipFactory(stakeholder_class=tenant)
    election = ElectionFactory(organisation=tenant.organisation)
    constituency = ConstituencyFactory(election=election)
    return election, constituency, member


def test_a_member_nominates_themself_with_a_photo_stripped_of_its_metadata(client, nominating):
    election, _constituency, member = nominating
    assert b"PhoneMaker" in jpeg_with_gps()
    client.force_login(member.person)
    assert "Nominate a candidate" in client.get(f"/elections/{election.pk}/").content.decode()
    response = client.post(
        f"/elections/{election.pk}/nominate/",
        {
            "candidate": "self",
            "ballot_name": "Cara Jones",
            "statement": "I will listen.",
            "statement_cy": "Byddaf yn gwrando.",
            "photo": SimpleUploadedFile("me.jpg", jpeg_with_gps(), content_type="image/jpeg"),
        },
    )
    nomination = Nomination.objects.get(candidate=member.person)
    assert response.status_code == 302 and response["Location"] == f"/elections/nominations/{nomination.pk}/"
    stored = nomination.photo.read()
    assert stored.startswith(b"\xff\xd8") and b"PhoneMaker" not in stored and b"secret comment" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif()
    photo = client.get(f"/elections/nominations/{nomination.pk}/photo")
    assert photo.status_code == 200 and photo["X-Content-Type-Options"] == "nosniff"
    assert photo["Content-Type"] == "image/jpeg"
    # Not accepted yet: a stranger cannot see it.
    client.force_login(UserFactory())
    assert client.get(f"/elections/nominations/{nomination.pk}/photo").status_code == 404
    assert client.get(f"/elections/nominations/{nomination.pk}/").status_code == 404


def test_a_text_file_named_jpg_is_refused_with_a_form_error(client, nominating):
    election, _constituency, member = nominating
    client.force_login(member.person)
    response = client.post(
        f"/elections/{election.pk}/nominate/",
        {
            "candidate": "self",
            "ballot_name": "Cara Jones",
            "statement": "I will listen.",
            "photo": SimpleUploadedFile("me.jpg", b"just some words, not a picture", content_type="image/jpeg"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "The photo must be a JPG or PNG picture." in html
    assert 'href="#id_photo"' in html
    assert not Nomination.objects.exists()


def test_nominating_another_member_by_number_with_proposer_and_seconder_who_confirm(client, nominating):
    election, _constituency, member = nominating
    type(election).objects.filter(pk=election.pk).update(nominations_need_proposer=True)
    org = election.organisation
    tenant = member.stakeholder_class
    candidate, seconder = (MembershipFactory(organisation=org, stakeholder_class=tenant) for _ in range(2))
    client.force_login(member.person)
    form = {
        "candidate": "other",
        "candidate_number": "99999",
        "ballot_name": "Dai Evans",
        "statement": "Experience.",
        "proposer": str(member.member_number),
        "seconder": str(seconder.member_number),
    }
    refused = client.post(f"/elections/{election.pk}/nominate/", form)
    assert "There is no member with the number 99999." in refused.content.decode()
    form["candidate_number"] = str(candidate.member_number)
    response = client.post(f"/elections/{election.pk}/nominate/", form)
    nomination = Nomination.objects.get(candidate=candidate.person)
    assert response["Location"] == f"/elections/nominations/{nomination.pk}/"
    assert nomination.waiting_for == ["candidate", "seconder"]
    client.force_login(seconder.person)
    page = client.get(f"/elections/nominations/{nomination.pk}/").content.decode()
    assert "Confirm that you second this candidate." in page
    client.post(f"/elections/nominations/{nomination.pk}/", {"action": "confirm"})
    client.force_login(candidate.person)
    client.post(f"/elections/nominations/{nomination.pk}/", {"action": "confirm"})
    nomination.refresh_from_db()
    assert nomination.is_complete
    client.post(f"/elections/nominations/{nomination.pk}/", {"action": "withdraw"})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN


def test_someone_who_is_not_a_member_cannot_nominate(client, nominating):
    election, _constituency, _member = nominating
    client.force_login(UserFactory())
    response = client.get(f"/elections/{election.pk}/nominate/")
    assert response.status_code == 403 and "Only members with a vote" in response.content.decode()


# The election, its dates, results and receipts --------------------------------------------------------


def test_the_election_page_shows_candidates_and_the_welsh_statement_in_welsh(client):
    election = ElectionFactory(title="Board election", title_cy="Etholiad y bwrdd")
    constituency = ConstituencyFactory(election=election)
    NominationFactory(
        constituency=constituency,
        ballot_name="Cara Jones",
        statement="I will listen.",
        statement_cy="Byddaf yn gwrando.",
    )
    NominationFactory(constituency=constituency, ballot_name="Not Yet", status=NominationStatus.SUBMITTED)
    english = client.get(f"/elections/{election.pk}/").content.decode()
    assert "Cara Jones" in english and "I will listen." in english and "Not Yet" not in english
    assert f'href="/elections/{election.pk}/dates.ics"' in english
    welsh = client.get(f"/cy/elections/{election.pk}/").content.decode()
    assert "Byddaf yn gwrando." in welsh and "I will listen." not in welsh and "Etholiad y bwrdd" in welsh
    listing = client.get("/elections/").content.decode()
    assert "Board election" in listing and "Taking nominations" in listing


def test_a_draft_is_seen_only_by_the_people_running_it(client):
    election = ElectionFactory(stage=Stage.DRAFT)
    assert client.get(f"/elections/{election.pk}/").status_code == 404
    client.force_login(election.returning_officer)
    assert client.get(f"/elections/{election.pk}/").status_code == 200
    assert election.title not in client.get("/elections/").content.decode()


def test_the_dates_download_as_an_icalendar_file(client):
    election = ElectionFactory(title="Board election")
    response = client.get(f"/elections/{election.pk}/dates.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Nominations: Board election", "Voting: Board election"}
    assert events["Voting: Board election"].decoded("dtstart") == election.voting_open.replace(microsecond=0)


@pytest.fixture
def declared(django_capture_on_commit_callbacks):
    election, constituency, nominations, people = polling_election()
    services.election_seed_set(election=election, seed="published-seed", by=election.returning_officer)
    services.election_open_voting(election=election, by=election.returning_officer)
    constituency.refresh_from_db()
    a, b, c = (str(n.pk) for n in nominations)
    receipts = [
        services.vote(constituency=constituency, person=people[i], choices=ranking)
        for i, ranking in enumerate([[a, b], [a, b], [a], [b, a], [c, b]])
    ]
    close_now(election)
    with django_capture_on_commit_callbacks(execute=True):
        services.election_close_voting(election=election, by=election.returning_officer)
    election.refresh_from_db()
    constituency.refresh_from_db()
    assert election.stage == Stage.DECLARED
    return election, constituency, receipts


def test_the_result_shows_the_stages_turnout_and_the_recount_command(client, declared):
    election, constituency, _receipts = declared
    html = client.get(f"/elections/{election.pk}/result/").content.decode()
    assert "Candidate A" in html and "Candidate B" in html
    assert "Stage 1" in html and "Non-transferable" in html
    assert "5 of 6 members voted (83.3%)" in html
    assert "coproduce count stv ballots.blt --rules scottish --seed published-seed --format json" in html
    assert f'href="/api/elections/{election.pk}/constituencies/{constituency.pk}/ballots.blt"' in html
    assert '<svg class="app-chart"' in html and "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_the_result_is_not_found_before_it_is_declared(client, poll):
    election, _constituency, _nominations, _people = poll
    assert client.get(f"/elections/{election.pk}/result/").status_code == 404


def test_the_printable_result_is_a_pdf(client, declared):
    election, _constituency, _receipts = declared
    response = client.get(f"/elections/{election.pk}/result.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_receipts_list_finds_a_real_code(client, declared):
    election, constituency, receipts = declared
    url = f"/elections/{election.pk}/constituencies/{constituency.pk}/receipts/"
    typed = receipts[0].lower().replace("-", " ")
    found = client.get(url, {"code": typed}).content.decode()
    assert f"The code {receipts[0]} is in the list" in found
    missing = client.get(url, {"code": "2222-3333-4444"}).content.decode()
    assert "is not in the list" in missing
    text = client.get(f"/elections/{election.pk}/constituencies/{constituency.pk}/receipts.txt").content.decode()
    assert sorted(text.split()) == sorted(receipts)
