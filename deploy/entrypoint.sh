#!/bin/sh
# One image, several roles. The first argument picks the process (docker-compose.yml):
#   web       gunicorn serving config.wsgi (settings: config.settings.production)
#   worker    Celery worker (acks_late / reject_on_worker_lost are in the settings)
#   beat      Celery beat — run exactly ONE in the whole installation
#   migrate   one-shot release step: publish static files for nginx, then migrate
#   healthcheck  exit 0 when /healthz of the local gunicorn answers "ok"
# Anything else is executed as given, e.g. `python manage.py createsuperuser`.
set -eu

case "${1:-web}" in
web)
    exec gunicorn config.wsgi:application --config /app/deploy/gunicorn.conf.py
    ;;
worker)
    exec celery -A config worker \
        --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
        --concurrency "${CELERY_CONCURRENCY:-4}" \
        --without-mingle --without-gossip
    ;;
beat)
    exec celery -A config beat \
        --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
        --schedule /app/var/run/celerybeat-schedule
    ;;
migrate)
    # Static files were collected when the image was built (hashed names from the
    # manifest storage); copy them into the volume nginx serves. Old hashed files stay,
    # so pages still served by the previous release keep finding their CSS and JS.
    if [ -d /srv/static ]; then
        cp -R /app/var/static/. /srv/static/
    fi
    exec python manage.py migrate --noinput
    ;;
healthcheck)
    exec python /app/deploy/healthcheck.py
    ;;
*)
    exec "$@"
    ;;
esac
