"""The length limits of the text fields move onto the model (forms, schemas and services read them there). A
TextField's max_length changes nothing in the database, so only the state changes: SQLite would otherwise copy
each whole table to alter nothing."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('networks', '0012_newcomer_claims_setting_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
            migrations.AlterField(
                model_name='application',
                name='reason',
                field=models.TextField(blank=True, max_length=2000),
            ),
            migrations.AlterField(
                model_name='group',
                name='description',
                field=models.TextField(blank=True, max_length=5000, verbose_name='description for members'),
            ),
            migrations.AlterField(
                model_name='group',
                name='public_description',
                field=models.TextField(blank=True, max_length=5000, verbose_name='public description'),
            ),
            migrations.AlterField(
                model_name='suspension',
                name='reason',
                field=models.TextField(max_length=1000),
            ),
        ]),
    ]
