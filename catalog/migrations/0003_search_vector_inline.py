"""Keep the search vector inline in the heap row (DESIGN §10): a vector moved out of line
(TOAST) costs an extra index lookup and fetch for every candidate row the search checks,
which made a search several times slower. Rows up to ~8 KB stay inline now."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_seed_categories")]

    operations = [
        migrations.RunSQL(
            [
                "ALTER TABLE catalog_serviceitem SET (toast_tuple_target = 8160)",
                "ALTER TABLE catalog_serviceitem ALTER COLUMN search_vector SET STORAGE MAIN",
            ],
            [
                "ALTER TABLE catalog_serviceitem RESET (toast_tuple_target)",
                "ALTER TABLE catalog_serviceitem ALTER COLUMN search_vector SET STORAGE EXTENDED",
            ],
        )
    ]
