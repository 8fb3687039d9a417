import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "voucher.example.gov.cn",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    "S3_BUCKET": "csj-uploads",
    "S3_ENDPOINT_URL": "http://minio:9000",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "SMS_GATEWAY_URL": "https://sms.example.gov.cn/api/send",
    "SMS_GATEWAY_KEY": "a-key-agreed-with-the-sms-gateway",
}


def _run(args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_extra)
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.test"])
def test_settings_load(module):
    result = _run(["check"], {"DJANGO_SETTINGS_MODULE": module})
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"SMS_BACKEND": "messaging.backends.LogSmsBackend"}, "messaging.W001"),
        ({"SMS_GATEWAY_URL": "http://sms.example.gov.cn/api/send"}, "messaging.E002"),
        ({"SMS_GATEWAY_KEY": ""}, "messaging.E003"),
    ],
)
def test_check_deploy_wants_a_real_sms_gateway(extra, expected):
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION_ENV, **extra})
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


def test_check_deploy_wants_a_cache_shared_by_every_process():
    """Without REDIS_URL the cache is per process, and a change made through one process
    (an operator disabled) would not reach the others' remembered users."""
    result = _run(["check", "--deploy", "--fail-level", "ERROR"], {**PRODUCTION_ENV, "REDIS_URL": ""})
    assert result.returncode != 0
    assert "accounts.E001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_database_url():
    env = dict(PRODUCTION_ENV)
    env["DATABASE_URL"] = ""
    result = _run(["check"], env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_celery_configuration(settings):
    from config.celery_app import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit


def test_admin_is_in_chinese(admin_client):
    body = admin_client.get("/admin/").content.decode()
    assert "站点管理" in body or "管理首页" in body
    assert "长三角科技创新券通用通兑平台" in body


@pytest.mark.django_db
def test_database_is_postgresql_with_pg_trgm():
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)


@pytest.mark.parametrize(("redis_url", "engine"), [("redis://127.0.0.1:6379/1", "cached_db"), ("", "db")])
def test_sessions_are_read_from_redis_when_there_is_one(redis_url, engine):
    """Issue 9: with Redis, sessions are read from the cache and still written to
    PostgreSQL (durable, and logout / password change end them there too)."""
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = _run(["shell", "-c", code], {**PRODUCTION_ENV, "REDIS_URL": redis_url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == f"django.contrib.sessions.backends.{engine}"
