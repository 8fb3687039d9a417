"""Project-wide scheduled tasks (CELERY_IMPORTS in settings)."""

from celery import shared_task

from config import page_cache  # noqa: F401  (writes in tasks invalidate the public page cache)


@shared_task
def refresh_statistics() -> int:
    """Recompute the cached 统计分析 tables of the current year (issue 9: the page reads the
    cache instead of aggregating a year of orders on every request). Safe to run twice."""
    from config.statistics import refresh_all

    return refresh_all()
