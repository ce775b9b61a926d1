from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.roles import GROUP_PERMISSIONS


class Command(BaseCommand):
    help = (
        "Put a user in a role's group (Recruiters or Viewers), or take them out with --remove. "
        "Example: manage.py grant_role maria recruiters"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("group", help=f"One of: {', '.join(GROUP_PERMISSIONS)} (any case).")
        parser.add_argument(
            "--remove", action="store_true", help="Take the user out of the group instead."
        )

    def handle(self, *args: Any, username: str, group: str, remove: bool, **options: Any) -> None:
        names = {name.lower(): name for name in GROUP_PERMISSIONS}
        name = names.get(group.strip().lower())
        if name is None:
            raise CommandError(f"No role {group!r}: use one of {', '.join(GROUP_PERMISSIONS)}.")
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"No user {username!r}: create it in the admin or with `createsuperuser`."
            ) from None
        try:
            role = Group.objects.get(name=name)
        except Group.DoesNotExist:
            raise CommandError(f"No group {name}: run `manage.py migrate`.") from None

        member = user.groups.filter(pk=role.pk).exists()
        if remove:
            user.groups.remove(role)
            done = "removed from" if member else "was not in"
        else:
            user.groups.add(role)
            done = "already in" if member else "added to"
        self.stdout.write(f"{username} {done} {name}.")
        if not user.is_active:
            self.stdout.write(f"Note: {username} is inactive and cannot log in.")
