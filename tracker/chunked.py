"""Request bodies sent with `Transfer-Encoding: chunked` (no Content-Length), read as gunicorn delivers them.

Django reads exactly CONTENT_LENGTH bytes of a request body, so a chunked body (which has no Content-Length)
reads as empty: a correctly signed webhook then fails its signature check, a JSON POST parses as `{}`. gunicorn
decodes the chunked framing itself and says so with the WSGI flag `wsgi.input_terminated` (the stream ends where
the body ends). For such a request this WSGI middleware reads the body into a spooled temporary file (memory,
then disk), and hands Django the file and its length, so every view sees the same bytes whichever way they
were framed, and every size limit applies as for any other body.

A chunked body longer than the largest body any endpoint takes (`chunked_body_limit()`) is answered 413 in the
project's error shape at once, without reading the rest. A server that does not decode chunked bodies (the
development server) is left alone.
"""

import json
import tempfile

from django.conf import settings

READ_SIZE = 64 * 1024


def chunked_body_limit() -> int:
    """The largest body any endpoint reads: a revision upload (with its multipart framing) or a JSON body."""
    return max(settings.REVISION_MAX_UPLOAD_BYTES + 1024 * 1024, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def _is_chunked(environ) -> bool:
    return (
        bool(environ.get("wsgi.input_terminated"))
        and not environ.get("CONTENT_LENGTH")
        and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    )


class ChunkedRequestBody:
    """WSGI middleware around the Django application; see the module docstring."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if _is_chunked(environ):
            limit = chunked_body_limit()
            body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
            size, stream = 0, environ["wsgi.input"]
            while chunk := stream.read(READ_SIZE):
                size += len(chunk)
                if size > limit:
                    body.close()
                    return _too_large(start_response, limit)
                body.write(chunk)
            body.seek(0)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = body, str(size)
        return self.application(environ, start_response)


def _too_large(start_response, limit: int):
    payload = json.dumps({"error": "payload too large", "maxBytes": limit}).encode()
    start_response(
        "413 Request Entity Too Large",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), ("Connection", "close")],
    )
    return [payload]
