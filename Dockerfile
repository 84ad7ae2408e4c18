# The production image. docker-compose.yml runs the web server, the Celery worker and
# the Celery beat scheduler from it; see the comments there for configuration.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 dasapp \
 && useradd --system --uid 10001 --gid dasapp --home-dir /app --no-create-home \
    --shell /usr/sbin/nologin dasapp

WORKDIR /app

# The runtime dependencies listed in pyproject.toml, without the dev extra. The project
# itself runs from /app and is not installed as a package. WeasyPrint (PDF export)
# needs Pango and a font from Debian, installed only once it is a dependency.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && if grep -qi '^weasyprint' /tmp/requirements.txt; then \
      apt-get update \
      && apt-get install -y --no-install-recommends \
         libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .

# Static files are collected at build time with the production settings; WhiteNoise
# serves them with hashed names and compression. The key and host below exist for this
# step only: the running containers are given real ones by docker-compose.yml.
RUN DJANGO_ENV=production \
    SECRET_KEY=build-time-only-for-collectstatic-never-used-to-sign-anything \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput \
 && rm -rf var/celery var/secret_key \
 && chown -R dasapp:dasapp var

USER dasapp
EXPOSE 8000

# The web server (migrations first); docker-compose.yml gives the worker and beat
# their own commands.
CMD ["sh", "-c", "python docker/migrate.py && exec gunicorn dasapp.wsgi:application --config docker/gunicorn.conf.py"]
