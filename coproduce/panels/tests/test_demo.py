"""The demo borough's panels: the climate mini-conference selected by LEXIMIN and published (its files
reproduce it), the transport panel taking registrations."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from django.urls import reverse

from coproduce.core.demo import _logins, _organisations, _places
from coproduce.core.models import AuditEvent, CensusFigure
from coproduce.counting.sortition.cli import main as select_command  # what `coproduce select` runs
from coproduce.panels import selectors
from coproduce.panels.demo import CLIMATE_LETTERS, CLIMATE_REGISTRATIONS, build_demo_panels
from coproduce.panels.models import Feature, Invitation, Panel, RegistrantStatus, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    """The borough's places, council and log-ins (core's demo), then the panels' demo alone."""
    context = _places()
    context["organisations"] = _organisations(context)
    context["users"] = _logins(context)
    build_demo_panels(context)
    return context


def test_the_demo_panels(demo, client, tmp_path):
    climate, transport = demo["panels"]["climate"], demo["panels"]["transport"]

    # The climate mini-conference: 3,000 letters, 800 registrations with households, published.
    assert climate.size == 100 and climate.stage == Stage.PUBLISHED
    assert Invitation.objects.filter(panel=climate).count() == CLIMATE_LETTERS
    registrants = climate.registrants.all()
    assert registrants.count() == CLIMATE_REGISTRATIONS
    assert registrants.values("invitation").distinct().count() < CLIMATE_REGISTRATIONS  # households of two
    assert CensusFigure.objects.filter(question="age_band").exists()
    result = climate.result
    assert result["algorithm"] == "leximin" and result["bound"] - result["min_probability"] <= 1e-6
    members = registrants.filter(
        status__in=(RegistrantStatus.SELECTED, RegistrantStatus.CONFIRMED, RegistrantStatus.REPLACEMENT)
    )
    assert members.count() == 100
    assert members.values("invitation").distinct().count() == 100  # one per household
    assert registrants.filter(status=RegistrantStatus.CONFIRMED).count() >= 80
    assert registrants.filter(status=RegistrantStatus.REPLACEMENT, replaced__isnull=False).count() == 1
    for target in climate.targets.all():
        n = Feature.objects.filter(registrant__in=members, feature=target.feature, value=target.value).count()
        assert target.minimum <= n <= target.maximum, target
    assert AuditEvent.objects.filter(action__startswith="panel.").exists()

    # Its audit page and the API's files reproduce the published panel.
    assert client.get(reverse("panels:audit", kwargs={"pk": climate.pk})).status_code == 200
    published = selectors.selection_json(climate)
    (tmp_path / "t.csv").write_text(selectors.targets_csv(climate))
    (tmp_path / "p.csv").write_text(selectors.pool_csv(climate))
    argv = [str(tmp_path / "t.csv"), str(tmp_path / "p.csv"), "--k", "100", "--algorithm", "leximin"]
    argv += ["--id-column", "id", "--households", ",".join(published["households"]), "--seed", published["seed"]]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert select_command([*argv, "--format", "json"]) == 0
    assert sorted(json.loads(out.getvalue())["panel"]) == sorted(result["panel"])

    # The transport panel takes registrations now, with codes left for anyone trying the demo.
    assert transport.stage in (Stage.INVITING, Stage.REGISTERING)
    assert transport.registrants.count() > 0
    unused = Invitation.objects.filter(panel=transport, registrants__isnull=True).first()
    page = client.post(reverse("panels:register"), {"code": unused.code})
    assert page.status_code == 302
    assert Panel.objects.filter(stage=Stage.DRAFT).count() == 0
