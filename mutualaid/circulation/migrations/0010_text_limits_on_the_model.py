"""The length limits of the text fields move onto the model (forms, schemas and services read them there). A
TextField's max_length changes nothing in the database, so only the state changes: SQLite would otherwise copy
each whole table to alter nothing."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('circulation', '0009_group_policy'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
            migrations.AlterField(
                model_name='match',
                name='cancel_reason',
                field=models.TextField(blank=True, max_length=500),
            ),
            migrations.AlterField(
                model_name='need',
                name='description',
                field=models.TextField(blank=True, max_length=5000, verbose_name='description'),
            ),
            migrations.AlterField(
                model_name='needcontact',
                name='notes',
                field=models.TextField(blank=True, max_length=2000, verbose_name='notes for the helper'),
            ),
            migrations.AlterField(
                model_name='offer',
                name='description',
                field=models.TextField(blank=True, max_length=5000, verbose_name='description'),
            ),
        ]),
    ]
