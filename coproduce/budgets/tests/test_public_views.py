"""Residents' pages of a budget round: the list, the round, its calendar, ideas (reading, sending
with photos, supporting) and who is refused, with the reason."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar
from PIL import Image

from coproduce.budgets import services
from coproduce.budgets.models import Idea, IdeaPhoto, IdeaStatus, IdeaSupport, ProjectStatus, Stage
from coproduce.budgets.tests.factories import (
    BudgetRoundFactory,
    IdeaFactory,
    ProjectFactory,
    ResidentFactory,
    phases,
)
from coproduce.core.models import PlaceKind, RoleKind
from coproduce.core.tests.factories import PlaceFactory, RoleFactory, UserFactory, sign_in_with_mfa
from coproduce.core.verification import VerificationLevel

pytestmark = pytest.mark.django_db


def png(colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def upload(data: bytes | None = None, name: str = "bench.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if data is None else data, content_type="image/png")


@pytest.fixture
def elmwood(settings, tmp_path):
    """Elmwood ward's round taking ideas, a verified resident of Elmwood, and an officer running it."""
    settings.MEDIA_ROOT = tmp_path
    ward = PlaceFactory(name="Elmwood", name_cy="Coed Llwyf")
    budget_round = BudgetRoundFactory(
        place=ward,
        title="Elmwood ward budget",
        title_cy="Cyllideb ward Coed Llwyf",
        description="Money for the ward.",
        description_cy="Arian i'r ward.",
        amount=25_000_00,
    )
    officer = UserFactory()
    RoleFactory(person=officer, organisation=budget_round.organisation, kind=RoleKind.OFFICER)
    return budget_round, ResidentFactory(ward=ward), officer


def idea_form(**extra) -> dict:
    return {"title": "Benches by the canal", "description": "Three benches.", "where": "Canal path", **extra}


# The list, the round and its calendar ----------------------------------------------------------------


def test_the_list_and_the_round_in_english_and_welsh(client, elmwood):
    budget_round, _resident, _officer = elmwood
    listing = client.get("/budgets/").content.decode()
    assert "Elmwood ward budget" in listing and "Taking ideas" in listing and "£25,000.00" in listing
    assert f'href="/budgets/{budget_round.pk}/"' in listing
    assert 'href="/budgets/polls/"' in listing  # the youth polls are found from the budgets
    welsh_listing = client.get("/cy/budgets/")
    assert welsh_listing.status_code == 200 and "Cyllideb ward Coed Llwyf" in welsh_listing.content.decode()
    page = client.get(f"/budgets/{budget_round.pk}/").content.decode()
    assert "Money for the ward." in page and "£25,000.00" in page and budget_round.organisation.name in page
    assert f'href="/budgets/{budget_round.pk}/ideas/new/"' in page and "Submit an idea" in page
    assert f'href="/budgets/{budget_round.pk}/dates.ics"' in page
    assert "People who live in Elmwood ward" in page
    assert "Anyone whose address has been confirmed or checked in person" in page
    # The current phase is marked, once.
    assert page.count(">Now</strong>") == 1
    assert page.index(">Now</strong>") < page.index("Review and costing")
    welsh = client.get(f"/cy/budgets/{budget_round.pk}/").content.decode()
    assert "Cyllideb ward Coed Llwyf" in welsh and "Arian i&#39;r ward." in welsh and "Money for the ward." not in welsh
    assert f'href="/cy/budgets/{budget_round.pk}/ideas/new/"' in welsh


