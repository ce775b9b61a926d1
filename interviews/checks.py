from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def check_webhook_secrets(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when no webhook secret is configured: every delivery would be refused."""
    if settings.WEBHOOK_SECRETS:
        return []
    return [
        checks.Warning(
            "WEBHOOK_SECRETS is empty: the webhook refuses every delivery with 401.",
            hint="Set WEBHOOK_SECRETS to the secret configured on the platform's webhook.",
            id="interviews.W001",
        )
    ]
