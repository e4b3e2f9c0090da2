"""Consultations: forms.

Residents' forms first: a survey page built from its questions (``page_form``, reused by the
officers' preview and paper entry), the finish page, "save and come back", event registration
and the list's filters. The officers' forms follow.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from coproduce.core import equality
from coproduce.core import selectors as core_selectors
from coproduce.core.forms import DateParts, ServiceErrorsForm, postcode_hint, ward_choices

from .models import Audience, EventKind, Option, Question, QuestionKind, Status
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


# --- Officers' forms ------------------------------------------------------------------------------
# The officers' pages (views/manage.py, survey.py, analysis.py): a consultation, its documents, the
# survey builder, events, paper responses, themes, publishing and "you said, we did". Imported here,
# below the residents' forms, so that the two halves of the file can be written apart.

_OFFICER_TOO_LONG = _("Use %(limit_value)s characters or fewer")
_OFFICER_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")
_OFFICER_OPTION_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.MATRIX, QuestionKind.RANKING}


def _text(label, max_length, *, required=False, required_message=None, help_text="", textarea=False):
    messages = {"max_length": _OFFICER_TOO_LONG}
    if required_message:
        messages["required"] = required_message
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea if textarea else None,
        error_messages=messages,
    )


def _whole(label, *, required=False, min_value=None, max_value=None, help_text="", example="5"):
    message = _("Enter a whole number, like %(example)s") % {"example": example}
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=max_value,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": _("Enter a number of %(limit_value)s or more"),
            "max_value": _("Enter a number of %(limit_value)s or less"),
        },
    )


def _moment(form: forms.Form, name: str, label, *, time_required: bool = True) -> datetime.datetime | None:
    """The date typed in ``<name>_day/_month/_year`` and the time in ``<name>_time``, in the site's zone."""
    day = DateParts(name, label, required=True).clean(form)
    match = _OFFICER_CLOCK.match(form.cleaned_data.get(f"{name}_time") or "")
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        form.add_error(
            f"{name}_time",
            _("Enter the time for “%(what)s” as hours and minutes on the 24-hour clock, like 09:00") % {"what": label},
        )
        return None
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(int(match[1]), int(match[2]))))


def _moment_fields(form: forms.Form, name: str, label) -> None:
    form.fields.update(DateParts(name, label, required=True).fields())
    form.fields[f"{name}_time"] = forms.CharField(
        label=_("Time"),
        required=False,
        max_length=5,
        help_text=_("Use the 24-hour clock, for example 09:00 or 17:30."),
    )


def _moment_initial(name: str, value) -> dict:
    if value is None:
        return {}
    moment = timezone.localtime(value)
    return {
        f"{name}_day": moment.day,
        f"{name}_month": moment.month,
        f"{name}_year": moment.year,
        f"{name}_time": moment.strftime("%H:%M"),
    }


