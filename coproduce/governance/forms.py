"""Meetings' forms. Each form reads and checks what a person typed; the services
(``governance.services``) decide the rest and give the refusals to show."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, AttendanceMode, Choice

# -- Members' pages -------------------------------------------------------------------------------------


def _service_error_on(form: forms.Form, error: ValidationError, fields: dict[str, str | None] | None = None) -> None:
    """Put a service's refusal beside the field it names (``fields`` maps a service's key to the
    form's field), or at the top of the form when no field of this form is at fault."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = (fields or {}).get(key, key)
        form.add_error(name if name in form.fields else None, errors)


class ProxyAppointForm(forms.Form):
    """Appoint a proxy: the chair of the meeting or another member (by member number, which works in
    a co-op of any size), and whether they vote as directed on each resolution or as they decide.

    A radio group ``direction_<resolution id>`` per resolution carries the directions.
    """

    holder = forms.ChoiceField(
        label=_("Who will be your proxy?"),
        choices=[("chair", _("The chair of the meeting")), ("member", _("Another member"))],
        error_messages={"required": _("Choose the chair of the meeting or another member as your proxy")},
    )
    holder_number = forms.IntegerField(
        label=_("Their member number, if your proxy is another member"),
        required=False,
        min_value=1,
        help_text=_("It is on their membership card and in the register of members."),
        error_messages={
            "invalid": _("Enter the member number as a whole number, like 42"),
            "min_value": _("Enter the member number as a whole number, like 42"),
        },
    )
    kind = forms.ChoiceField(
        label=_("How should your proxy vote?"),
        choices=[
            ("directed", _("As I direct on each resolution")),
            ("discretionary", _("As they decide at the meeting")),
        ],
        error_messages={"required": _("Choose whether you direct your proxy's votes or leave them to decide")},
    )

    def __init__(self, *args, resolutions, language: str | None, find_member, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolutions = list(resolutions)
        self.find_member = find_member
        self.direction_fields = []
        for number, resolution in enumerate(self.resolutions, start=1):
            name = f"direction_{resolution.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Resolution %(number)s: %(title)s")
                % {"number": number, "title": resolution.localised_title(language)},
                choices=Choice.choices,
                required=False,
            )
            self.direction_fields.append(name)
        if not self.resolutions:  # nothing to direct: the proxy decides whatever comes up
            del self.fields["kind"]

    @classmethod
    def initial_for(cls, proxy, member_number: int | None) -> dict:
        """The form filled in as ``proxy`` was appointed, to change it."""
        initial = {
            "holder": "chair" if proxy.held_by_chair else "member",
            "holder_number": member_number,
            "kind": "directed" if proxy.directed else "discretionary",
        }
        initial.update({f"direction_{key}": value for key, value in (proxy.directions or {}).items()})
        return initial

    def clean(self):
        data = super().clean()
        data["holder_person"] = None
        if data.get("holder") == "member":
            number = data.get("holder_number")
            if number is None:
                if "holder_number" not in self.errors:
                    self.add_error("holder_number", _("Enter your proxy's member number"))
            else:
                person = self.find_member(number)
                if person is None:
                    missing = _("No current member has the number %(number)s") % {"number": number}
                    self.add_error("holder_number", missing)
                data["holder_person"] = person
        if data.get("kind") == "directed":
            for number, name in enumerate(self.direction_fields, start=1):
                if not data.get(name):
                    missing = _("Choose how your proxy must vote on resolution %(number)s") % {"number": number}
                    self.add_error(name, missing)
        return data

    def directions(self) -> dict[str, str] | None:
        """Each resolution's id → for, against or abstain; None for a discretionary proxy."""
        if self.cleaned_data.get("kind") != "directed":
            return None
        pairs = zip(self.resolutions, self.direction_fields, strict=True)
        return {str(resolution.pk): self.cleaned_data[name] for resolution, name in pairs}

    def add_service_error(self, error: ValidationError) -> None:
        holder_field = "holder_number" if self.cleaned_data.get("holder") == "member" else "holder"
        directions = self.direction_fields[0] if self.direction_fields else None
        _service_error_on(self, error, {"holder": holder_field, "directions": directions})


class ResolutionVoteForm(forms.Form):
    """A vote on a resolution: for, against or abstain (the ballot box's options, in their order)."""

    choice = forms.ChoiceField(
        label=_("How do you vote?"),
        choices=Choice.choices,
        error_messages={"required": _("Choose for, against or abstain")},
    )

    def __init__(self, *args, legend: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if legend:
            self.fields["choice"].label = legend

    def add_service_error(self, error: ValidationError) -> None:
        _service_error_on(self, error)


class SelfCheckInForm(forms.Form):
    """A member at the meeting says they are here: in person or online (only the ways it is held)."""

    mode = forms.ChoiceField(
        label=_("How are you attending?"),
        choices=AttendanceMode.choices,
        error_messages={"required": _("Choose whether you are here in person or online")},
    )

    def __init__(self, *args, modes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [(value, label) for value, label in AttendanceMode.choices if value in modes]
        if len(modes) == 1:
            self.fields["mode"].initial = modes[0]

    def add_service_error(self, error: ValidationError) -> None:
        _service_error_on(self, error)


class RequisitionOpenForm(forms.Form):
    """Ask for a special general meeting: why, and the resolutions it should vote on."""

    purpose = forms.CharField(
        label=_("Why do the members ask for a meeting?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Members read this before they sign. Say what the meeting is for."),
        error_messages={
            "required": _("Say why the members ask for a meeting"),
            "max_length": _("Use %(limit_value)s characters or fewer"),
        },
    )
    purpose_cy = forms.CharField(
        label=_("Why, in Welsh (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Shown to members reading the page in Welsh."),
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    proposed_resolutions = forms.CharField(
        label=_("The resolutions the meeting is asked to vote on"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Set each one out in full, for example: That the repairs contract be put to the members."),
        error_messages={
            "required": _("Set out the resolutions the meeting is asked to vote on"),
            "max_length": _("Use %(limit_value)s characters or fewer"),
        },
    )

    def add_service_error(self, error: ValidationError) -> None:
        _service_error_on(self, error)


# -- The secretary's and the chair's pages -------------------------------------------------------------
