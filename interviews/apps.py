from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interview results"

    def ready(self) -> None:
        from interviews import checks  # noqa: F401  (registers the system checks)
        from interviews.roles import roles_ensure

        # Keep the groups' permissions in step with the models after every migrate.
        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="interviews.roles_ensure")
