"""The share ledger: immutable transactions; a holding is their sum. Payments for shares.

A share issued or bought is owed until an officer records the money received for it: one
``SharePayment`` per issue or purchase, never changed afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShareTransactionKind(models.TextChoices):
    ISSUE = "issue", _("Issued on admission")
    PURCHASE = "purchase", _("Further purchase")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    CANCELLATION = "cancellation", _("Cancelled on cessation")


class ShareTransaction(models.Model):
    """One movement of shares. ``shares`` is signed: positive adds to the holding, negative takes away."""

    membership = models.ForeignKey(
        "members.Membership",
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="share_transactions",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=ShareTransactionKind.choices)
    shares = models.IntegerField(_("shares"))
    amount_pence = models.IntegerField(_("amount (pence)"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("share transaction")
        verbose_name_plural = _("share transactions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["issue", "purchase"], shares__gt=0)
                    | Q(kind__in=["withdrawal", "cancellation"], shares__lt=0)
                ),
                name="share_transaction_sign_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.shares:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Share transactions are immutable; record a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Share transactions are immutable; record a new one instead.")

    @property
    def is_payable(self) -> bool:
        """Issues and purchases are paid for; withdrawals and cancellations are not."""
        return self.kind in PAYABLE_KINDS


# The kinds of movement a member pays for.
PAYABLE_KINDS = (ShareTransactionKind.ISSUE, ShareTransactionKind.PURCHASE)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD_MACHINE = "card", _("Card machine")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    # Only for payments carried over from before payments were itemised; never offered in a form.
    EARLIER_RECORD = "earlier_record", _("Recorded as paid before payments were itemised")


# What an officer may choose when recording a payment.
RECORDABLE_METHODS = [
    PaymentMethod.CASH,
    PaymentMethod.CARD_MACHINE,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.CHEQUE,
]


class SharePayment(models.Model):
    """Money received for one issue or purchase of shares, as an officer recorded it. Immutable."""

    share_transaction = models.OneToOneField(
        ShareTransaction,
        verbose_name=_("shares paid for"),
        on_delete=models.PROTECT,
        related_name="payment",
    )
    amount_pence = models.PositiveIntegerField(_("amount (pence)"))
    method = models.CharField(_("how it was paid"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    paid_on = models.DateField(_("date paid"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("share payment")
        verbose_name_plural = _("share payments")

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.amount_pence}p on {self.paid_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Share payments are immutable; record a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Share payments are immutable; record a new one instead.")