def test_the_round_tells_each_person_whether_they_may_take_part(client, elmwood):
    budget_round, resident, _officer = elmwood
    url = f"/budgets/{budget_round.pk}/"
    anonymous = client.get(url).content.decode()
    assert "to check whether you can take part" in anonymous and "/accounts/login/?next=" in anonymous
    # One sentence with the link inside it, the sign-in address escaped into its href.
    assert re.search(r'class="govuk-link" href="/accounts/login/\?next=[^"]+">Sign in</a> to check whether', anonymous)
    client.force_login(resident)
    assert "You can take part in this budget." in client.get(url).content.decode()
    client.force_login(ResidentFactory(ward=PlaceFactory()))
    other = client.get(url).content.decode()
    assert "This is for people who live in Elmwood ward." in other and "Submit an idea" not in other
    # Nothing they can do about where they live: no "yet".
    assert "You cannot take part in this budget." in other and "this budget yet" not in other
    client.force_login(ResidentFactory(ward=budget_round.place, verification_level=VerificationLevel.DECLARED))
    unverified = client.get(url).content.decode()
    assert "You need to confirm your address before you can take part" in unverified
    assert 'href="/account/#verification"' in unverified
    client.force_login(UserFactory())
    assert 'href="/account/details/?next=' in client.get(url).content.decode()


