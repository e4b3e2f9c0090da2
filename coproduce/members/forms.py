"""Forms for joining, buying, withdrawing, resigning, deciding, ceasing and recording payments.

They parse input; the services enforce the rules.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    REASON_MAX_LENGTH,
    RECORDABLE_METHODS,
    CessationReason,
    EmailUse,
    MembershipRules,
    MembershipStatus,
    StakeholderClass,
)

_TOO_LONG = _("Use %(limit_value)s characters or fewer")


class JoinForm(forms.Form):
    """Choose a class of membership and what the society may use your email address for."""

    stakeholder_class = forms.ChoiceField(
        label=_("Which class of member are you?"),
        error_messages={"required": _("Choose the class of membership you are applying for")},
    )
    email_use = forms.ChoiceField(
        label=_("What may we use your email address for?"),
        choices=EmailUse.choices,
        help_text=_("The register of members records your choice. You can change it later."),
        error_messages={"required": _("Choose what we may use your email address for")},
    )

    def __init__(self, *args, classes, language: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = {str(c.pk): c for c in classes}
        self.fields["stakeholder_class"].choices = [
            (key, c.localised_name(language)) for key, c in self.classes.items()
        ]

    def clean_stakeholder_class(self):
        return self.classes[self.cleaned_data["stakeholder_class"]]


class EmailUseForm(forms.Form):
    email_use = forms.ChoiceField(
        label=_("What may we use your email address for?"),
        choices=EmailUse.choices,
        error_messages={"required": _("Choose what we may use your email address for")},
    )


def _shares_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        error_messages={
            "required": _("Enter the number of shares"),
            "invalid": _("Enter the number of shares as a whole number, like 1"),
            "min_value": _("Enter a number of shares of 1 or more."),
        },
    )


class WithdrawForm(forms.Form):
    shares = _shares_field(_("How many shares do you want to withdraw?"))
    # Set on the confirmation page's form: withdrawing the last share ends the membership.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BuySharesForm(forms.Form):
    shares = _shares_field(_("How many more shares do you want to buy?"))


class ConfirmForm(forms.Form):
    """A confirmation page's form: nothing to fill in, only errors from the service to show."""


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
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("The applicant will read this. Only needed if you refuse."),
        error_messages={"max_length": _TOO_LONG},
    )


class CeaseForm(forms.Form):
    """An officer ends a membership, saying why."""

    reason = forms.ChoiceField(
        label=_("Why does the membership end?"),
        choices=CessationReason.choices,
        error_messages={"required": _("Choose why the membership ends.")},
    )
    note = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("For an expulsion, the reason the board gave. It is kept with the register."),
        error_messages={"max_length": _TOO_LONG},
    )


class PaymentForm(forms.Form):
    """Record money received for shares: which shares, how, a reference and the date paid."""

    share_transaction = forms.ChoiceField(
        label=_("Which shares is this payment for?"),
        error_messages={"required": _("Choose the shares this payment is for")},
    )
    method = forms.ChoiceField(
        label=_("How did the member pay?"),
        choices=[(method.value, method.label) for method in RECORDABLE_METHODS],
        error_messages={"required": _("Choose how the member paid.")},
    )
    reference = forms.CharField(
        label=_("Reference (optional)"),
        required=False,
        max_length=100,
        help_text=_("For example the bank reference, cheque number or receipt number."),
    )
    day = forms.IntegerField(required=False, min_value=1, max_value=31)
    month = forms.IntegerField(required=False, min_value=1, max_value=12)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2200)

    def __init__(self, *args, owed, describe, **kwargs):
        super().__init__(*args, **kwargs)
        self.owed = {str(item.pk): item for item in owed}
        self.fields["share_transaction"].choices = [(key, describe(item)) for key, item in self.owed.items()]

    def clean_share_transaction(self):
        return self.owed[self.cleaned_data["share_transaction"]]

    def clean(self):
        data = super().clean()
        parts = (data.get("year"), data.get("month"), data.get("day"))
        if any(name in self.errors for name in ("day", "month", "year")) or None in parts:
            self.errors.pop("day", None)
            self.errors.pop("month", None)
            self.errors.pop("year", None)
            self.add_error("day", _("Enter the date paid as a real date, like 27 3 2026"))
            return data
        try:
            data["paid_on"] = datetime.date(*parts)
        except ValueError:
            self.add_error("day", _("Enter the date paid as a real date, like 27 3 2026"))
        return data


