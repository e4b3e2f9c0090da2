"""Bugs found in review of the panels app, each with the test that showed it."""

from __future__ import annotations

import contextlib
import io
import json
import shlex

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coproduce.counting.sortition.cli import main as cli_main
from coproduce.panels import selectors, services
from coproduce.panels.services import AddressImportError

from .factories import InvitationFactory, OfficerFactory, PanelFactory, panel_with_registrants

pytestmark = pytest.mark.django_db

HEADER = "uprn,address_1,address_2,address_3,postcode\n"


def test_a_code_with_a_nul_byte_is_no_code_and_never_reaches_the_database(client, django_assert_num_queries):
    # PostgreSQL refuses NUL in text: /panels/register/%00/ was a 500 there.
    InvitationFactory(code="ABCDE23456")
    with django_assert_num_queries(0):
        assert selectors.invitation_for_code("ABCDE\x0023456") is None
    assert client.get("/panels/register/AB%00CD/").status_code == 404
    assert client.get("/panels/register/AB%00CD/done/").status_code == 404
    assert selectors.invitation_for_code("abcde-23456") is not None


def test_an_address_file_with_nul_bytes_is_refused_on_its_line(tmp_path):
    # Binary content in an address line was stored (SQLite) or a 500 (PostgreSQL).
    panel = PanelFactory(stage="draft")
    path = tmp_path / "addresses.csv"
    path.write_bytes((HEADER + "1,1 High St,,,KM1 1AA\n2,2 High\x00St,,,KM1 1AA\n").encode())
    with pytest.raises(AddressImportError) as caught:
        services.addresses_import(panel=panel, actor=None, path=path, name="addresses.csv")
    assert caught.value.line == 3
    assert not panel.addresses.exists()


def test_the_command_reproduces_the_panel_with_a_seed_starting_with_a_dash(
    django_capture_on_commit_callbacks, tmp_path
):
    # "--seed -ceremony" is refused by the command line ("expected one argument").
    panel = panel_with_registrants(people=30, size=6, shared=4)
    officer = OfficerFactory(organisation=panel.organisation).person
    services.selection_seed_set(panel=panel, actor=officer, seed="-ceremony42")
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_start(panel=panel, actor=officer)
    panel.refresh_from_db()
    assert panel.result, panel.selection_problem
    (tmp_path / "targets.csv").write_text(selectors.targets_csv(panel))
    (tmp_path / "pool.csv").write_text(selectors.pool_csv(panel))
    words = shlex.split(selectors.selection_json(panel)["command"])
    args = [str(tmp_path / w) if w in ("targets.csv", "pool.csv") else w for w in words[2:]]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = cli_main(args)
        except SystemExit as stop:
            code = stop.code
    assert code == 0
    report = json.loads(out.getvalue())
    assert report["seed"] == "-ceremony42"
    assert report["panel"] == panel.result["panel"]
    assert report["min_probability"] == panel.result["min_probability"]


def test_the_published_seed_is_on_the_panels_public_page(client):
    # The officer is told "It is on the panel's public page", but it was not there.
    panel = panel_with_registrants(people=12, size=4)
    page = client.get(reverse("panels:detail", kwargs={"pk": panel.pk})).content.decode()
    assert "ceremony-7 19 23" not in page
    services.selection_seed_set(
        panel=panel, actor=OfficerFactory(organisation=panel.organisation).person, seed="ceremony-7 19 23"
    )
    page = client.get(reverse("panels:detail", kwargs={"pk": panel.pk})).content.decode()
    assert "ceremony-7 19 23" in page


def test_one_registration_per_person_holds_for_people_who_give_only_a_phone_number():
    # The same person registering twice with a phone number (no email) was taken twice.
    invitation = InvitationFactory(panel=PanelFactory())
    answers = {"age_band": "16_24", "sex": "female"}
    services.register(invitation=invitation, name="Ann Jones", phone="07700 900 982", features=answers, consent=True)
    with pytest.raises(ValidationError):
        services.register(invitation=invitation, name="ann jones", phone="07700900982", features=answers, consent=True)
    assert invitation.registrants.count() == 1
    # Someone else in the household with the same phone may still register.
    services.register(invitation=invitation, name="Bob Jones", phone="07700 900 982", features=answers, consent=True)
    assert invitation.registrants.count() == 2


def test_a_resident_is_not_told_they_were_selected_before_the_selection_is_published():
    # Their home page said "You have been selected" as soon as the draw was made, unpublished.
    from coproduce.core.tests.factories import UserFactory
    from coproduce.panels import workspaces
    from coproduce.panels.models import RegistrantStatus, Stage

    from .factories import RegistrantFactory

    person = UserFactory()
    panel = PanelFactory(title="Climate panel", stage=Stage.SELECTED)
    registrant = RegistrantFactory(panel=panel, person=person, status=RegistrantStatus.SELECTED)
    assert workspaces.home_items(person) == []
    panel.stage = Stage.PUBLISHED
    panel.save(update_fields=["stage"])
    assert "Climate panel" in str(workspaces.home_items(person)[0].label)
    registrant.status = RegistrantStatus.CONFIRMED
    registrant.save(update_fields=["status"])
    assert workspaces.home_items(person) == []


def test_the_seed_is_final_once_registration_has_closed_and_no_one_is_added_after_it():
    """Who can be selected is known when registration closes: after that a published seed cannot be
    swapped for one that picks other people, and no one can be registered by phone."""
    from coproduce.panels.tests.factories import registration_dates

    open_panel = PanelFactory(**registration_dates("open"))
    officer = OfficerFactory(organisation=open_panel.organisation).person
    services.selection_seed_set(panel=open_panel, actor=officer, seed="first")
    services.selection_seed_set(panel=open_panel, actor=officer, seed="second")  # still open: may change
    open_panel.refresh_from_db()
    assert open_panel.selection_seed == "second"

    panel = panel_with_registrants(people=12, size=4)
    officer = OfficerFactory(organisation=panel.organisation).person
    invitation = InvitationFactory(panel=panel)
    phone = {"name": "Late Caller", "phone": "01632 960123", "features": {"sex": "female"}, "consent": True}
    # Before the seed is published an officer may still take a late registration by phone.
    services.register(invitation=invitation, by_phone=True, actor=officer, **phone)
    services.selection_seed_set(panel=panel, actor=officer, seed="ceremony")
    with pytest.raises(ValidationError, match="can no longer change"):
        services.selection_seed_set(panel=panel, actor=officer, seed="a better one")
    with pytest.raises(ValidationError, match="no one can be added now"):
        services.register(invitation=InvitationFactory(panel=panel), by_phone=True, actor=officer, **phone)
    panel.refresh_from_db()
    assert panel.selection_seed == "ceremony"


def test_the_letters_seed_is_published_on_the_panels_page(client):
    from django.utils import timezone

    panel = PanelFactory(invitation_seed="17 4 23", invited_at=timezone.now())
    assert "drawn with the seed 17 4 23" in client.get(f"/panels/{panel.pk}/").text
    undrawn = PanelFactory()
    assert "drawn with the seed" not in client.get(f"/panels/{undrawn.pk}/").text
