"""Deployment checks of the messaging app (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from messaging.backends import DevelopmentSmsBackend, HttpSmsBackend

MIN_KEY_LENGTH = 16


@register(Tags.security, deploy=True)
def sms_gateway(app_configs, **kwargs):
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:
        return [Error(f"SMS_BACKEND {settings.SMS_BACKEND!r} cannot be imported.", id="messaging.E001")]
    if issubclass(backend, DevelopmentSmsBackend):
        return [
            Warning(
                "SMS_BACKEND is a development backend: verification codes are written to the log "
                "and never reach a phone.",
                hint="Set SMS_BACKEND=messaging.backends.HttpSmsBackend with SMS_GATEWAY_URL and SMS_GATEWAY_KEY.",
                id="messaging.W001",
            )
        ]
    problems = []
    if issubclass(backend, HttpSmsBackend):
        if not settings.SMS_GATEWAY_URL.startswith("https://"):
            problems.append(Error("SMS_GATEWAY_URL must be the gateway's https:// address.", id="messaging.E002"))
        if len(settings.SMS_GATEWAY_KEY) < MIN_KEY_LENGTH:
            problems.append(
                Error(
                    f"SMS_GATEWAY_KEY must be set (at least {MIN_KEY_LENGTH} characters): it signs every request.",
                    id="messaging.E003",
                )
            )
    return problems
