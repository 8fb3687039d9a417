"""Thin Celery tasks: ids in, one service call, safe to run twice."""

from celery import shared_task

from catalog import services


@shared_task
def reindex_items(item_ids: list[int] | None = None) -> int:
    return services.reindex_items(item_ids)


@shared_task
def reindex_institution_items(institution_id: int) -> int:
    return services.reindex_items(institution_id=institution_id)
