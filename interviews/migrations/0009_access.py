# Sessions that know their user, and known login addresses (docs/security.md "Sessions and
# logins"). Sessions move to interviews_usersession: everyone logs in again once after this.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("interviews", "0008_report_archive")]

    operations = [
        migrations.CreateModel(
            name="UserSession",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40,
                        primary_key=True,
                        serialize=False,
                        verbose_name="session key",
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                ("user_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="KnownLoginAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("last_login_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "verbose_name": "known login address",
                "verbose_name_plural": "known login addresses",
            },
        ),
    ]
