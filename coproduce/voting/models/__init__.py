"""The secret ballot box: an electorate, the marked register and the ballots, kept apart.

Who voted (``Elector`` and ``Mark``) and what was voted (``Ballot``) share nothing a join, a
sort or a timestamp could use to put them back together:

* a ballot's key is a random UUID, it holds no person, no receipt and no time, and its box
  is the only thing it has in common with a mark;
* a mark records who voted, by which channel and who cast it on their behalf, with no time
  (the box's own opening and closing times are the finest there are);
* the receipt a voter is given lives on their mark, never on the ballot, so the published
  list of receipts and the published ballots cannot be matched;
* when the box is sealed its ballots are written again in a shuffled order, without the paper
  batch they were entered in, so that neither the order of rows on disk nor the channel
  narrows down whose a ballot is.

One person, one vote across every channel is the database's rule: a mark is one-to-one with
the elector, so a second mark for the same person — online after paper, two browser tabs,
a double click — fails the unique constraint and its transaction leaves nothing behind.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class BoxKind(models.TextChoices):
    RANKED = "ranked", _("Rank the options in order of preference")
    CHOOSE = "choose", _("Choose up to a number of options")
    # Any subset of the options (at most ``max_choices`` when it is set): a list of option keys.
    APPROVAL = "approval", _("Approve any of the options")
    # Points shared among the options (at most ``max_points`` in all): a list of [key, points] pairs.
    POINTS = "points", _("Share points among the options")


class BoxStatus(models.TextChoices):
    READY = "ready", _("Not yet open")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed; paper ballots may still be entered")
    SEALED = "sealed", _("Sealed for the count")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")
    PROXY = "proxy", _("By proxy")
    ASSISTED = "assisted", _("With assistance")


class BallotBox(models.Model):
    """One ballot: its options, its electorate (fixed when it opens) and its state."""

    title = models.CharField(_("title"), max_length=200)
    # Whose ballot it is (for the audit trail); the box knows nothing else of the owning app's data.
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The feature app that owns the box ("elections", "budgets", …): its own records point at the box.
    app_label = models.CharField(_("used by"), max_length=40)
    kind = models.CharField(_("kind of ballot"), max_length=10, choices=BoxKind.choices)
    # The option keys, in ballot-paper order; a ballot holds a list of them.
    options = models.JSONField(_("options"), default=list)
    max_choices = models.PositiveSmallIntegerField(_("most options a voter may choose"), null=True, blank=True)
    # A points ballot: the most points a voter may share among the options.
    max_points = models.PositiveIntegerField(_("most points a voter may give"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BoxStatus.choices, default=BoxStatus.READY)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("sealed"), null=True, blank=True)
    electorate_size = models.PositiveIntegerField(_("electorate"), default=0)

    class Meta:
        verbose_name = _("ballot box")
        verbose_name_plural = _("ballot boxes")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == BoxStatus.OPEN


class Elector(models.Model):
    """A person entitled to vote in a box: the electorate is fixed when the box opens."""

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="electors")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        constraints = [models.UniqueConstraint(fields=["box", "person"], name="one_elector_per_person_per_box")]

    def __str__(self) -> str:
        return str(self.person)


class Mark(models.Model):
    """The marked register: this elector has voted, by this channel (no time, no ballot)."""

    # One-to-one: the database refuses a second vote by the same person, whatever the channel.
    elector = models.OneToOneField(Elector, on_delete=models.CASCADE, related_name="mark")
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="marks")
    channel = models.CharField(_("how they voted"), max_length=10, choices=Channel.choices)
    # Who cast or entered it when it was not the voter online: the officer, proxy or helper.
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shown to the voter and published in a list without contents; never stored on a ballot.
    receipt = models.CharField(_("receipt code"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("mark on the register")
        verbose_name_plural = _("marked register")

    def __str__(self) -> str:
        return f"{self.elector} ({self.get_channel_display()})"


class PaperBatch(models.Model):
    """Paper ballots entered by one officer, one paper at a time, and checked by another."""

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="paper_batches")
    number = models.PositiveIntegerField(_("batch"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    # How many papers the check confirmed (the ballots leave the batch when the box is sealed).
    papers = models.PositiveIntegerField(_("papers"), null=True, blank=True)

    class Meta:
        ordering = ["box", "number"]
        verbose_name = _("batch of paper ballots")
        verbose_name_plural = _("batches of paper ballots")
        constraints = [
            models.UniqueConstraint(fields=["box", "number"], name="paper_batch_number_unique"),
            # The check is a second pair of eyes: never the officer who entered the papers.
            models.CheckConstraint(
                condition=Q(checked_by__isnull=True) | ~Q(checked_by=F("entered_by")),
                name="paper_batch_checked_by_another_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.box} — {self.number}"

    @property
    def is_checked(self) -> bool:
        return self.checked_at is not None


class Ballot(models.Model):
    """What one voter voted: a list of option keys (in order, for a ranked ballot; as
    [key, points] pairs for a points ballot), or spoilt.

    No person, no receipt, no time, and a random key: nothing leads back to the register.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="ballots")
    content = models.JSONField(_("choices"), default=list, blank=True)
    spoilt = models.BooleanField(_("spoilt"), default=False)
    spoilt_reason = models.CharField(_("why it was spoilt"), max_length=200, blank=True)
    # A paper ballot's batch, for the second officer's check; emptied when the box is sealed, so
    # that a paper ballot can no longer be told from one cast online (with few paper voters, the
    # link would narrow down whose it is). Empty for a ballot cast online.
    batch = models.ForeignKey(PaperBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="ballots")

    class Meta:
        ordering = ["id"]  # a random order: the key is random
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return str(self.id)


__all__ = ["Ballot", "BallotBox", "BoxKind", "BoxStatus", "Channel", "Elector", "Mark", "PaperBatch"]