class ConsultationForm(ServiceErrorsForm):
    """A consultation's words, place, dates, who may respond and the equality questions it asks."""

    MOMENTS = (("opens_at", _("Opens")), ("closes_at", _("Closes")))

    title = _text(_("Title"), 200, required=True, required_message=_("Enter the consultation's title"))
    title_cy = _text(_("Title in Welsh (optional)"), 200)
    summary = _text(
        _("Summary"),
        8000,
        required=True,
        required_message=_("Enter a summary of what the consultation is about"),
        help_text=_("What is proposed, why, and what people's answers will change. Plain words."),
        textarea=True,
    )
    summary_cy = _text(_("Summary in Welsh (optional)"), 8000, textarea=True)
    place = forms.ChoiceField(
        label=_("The place it concerns"),
        error_messages={"required": _("Choose the place"), "invalid_choice": _("Choose the place")},
    )
    audience_text = _text(
        _("Who it is for (optional)"),
        300,
        help_text=_("For example, everyone who lives, works or studies in Kingsmere."),
    )
    audience_text_cy = _text(_("Who it is for, in Welsh (optional)"), 300)
    audience = forms.ChoiceField(
        label=_("Who may respond?"),
        choices=Audience.choices,
        initial=Audience.ANYONE,
        error_messages={
            "required": _("Choose who may respond"),
            "invalid_choice": _("Choose who may respond"),
        },
    )
    one_response_per_person = forms.BooleanField(
        label=_("Allow only one response per person (they must sign in)"), required=False
    )
    equality_questions = forms.MultipleChoiceField(
        label=_("Equality monitoring questions (optional)"),
        help_text=_(
            "Asked at the end, always optional, stored apart from the answers and seen only in aggregate "
            "by the equalities role."
        ),
        required=False,
        error_messages={"invalid_choice": _("Choose equality questions from the list")},
    )

    def __init__(self, *args, places, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in places}
        self.fields["place"].choices = [("", _("Choose a place"))] + [
            (key, f"{place.localised_name(language)} ({place.get_kind_display()})")
            for key, place in self.places.items()
        ]
        self.fields["equality_questions"].choices = [(q.key, q.label) for q in equality.BANK]
        for name, label in self.MOMENTS:
            _moment_fields(self, name, label)

    @classmethod
    def initial_new(cls) -> dict:
        return {"audience": Audience.ANYONE, "opens_at_time": "09:00", "closes_at_time": "17:00"}

    @classmethod
    def initial_for(cls, consultation) -> dict:
        names = (
            "title",
            "title_cy",
            "summary",
            "summary_cy",
            "audience_text",
            "audience_text_cy",
            "audience",
            "one_response_per_person",
        )
        initial = {name: getattr(consultation, name) for name in names}
        initial["place"] = str(consultation.place_id)
        initial["equality_questions"] = list(consultation.equality_questions or [])
        for name, _label in cls.MOMENTS:
            initial.update(_moment_initial(name, getattr(consultation, name)))
        return initial

    def clean_place(self):
        return self.places[self.cleaned_data["place"]]

    def clean(self):
        cleaned = super().clean()
        for name, label in self.MOMENTS:
            cleaned[name] = _moment(self, name, label)
        if cleaned.get("opens_at") and cleaned.get("closes_at") and cleaned["closes_at"] <= cleaned["opens_at"]:
            self.add_error("closes_at_day", _("The consultation must close after it opens"))
        return cleaned

    def values(self) -> dict:
        names = (
            "title",
            "title_cy",
            "summary",
            "summary_cy",
            "place",
            "audience_text",
            "audience_text_cy",
            "audience",
            "one_response_per_person",
            "opens_at",
            "closes_at",
        )
        values = {name: self.cleaned_data[name] for name in names}
        values["equality_questions"] = [q.key for q in equality.questions(self.cleaned_data["equality_questions"])]
        return values


class DocumentForm(ServiceErrorsForm):
    """A PDF the consultation publishes, with an accessible summary of what it says."""

    file = forms.FileField(
        label=_("PDF"),
        help_text=_("A PDF smaller than 20 MB."),
        error_messages={"required": _("Select a PDF"), "empty": _("The selected file is empty")},
    )
    title = _text(_("Title"), 200, required=True, required_message=_("Enter the document's title"))
    title_cy = _text(_("Title in Welsh (optional)"), 200)
    summary = _text(
        _("Accessible summary"),
        8000,
        required=True,
        required_message=_("Enter a summary of what the document says"),
        help_text=_("What the document says, in plain words, for people who cannot read the PDF."),
        textarea=True,
    )
    summary_cy = _text(_("Accessible summary in Welsh (optional)"), 8000, textarea=True)


class PageEditForm(ServiceErrorsForm):
    """A page of the survey: its title and an introduction."""

    title = _text(_("Page title"), 200, required=True, required_message=_("Enter the page's title"))
    title_cy = _text(_("Page title in Welsh (optional)"), 200)
    intro = _text(_("Introduction (optional)"), 2000, textarea=True)
    intro_cy = _text(_("Introduction in Welsh (optional)"), 2000, textarea=True)


