"""Budgets' forms. Each form reads and checks what a person typed; the services decide the rest."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coproduce.core.forms import DateParts, ServiceErrorsForm
from coproduce.core.verification import VerificationLevel

from .models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, BallotKind, CountRule, DeliveryStatus

# -- Rounds and ideas (public pages) -------------------------------------------------------------------

IDEA_PHOTOS = 3  # photos an idea may have (the service refuses more)


class IdeaForm(forms.Form):
    """A resident's idea: what, where, which ward, and up to three photos each with its alt text.

    The service checks the photos themselves (a JPG or PNG, stripped of its metadata); the form
    asks for a description of each photo given, so that no photo is published without one.
    """

    title = forms.CharField(
        label=_("Give your idea a short title"),
        max_length=150,
        help_text=_("For example: Benches along the canal path."),
        error_messages={
            "required": _("Enter a title for your idea"),
            "max_length": _("The title must be %(limit_value)s characters or fewer"),
        },
    )
    description = forms.CharField(
        label=_("Describe your idea"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("What would it be, who would it help, and why? You can use up to 4,000 characters."),
        error_messages={
            "required": _("Describe your idea"),
            "max_length": _("The description must be %(limit_value)s characters or fewer"),
        },
    )
    where = forms.CharField(
        label=_("Where would it be? (optional)"),
        required=False,
        max_length=300,
        help_text=_("A street, a park or a building, for example: the canal path by Mill Lane."),
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    ward = forms.ChoiceField(
        label=_("Which ward is it in?"),
        error_messages={"required": _("Choose the ward your idea is in"), "invalid_choice": _("Choose a ward")},
    )

    def __init__(self, *args, places, language: str | None, **kwargs):
        """``places``: the round's place first, then the wards within it."""
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in places}
        if len(self.places) == 1:
            del self.fields["ward"]
        else:
            area, *wards = places
            self.fields["ward"].choices = [
                (str(area.pk), _("More than one ward, or all of %(place)s") % {"place": area.localised_name(language)})
            ] + [(str(ward.pk), ward.localised_name(language)) for ward in wards]
        for number in range(1, IDEA_PHOTOS + 1):
            self.fields[f"photo_{number}"] = forms.FileField(
                label=_("Photo %(number)s (optional)") % {"number": number},
                required=False,
                help_text=_(
                    "A JPG or PNG picture smaller than 5 MB. "
                    "We remove the details cameras store in photos, such as where it was taken."
                ),
            )
            self.fields[f"alt_{number}"] = forms.CharField(
                label=_("Describe photo %(number)s") % {"number": number},
                required=False,
                max_length=300,
                help_text=_(
                    "Describe the photo for people who cannot see it, for example: a muddy path beside the canal."
                ),
                error_messages={"max_length": _("Describe the photo in %(limit_value)s characters or fewer")},
            )

    def photo_numbers(self) -> range:
        return range(1, IDEA_PHOTOS + 1)

    def clean(self):
        data = super().clean()
        if len(self.places) == 1:
            data["ward"] = next(iter(self.places.values()))
        elif data.get("ward"):
            data["ward"] = self.places[data["ward"]]
        photos = []
        for number in self.photo_numbers():
            photo, alt = data.get(f"photo_{number}"), (data.get(f"alt_{number}") or "").strip()
            if photo and not alt:
                self.add_error(f"alt_{number}", _("Describe the photo for people who cannot see it"))
            elif alt and not photo and f"alt_{number}" not in self.errors:
                again = _("Choose photo %(number)s again, or remove its description") % {"number": number}
                self.add_error(f"photo_{number}", again)
            elif photo:
                photos.append((photo, alt))
        data["photos"] = photos
        return data

    def photo_error_field(self, error) -> str | None:
        """The field a service's refusal of a photo belongs beside (its params say which photo)."""
        number = (error.params or {}).get("number")
        if number is None:
            return None
        return f"alt_{number}" if error.code in ("alt_missing", "alt_too_long") else f"photo_{number}"


# -- The ballot, results and delivery -------------------------------------------------------------------

POINTS_MAX_DIGITS = 6  # more than anyone could be given to share


