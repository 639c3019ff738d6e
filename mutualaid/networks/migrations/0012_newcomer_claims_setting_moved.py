# Whether newcomers' claims confirm at once is circulation's rule: it moved to circulation.GroupPolicy (copied there
# by circulation 0009 first).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('networks', '0011_signed_in_sessions'),
        ('circulation', '0009_group_policy'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='group',
            name='newcomer_claims_confirm',
        ),
    ]
