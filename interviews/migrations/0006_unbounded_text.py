"""The platform's text without arbitrary length caps, and the shared cache's table.

- The candidate fields and the three statuses become TextField: a 256-character name must not
  reject a result. On PostgreSQL varchar -> text needs no table rewrite, and the indexes on these
  columns (the status btrees, the trigram GIN indexes of migration 0004, which index
  UPPER(column::text)) are kept and rebuilt by ALTER COLUMN TYPE.
- `interviews_shared_cache`: the database cache (`CACHES["shared"]`) that counts API throttling
  across every worker and machine. Created here, so `migrate` alone sets up a deploy.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations, models

SHARED_CACHE_TABLE = "interviews_shared_cache"
TEXT_FIELDS = [
    "status",
    "interview_status",
    "processing_status",
    "candidate_external_id",
    "candidate_name",
    "candidate_email",
    "candidate_phone_number",
]


def create_cache_table(apps, schema_editor):
    # createcachetable's own logic: Django's table layout, skipped when the table exists.
    command = CreateCacheTable()
    command.verbosity = 0  # set by handle(), which this skips
    command.create_table(schema_editor.connection.alias, SHARED_CACHE_TABLE, False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {SHARED_CACHE_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("interviews", "0005_roles")]

    operations = [
        *(
            migrations.AlterField(
                model_name="interviewresult",
                name=name,
                field=models.TextField(blank=True, null=True),
            )
            for name in TEXT_FIELDS
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
