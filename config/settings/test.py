"""Tests: fast hashing, in-memory cache unless Redis is given, tasks called directly."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
# Tests call tasks directly or capture on-commit callbacks (LIBRARY_NOTES: Celery).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
SMS_BACKEND = env("SMS_BACKEND", default="messaging.backends.MemorySmsBackend")
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# A worker started by a test works on that test's database.
if env("DJANGO_DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = env("DJANGO_DATABASE_NAME")  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
