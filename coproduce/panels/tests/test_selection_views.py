"""The officers' selection pages: the seed published (generated or typed in from a ceremony), the
selection run as a task with its progress, targets no panel can meet explained with the smallest
change, the result against the targets with its certificate, publishing; then members confirming,
declining and replaced from the reserves with the targets still met. Garbage refused, never a 500."""

from __future__ import annotations

import html

import pytest
from django.utils import translation
from django.utils.translation import gettext

from coproduce.core.models import OrganisationKind, PlaceKind, RoleKind
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, RoleFactory, sign_in_with_mfa
from coproduce.panels.models import Panel, Registrant, RegistrantStatus, Stage
from coproduce.panels.tests.factories import PanelFactory, RegistrantFactory, TargetFactory, registration_dates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _readable_pages(monkeypatch):
    from django.http import HttpResponse

    monkeypatch.setattr(HttpResponse, "text", property(lambda response: html.unescape(response.content.decode())))


@pytest.fixture
def borough():
    return PlaceFactory(code="X06000091", name="Kingsmere", kind=PlaceKind.COUNCIL_AREA)


@pytest.fixture
def council(borough):
    return OrganisationFactory(kind=OrganisationKind.COUNCIL, name="Kingsmere Council", slug="kingsmere", area=borough)


@pytest.fixture
def officer(council):
    return RoleFactory(organisation=council, kind=RoleKind.OFFICER, person__full_name="Olu Officer").person


@pytest.fixture
def panel(council, borough):
    """A panel of 4 (two women, two men) whose registration has closed, with 6 women and 6 men registered."""
    panel = PanelFactory(
        organisation=council,
        place=borough,
        stage=Stage.REGISTERING,
        size=4,
        categories=["sex"],
        title="Climate panel",
        **registration_dates("closed"),
    )
    TargetFactory(panel=panel, feature="sex", value="female", minimum=2, maximum=2)
    TargetFactory(panel=panel, feature="sex", value="male", minimum=2, maximum=2)
    for n in range(12):
        RegistrantFactory(panel=panel, features={"sex": "female" if n % 2 else "male"}, name=f"Person {n}")
    return panel


def _url(panel, page="selection") -> str:
    return f"/panels/{panel.pk}/manage/{page}/"


def _select(client, panel, django_capture_on_commit_callbacks):
    """Publish a typed seed and run the selection (the task runs when the request's work commits)."""
    assert (
        client.post(_url(panel), {"action": "seed", "seed_choice": "typed", "seed": "4 17 23 31 42"}).status_code == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(_url(panel), {"action": "run"})
    assert started.status_code == 302
    panel.refresh_from_db()
    return panel


def test_the_seed_is_published_typed_in_or_generated(client, panel, officer):
    sign_in_with_mfa(client, officer)
    page = client.get(_url(panel))
    assert page.status_code == 200 and "Publish the seed" in page.text
    empty = client.post(_url(panel), {"action": "seed", "seed_choice": "typed", "seed": "   "})
    assert empty.status_code == 200 and "Enter the seed, or choose to generate a random one" in empty.text
    odd = client.post(_url(panel), {"action": "seed", "seed_choice": "both"})
    assert "Choose from the list" in odd.text
    panel.refresh_from_db()
    assert not panel.seed_published_at
    typed = client.post(_url(panel), {"action": "seed", "seed_choice": "typed", "seed": " 4  17 23 "})
    assert typed.status_code == 302
    panel.refresh_from_db()
    assert panel.selection_seed == "4 17 23" and panel.seed_published_at
    assert "The seed is: 4 17 23" in client.get(_url(panel)).text
    # Registration has closed: the published seed is final (no trying seeds against the known pool).
    again = client.post(_url(panel), {"action": "seed", "seed_choice": "generate", "seed": "ignored"})
    assert again.status_code == 200 and "the seed can no longer change" in again.text
    panel.refresh_from_db()
    assert panel.selection_seed == "4 17 23"


def test_a_generated_seed_is_random(client, panel, officer):
    sign_in_with_mfa(client, officer)
    generated = client.post(_url(panel), {"action": "seed", "seed_choice": "generate", "seed": "ignored"})
    assert generated.status_code == 302
    panel.refresh_from_db()
    assert panel.selection_seed.isdigit() and panel.seed_published_at


def test_the_selection_is_run_shown_against_the_targets_and_published(
    client, panel, officer, django_capture_on_commit_callbacks
):
    sign_in_with_mfa(client, officer)
    no_seed = client.post(_url(panel), {"action": "run"})
    assert no_seed.status_code == 200 and "There is a problem" in no_seed.text
    assert Panel.objects.get(pk=panel.pk).stage == Stage.REGISTERING

    panel = _select(client, panel, django_capture_on_commit_callbacks)
    assert panel.stage == Stage.SELECTED and panel.result
    selected = Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED)
    assert selected.count() == 4
    assert sorted(selected.values_list("features__value", flat=True)) == ["female", "female", "male", "male"]
    page = client.get(_url(panel))
    assert "The panel against the targets" in page.text and "Lowest chance of selection" in page.text
    assert "Certificate" in page.text and "4 17 23 31 42" in page.text
    assert "LEXIMIN (the fairest" in page.text  # the method in words, not the engine's key
    assert panel.result["certified_optimal"]
    assert "The certificate proves the lottery is as fair as the targets allow" in page.text
    assert f"{panel.result['min_probability']:.4f}" in page.text
    assert "Publish the selection and send the invitations" in page.text
    assert "No</strong>" not in page.content.decode()  # every target met
    again = client.post(_url(panel), {"action": "run"})
    assert again.status_code == 200 and "There is a problem" in again.text

    published = client.post(_url(panel), {"action": "publish"})
    assert published.status_code == 302
    panel.refresh_from_db()
    assert panel.stage == Stage.PUBLISHED
    assert "The public audit page" in client.get(_url(panel)).text


