"""Forms for elections: members' (nominating, the ballot) and the returning officer's.

Forms validate what a person typed; the services decide what is allowed.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coproduce.core.forms import service_error_on

from .models import REASON_MAX_LENGTH, STATEMENT_MAX_LENGTH, CountRules

# --- Members' forms: nominating, confirming, the ballot -------------------------------------------


class NominationForm(forms.Form):
    """Nominate yourself or another member: the ballot name, the statement, a photo, and the
    proposer and seconder by member number where the election's rules ask for them.

    Field names match the keys of the service's refusals (``candidate``, ``proposer`` …), so that
    each refusal lands beside the field it is about.
    """

    constituency = forms.ChoiceField(
        label=_("Which seats is the candidate standing for?"),
        error_messages={"required": _("Choose the seats the candidate is standing for")},
    )
    candidate = forms.ChoiceField(
        label=_("Who are you nominating?"),
        choices=[("self", _("Myself")), ("other", _("Another member"))],
        error_messages={"required": _("Choose whether you are nominating yourself or another member")},
    )
    candidate_number = forms.IntegerField(
        label=_("Their member number, if you are nominating another member"),
        required=False,
        min_value=1,
        help_text=_("It is on their membership card and in the register of members."),
        error_messages={
            "invalid": _("Enter the member number as a whole number, like 42"),
            "min_value": _("Enter the member number as a whole number, like 42"),
        },
    )
    ballot_name = forms.CharField(
        label=_("Name to appear on the ballot paper"),
        max_length=120,
        help_text=_("The name members will know the candidate by, for example Cara Jones."),
        error_messages={
            "required": _("Enter the name to appear on the ballot paper"),
            "max_length": _("Use %(limit_value)s characters or fewer"),
        },
    )
    statement = forms.CharField(
        label=_("The candidate's statement"),
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Members read this before they vote: who the candidate is and what they would do on the board."),
        error_messages={
            "required": _("Enter the candidate's statement"),
            "max_length": _("Use %(limit_value)s characters or fewer"),
        },
    )
    statement_cy = forms.CharField(
        label=_("The statement in Welsh (optional)"),
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Shown to members reading the page in Welsh."),
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    photo = forms.FileField(
        label=_("A photo of the candidate (optional)"),
        required=False,
        help_text=_(
            "A JPG or PNG picture smaller than 5 MB. "
            "We remove the details cameras store in photos, such as where it was taken."
        ),
    )
    proposer = forms.IntegerField(
        label=_("Member number of the proposer"),
        required=False,
        min_value=1,
        help_text=_(
            "A member with a vote for these seats who supports the nomination. We will ask them to confirm it."
        ),
        error_messages={
            "invalid": _("Enter the member number as a whole number, like 42"),
            "min_value": _("Enter the member number as a whole number, like 42"),
        },
    )
    seconder = forms.IntegerField(
        label=_("Member number of the seconder"),
        required=False,
        min_value=1,
        help_text=_("Another member with a vote for these seats. We will ask them to confirm it too."),
        error_messages={
            "invalid": _("Enter the member number as a whole number, like 42"),
            "min_value": _("Enter the member number as a whole number, like 42"),
        },
    )

    def __init__(self, *args, constituencies, language: str | None, need_proposer: bool, find_member, **kwargs):
        """``find_member(number)`` gives the person with that member number, or None."""
        super().__init__(*args, **kwargs)
        self.constituencies = {str(c.pk): c for c in constituencies}
        self.fields["constituency"].choices = [
            (key, c.localised_name(language)) for key, c in self.constituencies.items()
        ]
        if len(self.constituencies) == 1:
            self.fields["constituency"].required = False
        self.need_proposer = need_proposer
        if not need_proposer:
            del self.fields["proposer"], self.fields["seconder"]
        self.find_member = find_member

    def clean_constituency(self):
        key = self.cleaned_data.get("constituency")
        if len(self.constituencies) == 1:
            return next(iter(self.constituencies.values()))
        return self.constituencies[key]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            from coproduce.core.uploads import photo_clean

            photo_clean(photo)  # refuses what is not a JPG or PNG picture; the service stores the cleaned copy
            photo.seek(0)
        return photo

    def _member(self, field: str, number: int | None, *, missing: str):
        if number is None:
            self.add_error(field, missing)
            return None
        person = self.find_member(number)
        if person is None:
            self.add_error(field, _("There is no member with the number %(number)s.") % {"number": number})
        return person

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("candidate") == "other" and "candidate_number" not in self.errors:
            cleaned["candidate_person"] = self._member(
                "candidate_number",
                cleaned.get("candidate_number"),
                missing=_("Enter the member number of the person you are nominating"),
            )
        if self.need_proposer:
            for field, missing in (
                ("proposer", _("Enter the member number of the proposer")),
                ("seconder", _("Enter the member number of the seconder")),
            ):
                if field not in self.errors:
                    cleaned[f"{field}_person"] = self._member(field, cleaned.get(field), missing=missing)
        return cleaned


class RankedBallotForm(forms.Form):
    """A ranked ballot without JavaScript: a number box per candidate, 1 for the first choice.

    Boxes may be left empty (a voter ranks as many candidates as they wish), but the numbers used
    must run 1, 2, 3 … without repeats or gaps. ``choices()`` gives the candidates' keys in order.
    """

    def __init__(self, *args, candidates, **kwargs):
        """``candidates``: (key, ballot name) pairs in ballot-paper order."""
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for key, name in self.candidates:
            self.fields[f"rank_{key}"] = forms.CharField(
                label=name,
                required=False,
                max_length=4,
                error_messages={"max_length": _("Use a number from 1 to %(count)s") % {"count": len(self.candidates)}},
            )

    def clean(self):
        cleaned = super().clean()
        total = len(self.candidates)
        numbers: dict[str, int] = {}
        for key, name in self.candidates:
            field = f"rank_{key}"
            if field in self.errors:
                continue
            text = (cleaned.get(field) or "").strip()
            if not text:
                continue
            if not (text.isascii() and text.isdigit()):
                self.add_error(
                    field,
                    _("Enter a number like 1 or 2 for %(name)s, or leave the box empty.") % {"name": name},
                )
            elif not 1 <= int(text) <= total:
                self.add_error(
                    field,
                    _("Use a number from 1 to %(count)s for %(name)s.") % {"count": total, "name": name},
                )
            else:
                numbers[key] = int(text)
        if self.errors:
            return cleaned
        if not numbers:
            raise forms.ValidationError(
                _("Your ballot is empty. Put 1 in the box next to the candidate you like most."), code="empty"
            )
        used: dict[int, list[str]] = {}
        for key, number in numbers.items():
            used.setdefault(number, []).append(key)
        names = dict(self.candidates)
        for number, keys in sorted(used.items()):
            if len(keys) > 1:
                for key in keys:
                    self.add_error(
                        f"rank_{key}",
                        _("You have put %(number)s next to more than one candidate. Use each number only once.")
                        % {"number": number},
                    )
        if self.errors:
            return cleaned
        expected = 1
        for number, keys in sorted(used.items()):
            if number != expected:
                if expected == 1:
                    message = _(
                        "Start with 1 for your first choice: you have no 1, so %(name)s cannot have %(number)s."
                    )
                else:
                    message = _(
                        "You have skipped %(missing)s: number your choices 1, 2, 3 and so on without gaps, "
                        "so %(name)s cannot have %(number)s."
                    )
                self.add_error(
                    f"rank_{keys[0]}",
                    message % {"missing": expected, "name": names[keys[0]], "number": number},
                )
                break
            expected += 1
        return cleaned

    def choices(self) -> list[str]:
        """The candidates' keys in the order the voter numbered them."""
        ranked = [
            (int(self.cleaned_data[f"rank_{key}"]), key)
            for key, _name in self.candidates
            if (self.cleaned_data.get(f"rank_{key}") or "").strip()
        ]
        return [key for _number, key in sorted(ranked)]

    @classmethod
    def initial_for(cls, choices: list[str]) -> dict[str, str]:
        """The boxes filled in from a list of keys in order (to change a ballot)."""
        return {f"rank_{key}": str(number) for number, key in enumerate(choices, start=1)}