class RegisterFilterForm(forms.Form):
    """Filters for the register (GET): an invalid value is dropped rather than shown as an error."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    stakeholder_class = forms.ChoiceField(label=_("Class"), required=False)
    payment = forms.ChoiceField(
        label=_("Payment"),
        required=False,
        choices=[("", _("Paid and owed")), ("owed", _("Owes for shares")), ("paid", _("Owes nothing"))],
    )
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


class DuplicateRegisterFilterForm(forms.Form):
    search = forms.CharField(label=_("Name"), required=False, max_length=100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"search": self.cleaned_data["search"] or None}


# The rules a secretary edits on the rules page, in the order they are shown.
RULES_FORM_FIELDS = [
    "accepts_members",
    "details_required_to_apply",
    "share_value_pence",
    "max_holding_pence",
    "further_purchases_allowed",
    "shares_withdrawable",
    "withdrawals_suspended",
    "repayment_days",
    "payment_instructions",
    "payment_instructions_cy",
    "paid_share_needed_to_vote",
    "voting_qualifying_days",
    "meeting_notice_clear_days",
    "quorum_members",
    "quorum_percent",
]
RULES_CHECKBOXES = [
    "accepts_members",
    "details_required_to_apply",
    "further_purchases_allowed",
    "shares_withdrawable",
    "withdrawals_suspended",
    "paid_share_needed_to_vote",
]


class MembershipRulesForm(forms.ModelForm):
    """The organisation's membership rules. It only parses: ``membership_rules_update`` saves them."""

    class Meta:
        model = MembershipRules
        fields = RULES_FORM_FIELDS
        widgets = {
            "payment_instructions": forms.Textarea(attrs={"rows": 4}),
            "payment_instructions_cy": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            name: {
                "required": _("Enter a number"),
                "invalid": _("Enter a whole number"),
            }
            for name in RULES_FORM_FIELDS
            if name not in RULES_CHECKBOXES and not name.startswith("payment_instructions")
        }

    def changes(self) -> dict:
        """The rules whose values changed (all of them the first time)."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}

    def save(self, commit=True):  # pragma: no cover - a guard, never called
        raise NotImplementedError("Save rules through services.membership_rules_update.")


class StakeholderClassForm(forms.Form):
    """A class's name and who can join it, in English and Welsh."""

    name = forms.CharField(
        label=_("Name"), max_length=100, error_messages={"required": _("Enter the name of the class")}
    )
    name_cy = forms.CharField(
        label=_("Name in Welsh"),
        max_length=100,
        required=False,
        help_text=_("Leave empty if you have no translation yet: people reading in Welsh see the English."),
    )
    description = forms.CharField(
        label=_("Who can join this class"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_cy = forms.CharField(
        label=_("Who can join this class, in Welsh"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def for_class(cls, stakeholder_class: StakeholderClass, data=None) -> StakeholderClassForm:
        return cls(
            data,
            initial={
                field: getattr(stakeholder_class, field)
                for field in ("name", "name_cy", "description", "description_cy")
            },
        )


class MemberDetailsForm(forms.Form):
    """The secretary corrects a member's name and postal address for the register."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, error_messages={"required": _("Enter the member's full name")}
    )
    address = forms.CharField(
        label=_("Address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("House number or name, street and town, without the postcode."),
        error_messages={"required": _("Enter the member's address")},
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, error_messages={"required": _("Enter the member's postcode")}
    )
