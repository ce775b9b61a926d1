from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate, post_save


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interview results"

    def ready(self) -> None:
        from interviews import checks  # noqa: F401  (registers the system checks)
        from interviews.roles import roles_ensure

        # Keep the groups' permissions in step with the models after every migrate.
        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="interviews.roles_ensure")

        from interviews.logins import known_address_on_login
        from interviews.sessions import session_start, user_saved

        # Sessions and logins (interviews/sessions.py, interviews/logins.py).
        user_logged_in.connect(session_start, dispatch_uid="interviews.session_start")
        user_logged_in.connect(known_address_on_login, dispatch_uid="interviews.known_address")
        post_save.connect(user_saved, sender=get_user_model(), dispatch_uid="interviews.user_saved")
