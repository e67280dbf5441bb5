#!/bin/sh
# Entry point of the production image: web, worker, beat or migrate.
set -e
case "${1:-web}" in
  web) exec gunicorn portal.wsgi:application --bind 0.0.0.0:8000 \
         --workers "${WEB_CONCURRENCY:-3}" --threads "${WEB_THREADS:-4}" --access-logfile - ;;
  worker) exec celery -A portal worker --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-4}" ;;
  beat) exec celery -A portal beat --loglevel INFO --schedule /app/var/celerybeat-schedule ;;
  migrate) exec python manage.py migrate --noinput ;;
  *) exec "$@" ;;
esac
