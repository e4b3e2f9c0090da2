"""The share ledger: immutable transactions; a holding is their sum."""

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
    paid = models.BooleanField(_("paid"), default=True, help_text=_("False while the member owes the money."))
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
