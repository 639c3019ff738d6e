# Tokens get a public id (for listing and revoking them), the key's first characters, a name, and a last use that
# is always set (tokens never used count from when they were made), from which they expire.

import django.utils.timezone
import uuid
from django.db import migrations, models
from django.db.models import F


def fill(apps, schema_editor):
    ApiToken = apps.get_model("networks", "ApiToken")
    ApiToken.objects.filter(last_used_at__isnull=True).update(last_used_at=F("created_at"))
    for token in ApiToken.objects.filter(public_id__isnull=True).only("pk"):
        token.public_id = uuid.uuid4()
        token.save(update_fields=["public_id"])


class Migration(migrations.Migration):

    dependencies = [
        ('networks', '0008_signup_attempts'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='key_prefix',
            field=models.CharField(blank=True, max_length=6),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='label',
            field=models.CharField(blank=True, help_text="The member's own name for it ('phone app'): personal data.", max_length=80, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='public_id',
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),  # existing rows only
        migrations.AlterField(
            model_name='apitoken',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='last_used_at',
            field=models.DateTimeField(default=django.utils.timezone.now, help_text='Recorded to the hour: a token expires this long after it.'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('match_claimed', 'A helper claimed your need'), ('match_proposed', "A newcomer's claim waits for your acceptance"), ('match_accepted', 'Your claim was accepted'), ('claims_paused', "A helper's claims were paused"), ('suspended', 'A member was suspended'), ('match_completed', 'A match was completed'), ('match_cancelled', 'A match was cancelled'), ('application_decided', 'Your application was decided'), ('application_received', 'A new application to your group'), ('role_changed', 'Your role changed'), ('suggestions', 'Needs you could meet'), ('password_changed', 'Your password was changed')], max_length=32),
        ),
        migrations.AddIndex(
            model_name='apitoken',
            index=models.Index(fields=['user', 'last_used_at'], name='apitoken_user_used'),
        ),
    ]
