"""Indexes for the descending score sorts, which put results without a score last.

PostgreSQL only: SQLite cannot declare NULLS LAST in an index (and its tables stay small).
"""

from django.db import migrations

INDEXES = {
    "result_score_desc_idx": "score DESC NULLS LAST, id DESC",
    "result_ai_score_desc_idx": "ai_analysis_recruiter_score DESC NULLS LAST, id DESC",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON interviews_interviewresult ({columns})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("interviews", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
