"""The kept copies of results' PDF reports (issue 9)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("interviews", "0007_erasure")]

    operations = [
        migrations.CreateModel(
            name="ReportArchive",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source_url",
                    models.TextField(
                        help_text="The platform's link this copy is (to be) taken from."
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Not kept yet"),
                            ("kept", "Kept"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("file", models.FileField(blank=True, max_length=255, upload_to="")),
                (
                    "size",
                    models.PositiveBigIntegerField(blank=True, help_text="Bytes.", null=True),
                ),
                ("sha256", models.CharField(blank=True, max_length=64)),
                ("archived_at", models.DateTimeField(blank=True, null=True)),
                (
                    "attempts",
                    models.PositiveIntegerField(
                        default=0, help_text="Downloads tried for this link."
                    ),
                ),
                ("last_error", models.TextField(blank=True)),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("task_id", models.CharField(blank=True, max_length=64)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "result",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_archive",
                        to="interviews.interviewresult",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["state", "updated_at"], name="report_archive_state_idx")
                ],
            },
        ),
    ]
