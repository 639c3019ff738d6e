"""An index in the order a group's needs are listed (bench/results/web.md: the needs API list at city scale)."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("circulation", "0004_suggestions")]

    operations = [
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["group", "urgency_rank", "needed_by", "created_at", "id"],
                               name="need_group_list_order"),
        ),
    ]
