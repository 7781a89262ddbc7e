import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django_application = get_wsgi_application()

# Build the URL resolver now rather than on a worker's first request (about 0.15 s of CPU): with gunicorn's
# preload_app the master does it once and every worker, recycled ones included, starts with it built.
from django.urls import get_resolver  # noqa: E402

get_resolver()._populate()

# Chunked request bodies (no Content-Length) reach Django whole: see tracker/chunked.py.
from tracker.chunked import ChunkedRequestBody  # noqa: E402  (settings must be configured first)

application = ChunkedRequestBody(django_application)
