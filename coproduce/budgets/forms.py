"""Budgets' forms. Each form reads and checks what a person typed; the services decide the rest."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coproduce.core.verification import VerificationLevel

from .models import TEXT_MAX_LENGTH

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
                    _("Enter a whole number of points for %(project)s, like 2, or leave it empty")
                    % {"project": title},
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
        label=_("How surely must their address be checked?"),
        coerce=int,
        choices=[(level.value, level.label) for level in VerificationLevel if level != VerificationLevel.NONE],
        error_messages={"required": _("Choose how surely addresses must be checked")},
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
