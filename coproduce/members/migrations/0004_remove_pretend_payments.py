# "Paid" is now a recorded payment, not a flag the applicant set; the flags go.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0003_copy_rules_and_paid_shares"),
    ]

    operations = [
        migrations.RemoveField(model_name="membership", name="pays_on_admission"),
        migrations.RemoveField(model_name="sharetransaction", name="paid"),
    ]
