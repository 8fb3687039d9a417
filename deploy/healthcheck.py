"""Container health check of the web service: GET /healthz on the local gunicorn.

Sent as nginx would send it (an allowed Host, X-Forwarded-Proto: https) so neither
ALLOWED_HOSTS nor the HTTPS redirect of the production settings gets in the way.
"""

import os
import sys
import urllib.request


def main() -> int:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0] if hosts else "localhost"
    if host == "*":
        host = "localhost"
    host = host.lstrip(".")
    request = urllib.request.Request(
        "http://127.0.0.1:8000/healthz",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — fixed local URL
            ok = response.status == 200 and response.read().strip() == b"ok"
    except OSError as exc:
        print(f"healthcheck failed: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
