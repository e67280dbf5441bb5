# Crossdock production image: one image, three entry points (web, worker, beat).
# Stage 1 builds wheels with the compilers; stage 2 runs them as a non-root user.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --wheel-dir /wheels -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings DJANGO_REQUIRE_SECRET=1 \
    STATIC_ROOT=/app/staticfiles CROSSDOCK_VAR_DIR=/app/var
RUN groupadd --system crossdock && useradd --system --gid crossdock --home /app crossdock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
WORKDIR /app
COPY --chown=crossdock:crossdock . /app
# collectstatic needs a key to import settings; it is not used at run time.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R crossdock:crossdock /app/var /app/staticfiles
USER crossdock
EXPOSE 8000
# web (default): gunicorn; worker: `docker run IMAGE worker`; beat: `docker run IMAGE beat`.
COPY --chown=crossdock:crossdock scripts/docker-entrypoint.sh /usr/local/bin/crossdock
ENTRYPOINT ["/usr/local/bin/crossdock"]
CMD ["web"]
