"""Panels: forms. Each form reads and checks what a person typed; the services decide the rest."""

from __future__ import annotations

import datetime
import re
import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.core import equality
from coproduce.core.forms import DateParts, ServiceErrorsForm

from .models import Algorithm, PaymentKind, PaymentMethod
from .models.panels import TEXT_MAX_LENGTH, WARD_FEATURE

# -- Registering with a letter's code (public pages) -------------------------------------------------

CODE_MAX_LENGTH = 40
# When the panel has no sessions yet, people say when they could usually come.
GENERAL_AVAILABILITY = (
    ("weekday_daytime", _("Weekdays, during the day")),
    ("weekday_evening", _("Weekday evenings")),
    ("saturday", _("Saturdays")),
    ("sunday", _("Sundays")),
)


def session_label(session, language: str | None) -> str:
    """A session as people choose it: its title and when it is."""
    from coproduce.core.jinja import long_date

    title = (session.title_cy if language == "cy" else "") or session.title
    return f"{title}: {long_date(session.starts_at)}"


class CodeForm(forms.Form):
    """The code printed on the letter (spaces, dashes and case do not matter)."""

    code = forms.CharField(
        label=_("Enter the code from your letter"),
        max_length=CODE_MAX_LENGTH,
        help_text=_("It is 10 letters and numbers, for example ABCDE-23456."),
        error_messages={
            "required": _("Enter the code from your letter"),
            "max_length": _("The code must be %(limit_value)s characters or fewer"),
        },
    )


