"""The Celery application. Settings are the CELERY_* names of Django settings (DESIGN §9)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("csj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
