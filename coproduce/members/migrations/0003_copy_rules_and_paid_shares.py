# Keeps existing data: every organisation's membership rules are copied from core's
# Organisation (whose columns core's 0003 drops afterwards, hence run_before), and every share
# the old ledger marked paid gets a payment marked as carried over from the earlier record.

from django.db import migrations

RULE_FIELDS = [
    "accepts_members",
    "share_value_pence",
    "max_holding_pence",
    "further_purchases_allowed",
    "shares_withdrawable",
    "withdrawals_suspended",
    "meeting_notice_clear_days",
    "quorum_members",
    "quorum_percent",
    "voting_qualifying_days",
]


def copy_rules(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    MembershipRules = apps.get_model("members", "MembershipRules")
    existing = set(MembershipRules.objects.values_list("organisation_id", flat=True))
    MembershipRules.objects.bulk_create(
        [
            MembershipRules(organisation_id=row["pk"], **{field: row[field] for field in RULE_FIELDS})
            for row in Organisation.objects.values("pk", *RULE_FIELDS)
            if row["pk"] not in existing
        ],
        batch_size=1000,
    )


def copy_rules_back(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    MembershipRules = apps.get_model("members", "MembershipRules")
    for rules in MembershipRules.objects.all():
        Organisation.objects.filter(pk=rules.organisation_id).update(
            **{field: getattr(rules, field) for field in RULE_FIELDS}
        )


def carry_over_paid_shares(apps, schema_editor):
    ShareTransaction = apps.get_model("members", "ShareTransaction")
    SharePayment = apps.get_model("members", "SharePayment")
    paid = ShareTransaction.objects.filter(kind__in=["issue", "purchase"], paid=True, payment__isnull=True)
    SharePayment.objects.bulk_create(
        [
            SharePayment(
                share_transaction_id=row["pk"],
                amount_pence=row["amount_pence"],
                method="earlier_record",
                reference="",
                paid_on=row["created_at"].date(),
                recorded_by_id=row["created_by_id"],
            )
            for row in paid.values("pk", "amount_pence", "created_at", "created_by_id").iterator()
        ],
        batch_size=1000,
    )


def carry_back_paid_shares(apps, schema_editor):
    ShareTransaction = apps.get_model("members", "ShareTransaction")
    ShareTransaction.objects.filter(payment__isnull=False).update(paid=True)
    ShareTransaction.objects.filter(kind__in=["issue", "purchase"], payment__isnull=True).update(paid=False)
    apps.get_model("members", "SharePayment").objects.all()._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0002_membership_rules_and_share_payments"),
    ]
    # Core drops the old columns only once they are copied; core itself never depends on members.
    run_before = [
        ("core", "0003_membership_rules_moved_to_members"),
    ]

    operations = [
        migrations.RunPython(copy_rules, copy_rules_back),
        migrations.RunPython(carry_over_paid_shares, carry_back_paid_shares),
    ]
