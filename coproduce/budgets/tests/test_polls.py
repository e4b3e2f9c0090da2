"""Youth polls: setting one up (options with pictures and alt text), who may vote (an age range in a
place, with the reason for anyone else), one vote each of one option or up to N, the count at the
close, and the pages (the ballot with pictures, its results page, the officers' page) in English and Welsh."""

from __future__ import annotations

import datetime
import html
import io
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from coproduce.budgets import selectors, services
from coproduce.budgets.models import PollOption, PollStage, YouthPoll
from coproduce.budgets.selectors import born_by
from coproduce.budgets.tests.factories import ResidentFactory
from coproduce.core.demo import replaying
from coproduce.core.models import AuditEvent, OrganisationKind, RoleKind
from coproduce.core.tests.factories import (
    OrganisationFactory,
    PlaceFactory,
    RoleFactory,
    UserFactory,
    sign_in_with_mfa,
)
from coproduce.core.verification import VerificationLevel
from coproduce.voting.models import Ballot, BoxKind, BoxStatus, Mark

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _readable_pages(monkeypatch):
    """Read pages as people do: with HTML entities (&#x27; for ') turned back into characters."""
    from django.http import HttpResponse

    monkeypatch.setattr(HttpResponse, "text", property(lambda response: html.unescape(response.content.decode())))


