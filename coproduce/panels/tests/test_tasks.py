"""Panels' tasks and the panels_due command: emails in each person's language, the selection's
progress, registration opening by date."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from coproduce.core.accounts import site_url
from coproduce.panels import services, tasks
from coproduce.panels.models import Panel, RegistrantStatus, Stage

from .factories import InvitationFactory, PanelFactory, RegistrantFactory, panel_with_registrants, registration_dates

pytestmark = pytest.mark.django_db


def test_the_confirmation_is_in_the_registrants_language():
    panel = PanelFactory(title="Climate panel", title_cy="Panel hinsawdd")
    welsh = RegistrantFactory(panel=panel, language="cy")
    english = RegistrantFactory(panel=panel, language="en")
    tasks.send_registration_confirmation.call(welsh.pk)
    tasks.send_registration_confirmation.call(english.pk)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "Panel hinsawdd" in by_to[welsh.email].subject
    assert "Climate panel" in by_to[english.email].subject
    assert welsh.public_id in by_to[welsh.email].body
    with translation.override("cy"):
        assert site_url(reverse("panels:detail", args=(panel.pk,))) in by_to[welsh.email].body


def test_no_email_for_someone_registered_by_phone_without_one():
    registrant = RegistrantFactory(email="", phone="01632 960001")
    tasks.send_registration_confirmation.call(registrant.pk)
    assert mail.outbox == []


def test_the_invitation_link_is_in_the_readers_language_and_works():
    panel = PanelFactory(stage=Stage.PUBLISHED)
    person = RegistrantFactory(panel=panel, status=RegistrantStatus.SELECTED, language="cy")
    RegistrantFactory(panel=panel, status=RegistrantStatus.RESERVE)
    assert tasks.send_selection_invitations.call(panel.pk) == 1
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/panels/places/" in word)
    assert "/cy/" in link
    token = link.rstrip("/").rsplit("/", 1)[1]
    from coproduce.panels import selectors

    assert selectors.registrant_for_token(token) == person


def test_not_selected_letters_are_marked_sent():
    panel = PanelFactory(stage=Stage.PUBLISHED)
    reserve = RegistrantFactory(panel=panel, status=RegistrantStatus.RESERVE)
    RegistrantFactory(panel=panel, status=RegistrantStatus.SELECTED)
    assert tasks.send_not_selected.call(panel.pk) == 1
    reserve.invitation.refresh_from_db()
    assert reserve.invitation.outcome_letter_at is not None
    assert mail.outbox[0].to == [reserve.email]


def test_the_selection_task_leaves_no_progress_behind(django_capture_on_commit_callbacks):
    panel = panel_with_registrants(people=12, size=4)
    services.selection_seed_set(panel=panel, actor=None, seed="1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.selection_start(panel=panel, actor=None)
    panel.refresh_from_db()
    assert panel.stage == Stage.SELECTING and panel.progress == services.PROGRESS_CHECKING
    assert len(callbacks) == 1
    tasks.select_panel.call(panel.pk)
    panel.refresh_from_db()
    assert panel.stage == Stage.SELECTED and panel.progress == ""
    # Running it again does nothing.
    tasks.select_panel.call(panel.pk)
    assert Panel.objects.get(pk=panel.pk).selected_at == panel.selected_at


def test_panels_due_opens_registration_on_its_date():
    due = PanelFactory(stage=Stage.INVITING, **registration_dates("open"))
    later = PanelFactory(stage=Stage.INVITING, **registration_dates("before"))
    InvitationFactory(panel=due)
    out = io.StringIO()
    call_command("panels_due", stdout=out)
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.stage == Stage.REGISTERING
    assert later.stage == Stage.INVITING
    assert f"({due.pk})" in out.getvalue()
    again = io.StringIO()
    call_command("panels_due", stdout=again)
    assert again.getvalue() == ""
