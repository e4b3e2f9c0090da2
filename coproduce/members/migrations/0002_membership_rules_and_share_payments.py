# The members' rules move here from core's Organisation (this migration and 0003 create and
# fill them; core's 0003 then drops the old columns). Shares are owed until an officer records
# a payment: share payments, and the email use the register records.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("members", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="cessation_note",
            field=models.TextField(blank=True, verbose_name="why the membership ended"),
        ),
        migrations.AddField(
            model_name="membership",
            name="email_use",
            field=models.CharField(
                choices=[
                    ("notices", "Notices of meetings, accounts and other documents, as well as contact"),
                    ("contact", "Only contact about membership; notices and documents by post"),
                ],
                default="contact",
                max_length=10,
                verbose_name="what the member's email may be used for",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="email_use_recorded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email use agreed"),
        ),
        migrations.CreateModel(
            name="MembershipRules",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="membership_rules",
                        serialize=False,
                        to="core.organisation",
                        verbose_name="organisation",
                    ),
                ),
                ("accepts_members", models.BooleanField(default=True, verbose_name="accepts applications for membership")),
                (
                    "details_required_to_apply",
                    models.BooleanField(
                        default=True,
                        help_text="The register of members must hold each member's name and postal address.",
                        verbose_name="applicants must give their name and postal address first",
                    ),
                ),
                (
                    "share_value_pence",
                    models.PositiveIntegerField(
                        default=100,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="value of one share (pence)",
                    ),
                ),
                (
                    "max_holding_pence",
                    models.PositiveIntegerField(
                        default=10000000,
                        validators=[django.core.validators.MaxValueValidator(10000000)],
                        verbose_name="maximum holding (pence)",
                    ),
                ),
                ("further_purchases_allowed", models.BooleanField(default=False, verbose_name="members may buy further shares")),
                ("shares_withdrawable", models.BooleanField(default=True, verbose_name="shares are withdrawable")),
                ("withdrawals_suspended", models.BooleanField(default=False, verbose_name="withdrawals suspended")),
                (
                    "payment_instructions",
                    models.TextField(
                        blank=True,
                        help_text="Shown to members who owe for shares: bank details and reference, or where to pay in person.",
                        verbose_name="how to pay for shares",
                    ),
                ),
                ("payment_instructions_cy", models.TextField(blank=True, verbose_name="how to pay for shares, in Welsh")),
                (
                    "paid_share_needed_to_vote",
                    models.BooleanField(
                        default=True,
                        help_text="Most model rules admit a member on a fully paid share; untick if your rules let owed shares vote.",
                        verbose_name="a member votes only once a share is paid for",
                    ),
                ),
                (
                    "meeting_notice_clear_days",
                    models.PositiveSmallIntegerField(default=14, verbose_name="general meeting notice (clear days)"),
                ),
                ("quorum_members", models.PositiveIntegerField(default=10, verbose_name="quorum (members present)")),
                (
                    "quorum_percent",
                    models.PositiveSmallIntegerField(
                        default=0,
                        validators=[django.core.validators.MaxValueValidator(100)],
                        verbose_name="quorum (percent of voting members)",
                    ),
                ),
                (
                    "voting_qualifying_days",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="days a member must have held membership before voting"
                    ),
                ),
            ],
            options={
                "verbose_name": "membership rules",
                "verbose_name_plural": "membership rules",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("max_holding_pence__lte", 10000000)),
                        name="membership_rules_max_holding_within_statutory_cap",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("share_value_pence__gte", 1)), name="membership_rules_share_value_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SharePayment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("amount_pence", models.PositiveIntegerField(verbose_name="amount (pence)")),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("cash", "Cash"),
                            ("card", "Card machine"),
                            ("bank_transfer", "Bank transfer"),
                            ("cheque", "Cheque"),
                            ("earlier_record", "Recorded as paid before payments were itemised"),
                        ],
                        max_length=20,
                        verbose_name="how it was paid",
                    ),
                ),
                ("reference", models.CharField(blank=True, max_length=100, verbose_name="reference")),
                ("paid_on", models.DateField(verbose_name="date paid")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded")),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "share_transaction",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payment",
                        to="members.sharetransaction",
                        verbose_name="shares paid for",
                    ),
                ),
            ],
            options={
                "verbose_name": "share payment",
                "verbose_name_plural": "share payments",
                "ordering": ["paid_on", "id"],
            },
        ),
    ]
