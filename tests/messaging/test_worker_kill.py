"""A real Celery worker on Redis is killed (SIGKILL) while it sends outbox messages; a new
worker and the sweeper finish the job and every message is delivered exactly once."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from messaging.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("live_db"),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def _broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CELERY_BROKER_URL must point at Redis in CI")
        pytest.skip("no CELERY_BROKER_URL: this test needs a real Redis")
    return url


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "config", "worker", "-l", "INFO", "-c", "1", "--prefetch-multiplier", "1",
         "-Q", env["CELERY_TASK_DEFAULT_QUEUE"], "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _lines(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_killed_worker_loses_and_duplicates_nothing(tmp_path):
    broker = _broker_url()
    queue = f"killtest-{uuid.uuid4().hex[:8]}"
    sms_log = tmp_path / "sms.log"
    rows = OutboxMessage.objects.bulk_create(
        [OutboxMessage(channel="sms", to=f"1380000{i:04d}", body=f"第{i}条") for i in range(20)]
    )
    ids = {str(r.pk) for r in rows}

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DJANGO_DATABASE_NAME=connection.settings_dict["NAME"],
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        SMS_BACKEND="tests.messaging.gateway.SlowFileSmsBackend",
        SMS_LOG_FILE=str(sms_log),
        SMS_DELAY="0.3",
    )
    from config.celery_app import app

    app.conf.broker_url = broker
    try:
        with app.connection_for_write() as conn:
            for pk in ids:
                app.send_task("messaging.tasks.send_outbox_message", args=[int(pk)], queue=queue, connection=conn)

        first = _start_worker(env, tmp_path / "worker1.log")
        try:
            assert _wait(lambda: len(_lines(sms_log)) >= 5, 60), (tmp_path / "worker1.log").read_text()[-3000:]
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
        sent_before_kill = len(_lines(sms_log))
        assert sent_before_kill < len(ids), "the worker was killed after it had finished: nothing was tested"

        second = _start_worker(env, tmp_path / "worker2.log")
        try:
            # What the killed worker had reserved comes back only after Redis' visibility
            # timeout; the periodic sweeper (beat) sends it now. Here we trigger one sweep.
            app.send_task("messaging.tasks.sweep_outbox", kwargs={"older_than_seconds": 0}, queue=queue)

            def all_sent():
                return OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.SENT).count() == len(ids)

            assert _wait(all_sent, 120), (tmp_path / "worker2.log").read_text()[-3000:]
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(20)
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL or None
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)

    delivered = [key for kind, key, _ in _lines(sms_log) if kind == "delivered"]
    assert sorted(delivered) == sorted(ids)  # every message, each exactly once
