"""Forms for joining, withdrawing shares and deciding applications. Services enforce the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MembershipStatus


class JoinForm(forms.Form):
    """Choose a class of membership and whether the first share is paid now or owed."""

    stakeholder_class = forms.ChoiceField(
        label=_("Which class of member are you?"),
        error_messages={"required": _("Choose the class of membership you are applying for")},
    )
    pays_now = forms.ChoiceField(
        label=_("How will you pay for your first share?"),
        choices=[("yes", _("I will pay now")), ("no", _("I will pay later (the share is recorded as owed)"))],
        error_messages={"required": _("Choose how you will pay for your first share")},
    )

    def __init__(self, *args, classes, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = {str(c.pk): c for c in classes}
        self.fields["stakeholder_class"].choices = [
            (key, c.localised_name(language)) for key, c in self.classes.items()
        ]

    def clean_stakeholder_class(self):
        return self.classes[self.cleaned_data["stakeholder_class"]]

    def clean_pays_now(self):
        return self.cleaned_data["pays_now"] == "yes"


class WithdrawForm(forms.Form):
    shares = forms.IntegerField(
        label=_("How many shares do you want to withdraw?"),
        min_value=1,
        error_messages={
            "required": _("Enter the number of shares to withdraw"),
            "invalid": _("Enter the number of shares as a whole number, like 1"),
            "min_value": _("Enter a number of shares of 1 or more."),
        },
    )


class DecisionForm(forms.Form):
    """Admit or refuse an application; a refusal needs a reason the applicant will read."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("admit", _("Admit as a member")), ("refuse", _("Refuse"))],
        error_messages={"required": _("Choose whether to admit or refuse")},
    )
    reason = forms.CharField(
        label=_("Reason for refusing"),
        required=False,
        widget=forms.Textarea,
        help_text=_("The applicant will read this. Only needed if you refuse."),
    )


class RegisterFilterForm(forms.Form):
    """Filters for the register (GET): an invalid value is dropped rather than shown as an error."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    stakeholder_class = forms.ChoiceField(label=_("Class"), required=False)
    search = forms.CharField(label=_("Name, email or postcode"), required=False, max_length=100)

    def __init__(self, *args, classes, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Members and former members")),
            (MembershipStatus.ADMITTED, MembershipStatus.ADMITTED.label),
            (MembershipStatus.CEASED, MembershipStatus.CEASED.label),
        ]
        self.fields["stakeholder_class"].choices = [
            ("", _("All classes")),
            *((c.code, c.localised_name(language)) for c in classes),
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value or None for key, value in self.cleaned_data.items()}
