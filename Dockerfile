# One image for every process of the production stack (docker-compose.yml): web (gunicorn),
# worker and beat (celery) and the one-shot migrate job. Each service only changes the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    BRIEFDESK_VAR_DIR=/app/var

# Shared libraries WeasyPrint loads at run time (Pango, HarfBuzz and its subsetter, fontconfig
# through pangoft2), and fonts for the rendered PDFs; Tesseract (English, Russian, Kazakh) and
# Ghostscript for OCRmyPDF, which reads scanned sources. No compiler: every dependency is a wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation \
        shared-mime-info \
        tesseract-ocr \
        tesseract-ocr-eng \
        tesseract-ocr-rus \
        tesseract-ocr-kaz \
        ghostscript \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (a layer that changes only with the lock): the runtime dependencies
# declared in pyproject.toml, at the exact versions pinned in requirements.lock (used as pip
# constraints, as `make install` does), so that the development tools stay out of the image.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt -c requirements.lock \
    && rm /tmp/requirements.txt

COPY . .

# An unprivileged user owns var/: media and static are volumes mounted there, and beat keeps
# its schedule file there.
RUN useradd --system --uid 1000 --user-group --home-dir /app --no-create-home app \
    && mkdir -p /app/var/media /app/var/static \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
