"""Consultations: forms.

Residents' forms first: a survey page built from its questions (``page_form``, reused by the
officers' preview and paper entry), the finish page, "save and come back", event registration
and the list's filters. The officers' forms follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from coproduce.core import equality
from coproduce.core import selectors as core_selectors
from coproduce.core.forms import DateParts, postcode_hint, ward_choices

from .models import Option, Question, QuestionKind, Status
from .models.responses import ANSWER_MAX_LENGTH

SHORT_TEXT_MAX_LENGTH = 500
# What the database keeps in an answer's number (a 32-bit integer): beyond it, refused on the page.
NUMBER_LOWEST, NUMBER_HIGHEST = -2_147_483_648, 2_147_483_647


# --- A survey page --------------------------------------------------------------------------------


@dataclass
class QuestionItem:
    """One question as the page shows it: its words in the page's language and its fields' names.

    ``name`` is the field of a one-field question (text, choices, rating, number); ``rows`` are
    (label, field name) pairs of a matrix's rows or a ranking's options; a date's fields are
    ``<name>_day``, ``_month``, ``_year``; a place's are ``<name>_ward`` and ``<name>_postcode``.
    """

    question: Question
    kind: str
    label: str
    hint: str
    name: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)

    @property
    def error_field(self) -> str:
        """The field a "not answered" error goes on (the one the error summary links to)."""
        if self.kind == QuestionKind.DATE:
            return f"{self.name}_day"
        if self.kind == QuestionKind.PLACE:
            return f"{self.name}_ward"
        if self.rows:
            return self.rows[0][1]
        return self.name


def _short(text: str) -> str:
    return Truncator(text).words(14)


class SurveyPageForm(forms.Form):
    """The questions of one survey page as fields; ``values`` after validation is what
    ``services.answers_save`` takes: {question id: value}, unanswered questions left out.

    With ``require=False`` (saving to come back later) a required question may stay unanswered;
    what is answered must still make sense.
    """

    def __init__(self, questions, *, language: str | None, data=None, initial=None, require: bool = True):
        super().__init__(data=data, initial=initial)
        self.language = language
        self.require = require
        self.items: list[QuestionItem] = []
        self.values: dict[int, object] = {}
        self._wards = None
        self._dates: dict[str, DateParts] = {}
        for question in questions:
            self._add(question)

    # Building ------------------------------------------------------------------------------------

    def _wards_by_code(self) -> dict:
        if self._wards is None:
            self._wards = {ward.code: ward for ward in core_selectors.wards()}
        return self._wards

    def _add(self, question: Question) -> None:
        language = self.language
        name = f"q{question.pk}"
        kind = question.kind
        item = QuestionItem(
            question=question,
            kind=kind,
            label=question.localised("text", language),
            hint=question.localised("help", language),
            name=name,
        )
        options = list(question.options.all()) if kind in _OPTION_KINDS else []
        item.options = options
        option_choices = [(str(option.pk), option.localised_label(language)) for option in options]
        invalid = {"invalid_choice": _("Select an answer from the list")}
        if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            long = kind == QuestionKind.LONG_TEXT
            limit = ANSWER_MAX_LENGTH if long else SHORT_TEXT_MAX_LENGTH
            self.fields[name] = forms.CharField(
                label=item.label,
                required=False,
                max_length=limit,
                widget=forms.Textarea if long else forms.TextInput,
                error_messages={
                    "max_length": _("Your answer must be %(limit_value)d characters or fewer") % {"limit_value": limit}
                },
            )
        elif kind == QuestionKind.SINGLE:
            self.fields[name] = forms.ChoiceField(
                label=item.label, required=False, choices=option_choices, error_messages=invalid
            )
        elif kind == QuestionKind.MULTIPLE:
            self.fields[name] = forms.MultipleChoiceField(
                label=item.label,
                required=False,
                choices=option_choices,
                error_messages={
                    "invalid_choice": _("Select answers from the list"),
                    "invalid_list": _("Select answers from the list"),
                },
            )
        elif kind == QuestionKind.RATING:
            self.fields[name] = forms.ChoiceField(
                label=item.label, required=False, choices=self.scale_choices(question), error_messages=invalid
            )
        elif kind == QuestionKind.MATRIX:
            for option in options:
                row = f"{name}_{option.pk}"
                item.rows.append((option.localised_label(language), row))
                self.fields[row] = forms.ChoiceField(
                    label=option.localised_label(language),
                    required=False,
                    choices=self.scale_choices(question),
                    error_messages=invalid,
                )
        elif kind == QuestionKind.NUMBER:
            low = question.number_min if question.number_min is not None else NUMBER_LOWEST
            high = question.number_max if question.number_max is not None else NUMBER_HIGHEST
            self.fields[name] = forms.IntegerField(
                label=item.label,
                required=False,
                min_value=low,
                max_value=high,
                error_messages={
                    "invalid": _("Enter a whole number, like 12"),
                    "min_value": _("Enter a number of %(limit_value)s or more"),
                    "max_value": _("Enter a number of %(limit_value)s or less"),
                },
            )
        elif kind == QuestionKind.DATE:
            parts = DateParts(name, _("The date"), required=False)
            self._dates[name] = parts
            self.fields.update(parts.fields())
        elif kind == QuestionKind.RANKING:
            positions = len(options)
            if question.max_choices:
                positions = min(positions, question.max_choices)
            choices = [("", _("Not ranked")), *((str(n), str(n)) for n in range(1, positions + 1))]
            for option in options:
                row = f"{name}_{option.pk}"
                item.rows.append((option.localised_label(language), row))
                self.fields[row] = forms.ChoiceField(
                    label=option.localised_label(language), required=False, choices=choices, error_messages=invalid
                )
        elif kind == QuestionKind.PLACE:
            wards = self._wards_by_code().values()
            self.fields[f"{name}_ward"] = forms.ChoiceField(
                label=_("Choose your ward"),
                required=False,
                choices=ward_choices(wards, language, _("Choose a ward")),
                error_messages={"invalid_choice": _("Choose a ward from the list")},
            )
            self.fields[f"{name}_postcode"] = forms.CharField(
                label=_("Or enter your postcode"),
                required=False,
                max_length=10,
                help_text=postcode_hint(core_selectors.postcode_example()),
                error_messages={"max_length": _("Enter a real postcode")},
            )
        else:  # a kind this form does not know: nothing to ask (never a 500)
            return
        self.items.append(item)

    def scale_choices(self, question: Question) -> list[tuple[str, str]]:
        """The scale's numbers, the ends with their words: "1 – Very poor" … "5 – Very good"."""
        low_label = question.localised("scale_min_label", self.language)
        high_label = question.localised("scale_max_label", self.language)
        choices = []
        for value in range(question.scale_min, question.scale_max + 1):
            text = str(value)
            if value == question.scale_min and low_label:
                text = f"{value} – {low_label}"
            elif value == question.scale_max and high_label:
                text = f"{value} – {high_label}"
            choices.append((str(value), text))
        return choices

    # Reading -------------------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        values: dict[int, object] = {}
        for item in self.items:
            value = self._value(item, data)
            if value in (None, "", [], {}):
                self._require(item)
                continue
            values[item.question.pk] = value
        self.values = values
        data["values"] = values
        return data

    def _require(self, item: QuestionItem) -> None:
        if not (self.require and item.question.required):
            return
        names = [item.error_field] if not item.rows else [row for _label, row in item.rows]
        if any(self.has_error(name) for name in names) or (
            item.kind == QuestionKind.DATE and any(self.has_error(f"{item.name}_{p}") for p in ("month", "year"))
        ):
            return
        words = {"question": _short(item.label)}
        if item.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.NUMBER):
            message = gettext("Enter your answer to: %(question)s") % words
        elif item.kind == QuestionKind.MULTIPLE:
            message = gettext("Select at least one answer to: %(question)s") % words
        elif item.kind == QuestionKind.DATE:
            message = gettext("Enter a date for: %(question)s") % words
        elif item.kind == QuestionKind.RANKING:
            message = gettext("Give at least your first choice a position for: %(question)s") % words
        elif item.kind == QuestionKind.PLACE:
            message = gettext("Choose your ward or enter your postcode for: %(question)s") % words
        else:
            message = gettext("Select an answer to: %(question)s") % words
        self.add_error(item.error_field, message)

    def _value(self, item: QuestionItem, data: dict):
        kind, name = item.kind, item.name
        by_pk = {str(option.pk): option for option in item.options}
        if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            return (data.get(name) or "").strip()
        if kind == QuestionKind.SINGLE:
            return by_pk.get(data.get(name) or "")
        if kind == QuestionKind.MULTIPLE:
            chosen = [by_pk[key] for key in data.get(name) or [] if key in by_pk]
            limit = item.question.max_choices
            if limit and len(chosen) > limit:
                self.add_error(
                    name,
                    ngettext("Select up to %(num)d answer", "Select up to %(num)d answers", limit) % {"num": limit},
                )
                return None
            return [option for option in item.options if option in chosen]  # in the survey's order
        if kind == QuestionKind.RATING:
            value = data.get(name)
            return int(value) if value else None
        if kind == QuestionKind.NUMBER:
            return data.get(name)
        if kind == QuestionKind.MATRIX:
            rated = {}
            for option in item.options:
                row = f"{name}_{option.pk}"
                value = data.get(row)
                if value:
                    rated[option] = int(value)
                elif self.require and item.question.required and not self.has_error(row):
                    self.add_error(
                        row,
                        gettext("Select a rating for %(row)s") % {"row": _short(option.localised_label(self.language))},
                    )
            return rated
        if kind == QuestionKind.DATE:
            day = self._dates[name].clean(self)
            return day.isoformat() if isinstance(day, date) else None
        if kind == QuestionKind.RANKING:
            return self._ranking(item, data)
        if kind == QuestionKind.PLACE:
            return self._place(item, data)
        return None

    def _ranking(self, item: QuestionItem, data: dict) -> list[Option] | None:
        placed: list[tuple[int, Option, str]] = []
        for option in item.options:
            row = f"{item.name}_{option.pk}"
            if data.get(row):
                placed.append((int(data[row]), option, row))
        if not placed:
            return None
        seen: set[int] = set()
        for position, _option, row in placed:
            if position in seen:
                self.add_error(row, gettext("Give each option a different position"))
                return None
            seen.add(position)
        if sorted(seen) != list(range(1, len(seen) + 1)):
            self.add_error(
                placed[0][2], gettext("Number the positions from 1 in order, without gaps (1, 2, 3 and so on)")
            )
            return None
        return [option for _position, option, _row in sorted(placed, key=lambda entry: entry[0])]

    def _place(self, item: QuestionItem, data: dict):
        postcode = (data.get(f"{item.name}_postcode") or "").strip()
        if postcode:
            try:
                return core_selectors.ward_for_postcode(postcode)
            except ValidationError as error:
                self.add_error(f"{item.name}_postcode", error)
                return None
        code = data.get(f"{item.name}_ward")
        return self._wards_by_code().get(code) if code else None


