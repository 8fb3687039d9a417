from celery import shared_task

from messaging import services


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_message(outbox_id: int) -> None:
    services.send_outbox(outbox_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox(older_than_seconds: int = 30) -> None:
    services.sweep_outbox(older_than_seconds=older_than_seconds)
