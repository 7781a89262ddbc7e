# Studio Tracker: one image for web (gunicorn), worker and beat (Celery); docker-compose.yml runs it.
# Not built in CI here (no Docker daemon on those machines); tests/deploy checks what can be checked without one.

# Pinned to an exact patch release: a rebuild gets the same Python until someone moves this line.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=tracker.settings

# The processes run as this user; the code stays root-owned, so a compromised process cannot rewrite it.
RUN groupadd --system --gid 10001 tracker \
    && useradd --system --uid 10001 --gid tracker --home-dir /app --no-create-home --shell /usr/sbin/nologin tracker

WORKDIR /app

# ffmpeg takes a video revision's poster frame for its thumbnail (the worker runs it; without it videos get an icon).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in a layer of their own: a change to the code alone does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files collected at build (WhiteNoise serves them; the proxy may too). var/ holds the gunicorn control
# socket and beat's schedule; /srv/tracker/media is the media volume's mount point, owned by the app user so a
# fresh named volume is too.
RUN python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p /app/var/run /srv/tracker/media \
    && chown -R tracker:tracker /app/var /srv/tracker

USER tracker

EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "tracker.wsgi:application"]
