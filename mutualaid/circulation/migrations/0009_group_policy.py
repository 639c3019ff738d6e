# A group's circulation rules get their own row; the one rule so far (newcomers' claims confirm at once) is copied
# from networks' Group, which then drops it (networks 0012).

import django.db.models.deletion
from django.db import migrations, models


def copy(apps, schema_editor):
    Group = apps.get_model("networks", "Group")
    GroupPolicy = apps.get_model("circulation", "GroupPolicy")
    GroupPolicy.objects.bulk_create([GroupPolicy(group_id=pk, newcomer_claims_confirm=True) for pk in
                                     Group.objects.filter(newcomer_claims_confirm=True).values_list("pk", flat=True)])


def copy_back(apps, schema_editor):
    Group = apps.get_model("networks", "Group")
    GroupPolicy = apps.get_model("circulation", "GroupPolicy")
    ids = GroupPolicy.objects.filter(newcomer_claims_confirm=True).values_list("group_id", flat=True)
    Group.objects.filter(pk__in=list(ids)).update(newcomer_claims_confirm=True)


class Migration(migrations.Migration):

    dependencies = [
        ('circulation', '0008_allocation_runs'),
        ('networks', '0011_signed_in_sessions'),
    ]

    operations = [
        migrations.CreateModel(
            name='GroupPolicy',
            fields=[
                ('group', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='circulation_policy', serialize=False, to='networks.group')),
                ('newcomer_claims_confirm', models.BooleanField(default=False, help_text="Off: a newcomer's claim waits for the requester or a coordinator before contact details show.", verbose_name="newcomers' claims confirm at once")),
            ],
        ),
        migrations.RunPython(copy, copy_back, elidable=True),  # moves existing rows: a fresh database has none
    ]