class SurveyVersionForm(ServiceErrorsForm):
    """Start a new version of a locked survey: what changes, shown with the consultation."""

    note = _text(
        _("What changes in the new version?"),
        500,
        required=True,
        required_message=_("Say what changes in the new version"),
        help_text=_("Shown to residents with the consultation, for example: a question about parking added."),
    )
    note_cy = _text(_("What changes, in Welsh (optional)"), 500)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(ServiceErrorsForm):
    """A question of any kind; options (and matrix rows) typed one per line in English and in Welsh."""

    kind = forms.ChoiceField(
        label=_("Kind of question"),
        choices=QuestionKind.choices,
        error_messages={
            "required": _("Choose the kind of question"),
            "invalid_choice": _("Choose the kind of question"),
        },
    )
    text = _text(_("Question"), 500, required=True, required_message=_("Enter the question"))
    text_cy = _text(_("Question in Welsh (optional)"), 500)
    help = _text(_("Help text (optional)"), 1000, help_text=_("Shown under the question."))
    help_cy = _text(_("Help text in Welsh (optional)"), 1000)
    required = forms.BooleanField(label=_("People must answer this question"), required=False)
    options = _text(
        _("Options, one per line"),
        10000,
        help_text=_(
            "For one choice, several choices and ranking: the options. For a matrix: the things rated, one per line."
        ),
        textarea=True,
    )
    options_cy = _text(_("Options in Welsh, one per line, in the same order (optional)"), 10000, textarea=True)
    shown_if = forms.ChoiceField(
        label=_("Show this question only if (optional)"),
        required=False,
        help_text=_("An answer to a question on an earlier page. Leave it to show the question to everyone."),
        error_messages={"invalid_choice": _("Choose an answer from the list")},
    )
    scale_min = _whole(_("Rating scale from"), required=False, min_value=-100, max_value=100, example="1")
    scale_max = _whole(_("Rating scale to"), required=False, min_value=-100, max_value=100, example="5")
    scale_min_label = _text(_("Label of the lowest rating (optional)"), 100, help_text=_("For example, Poor."))
    scale_min_label_cy = _text(_("Label of the lowest rating, in Welsh (optional)"), 100)
    scale_max_label = _text(_("Label of the highest rating (optional)"), 100, help_text=_("For example, Excellent."))
    scale_max_label_cy = _text(_("Label of the highest rating, in Welsh (optional)"), 100)
    number_min = _whole(_("Smallest number allowed (optional)"), min_value=-(10**9), max_value=10**9)
    number_max = _whole(_("Largest number allowed (optional)"), min_value=-(10**9), max_value=10**9)
    max_choices = _whole(
        _("Most choices allowed (optional)"),
        min_value=1,
        max_value=100,
        help_text=_("For several choices: leave it empty for no limit."),
        example="3",
    )

    def __init__(self, *args, conditions=(), **kwargs):
        """``conditions``: (Option, words) pairs of questions on earlier pages a question may depend on."""
        super().__init__(*args, **kwargs)
        self.conditions = {str(option.pk): option for option, _words in conditions}
        self.fields["shown_if"].choices = [("", _("Always show it"))] + [
            (str(option.pk), words) for option, words in conditions
        ]

    @classmethod
    def initial_for(cls, question) -> dict:
        names = (
            "kind",
            "text",
            "text_cy",
            "help",
            "help_cy",
            "required",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_min_label_cy",
            "scale_max_label",
            "scale_max_label_cy",
            "number_min",
            "number_max",
            "max_choices",
        )
        initial = {name: getattr(question, name) for name in names}
        options = list(question.options.all())
        initial["options"] = "\n".join(option.label for option in options)
        initial["options_cy"] = (
            "\n".join(option.label_cy for option in options) if any(option.label_cy for option in options) else ""
        )
        initial["shown_if"] = str(question.shown_if_id) if question.shown_if_id else ""
        return initial

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        labels = _lines(cleaned.get("options", ""))
        welsh = _lines(cleaned.get("options_cy", ""))
        if kind in _OFFICER_OPTION_KINDS:
            if len(labels) < 2:
                self.add_error("options", _("Enter at least 2 options, one per line"))
            elif welsh and len(welsh) != len(labels):
                self.add_error(
                    "options_cy",
                    _("Enter a Welsh option for each English one (%(count)s), or leave them all empty")
                    % {"count": len(labels)},
                )
            elif len({label.casefold() for label in labels}) != len(labels):
                self.add_error("options", _("Each option must be different"))
            elif any(len(label) > 300 for label in labels + welsh):
                self.add_error("options", _("Each option must be 300 characters or fewer"))
        if kind == QuestionKind.RATING or kind == QuestionKind.MATRIX:
            low = cleaned.get("scale_min")
            high = cleaned.get("scale_max")
            low = 1 if low is None else low
            high = 5 if high is None else high
            if high <= low and "scale_max" not in self.errors:
                self.add_error("scale_max", _("The top of the scale must be more than its bottom"))
            cleaned["scale_min"], cleaned["scale_max"] = low, high
        low, high = cleaned.get("number_min"), cleaned.get("number_max")
        if kind == QuestionKind.NUMBER and low is not None and high is not None and high < low:
            self.add_error("number_max", _("The largest number must be at least the smallest"))
        cleaned["option_pairs"] = [
            (label, welsh[index] if index < len(welsh) else "") for index, label in enumerate(labels)
        ]
        return cleaned

    def clean_shown_if(self):
        key = self.cleaned_data.get("shown_if") or ""
        return self.conditions.get(key)

    def values(self) -> dict:
        """The fields as ``services.question_add`` and ``question_update`` take them."""
        data = self.cleaned_data
        kind = data["kind"]
        values = {name: data[name] for name in ("kind", "text", "text_cy", "help", "help_cy", "required", "shown_if")}
        if kind in (QuestionKind.RATING, QuestionKind.MATRIX):
            values.update(
                {
                    name: data[name]
                    for name in (
                        "scale_min",
                        "scale_max",
                        "scale_min_label",
                        "scale_min_label_cy",
                        "scale_max_label",
                        "scale_max_label_cy",
                    )
                }
            )
        if kind == QuestionKind.NUMBER:
            values.update(number_min=data["number_min"], number_max=data["number_max"])
        if kind == QuestionKind.MULTIPLE:
            values["max_choices"] = data["max_choices"]
        values["options"] = data["option_pairs"] if kind in _OFFICER_OPTION_KINDS else ()
        return values


