"""Meetings, their agenda and papers, resolutions and minutes."""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import law
from .rules import GENERAL_MEETINGS, MeetingKind

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 1000


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    CALLED = "called", _("Notice sent")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Meeting(models.Model):
    """A general, board or committee meeting: called by notice, quorate when business starts, closed.

    What the meeting was called under is kept on it: the rules version, the clear days of notice
    they required, and at the start of business the quorum required and the members present.
    """

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind of meeting"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    title_cy = models.CharField(_("title in Welsh"), max_length=TITLE_MAX_LENGTH, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    # A hybrid or online meeting: where members join online.
    online_url = models.URLField(_("link to join online"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    # A special general meeting called because members requisitioned it.
    requisition = models.ForeignKey(
        "governance.Requisition",
        verbose_name=_("requisition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    # The notice and the rules it was given under.
    notice_sent_on = models.DateField(_("notice sent"), null=True, blank=True)
    rules = models.ForeignKey(
        "governance.MeetingRules",
        verbose_name=_("called under the rules"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    notice_clear_days = models.PositiveSmallIntegerField(_("clear days of notice required"), null=True, blank=True)
    short_notice_agreed = models.BooleanField(_("held on short notice, as the members agreed"), default=False)
    short_notice_reason = models.TextField(
        _("why the meeting is held on short notice"),
        blank=True,
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    short_notice_consents = models.PositiveIntegerField(_("members who agreed to short notice"), null=True, blank=True)
    # The start of business: who chaired, and the quorum as the rules count it.
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    business_started_at = models.DateTimeField(_("business started"), null=True, blank=True)
    members_entitled = models.PositiveIntegerField(_("members entitled to vote"), null=True, blank=True)
    quorum_required = models.PositiveIntegerField(_("quorum required"), null=True, blank=True)
    quorum_present = models.PositiveIntegerField(_("members present for the quorum"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["organisation", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=MeetingStatus.DRAFT)
                | Q(notice_sent_on__isnull=False, rules__isnull=False, notice_clear_days__isnull=False),
                name="meeting_called_with_notice_under_rules",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[MeetingStatus.DRAFT, MeetingStatus.CALLED])
                | Q(
                    business_started_at__isnull=False,
                    quorum_required__isnull=False,
                    quorum_present__isnull=False,
                    members_entitled__isnull=False,
                    chair__isnull=False,
                ),
                name="meeting_business_started_with_quorum",
            ),
            models.CheckConstraint(
                condition=Q(quorum_present__isnull=True) | Q(quorum_present__gte=models.F("quorum_required")),
                name="meeting_business_started_quorate",
            ),
            models.CheckConstraint(
                condition=~Q(status=MeetingStatus.CLOSED) | Q(closed_at__isnull=False),
                name="meeting_closed_when",
            ),
            models.CheckConstraint(
                condition=Q(short_notice_agreed=False) | (~Q(short_notice_reason="") & Q(short_notice_consents__gte=1)),
                name="meeting_short_notice_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(requisition__isnull=True) | Q(kind=MeetingKind.SGM),
                name="meeting_requisitioned_is_special",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    @property
    def is_general(self) -> bool:
        return self.kind in GENERAL_MEETINGS

    @property
    def starts_on(self) -> datetime.date:
        """The day of the meeting, where it is held (local time)."""
        return timezone.localtime(self.starts_at).date()

    @property
    def proxy_deadline(self) -> datetime.datetime | None:
        """When proxies close, under the rules it was called under (None before notice, or without proxies)."""
        if self.rules is None or not self.rules.proxies_allowed or not self.is_general:
            return None
        return law.proxy_deadline(self.starts_at, self.rules.proxy_deadline_hours)


def paper_path(instance: AgendaItem, filename: str) -> str:
    return f"governance/papers/{instance.meeting_id}/{filename}"


class AgendaItem(models.Model):
    """An item of business, with a paper where there is one (the annual accounts, a report)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    title_cy = models.CharField(_("title in Welsh"), max_length=TITLE_MAX_LENGTH, blank=True)
    text = models.TextField(
        _("what the item is about"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    text_cy = models.TextField(
        _("what the item is about, in Welsh"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    # A PDF, checked from its content (``services.paper_clean``); served to members by the app's views.
    paper = models.FileField(_("paper (PDF)"), upload_to=paper_path, blank=True, max_length=300)
    paper_title = models.CharField(_("title of the paper"), max_length=TITLE_MAX_LENGTH, blank=True)
    paper_title_cy = models.CharField(_("title of the paper, in Welsh"), max_length=TITLE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(condition=Q(paper="") | ~Q(paper_title=""), name="agenda_item_paper_has_a_title")
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised_text(self, language: str | None) -> str:
        return self.text_cy if language == "cy" and self.text_cy else self.text

    def localised_paper_title(self, language: str | None) -> str:
        return self.paper_title_cy if language == "cy" and self.paper_title_cy else self.paper_title


class ResolutionKind(models.TextChoices):
    ORDINARY = law.ResolutionKind.ORDINARY, _("Ordinary resolution")
    SPECIAL = law.ResolutionKind.SPECIAL, _("Special resolution")
    AMALGAMATION_OR_TRANSFER = (
        law.ResolutionKind.AMALGAMATION_OR_TRANSFER,
        _("Special resolution to amalgamate or transfer engagements (2014 Act, section 111)"),
    )
    CONVERSION = (
        law.ResolutionKind.CONVERSION,
        _("Special resolution to convert into a company (2014 Act, section 113)"),
    )
    DISSOLUTION = law.ResolutionKind.DISSOLUTION, _("Dissolution (2014 Act, section 119)")
    CONFIRMATION = law.ResolutionKind.CONFIRMATION, _("Confirmation of a special resolution at a second meeting")


class ThresholdBase(models.TextChoices):
    VOTES_CAST = law.Base.VOTES_CAST, _("of the votes cast")
    MEMBERS = law.Base.MEMBERS, _("of the members")


class VotingMethod(models.TextChoices):
    HANDS = "hands", _("Show of hands (the chair counts)")
    POLL = "poll", _("Secret poll at the meeting")
    ADVANCE = "advance", _("Online before the meeting, and by show of hands at it")


class Choice(models.TextChoices):
    """A vote on a resolution: the options of its ballot box, in ballot-paper order."""

    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Resolution(models.Model):
    """A resolution, set out in full in the notice, voted on and declared by the chair.

    Votes come from its ballot box (online in advance, proxies, a secret poll at the meeting:
    one per member, as ``voting`` enforces) and, for a show of hands, the chair's counts of the
    members present who have not voted otherwise. At the declaration the totals and the
    threshold they were measured against are written here, as the law module computed them.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="resolutions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind of resolution"), max_length=30, choices=ResolutionKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    title_cy = models.CharField(_("title in Welsh"), max_length=TITLE_MAX_LENGTH, blank=True)
    text = models.TextField(
        _("the resolution in full"), max_length=TEXT_MAX_LENGTH, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    text_cy = models.TextField(
        _("the resolution in full, in Welsh"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    method = models.CharField(_("how it is voted on"), max_length=10, choices=VotingMethod.choices)
    # Opened with the notice: a "choose one" box over for, against and abstain.
    box = models.OneToOneField("voting.BallotBox", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    poll_opened_at = models.DateTimeField(_("poll opened"), null=True, blank=True)
    # The chair's counts on a show of hands.
    hands_for = models.PositiveIntegerField(_("hands for"), null=True, blank=True)
    hands_against = models.PositiveIntegerField(_("hands against"), null=True, blank=True)
    hands_abstain = models.PositiveIntegerField(_("hands abstaining"), null=True, blank=True)
    hands_recorded_at = models.DateTimeField(_("hands counted"), null=True, blank=True)
    # The declaration: totals across every channel, and the threshold as it stood.
    for_votes = models.PositiveIntegerField(_("for"), null=True, blank=True)
    against_votes = models.PositiveIntegerField(_("against"), null=True, blank=True)
    abstain_votes = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    members_entitled = models.PositiveIntegerField(_("members entitled"), null=True, blank=True)
    threshold_numerator = models.PositiveSmallIntegerField(null=True, blank=True)
    threshold_denominator = models.PositiveSmallIntegerField(null=True, blank=True)
    threshold_inclusive = models.BooleanField(null=True, blank=True)
    threshold_base = models.CharField(max_length=10, blank=True, choices=ThresholdBase.choices)
    threshold_turnout_numerator = models.PositiveSmallIntegerField(null=True, blank=True)
    threshold_turnout_denominator = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(_("carried"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A confirmation (s.111(2)(c), s.113(2)(d)) names the resolution the first meeting passed.
    confirms = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="confirmations")

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ResolutionKind.CONFIRMATION, confirms__isnull=False)
                | (~Q(kind=ResolutionKind.CONFIRMATION) & Q(confirms__isnull=True)),
                name="resolution_confirmation_confirms_one",
            ),
            models.CheckConstraint(
                condition=Q(hands_recorded_at__isnull=True, hands_for__isnull=True)
                | Q(
                    hands_recorded_at__isnull=False,
                    hands_for__isnull=False,
                    hands_against__isnull=False,
                    hands_abstain__isnull=False,
                ),
                name="resolution_hands_counted_together",
            ),
            models.CheckConstraint(
                condition=Q(declared_at__isnull=True)
                | Q(
                    for_votes__isnull=False,
                    against_votes__isnull=False,
                    abstain_votes__isnull=False,
                    passed__isnull=False,
                    threshold_numerator__isnull=False,
                    threshold_denominator__isnull=False,
                    threshold_inclusive__isnull=False,
                )
                & ~Q(threshold_base=""),
                name="resolution_declared_with_figures",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def localised_title(self, language: str | None) -> str:
        return self.title_cy if language == "cy" and self.title_cy else self.title

    def localised_text(self, language: str | None) -> str:
        return self.text_cy if language == "cy" and self.text_cy else self.text

    @property
    def is_declared(self) -> bool:
        return self.declared_at is not None

    @property
    def threshold(self) -> law.Threshold | None:
        """The threshold it was declared against (None before the declaration)."""
        if self.threshold_numerator is None or self.threshold_denominator is None:
            return None
        turnout = None
        if self.threshold_turnout_numerator and self.threshold_turnout_denominator:
            turnout = Fraction(self.threshold_turnout_numerator, self.threshold_turnout_denominator)
        return law.Threshold(
            Fraction(self.threshold_numerator, self.threshold_denominator),
            bool(self.threshold_inclusive),
            self.threshold_base,
            turnout,
        )

    @property
    def needs_confirmation(self) -> bool:
        """Passed at a first meeting, it takes effect only when a second meeting confirms it (s.111, s.113)."""
        return self.kind in law.NEED_CONFIRMATION


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published to members")


class Minutes(models.Model):
    """The minutes of a meeting: drafted from the record, edited, approved at a later meeting, published."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("minutes"), max_length=50_000, validators=[MaxLengthValidator(50_000)])
    text_cy = models.TextField(
        _("minutes in Welsh"), blank=True, max_length=50_000, validators=[MaxLengthValidator(50_000)]
    )
    status = models.CharField(_("status"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("approved at the meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="minutes_approved",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=MinutesStatus.DRAFT)
                | Q(approved_at__isnull=False, approved_at_meeting__isnull=False),
                name="minutes_approved_at_a_meeting",
            ),
            models.CheckConstraint(
                condition=~Q(status=MinutesStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="minutes_published_when",
            ),
            models.CheckConstraint(
                condition=~Q(approved_at_meeting=models.F("meeting")), name="minutes_approved_at_another_meeting"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Minutes of %(meeting)s") % {"meeting": self.meeting})

    def localised_text(self, language: str | None) -> str:
        return self.text_cy if language == "cy" and self.text_cy else self.text


class NoticeLetters(models.Model):
    """The printable notices (one PDF, each member's on its own pages) for the members who get
    notices by post. Made by a task after the notice is sent; kept only until the meeting closes."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="notice_letters")
    letters = models.PositiveIntegerField(_("letters"), default=0)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    made_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("notices to post")
        verbose_name_plural = _("notices to post")

    def __str__(self) -> str:
        return str(_("Notices to post for %(meeting)s") % {"meeting": self.meeting})
