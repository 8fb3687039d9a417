import pytest
from django.db import transaction

from messaging import services
from messaging.backends import MemorySmsBackend
from messaging.models import Message, OutboxMessage


@pytest.fixture(autouse=True)
def _clear_sms():
    MemorySmsBackend.sent.clear()


def test_notify_writes_message_in_callers_transaction(buyer_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(buyer_a, Message.Kind.ORDER, "您的订单: CSJ-1 机构已经接单")
        raise RuntimeError("the state change failed")
    assert not Message.objects.filter(recipient=buyer_a).exists()

    services.notify(buyer_a, Message.Kind.ORDER, "您的订单: CSJ-2 机构已经接单")
    assert Message.objects.filter(recipient=buyer_a, text__contains="CSJ-2").count() == 1


def test_sms_is_sent_after_commit_exactly_once(buyer_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(buyer_a, Message.Kind.ORDER, "订单已接单", sms=True)
    assert len(callbacks) == 2  # the SMS hand-off, and dropping the cached 站内信 count again
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.SENT and row.attempts == 1
    assert MemorySmsBackend.sent == [(buyer_a.phone, "订单已接单", str(row.pk))]

    # The task delivered twice (a redelivery after a lost ack) does not send again.
    assert services.send_outbox(row.pk) is False
    assert len(MemorySmsBackend.sent) == 1


def test_rolled_back_notification_queues_nothing(buyer_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(buyer_a, Message.Kind.ORDER, "x", sms=True)
            raise RuntimeError
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert MemorySmsBackend.sent == []


def test_sweeper_resends_rows_left_pending_without_a_worker(buyer_a, django_capture_on_commit_callbacks):
    # No on-commit callbacks run: as if the broker was down when the row was written.
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(buyer_a, Message.Kind.ORDER, "broker down", sms=True)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING

    assert services.sweep_outbox(older_than_seconds=0) == 1
    assert services.sweep_outbox(older_than_seconds=0) == 0
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT
    assert len(MemorySmsBackend.sent) == 1


def test_failing_gateway_keeps_row_pending_then_gives_up(buyer_a, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.messaging.test_notify.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(buyer_a, Message.Kind.ORDER, "x", sms=True)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING and row.attempts == 1
    assert "gateway down" in row.last_error
    for _ in range(OutboxMessage.MAX_ATTEMPTS):
        services.send_outbox(row.pk)
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.FAILED


class BrokenGateway:
    def send(self, to, subject, body, key):
        raise ConnectionError("gateway down")
