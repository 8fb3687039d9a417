"""Project-wide additions to django.contrib.admin.site (kept as the one admin site):
the audit trail's admin, the work-queue home page for administrators and the
统计分析 page. Imported once by config/urls.py before ``admin.site.urls`` is built."""

from config import admin_audit  # noqa: F401  (registers AuditEntry)