def test_the_progress_is_shown_while_the_selection_runs(client, panel, officer):
    Panel.objects.filter(pk=panel.pk).update(stage=Stage.SELECTING, progress="Computing the fairest lottery")
    sign_in_with_mfa(client, officer)
    page = client.get(_url(panel))
    assert "Computing the fairest lottery" in page.text and "Refresh to see the progress" in page.text
    assert 'http-equiv="refresh"' not in page.content.decode()  # a button, not a timed refresh
    # Stored in English, shown in the reader's language.
    with translation.override("cy"):
        welsh = gettext("Computing the fairest lottery")
    assert welsh in html.unescape(client.get("/cy" + _url(panel)).text)


def test_targets_no_panel_can_meet_are_explained_with_the_smallest_change(
    client, panel, officer, django_capture_on_commit_callbacks
):
    panel.targets.filter(value="female").update(minimum=8, maximum=8)  # only 6 women registered
    sign_in_with_mfa(client, officer)
    panel = _select(client, panel, django_capture_on_commit_callbacks)
    assert panel.stage == Stage.REGISTERING and panel.selection_problem
    page = client.get(_url(panel))
    assert "no panel meets the targets" in page.text
    for line in panel.selection_problem.splitlines():
        if line.strip():
            assert line.strip() in page.text
    assert f'href="/panels/{panel.pk}/manage/targets/"' in page.text
    assert not Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED).exists()


def test_a_drop_out_is_replaced_from_the_reserves_and_the_targets_still_hold(
    client, panel, officer, django_capture_on_commit_callbacks
):
    sign_in_with_mfa(client, officer)
    panel = _select(client, panel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url(panel), {"action": "publish"}).status_code == 302
    page = client.get(_url(panel, "members"))
    assert page.status_code == 200 and "The panel meets every target." in page.text
    first, second = Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED).order_by("pk")[:2]

    confirmed = client.post(_url(panel, "members"), {"registrant": str(first.pk), "action": "confirm"})
    assert confirmed.status_code == 302
    first.refresh_from_db()
    assert first.status == RegistrantStatus.CONFIRMED

    declined = client.post(_url(panel, "members"), {"registrant": str(second.pk), "action": "decline"})
    assert declined.status_code == 302
    second.refresh_from_db()
    assert second.status == RegistrantStatus.DECLINED
    short = client.get(_url(panel, "members"))
    assert "The panel does not meet every target now" in short.text and "Replace from the reserves" in short.text

    with django_capture_on_commit_callbacks(execute=True):
        replaced = client.post(_url(panel, "members"), {"registrant": str(second.pk), "action": "replace"})
    assert replaced.status_code == 302
    replacement = Registrant.objects.get(panel=panel, replaced=second)
    assert replacement.status == RegistrantStatus.REPLACEMENT
    assert replacement.features.get(feature="sex").value == second.features.get(feature="sex").value
    page = client.get(_url(panel, "members"))
    assert f"Replaced by {replacement.name} ({replacement.public_id})" in page.text
    assert f"Replaces {second.name} ({second.public_id})" in page.text
    assert "The panel meets every target." in page.text
    on_panel = Registrant.objects.filter(
        panel=panel, status__in=(RegistrantStatus.SELECTED, RegistrantStatus.CONFIRMED, RegistrantStatus.REPLACEMENT)
    )
    assert on_panel.count() == 4
    assert sorted(on_panel.values_list("features__value", flat=True)) == ["female", "female", "male", "male"]


def test_garbage_posted_to_the_selection_pages_is_refused_on_the_page(client, panel, officer, council):
    other = PanelFactory(organisation=council)
    stranger = RegistrantFactory(panel=other, status=RegistrantStatus.SELECTED)
    reserve = RegistrantFactory(panel=panel, status=RegistrantStatus.RESERVE)
    sign_in_with_mfa(client, officer)
    assert client.post(_url(panel), {"action": "dance"}).status_code == 200
    assert client.post(_url(panel), {}).status_code == 200
    assert client.post(_url(panel), {"action": "seed", "seed": "x" * 500, "seed_choice": "typed"}).status_code == 200
    for data in (
        {},
        {"registrant": "²", "action": "confirm"},
        {"registrant": "99999999999999999999999", "action": "replace"},
        {"registrant": str(stranger.pk), "action": "decline"},
        {"registrant": str(reserve.pk), "action": "confirm"},
        {"registrant": str(reserve.pk), "action": "explode"},
    ):
        response = client.post(_url(panel, "members"), data)
        assert response.status_code == 200 and "There is a problem" in response.text, data
    stranger.refresh_from_db()
    reserve.refresh_from_db()
    assert stranger.status == RegistrantStatus.SELECTED and reserve.status == RegistrantStatus.RESERVE
    assert client.get("/panels/0/manage/selection/").status_code == 404
    assert client.get(f"/panels/{panel.pk}/manage/members/").status_code == 200
