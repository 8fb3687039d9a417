"""Deployment checks of the accounts app (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Caches that live inside one process: what one process forgets, the others keep.
PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache",)


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Who a session's user is, their permissions and their badges are remembered in the
    cache and forgotten there by every change (accounts.identity, accounts.permission_cache).
    In a process-local cache a change made through one web process would not reach the
    others: a disabled operator would stay logged in there for minutes."""
    if settings.CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES:
        return [
            Error(
                "The default cache is local to each process; per-user data would outlive changes.",
                hint="Set REDIS_URL so every web process shares one cache.",
                id="accounts.E001",
            )
        ]
    return []
