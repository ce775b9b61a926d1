"""Trigram indexes for the text search (`q`), on PostgreSQL.

The search is a case-insensitive substring match over six columns (Django's icontains:
UPPER(column::text) LIKE UPPER('%term%')), which without these reads every row: seconds at a
million results. A GIN trigram index per expression lets PostgreSQL combine six index scans.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where it cannot
be created the search still works, only slower, so the migration does not fail the deploy.
SQLite is left alone.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

COLUMNS = [
    "candidate_name",
    "candidate_email",
    "candidate_external_id",
    "ai_analysis_recruiter",
    "ai_analysis_recruiter_why_hire",
    "ai_analysis_recruiter_why_not_hire",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege: keep the slower search rather than fail the deploy
        logger.warning("pg_trgm is not available: the text search will not use an index.")
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS result_search_{column}_trgm "
            f"ON interviews_interviewresult USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS result_search_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("interviews", "0003_export")]

    operations = [migrations.RunPython(create, drop)]
