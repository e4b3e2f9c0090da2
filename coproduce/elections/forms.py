"""Forms for elections: members' (nominating, the ballot) and the returning officer's.

Forms validate what a person typed; the services decide what is allowed.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import STATEMENT_MAX_LENGTH

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
        label=_("Their member number"),
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
            if not text.isdigit():
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