class ProjectsBallotForm(forms.Form):
    """A knapsack or approval-of-N ballot: a checkbox for each project on the ballot paper.

    The budget's own rule (the chosen projects' costs together within the amount) is the service's
    ``ballot_check``: the view puts its refusal beside the checkboxes.
    """

    projects = forms.MultipleChoiceField(label=_("Your choices"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, projects, limit: int | None = None, **kwargs):
        """``projects``: (key, title) pairs in ballot-paper order; ``limit``: the most a voter may choose."""
        super().__init__(*args, **kwargs)
        self.projects = list(projects)
        self.limit = limit
        field = self.fields["projects"]
        field.choices = self.projects
        field.error_messages["invalid_choice"] = _("Choose from the projects on the ballot.")

    def clean_projects(self) -> list[str]:
        chosen = self.cleaned_data.get("projects") or []
        if not chosen:
            raise forms.ValidationError(
                _("Your ballot is empty. Tick the box next to each project you want to vote for."), code="empty"
            )
        if self.limit is not None and len(chosen) > self.limit:
            raise forms.ValidationError(
                ngettext(
                    "You can choose only %(count)s project. You have ticked %(chosen)s: untick some.",
                    "You can choose up to %(count)s projects. You have ticked %(chosen)s: untick some.",
                    self.limit,
                )
                % {"count": self.limit, "chosen": len(chosen)},
                code="too_many",
            )
        order = [key for key, _title in self.projects]
        return sorted(chosen, key=order.index)

    def content(self) -> list[str]:
        """The ballot as the box takes it: the chosen projects' keys."""
        return list(self.cleaned_data["projects"])

    @classmethod
    def initial_for(cls, content) -> dict[str, list[str]]:
        return {"projects": [str(key) for key in content]}


class PointsBallotForm(forms.Form):
    """A points ballot: a box for each project, to share out up to ``limit`` points (empty means none)."""

    def __init__(self, *args, projects, limit: int, **kwargs):
        """``projects``: (key, title) pairs in ballot-paper order; ``limit``: the points each voter shares."""
        super().__init__(*args, **kwargs)
        self.projects = list(projects)
        self.limit = limit
        for key, title in self.projects:
            self.fields[f"points_{key}"] = forms.CharField(
                label=title,
                required=False,
                max_length=POINTS_MAX_DIGITS,
                error_messages={
                    "max_length": _("Enter a number of points from 0 to %(count)s for %(project)s")
                    % {"count": limit, "project": title}
                },
            )

    def points_fields(self):
        """Each project's title and its bound field, in ballot-paper order."""
        return [(title, self[f"points_{key}"]) for key, title in self.projects]

    def clean(self):
        data = super().clean()
        given: list[list] = []
        for key, title in self.projects:
            name = f"points_{key}"
            if name in self.errors:
                continue
            text = (data.get(name) or "").strip()
            if not text:
                continue
            try:
                points = int(text)
            except ValueError:
                self.add_error(
                    name,
                    _("Enter a whole number of points for %(project)s, like 2, or leave it empty") % {"project": title},
                )
                continue
            if points < 0:
                self.add_error(name, _("Points for %(project)s cannot be less than 0") % {"project": title})
                continue
            if points:
                given.append([key, points])
        if self.errors:
            return data
        total = sum(points for _key, points in given)
        if not given:
            raise forms.ValidationError(
                ngettext(
                    "Your ballot is empty. Give your %(count)s point to a project.",
                    "Your ballot is empty. Share your %(count)s points among the projects you want to vote for.",
                    self.limit,
                )
                % {"count": self.limit},
                code="empty",
            )
        if total > self.limit:
            raise forms.ValidationError(
                ngettext(
                    "You have %(count)s point to share but have given %(given)s: take some away.",
                    "You have %(count)s points to share but have given %(given)s: take some away.",
                    self.limit,
                )
                % {"count": self.limit, "given": total},
                code="too_many_points",
            )
        data["content"] = given
        return data

    def content(self) -> list[list]:
        """The ballot as the box takes it: [key, points] pairs for the projects given points."""
        return [list(pair) for pair in self.cleaned_data["content"]]

    @classmethod
    def initial_for(cls, content) -> dict[str, str]:
        return {f"points_{key}": str(points) for key, points in content}


# -- Officers' pages -------------------------------------------------------------------------------------

# The round's phases in order: (field, legend, the words used in its date's errors).
ROUND_PHASES = (
    ("ideas_open", _("Ideas open"), _("The date ideas open")),
    ("ideas_close", _("Ideas close"), _("The date ideas close")),
    ("review_close", _("The review ends"), _("The date the review ends")),
    ("voting_open", _("Voting opens"), _("The date voting opens")),
    ("voting_close", _("Voting closes"), _("The date voting closes")),
)
UPDATE_PHOTOS = 3  # photos a delivery update may have
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")
_POUNDS = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
_OFFICER_TOO_LONG = _("Use %(limit_value)s characters or fewer")


def pence_from_pounds(text: str) -> int | None:
    """An amount typed in pounds as whole pence ("£1,250.50" → 125050), or None if it is not one."""
    cleaned = (text or "").strip().removeprefix("£").replace(",", "").replace(" ", "")
    if not _POUNDS.match(cleaned):
        return None
    pounds, _point, pence = cleaned.partition(".")
    return int(pounds) * 100 + int((pence + "00")[:2])


def pounds_from_pence(pence: int | None) -> str:
    """Pence as typed back into a form: 125050 → "1250.50", 5000000 → "50000"."""
    if pence is None:
        return ""
    return f"{pence // 100}" if pence % 100 == 0 else f"{pence // 100}.{pence % 100:02d}"


class PoundsField(forms.CharField):
    """An amount of money typed in pounds ("50000", "£1,250.50"), cleaned to whole pence (1p or more).

    ``error_messages``: ``required``, ``invalid`` (not an amount of money) and ``min_value`` (nothing).
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        pence = pence_from_pounds(value) if len(value) <= 20 else None
        if pence is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if pence < 1:
            raise forms.ValidationError(self.error_messages["min_value"], code="min_value")
        return pence


class RoundForm(ServiceErrorsForm):
    """A budget round: what it is for, where, how much, its phases and dates, who may take part, the
    ballot and how it is counted. Whether the phases are in order is the service's to say: its
    refusal ("Ideas must close after they open.") lands on the date it names."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example, Elmwood ward budget 2026."),
        error_messages={"required": _("Enter the round's title"), "max_length": _OFFICER_TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    description = forms.CharField(
        label=_("What the budget is for (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        help_text=_("For example, small projects that make the ward a better place to live, chosen by residents."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    description_cy = forms.CharField(
        label=_("What the budget is for, in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    place = forms.ChoiceField(
        label=_("Where is the budget for?"),
        help_text=_("Residents of this place take part: a ward, or every ward of a district or the borough."),
        error_messages={"required": _("Choose where the budget is for"), "invalid_choice": _("Choose a place")},
    )
    amount = PoundsField(
        label=_("The budget, in pounds"),
        help_text=_("For example, 50000 or 12500.50."),
        error_messages={
            "required": _("Enter the budget, in pounds"),
            "invalid": _("Enter the budget in pounds, like 50000 or 12500.50"),
            "min_value": _("Enter a budget of at least 1p"),
        },
    )
    min_level = forms.TypedChoiceField(
        label=_("How surely must residents' addresses be verified?"),
        coerce=int,
        error_messages={"required": _("Choose how surely residents' addresses must be verified")},
    )
    min_age = forms.IntegerField(
        label=_("Youngest age (optional)"),
        required=False,
        min_value=0,
        max_value=130,
        help_text=_("For example, 16. Leave it empty for no youngest age."),
        error_messages={
            "invalid": _("Enter the youngest age as a whole number, like 16"),
            "min_value": _("Enter the youngest age as a whole number, like 16"),
            "max_value": _("Enter a youngest age of 130 or under"),
        },
    )
    max_age = forms.IntegerField(
        label=_("Oldest age (optional)"),
        required=False,
        min_value=0,
        max_value=130,
        help_text=_("For example, 25 for a budget for young people. Leave it empty for no oldest age."),
        error_messages={
            "invalid": _("Enter the oldest age as a whole number, like 25"),
            "min_value": _("Enter the oldest age as a whole number, like 25"),
            "max_value": _("Enter an oldest age of 130 or under"),
        },
    )
    ballot_kind = forms.ChoiceField(
        label=_("What does each voter do on the ballot?"),
        choices=BallotKind.choices,
        error_messages={"required": _("Choose the kind of ballot")},
    )
    ballot_limit = forms.IntegerField(
        label=_("How many projects may each voter choose, or how many points do they share?"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("Only for choosing up to a number of projects, or sharing points."),
        error_messages={
            "invalid": _("Enter the number as a whole number, like 5"),
            "min_value": _("Enter a number of 1 or more"),
            "max_value": _("Enter a number of 999 or fewer"),
        },
    )
    count_rule = forms.ChoiceField(
        label=_("How are the votes counted?"),
        choices=CountRule.choices,
        initial=CountRule.MES,
        help_text=_("Stated now, before anyone votes, and published with the round."),
        error_messages={"required": _("Choose how the votes are counted")},
    )

    results_on = DateParts("results_on", _("The date results are announced"), required=False)
    delivery_by = DateParts("delivery_by", _("The date projects are delivered by"), required=False)

    def __init__(self, *args, places, language: str | None = None, **kwargs):
        """``places``: where a round may be for (a borough, its districts and wards)."""
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in places}
        self.fields["place"].choices = [("", _("Choose a place"))] + [
            (key, f"{place.localised_name(language)} ({place.get_kind_display()})")
            for key, place in self.places.items()
        ]
        self.fields["min_level"].choices = [
            (level.value, level.label) for level in VerificationLevel if level != VerificationLevel.NONE
        ]
        for name, _legend, words in ROUND_PHASES:
            self.fields.update(DateParts(name, words, required=True).fields())
            self.fields[f"{name}_time"] = forms.CharField(
                label=_("Time"),
                required=False,
                max_length=5,
                help_text=_("Use the 24-hour clock, for example 09:00 or 17:30."),
            )
        self.fields.update(self.results_on.fields())
        self.fields.update(self.delivery_by.fields())

    @classmethod
    def initial_new(cls) -> dict:
        """A new round's form: the ballot and count the issue recommends, phases starting at 09:00."""
        initial = {
            "ballot_kind": BallotKind.KNAPSACK,
            "count_rule": CountRule.MES,
            "min_level": VerificationLevel.CONFIRMED,
        }
        initial.update({f"{name}_time": "09:00" for name, _legend, _words in ROUND_PHASES})
        return initial

    @classmethod
    def initial_for(cls, budget_round) -> dict:
        """The form filled in from a round, its moments in the site's time zone."""
        initial = {
            name: getattr(budget_round, name)
            for name in (
                "title",
                "title_cy",
                "description",
                "description_cy",
                "min_level",
                "min_age",
                "max_age",
                "ballot_kind",
                "ballot_limit",
                "count_rule",
            )
        }
        initial["place"] = str(budget_round.place_id)
        initial["amount"] = pounds_from_pence(budget_round.amount)
        for name, _legend, _words in ROUND_PHASES:
            moment = timezone.localtime(getattr(budget_round, name))
            initial.update(
                {
                    f"{name}_day": moment.day,
                    f"{name}_month": moment.month,
                    f"{name}_year": moment.year,
                    f"{name}_time": moment.strftime("%H:%M"),
                }
            )
        for name in ("results_on", "delivery_by"):
            day = getattr(budget_round, name)
            if day is not None:
                initial.update({f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year})
        return initial

    def clean_place(self):
        return self.places[self.cleaned_data["place"]]

    def clean(self):
        cleaned = super().clean()
        for name, legend, words in ROUND_PHASES:
            day = DateParts(name, words, required=True).clean(self)
            match = _CLOCK.match(cleaned.get(f"{name}_time") or "")
            hours, minutes = (int(match[1]), int(match[2])) if match else (None, None)
            if match is None or hours > 23 or minutes > 59:
                self.add_error(
                    f"{name}_time",
                    _("Enter the time for “%(what)s” as hours and minutes on the 24-hour clock, like 09:00")
                    % {"what": legend},
                )
            elif day is not None:
                cleaned[name] = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))
        cleaned["results_on"] = self.results_on.clean(self)
        cleaned["delivery_by"] = self.delivery_by.clean(self)
        return cleaned

    def values(self) -> dict:
        """The fields as ``services.round_create`` and ``round_update`` take them."""
        data = self.cleaned_data
        names = (
            "title",
            "title_cy",
            "description",
            "description_cy",
            "place",
            "amount",
            "results_on",
            "delivery_by",
            "min_level",
            "min_age",
            "max_age",
            "ballot_kind",
            "ballot_limit",
            "count_rule",
        )
        values = {name: data[name] for name in names}
        values.update({name: data[name] for name, _legend, _words in ROUND_PHASES})
        if values["ballot_kind"] == BallotKind.KNAPSACK:
            values["ballot_limit"] = None
        return values


class RoundSeedForm(forms.Form):
    """The number any lot in the count is drawn from, published before voting closes."""

    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        help_text=_("A whole number from 0 to 2147483647, for example the winning lottery numbers run together."),
        error_messages={
            "required": _("Enter the seed"),
            "invalid": _("Enter the seed as a whole number, like 120931"),
            "min_value": _("Enter a seed from 0 to 2147483647"),
            "max_value": _("Enter a seed from 0 to 2147483647"),
        },
    )


