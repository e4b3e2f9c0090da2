"""The panels' API: the list, a published selection, and its files reproducing the panel via the CLI."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from django.urls import reverse

from coproduce.core.tests.factories import OrganisationFactory, UserFactory
from coproduce.counting.sortition.cli import main as select_command  # what `coproduce select` runs
from coproduce.panels import services
from coproduce.panels.models import RegistrantStatus, Stage
from coproduce.panels.tests.factories import (
    InvitationFactory,
    PanelFactory,
    RegistrantFactory,
    TargetFactory,
    registration_dates,
)

pytestmark = pytest.mark.django_db

SEXES = ["female"] * 7 + ["male"] * 7
AGES = ["16_24", "35_44", "65_74", "16_24", "35_44", "65_74", "75_plus"] * 2


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """A panel of 6 selected from 14 (two households of two), by LEXIMIN, and published."""
    panel = PanelFactory(title="Climate panel", size=6, categories=["sex", "age_band"], **registration_dates("closed"))
    for value in ("female", "male"):
        TargetFactory(panel=panel, feature="sex", value=value, minimum=3, maximum=3)
    for value in ("16_24", "35_44", "65_74", "75_plus"):
        TargetFactory(panel=panel, feature="age_band", value=value, minimum=1, maximum=2)
    households = [InvitationFactory(panel=panel) for _ in range(12)]
    for number, (sex, age) in enumerate(zip(SEXES, AGES, strict=True)):
        invitation = households[number] if number < 12 else households[number - 12]
        RegistrantFactory(panel=panel, invitation=invitation, features={"sex": sex, "age_band": age})
    officer = UserFactory(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_seed_set(panel=panel, actor=officer, seed="ceremony-42")
        services.selection_start(panel=panel, actor=officer)
    panel.refresh_from_db()
    if panel.stage == Stage.SELECTING:
        from coproduce.panels import tasks

        tasks.select_panel.call(panel.pk)
        panel.refresh_from_db()
    assert panel.stage == Stage.SELECTED, panel.selection_problem
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_publish(panel=panel, actor=officer)
    panel.refresh_from_db()
    return panel


def test_list_shows_public_panels_only(client):
    shown = PanelFactory(title="Climate panel")
    PanelFactory(title="Draft", stage=Stage.DRAFT)
    PanelFactory(title="Hidden", organisation=OrganisationFactory(is_public=False))
    response = client.get("/api/panels/")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["id"], item["title"], item["status"]) for item in items] == [
        (shown.pk, "Climate panel", "Taking registrations")
    ]
    assert items[0]["place"] == shown.place.name


@pytest.mark.parametrize("suffix", ["selection", "targets.csv", "pool.csv"])
def test_unpublished_and_unknown_selections_are_404(client, suffix):
    panel = PanelFactory(stage=Stage.SELECTED, result={"panel": []})
    assert client.get(f"/api/panels/{panel.pk}/{suffix}").status_code == 404
    assert client.get(f"/api/panels/{panel.pk + 1000}/{suffix}").status_code == 404
    assert client.get(f"/api/panels/{2**70}/{suffix}").status_code in (404, 422)
    assert client.get(f"/api/panels/abc/{suffix}").status_code in (404, 422)
    assert client.get(f"/api/panels/-1/{suffix}").status_code in (404, 422)


def test_published_selection_json(client, published):
    response = client.get(f"/api/panels/{published.pk}/selection")
    assert response.status_code == 200
    data = response.json()
    assert data["k"] == 6 and data["algorithm"] == "leximin" and data["seed"] == "ceremony-42"
    assert data["id_column"] == "id"
    assert data["households"] == ["household"]
    assert data["targets"].startswith("http") and data["targets"].endswith(f"/api/panels/{published.pk}/targets.csv")
    assert data["pool"].endswith(f"/api/panels/{published.pk}/pool.csv")
    assert len(data["panel"]) == 6
    assert set(data["probabilities"]) == set(published.registrants.values_list("public_id", flat=True))
    assert data["min_probability"] == pytest.approx(min(data["probabilities"].values()))
    assert "coproduce select" in data["command"] and "ceremony-42" in data["command"]
    selected = set(published.registrants.filter(status=RegistrantStatus.SELECTED).values_list("public_id", flat=True))
    assert set(data["panel"]) == selected


def test_files_are_csv_without_names_or_addresses(client, published):
    targets = client.get(f"/api/panels/{published.pk}/targets.csv")
    pool = client.get(f"/api/panels/{published.pk}/pool.csv")
    assert targets["Content-Type"].startswith("text/csv") and pool["Content-Type"].startswith("text/csv")
    assert targets.content.decode().splitlines()[0].replace(" ", "").startswith("feature,value,min,max")
    text = pool.content.decode()
    assert text.splitlines()[0].split(",")[0] == "id"
    for registrant in published.registrants.select_related("invitation__address"):
        assert registrant.name not in text and registrant.email not in text
        assert registrant.invitation.address.lines not in text and registrant.invitation.code not in text


def test_the_published_files_and_command_reproduce_the_panel(client, published, tmp_path):
    data = client.get(f"/api/panels/{published.pk}/selection").json()
    targets, pool = tmp_path / "targets.csv", tmp_path / "pool.csv"
    targets.write_bytes(client.get(data["targets"]).content)
    pool.write_bytes(client.get(data["pool"]).content)
    argv = [str(targets), str(pool), "--k", str(data["k"]), "--algorithm", data["algorithm"]]
    argv += ["--id-column", data["id_column"], "--households", ",".join(data["households"])]
    argv += ["--seed", data["seed"], "--format", "json"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert select_command(argv) == 0
    report = json.loads(out.getvalue())
    assert sorted(report["panel"]) == sorted(data["panel"])
    assert report["min_probability"] == pytest.approx(data["min_probability"], abs=1e-9)
    # The command the page shows names the same options.
    for option in ("--k 6", "--algorithm leximin", "--id-column id", "--households household", "--seed ceremony-42"):
        assert option in data["command"]


def test_audit_page_shows_the_certificate_seed_and_command(client, published):
    response = client.get(reverse("panels:audit", kwargs={"pk": published.pk}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "ceremony-42" in text and "coproduce select" in text
    assert "&lt;" not in text  # nothing escaped twice
    assert "LEXIMIN (the fairest" in text
    assert "targets.csv" in text and "pool.csv" in text
    result = published.result
    if result["bound"] is not None and result["bound"] - result["min_probability"] <= 1e-6:
        assert "No fairer lottery exists" in text
    for registrant in published.registrants.all():
        assert registrant.name not in text
    # The panel page links to it now.
    assert (
        reverse("panels:audit", kwargs={"pk": published.pk})
        in client.get(reverse("panels:detail", kwargs={"pk": published.pk})).content.decode()
    )


def test_audit_page_counts_who_registered_but_could_not_be_selected(client, published):
    page = reverse("panels:audit", kwargs={"pk": published.pk})
    assert "could not be selected" not in client.get(page).content.decode()
    RegistrantFactory(panel=published, features={"sex": "prefer_not_to_say", "age_band": "16_24"})
    text = client.get(page).content.decode()
    assert "1 more person registered but could not be selected" in text
    assert "selected from 14 who registered" in text  # the pool the lottery used, as published