def test_a_draft_round_is_seen_only_by_the_people_running_it(client, elmwood):
    budget_round, resident, officer = elmwood
    type(budget_round).objects.filter(pk=budget_round.pk).update(stage=Stage.DRAFT)
    urls = [
        f"/budgets/{budget_round.pk}/",
        f"/budgets/{budget_round.pk}/dates.ics",
        f"/budgets/{budget_round.pk}/ideas/",
        f"/cy/budgets/{budget_round.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(resident)
    for url in [*urls, f"/budgets/{budget_round.pk}/ideas/new/"]:
        assert client.get(url).status_code == 404, url
    assert "Elmwood ward budget" not in client.get("/budgets/").content.decode()
    sign_in_with_mfa(client, officer)
    preview = client.get(f"/budgets/{budget_round.pk}/")
    assert preview.status_code == 200 and "This budget is being prepared" in preview.content.decode()


def test_the_dates_download_as_an_icalendar_file_with_every_phase(client, elmwood):
    budget_round, _resident, _officer = elmwood
    type(budget_round).objects.filter(pk=budget_round.pk).update(
        results_on=datetime.date(2031, 5, 1), delivery_by=datetime.date(2032, 3, 31)
    )
    budget_round.refresh_from_db()
    response = client.get(f"/budgets/{budget_round.pk}/dates.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = {str(event["summary"]): event for event in Calendar.from_ical(response.content).walk("VEVENT")}
    title = "Elmwood ward budget"
    assert set(events) == {
        f"Send ideas: {title}",
        f"Ideas reviewed and costed: {title}",
        f"Voting: {title}",
        f"Results: {title}",
        f"Projects delivered by: {title}",
    }
    second = datetime.timedelta(seconds=1)
    ideas = events[f"Send ideas: {title}"]
    assert abs(ideas.decoded("dtstart") - budget_round.ideas_open) < second
    assert abs(ideas.decoded("dtend") - budget_round.ideas_close) < second
    voting = events[f"Voting: {title}"]
    assert abs(voting.decoded("dtstart") - budget_round.voting_open) < second
    assert abs(voting.decoded("dtend") - budget_round.voting_close) < second
    assert events[f"Results: {title}"].decoded("dtstart") == datetime.date(2031, 5, 1)
    assert events[f"Projects delivered by: {title}"].decoded("dtstart") == datetime.date(2032, 3, 31)
    welsh = Calendar.from_ical(client.get(f"/cy/budgets/{budget_round.pk}/dates.ics").content)
    assert "Cyllideb ward Coed Llwyf" in str(next(iter(welsh.walk("VEVENT")))["summary"])


def test_once_reviewed_the_round_shows_the_costed_projects_the_reasons_and_the_vote(client, elmwood):
    budget_round, _resident, officer = elmwood
    type(budget_round).objects.filter(pk=budget_round.pk).update(**phases("voting"))
    ProjectFactory(round=budget_round, title="Canal benches", title_cy="Meinciau'r gamlas", cost=4_500_00)
    ProjectFactory(round=budget_round, title="Play area", cost=12_000_00)
    ProjectFactory(
        round=budget_round,
        title="A swimming pool",
        cost=None,
        status=ProjectStatus.NOT_FEASIBLE,
        reason="It would cost far more than the budget.",
    )
    budget_round.refresh_from_db()
    services.round_open_voting(budget_round=budget_round, by=officer)
    page = client.get(f"/budgets/{budget_round.pk}/").content.decode()
    assert "Voting open" in page and f'href="/budgets/{budget_round.pk}/vote/"' in page
    assert "Canal benches" in page and "£4,500.00" in page and "£12,000.00" in page
    assert "A swimming pool" in page and "It would cost far more than the budget." in page
    assert "Costed projects on the ballot" in page  # the table's caption
    assert "Meinciau&#39;r gamlas" in client.get(f"/cy/budgets/{budget_round.pk}/").content.decode()


def test_while_ideas_are_open_the_projects_are_not_shown_yet(client, elmwood):
    budget_round, _resident, _officer = elmwood
    ProjectFactory(round=budget_round, title="Early project")
    assert "Early project" not in client.get(f"/budgets/{budget_round.pk}/").content.decode()


# Sending an idea -----------------------------------------------------------------------------------


def test_a_resident_sends_an_idea_with_a_photo_and_an_officer_publishes_it(client, elmwood):
    budget_round, resident, officer = elmwood
    client.force_login(resident)
    form = client.get(f"/budgets/{budget_round.pk}/ideas/new/").content.decode()
    assert "Describe photo 1" in form and 'enctype="multipart/form-data"' in form
    response = client.post(
        f"/budgets/{budget_round.pk}/ideas/new/",
        idea_form(photo_1=upload(), alt_1="A muddy path beside the canal"),
    )
    idea = Idea.objects.get(round=budget_round)
    assert response.status_code == 302 and response["Location"] == f"/budgets/{budget_round.pk}/ideas/{idea.pk}/"
    assert (idea.title, idea.where, idea.ward, idea.proposer, idea.status) == (
        "Benches by the canal",
        "Canal path",
        budget_round.place,
        resident,
        IdeaStatus.SUBMITTED,
    )
    photo = IdeaPhoto.objects.get(idea=idea)
    assert photo.alt == "A muddy path beside the canal" and photo.image.read().startswith(b"\x89PNG")
    confirmation = client.get(response["Location"]).content.decode()
    assert "An officer will check it before it is published" in confirmation
    assert "Three benches." in confirmation and 'alt="A muddy path beside the canal"' in confirmation
    assert client.get(f"/budgets/ideas/photos/{photo.pk}")["Content-Type"] == "image/png"
    # Not published yet: no one else sees it, nor its photo.
    client.logout()
    assert client.get(f"/budgets/{budget_round.pk}/ideas/{idea.pk}/").status_code == 404
    assert client.get(f"/budgets/ideas/photos/{photo.pk}").status_code == 404
    assert "Benches by the canal" not in client.get(f"/budgets/{budget_round.pk}/ideas/").content.decode()
    services.idea_moderate(idea=idea, by=officer, publish=True)
    listing = client.get(f"/budgets/{budget_round.pk}/ideas/").content.decode()
    assert "Benches by the canal" in listing and 'alt="A muddy path beside the canal"' in listing
    assert f'src="/budgets/ideas/photos/{photo.pk}"' in listing and "0 supporters" in listing
    shown = client.get(f"/budgets/ideas/photos/{photo.pk}")
    assert shown.status_code == 200 and shown["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/cy/budgets/{budget_round.pk}/ideas/{idea.pk}/").status_code == 200


def test_a_photo_without_its_description_is_refused_on_the_field(client, elmwood):
    budget_round, resident, _officer = elmwood
    client.force_login(resident)
    response = client.post(f"/budgets/{budget_round.pk}/ideas/new/", idea_form(photo_1=upload(), alt_1="  "))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Describe the photo for people who cannot see it" in html
    assert 'href="#id_alt_1"' in html
    assert not Idea.objects.exists() and not IdeaPhoto.objects.exists()


def test_a_file_that_is_not_a_picture_is_refused_on_its_field(client, elmwood):
    budget_round, resident, _officer = elmwood
    client.force_login(resident)
    response = client.post(
        f"/budgets/{budget_round.pk}/ideas/new/",
        idea_form(
            photo_1=upload(),
            alt_1="The canal",
            photo_2=upload(b"just some words, not a picture", name="path.png"),
            alt_2="The path",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Photo 2: The photo must be a JPG or PNG picture." in html
    assert 'href="#id_photo_2"' in html
    assert not Idea.objects.exists() and not IdeaPhoto.objects.exists()


def test_a_missing_title_and_a_description_without_its_photo_are_refused(client, elmwood):
    budget_round, resident, _officer = elmwood
    client.force_login(resident)
    html = client.post(
        f"/budgets/{budget_round.pk}/ideas/new/", idea_form(title="", alt_3="A photo that never came")
    ).content.decode()
    assert "Enter a title for your idea" in html and 'href="#id_title"' in html
    assert "Choose photo 3 again, or remove its description" in html and 'href="#id_photo_3"' in html
    assert not Idea.objects.exists()


@pytest.mark.parametrize("language", ["", "/cy"])
def test_a_resident_of_another_ward_or_not_verified_enough_is_refused_with_the_reason(client, elmwood, language):
    budget_round, _resident, _officer = elmwood
    url = f"{language}/budgets/{budget_round.pk}/ideas/new/"
    client.force_login(ResidentFactory(ward=PlaceFactory()))
    for response in (client.get(url), client.post(url, idea_form())):
        assert response.status_code == 403
        if not language:
            assert "This is for people who live in Elmwood ward." in response.content.decode()
    client.force_login(ResidentFactory(ward=budget_round.place, verification_level=VerificationLevel.DECLARED))
    refused = client.post(url, idea_form())
    assert refused.status_code == 403
    html = refused.content.decode()
    assert f'href="{language}/account/#verification"' in html
    if not language:
        assert "You need to confirm your address before you can take part (at least: Address confirmed)." in html
    assert not Idea.objects.exists()


def test_signing_in_is_needed_to_send_an_idea(client, elmwood):
    budget_round, _resident, _officer = elmwood
    response = client.get(f"/budgets/{budget_round.pk}/ideas/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_once_ideas_close_the_form_sends_people_back_to_the_round(client, elmwood):
    budget_round, resident, _officer = elmwood
    type(budget_round).objects.filter(pk=budget_round.pk).update(**phases("review"))
    client.force_login(resident)
    response = client.post(f"/budgets/{budget_round.pk}/ideas/new/", idea_form(), follow=True)
    assert response.redirect_chain == [(f"/budgets/{budget_round.pk}/", 302)]
    assert "This budget round is not taking ideas." in response.content.decode()
    assert not Idea.objects.exists()


def test_a_district_round_asks_which_ward(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    district = PlaceFactory(kind=PlaceKind.DISTRICT, name="North")
    ward = PlaceFactory(parent=district, name="Elmwood")
    PlaceFactory(parent=district, name="Ashby")
    budget_round = BudgetRoundFactory(place=district)
    client.force_login(ResidentFactory(ward=ward))
    form = client.get(f"/budgets/{budget_round.pk}/ideas/new/").content.decode()
    assert "Which ward is it in?" in form and "Ashby" in form and "More than one ward, or all of North" in form
    missing = client.post(f"/budgets/{budget_round.pk}/ideas/new/", idea_form()).content.decode()
    assert "Choose the ward your idea is in" in missing and 'href="#id_ward"' in missing
    client.post(f"/budgets/{budget_round.pk}/ideas/new/", idea_form(ward=str(ward.pk)))
    assert Idea.objects.get(round=budget_round).ward == ward


def test_the_service_checks_the_photos_it_is_given(elmwood):
    budget_round, resident, _officer = elmwood

    def refusal(photos) -> ValidationError:
        with pytest.raises(ValidationError) as caught:
            services.idea_submit(
                budget_round=budget_round, person=resident, title="Benches", description="Three.", photos=photos
            )
        [error] = caught.value.error_dict["photos"]
        return error

    missing = refusal([(upload(), "The canal"), (upload(), "")])
    assert (missing.code, missing.params["number"]) == ("alt_missing", 2)
    assert missing.messages == ["Describe photo 2 for people who cannot see it."]
    assert refusal([(upload(), "x" * 301)]).code == "alt_too_long"
    assert refusal([(upload(b"GIF89a"), "Not a photo")]).code == "not_image"
    assert refusal([(upload(), "One")] * 4).messages == ["You can add up to 3 photos."]
    assert not Idea.objects.exists() and not IdeaPhoto.objects.exists()


# Reading and supporting ideas ------------------------------------------------------------------------


def test_a_resident_supports_an_idea_once(client, elmwood):
    budget_round, resident, _officer = elmwood
    idea = IdeaFactory(round=budget_round, title="Canal benches")
    url = f"/budgets/{budget_round.pk}/ideas/{idea.pk}/"
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert "Support this idea" in page and f'action="{url}support/"' in page
    first = client.post(f"{url}support/", follow=True)
    assert first.redirect_chain == [(url, 302)]
    html = first.content.decode()
    assert "Thank you: you support this idea." in html and "1 person supports this idea" in html
    assert 'action="' + url + 'support/"' not in html and "You support this idea." in html
    twice = client.post(f"{url}support/", follow=True).content.decode()
    assert "You already support this idea." in twice
    assert IdeaSupport.objects.filter(idea=idea).count() == 1
    assert "1 supporter" in client.get(f"/budgets/{budget_round.pk}/ideas/").content.decode()


def test_someone_who_may_not_take_part_sees_why_and_cannot_support(client, elmwood):
    budget_round, _resident, _officer = elmwood
    idea = IdeaFactory(round=budget_round)
    url = f"/budgets/{budget_round.pk}/ideas/{idea.pk}/"
    client.force_login(ResidentFactory(ward=PlaceFactory()))
    page = client.get(url).content.decode()
    assert "This is for people who live in Elmwood ward." in page and f'action="{url}support/"' not in page
    refused = client.post(f"{url}support/", follow=True).content.decode()
    assert "This is for people who live in Elmwood ward." in refused
    assert not IdeaSupport.objects.exists()
    client.logout()
    assert re.search(r'href="/accounts/login/\?next=[^"]+">Sign in</a> to support this idea.', client.get(url).text)
    assert client.post(f"{url}support/")["Location"].startswith("/accounts/login/")
    assert client.get(f"{url}support/").status_code == 302  # to sign in first; then a GET is refused
    client.force_login(ResidentFactory(ward=budget_round.place))
    assert client.get(f"{url}support/").status_code == 405


def test_a_hidden_idea_shows_its_reason_not_its_text(client, elmwood):
    budget_round, resident, officer = elmwood
    idea = IdeaFactory(round=budget_round, title="Rude idea", description="Something unkind.", proposer=resident)
    services.idea_moderate(idea=idea, by=officer, publish=False, reason="It named a neighbour.")
    listing = client.get(f"/budgets/{budget_round.pk}/ideas/").content.decode()
    assert "Rude idea" not in listing and "It named a neighbour." in listing and "Something unkind." not in listing
    url = f"/budgets/{budget_round.pk}/ideas/{idea.pk}/"
    page = client.get(url).content.decode()
    assert "It named a neighbour." in page and "Something unkind." not in page and "Support this idea" not in page
    client.force_login(resident)
    assert "Something unkind." in client.get(url).content.decode()
    sign_in_with_mfa(client, officer)
    assert "Something unkind." in client.get(url).content.decode()


def test_a_merged_idea_points_at_the_idea_it_joined(client, elmwood):
    budget_round, _resident, officer = elmwood
    kept = IdeaFactory(round=budget_round, title="Benches on the canal")
    duplicate = IdeaFactory(round=budget_round, title="Canal seating")
    services.ideas_merge(ideas=[duplicate], into=kept, by=officer)
    page = client.get(f"/budgets/{budget_round.pk}/ideas/{duplicate.pk}/").content.decode()
    assert "joined together" in page and f'href="/budgets/{budget_round.pk}/ideas/{kept.pk}/"' in page
    assert "Benches on the canal" in page and "Support this idea" not in page
    listing = client.get(f"/budgets/{budget_round.pk}/ideas/").content.decode()
    assert "Benches on the canal" in listing and "Canal seating" not in listing


def test_an_idea_of_another_round_is_not_found(client, elmwood):
    budget_round, _resident, _officer = elmwood
    other = IdeaFactory()
    assert client.get(f"/budgets/{budget_round.pk}/ideas/{other.pk}/").status_code == 404


def test_the_ideas_page_takes_the_same_queries_however_many_ideas(client, elmwood):
    budget_round, _resident, _officer = elmwood

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/budgets/{budget_round.pk}/ideas/").status_code == 200
        return len(captured)

    def idea_with_photo():
        idea = IdeaFactory(round=budget_round, ward=budget_round.place)
        IdeaPhoto.objects.create(idea=idea, image="budgets/ideas/x.png", alt="A picture")
        IdeaSupport.objects.create(idea=idea, person=ResidentFactory())

    idea_with_photo()
    few = queries()
    for _ in range(5):
        idea_with_photo()
    assert queries() == few


@pytest.mark.parametrize("language", ["", "/cy"])
def test_every_page_answers_in_english_and_welsh(client, elmwood, language):
    budget_round, resident, _officer = elmwood
    idea = IdeaFactory(round=budget_round)
    client.force_login(resident)
    for url in (
        "/budgets/",
        f"/budgets/{budget_round.pk}/",
        f"/budgets/{budget_round.pk}/ideas/",
        f"/budgets/{budget_round.pk}/ideas/new/",
        f"/budgets/{budget_round.pk}/ideas/{idea.pk}/",
        f"/budgets/{budget_round.pk}/dates.ics",
    ):
        response = client.get(language + url)
        assert response.status_code == 200, url
        if language and not url.endswith(".ics"):
            assert '<html lang="cy"' in response.content.decode(), url


def test_the_most_supported_ideas_come_first(client, elmwood):
    budget_round, _resident, _officer = elmwood
    quiet = IdeaFactory(round=budget_round, title="Quiet idea")
    popular = IdeaFactory(round=budget_round, title="Popular idea")
    IdeaFactory(round=budget_round, title="Newest idea")
    for _ in range(2):
        IdeaSupport.objects.create(idea=popular, person=ResidentFactory())
    IdeaSupport.objects.create(idea=quiet, person=ResidentFactory())
    html = client.get(f"/budgets/{budget_round.pk}/ideas/").content.decode()
    assert html.index("Popular idea") < html.index("Quiet idea") < html.index("Newest idea")
    assert "2 supporters" in html and "1 supporter<" in html


def test_the_list_of_rounds_takes_the_same_queries_however_many_rounds(client, elmwood):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/budgets/").status_code == 200
        return len(captured)

    few = queries()
    for phase in ("review", "voting", "ideas"):
        BudgetRoundFactory(**phases(phase))
    assert queries() == few


def test_a_round_of_a_hidden_fund_holder_is_not_found(client, elmwood):
    budget_round, resident, officer = elmwood
    idea = IdeaFactory(round=budget_round)
    type(budget_round.organisation).objects.filter(pk=budget_round.organisation_id).update(is_public=False)
    client.force_login(resident)
    for url in (f"/budgets/{budget_round.pk}/", f"/budgets/{budget_round.pk}/ideas/{idea.pk}/"):
        assert client.get(url).status_code == 404, url
    assert "Elmwood ward budget" not in client.get("/budgets/").content.decode()
    sign_in_with_mfa(client, officer)
    assert client.get(f"/budgets/{budget_round.pk}/ideas/{idea.pk}/").status_code == 200