_OPTION_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.MATRIX, QuestionKind.RANKING})


def page_form(questions, *, language: str | None, data=None, initial=None, require: bool = True) -> SurveyPageForm:
    """The form of a survey page's (visible) questions; its ``values`` go to ``services.answers_save``.

    Prefetch each question's options (``prefetch_related("options")``) to keep the queries few.
    """
    return SurveyPageForm(list(questions), language=language, data=data, initial=initial, require=require)


def page_initial(questions, answers) -> dict:
    """The page form's initial data from a response's saved answers (any page's: others are ignored)."""
    by_question: dict[int, list] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    initial: dict[str, object] = {}
    for question in questions:
        rows = by_question.get(question.pk)
        if not rows:
            continue
        name, kind, first = f"q{question.pk}", question.kind, rows[0]
        if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            initial[name] = first.text
        elif kind == QuestionKind.SINGLE:
            initial[name] = str(first.option_id or "")
        elif kind == QuestionKind.MULTIPLE:
            initial[name] = [str(row.option_id) for row in rows if row.option_id]
        elif kind in (QuestionKind.RATING, QuestionKind.NUMBER):
            initial[name] = "" if first.number is None else str(first.number)
        elif kind == QuestionKind.MATRIX:
            for row in rows:
                if row.option_id and row.number is not None:
                    initial[f"{name}_{row.option_id}"] = str(row.number)
        elif kind == QuestionKind.RANKING:
            for row in rows:
                if row.option_id and row.rank:
                    initial[f"{name}_{row.option_id}"] = str(row.rank)
        elif kind == QuestionKind.DATE:
            try:
                day = date.fromisoformat(first.text)
            except ValueError:
                continue
            initial.update({f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year})
        elif kind == QuestionKind.PLACE and first.place_id:
            initial[f"{name}_ward"] = first.place.code
    return initial


