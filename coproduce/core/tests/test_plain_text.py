"""Plain-text templates (emails) are not HTML-escaped; pages still are."""

from __future__ import annotations

from django.template import engines
from django.template.loader import render_to_string


def test_an_email_subject_keeps_its_apostrophes_and_ampersands():
    subject = render_to_string("elections/email/voting_subject.txt", {"title": "Meinciau'r gamlas & <parc>"})
    assert "Meinciau'r gamlas & <parc>" in subject


def test_pages_and_strings_still_escape_what_people_type():
    environment = engines["jinja2"].env
    assert environment.autoescape("budgets/round.html") and not environment.autoescape("budgets/email/x.txt")
    assert str(engines["jinja2"].from_string("{{ x }}").render({"x": "<b>"})) == "&lt;b&gt;"
