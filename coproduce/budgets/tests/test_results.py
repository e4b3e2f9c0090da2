"""The result page (every project explained, both charts with their tables, the fund holder's
departures beside the count, how to recount it, constant queries), a project's page with its
delivery and following, update photos, the bar chart, in English and Welsh."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from coproduce.budgets import services
from coproduce.budgets.models import BallotKind, CountRule, DeliveryStatus, Project, ProjectFollow, UpdatePhoto
from coproduce.budgets.results import percent, recount_command
from coproduce.budgets.tests.factories import IdeaFactory
from coproduce.budgets.tests.test_count import CRAFTED, counted
from coproduce.budgets.tests.test_vote import voting_round
from coproduce.core.charts import bar_chart
from coproduce.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEPARTURE_FOR = "The school next door will pay for half of it."
DEPARTURE_AGAINST = "The land turned out to belong to the canal trust."


def result_url(budget_round, *, welsh: bool = False) -> str:
    return f"{'/cy' if welsh else ''}/budgets/{budget_round.pk}/result/"


def project_url(project, tail: str = "", *, welsh: bool = False) -> str:
    return f"{'/cy' if welsh else ''}/budgets/{project.round_id}/projects/{project.pk}/{tail}"


def between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def cells(html: str, table_id: str) -> list[list[str]]:
    """The rows of the table with ``table_id``, as the text of their cells."""
    table = between(html, f'id="{table_id}"', "</table>")
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        found = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append([" ".join(cell.split()) for cell in found])
    return rows


@pytest.fixture
def declared(django_capture_on_commit_callbacks):
    """Equal Shares on the crafted example: A and C funded, B's supporters' shares ran out after A."""
    budget_round, _names = counted(django_capture_on_commit_callbacks, rule=CountRule.MES, **CRAFTED)
    projects = {project.title: project for project in Project.objects.filter(round=budget_round)}
    return budget_round, projects


def test_the_result_explains_every_project_with_both_charts_their_tables_and_the_departures(client, declared):
    budget_round, projects = declared
    officer = UserFactory()
    services.departure_record(
        budget_round=budget_round, project=projects["B"], funded=True, reason=DEPARTURE_FOR, by=officer
    )
    services.departure_record(
        budget_round=budget_round, project=projects["C"], funded=False, reason=DEPARTURE_AGAINST, by=officer
    )
    response = client.get(result_url(budget_round))
    assert response.status_code == 200
    html = response.content.decode()
    # Every project, with the explanation the count stored for it.
    text = unescape(html)
    for entry in budget_round.result["projects"]:
        assert entry["explanation"] in text
    assert "Funded: its 6 supporters&#39; equal shares covered its cost in round 1." in html
    assert "Not funded: its 6 supporters&#39; shares ran out after funding A." in html
    every = cells(html, "budget-projects")
    assert [row[0] for row in every[1:]] == ["A", "C", "B"]  # funded first, in funding order
    assert every[1][3] == "Funded" and every[3][3] == "Not funded"
    # Two charts, each an image with a title and a description, each with its data table.
    charts = re.findall(r'<svg class="app-chart"[^>]*role="img"[^>]*>', html)
    assert len(charts) == 2
    for name in ("budget-share", "budget-votes"):
        assert f'<title id="{name}-{budget_round.pk}-title">' in html
        assert f'<desc id="{name}-{budget_round.pk}-desc">' in html
    assert cells(html, "budget-share-data")[1:] == [
        ["A", "£45.00", "45%"],
        ["C", "£50.00", "50%"],
        ["Money left", "£5.00", "5%"],
    ]
    assert cells(html, "budget-votes-data")[1:] == [["A", "6"], ["B", "6"], ["C", "4"]]
    assert 'id="budget-share-data-caption"' in html and 'id="budget-votes-data-caption"' in html
    # The fund holder's departures beside the count, and what will be delivered as a result.
    departures = between(html, 'id="departures"', "What will be delivered")
    assert DEPARTURE_FOR in departures and DEPARTURE_AGAINST in departures
    assert ">B</a> was funded, although the count did not select it." in departures
    assert ">C</a> was not funded, although the count selected it." in departures
    delivered = between(html, "What will be delivered", "Share of the budget")
    assert ">A</a>" in delivered and ">B</a>" in delivered and ">C</a>" not in delivered
    # The figures, the rule, and how to recount.
    assert "£95.00" in html and "£5.00" in html
    assert "10 of 10 residents voted (100%)" in html
    assert "Method of Equal Shares" in html
    assert f'href="/api/budgets/{budget_round.pk}/ballots.pb"' in html
    assert "coproduce count pb ballots.pb --rule as-declared --format json" in html
    assert f"published before the count: {budget_round.seed}." in html


def test_without_departures_the_page_says_the_count_was_followed(client, declared):
    budget_round, _projects = declared
    html = client.get(result_url(budget_round)).content.decode()
    assert "has followed the count" in html
    delivered = between(html, "What will be delivered", "Share of the budget")
    assert ">A</a>" in delivered and ">C</a>" in delivered and ">B</a>" not in delivered


def test_there_is_no_result_before_the_count(client):
    budget_round, _keys, _voters = voting_round()
    response = client.get(result_url(budget_round))
    assert response.status_code == 404
    html = response.content.decode()
    assert "The result of this budget round has not been declared yet." in html
    assert "Voting is open until" in html


def test_a_points_result_charts_points(client, django_capture_on_commit_callbacks):
    budget_round, _names = counted(
        django_capture_on_commit_callbacks,
        rule=CountRule.GREEDY,
        ballot_kind=BallotKind.POINTS,
        ballot_limit=10,
        ballots=[[["A", 9], ["B", 1]]] * 6 + [[["C", 10]]] * 4,
        costs=CRAFTED["costs"],
    )
    html = client.get(result_url(budget_round)).content.decode()
    assert "Bar chart: the points each project was given." in html
    assert cells(html, "budget-votes-data")[1:] == [["A", "54", "6"], ["C", "40", "4"], ["B", "6", "6"]]
    assert "Most votes first" in html and "the order is by points" in html


def many(capture, projects: int, voters: int):
    costs = {f"Project {number:02d}": (number + 1) * 1_00 for number in range(projects)}
    names = list(costs)
    ballots = [[names[voter % projects], names[(voter * 7 + 3) % projects]] for voter in range(voters)]
    ballots = [sorted(set(ballot)) for ballot in ballots]
    budget_round, _names = counted(capture, rule=CountRule.MES, ballots=ballots, costs=costs, amount=30_00)
    return budget_round


def test_the_result_page_costs_the_same_queries_however_many_projects_and_voters(
    client, django_capture_on_commit_callbacks
):
    small = many(django_capture_on_commit_callbacks, projects=3, voters=4)
    large = many(django_capture_on_commit_callbacks, projects=15, voters=40)
    for budget_round in (small, large):
        project = Project.objects.filter(round=budget_round).first()
        services.departure_record(
            budget_round=budget_round,
            project=project,
            funded=project.pk not in map(int, budget_round.result["selected"]),
            reason="Because.",
            by=UserFactory(),
        )
    counts = []
    for budget_round in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(result_url(budget_round)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6


def test_the_result_in_welsh_names_the_projects_in_welsh(client, declared):
    budget_round, projects = declared
    for name, project in projects.items():
        project.title_cy = f"Prosiect {name}"
        project.save(update_fields=["title_cy"])
    response = client.get(result_url(budget_round, welsh=True))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="cy"' in html
    assert ">Prosiect A</a>" in html and f'href="/cy/budgets/{budget_round.pk}/projects/' in html
    # The explanation names the project funded before, in Welsh.
    assert "Prosiect A." in between(html, ">Prosiect B</a>", "</tr>")


# A project and its delivery ------------------------------------------------------------------------


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="PNG")
    return out.getvalue()


def test_a_funded_projects_page_shows_its_delivery_and_updates_newest_first(client, declared, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    budget_round, projects = declared
    project = projects["A"]
    project.cost_breakdown = "Benches: £30\nFitting: £15"
    project.delivery_time = "Three months"
    project.save(update_fields=["cost_breakdown", "delivery_time"])
    idea = IdeaFactory(round=budget_round, title="Benches by the canal")
    project.ideas.add(idea)
    officer = UserFactory()
    first = services.project_update_add(
        project=project, by=officer, text="The benches are ordered.", on=datetime.date(2026, 3, 1)
    )
    services.project_update_add(project=project, by=officer, text="The benches are in.", on=datetime.date(2026, 5, 1))
    services.project_delivery_set(project=project, status=DeliveryStatus.IN_PROGRESS, by=officer)
    photo = UpdatePhoto(update=first, alt="Three benches on a lorry", alt_cy="Tair mainc ar lori")
    photo.image.save("benches.png", ContentFile(png()), save=True)
    html = client.get(project_url(project)).content.decode()
    assert (
        "Funded" in html and "Under way" in html and "Three months" in html and "Benches: £30<br>Fitting: £15" in html
    )
    assert "Funded: its 6 supporters&#39; equal shares covered its cost in round 1." in html
    assert html.index("The benches are in.") < html.index("The benches are ordered.")
    assert f'src="/budgets/updates/photos/{photo.pk}" alt="Three benches on a lorry"' in html
    assert f'href="/budgets/{budget_round.pk}/ideas/{idea.pk}/"' in html
    assert "Sign in to follow this project</a> and be emailed each update on its delivery." in html
    assert f'href="/accounts/login/?next=/budgets/{budget_round.pk}/projects/' in html
    welsh = client.get(project_url(project, welsh=True))
    assert welsh.status_code == 200 and 'alt="Tair mainc ar lori"' in welsh.content.decode()
    served = client.get(f"/budgets/updates/photos/{photo.pk}")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png()


def test_a_project_not_funded_has_no_delivery_and_cannot_be_followed(client, declared):
    _budget_round, projects = declared
    project = projects["B"]
    person = UserFactory()
    client.force_login(person)
    html = client.get(project_url(project)).content.decode()
    assert "Not funded" in html and "Delivery" not in html and "Follow this project" not in html
    response = client.post(project_url(project, "follow/"), {"action": "follow"}, follow=True)
    assert "Only a funded project has a delivery to follow." in response.content.decode()
    assert not ProjectFollow.objects.exists()


def test_following_a_funded_project_and_stopping(client, declared):
    _budget_round, projects = declared
    project = projects["C"]
    person = UserFactory()
    client.force_login(person)
    assert "Follow this project" in client.get(project_url(project)).content.decode()
    response = client.post(project_url(project, "follow/"), {"action": "follow"})
    assert response.status_code == 302 and response["Location"] == project_url(project)
    client.post(project_url(project, "follow/"), {"action": "follow"})  # again: still once
    assert ProjectFollow.objects.filter(project=project, person=person).count() == 1
    html = client.get(project_url(project)).content.decode()
    assert "Stop following" in html and "1 person follows this project." in html
    client.post(project_url(project, "follow/"), {"action": "stop"})
    assert not ProjectFollow.objects.filter(project=project, person=person).exists()
    empty = client.post(project_url(project, "follow/"), follow=True)
    assert "Choose whether to follow this project or stop following it." in empty.content.decode()
    assert client.get(project_url(project, "follow/")).status_code == 405
    client.logout()
    assert client.post(project_url(project, "follow/"), {"action": "follow"})["Location"].startswith("/accounts/login/")


def test_the_follow_services_are_idempotent_and_only_for_funded_projects(declared):
    from django.core.exceptions import ValidationError

    _budget_round, projects = declared
    person = UserFactory()
    first = services.project_follow(project=projects["A"], person=person)
    assert services.project_follow(project=projects["A"], person=person) == first
    services.project_unfollow(project=projects["A"], person=person)
    services.project_unfollow(project=projects["A"], person=person)
    assert not ProjectFollow.objects.exists()
    with pytest.raises(ValidationError):
        services.project_follow(project=projects["B"], person=person)
    _open, keys, _voters = voting_round()
    with pytest.raises(ValidationError):
        services.project_follow(project=Project.objects.get(pk=keys[0]), person=person)


def test_a_project_on_an_open_ballot_and_of_a_draft_round(client):
    from coproduce.budgets.models import Stage
    from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory

    budget_round, keys, _voters = voting_round()
    project = Project.objects.get(pk=keys[0])
    html = client.get(project_url(project)).content.decode()
    assert "On the ballot" in html and "Delivery" not in html and "In the count" not in html
    draft = ProjectFactory(round=BudgetRoundFactory(stage=Stage.DRAFT))
    assert client.get(project_url(draft)).status_code == 404
    assert client.get(f"/budgets/{budget_round.pk}/projects/{draft.pk}/").status_code == 404


def test_a_photo_of_a_draft_rounds_update_is_not_found(client, settings, tmp_path, declared):
    from coproduce.budgets.models import Stage

    settings.MEDIA_ROOT = tmp_path
    budget_round, projects = declared
    update = services.project_update_add(project=projects["A"], by=UserFactory(), text="Started.")
    photo = UpdatePhoto(update=update, alt="A bench")
    photo.image.save("bench.png", ContentFile(png()), save=True)
    assert client.get(f"/budgets/updates/photos/{photo.pk}").status_code == 200
    type(budget_round).objects.filter(pk=budget_round.pk).update(stage=Stage.DRAFT)
    assert client.get(f"/budgets/updates/photos/{photo.pk}").status_code == 404


# The figures and the bar chart ----------------------------------------------------------------------


def test_percent_and_the_recount_command():
    assert percent(45_00, 100_00) == "45%"
    assert percent(1, 3) == "33.3%"
    assert percent(0, 0) == "0%"
    assert recount_command() == "coproduce count pb ballots.pb --rule as-declared --format json"


def test_a_bar_chart_is_an_image_with_a_title_a_description_and_escaped_labels():
    svg = str(
        bar_chart(
            [("Benches <and> bins", 45.0), ("A very long project title that goes on and on", 50.0), ("Left", 5.0)],
            title="Share of the budget",
            description="Each bar is a cost.",
            chart_id="share",
            value_labels=["£45.00", "£50.00", "£5.00"],
            hollow={2},
        )
    )
    assert svg.startswith('<svg class="app-chart"') and 'role="img"' in svg
    assert 'aria-labelledby="share-title"' in svg and 'aria-describedby="share-desc"' in svg
    assert '<title id="share-title">Share of the budget</title>' in svg
    assert '<desc id="share-desc">Each bar is a cost.</desc>' in svg
    assert "Benches &lt;and&gt; bins" in svg and "<and>" not in svg
    assert "A very long project tit…" in svg  # the table beside it has the whole title
    assert svg.count('<rect class="app-chart__point"') == 2 and svg.count('<rect class="app-chart__line"') == 1
    assert "style=" not in svg  # the CSP allows no inline styles
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]
    assert widths[1] > widths[0] > widths[2]  # longer bars for larger values
    assert bar_chart([], title="Nothing", chart_id="none") == ""
    no_desc = str(bar_chart([("A", 0)], title="Zero", chart_id="zero"))
    assert "<desc" not in no_desc and "aria-describedby" not in no_desc and "<rect" not in no_desc


def test_a_bar_charts_axis_counts_in_whole_steps():
    svg = str(bar_chart([("A", 8), ("B", 3)], title="Votes", chart_id="votes"))
    assert re.findall(r'app-chart__label--middle"[^>]*>([^<]+)<', svg) == ["0", "2", "4", "6", "8", "10"]
    money = str(bar_chart([("A", 20.0)], title="Money", chart_id="money", tick_format=lambda v: f"£{v:,.0f}"))
    assert re.findall(r'app-chart__label--middle"[^>]*>([^<]+)<', money) == ["£0", "£5", "£10", "£15", "£20"]