class PluralityBallotForm(forms.Form):
    """Vote for up to N candidates: a checkbox each."""

    choices_field = forms.MultipleChoiceField(
        label=_("Your votes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, seats: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.seats = seats
        field = self.fields["choices_field"]
        field.choices = self.candidates
        field.label = ngettext("Vote for 1 candidate", "Vote for up to %(count)s candidates", seats) % {"count": seats}
        field.error_messages["invalid_choice"] = _("Choose from the candidates on the ballot.")

    def clean_choices_field(self):
        chosen = self.cleaned_data.get("choices_field") or []
        if not chosen:
            raise forms.ValidationError(
                _("Your ballot is empty. Tick the box next to the candidate you want to vote for."), code="empty"
            )
        if len(chosen) > self.seats:
            raise forms.ValidationError(
                ngettext(
                    "You can vote for only %(count)s candidate. You have ticked %(chosen)s: untick some.",
                    "You can vote for up to %(count)s candidates. You have ticked %(chosen)s: untick some.",
                    self.seats,
                )
                % {"count": self.seats, "chosen": len(chosen)},
                code="too_many",
            )
        order = [key for key, _name in self.candidates]
        return sorted(chosen, key=order.index)

    def choices(self) -> list[str]:
        return list(self.cleaned_data["choices_field"])

    @classmethod
    def initial_for(cls, choices: list[str]) -> dict[str, list[str]]:
        return {"choices_field": list(choices)}


class ReceiptCheckForm(forms.Form):
    """Is my receipt code in the published list?"""

    code = forms.CharField(
        label=_("Your receipt code"),
        max_length=40,
        help_text=_("It looks like ABCD-EFGH-JKMN. Capital or small letters both work."),
        error_messages={"required": _("Enter your receipt code"), "max_length": _("Enter your receipt code")},
    )

    def clean_code(self) -> str:
        """Capitals, without spaces or dashes, grouped in fours as the codes are printed."""
        raw = "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isalnum())
        if not raw:
            raise forms.ValidationError(_("Enter your receipt code"), code="required")
        return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# --- The secretary's and the returning officer's forms ----------------------------------------------

# The timetable's moments, in order, with the words used in their labels and errors.
TIMETABLE = (
    ("nominations_open", _("Nominations open")),
    ("nominations_close", _("Nominations close")),
    ("voting_open", _("Voting opens")),
    ("voting_close", _("Voting closes")),
)
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")
_TOO_LONG = _("Use %(limit_value)s characters or fewer")


def _date_parts(form: forms.Form, name: str, year_min: int = 2000) -> None:
    """Add ``<name>_day``, ``_month`` and ``_year`` to ``form`` (a GOV.UK date input)."""
    form.fields[f"{name}_day"] = forms.IntegerField(label=_("Day"), required=False, min_value=1, max_value=31)
    form.fields[f"{name}_month"] = forms.IntegerField(label=_("Month"), required=False, min_value=1, max_value=12)
    form.fields[f"{name}_year"] = forms.IntegerField(
        label=_("Year"), required=False, min_value=year_min, max_value=2200
    )


def _read_date(form: forms.Form, name: str, what: str) -> datetime.date | None:
    """The date typed into ``name``'s three boxes, or None with one error on the day box."""
    parts = [form.cleaned_data.get(f"{name}_{part}") for part in ("year", "month", "day")]
    broken = any(f"{name}_{part}" in form.errors for part in ("day", "month", "year"))
    for part in ("day", "month", "year"):
        form.errors.pop(f"{name}_{part}", None)
    if not broken and None not in parts:
        try:
            return datetime.date(*parts)
        except ValueError:
            pass
    if not broken and all(part is None for part in parts):
        form.add_error(f"{name}_day", _("Enter the date: %(what)s") % {"what": what})
    else:
        form.add_error(f"{name}_day", _("Enter a real date for “%(what)s”, like 27 3 2026") % {"what": what})
    return None


class ElectionForm(forms.Form):
    """An election's title, what is elected, how votes are counted, the timetable and who runs it.

    The four moments of the timetable are each a date (day, month, year) and a time. Whether the
    timetable is in order is the service's to say: its refusal lands on the date it names.
    """

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example, Board election 2026."),
        error_messages={"required": _("Enter the election's title"), "max_length": _TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"), max_length=200, required=False, error_messages={"max_length": _TOO_LONG}
    )
    description = forms.CharField(
        label=_("What is being elected (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        help_text=_("For example, 7 tenant members and 5 independent members of the board, each for 3 years."),
        error_messages={"max_length": _TOO_LONG},
    )
    description_cy = forms.CharField(
        label=_("What is being elected, in Welsh (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _TOO_LONG},
    )
    rules = forms.ChoiceField(
        label=_("How are the votes counted?"),
        choices=CountRules.choices,
        error_messages={"required": _("Choose how the votes are counted")},
    )
    nominations_need_proposer = forms.ChoiceField(
        label=_("Does each nomination need a proposer and a seconder?"),
        choices=[
            ("yes", _("Yes, two members with a vote for the same seats")),
            ("no", _("No, a member can nominate themself or another member alone")),
        ],
        error_messages={"required": _("Choose whether nominations need a proposer and a seconder")},
    )
    returning_officer = forms.ChoiceField(
        label=_("Returning officer"),
        help_text=_(
            "The person who runs the election: decides nominations, opens and closes voting and starts the count. "
            "They cannot stand as a candidate."
        ),
        error_messages={"required": _("Choose the returning officer")},
    )

    def __init__(self, *args, officers, **kwargs):
        """``officers``: the people who may be returning officer, as (person, description) pairs."""
        super().__init__(*args, **kwargs)
        self.officers = {str(person.pk): person for person, _description in officers}
        self.fields["returning_officer"].choices = [("", _("Choose a person"))] + [
            (str(person.pk), description) for person, description in officers
        ]
        for name, _label in TIMETABLE:
            _date_parts(self, name)
            self.fields[f"{name}_time"] = forms.CharField(
                label=_("Time"),
                required=False,
                max_length=5,
                help_text=_("Use the 24-hour clock, for example 09:00 or 17:30."),
            )
        _date_parts(self, "qualifying_date")

    @classmethod
    def initial_for(cls, election) -> dict:
        """The form filled in from an election, its moments in the site's time zone."""
        initial = {
            name: getattr(election, name) for name in ("title", "title_cy", "description", "description_cy", "rules")
        }
        initial["nominations_need_proposer"] = "yes" if election.nominations_need_proposer else "no"
        initial["returning_officer"] = str(election.returning_officer_id)
        for name, _label in TIMETABLE:
            moment = timezone.localtime(getattr(election, name))
            initial.update(
                {
                    f"{name}_day": moment.day,
                    f"{name}_month": moment.month,
                    f"{name}_year": moment.year,
                    f"{name}_time": moment.strftime("%H:%M"),
                }
            )
        day = election.qualifying_date
        initial.update(
            {"qualifying_date_day": day.day, "qualifying_date_month": day.month, "qualifying_date_year": day.year}
        )
        return initial

    def clean_returning_officer(self):
        return self.officers[self.cleaned_data["returning_officer"]]

    def clean(self):
        cleaned = super().clean()
        for name, label in TIMETABLE:
            day = _read_date(self, name, str(label))
            text = cleaned.get(f"{name}_time") or ""
            match = _TIME.match(text)
            hours, minutes = (int(match[1]), int(match[2])) if match else (None, None)
            if match is None or hours > 23 or minutes > 59:
                self.add_error(
                    f"{name}_time",
                    _("Enter the time for “%(what)s” as hours and minutes on the 24-hour clock, like 09:00")
                    % {"what": label},
                )
            elif day is not None:
                cleaned[name] = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))
        qualifying = _read_date(self, "qualifying_date", str(_("Qualifying date for voters")))
        if qualifying is not None:
            cleaned["qualifying_date"] = qualifying
        return cleaned

    def values(self) -> dict:
        """The fields as the services take them."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in ("title", "title_cy", "description", "description_cy", "rules", "returning_officer")
        }
        values["nominations_need_proposer"] = data["nominations_need_proposer"] == "yes"
        values["qualifying_date"] = data["qualifying_date"]
        values.update({name: data[name] for name, _label in TIMETABLE})
        return values

    def add_service_error(self, error) -> None:
        """Put a service's refusal beside the field it names (a moment's refusal on its day box)."""
        service_error_on(self, error)


class ConstituencyForm(forms.Form):
    """Seats elected on one ballot: by every member, or by the members of one class."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("For example, Tenant members or All members."),
        error_messages={"required": _("Enter the name of the seats"), "max_length": _TOO_LONG},
    )
    name_cy = forms.CharField(
        label=_("Name in Welsh (optional)"), max_length=100, required=False, error_messages={"max_length": _TOO_LONG}
    )
    seats = forms.IntegerField(
        label=_("How many seats?"),
        min_value=1,
        max_value=99,
        error_messages={
            "required": _("Enter the number of seats"),
            "invalid": _("Enter the number of seats as a whole number, like 3"),
            "min_value": _("Enter a number of seats of 1 or more"),
            "max_value": _("Enter a number of seats of 99 or fewer"),
        },
    )
    elected_by = forms.ChoiceField(
        label=_("Who votes for these seats?"),
        error_messages={"required": _("Choose who votes for these seats")},
    )

    def __init__(self, *args, classes, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = {str(c.pk): c for c in classes}
        self.fields["elected_by"].choices = [("all", _("All members with a vote"))] + [
            (key, _("Members of the class “%(name)s”") % {"name": c.localised_name(language)})
            for key, c in self.classes.items()
        ]

    def clean_elected_by(self):
        value = self.cleaned_data["elected_by"]
        return None if value == "all" else self.classes[value]


class AppointedSeatForm(forms.Form):
    """Seats filled by appointment (for example council nominees), listed beside the elected ones."""

    title = forms.CharField(
        label=_("Seats"),
        max_length=100,
        help_text=_("For example, Council nominees."),
        error_messages={"required": _("Enter what the seats are called"), "max_length": _TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Seats, in Welsh (optional)"), max_length=100, required=False, error_messages={"max_length": _TOO_LONG}
    )
    seats = forms.IntegerField(
        label=_("How many seats?"),
        min_value=1,
        max_value=99,
        initial=1,
        error_messages={
            "required": _("Enter the number of seats"),
            "invalid": _("Enter the number of seats as a whole number, like 3"),
            "min_value": _("Enter a number of seats of 1 or more"),
            "max_value": _("Enter a number of seats of 99 or fewer"),
        },
    )
    appointed_by = forms.CharField(
        label=_("Appointed by"),
        max_length=200,
        help_text=_("For example, Kingsmere Borough Council."),
        error_messages={"required": _("Enter who appoints to these seats"), "max_length": _TOO_LONG},
    )


class SeedForm(forms.Form):
    """The seed any lot in the count uses, published before voting closes."""

    seed = forms.CharField(
        label=_("Seed"),
        max_length=100,
        help_text=_("Any words or numbers, for example the winning numbers of a lottery drawn before voting closes."),
        error_messages={"required": _("Enter the seed"), "max_length": _TOO_LONG},
    )


class NominationDecisionForm(forms.Form):
    """Accept a nomination, or reject it with a reason the candidate is sent."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("accept", _("Accept the nomination")), ("reject", _("Reject the nomination"))],
        error_messages={"required": _("Choose whether to accept or reject the nomination")},
    )
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("The candidate is emailed this. Only needed if you reject the nomination."),
        error_messages={"max_length": _TOO_LONG},
    )


class VoterSearchForm(forms.Form):
    """Find a voter on a ballot's electorate by member number or name (GET)."""

    q = forms.CharField(
        label=_("Member number or name"),
        max_length=100,
        help_text=_("For example, 42 or Jones."),
        error_messages={"required": _("Enter a member number or a name")},
    )


class SpoiltPaperForm(forms.Form):
    """A paper that cannot be counted, with the reason (for example, no marks, or the voter can be identified)."""

    spoilt_reason = forms.CharField(
        label=_("Why is the paper spoilt?"),
        max_length=200,
        help_text=_("For example, no marks on it, or the voter wrote their name on it."),
        error_messages={"required": _("Say why the paper is spoilt"), "max_length": _TOO_LONG},
    )


class CastForForm(forms.Form):
    """Whose vote is cast on their behalf, and how (the choices come from the ballot form beside it)."""

    member_number = forms.IntegerField(
        label=_("Member number of the voter"),
        min_value=1,
        error_messages={
            "required": _("Enter the voter's member number"),
            "invalid": _("Enter the member number as a whole number, like 42"),
            "min_value": _("Enter the member number as a whole number, like 42"),
        },
    )
    channel = forms.ChoiceField(
        label=_("How is the vote cast?"),
        choices=[
            ("proxy", _("By proxy: the person they appointed casts it for them")),
            ("assisted", _("With assistance: the voter says their choices and you record them")),
        ],
        error_messages={"required": _("Choose how the vote is cast")},
    )