def png(name: str = "picture.png", colour=(40, 120, 200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def aged(years: int, *, days: int = 30) -> datetime.date:
    """A date of birth of someone ``years`` old today (their birthday ``days`` ago)."""
    return born_by(timezone.localdate(), years) - datetime.timedelta(days=days)


def young(ward, years: int = 14, **fields):
    return ResidentFactory(ward=ward, date_of_birth=aged(years), **fields)


OPTIONS = [
    ("Climbing pyramid", "Pyramid ddringo", "A rope climbing frame shaped like a pyramid", "Ffrâm ddringo rhaff"),
    ("Zip wire", "Weiren wib", "A long zip wire with a round seat", "Weiren wib hir gyda sedd gron"),
    ("Basket swing", "Siglen fasged", "A big round swing that three people can share", "Siglen gron fawr"),
]


@pytest.fixture
def council():
    borough = PlaceFactory(kind="council_area", name="Kingsmere")
    ward = PlaceFactory(parent=borough, name="Elmwood", name_cy="Llwyn Llwyf")
    organisation = OrganisationFactory(kind=OrganisationKind.COUNCIL, slug="kingsmere", area=borough)
    officer = RoleFactory(organisation=organisation, kind=RoleKind.OFFICER).person
    return organisation, ward, officer


def new_poll(council, *, pick_limit: int = 2, options=OPTIONS, opens=None, closes=None, **fields) -> YouthPoll:
    organisation, ward, officer = council
    now = timezone.now()
    values = {
        "place": ward,
        "title": "Choose the new play park",
        "title_cy": "Dewiswch y parc chwarae newydd",
        "question": "What should we put in the new play park?",
        "question_cy": "Beth ddylen ni ei roi yn y parc chwarae newydd?",
        "opens": opens or now - DAY,
        "closes": closes or now + 7 * DAY,
        "min_age": 11,
        "max_age": 18,
        "min_level": VerificationLevel.CONFIRMED,
        "pick_limit": pick_limit,
        **fields,
    }
    poll = services.poll_create(organisation=organisation, by=officer, **values)
    for title, title_cy, alt, alt_cy in options:
        services.poll_option_add(
            poll=poll, by=officer, title=title, title_cy=title_cy, picture=png(), alt=alt, alt_cy=alt_cy
        )
    return poll


def open_poll(council, **kwargs) -> YouthPoll:
    poll = new_poll(council, **kwargs)
    officer = council[2]
    services.poll_publish(poll=poll, by=officer)
    return services.poll_open(poll=poll, by=officer)


def keys(poll: YouthPoll) -> list[str]:
    return [str(pk) for pk in selectors.poll_options(poll).values_list("pk", flat=True)]


def refused(service, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        service(**kwargs)
    return caught.value


# Services -------------------------------------------------------------------------------------------


def test_opening_puts_the_options_on_a_box_for_the_young_people_of_the_place(council):
    organisation, ward, _officer = council
    today = timezone.localdate()
    inside = [young(ward, 11), young(ward, 14), young(ward, 18)]
    turns_11_today = ResidentFactory(ward=ward, date_of_birth=born_by(today, 11))
    turns_19_today = ResidentFactory(ward=ward, date_of_birth=born_by(today, 19))
    young(ward, 10)
    young(ward, 19)
    young(PlaceFactory(), 14)  # another ward
    young(ward, 14, verification_level=VerificationLevel.DECLARED)  # not verified enough
    ResidentFactory(ward=ward)  # an adult
    poll = open_poll(council, pick_limit=2)
    assert poll.stage == PollStage.OPEN
    box = poll.box
    assert (box.kind, box.max_choices, box.app_label, box.status) == (BoxKind.APPROVAL, 2, "budgets", BoxStatus.OPEN)
    assert box.options == keys(poll) and len(box.options) == 3
    expected = {person.pk for person in [*inside, turns_11_today]}
    assert set(box.electors.values_list("person", flat=True)) == expected
    assert turns_19_today.pk not in expected and box.electorate_size == 4
    actions = set(AuditEvent.objects.filter(organisation=organisation).values_list("action", flat=True))
    assert {"budget.poll_create", "budget.poll_option_add", "budget.poll_publish", "budget.poll_open"} <= actions


def test_a_poll_needs_two_options_and_no_more_picks_than_options(council):
    officer = council[2]
    lonely = new_poll(council, options=OPTIONS[:1], pick_limit=1)
    assert refused(services.poll_publish, poll=lonely, by=officer).messages == [
        "Add at least two options to pick from."
    ]
    greedy = new_poll(council, pick_limit=3, options=OPTIONS[:2])
    error = refused(services.poll_publish, poll=greedy, by=officer)
    assert "only 2 options" in error.message_dict["pick_limit"][0]
    assert YouthPoll.objects.filter(stage=PollStage.DRAFT).count() == 2


def test_the_ages_and_dates_must_be_in_order(council):
    organisation, ward, officer = council
    now = timezone.now()
    base = {"place": ward, "title": "Park", "question": "Which?", "pick_limit": 1}
    error = refused(
        services.poll_create,
        organisation=organisation,
        by=officer,
        **base,
        opens=now,
        closes=now + DAY,
        min_age=16,
        max_age=12,
    )
    assert error.message_dict == {"max_age": ["The oldest age must be at least the youngest age."]}
    error = refused(
        services.poll_create,
        organisation=organisation,
        by=officer,
        **base,
        opens=now,
        closes=now - DAY,
        min_age=11,
        max_age=18,
    )
    assert error.message_dict == {"closes": ["Voting must close after it opens."]}
    assert not YouthPoll.objects.exists()


def test_a_picture_needs_words_saying_what_it_shows(council):
    officer = council[2]
    poll = new_poll(council, options=[])
    error = refused(services.poll_option_add, poll=poll, by=officer, title="Slide", picture=png(), alt="  ")
    assert error.message_dict == {"alt": ["Say what the picture shows, for people who cannot see it."]}
    not_a_picture = SimpleUploadedFile("slide.png", b"not a picture", content_type="image/png")
    error = refused(
        services.poll_option_add, poll=poll, by=officer, title="Slide", picture=not_a_picture, alt="A slide"
    )
    assert error.message_dict == {"picture": ["The photo must be a JPG or PNG picture."]}
    assert not PollOption.objects.exists()
    option = services.poll_option_add(poll=poll, by=officer, title="Slide", picture=png(), alt="A tall metal slide")
    assert option.picture.name.endswith(".png") and option.alt == "A tall metal slide"
    words_only = services.poll_option_add(poll=poll, by=officer, title="Sandpit")
    assert not words_only.picture and words_only.alt == ""


def test_options_and_the_poll_are_fixed_once_voting_opens(council):
    officer = council[2]
    draft = new_poll(council)
    removed = PollOption.objects.filter(poll=draft).last()
    services.poll_option_remove(option=removed, by=officer)
    assert PollOption.objects.filter(poll=draft).count() == 2
    poll = open_poll(council)
    option = PollOption.objects.filter(poll=poll).first()
    for service, kwargs in [
        (services.poll_update, {"poll": poll, "title": "Another"}),
        (services.poll_option_add, {"poll": poll, "title": "Another"}),
        (services.poll_option_remove, {"option": option}),
    ]:
        assert refused(service, by=officer, **kwargs).code == "fixed"
    assert PollOption.objects.filter(poll=poll).count() == 3


def test_one_vote_per_person(council):
    ward = council[1]
    voter = young(ward)
    poll = open_poll(council)
    first, second, third = keys(poll)
    receipt = services.poll_vote(poll=poll, person=voter, option_ids=[first, third])
    assert receipt and Mark.objects.filter(box=poll.box, elector__person=voter).count() == 1
    error = refused(services.poll_vote, poll=poll, person=voter, option_ids=[second])
    assert (error.code, error.messages) == ("already_voted", ["You have already voted in this poll."])
    assert list(Ballot.objects.filter(box=poll.box).values_list("content", flat=True)) == [[first, third]]


def test_picking_none_or_too_many_is_refused_with_a_clear_message(council):
    ward = council[1]
    voter = young(ward)
    poll = open_poll(council, pick_limit=2)
    error = refused(services.poll_vote, poll=poll, person=voter, option_ids=[])
    assert (error.code, error.messages) == ("empty", ["Pick at least one option."])
    error = refused(services.poll_vote, poll=poll, person=voter, option_ids=keys(poll))
    assert (error.code, error.messages) == ("too_many", ["You picked 3: pick up to 2."])
    error = refused(services.poll_vote, poll=poll, person=voter, option_ids=["999999"])
    assert error.code == "unknown_option"
    single = open_poll(council, pick_limit=1)
    assert refused(services.poll_vote, poll=single, person=voter, option_ids=keys(single)[:2]).messages == [
        "Pick only one option."
    ]
    assert refused(services.poll_vote, poll=single, person=voter, option_ids=[]).messages == ["Pick one option."]
    assert not Mark.objects.exists()
    assert services.poll_vote(poll=single, person=voter, option_ids=keys(single)[:1])


def test_someone_outside_the_age_range_or_the_place_is_refused_with_the_reason(council):
    ward = council[1]
    too_old, too_young, elsewhere = young(ward, 19), young(ward, 10), young(PlaceFactory(name="Ironbridge"), 14)
    poll = open_poll(council)
    today = timezone.localdate().strftime("%d/%m/%Y")
    expected = {
        too_old: f"This is for people aged 18 or younger on {today}.",
        too_young: f"You need to be 11 or older on {today} to take part.",
        elsewhere: "This is for people who live in Elmwood ward.",
    }
    for person, reason in expected.items():
        error = refused(services.poll_vote, poll=poll, person=person, option_ids=keys(poll)[:1])
        assert error.code == "not_eligible"
        assert error.messages == [reason] == [selectors.may_vote(poll, person).reason]
    assert not Mark.objects.exists()


def test_closing_seals_the_box_and_counts_what_was_cast(council):
    ward = council[1]
    voters = [young(ward, 11 + n % 8) for n in range(7)]
    poll = open_poll(council, pick_limit=2)
    a, b, c = keys(poll)
    picks = [[a, b], [b], [a, c], [b, c], [c], [a, b]]  # the seventh voter stays at home
    for voter, picked in zip(voters, picks, strict=False):
        services.poll_vote(poll=poll, person=voter, option_ids=picked)
    officer = council[2]
    assert refused(services.poll_close, poll=poll, by=officer).messages == [
        "Voting closes on the date set for the poll, not before."
    ]
    poll = services.poll_close(poll=poll, by=officer, now=poll.closes + datetime.timedelta(minutes=1))
    expected = Counter(key for picked in picks for key in picked)
    assert poll.result == {
        "votes": {key: expected[key] for key in (a, b, c)},
        "voters": len(picks),
        "electorate": len(voters),
    }
    assert poll.stage == PollStage.DECLARED and poll.declared_at is not None
    poll.box.refresh_from_db()
    assert poll.box.status == BoxStatus.SEALED
    assert AuditEvent.objects.filter(action="budget.poll_close", target_id=str(poll.pk)).exists()
    assert refused(services.poll_vote, poll=poll, person=voters[6], option_ids=[a]).code == "closed"


def test_a_vote_after_the_closing_time_is_refused(council):
    ward = council[1]
    voter = young(ward)
    with replaying(timezone.now() - 3 * DAY):
        poll = open_poll(council, closes=timezone.now() + DAY)
    assert refused(services.poll_vote, poll=poll, person=voter, option_ids=keys(poll)[:1]).messages == [
        "Voting is not open in this poll."
    ]


# Pages ----------------------------------------------------------------------------------------------


def url(poll: YouthPoll, tail: str = "", *, welsh: bool = False) -> str:
    return f"{'/cy' if welsh else ''}/budgets/polls/{poll.pk}/{tail}"


def test_the_poll_shows_big_pictures_with_alt_text_and_asks_anyone_to_sign_in(client, council):
    poll = open_poll(council)
    page = client.get(url(poll)).text
    assert "What should we put in the new play park?" in page
    assert "Young people aged 11 to 18 who live in Elmwood ward." in page
    for title, _cy, alt, _alt_cy in OPTIONS:
        assert title in page
        assert re.search(rf'<img[^>]*src="/budgets/polls/options/\d+/picture"[^>]*alt="{alt}"', page)
    assert "Sign in to vote" in page and 'type="checkbox"' not in page
    assert client.post(url(poll), {"options": keys(poll)[:1]})["Location"].startswith("/accounts/login/")
    assert not Mark.objects.exists()


def test_a_young_person_picks_up_to_n_and_is_thanked(client, council):
    ward = council[1]
    voter = young(ward)
    poll = open_poll(council, pick_limit=2)
    a, b, c = keys(poll)
    client.force_login(voter)
    page = client.get(url(poll)).text
    assert page.count('type="checkbox"') == 3 and "Pick up to 2." in page
    assert re.search(r"<legend[^>]*>\s*What should we put in the new play park\?", page)
    # Each picture sits inside its checkbox's label: one tap on it picks the option.
    assert re.search(
        r'<label class="govuk-label govuk-checkboxes__label[^"]*" for="id_options">.*?<img[^>]*alt="A rope', page, re.S
    )
    too_many = client.post(url(poll), {"options": [a, b, c]})
    assert too_many.status_code == 200
    assert "There is a problem" in too_many.text and "You picked 3: pick up to 2." in too_many.text
    assert re.search(rf'value="{c}"\s+checked', too_many.text)  # what was picked is kept
    none = client.post(url(poll), {})
    assert "Pick at least one option." in none.text and 'href="#id_options"' in none.text
    assert not Mark.objects.exists()
    sent = client.post(url(poll), {"options": [a, c]})
    assert sent.status_code == 302 and sent["Location"] == url(poll) + "#your-vote"
    thanks = client.get(url(poll)).text
    assert "Thank you — your vote is in" in thanks
    assert "We will share the result after voting closes on" in thanks and 'type="checkbox"' not in thanks
    again = client.get(url(poll)).text
    assert "You have already voted in this poll." in again and "Thank you — your vote is in" not in again
    assert list(Ballot.objects.values_list("content", flat=True)) == [[a, c]]


def test_pick_one_is_radios(client, council):
    voter = young(council[1])
    poll = open_poll(council, pick_limit=1)
    client.force_login(voter)
    page = client.get(url(poll)).text
    assert page.count('type="radio"') == 3 and "Pick one." in page and 'type="checkbox"' not in page
    assert client.post(url(poll), {"options": keys(poll)[1]}).status_code == 302
    assert list(Ballot.objects.values_list("content", flat=True)) == [[keys(poll)[1]]]


def test_someone_too_old_is_told_why_and_cannot_vote(client, council):
    too_old = young(council[1], 19)
    poll = open_poll(council)
    client.force_login(too_old)
    page = client.get(url(poll)).text
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"You cannot vote in this poll: This is for people aged 18 or younger on {today}." in page
    assert 'type="checkbox"' not in page
    refused_post = client.post(url(poll), {"options": keys(poll)[:1]})
    assert "This is for people aged 18 or younger" in refused_post.text and not Mark.objects.exists()


def test_the_poll_in_welsh(client, council):
    voter = young(council[1])
    poll = open_poll(council)
    client.force_login(voter)
    page = client.get(url(poll, welsh=True)).text
    assert '<html lang="cy"' in page
    assert "Dewiswch y parc chwarae newydd" in page and "Beth ddylen ni ei roi yn y parc chwarae newydd?" in page
    for _title, title_cy, _alt, alt_cy in OPTIONS:
        assert title_cy in page and f'alt="{alt_cy}"' in page
    assert "Llwyn Llwyf" in page
    assert client.post(url(poll, welsh=True), {"options": keys(poll)[:1]}).status_code == 302


def test_a_draft_poll_and_its_pictures_are_hidden_from_residents(client, council):
    poll = new_poll(council)
    option = PollOption.objects.filter(poll=poll).first()
    picture = f"/budgets/polls/options/{option.pk}/picture"
    client.force_login(young(council[1]))
    assert client.get(url(poll)).status_code == 404
    assert client.get(picture).status_code == 404
    assert client.get("/budgets/polls/").text.count(poll.title) == 0
    sign_in_with_mfa(client, council[2])
    assert client.get(url(poll)).status_code == 200
    shown = client.get(picture)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(shown.streaming_content))).size == (60, 40)


def declared_poll(council, picks_of) -> YouthPoll:
    """A poll opened three days ago that closed a minute ago, with ``picks_of(keys)`` cast, counted."""
    ward, officer = council[1], council[2]
    voters = [young(ward, 12 + n % 6) for n in range(6)]
    now = timezone.now()
    with replaying(now - 3 * DAY):
        poll = open_poll(council, opens=now - 4 * DAY, closes=now - datetime.timedelta(minutes=1), pick_limit=2)
        for voter, picked in zip(voters, picks_of(keys(poll)), strict=False):
            services.poll_vote(poll=poll, person=voter, option_ids=picked)
    return services.poll_close(poll=poll, by=officer)


def table_rows(page: str) -> list[tuple[str, str, int]]:
    body = page[page.index("<tbody") : page.index("</tbody>")]
    cells = re.findall(
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>\s*'
        r'<th scope="row" class="govuk-table__header">([^<]*)</th>\s*'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        body,
    )
    return [(place.strip(), title, int(votes)) for place, title, votes in cells]


def test_the_results_page_table_matches_the_stored_result(client, council):
    poll = declared_poll(council, lambda k: [[k[1], k[2]], [k[1]], [k[0], k[2]], [k[1], k[2]], [k[0]]])
    assert client.get(url(poll)).text.count("See the result") == 1
    page = client.get(url(poll, "result/")).text
    titles = dict(PollOption.objects.filter(poll=poll).values_list("pk", "title"))
    stored = {titles[int(key)]: votes for key, votes in poll.result["votes"].items()}
    rows = table_rows(page)
    assert {title: votes for _place, title, votes in rows} == stored
    assert [votes for *_rest, votes in rows] == sorted(stored.values(), reverse=True)
    # Zip wire 3, basket swing 3, climbing pyramid 2: a tie for first place, shown as one.
    assert rows == [("1 (tied)", "Zip wire", 3), ("1 (tied)", "Basket swing", 3), ("3", "Climbing pyramid", 2)]
    assert "A tie for the most votes: Zip wire, Basket swing, with 3 votes each." in page
    assert "5 of 6 young people voted (83%)." in page
    assert re.search(r'<svg class="app-chart"[^>]*role="img"', page) and "Bar chart: votes for each option" in page
    for _title, _cy, alt, _alt_cy in OPTIONS:
        assert f'alt="{alt}"' in page
    welsh = client.get(url(poll, "result/", welsh=True)).text
    assert {title for _place, title, _votes in table_rows(welsh)} == {cy for _t, cy, _a, _c in OPTIONS}


def test_no_result_page_before_the_count(client, council):
    poll = open_poll(council)
    assert client.get(url(poll, "result/")).status_code == 404


def test_the_list_shows_open_polls_and_results(client, council):
    poll = open_poll(council)
    declared = declared_poll(council, lambda k: [[k[0]]])
    page = client.get("/budgets/polls/").text
    assert f'href="/budgets/polls/{poll.pk}/"' in page
    assert f'href="/budgets/polls/{declared.pk}/result/"' in page
    assert page.index("Open now") < page.index(f"/budgets/polls/{poll.pk}/") < page.index("Results")


# The officers' pages ----------------------------------------------------------------------------------


def poll_form(**overrides) -> dict:
    start = timezone.localtime() - DAY
    end = start + 10 * DAY
    data = {
        "title": "Skate park",
        "question": "Which ramps should the skate park have?",
        "min_age": "11",
        "max_age": "18",
        "min_level": str(VerificationLevel.CONFIRMED),
        "pick_limit": "1",
        "opens_day": start.day,
        "opens_month": start.month,
        "opens_year": start.year,
        "opens_time": "09:00",
        "closes_day": end.day,
        "closes_month": end.month,
        "closes_year": end.year,
        "closes_time": "17:00",
    }
    data.update(overrides)
    return data


def test_an_officer_sets_a_poll_up_and_runs_it(client, council):
    _organisation, ward, officer = council
    voter = young(ward)
    sign_in_with_mfa(client, officer)
    create = "/organisations/kingsmere/polls/new/"
    assert "Create a youth poll" in client.get(create).text
    bad = client.post(create, poll_form(place=ward.pk, max_age="9"))
    assert bad.status_code == 200 and "The oldest age must be at least the youngest age." in bad.text
    assert 'href="#id_max_age"' in bad.text
    created = client.post(create, poll_form(place=ward.pk))
    poll = YouthPoll.objects.get()
    assert created["Location"] == f"/budgets/polls/{poll.pk}/manage/"
    manage = created["Location"]
    assert "Add at least two options" in client.get(manage).text
    no_alt = client.post(manage, {"action": "add_option", "option-title": "Half-pipe", "option-picture": png()})
    assert no_alt.status_code == 200
    assert "Say what the picture shows, for people who cannot see it." in no_alt.text
    assert 'href="#id_option-alt"' in no_alt.text and not PollOption.objects.exists()
    for title, alt in [("Half-pipe", "A curved ramp like a U"), ("Grind rail", "A low metal rail")]:
        added = client.post(
            manage, {"action": "add_option", "option-title": title, "option-picture": png(), "option-alt": alt}
        )
        assert added.status_code == 302
    assert list(PollOption.objects.values_list("alt", flat=True)) == ["A curved ramp like a U", "A low metal rail"]
    assert client.post(manage, {"action": "publish"}).status_code == 302
    assert client.post(manage, {"action": "open"}).status_code == 302
    poll.refresh_from_db()
    assert poll.stage == PollStage.OPEN and poll.box.electorate_size == 1
    early = client.post(manage, {"action": "close"})
    assert early.status_code == 200 and "Voting closes on the date set for the poll, not before." in early.text
    fixed = client.post(manage, {"action": "remove_option", "option": PollOption.objects.first().pk})
    assert "Once voting has opened the poll and its options are fixed." in fixed.text
    services.poll_vote(poll=poll, person=voter, option_ids=keys(poll)[:1])
    assert "1 of 1 young person has voted so far." in client.get(manage).text  # not "1 young people"


def test_an_officer_closes_and_counts_a_poll_whose_time_is_over(client, council):
    voter = young(council[1])
    now = timezone.now()
    with replaying(now - 3 * DAY):
        poll = open_poll(council, opens=now - 4 * DAY, closes=now - datetime.timedelta(minutes=1))
        services.poll_vote(poll=poll, person=voter, option_ids=keys(poll)[1:2])
    sign_in_with_mfa(client, council[2])
    manage = f"/budgets/polls/{poll.pk}/manage/"
    assert "Close voting and count the votes" in client.get(manage).text
    assert client.post(manage, {"action": "close"}).status_code == 302
    poll.refresh_from_db()
    assert poll.stage == PollStage.DECLARED
    assert poll.result["votes"] == {key: int(key == keys(poll)[1]) for key in keys(poll)}


def test_residents_and_other_organisations_officers_cannot_run_a_poll(client, council):
    poll = open_poll(council)
    other = RoleFactory(organisation=OrganisationFactory(kind=OrganisationKind.COUNCIL), kind=RoleKind.OFFICER)
    for person in (young(council[1]), other.person, UserFactory()):
        sign_in_with_mfa(client, person)
        assert client.get(f"/budgets/polls/{poll.pk}/manage/").status_code == 403
        assert client.post(f"/budgets/polls/{poll.pk}/manage/", {"action": "close"}).status_code == 403
        assert client.get("/organisations/kingsmere/polls/new/").status_code == 403
    assert YouthPoll.objects.get().stage == PollStage.OPEN


def test_an_officer_finds_the_polls_they_run_drafts_included(client, council):
    draft = new_poll(council)
    client.force_login(young(council[1]))
    assert f"/budgets/polls/{draft.pk}/manage/" not in client.get("/budgets/polls/").text
    sign_in_with_mfa(client, council[2])
    page = client.get("/budgets/polls/").text
    assert f'href="/budgets/polls/{draft.pk}/manage/"' in page and "Being prepared" in page
    assert 'href="/organisations/kingsmere/polls/new/"' in page


def test_the_list_takes_the_same_queries_for_more_polls(client, council):
    open_poll(council)
    sign_in_with_mfa(client, council[2])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/budgets/polls/").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(3):
        open_poll(council)
        new_poll(council)
    assert queries() == few


def test_budgets_due_opens_a_poll_on_time_and_closes_and_counts_it_at_its_close(council):
    from django.core.management import call_command

    _organisation, ward, officer = council
    voter = young(ward)
    poll = new_poll(council, opens=timezone.now() + DAY, closes=timezone.now() + 3 * DAY)
    services.poll_publish(poll=poll, by=officer)

    def due(moment) -> str:
        out = io.StringIO()
        with replaying(moment):
            call_command("budgets_due", stdout=out)
        return out.getvalue()

    assert due(timezone.now()) == "" and YouthPoll.objects.get().stage == PollStage.PUBLISHED  # not yet
    assert "Opened voting in Choose the new play park" in due(timezone.now() + DAY + HOUR)
    poll.refresh_from_db()
    assert poll.stage == PollStage.OPEN and due(timezone.now() + DAY + 2 * HOUR) == ""  # once
    with replaying(timezone.now() + 2 * DAY):
        services.poll_vote(poll=poll, person=voter, option_ids=keys(poll)[:2])
    assert "Closed and counted" in due(timezone.now() + 3 * DAY + HOUR)
    poll.refresh_from_db()
    assert poll.stage == PollStage.DECLARED and poll.result["voters"] == 1
    assert sorted(k for k, n in poll.result["votes"].items() if n) == sorted(keys(poll)[:2])
    assert due(timezone.now() + 4 * DAY) == ""
