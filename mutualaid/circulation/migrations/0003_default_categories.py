from django.db import migrations

DEFAULTS = [
    ("food", "Food", "meals"), ("groceries", "Groceries", "bags"), ("medicine-pickup", "Medicine pick-up", "trips"),
    ("transport", "Transport", "rides"), ("childcare", "Childcare", "hours"), ("housing", "Housing", "nights"),
    ("hygiene", "Hygiene supplies", "kits"), ("clothing", "Clothing", "items"),
    ("household-repair", "Household repair", "jobs"), ("emotional-support", "Emotional support", "calls"),
    ("translation", "Translation", "hours"), ("other", "Other", "units"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("circulation", "Category")
    for position, (slug, name, unit) in enumerate(DEFAULTS):
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "unit": unit, "position": position})


class Migration(migrations.Migration):
    dependencies = [("circulation", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
