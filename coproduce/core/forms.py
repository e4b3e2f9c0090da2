"""Forms for the core's public pages. They parse and validate input; selectors do the looking up."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import AccessNeed, OrganisationKind, Place, Satisfaction
from .verification import normalise_letter_code


def ward_choices(wards, language: str | None, empty_label) -> list[tuple[str, str]]:
    """(code, name) pairs for a ward select, with an empty first choice."""
    return [("", empty_label), *((ward.code, ward.localised_name(language)) for ward in wards)]


def postcode_hint(example: str) -> str:
    """ "For example, KM1 0AP": a postcode the borough accepts (``selectors.postcode_example``)."""
    return _("For example, %(postcode)s") % {"postcode": example}


class WhereILiveForm(forms.Form):
    """Home page: a postcode, or a ward picked from the list (a postcode wins if both are given)."""

    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)
    ward = forms.ChoiceField(label=_("Or choose your ward"), required=False)

    def __init__(self, *args, wards, language: str | None, example: str = "SW2 1AA", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].help_text = postcode_hint(example)
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


# --- Dates as GOV.UK date inputs (day, month, year) -----------------------------------------------


def service_error_on(form: forms.Form, error: ValidationError, *, dates=(), aliases: dict | None = None) -> None:
    """Put a service's refusal beside the field it names, else at the top of the form.

    ``aliases`` maps a service's key to the form's field; a date's refusal (a key in ``dates``, or
    one the form only has as a ``DateParts`` day/month/year trio) lands on its day box.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = (aliases or {}).get(name, name)
        if field in dates or (field not in form.fields and f"{field}_day" in form.fields):
            field = f"{field}_day"
        form.add_error(field if field in form.fields else None, errors)


class ServiceErrorsForm(forms.Form):
    """A form that puts a service's refusal beside the field it names (``service_fields`` maps a
    service's key to the form's field; a date's refusal lands on its day box)."""

    service_fields: dict[str, str] = {}

    def add_service_error(self, error: ValidationError) -> None:
        service_error_on(self, error, aliases=self.service_fields)


class DateParts:
    """Three text fields (``<name>_day``, ``_month``, ``_year``) read as one date, with the GOV.UK
    error messages ("Date of birth must include a month", "… must be a real date")."""

    def __init__(self, name: str, label, *, required: bool):
        self.name, self.label, self.required = name, label, required

    def fields(self) -> dict[str, forms.Field]:
        return {
            f"{self.name}_{part}": forms.CharField(label=label, required=False, max_length=4)
            for part, label in (("day", _("Day")), ("month", _("Month")), ("year", _("Year")))
        }

    def clean(self, form: forms.Form) -> date | None:
        """The date, or None when all three are empty and it is optional; errors go on the form."""
        names = {part: f"{self.name}_{part}" for part in ("day", "month", "year")}
        values = {part: (form.cleaned_data.get(name) or "").strip() for part, name in names.items()}
        label = str(self.label)
        if not any(values.values()):
            if self.required:
                form.add_error(names["day"], _("Enter %(label)s") % {"label": label.lower()})
            return None
        missing = [part for part, value in values.items() if not value]
        if missing:
            words = {"day": _("a day"), "month": _("a month"), "year": _("a year")}
            form.add_error(
                names[missing[0]],
                _("%(label)s must include %(part)s") % {"label": label, "part": words[missing[0]]},
            )
            return None
        try:
            if len(values["year"]) != 4:
                raise ValueError
            return date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            form.add_error(names["day"], _("%(label)s must be a real date") % {"label": label})
            return None


def _split_address(address: str) -> list[str]:
    return [line.strip() for line in (address or "").splitlines() if line.strip()]


