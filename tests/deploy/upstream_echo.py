"""A stand-in for gunicorn behind the proxy templates (tests/deploy/test_proxies.py): answers every request with
the headers it was given, and `/…/revisions/<n>/file` as the tracker does, inline with a content type by n."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FILE_TYPES = {"1": "image/png", "2": "application/pdf", "3": "text/html"}


class Echo(BaseHTTPRequestHandler):
    def _answer(self):
        path = self.path.split("?", 1)[0]
        if "/revisions/" in path and path.endswith("/file"):
            number = path.rsplit("/", 2)[1]
            body = b"file"
            self.send_response(200)
            self.send_header("Content-Type", FILE_TYPES.get(number, "application/octet-stream"))
            self.send_header("Content-Disposition", f'inline; filename="revision-{number}"')
            self.send_header("X-Content-Type-Options", "nosniff")
        else:
            body = json.dumps({"path": self.path, "method": self.command, "headers": dict(self.headers)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
