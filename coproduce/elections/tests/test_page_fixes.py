"""Pages fixed after walking the journeys in the browser: each test failed before its fix."""

from __future__ import annotations

import pytest

from coproduce.elections.tests.factories import ConstituencyFactory, ElectionFactory
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nominating():
    tenant = StakeholderClassFactory()
    member = MembershipFactory(stakeholder_class=tenant)
    election = ElectionFactory(organisation=tenant.organisation)
    ConstituencyFactory(election=election)
    return election, member


def test_the_nominate_page_asks_for_the_member_number_without_a_conditional_reveal(client, nominating):
    """GOV.UK Frontend's script puts ``aria-expanded`` on a radio that reveals a field, which ARIA does
    not allow on a radio (axe: aria-allowed-attr). The member number is asked for in its own box."""
    election, member = nominating
    client.force_login(member.person)
    html = client.get(f"/elections/{election.pk}/nominate/").content.decode()
    assert "govuk-radios__conditional" not in html and "data-aria-controls" not in html
    assert 'name="candidate_number"' in html
    assert "Their member number, if you are nominating another member" in html


# The result page ---------------------------------------------------------------------------------


def _declared(rules: str, django_capture_on_commit_callbacks):
    from coproduce.elections import services
    from coproduce.elections.tests.test_services import close_now, polling_election

    election, constituency, nominations, people = polling_election(rules=rules)
    services.election_seed_set(election=election, seed="published-seed", by=election.returning_officer)
    services.election_open_voting(election=election, by=election.returning_officer)
    constituency.refresh_from_db()
    a, b, c = (str(n.pk) for n in nominations)
    for i, ranking in enumerate([[a, b], [a, b], [a], [b, a], [c, b]]):
        services.vote(constituency=constituency, person=people[i], choices=ranking)
    close_now(election)
    with django_capture_on_commit_callbacks(execute=True):
        services.election_close_voting(election=election, by=election.returning_officer)
    election.refresh_from_db()
    return election


def test_long_decimals_keep_every_digit_but_read_as_two_places():
    from coproduce.elections.results import figure, figure_html

    assert figure("17.000000000") == "17" and figure("0E-9") == "0" and figure("1234.50000") == "1,234.5"
    assert figure_html("51.00") == "51"
    html = figure_html("50.250000001")
    assert html == '50.25<span class="govuk-!-font-size-16">0000001</span>'
    assert html.replace('<span class="govuk-!-font-size-16">', "").replace("</span>", "") == "50.250000001"


def test_a_meek_result_sets_the_long_decimals_smaller(client, django_capture_on_commit_callbacks):
    election = _declared("meek", django_capture_on_commit_callbacks)
    html = client.get(f"/elections/{election.pk}/result/").content.decode()
    # Meek's quota and the votes after its surplus transfers run to nine decimal places.
    assert '1.51<span class="govuk-!-font-size-16">8518519</span>' in html
    assert '1.66<span class="govuk-!-font-size-16">6666668</span>' in html


def test_each_stage_is_told_in_the_readers_language_not_the_engines_english(client, django_capture_on_commit_callbacks):
    from django.utils import translation

    election = _declared("scottish", django_capture_on_commit_callbacks)
    html = client.get(f"/elections/{election.pk}/result/").content.decode()
    assert "papers transferred at their value" not in html  # the engine's words, for the record
    assert "The first preferences were counted." in html
    assert "Candidate C had the fewest votes and was excluded: their ballots passed on to the next choices." in html
    welsh = client.get(f"/cy/elections/{election.pk}/result/").content.decode()
    with translation.override("cy"):
        first = translation.gettext("The first preferences were counted.")
    assert first != "The first preferences were counted." and first in welsh
    assert "First preferences counted" not in welsh


def test_an_untranslated_note_from_the_rules_is_marked_english():
    from django.utils import translation

    from coproduce.elections.results import note_text

    translation.activate("en")  # a page fetched in Welsh earlier leaves Welsh active in this thread
    assert note_text("Stage 2: surpluses (1.00) deferred (5.2.2).") == (
        "Stage 2: surpluses (1.00) deferred (5.2.2).",
        "en",
    )
    text, lang = note_text("Stage 2: quota recalculated to 51.00 (5.4.8).")
    assert lang is None and text == "At stage 2 the quota was recalculated to 51, as some ballots had no more choices."


def test_a_sealed_batch_still_says_how_many_papers_it_held(client):
    """The demo's North Homes batches: once sealed, the page said only that the papers had left it."""
    from coproduce.core.demo import build_demo
    from coproduce.core.tests.factories import sign_in_with_mfa
    from coproduce.voting.models import PaperBatch

    build_demo()
    batch = PaperBatch.objects.filter(papers__gt=1).select_related("box").first()
    assert batch.box.status == "sealed"
    from coproduce.elections.models import Constituency

    election = Constituency.objects.get(box=batch.box).election
    sign_in_with_mfa(client, election.returning_officer)
    html = client.get(f"/elections/{election.pk}/paper/batches/{batch.pk}/").content.decode()
    assert f"The batch held {batch.papers} papers when it was checked." in html


def test_several_candidates_elected_at_one_stage_are_listed_as_a_sentence_lists_them():
    """ "Grace Nowak, Ellie Nowak reached the quota" read like a list; a sentence says "and" ("a" in Welsh)."""
    from django.utils import translation

    from coproduce.elections.results import stage_story

    names = ["Ann", "Bryn", "Cai"]
    stage = {"action": "exclusion", "subjects": [1], "elected": [2, 3], "tie_breaks": []}
    assert stage_story(stage, names).endswith("Bryn and Cai reached the quota and were elected.")
    with translation.override("cy"):
        assert "Bryn a Cai" in stage_story(stage, names)
        assert "Bryn ac Ellie" in stage_story({**stage, "elected": [2, 4]}, [*names, "Ellie"])
