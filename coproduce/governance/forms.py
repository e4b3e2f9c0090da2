"""Meetings' forms. Each form reads and checks what a person typed; the services
(``governance.services``) decide the rest and give the refusals to show."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from coproduce.core.forms import DateParts, service_error_on
from coproduce.core.jinja import long_date

from .models import (
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AttendanceMode,
    Choice,
    CountRule,
    MeetingKind,
    ResolutionKind,
    VotingMethod,
)

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

_TOO_LONG = _("Use %(limit_value)s characters or fewer")
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")
_FRACTION = re.compile(r"^\s*(\d{1,5})\s*/\s*(\d{1,5})\s*$")
_YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _lazy(template, **values):
    """``template % values`` worked out when shown, so that it reads in the page's language."""
    return lazy(lambda: str(template) % {key: str(value) for key, value in values.items()}, str)()


def share_text(numerator: int | None, denominator: int | None) -> str:
    """A share as the rules page shows it: a percentage where it is one ("75%", "12.5%"), else a
    fraction ("2/3"); "" for none."""
    if not numerator or not denominator:
        return ""
    share = Fraction(numerator, denominator)
    for places in (0, 1, 2):
        scaled = share * 100 * 10**places
        if scaled.denominator == 1:
            return f"{Decimal(scaled.numerator).scaleb(-places)}%"
    return f"{share.numerator}/{share.denominator}"


class ShareField(forms.CharField):
    """A share of members or of votes, typed as a percentage ("75%", "66.67") or a fraction ("2/3"),
    read exactly (a ``Fraction``; None when left empty)."""

    def __init__(self, *, what, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("error_messages", {"max_length": _TOO_LONG})
        super().__init__(**kwargs)
        self.what = what

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        bad = forms.ValidationError(
            _("Enter %(what)s as a percentage, like 75%%, or a fraction, like 2/3") % {"what": self.what},
            code="invalid",
        )
        match = _FRACTION.match(text)
        try:
            if match:
                share = Fraction(int(match[1]), int(match[2]))
            else:
                share = Fraction(Decimal(text.removesuffix("%").strip())) / 100
        except (InvalidOperation, ZeroDivisionError, ValueError, OverflowError) as error:
            raise bad from error
        if not 0 < share <= 1:
            raise forms.ValidationError(
                _("%(what)s must be more than 0%% and at most 100%%") % {"what": str(self.what).capitalize()},
                code="range",
            )
        if share.denominator > 10_000:
            raise forms.ValidationError(
                _("Enter %(what)s with at most two decimal places, or as a fraction, like 2/3") % {"what": self.what},
                code="precision",
            )
        return share


def _whole(
    label,
    *,
    what,
    required: bool = True,
    min_value: int = 0,
    max_value: int = 365,
    help_text="",
    example: int = 14,
):
    """A whole number in a box, with GOV.UK error messages saying ``what`` it is."""
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=max_value,
        help_text=help_text,
        error_messages={
            "required": _lazy(_("Enter %(what)s"), what=what),
            "invalid": _lazy(_("Enter %(what)s as a whole number, like %(example)s"), what=what, example=example),
            "min_value": _lazy(_("Enter %(what)s of %(limit)s or more"), what=what, limit=min_value),
            "max_value": _lazy(_("Enter %(what)s of %(limit)s or fewer"), what=what, limit=max_value),
        },
    )


def _choose(message) -> dict:
    """A choice's errors: none made, or one the form does not offer (a tampered form)."""
    return {"required": message, "invalid_choice": message}


def _yes_no(label, *, help_text="", required_message):
    return forms.ChoiceField(
        label=label, choices=_YES_NO, help_text=help_text, error_messages=_choose(required_message)
    )


# The shares the rules form reads, by the prefix of their model fields.
RULES_SHARES = ("short_notice_share", "quorum_share", "board_quorum_share", "requisition_share")
RULES_NUMBERS = (
    "notice_agm_days",
    "notice_sgm_days",
    "notice_board_days",
    "notice_committee_days",
    "notice_deemed_served_after_days",
    "quorum_number",
    "board_quorum_number",
    "proxy_limit",
    "proxy_deadline_hours",
    "requisition_number",
    "requisition_days_to_call",
)
RULES_CHOICES = ("quorum_rule", "board_quorum_rule", "requisition_rule")
RULES_YES_NO = ("short_notice_allowed", "proxies_count_to_quorum", "proxies_allowed", "record_public")


