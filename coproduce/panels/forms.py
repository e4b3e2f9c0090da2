"""Panels: forms. Each form reads and checks what a person typed; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.core import equality
from coproduce.core.forms import DateParts

from .models.panels import WARD_FEATURE

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


# -- Officers' forms (below) ---------------------------------------------------------------------------
