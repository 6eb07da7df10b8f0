# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint needs Pango/HarfBuzz and fonts; libpq comes with psycopg2-binary.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core fonts-liberation \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 tinig

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# The translation catalogues (locale/, locale_libraries/), compiled with polib.
RUN python -m core.catalogues --force

# Static files are collected at build time with throwaway values: production
# settings refuse to load without them, and none of them is used here.
RUN SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= \
    LOOKUP_HMAC_KEYS=build-only-lookup-key-used-for-nothing \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && mkdir -p /data/private /data/backups /data/beat && chown tinig:tinig /data/private /data/backups /data/beat

USER tinig
ENV PRIVATE_STORAGE_ROOT=/data/private \
    BACKUP_DIR=/data/backups
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "config.log_redaction.RedactingLogger"]