class RulesForm(forms.Form):
    """A new version of the society's rules about meetings, in force from a date.

    Shares are typed as percentages or fractions and kept exactly; the service checks that the rules
    can work (a count rule with the number or share it counts, a special resolution asking more than
    half) and its refusal lands beside the field it is about.
    """

    notice_agm_days = _whole(
        _("Annual general meeting"),
        what=_("the clear days of notice of an annual general meeting"),
        help_text=_("Clear days: the day the notice is sent and the day of the meeting are not counted."),
    )
    notice_sgm_days = _whole(
        _("Special general meeting"), what=_("the clear days of notice of a special general meeting")
    )
    notice_board_days = _whole(_("Board meeting"), what=_("the clear days of notice of a board meeting"))
    notice_committee_days = _whole(_("Committee meeting"), what=_("the clear days of notice of a committee meeting"))
    notice_deemed_served_after_days = _whole(
        _("Days after sending that a notice is treated as received"),
        what=_("the days after sending that a notice is treated as received"),
        max_value=14,
        example=2,
        help_text=_("Some rules treat a posted notice as received 48 hours after it is sent: enter 2. Otherwise 0."),
    )
    short_notice_allowed = _yes_no(
        _("May a meeting be held on shorter notice if enough members agree?"),
        required_message=_("Choose whether a meeting may be held on shorter notice"),
    )
    short_notice_share = ShareField(
        what=_("the share of members who must agree to short notice"),
        label=_("Share of the members entitled to vote who must agree"),
        help_text=_("For example, 90%."),
        error_messages={
            "required": _("Enter the share of members who must agree to short notice"),
            "max_length": _TOO_LONG,
        },
    )
    quorum_number = _whole(
        _("Number of members"),
        what=_("the quorum's number of members"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        example=10,
    )
    quorum_share = ShareField(
        what=_("the quorum's share of the members"),
        label=_("Share of the members entitled to vote"),
        required=False,
        help_text=_("For example, 10%. Leave empty if the quorum is a number only."),
    )
    quorum_rule = forms.ChoiceField(
        label=_("The quorum is"),
        choices=CountRule.choices,
        error_messages=_choose(_("Choose how the quorum is counted")),
    )
    proxies_count_to_quorum = _yes_no(
        _("Do members represented by a proxy count towards the quorum?"),
        required_message=_("Choose whether members represented by a proxy count towards the quorum"),
    )
    board_quorum_number = _whole(
        _("Number of board members"),
        what=_("the board quorum's number of members"),
        required=False,
        min_value=1,
        max_value=1000,
        example=3,
    )
    board_quorum_share = ShareField(
        what=_("the board quorum's share"),
        label=_("Share of the board"),
        required=False,
        help_text=_("For example, 50%. Leave empty if the quorum is a number only."),
    )
    board_quorum_rule = forms.ChoiceField(
        label=_("The board quorum is"),
        choices=CountRule.choices,
        error_messages=_choose(_("Choose how the board quorum is counted")),
    )
    proxies_allowed = _yes_no(
        _("May members vote by proxy at general meetings?"),
        required_message=_("Choose whether members may vote by proxy"),
    )
    proxy_limit = _whole(
        _("Most proxies one person may hold"),
        what=_("the most proxies one person may hold"),
        required=False,
        min_value=1,
        max_value=1000,
        example=5,
        help_text=_("Leave empty for no limit. The chair of the meeting may always hold any number."),
    )
    proxy_deadline_hours = _whole(
        _("Hours before the meeting that proxies must be appointed by"),
        what=_("the hours before the meeting that proxies must be appointed by"),
        max_value=720,
        example=48,
    )
    requisition_number = _whole(
        _("Number of members"),
        what=_("the number of members a requisition needs"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        example=20,
    )
    requisition_share = ShareField(
        what=_("the requisition's share of the members"),
        label=_("Share of the members entitled to vote"),
        required=False,
        help_text=_("For example, 10%. Leave empty if a requisition needs a number only."),
    )
    requisition_rule = forms.ChoiceField(
        label=_("A requisition needs"),
        choices=CountRule.choices,
        error_messages=_choose(_("Choose what a requisition needs")),
    )
    requisition_days_to_call = _whole(
        _("Days to call a requisitioned meeting"),
        what=_("the days to call a requisitioned meeting"),
        min_value=1,
        example=28,
        help_text=_("From the day enough members have signed."),
    )
    special = ShareField(
        what=_("the special resolution threshold"),
        label=_("Share of the votes cast a special resolution needs"),
        help_text=_(
            "For example, 75%. More than half, and at most 100%. "
            "The 2014 Act's own resolutions need what the Act says, or more."
        ),
        error_messages={
            "required": _("Enter the share of the votes cast a special resolution needs"),
            "max_length": _TOO_LONG,
        },
    )
    special_inclusive = forms.ChoiceField(
        label=_("Does a special resolution pass on reaching that share?"),
        choices=[
            ("reach", _("Yes: reaching the share is enough (75% of the votes cast passes)")),
            ("pass", _("No: it must pass the share (more than 75% of the votes cast)")),
        ],
        error_messages=_choose(_("Choose whether a special resolution passes on reaching the share")),
    )
    record_public = _yes_no(
        _("Is the record of meetings open to the public?"),
        help_text=_("Results and published minutes. Members can always see them."),
        required_message=_("Choose whether the record of meetings is open to the public"),
    )

    effective_from = DateParts("effective_from", _("The date the rules take effect"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.effective_from.fields())

    @classmethod
    def initial_for(cls, rules, *, effective_from: datetime.date) -> dict:
        """The form filled in from the version in force, for a new version from ``effective_from``."""
        initial = {name: getattr(rules, name) for name in RULES_NUMBERS + RULES_CHOICES}
        initial.update({name: "yes" if getattr(rules, name) else "no" for name in RULES_YES_NO})
        for prefix in RULES_SHARES:
            initial[prefix] = share_text(getattr(rules, f"{prefix}_numerator"), getattr(rules, f"{prefix}_denominator"))
        initial["special"] = share_text(rules.special_numerator, rules.special_denominator)
        initial["special_inclusive"] = "reach" if rules.special_inclusive else "pass"
        initial.update(
            {
                "effective_from_day": effective_from.day,
                "effective_from_month": effective_from.month,
                "effective_from_year": effective_from.year,
            }
        )
        return initial

    def clean(self):
        cleaned = super().clean()
        cleaned["effective_from"] = self.effective_from.clean(self)
        return cleaned

    def values(self) -> dict:
        """The fields as ``services.rules_set`` takes them (without ``effective_from``)."""
        data = self.cleaned_data
        values = {name: data[name] for name in RULES_NUMBERS + RULES_CHOICES}
        values.update({name: data[name] == "yes" for name in RULES_YES_NO})
        for prefix in RULES_SHARES:
            share = data[prefix]
            values[f"{prefix}_numerator"] = share.numerator if share is not None else None
            values[f"{prefix}_denominator"] = share.denominator if share is not None else None
        values["special_numerator"], values["special_denominator"] = (
            data["special"].numerator,
            data["special"].denominator,
        )
        values["special_inclusive"] = data["special_inclusive"] == "reach"
        return values

    def add_service_error(self, error) -> None:
        """A refusal beside its field: a share's numerator names the share, a date its day box."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = name.removesuffix("_numerator").removesuffix("_denominator")
            if field not in self.fields:
                field = f"{name}_day" if f"{name}_day" in self.fields else None
            self.add_error(field, errors)


def _moment_fields(form: forms.Form, parts: DateParts) -> None:
    form.fields.update(parts.fields())
    form.fields[f"{parts.name}_time"] = forms.CharField(
        label=_("Time"),
        required=False,
        max_length=5,
        help_text=_("Use the 24-hour clock, for example 09:00 or 19:30."),
    )


def _read_moment(form: forms.Form, parts: DateParts, what) -> datetime.datetime | None:
    """The date and time typed into a GOV.UK date input and a time box, in the site's time zone."""
    day = parts.clean(form)
    match = _CLOCK.match(form.cleaned_data.get(f"{parts.name}_time") or "")
    hours, minutes = (int(match[1]), int(match[2])) if match else (None, None)
    if match is None or hours > 23 or minutes > 59:
        form.add_error(
            f"{parts.name}_time",
            _("Enter the time for “%(what)s” as hours and minutes on the 24-hour clock, like 19:00") % {"what": what},
        )
        return None
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))


class MeetingForm(forms.Form):
    """A meeting's kind, title, date and time, and where it is held (a place, a link to join, or both)."""

    kind = forms.ChoiceField(
        label=_("What kind of meeting is it?"),
        choices=MeetingKind.choices,
        error_messages=_choose(_("Choose the kind of meeting")),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("For example, Annual general meeting 2026."),
        error_messages={"required": _("Enter the meeting's title"), "max_length": _TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _TOO_LONG},
    )
    place = forms.CharField(
        label=_("Place (optional if the meeting is online only)"),
        max_length=300,
        required=False,
        help_text=_("For example, Elmwood community hall, 12 High Street."),
        error_messages={"max_length": _TOO_LONG},
    )
    online_url = forms.URLField(
        label=_("Link to join online (optional)"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("For a hybrid or online meeting. Members are sent it with the notice."),
        error_messages={
            "invalid": _("Enter the link as a web address, like https://meet.example.org/agm"),
            "max_length": _TOO_LONG,
        },
    )

    starts_at = DateParts("starts_at", _("The date of the meeting"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _moment_fields(self, self.starts_at)

    @classmethod
    def initial_for(cls, meeting) -> dict:
        initial = {name: getattr(meeting, name) for name in ("kind", "title", "title_cy", "place", "online_url")}
        moment = timezone.localtime(meeting.starts_at)
        initial.update(
            {
                "starts_at_day": moment.day,
                "starts_at_month": moment.month,
                "starts_at_year": moment.year,
                "starts_at_time": moment.strftime("%H:%M"),
            }
        )
        return initial

    def clean(self):
        cleaned = super().clean()
        cleaned["starts_at"] = _read_moment(self, self.starts_at, _("Start of the meeting"))
        return cleaned

    def values(self) -> dict:
        """The fields as ``services.meeting_create`` and ``meeting_update`` take them."""
        return {
            name: self.cleaned_data[name] for name in ("kind", "title", "title_cy", "starts_at", "place", "online_url")
        }

    def add_service_error(self, error) -> None:
        service_error_on(self, error, dates=("starts_at",))


class AgendaItemForm(forms.Form):
    """An item of business, with its paper (a PDF) where there is one."""

    title = forms.CharField(
        label=_("Item"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("For example, To receive the annual accounts."),
        error_messages={"required": _("Enter the agenda item"), "max_length": _TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Item in Welsh (optional)"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _TOO_LONG},
    )
    text = forms.CharField(
        label=_("What the item is about (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _TOO_LONG},
    )
    text_cy = forms.CharField(
        label=_("What the item is about, in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _TOO_LONG},
    )
    paper = forms.FileField(
        label=_("Paper (optional)"),
        required=False,
        help_text=_("A PDF smaller than 20 MB, for example the annual accounts. Members can download it."),
    )
    paper_title = forms.CharField(
        label=_("Title of the paper (optional)"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text=_("If you leave it empty, the item's title is used."),
        error_messages={"max_length": _TOO_LONG},
    )
    paper_title_cy = forms.CharField(
        label=_("Title of the paper in Welsh (optional)"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _TOO_LONG},
    )

    def add_service_error(self, error) -> None:
        service_error_on(self, error)


class PaperForm(forms.Form):
    """Attach a paper to an agenda item (or replace it) until the meeting starts."""

    item = forms.ChoiceField(label=_("Agenda item"), error_messages=_choose(_("Choose the agenda item")))
    paper = forms.FileField(
        label=_("Paper"),
        help_text=_("A PDF smaller than 20 MB."),
        error_messages={"required": _("Choose the PDF to attach"), "empty": _("The file you chose is empty")},
    )
    paper_title = forms.CharField(
        label=_("Title of the paper"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("For example, Annual accounts 2025."),
        error_messages={"required": _("Enter the paper's title"), "max_length": _TOO_LONG},
    )
    paper_title_cy = forms.CharField(
        label=_("Title of the paper in Welsh (optional)"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _TOO_LONG},
    )

    def __init__(self, *args, items, language: str | None, **kwargs):
        super().__init__(*args, prefix="attach", **kwargs)
        self.items = {str(item.pk): item for item in items}
        self.fields["item"].choices = [("", _("Choose an item"))] + [
            (key, f"{number}. {item.localised_title(language)}")
            for number, (key, item) in enumerate(self.items.items(), start=1)
        ]

    def clean_item(self):
        return self.items[self.cleaned_data["item"]]

    def add_service_error(self, error) -> None:
        service_error_on(self, error)


class ResolutionForm(forms.Form):
    """A resolution set out in full, its kind (the statutory ones included) and how it is voted on."""

    kind = forms.ChoiceField(
        label=_("What kind of resolution is it?"),
        choices=ResolutionKind.choices,
        error_messages=_choose(_("Choose the kind of resolution")),
    )
    confirms = forms.ChoiceField(
        label=_("Which resolution does it confirm?"),
        required=False,
        help_text=_("Only for a confirmation: the resolution a first meeting passed."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("For example, Adopt the new rules."),
        error_messages={"required": _("Enter the resolution's title"), "max_length": _TOO_LONG},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _TOO_LONG},
    )
    text = forms.CharField(
        label=_("The resolution in full"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_(
            "The notice sets it out word for word, for example: "
            "That the society adopts the rules attached to this notice."
        ),
        error_messages={"required": _("Enter the resolution in full"), "max_length": _TOO_LONG},
    )
    text_cy = forms.CharField(
        label=_("The resolution in full, in Welsh (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _TOO_LONG},
    )
    method = forms.ChoiceField(
        label=_("How is it voted on?"),
        choices=VotingMethod.choices,
        error_messages=_choose(_("Choose how the resolution is voted on")),
    )
    agenda_item = forms.ChoiceField(label=_("Agenda item (optional)"), required=False)

    def __init__(self, *args, confirmable, items, language: str | None, **kwargs):
        """``confirmable``: resolutions passed at a first meeting that wait for their confirmation."""
        super().__init__(*args, prefix="resolution", **kwargs)
        self.confirmable = {str(r.pk): r for r in confirmable}
        self.items = {str(item.pk): item for item in items}
        self.fields["confirms"].choices = [("", _("None"))] + [
            (
                key,
                _("%(title)s, passed on %(date)s")
                % {"title": r.localised_title(language), "date": long_date(r.meeting.starts_at, time=False)},
            )
            for key, r in self.confirmable.items()
        ]
        self.fields["agenda_item"].choices = [("", _("None"))] + [
            (key, f"{number}. {item.localised_title(language)}")
            for number, (key, item) in enumerate(self.items.items(), start=1)
        ]
        if not self.confirmable:
            del self.fields["confirms"]

    @classmethod
    def initial_for(cls, resolution) -> dict:
        initial = {
            name: getattr(resolution, name) for name in ("kind", "title", "title_cy", "text", "text_cy", "method")
        }
        initial["confirms"] = str(resolution.confirms_id or "")
        initial["agenda_item"] = str(resolution.agenda_item_id or "")
        return initial

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in ("kind", "title", "title_cy", "text", "text_cy", "method")}
        values["confirms"] = self.confirmable.get(data.get("confirms") or "")
        values["agenda_item"] = self.items.get(data.get("agenda_item") or "")
        return values

    def add_service_error(self, error) -> None:
        service_error_on(self, error, aliases={"confirms": "confirms" if "confirms" in self.fields else "kind"})


class NoticeForm(forms.Form):
    """The date the notice is sent (today unless it went out earlier) and, where the rules allow it,
    the members' agreement to a meeting on short notice."""

    short_notice_agreed = forms.BooleanField(
        label=_("Enough members agreed to hold the meeting on short notice"), required=False
    )
    short_notice_consents = forms.IntegerField(
        label=_("How many members entitled to vote agreed?"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Enter the number of members who agreed as a whole number, like 12"),
            "min_value": _("Enter the number of members who agreed as a whole number, like 12"),
        },
    )
    short_notice_reason = forms.CharField(
        label=_("Why is the meeting held on short notice?"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("It goes in the minutes."),
        error_messages={"max_length": _TOO_LONG},
    )

    sent_on = DateParts("sent_on", _("The date the notice is sent"), required=True)

    def __init__(self, *args, short_notice_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.sent_on.fields())
        if not short_notice_allowed:
            for name in ("short_notice_agreed", "short_notice_consents", "short_notice_reason"):
                del self.fields[name]

    @classmethod
    def initial_for(cls, today: datetime.date) -> dict:
        return {"sent_on_day": today.day, "sent_on_month": today.month, "sent_on_year": today.year}

    def clean(self):
        cleaned = super().clean()
        cleaned["sent_on"] = self.sent_on.clean(self)
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        values = {"sent_on": data["sent_on"]}
        if data.get("short_notice_agreed"):
            values.update(
                short_notice_agreed=True,
                short_notice_consents=data.get("short_notice_consents"),
                short_notice_reason=data.get("short_notice_reason") or "",
            )
        return values

    def add_service_error(self, error) -> None:
        # "The meeting must be at least 14 clear days after the notice…" is about the date it is sent.
        service_error_on(self, error, dates=("sent_on",), aliases={"starts_at": "sent_on"})


class AttendeeSearchForm(forms.Form):
    """Find someone entitled to attend by name, member number or email (GET)."""

    q = forms.CharField(
        label=_("Name, member number or email"),
        max_length=100,
        help_text=_("For example, Jones, 42 or sam@example.org."),
        error_messages={"required": _("Enter a name, a member number or an email address"), "max_length": _TOO_LONG},
    )


class StartForm(forms.Form):
    """Start business: who chairs the meeting."""

    chair = forms.ChoiceField(
        label=_("Who chairs the meeting?"),
        help_text=_(
            "The chair records the show of hands, opens polls, casts the proxies held by the chair "
            "and declares each result."
        ),
        error_messages={
            "required": _("Choose who chairs the meeting"),
            "invalid_choice": _("Choose who chairs the meeting"),
        },
    )

    def __init__(self, *args, people, **kwargs):
        """``people``: (person, label) pairs of those who may chair."""
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person, _label in people}
        self.fields["chair"].choices = [("", _("Choose a person"))] + [(str(p.pk), label) for p, label in people]

    def clean_chair(self):
        return self.people[self.cleaned_data["chair"]]


def _count_field(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "required": _lazy(_("Enter the count for “%(what)s”: 0 where nobody raised a hand"), what=label),
            "invalid": _lazy(_("Enter the count for “%(what)s” as a whole number, like 12"), what=label),
            "min_value": _lazy(_("Enter the count for “%(what)s” as a whole number, 0 or more"), what=label),
            "max_value": _lazy(_("Enter the count for “%(what)s” as a whole number, like 12"), what=label),
        },
    )


class HandsForm(forms.Form):
    """The chair's count on a show of hands."""

    for_votes = _count_field(_("For"))
    against_votes = _count_field(_("Against"))
    abstain_votes = _count_field(_("Abstaining"))

    def add_service_error(self, error) -> None:
        service_error_on(self, error)


class ProxyChoiceForm(forms.Form):
    """How the chair (or a proxy holder) votes for a member whose discretionary proxy they hold."""

    choice = forms.ChoiceField(
        label=_("Vote"),
        choices=Choice.choices,
        widget=forms.RadioSelect,
        error_messages=_choose(_("Choose for, against or abstain")),
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["choice"].label = label

    def add_service_error(self, error) -> None:
        service_error_on(self, error)


class MinutesForm(forms.Form):
    """Draft minutes, edited by the secretary before a later meeting approves them."""

    text = forms.CharField(
        label=_("Minutes"),
        max_length=50_000,
        widget=forms.Textarea,
        error_messages={"required": _("Enter the minutes"), "max_length": _TOO_LONG},
    )
    text_cy = forms.CharField(
        label=_("Minutes in Welsh"),
        max_length=50_000,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": _TOO_LONG},
    )

    def add_service_error(self, error) -> None:
        service_error_on(self, error)


class ApproveMinutesForm(forms.Form):
    """The later meeting of the organisation that approved the minutes."""

    at_meeting = forms.ChoiceField(
        label=_("Which meeting approved the minutes?"),
        help_text=_("A later meeting of the organisation that has started."),
        error_messages=_choose(_("Choose the meeting that approved the minutes")),
    )

    def __init__(self, *args, meetings, language: str | None, **kwargs):
        super().__init__(*args, prefix="approve", **kwargs)
        self.meetings = {str(m.pk): m for m in meetings}
        self.fields["at_meeting"].choices = [("", _("Choose a meeting"))] + [
            (key, f"{m.localised_title(language)} ({long_date(m.starts_at, time=False)})")
            for key, m in self.meetings.items()
        ]
        self.fields["at_meeting"].error_messages["invalid_choice"] = _("Choose the meeting that approved the minutes")

    def clean_at_meeting(self):
        return self.meetings[self.cleaned_data["at_meeting"]]

    def add_service_error(self, error) -> None:
        service_error_on(self, error)
