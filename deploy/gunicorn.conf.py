"""gunicorn settings of the web service; the numbers come from the environment (deploy/env.example)."""

import multiprocessing
import os

bind = "0.0.0.0:8000"  # noqa: S104 — inside the container; only nginx reaches it
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on the container's overlay file system.
worker_tmp_dir = "/dev/shm"  # noqa: S108 — tmpfs of the container, gunicorn's documented choice
accesslog = "-"
errorlog = "-"
# nginx is the only client; Django reads X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = "*"
