import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.models import InterviewResult
from interviews.roles import RECRUITERS


class Command(BaseCommand):
    help = (
        "Prepare the local demo (`make run`): load demo data into an empty database, make sure "
        "the demo recruiter exists, and print the login and the webhook secret."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="recruiter")
        parser.add_argument("--count", type=int, default=300)

    def handle(self, *args: Any, username: str, count: int, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD")
        if not password:
            raise CommandError("Set DEMO_PASSWORD (make run does).")
        if not InterviewResult.objects.exists():
            call_command("seed_demo", count=count, stdout=self.stdout)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        # Staff and superuser, so the demo recruiter can also look around the whole admin.
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=RECRUITERS))

        port = os.environ.get("PORT", "8000")
        secret = settings.WEBHOOK_SECRETS[0] if settings.WEBHOOK_SECRETS else "(none configured)"
        header = settings.WEBHOOK_SECRET_HEADER
        shown = f"Bearer {secret}" if header.lower() == "authorization" else secret
        self.stdout.write(
            "\n"
            f"  Dashboard:       http://127.0.0.1:{port}/\n"
            f"  Demo recruiter:  {username} / {password}\n"
            f"  Webhook:         POST http://127.0.0.1:{port}/webhooks/interview-result/\n"
            f"  Webhook secret:  {secret}\n"
            f"                   (send it as the header  {header}: {shown})\n"
        )
