"""The selection: the published files reproduce the panel through the engine's CLI; targets that
cannot be met are explained with the smallest change; drop-outs are replaced keeping every target."""

from __future__ import annotations

import contextlib
import io
import json
import shlex

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from coproduce.counting.sortition.cli import main as cli_main
from coproduce.panels import selectors, services
from coproduce.panels.models import Registrant, RegistrantStatus, Stage

from .factories import OfficerFactory, panel_with_registrants

pytestmark = pytest.mark.django_db


def _officer(panel):
    return OfficerFactory(organisation=panel.organisation).person


def _select(panel, capture, seed="20261204"):
    officer = _officer(panel)
    services.selection_seed_set(panel=panel, actor=officer, seed=seed)
    with capture(execute=True):
        services.selection_start(panel=panel, actor=officer)
    panel.refresh_from_db()
    return officer


def _run_command(panel, tmp_path) -> dict:
    """Run the published command on the published files, as anyone could."""
    (tmp_path / "targets.csv").write_text(selectors.targets_csv(panel))
    (tmp_path / "pool.csv").write_text(selectors.pool_csv(panel))
    words = shlex.split(selectors.selection_json(panel)["command"])
    assert words[:2] == ["coproduce", "select"]
    args = [str(tmp_path / w) if w in ("targets.csv", "pool.csv") else w for w in words[2:]]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(args) == 0
    return json.loads(out.getvalue())


def test_the_published_command_reproduces_the_panel(django_capture_on_commit_callbacks, tmp_path):
    panel = panel_with_registrants(people=40, size=8, shared=6)
    _select(panel, django_capture_on_commit_callbacks)
    assert panel.stage == Stage.SELECTED
    result = panel.result
    assert len(result["panel"]) == 8
    report = _run_command(panel, tmp_path)
    assert report["panel"] == result["panel"]
    assert report["min_probability"] == result["min_probability"]
    assert report["inputs"]["targets"]["sha256"] == result["targets_sha256"]
    assert report["inputs"]["people"]["sha256"] == result["pool_sha256"]
    assert report["inputs"]["households"] == ["household"]
    # Statuses and probabilities follow the result.
    selected = set(
        Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED).values_list("public_id", flat=True)
    )
    assert selected == set(result["panel"])
    assert Registrant.objects.filter(panel=panel, status=RegistrantStatus.RESERVE).count() == 32
    for registrant in Registrant.objects.filter(panel=panel):
        assert registrant.probability == pytest.approx(result["probabilities"][registrant.public_id])
    assert selectors.targets_met(panel)


def test_one_per_household_is_kept_and_published(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=30, size=10, shared=10, wards=2)
    _select(panel, django_capture_on_commit_callbacks)
    chosen = Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED)
    invitations = [r.invitation_id for r in chosen]
    assert len(invitations) == len(set(invitations)) == 10
    data = selectors.selection_json(panel)
    assert data["households"] == ["household"]
    assert "--households household" in data["command"]
    # The pool is anonymised: public ids, answers, a household key; no names nor addresses.
    pool = selectors.pool_csv(panel)
    header = pool.splitlines()[0]
    assert header == "id,sex,ward,household"
    registrant = chosen.first()
    assert registrant.name not in pool
    assert registrant.invitation.address.postcode not in pool
    assert registrant.invitation.code not in pool


def test_without_the_household_rule_the_command_has_no_households(django_capture_on_commit_callbacks, tmp_path):
    panel = panel_with_registrants(people=20, size=6, one_selected_per_household=False, algorithm="maximin")
    _select(panel, django_capture_on_commit_callbacks)
    data = selectors.selection_json(panel)
    assert data["households"] == []
    assert "--households" not in data["command"]
    assert "--algorithm maximin" in data["command"]
    report = _run_command(panel, tmp_path)
    assert report["panel"] == panel.result["panel"]
    assert report["algorithm"] == "maximin"


def test_the_same_seed_gives_the_same_panel(django_capture_on_commit_callbacks):
    first = panel_with_registrants(people=30, size=6, seed=4)
    second = panel_with_registrants(people=30, size=6, seed=4)
    _select(first, django_capture_on_commit_callbacks, seed="same")
    _select(second, django_capture_on_commit_callbacks, seed="same")
    assert first.result["panel"] == second.result["panel"]


def test_infeasible_targets_are_explained_with_the_smallest_change(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=20, size=6)
    female = panel.targets.get(feature="sex", value="female")
    available = Registrant.objects.filter(panel=panel, features__feature="sex", features__value="female").count()
    female.minimum, female.maximum = available + 1, available + 1
    female.save()
    _select(panel, django_capture_on_commit_callbacks)
    assert panel.stage == Stage.REGISTERING
    assert panel.result is None
    problem = panel.selection_problem
    assert f"Only {available} people who registered are Sex: Female" in problem
    assert "smallest change" in problem
    assert "Sex: Female" in problem.split("smallest change")[1]
    assert not Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED).exists()


def test_selection_start_refusals(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=10, size=6)
    officer = _officer(panel)
    with pytest.raises(ValidationError, match="seed"):
        services.selection_start(panel=panel, actor=officer)
    services.selection_seed_set(panel=panel, actor=officer, seed=None)
    panel.refresh_from_db()
    assert panel.selection_seed.isdigit() and panel.seed_published_at is not None
    panel.size = 11
    panel.save()
    with pytest.raises(ValidationError, match="Only 10 people"):
        services.selection_start(panel=panel, actor=officer)
    panel.size = 6
    panel.save()
    panel.targets.all().delete()
    with pytest.raises(ValidationError, match="targets"):
        services.selection_start(panel=panel, actor=officer)


