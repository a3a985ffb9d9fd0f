# Pimpasa Outreach in production: the app (gunicorn, several workers) and, as a second target, the reverse
# proxy's image holding the same release's static files. See the README's "Production" section.
#
#   docker compose up -d          (compose.yaml builds both)
#   docker build -t outreach .    (the app alone)

FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BIND=0.0.0.0:8000 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/outreach-metrics

# pg_dump for `flask backup` on PostgreSQL, of the same major version as compose.yaml's database (the package
# name pins the version that matters).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The dependencies first, in a layer of their own: a change of the code alone does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir outreach && touch outreach/__init__.py \
    && pip install --no-cache-dir . \
    && pip uninstall -y outreach \
    && rm -rf outreach build ./*.egg-info
COPY babel.cfg gunicorn.conf.py ./
COPY migrations migrations
COPY static static
COPY translations translations
COPY outreach outreach
# The package runs from /app, where it finds its static files, catalogs and migrations; the catalogs are
# compiled here, once.
RUN pip install --no-cache-dir --no-deps -e . \
    && pybabel compile -d translations \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin outreach \
    && mkdir -p instance \
    && chown outreach instance

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py"]


# The static files at the addresses the app gives them (static/<release>/...), with their gzip, for the proxy.
FROM app AS static
RUN flask --app outreach export-static /tmp/public


FROM caddy:2.8-alpine AS proxy
COPY deploy/Caddyfile /etc/caddy/Caddyfile
COPY --from=static /tmp/public /srv
