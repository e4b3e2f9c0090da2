"""How a declared count reads on the result page: its figures, and what happened at each stage.

The counting engine reports exact values (Meek's to nine decimal places) and describes each stage
in English for the record. The result page keeps every value exact but sets the digits after the
second decimal place smaller, so 50.250000001 reads as 50.25 at a glance; and it tells each stage
in the reader's language from the stage's facts (what happened, to whom, at what value), not from
the engine's English sentence.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext


def figure(value) -> str:
    """An exact count as people read it: 12.00000 → 12, 1234 → 1,234, 3.50 → 3.5."""
    if value is None:
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return f"{number.to_integral_value():,}"
    whole, _point, fraction = f"{number:f}".partition(".")
    return f"{int(whole):,}.{fraction.rstrip('0')}" if whole != "-0" else f"-0.{fraction.rstrip('0')}"


def figure_html(value) -> SafeString | str:
    """``figure``, with the digits after the second decimal place set smaller (the value stays exact)."""
    text = figure(value)
    whole, _point, fraction = text.partition(".")
    if len(fraction) <= 2:
        return text
    return format_html('{}.{}<span class="govuk-!-font-size-16">{}</span>', whole, fraction[:2], fraction[2:])


def _names(numbers, names: list[str]) -> str:
    """The candidates as a sentence lists them: "A", "A and B", "A, B and C" (in the reader's language)."""
    listed = [names[n - 1] for n in numbers if 0 < n <= len(names)]
    # Welsh says "ac" before a vowel ("Bryn ac Ellie") and "a" before a consonant ("Ellie a Bryn").
    vowel = bool(listed) and listed[-1][:1].lower() in "aeiouwyâêîôûŵŷ"
    return str(get_text_list(listed, pgettext("before a word starting with a vowel", "and") if vowel else _("and")))


def stage_story(stage: dict, names: list[str]) -> str:
    """What happened at one stage of an STV count, in the active language."""
    action = stage.get("action", "")
    subjects = list(stage.get("subjects") or [])
    who = _names(subjects, names)
    count = len(subjects) or 1
    value = stage.get("transfer_value")
    if action == "first preferences":
        text = _("The first preferences were counted.")
    elif action == "surplus":
        if value is not None:
            text = _(
                "%(name)s had more votes than the quota: the surplus passed on, each ballot worth %(value)s of a vote."
            ) % {
                "name": who,
                "value": figure(value),
            }
        else:
            text = _("%(name)s had more votes than the quota: the surplus passed on.") % {"name": who}
    elif action in ("exclusion", "defeat"):
        text = ngettext(
            "%(names)s had the fewest votes and was excluded: their ballots passed on to the next choices.",
            "%(names)s had the fewest votes and were excluded: their ballots passed on to the next choices.",
            count,
        ) % {"names": who}
    elif action == "elect":
        text = ngettext(
            "%(names)s reached the quota and was elected.", "%(names)s reached the quota and were elected.", count
        ) % {"names": who}
    elif action == "elect remaining":
        text = ngettext(
            "%(names)s was elected: the candidates left filled the remaining seats.",
            "%(names)s were elected: the candidates left filled the remaining seats.",
            count,
        ) % {"names": who}
    elif action == "defeat remaining":
        text = ngettext(
            "%(names)s was not elected: every seat was filled.",
            "%(names)s were not elected: every seat was filled.",
            count,
        ) % {"names": who}
    else:
        return stage.get("description", "")
    # Candidates elected at a stage where something else happened (reaching the quota on transfers).
    also = [n for n in stage.get("elected") or [] if not (action == "elect" or action == "elect remaining")]
    if also:
        text += " " + ngettext(
            "%(names)s reached the quota and was elected.", "%(names)s reached the quota and were elected.", len(also)
        ) % {"names": _names(also, names)}
    if any(str(tie.get("method", "")).startswith("lot") for tie in stage.get("tie_breaks") or []):
        text += " " + _("A tie was broken by lot, drawn from the published seed.")
    elif stage.get("tie_breaks"):
        text += " " + _("A tie was broken by the candidates' votes at earlier stages.")
    return text


_QUOTA_NOTE = re.compile(r"^Stage (\d+): quota recalculated to ([0-9.]+)")


def note_text(note: str) -> tuple[str, str | None]:
    """An engine's note as (text, language): in the active language where we know it, else in the
    counting rules' own English words, marked ``en`` so that screen readers pronounce it right."""
    match = _QUOTA_NOTE.match(note)
    if match:
        text = _("At stage %(stage)s the quota was recalculated to %(quota)s, as some ballots had no more choices.")
        return text % {"stage": match[1], "quota": figure(match[2])}, None
    return note, "en"