def test_prefer_not_to_say_leaves_someone_out_of_the_pool(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=12, size=4)
    shy = Registrant.objects.filter(panel=panel).first()
    shy.features.filter(feature="sex").update(value="prefer_not_to_say")
    assert shy in selectors.unselectable(panel)
    assert shy.public_id not in selectors.pool_csv(panel)
    _select(panel, django_capture_on_commit_callbacks)
    shy.refresh_from_db()
    assert shy.status == RegistrantStatus.RESERVE and shy.probability is None


def test_seed_cannot_change_after_the_selection(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=12, size=4)
    officer = _select(panel, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        services.selection_seed_set(panel=panel, actor=officer, seed="another")
    with pytest.raises(ValidationError):
        services.target_set(target=panel.targets.first(), actor=officer, minimum=0, maximum=4)


def test_publishing_invites_the_selected_and_writes_to_the_others(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=12, size=4)
    officer = _select(panel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_publish(panel=panel, actor=officer)
    panel.refresh_from_db()
    assert panel.stage == Stage.PUBLISHED and panel.published_at
    emails = {m.to[0]: m for m in mail.outbox}
    selected = Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED)
    for registrant in selected:
        assert "/panels/places/" in emails[registrant.email].body
        assert registrant.token_hash
    reserves = Registrant.objects.filter(panel=panel, status=RegistrantStatus.RESERVE)
    for registrant in reserves:
        assert "not selected" in emails[registrant.email].body
        assert registrant.invitation.outcome_letter_at is not None
    assert len(mail.outbox) == 12


def test_confirm_and_decline_by_token(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=12, size=4)
    officer = _select(panel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_publish(panel=panel, actor=officer)
    first, second = Registrant.objects.filter(panel=panel, status=RegistrantStatus.SELECTED)[:2]
    token = services.token_issue(first)
    assert selectors.registrant_for_token(token) == first
    assert selectors.registrant_for_token("nonsense") is None
    services.place_respond(registrant=first, accept=True)
    first.refresh_from_db()
    assert first.status == RegistrantStatus.CONFIRMED and first.responded_at
    with pytest.raises(ValidationError):
        services.place_respond(registrant=first, accept=True)
    services.place_respond(registrant=second, accept=False, actor=officer)
    second.refresh_from_db()
    assert second.status == RegistrantStatus.DECLINED
    reserve = Registrant.objects.filter(panel=panel, status=RegistrantStatus.RESERVE).first()
    with pytest.raises(ValidationError):
        services.place_respond(registrant=reserve, accept=True)


def test_a_dropout_is_replaced_and_every_target_still_holds(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=40, size=8, shared=6, seed=3)
    officer = _select(panel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_publish(panel=panel, actor=officer)
    mail.outbox.clear()
    for round_ in range(3):
        gone = Registrant.objects.filter(panel=panel, status__in=selectors.MEMBER_STATUSES).order_by("public_id")[
            round_
        ]
        with django_capture_on_commit_callbacks(execute=True):
            [replacement] = services.dropout_replace(panel=panel, actor=officer, registrant=gone)
        gone.refresh_from_db()
        assert gone.status == RegistrantStatus.DECLINED
        assert replacement.status == RegistrantStatus.REPLACEMENT
        assert replacement.replaced == gone
        assert selectors.targets_met(panel), f"a target broke after replacing {gone.public_id}"
        # Still one person per household.
        members = Registrant.objects.filter(panel=panel, status__in=selectors.MEMBER_STATUSES)
        assert members.count() == 8
        assert len({m.invitation_id for m in members}) == 8
        # Nobody who dropped out is asked again.
        declined = set(
            Registrant.objects.filter(panel=panel, status=RegistrantStatus.DECLINED).values_list("pk", flat=True)
        )
        assert not declined & {m.pk for m in members}
    assert len(mail.outbox) == 3
    assert all("/panels/places/" in m.body for m in mail.outbox)
    with pytest.raises(ValidationError, match="already been replaced"):
        services.dropout_replace(panel=panel, actor=officer, registrant=gone)


def test_the_audit_compares_targets_pool_and_panel(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=24, size=6)
    _select(panel, django_capture_on_commit_callbacks)
    audit = selectors.audit(panel)
    assert [t["feature"] for t in audit["targets"]] == ["sex", "ward"]
    for category in audit["targets"]:
        assert sum(v["pool"] for v in category["values"]) == 24
        assert sum(v["panel"] for v in category["values"]) == 6
        for value in category["values"]:
            assert value["minimum"] <= value["panel"] <= value["maximum"]
    assert sum(p["count"] for p in audit["profiles"]) == 24
    assert audit["profiles"][0]["probability"] == pytest.approx(panel.result["min_probability"], abs=1e-6)
    assert audit["certificate"]["optimal"] is True
    assert audit["seed"] == panel.selection_seed
    assert audit["command"] == selectors.selection_json(panel)["command"]
    data = selectors.selection_json(panel)
    assert data["targets"].endswith(f"/panels/{panel.pk}/targets.csv")
    assert data["pool"].endswith(f"/panels/{panel.pk}/pool.csv")
    assert data["id_column"] == "id"
    assert set(data["probabilities"]) == {line.split(",")[0] for line in selectors.pool_csv(panel).splitlines()[1:]}
