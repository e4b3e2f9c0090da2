# The members' rules now live in members.MembershipRules; members' 0003 copies them there and
# runs before this one (declared there with run_before, so core never depends on members).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_verification_and_feedback"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="organisation", name="organisation_max_holding_within_statutory_cap"),
        migrations.RemoveField(model_name="organisation", name="accepts_members"),
        migrations.RemoveField(model_name="organisation", name="further_purchases_allowed"),
        migrations.RemoveField(model_name="organisation", name="max_holding_pence"),
        migrations.RemoveField(model_name="organisation", name="meeting_notice_clear_days"),
        migrations.RemoveField(model_name="organisation", name="quorum_members"),
        migrations.RemoveField(model_name="organisation", name="quorum_percent"),
        migrations.RemoveField(model_name="organisation", name="share_value_pence"),
        migrations.RemoveField(model_name="organisation", name="shares_withdrawable"),
        migrations.RemoveField(model_name="organisation", name="voting_qualifying_days"),
        migrations.RemoveField(model_name="organisation", name="withdrawals_suspended"),
    ]