class RegisterForm(forms.Form):
    """A person registering for a panel: contact details, when they can come, the demographic
    questions of the panel's categories (never the ward: that comes from the letter's address),
    access and care needs, and consent.

    ``categories``: the panel's bank question keys (``ward`` is skipped); ``sessions``: the
    panel's sessions to choose from (general times of the week when there are none yet).
    """

    name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={
            "required": _("Enter your full name"),
            "max_length": _("Your name must be %(limit_value)s characters or fewer"),
        },
    )
    email = forms.EmailField(
        label=_("Email address (optional if you give a phone number)"),
        required=False,
        max_length=254,
        help_text=_("We use it to tell you if you are selected."),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("The email address must be %(limit_value)s characters or fewer"),
        },
    )
    phone = forms.CharField(
        label=_("Phone number (optional if you give an email address)"),
        required=False,
        max_length=40,
        help_text=_("For international numbers include the country code."),
        error_messages={"max_length": _("The phone number must be %(limit_value)s characters or fewer")},
    )
    date_of_birth = DateParts("date_of_birth", _("Date of birth"), required=False)
    access_needs = forms.CharField(
        label=_("Do you need anything to take part? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("For example step-free access, a hearing loop, large print, an interpreter or help with travel."),
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    care_needs = forms.CharField(
        label=_("Do you look after anyone who would need care while you take part? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("For example children or an adult you care for. The council can pay for care."),
        error_messages={"max_length": _("Use %(limit_value)s characters or fewer")},
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the council uses my answers to select the panel, and publishes them without my name"
            " or address"
        ),
        error_messages={"required": _("Agree to how your answers are used, or you cannot be selected")},
    )

    def __init__(self, *args, categories=(), sessions=(), language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.date_of_birth.fields())
        self.questions = []
        for key in categories:
            if key == WARD_FEATURE:
                continue
            try:
                bank_question = equality.question(key)
            except KeyError:
                continue
            self.questions.append(bank_question)
            self.fields[f"feature_{key}"] = forms.ChoiceField(
                label=bank_question.label,
                choices=bank_question.choices(),
                help_text=bank_question.hint,
                error_messages={
                    "required": _("Choose an answer, or prefer not to say"),
                    "invalid_choice": _("Choose one of the answers"),
                },
            )
        if sessions:
            choices = [(str(session.pk), session_label(session, language)) for session in sessions]
        else:
            choices = list(GENERAL_AVAILABILITY)
        self.fields["availability"] = forms.MultipleChoiceField(
            label=_("When could you come?") if not sessions else _("Which sessions could you come to?"),
            choices=choices,
            required=False,
            help_text=_("Select all that apply."),
            error_messages={"invalid_choice": _("Choose from the list")},
        )
        # The order the page shows them in: the questions after availability.
        order = ["name", "email", "phone", "availability"]
        self.order_fields(order)

    def feature_fields(self):
        return [self[f"feature_{q.key}"] for q in self.questions]

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not any(character.isdigit() for character in phone):
            raise forms.ValidationError(_("Enter a phone number, like 01632 960 001 or 07700 900 982"))
        return phone

    def clean(self):
        data = super().clean()
        data["date_of_birth"] = self.date_of_birth.clean(self)
        typed = data.get("email") or data.get("phone") or "email" in self.errors or "phone" in self.errors
        if not typed:
            self.add_error(
                "email", _("Enter an email address or a phone number, so we can tell you if you are selected")
            )
        data["features"] = {q.key: data[f"feature_{q.key}"] for q in self.questions if data.get(f"feature_{q.key}")}
        return data


class PlaceResponseForm(forms.Form):
    """A selected person's answer: take the place, or give it up."""

    accept = forms.ChoiceField(
        label=_("Will you take your place on the panel?"),
        choices=(("yes", _("Yes, I will take part")), ("no", _("No, I cannot take part"))),
        error_messages={"required": _("Choose yes or no"), "invalid_choice": _("Choose yes or no")},
    )


# --- Officers' forms ----------------------------------------------------------------------------------

_OFFICER_TOO_LONG = _("Use %(limit_value)s characters or fewer")
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")
_POUNDS = re.compile(r"^\d{1,7}(\.\d{1,2})?$")
SEED_MAX_LENGTH = 100
# The most letters one draw may send, and the most a table of targets may ask for: beyond any panel.
DRAW_MAX = 1_000_000
ADDRESS_FILE_MAX_BYTES = 200 * 1024 * 1024


def category_choices() -> list[tuple[str, object]]:
    """The categories a panel's targets may use: the ward, then the equality bank's questions."""
    return [(WARD_FEATURE, _("Ward")), *((q.key, q.label) for q in equality.BANK)]


def category_label(key: str):
    """A category's name in words (its key when it is neither the ward nor in the bank)."""
    if key == WARD_FEATURE:
        return _("Ward")
    try:
        return equality.question(key).label
    except KeyError:
        return key


def pence_from_pounds(text: str) -> int | None:
    """An amount typed in pounds as whole pence ("£1,250.50" → 125050), or None if it is not one."""
    cleaned = (text or "").strip().removeprefix("£").replace(",", "").replace(" ", "")
    if not _POUNDS.match(cleaned):
        return None
    pounds, _point, pence = cleaned.partition(".")
    return int(pounds) * 100 + int((pence + "00")[:2])


def _moment(form: forms.Form, parts: DateParts, time_name: str, what) -> datetime.datetime | None:
    """A date typed as three boxes and a time on the 24-hour clock, as an aware moment (errors on the form)."""
    day = parts.clean(form)
    match = _CLOCK.match(form.cleaned_data.get(time_name) or "")
    hours, minutes = (int(match[1]), int(match[2])) if match else (None, None)
    if match is None or hours > 23 or minutes > 59:
        form.add_error(
            time_name,
            _("Enter the time for “%(what)s” as hours and minutes on the 24-hour clock, like 09:00") % {"what": what},
        )
        return None
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))


def _time_field(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Time"),
        required=False,
        max_length=5,
        help_text=_("Use the 24-hour clock, for example 09:00 or 17:30."),
    )