class IdeaModerationForm(forms.Form):
    """Publish an idea waiting for moderation, or hide it with a reason published in its place.

    One form for each idea on the page, told apart by their ``prefix`` (``idea-<pk>``)."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("publish", _("Publish the idea")), ("hide", _("Hide the idea, giving the reason"))],
        error_messages={"required": _("Choose whether to publish or hide the idea")},
    )
    reason = forms.CharField(
        label=_("Reason for hiding it"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Published in the idea's place, for example: it names a neighbour. Only needed to hide it."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )


def _idea_choices(ideas) -> list[tuple[str, str]]:
    return [(str(idea.pk), idea.title) for idea in ideas]


class IdeasMergeForm(forms.Form):
    """Duplicates merged into the idea kept: their supporters support it, once each."""

    keep = forms.ChoiceField(
        label=_("Which idea do you keep?"),
        help_text=_("Residents see this one; the duplicates point to it."),
        error_messages={"required": _("Choose the idea to keep"), "invalid_choice": _("Choose the idea to keep")},
    )
    duplicates = forms.MultipleChoiceField(
        label=_("Which ideas are its duplicates?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the duplicates to merge into the idea you keep"),
            "invalid_choice": _("Choose ideas from the list"),
        },
    )

    def __init__(self, *args, ideas, **kwargs):
        super().__init__(*args, **kwargs)
        self.ideas = {str(idea.pk): idea for idea in ideas}
        choices = _idea_choices(ideas)
        self.fields["keep"].choices = choices
        self.fields["duplicates"].choices = choices

    def clean(self):
        cleaned = super().clean()
        keep, duplicates = cleaned.get("keep"), cleaned.get("duplicates")
        if keep and duplicates is not None:
            others = [key for key in duplicates if key != keep]
            if not others:
                self.add_error("duplicates", _("Choose at least one duplicate other than the idea you keep"))
            else:
                cleaned["into"] = self.ideas[keep]
                cleaned["others"] = [self.ideas[key] for key in others]
        return cleaned


class ProjectCostForm(ServiceErrorsForm):
    """A costed project made from one or more ideas, to go on the ballot."""

    ideas = forms.MultipleChoiceField(
        label=_("Which ideas does it come from?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their proposers and supporters are told it is on the ballot."),
        error_messages={"invalid_choice": _("Choose ideas from the list")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=150,
        help_text=_("As it will read on the ballot, for example: Benches along the canal path."),
        error_messages={"required": _("Enter the project's title"), "max_length": _OFFICER_TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=150,
        required=False,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        help_text=_("What residents would get, where, and who it helps."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    description_cy = forms.CharField(
        label=_("Description in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    cost = PoundsField(
        label=_("Cost, in pounds"),
        help_text=_("For example, 12000 or 850.50."),
        error_messages={
            "required": _("Enter the project's cost, in pounds"),
            "invalid": _("Enter the cost in pounds, like 12000 or 850.50"),
            "min_value": _("Enter a cost of at least 1p"),
        },
    )
    cost_breakdown = forms.CharField(
        label=_("What the cost is made of"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        help_text=_("For example: 6 benches at £1,500 each; fitting £3,000."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    delivery_time = forms.CharField(
        label=_("How long it takes to deliver"),
        max_length=100,
        required=False,
        help_text=_("For example, 3 months."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )

    def __init__(self, *args, ideas, **kwargs):
        super().__init__(*args, **kwargs)
        self.idea_objects = {str(idea.pk): idea for idea in ideas}
        self.fields["ideas"].choices = _idea_choices(ideas)

    def clean_ideas(self):
        return [self.idea_objects[key] for key in self.cleaned_data.get("ideas") or []]

    def values(self) -> dict:
        return dict(self.cleaned_data)


class NotFeasibleForm(ServiceErrorsForm):
    """Ideas (or a costed project) that cannot be done, with the public reason their proposers are sent."""

    ideas = forms.MultipleChoiceField(
        label=_("Which ideas are not feasible?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose ideas from the list")},
    )
    project = forms.ChoiceField(
        label=_("Or which costed project is not feasible?"),
        required=False,
        error_messages={"invalid_choice": _("Choose a project from the list")},
    )
    title = forms.CharField(
        label=_("A title for what is not feasible (optional)"),
        max_length=150,
        required=False,
        help_text=_("Only for ideas. Without one, the first idea's title is used."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    reason = forms.CharField(
        label=_("Why is it not feasible?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Published with it, and emailed to each proposer in their language. Say it plainly."),
        error_messages={
            "required": _("Give the reason it is not feasible: it is published and sent to the proposers"),
            "max_length": _OFFICER_TOO_LONG,
        },
    )

    def __init__(self, *args, ideas, projects, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.idea_objects = {str(idea.pk): idea for idea in ideas}
        self.project_objects = {str(project.pk): project for project in projects}
        self.fields["ideas"].choices = _idea_choices(ideas)
        self.fields["project"].choices = [("", _("None: the ideas ticked above"))] + [
            (key, project.localised_title(language)) for key, project in self.project_objects.items()
        ]
        if not self.project_objects:
            del self.fields["project"]

    def clean(self):
        cleaned = super().clean()
        ideas = [self.idea_objects[key] for key in cleaned.get("ideas") or []]
        project = self.project_objects.get(cleaned.get("project") or "")
        if not self.errors.get("ideas") and not self.errors.get("project"):
            # Beside the ideas' boxes, or the projects' list when no idea is left to choose.
            field = "ideas" if self.idea_objects or "project" not in self.fields else "project"
            if not ideas and project is None:
                self.add_error(field, _("Choose the ideas, or the project, that are not feasible"))
            elif ideas and project is not None:
                self.add_error(field, _("Choose either ideas or a project, not both"))
        cleaned["ideas"], cleaned["project"] = ideas, project
        return cleaned


class ElectorSearchForm(forms.Form):
    """Find a resident on the round's electorate by name, postcode or email address (GET)."""

    q = forms.CharField(
        label=_("Name, postcode or email address"),
        max_length=200,
        help_text=_("For example, Jones, EW1 2AB or cara@example.org."),
        error_messages={"required": _("Enter a name, a postcode or an email address")},
    )