# --- The finish page, saving to come back, events -------------------------------------------------


def equality_field_name(key: str) -> str:
    return f"equality_{key}"


class FinishForm(forms.Form):
    """The end of the survey: the optional equality questions (kept apart from the answers), an
    email address for a copy, "tell me what was decided" and consent to publish without the name."""

    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        max_length=254,
        help_text=_("We will send you a copy of your answers. We use it for nothing else."),
        error_messages={"invalid": _("Enter an email address in the correct format, like name@example.com")},
    )
    wants_feedback = forms.BooleanField(
        label=_("Email me what was decided, and how the responses were considered"), required=False
    )
    publish_consent = forms.BooleanField(
        label=_("You may publish my response without my name or email address"), required=False
    )

    def __init__(self, *args, equality_keys=(), person_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.person_email = person_email
        if person_email:
            del self.fields["email"]
        self.equality_questions = []
        for key in equality_keys:
            try:
                bank_question = equality.question(key)
            except KeyError:
                continue
            self.equality_questions.append(bank_question)
            self.fields[equality_field_name(key)] = forms.ChoiceField(
                label=bank_question.label,
                help_text=bank_question.hint,
                required=False,
                choices=bank_question.choices(),
                error_messages={"invalid_choice": _("Select an answer from the list")},
            )

    def equality_fields(self):
        return [self[equality_field_name(question.key)] for question in self.equality_questions]

    def clean(self):
        data = super().clean()
        if data.get("wants_feedback") and not (self.person_email or data.get("email")) and not self.has_error("email"):
            self.add_error("email", _("Enter your email address so that we can tell you what was decided"))
        data["equality"] = {
            question.key: data[equality_field_name(question.key)]
            for question in self.equality_questions
            if data.get(equality_field_name(question.key))
        }
        return data


class ResumeLinkForm(forms.Form):
    """Save and come back later: where to send the link."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We will send you a link to come back to your answers."),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


class RegistrationForm(forms.Form):
    """A place at an event (or on its waiting list)."""

    name = forms.CharField(label=_("Your name"), max_length=200, error_messages={"required": _("Enter your name")})
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We will email you to confirm, and remind you the day before."),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    needs = forms.CharField(
        label=_("Access or other needs (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        help_text=_("For example, step-free access, a hearing loop, an interpreter or food you cannot eat."),
        error_messages={"max_length": _("Access or other needs must be 1000 characters or fewer")},
    )


class ConsultationFilterForm(forms.Form):
    """The list's filters (a GET form: a bad value is ignored, not an error page)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    place = forms.ChoiceField(label=_("Ward"), required=False)

    def __init__(self, *args, wards, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.wards = {ward.code: ward for ward in wards}
        self.fields["status"].choices = [
            ("", _("Any status")),
            (Status.OPEN, _("Open")),
            (Status.UPCOMING, _("Upcoming")),
            (Status.CLOSED, _("Closed")),
            (Status.FEEDBACK, Status.FEEDBACK.label),
        ]
        self.fields["place"].choices = ward_choices(wards, language, _("All wards"))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"status": self.cleaned_data["status"] or None, "ward": self.wards.get(self.cleaned_data["place"])}


# --- Officers' forms -----------------------------------------------------------------------------
