"""interviews.checks: `manage.py check` warns when the webhook would refuse every delivery."""

from io import StringIO
from typing import Any

from django.core.management import call_command

from interviews.checks import check_webhook_secrets


def test_it_warns_when_no_webhook_secret_is_configured(settings: Any):
    settings.WEBHOOK_SECRETS = []

    [warning] = check_webhook_secrets(None)

    assert warning.id == "interviews.W001"
    assert "401" in warning.msg


def test_it_is_silent_when_a_secret_is_configured():
    assert check_webhook_secrets(None) == []


def test_manage_py_check_reports_the_warning(settings: Any):
    settings.WEBHOOK_SECRETS = []
    err = StringIO()

    call_command("check", stdout=StringIO(), stderr=err)

    assert "interviews.W001" in err.getvalue()
