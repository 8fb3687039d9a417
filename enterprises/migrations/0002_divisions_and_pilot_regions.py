"""pg_trgm, the administrative divisions (current GB/T 2260 codes) and the five pilot regions."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def load(apps, schema_editor):
    from enterprises.reference_data import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