class EventForm(ServiceErrorsForm):
    """A road show, focus group, forum or drop-in: when and where, its access information and places."""

    service_fields = {"ends_at": "ends_time"}

    kind = forms.ChoiceField(
        label=_("Kind of event"),
        choices=EventKind.choices,
        error_messages={
            "required": _("Choose the kind of event"),
            "invalid_choice": _("Choose the kind of event"),
        },
    )
    title = _text(_("Title"), 200, required=True, required_message=_("Enter the event's title"))
    title_cy = _text(_("Title in Welsh (optional)"), 200)
    ends_time = forms.CharField(
        label=_("Ends at"),
        required=False,
        max_length=5,
        help_text=_("Use the 24-hour clock, for example 17:30."),
    )
    venue = _text(
        _("Venue"),
        200,
        required=True,
        required_message=_("Enter the venue"),
        help_text=_("For example, Kingsmere Library."),
    )
    address = _text(_("Address (optional)"), 400)
    postcode = _text(_("Postcode (optional)"), 8)
    access = _text(
        _("Access information (optional)"),
        2000,
        help_text=_("Step-free access, hearing loop, toilets, parking, what to expect."),
        textarea=True,
    )
    access_cy = _text(_("Access information in Welsh (optional)"), 2000, textarea=True)
    registration = forms.BooleanField(label=_("People register for a place"), required=False)
    capacity = _whole(
        _("Places (optional)"),
        min_value=1,
        max_value=100000,
        help_text=_("Leave it empty for no limit. When it is full, people join a waiting list."),
        example="30",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _moment_fields(self, "starts_at", _("Date and start of the event"))

    @classmethod
    def initial_new(cls) -> dict:
        return {"registration": True, "starts_at_time": "10:00", "ends_time": "12:00"}

    @classmethod
    def initial_for(cls, event) -> dict:
        names = (
            "kind",
            "title",
            "title_cy",
            "venue",
            "address",
            "postcode",
            "access",
            "access_cy",
            "registration",
            "capacity",
        )
        initial = {name: getattr(event, name) for name in names}
        initial.update(_moment_initial("starts_at", event.starts_at))
        initial["ends_time"] = timezone.localtime(event.ends_at).strftime("%H:%M")
        return initial

    def clean(self):
        cleaned = super().clean()
        starts = _moment(self, "starts_at", _("Date and start of the event"))
        cleaned["starts_at"] = starts
        match = _OFFICER_CLOCK.match(cleaned.get("ends_time") or "")
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            self.add_error("ends_time", _("Enter the time the event ends on the 24-hour clock, like 12:00"))
        elif starts is not None:
            day = timezone.localtime(starts).date()
            ends = timezone.make_aware(datetime.datetime.combine(day, datetime.time(int(match[1]), int(match[2]))))
            if ends <= starts:
                self.add_error("ends_time", _("The event must end after it starts"))
            cleaned["ends_at"] = ends
        return cleaned

    def values(self) -> dict:
        names = (
            "kind",
            "title",
            "title_cy",
            "starts_at",
            "ends_at",
            "venue",
            "address",
            "postcode",
            "access",
            "access_cy",
            "registration",
            "capacity",
        )
        return {name: self.cleaned_data[name] for name in names}


class AttendanceForm(ServiceErrorsForm):
    """Who came (a tick per booked registration) and the head count."""

    attended_count = _whole(
        _("How many people came (optional)"),
        min_value=0,
        max_value=1000000,
        help_text=_("Everyone who came, registered or not."),
        example="25",
    )

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            self.fields[f"came_{registration.pk}"] = forms.BooleanField(label=registration.name, required=False)

    @classmethod
    def initial_for(cls, event, registrations) -> dict:
        initial = {"attended_count": event.attended_count}
        initial.update({f"came_{r.pk}": bool(r.attended) for r in registrations})
        return initial

    def attended(self) -> dict[int, bool]:
        return {r.pk: bool(self.cleaned_data.get(f"came_{r.pk}")) for r in self.registrations}


class EventNotesForm(ServiceErrorsForm):
    notes = _text(
        _("Notes from the event"),
        20000,
        help_text=_("What people said and asked. Published with the consultation: leave out names."),
        textarea=True,
    )
    notes_cy = _text(_("Notes in Welsh (optional)"), 20000, textarea=True)


class PaperReferenceForm(ServiceErrorsForm):
    paper_reference = _text(
        _("Paper reference (optional)"),
        60,
        help_text=_("The number written on the paper form, so that it can be found again."),
    )


class PaperFinishForm(ServiceErrorsForm):
    """The end of a paper form: the reference, contact and consent boxes, and its equality answers."""

    paper_reference = PaperReferenceForm.base_fields["paper_reference"]
    email = forms.EmailField(
        label=_("Email address written on the form (optional)"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address in the correct format, like name@example.com")},
    )
    wants_feedback = forms.BooleanField(label=_("They asked to hear what was decided"), required=False)
    publish_consent = forms.BooleanField(
        label=_("They agreed to their answers being published without their name"), required=False
    )

    def __init__(self, *args, equality_questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.equality_keys = []
        for question in equality.questions(equality_questions):
            name = f"equality_{question.key}"
            self.equality_keys.append((question.key, name))
            self.fields[name] = forms.ChoiceField(
                label=question.label,
                required=False,
                choices=[("", _("Not answered")), *question.choices()],
                error_messages={"invalid_choice": _("Choose an answer from the list")},
            )

    def equality(self) -> dict[str, str]:
        return {key: self.cleaned_data[name] for key, name in self.equality_keys if self.cleaned_data.get(name)}


class ThemeForm(ServiceErrorsForm):
    name = _text(_("Theme"), 120, required=True, required_message=_("Enter the theme"))
    name_cy = _text(_("Theme in Welsh (optional)"), 120)


class FeedbackForm(ServiceErrorsForm):
    """ "You said, we did": what people said, the decision, and how each theme was considered."""

    said = _text(_("What people said"), 8000, textarea=True)
    said_cy = _text(_("What people said, in Welsh (optional)"), 8000, textarea=True)
    decision = _text(_("The decision"), 8000, textarea=True)
    decision_cy = _text(_("The decision, in Welsh (optional)"), 8000, textarea=True)

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = list(themes)
        for theme in self.themes:
            self.fields[f"considered_{theme.pk}"] = _text(
                _("How “%(theme)s” was considered") % {"theme": theme.name}, 4000, textarea=True
            )
            self.fields[f"considered_cy_{theme.pk}"] = _text(
                _("How “%(theme)s” was considered, in Welsh (optional)") % {"theme": theme.name},
                4000,
                textarea=True,
            )

    @classmethod
    def initial_for(cls, consultation, themes) -> dict:
        initial = {name: getattr(consultation, name) for name in ("said", "said_cy", "decision", "decision_cy")}
        for theme in themes:
            initial[f"considered_{theme.pk}"] = theme.considered
            initial[f"considered_cy_{theme.pk}"] = theme.considered_cy
        return initial

    def considered(self) -> dict:
        return {
            theme: (self.cleaned_data[f"considered_{theme.pk}"], self.cleaned_data[f"considered_cy_{theme.pk}"])
            for theme in self.themes
        }


class ConfirmForm(ServiceErrorsForm):
    """A box to tick before something that cannot be taken back."""

    service_fields = {"__all__": "confirm"}

    confirm = forms.BooleanField(
        label=_("I have checked it"),
        error_messages={"required": _("Tick the box to confirm")},
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["confirm"].label = label