class SpoiltBudgetPaperForm(forms.Form):
    """A paper that cannot be counted, with the reason (no marks, over the budget, the voter named)."""

    spoilt_reason = forms.CharField(
        label=_("Why is the paper spoilt?"),
        max_length=200,
        help_text=_("For example: no marks on it; the projects marked cost more than the budget."),
        error_messages={"required": _("Say why the paper is spoilt"), "max_length": _OFFICER_TOO_LONG},
    )


class DepartureForm(ServiceErrorsForm):
    """The fund holder's decision to depart from the count for one project, with the reason."""

    service_fields = {"funded": "decision"}

    project = forms.ChoiceField(
        label=_("Which project?"),
        error_messages={"required": _("Choose the project"), "invalid_choice": _("Choose a project from the list")},
    )
    decision = forms.ChoiceField(
        label=_("What has the fund holder decided?"),
        choices=[
            ("fund", _("To fund it, though the count did not")),
            ("not_fund", _("Not to fund it, though the count did")),
        ],
        error_messages={"required": _("Choose what the fund holder has decided")},
    )
    reason = forms.CharField(
        label=_("The reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Published beside the count, for everyone to read."),
        error_messages={
            "required": _("Give the reason for departing from the count: it is published beside it"),
            "max_length": _OFFICER_TOO_LONG,
        },
    )

    def __init__(self, *args, projects, **kwargs):
        """``projects``: (project, description) pairs."""
        super().__init__(*args, **kwargs)
        self.projects = {str(project.pk): project for project, _words in projects}
        self.fields["project"].choices = [("", _("Choose a project"))] + [
            (str(project.pk), words) for project, words in projects
        ]

    def clean_project(self):
        return self.projects[self.cleaned_data["project"]]


class DeliveryStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Where has the project's delivery got to?"),
        choices=DeliveryStatus.choices,
        error_messages={"required": _("Choose where the project's delivery has got to")},
    )


class ProjectUpdateForm(ServiceErrorsForm):
    """A dated update on a funded project's delivery, in English and Welsh, with up to three photos
    each described for people who cannot see it."""

    on = DateParts("on", _("The date of the update"), required=False)
    text = forms.CharField(
        label=_("The update"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("What has happened, for the residents who follow the project. For example: the benches are in."),
        error_messages={"required": _("Write the update"), "max_length": _OFFICER_TOO_LONG},
    )
    text_cy = forms.CharField(
        label=_("The update in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.on.fields())
        for number in self.photo_numbers():
            self.fields[f"photo_{number}"] = forms.FileField(
                label=_("Photo %(number)s (optional)") % {"number": number},
                required=False,
                help_text=_(
                    "A JPG or PNG picture smaller than 5 MB. "
                    "We remove the details cameras store in photos, such as where it was taken."
                ),
            )
            self.fields[f"alt_{number}"] = forms.CharField(
                label=_("Describe photo %(number)s") % {"number": number},
                required=False,
                max_length=300,
                help_text=_("For people who cannot see it, for example: six new benches along the canal path."),
                error_messages={"max_length": _("Describe the photo in %(limit_value)s characters or fewer")},
            )
            self.fields[f"alt_cy_{number}"] = forms.CharField(
                label=_("Describe photo %(number)s in Welsh (optional)") % {"number": number},
                required=False,
                max_length=300,
                error_messages={"max_length": _("Describe the photo in %(limit_value)s characters or fewer")},
            )

    def photo_numbers(self) -> range:
        return range(1, UPDATE_PHOTOS + 1)

    def clean(self):
        data = super().clean()
        on = self.on.clean(self)
        if on is not None and on > timezone.localdate():
            self.add_error("on_day", _("The date of the update must be today or in the past"))
        data["on"] = on
        photos = []
        for number in self.photo_numbers():
            photo = data.get(f"photo_{number}")
            alt = (data.get(f"alt_{number}") or "").strip()
            alt_cy = (data.get(f"alt_cy_{number}") or "").strip()
            if photo and not alt and f"alt_{number}" not in self.errors:
                self.add_error(
                    f"alt_{number}", _("Describe photo %(number)s for people who cannot see it") % {"number": number}
                )
            elif (alt or alt_cy) and not photo and f"alt_{number}" not in self.errors:
                self.add_error(
                    f"photo_{number}",
                    _("Choose photo %(number)s again, or remove its description") % {"number": number},
                )
            elif photo:
                photos.append((photo, alt, alt_cy))
        data["photos"] = photos
        return data

    def add_service_error(self, error) -> None:
        """A photo's refusal goes beside that photo (its params say which), the rest as for any form."""
        if hasattr(error, "error_dict") and "photos" in error.error_dict:
            for problem in error.error_dict["photos"]:
                number = (problem.params or {}).get("number")
                if number is None:
                    field = None
                elif problem.code in ("alt_missing", "alt_too_long"):
                    field = f"alt_{number}"
                else:
                    field = f"photo_{number}"
                self.add_error(field, problem)
            return
        super().add_service_error(error)


# -- Youth polls -----------------------------------------------------------------------------------------

POLL_MOMENTS = (("opens", _("Voting opens")), ("closes", _("Voting closes")))
_POLL_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")


class PollVoteForm(forms.Form):
    """A youth poll's ballot: pick one option (radios), or up to the poll's limit (checkboxes).

    The service says what is wrong with too many; the form only asks for at least one.
    """

    def __init__(self, *args, options, pick_limit: int, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pick_limit = pick_limit
        choices = [(str(option.pk), option.localised_title(language)) for option in options]
        if pick_limit == 1:
            self.fields["options"] = forms.ChoiceField(
                label=_("Pick one"),
                choices=choices,
                error_messages={"required": _("Pick one option."), "invalid_choice": _("Pick one option.")},
            )
        else:
            self.fields["options"] = forms.MultipleChoiceField(
                label=_("Pick up to %(count)s") % {"count": pick_limit},
                choices=choices,
                error_messages={
                    "required": _("Pick at least one option."),
                    "invalid_choice": _("Pick from the options on this poll."),
                },
            )

    def picked(self) -> list[str]:
        value = self.cleaned_data["options"]
        return [value] if isinstance(value, str) else list(value)


class PollForm(forms.Form):
    """A youth poll's title and question in plain words, where and when, who may vote, how many to pick.

    Whether the dates and ages are in order is the service's to say: its refusal lands on the field it names.
    """

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example, Choose the new play equipment for Elmwood Park."),
        error_messages={
            "required": _("Enter the poll's title"),
            "max_length": _("Use %(limit_value)s characters or fewer"),
        },
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    question = forms.CharField(
        label=_("The question, in plain words"),
        max_length=1000,
        widget=forms.Textarea,
        help_text=_("Short sentences and everyday words, for example: Which things should we put in the new park?"),
        error_messages={
            "required": _("Enter the question"),
            "max_length": _("Use %(limit_value)s characters or fewer"),
        },
    )
    question_cy = forms.CharField(
        label=_("The question in Welsh (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    place = forms.ChoiceField(
        label=_("Where do the young people who vote live?"),
        error_messages={"required": _("Choose the place"), "invalid_choice": _("Choose the place")},
    )
    min_age = forms.IntegerField(
        label=_("Youngest age"),
        min_value=0,
        max_value=120,
        error_messages={
            "required": _("Enter the youngest age"),
            "invalid": _("Enter the youngest age as a whole number, like 11"),
            "min_value": _("Enter the youngest age as a whole number, like 11"),
            "max_value": _("Enter the youngest age as a whole number, like 11"),
        },
    )
    max_age = forms.IntegerField(
        label=_("Oldest age"),
        min_value=0,
        max_value=120,
        error_messages={
            "required": _("Enter the oldest age"),
            "invalid": _("Enter the oldest age as a whole number, like 18"),
            "min_value": _("Enter the oldest age as a whole number, like 18"),
            "max_value": _("Enter the oldest age as a whole number, like 18"),
        },
    )
    min_level = forms.TypedChoiceField(
        label=_("How surely must their address be verified?"),
        coerce=int,
        choices=[(level.value, level.label) for level in VerificationLevel if level != VerificationLevel.NONE],
        error_messages={"required": _("Choose how surely addresses must be verified")},
    )
    pick_limit = forms.IntegerField(
        label=_("How many options may each person pick?"),
        min_value=1,
        max_value=50,
        help_text=_("1 to pick one; more to pick up to that many."),
        error_messages={
            "required": _("Enter how many options each person may pick"),
            "invalid": _("Enter a whole number, like 1 or 3"),
            "min_value": _("Enter a whole number, like 1 or 3"),
            "max_value": _("Enter a whole number, like 1 or 3"),
        },
    )

    def __init__(self, *args, places, **kwargs):
        """``places``: the places the organisation may poll (its area and the places within it)."""
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in places}
        self.fields["place"].choices = [("", _("Choose a place"))] + [
            (key, f"{place.name} ({place.get_kind_display()})") for key, place in self.places.items()
        ]
        for name, _label in POLL_MOMENTS:
            for part, label, low, high in (
                ("day", _("Day"), 1, 31),
                ("month", _("Month"), 1, 12),
                ("year", _("Year"), 2000, 2200),
            ):
                self.fields[f"{name}_{part}"] = forms.IntegerField(
                    label=label, required=False, min_value=low, max_value=high
                )
            self.fields[f"{name}_time"] = forms.CharField(
                label=_("Time"),
                required=False,
                max_length=5,
                help_text=_("Use the 24-hour clock, for example 09:00 or 17:30."),
            )

    @classmethod
    def initial_for(cls, poll) -> dict:
        """The form filled in from a poll, its moments in the site's time zone."""
        names = ("title", "title_cy", "question", "question_cy", "min_age", "max_age", "min_level", "pick_limit")
        initial = {name: getattr(poll, name) for name in names}
        initial["place"] = str(poll.place_id)
        for name, _label in POLL_MOMENTS:
            moment = timezone.localtime(getattr(poll, name))
            initial.update(
                {
                    f"{name}_day": moment.day,
                    f"{name}_month": moment.month,
                    f"{name}_year": moment.year,
                    f"{name}_time": moment.strftime("%H:%M"),
                }
            )
        return initial

    def clean_place(self):
        return self.places[self.cleaned_data["place"]]

    def clean(self):
        cleaned = super().clean()
        for name, label in POLL_MOMENTS:
            parts = [cleaned.get(f"{name}_{part}") for part in ("year", "month", "day")]
            broken = any(f"{name}_{part}" in self.errors for part in ("day", "month", "year"))
            for part in ("day", "month", "year"):
                self.errors.pop(f"{name}_{part}", None)
            day = None
            if not broken and None not in parts:
                try:
                    day = datetime.date(*parts)
                except ValueError:
                    day = None
            if day is None:
                if not broken and all(part is None for part in parts):
                    message = _("Enter the date: %(what)s") % {"what": label}
                else:
                    message = _("Enter a real date for “%(what)s”, like 27 3 2026") % {"what": label}
                self.add_error(f"{name}_day", message)
            match = _POLL_TIME.match(cleaned.get(f"{name}_time") or "")
            if match is None or int(match[1]) > 23 or int(match[2]) > 59:
                self.add_error(
                    f"{name}_time",
                    _("Enter the time for “%(what)s” as hours and minutes on the 24-hour clock, like 09:00")
                    % {"what": label},
                )
            elif day is not None:
                moment = datetime.datetime.combine(day, datetime.time(int(match[1]), int(match[2])))
                cleaned[name] = timezone.make_aware(moment)
        return cleaned

    def values(self) -> dict:
        """The fields as the services take them."""
        names = ("title", "title_cy", "question", "question_cy", "place", "min_age", "max_age", "min_level")
        values = {name: self.cleaned_data[name] for name in names}
        values["pick_limit"] = self.cleaned_data["pick_limit"]
        values.update({name: self.cleaned_data[name] for name, _label in POLL_MOMENTS})
        return values

    def add_service_error(self, error) -> None:
        """Put a service's refusal beside the field it names (a moment's on its day box)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = name if name in self.fields else f"{name}_day" if f"{name}_day" in self.fields else None
            self.add_error(field, errors)


class PollOptionForm(forms.Form):
    """An option: its name, and a picture with the words that say what it shows."""

    title = forms.CharField(
        label=_("Name of the option"),
        max_length=150,
        help_text=_("A few plain words, for example: Climbing pyramid."),
        error_messages={
            "required": _("Enter the option's name"),
            "max_length": _("Use %(limit_value)s characters or fewer"),
        },
    )
    title_cy = forms.CharField(
        label=_("Name in Welsh (optional)"),
        max_length=150,
        required=False,
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    picture = forms.FileField(
        label=_("A picture of it (optional)"),
        required=False,
        help_text=_("A JPG or PNG picture smaller than 5 MB. We remove the details cameras store in photos."),
    )
    alt = forms.CharField(
        label=_("What the picture shows"),
        max_length=300,
        required=False,
        help_text=_(
            "For people who cannot see the picture. Needed with a picture, "
            "for example: A rope climbing frame shaped like a pyramid."
        ),
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    alt_cy = forms.CharField(
        label=_("What the picture shows, in Welsh (optional)"),
        max_length=300,
        required=False,
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("picture") and not (cleaned.get("alt") or "").strip() and "alt" not in self.errors:
            self.add_error("alt", _("Say what the picture shows, for people who cannot see it."))
        return cleaned

    def add_service_error(self, error) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)
