"""The candidate's rights: erased results, the erasure audit, and deliveries whose body was
dropped (retention or erasure) with its hash kept."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0006_unbounded_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ErasedResult",
            fields=[
                ("hash", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("erased_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        # Both with a constant default: PostgreSQL adds them without rewriting the table.
        migrations.AddField(
            model_name="delivery",
            name="body_dropped",
            field=models.BooleanField(
                default=False,
                help_text="The body was dropped (retention or erasure); size and hash kept.",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="body_sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.CreateModel(
            name="Erasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("erased_at", models.DateTimeField(auto_now_add=True)),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("command", "erase_candidate command"),
                            ("admin", "Admin action"),
                        ],
                        max_length=20,
                    ),
                ),
                ("selector_kind", models.CharField(max_length=20)),
                (
                    "selector_hmac",
                    models.CharField(
                        help_text="HMAC-SHA256 of the selector under SECRET_KEY.", max_length=64
                    ),
                ),
                (
                    "removed",
                    models.JSONField(default=dict, help_text="What was removed: {kind: count}."),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for the erase_candidate command.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-erased_at", "-id"]},
        ),
    ]
