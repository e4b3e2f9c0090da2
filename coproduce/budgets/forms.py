"""Budgets' forms. Each form reads and checks what a person typed; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
