"""Forms for the core's public pages. They parse and validate input; selectors do the looking up."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import OrganisationKind, Place


def ward_choices(wards, language: str | None, empty_label) -> list[tuple[str, str]]:
    """(code, name) pairs for a ward select, with an empty first choice."""
    return [("", empty_label), *((ward.code, ward.localised_name(language)) for ward in wards)]


class WhereILiveForm(forms.Form):
    """Home page: a postcode, or a ward picked from the list (a postcode wins if both are given)."""

    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10, help_text=_("For example, SW2 1AA"))
    ward = forms.ChoiceField(label=_("Or choose your ward"), required=False)

    def __init__(self, *args, wards, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.wards = {ward.code: ward for ward in wards}
        self.fields["ward"].choices = ward_choices(wards, language, _("Choose a ward"))

    def clean(self):
        data = super().clean()
        postcode, ward_code = data.get("postcode", "").strip(), data.get("ward")
        if postcode:
            try:
                data["place"] = selectors.ward_for_postcode(postcode)
            except ValidationError as error:
                self.add_error("postcode", error)
        elif ward_code:
            data["place"] = self.wards[ward_code]
        else:
            raise ValidationError(_("Enter a postcode or choose a ward"), code="required")
        return data


class DirectoryFilterForm(forms.Form):
    """Filters for the organisation directory (a GET form: a bad value is ignored, not an error page)."""

    kind = forms.ChoiceField(label=_("Kind of organisation"), required=False)
    ward = forms.ChoiceField(label=_("Ward"), required=False)

    def __init__(self, *args, wards, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.wards: dict[str, Place] = {ward.code: ward for ward in wards}
        self.fields["kind"].choices = [("", _("All kinds")), *OrganisationKind.choices]
        self.fields["ward"].choices = ward_choices(wards, language, _("All wards"))

    def filters(self) -> dict:
        """The selector's keyword arguments from whatever was valid."""
        if not self.is_valid():
            return {}
        return {"kind": self.cleaned_data["kind"] or None, "ward": self.wards.get(self.cleaned_data["ward"])}