class PanelForm(ServiceErrorsForm):
    """A panel: what it is for, where, how many, registration dates, the categories its targets use,
    the household rules, the algorithm, payment and benefits guidance, and the wards written to in Welsh."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example, Kingsmere residents' panel on the climate."),
        error_messages={"required": _("Enter the panel's title"), "max_length": _OFFICER_TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    purpose = forms.CharField(
        label=_("What the panel is for"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("The question it answers, and what the council will do with its recommendations."),
        error_messages={"required": _("Enter what the panel is for"), "max_length": _OFFICER_TOO_LONG},
    )
    purpose_cy = forms.CharField(
        label=_("What the panel is for, in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    place = forms.ChoiceField(
        label=_("Where is the panel for?"),
        help_text=_("Letters go to addresses in this place, and its census figures give the targets."),
        error_messages={"required": _("Choose where the panel is for"), "invalid_choice": _("Choose a place")},
    )
    size = forms.IntegerField(
        label=_("How many people will be on the panel?"),
        min_value=1,
        max_value=10_000,
        help_text=_("For example, 100."),
        error_messages={
            "required": _("Enter how many people will be on the panel"),
            "invalid": _("Enter the panel's size as a whole number, like 100"),
            "min_value": _("The panel must have at least 1 person"),
            "max_value": _("Enter a panel size of 10000 or fewer"),
        },
    )
    categories = forms.MultipleChoiceField(
        label=_("Which categories must the panel reflect?"),
        required=False,
        help_text=_("Each one gets targets from the place's census figures, which you can then change."),
        error_messages={"invalid_choice": _("Choose categories from the list")},
    )
    one_registration_per_household = forms.BooleanField(
        label=_("Only one person may register from each household (each letter)"), required=False
    )
    one_selected_per_household = forms.BooleanField(
        label=_("At most one person from each household may be selected"), required=False
    )
    algorithm = forms.ChoiceField(
        label=_("How is the panel selected?"),
        choices=Algorithm.choices,
        error_messages={"required": _("Choose how the panel is selected"), "invalid_choice": _("Choose from the list")},
    )
    payment_policy = forms.CharField(
        label=_("Payment and expenses (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        help_text=_("For example, £150 for taking part, travel and care costs paid."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    payment_policy_cy = forms.CharField(
        label=_("Payment and expenses, in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    benefits_guidance = forms.CharField(
        label=_("Guidance for people on benefits (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        help_text=_("What to tell the benefits office about the payment, and where to ask for advice."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    benefits_guidance_cy = forms.CharField(
        label=_("Guidance for people on benefits, in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    welsh_wards = forms.MultipleChoiceField(
        label=_("Which wards get their letters in Welsh?"),
        required=False,
        help_text=_("Unless the address file gives a household's language. Other wards get letters in English."),
        error_messages={"invalid_choice": _("Choose wards from the list")},
    )

    registration_opens = DateParts("registration_opens", _("The date registration opens"), required=True)
    registration_closes = DateParts("registration_closes", _("The date registration closes"), required=True)

    def __init__(self, *args, places, wards, language: str | None = None, **kwargs):
        """``places``: where a panel may be for; ``wards``: those that may get letters in Welsh."""
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in places}
        self.wards = {str(ward.pk): ward for ward in wards}
        self.fields["place"].choices = [("", _("Choose a place"))] + [
            (key, f"{place.localised_name(language)} ({place.get_kind_display()})")
            for key, place in self.places.items()
        ]
        self.fields["categories"].choices = category_choices()
        self.fields["welsh_wards"].choices = [(key, ward.localised_name(language)) for key, ward in self.wards.items()]
        for parts in (self.registration_opens, self.registration_closes):
            self.fields.update(parts.fields())
            self.fields[f"{parts.name}_time"] = _time_field()

    @classmethod
    def initial_new(cls) -> dict:
        return {
            "algorithm": Algorithm.LEXIMIN,
            "one_selected_per_household": True,
            "categories": ["age_band", "sex", "ethnicity", "disability", WARD_FEATURE],
            "registration_opens_time": "09:00",
            "registration_closes_time": "17:00",
        }

    @classmethod
    def initial_for(cls, panel) -> dict:
        names = (
            "title",
            "title_cy",
            "purpose",
            "purpose_cy",
            "size",
            "categories",
            "one_registration_per_household",
            "one_selected_per_household",
            "algorithm",
            "payment_policy",
            "payment_policy_cy",
            "benefits_guidance",
            "benefits_guidance_cy",
        )
        initial = {name: getattr(panel, name) for name in names}
        initial["place"] = str(panel.place_id)
        initial["welsh_wards"] = [str(pk) for pk in panel.welsh_wards.values_list("pk", flat=True)]
        for name in ("registration_opens", "registration_closes"):
            moment = timezone.localtime(getattr(panel, name))
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

    def clean_welsh_wards(self):
        return [self.wards[key] for key in self.cleaned_data["welsh_wards"]]

    def clean(self):
        data = super().clean()
        data["registration_opens"] = _moment(
            self, self.registration_opens, "registration_opens_time", _("Registration opens")
        )
        data["registration_closes"] = _moment(
            self, self.registration_closes, "registration_closes_time", _("Registration closes")
        )
        opens, closes = data["registration_opens"], data["registration_closes"]
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_day", _("Registration must close after it opens"))
        return data

    def values(self) -> dict:
        """The fields as ``services.panel_create`` and ``panel_update`` take them (the Welsh wards apart)."""
        names = (
            "title",
            "title_cy",
            "purpose",
            "purpose_cy",
            "place",
            "size",
            "registration_opens",
            "registration_closes",
            "categories",
            "one_registration_per_household",
            "one_selected_per_household",
            "algorithm",
            "payment_policy",
            "payment_policy_cy",
            "benefits_guidance",
            "benefits_guidance_cy",
        )
        values = {name: self.cleaned_data[name] for name in names}
        chosen = set(values["categories"])
        values["categories"] = [key for key, _label in category_choices() if key in chosen]
        return values


class AddressesForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a CSV file of addresses"),
        help_text=_(
            "Columns: uprn, address_1, address_2, address_3, postcode, and optionally language (en or cy). "
            "It replaces any addresses imported before."
        ),
        error_messages={"required": _("Select a CSV file"), "empty": _("The selected file is empty")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ADDRESS_FILE_MAX_BYTES:
            raise forms.ValidationError(_("The file must be smaller than 200 MB"), code="too_big")
        return upload


class SeedChoiceMixin(forms.Form):
    """A seed generated at random here, or typed in (drawn at a public ceremony)."""

    seed_choice = forms.ChoiceField(
        label=_("The seed"),
        choices=(("generate", _("Generate a random seed")), ("typed", _("Use a seed I type in"))),
        initial="generate",
        error_messages={"required": _("Choose how the seed is chosen"), "invalid_choice": _("Choose from the list")},
    )
    seed = forms.CharField(
        label=_("Seed"),
        required=False,
        max_length=SEED_MAX_LENGTH,
        help_text=_("For example, the numbers drawn at the public ceremony run together: 4 17 23 31 42."),
        error_messages={"max_length": _("The seed must be %(limit_value)s characters or fewer")},
    )

    def clean(self):
        data = super().clean()
        seed = " ".join((data.get("seed") or "").split())
        if data.get("seed_choice") == "typed":
            if not seed:
                self.add_error("seed", _("Enter the seed, or choose to generate a random one"))
            data["seed"] = seed
        elif data.get("seed_choice") == "generate":
            data["seed"] = str(secrets.randbelow(10**12))
        return data


class LettersDrawForm(SeedChoiceMixin):
    count = forms.IntegerField(
        label=_("How many letters?"),
        min_value=1,
        max_value=DRAW_MAX,
        help_text=_("For example, 3000. Addresses are drawn at random; each letter has its own code."),
        error_messages={
            "required": _("Enter how many letters to send"),
            "invalid": _("Enter the number of letters as a whole number, like 3000"),
            "min_value": _("Send at least 1 letter"),
            "max_value": _("Enter a number of letters of 1000000 or fewer"),
        },
    )
    proportional = forms.BooleanField(
        label=_("Draw in proportion to each ward's households"), required=False, initial=True
    )

    field_order = ["count", "seed_choice", "seed", "proportional"]


class SelectionSeedForm(SeedChoiceMixin):
    """The seed the selection draws the panel with, published before the draw."""


class TargetsComputeForm(forms.Form):
    tolerance = forms.IntegerField(
        label=_("How far may each target be from the census?"),
        min_value=0,
        max_value=1000,
        initial=1,
        help_text=_("In people, either way. For example, 1 lets a target of 12 be met by 11 to 13."),
        error_messages={
            "required": _("Enter how far each target may be from the census"),
            "invalid": _("Enter the tolerance as a whole number of people, like 1"),
            "min_value": _("Enter a tolerance of 0 or more"),
            "max_value": _("Enter a tolerance of 1000 or fewer"),
        },
    )


class TargetsForm(forms.Form):
    """The least and most people of each value on the panel, one pair of boxes per target."""

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        for target in self.targets:
            for bound, initial in (("min", target.minimum), ("max", target.maximum)):
                self.fields[f"{bound}_{target.pk}"] = forms.IntegerField(
                    label=_("At least") if bound == "min" else _("At most"),
                    min_value=0,
                    max_value=DRAW_MAX,
                    initial=initial,
                    error_messages={
                        "required": _("Enter a number of people"),
                        "invalid": _("Enter a whole number of people, like 12"),
                        "min_value": _("Enter 0 or more"),
                        "max_value": _("Enter a smaller number"),
                    },
                )

    def clean(self):
        data = super().clean()
        for target in self.targets:
            low, high = data.get(f"min_{target.pk}"), data.get(f"max_{target.pk}")
            if low is not None and high is not None and high < low:
                self.add_error(f"max_{target.pk}", _("The most must be at least the least"))
        return data

    def changes(self) -> list[tuple[object, int, int]]:
        """(target, minimum, maximum) for each target whose numbers changed."""
        out = []
        for target in self.targets:
            low, high = self.cleaned_data[f"min_{target.pk}"], self.cleaned_data[f"max_{target.pk}"]
            if (low, high) != (target.minimum, target.maximum):
                out.append((target, low, high))
        return out


class MemberActionForm(forms.Form):
    """A button beside a member: recorded as confirmed, declined, or declined and replaced from the reserves."""

    registrant = forms.CharField(max_length=20)
    action = forms.ChoiceField(
        choices=(("confirm", "confirm"), ("decline", "decline"), ("replace", "replace")),
        error_messages={"required": _("Choose what to do"), "invalid_choice": _("Choose what to do")},
    )


class SessionForm(ServiceErrorsForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example, First meeting: learning about the question."),
        error_messages={"required": _("Enter the session's title"), "max_length": _OFFICER_TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    venue = forms.CharField(
        label=_("Where"),
        max_length=300,
        help_text=_("The venue's name and address, or how to join online."),
        error_messages={"required": _("Enter where the session is"), "max_length": _OFFICER_TOO_LONG},
    )
    access = forms.CharField(
        label=_("Access information (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        help_text=_("For example, step-free entrance, hearing loop, quiet room."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    on = DateParts("on", _("The date of the session"), required=True)
    starts = _time_field(_("Starts at"))
    ends = _time_field(_("Ends at"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.on.fields())

    def clean(self):
        data = super().clean()
        day = self.on.clean(self)
        for name, what in (("starts", _("Starts at")), ("ends", _("Ends at"))):
            match = _CLOCK.match(data.get(name) or "")
            if match is None or int(match[1]) > 23 or int(match[2]) > 59:
                self.add_error(
                    name,
                    _("Enter the time for “%(what)s” as hours and minutes on the 24-hour clock, like 09:00")
                    % {"what": what},
                )
                data[f"{name}_at"] = None
            elif day is not None:
                moment = datetime.datetime.combine(day, datetime.time(int(match[1]), int(match[2])))
                data[f"{name}_at"] = timezone.make_aware(moment)
            else:
                data[f"{name}_at"] = None
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", _("The session must end after it starts"))
        return data


class AttendanceForm(forms.Form):
    came = forms.MultipleChoiceField(
        label=_("Who came?"),
        required=False,
        help_text=_("Select everyone who came. Those not selected are recorded as not coming."),
        error_messages={"invalid_choice": _("Choose people from the list")},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["came"].choices = [(str(m.pk), f"{m.name} ({m.public_id})") for m in self.members]

    def attended(self) -> dict[int, bool]:
        came = set(self.cleaned_data["came"])
        return {member.pk: str(member.pk) in came for member in self.members}


class PaymentForm(forms.Form):
    registrant = forms.ChoiceField(
        label=_("Who was paid?"),
        error_messages={"required": _("Choose who was paid"), "invalid_choice": _("Choose someone on the panel")},
    )
    kind = forms.ChoiceField(
        label=_("What for?"),
        choices=PaymentKind.choices,
        error_messages={"required": _("Choose what the payment is for"), "invalid_choice": _("Choose from the list")},
    )
    amount = forms.CharField(
        label=_("Amount, in pounds"),
        max_length=20,
        help_text=_("For example, 150 or 12.50."),
        error_messages={"required": _("Enter the amount, in pounds"), "max_length": _("Enter a smaller amount")},
    )
    method = forms.ChoiceField(
        label=_("How was it paid?"),
        choices=PaymentMethod.choices,
        error_messages={"required": _("Choose how it was paid"), "invalid_choice": _("Choose from the list")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example, the receipts it pays back."),
        error_messages={"max_length": _OFFICER_TOO_LONG},
    )
    paid_on = DateParts("paid_on", _("The date it was paid"), required=True)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["registrant"].choices = [("", _("Choose a person"))] + [
            (key, f"{m.name} ({m.public_id})") for key, m in self.members.items()
        ]
        self.fields.update(self.paid_on.fields())

    def clean_registrant(self):
        return self.members[self.cleaned_data["registrant"]]

    def clean_amount(self):
        pence = pence_from_pounds(self.cleaned_data["amount"])
        if pence is None:
            raise forms.ValidationError(_("Enter the amount in pounds, like 150 or 12.50"))
        if pence < 1:
            raise forms.ValidationError(_("Enter an amount of at least 1p"))
        return pence

    def clean(self):
        data = super().clean()
        data["paid_on"] = self.paid_on.clean(self)
        return data


class TargetAddForm(ServiceErrorsForm):
    """A target for a value of one of the panel's categories that has none yet."""

    choice = forms.ChoiceField(
        label=_("Which value?"),
        error_messages={
            "required": _("Choose the value the target is for"),
            "invalid_choice": _("Choose from the list"),
        },
    )
    minimum = forms.IntegerField(
        label=_("At least"),
        min_value=0,
        max_value=DRAW_MAX,
        error_messages={
            "required": _("Enter the fewest people"),
            "invalid": _("Enter a whole number of people, like 12"),
            "min_value": _("Enter 0 or more"),
            "max_value": _("Enter a smaller number"),
        },
    )
    maximum = forms.IntegerField(
        label=_("At most"),
        min_value=0,
        max_value=DRAW_MAX,
        error_messages={
            "required": _("Enter the most people"),
            "invalid": _("Enter a whole number of people, like 12"),
            "min_value": _("Enter 0 or more"),
            "max_value": _("Enter a smaller number"),
        },
    )

    def __init__(self, *args, options, **kwargs):
        """``options``: (feature, value, words) for each value without a target."""
        super().__init__(*args, prefix="add", **kwargs)
        self.options = {f"{feature}:{value}": (feature, value) for feature, value, _words in options}
        self.fields["choice"].choices = [("", _("Choose a value"))] + [
            (f"{feature}:{value}", words) for feature, value, words in options
        ]

    def add_service_error(self, error) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in ("minimum", "maximum") else "choice", errors)
        else:
            self.add_error(None, error)

    def clean(self):
        data = super().clean()
        if data.get("choice"):
            data["feature"], data["value"] = self.options[data["choice"]]
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and high < low:
            self.add_error("maximum", _("The most must be at least the least"))
        return data
