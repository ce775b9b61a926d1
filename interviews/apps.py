from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interview results"

    def ready(self) -> None:
        from interviews import checks  # noqa: F401  (registers the system checks)
