"""The people who register: their answers (apart), what happened to them, attendance and payments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegistrantStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SELECTED = "selected", _("Selected, not yet confirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined or dropped out")
    RESERVE = "reserve", _("Not selected (reserve)")
    REPLACEMENT = "replacement", _("Selected as a replacement, not yet confirmed")
    WITHDRAWN = "withdrawn", _("Withdrew")


class Registrant(models.Model):
    """A person who registered with a letter's code (on the web, or by phone through an officer).

    ``public_id`` is the anonymous id used in the published pool and selection. The
    household is the invitation's address: people registering with the same letter share it.
    """

    panel = models.ForeignKey(
        "panels.Panel", verbose_name=_("panel"), on_delete=models.CASCADE, related_name="registrants"
    )
    invitation = models.ForeignKey(
        "panels.Invitation", verbose_name=_("invitation"), on_delete=models.PROTECT, related_name="registrants"
    )
    public_id = models.CharField(_("anonymous id"), max_length=12)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    availability = models.JSONField(_("sessions they can come to"), default=list, blank=True)
    access_needs = models.TextField(_("access needs"), max_length=2000, blank=True)
    care_needs = models.TextField(_("caring responsibilities"), max_length=2000, blank=True)
    consent = models.BooleanField(_("agrees to the data being used for the selection"), default=False)
    language = models.CharField(_("language"), max_length=8, default="en")
    by_phone = models.BooleanField(_("registered by phone"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="panel_registrations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrantStatus.choices, default=RegistrantStatus.REGISTERED
    )
    probability = models.FloatField(_("chance of selection"), null=True, blank=True)
    # Confirming or declining needs this token (kept as a hash) from the invitation email.
    token_hash = models.CharField(max_length=64, editable=False, db_index=True, blank=True)
    replaced = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    responded_at = models.DateTimeField(_("confirmed or declined"), null=True, blank=True)

    class Meta:
        ordering = ["panel", "public_id"]
        verbose_name = _("registrant")
        verbose_name_plural = _("registrants")
        constraints = [models.UniqueConstraint(fields=["panel", "public_id"], name="one_public_id_per_panel")]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.panel})"


class Feature(models.Model):
    """A registrant's answer to one category: a bank question key (or ``ward``) and the value."""

    registrant = models.ForeignKey(Registrant, on_delete=models.CASCADE, related_name="features")
    feature = models.CharField(max_length=40)
    value = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("demographic answer")
        verbose_name_plural = _("demographic answers")
        constraints = [models.UniqueConstraint(fields=["registrant", "feature"], name="one_value_per_feature")]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}"


class Attendance(models.Model):
    session = models.ForeignKey(
        "panels.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance"
    )
    registrant = models.ForeignKey(
        Registrant, verbose_name=_("member"), on_delete=models.CASCADE, related_name="attendance"
    )
    attended = models.BooleanField(_("came"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "registrant"], name="one_attendance_per_session")]

    def __str__(self) -> str:
        return f"{self.registrant} — {self.session}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment for taking part")
    EXPENSES = "expenses", _("Expenses")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    VOUCHER = "voucher", _("Voucher")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")


class Payment(models.Model):
    registrant = models.ForeignKey(
        Registrant, verbose_name=_("member"), on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PaymentKind.choices)
    amount = models.PositiveIntegerField(_("amount in pence"), validators=[MinValueValidator(1)])
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["registrant", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return f"{self.registrant}: {self.amount}p"
