# syntax=docker/dockerfile:1
# The application image: web (gunicorn), worker and beat (Celery), migrate — see
# deploy/entrypoint.sh and docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (a layer that changes only with the requirements). The xstatic
# packages are sdists that still import pkg_resources: build-constraints.txt gives their
# build an older setuptools (same as the Makefile). All other packages are wheels.
COPY requirements.txt build-constraints.txt ./
RUN python -m venv /opt/venv \
    && pip install "pip==26.3" \
    && pip install --build-constraint build-constraints.txt -r requirements.txt

COPY --chown=app:app . .
RUN chmod 0755 deploy/*.sh deploy/minio/*.sh \
    && mkdir -p /app/var/run /app/var/media /srv/static \
    && chown -R app:app /app/var /srv/static

USER app

# Static files with hashed names (whitenoise manifest), collected once per image. The
# production settings demand these variables; nothing connects to them at this step.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_SECRET_KEY=collectstatic-at-build-time-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    S3_BUCKET=build \
    python manage.py collectstatic --noinput

ENV DJANGO_SETTINGS_MODULE=config.settings.production
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
