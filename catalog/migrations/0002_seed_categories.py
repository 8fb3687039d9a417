"""Seed the three-level service category taxonomy (editable in admin afterwards)."""

from django.db import migrations

from catalog.taxonomy import seed_categories


def seed(apps, schema_editor):
    seed_categories(apps.get_model("catalog", "ServiceCategory"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