class AccountDetailsForm(forms.Form):
    """A person's name, postal address, date of birth, language and access needs."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name")},
    )
    address_line_1 = forms.CharField(
        label=_("Address line 1"),
        max_length=100,
        error_messages={"required": _("Enter address line 1, typically the building and street")},
    )
    address_line_2 = forms.CharField(label=_("Address line 2 (optional)"), max_length=100, required=False)
    town = forms.CharField(
        label=_("Town or city"), max_length=100, error_messages={"required": _("Enter town or city")}
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=10, error_messages={"required": _("Enter postcode")})
    preferred_language = forms.ChoiceField(
        label=_("Which language should we write to you in?"),
        choices=[("en", _("English")), ("cy", _("Welsh"))],
        error_messages={"required": _("Select the language we should write to you in")},
    )
    access_needs = forms.MultipleChoiceField(
        label=_("Do you need anything to use our services? (optional)"),
        help_text=_("Select all that apply."),
        choices=AccessNeed.choices,
        required=False,
        error_messages={"invalid_choice": _("Select access needs from the list")},
    )

    date_of_birth = DateParts("date_of_birth", _("Date of birth"), required=False)

    def __init__(self, *args, example: str = "SW2 1AA", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].help_text = postcode_hint(example)
        self.fields.update(self.date_of_birth.fields())

    @classmethod
    def initial_for(cls, person) -> dict:
        lines = _split_address(person.address)
        # The last line of a stored address is the town (as this form saves it).
        town = lines.pop() if len(lines) > 1 else ""
        initial = {
            "full_name": person.full_name,
            "address_line_1": lines[0] if lines else "",
            "address_line_2": ", ".join(lines[1:]),
            "town": town,
            "postcode": person.postcode,
            "preferred_language": person.preferred_language,
            "access_needs": list(person.access_needs),
        }
        if person.date_of_birth:
            dob = person.date_of_birth
            initial.update(date_of_birth_day=dob.day, date_of_birth_month=dob.month, date_of_birth_year=dob.year)
        return initial

    def clean(self):
        data = super().clean()
        data["date_of_birth"] = self.date_of_birth.clean(self)
        dob = data["date_of_birth"]
        if dob is not None:
            today = timezone.localdate()
            if dob > today:
                self.add_error("date_of_birth_day", _("Date of birth must be in the past"))
            elif dob.year < 1900:
                self.add_error("date_of_birth_year", _("Date of birth must be after 1900"))
        postcode = (data.get("postcode") or "").strip()
        if postcode:
            try:
                data["ward"] = selectors.ward_for_postcode(postcode)
            except ValidationError as error:
                self.add_error("postcode", error)
        return data

    def address(self) -> str:
        """The address lines as stored: one per line, the town last."""
        data = self.cleaned_data
        return "\n".join(
            line.strip() for line in (data["address_line_1"], data["address_line_2"], data["town"]) if line.strip()
        )


class DeclarationForm(forms.Form):
    declare = forms.BooleanField(
        label=_("I confirm that I live at this address"),
        error_messages={"required": _("Confirm that you live at this address")},
    )


class LetterCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Enter the code from your letter"),
        help_text=_("It is 8 letters and numbers, for example K7PQ-3MXA."),
        max_length=20,
        error_messages={"required": _("Enter the code from your letter")},
    )

    def clean_code(self) -> str:
        code = normalise_letter_code(self.cleaned_data["code"])
        if len(code) != 9:
            raise ValidationError(_("The code must be 8 letters and numbers, like K7PQ-3MXA"), code="format")
        return code


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email address or postcode"),
        min_length=3,
        max_length=200,
        error_messages={
            "required": _("Enter a name, email address or postcode"),
            "min_length": _("Enter at least 3 characters"),
        },
    )


class InPersonCheckForm(forms.Form):
    seen = forms.MultipleChoiceField(
        label=_("What proof of address did you see?"),
        help_text=_("Select all that apply. Do not copy or keep the documents."),
        error_messages={"required": _("Select what you saw")},
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        help_text=_("For example, where you checked. Do not write document numbers."),
        required=False,
        max_length=500,
        widget=forms.Textarea,
    )
    confirm = forms.BooleanField(
        label=_("The name and address on the documents match the details above"),
        error_messages={"required": _("Confirm that the name and address match")},
    )

    def __init__(self, *args, proofs: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen"].choices = list(proofs.items())


class ResidentListForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the list"),
        help_text=_("For example, Electoral register extract, March 2027."),
        max_length=200,
        error_messages={"required": _("Enter a name for the list")},
    )
    file = forms.FileField(
        label=_("Upload a CSV file"),
        help_text=_("Columns: name (or first name and surname) and postcode. Addresses are not kept."),
        error_messages={"required": _("Select a CSV file"), "empty": _("The selected file is empty")},
    )
    delete_on = DateParts("delete_on", _("Delete the list on"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.delete_on.fields())

    def clean(self):
        data = super().clean()
        data["delete_on"] = self.delete_on.clean(self)
        return data


class FeedbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Overall, how did you feel about the service you received today?"),
        choices=Satisfaction.choices,
        error_messages={"required": _("Select how you feel about the service")},
    )
    improve = forms.CharField(
        label=_("How could we improve this service? (optional)"),
        help_text=_("Do not include personal or financial information, like your address or bank details."),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": _("Your feedback must be 2000 characters or fewer")},
    )
    page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def clean_page(self) -> str:
        page = self.cleaned_data.get("page") or ""
        # Only a path on this site: nothing an attacker could use to smuggle a link into the officers' page.
        return page if page.startswith("/") and not page.startswith("//") else ""


# --- The council's programme workspace ------------------------------------------------------------

POSTCODE_FILE_MAX_BYTES = 500 * 1024 * 1024


class PostcodeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a CSV file of postcodes"),
        help_text=_(
            "In the layout of the ONS Postcode Directory: a postcode column (pcds, pcd, pcd7 or pcd8) and a "
            "ward column (osward or wdYYcd). Terminated postcodes are skipped."
        ),
        error_messages={"required": _("Select a CSV file"), "empty": _("The selected file is empty")},
    )
    skip_unknown_wards = forms.BooleanField(
        label=_("Skip postcodes in wards outside the council's area"),
        help_text=_("Leave this unticked to stop at the first postcode in a ward we do not know."),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > POSTCODE_FILE_MAX_BYTES:
            raise ValidationError(_("The file must be smaller than 500 MB"), code="too_big")
        return upload


class RoleGrantForm(forms.Form):
    """Give a person (found by their email address) a role in the council or an organisation it sponsors."""

    email = forms.EmailField(
        label=_("Email address of the person"),
        help_text=_("They must already have an account."),
        max_length=254,
        error_messages={
            "required": _("Enter the email address of the person"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    organisation = forms.ChoiceField(label=_("Organisation"), error_messages={"required": _("Select the organisation")})
    kind = forms.ChoiceField(
        label=_("Role"),
        error_messages={"required": _("Select the role"), "invalid_choice": _("Select the role")},
    )

    def __init__(self, *args, organisations, **kwargs):
        from .models import RoleKind

        super().__init__(*args, **kwargs)
        self.organisations = {str(organisation.pk): organisation for organisation in organisations}
        self.fields["organisation"].choices = [("", _("Choose an organisation"))] + [
            (key, organisation.name) for key, organisation in self.organisations.items()
        ]
        self.fields["organisation"].error_messages["invalid_choice"] = _("Select the organisation")
        self.fields["kind"].choices = RoleKind.choices

    def clean(self):
        from .models import Role

        data = super().clean()
        email = data.get("email")
        if email:
            data["person"] = selectors.person_by_email(email=email)
            if data["person"] is None:
                self.add_error("email", _("Nobody has an account with this email address"))
        organisation = self.organisations.get(data.get("organisation") or "")
        data["organisation_obj"] = organisation
        if data.get("person") and organisation is not None and data.get("kind"):
            held = Role.objects.current().filter(person=data["person"], organisation=organisation, kind=data["kind"])
            if held.exists():
                self.add_error("kind", _("This person already has this role in this organisation"))
        return data


CENSUS_FILE_MAX_BYTES = 50 * 1024 * 1024


class CensusImportForm(forms.Form):
    """A CSV of census figures per ward, in the equality bank's questions and categories."""

    file = forms.FileField(
        label=_("Upload a CSV file of census figures"),
        help_text=_(
            "Four columns: ward_code,question,category,count, for example E05000416,ethnicity,asian,1520. "
            "The question and category are the keys listed on this page."
        ),
        error_messages={"required": _("Select a CSV file"), "empty": _("The selected file is empty")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CENSUS_FILE_MAX_BYTES:
            raise ValidationError(_("The file must be smaller than 50 MB"), code="too_big")
        return upload
