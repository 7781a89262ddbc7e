import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django_application = get_wsgi_application()

# Chunked request bodies (no Content-Length) reach Django whole: see tracker/chunked.py.
from tracker.chunked import ChunkedRequestBody  # noqa: E402  (settings must be configured first)

application = ChunkedRequestBody(django_application)
