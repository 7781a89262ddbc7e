"""A fake Box: a real HTTP server on 127.0.0.1 speaking the part of Box's API the tracker uses.

- `POST /oauth2/token`: the JWT bearer grant. The assertion's RS256 signature is checked against the test
  public key, and its claims (iss, sub, box_sub_type, aud, exp, jti, kid) against the app's config.
- `POST /2.0/folders`: create a folder; a duplicate name in the parent answers 409 item_name_in_use with
  `context_info.conflicts`, like Box.
- `POST /api/2.0/files/content` (upload base URL = `<url>/api`): multipart upload, 409 on a duplicate name.
- `POST /api/2.0/files/<id>/content`: upload a new version.
- `GET /2.0/folders/<id>/items`: a page (`offset`, `limit`) of a folder's items; `fields` picks what each
  entry carries, such as a file's `sha1` and `file_version` (the SHA-1 of its latest version, as Box reports it).
- `GET /2.0/files/<id>/content`: 302 to a download URL, which serves the bytes (of `?version=` when given).

Uploads answer, and 409 conflicts name, the file's `sha1` like Box does. `fail_next(n, ...)` makes the next n
matching requests answer a status (429, 5xx, 4xx), drop the connection before doing anything ("drop") or after
doing the work ("drop_after": Box stored the upload, the client never heard), or answer slowly ("slow": the
work is done after the delay, whether or not the client still waits). Every request is recorded in `requests`.
"""

import hashlib
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt

JWT_AUDIENCE = "https://api.box.com/oauth2/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class _Discard:
    """Where a "drop_after" answer goes: nowhere."""

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that timed out on a slow answer has gone: the broken pipe is expected, not a failure.
        pass


@dataclass
class Rule:
    remaining: int
    mode: str  # "status" | "drop" | "drop_after" | "slow"
    status: int = 503
    delay: float = 0.0
    method: str | None = None
    path: str | None = None
    body: dict | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (self.path is None or path.startswith(self.path))


@dataclass
class Item:
    id: str
    type: str
    name: str
    parent_id: str | None
    versions: list = field(default_factory=list)  # [(version_id, bytes)]

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.versions[-1][1]).hexdigest() if self.versions else ""


class FakeBox:
    def __init__(self, *, public_key_pem: bytes, client_id: str, client_secret: str, enterprise_id: str, key_id: str):
        self.public_key_pem = public_key_pem
        self.client_id = client_id
        self.client_secret = client_secret
        self.enterprise_id = enterprise_id
        self.key_id = key_id
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self.items: dict[str, Item] = {"0": Item(id="0", type="folder", name="All Files", parent_id=None)}
        self.tokens: set[str] = set()
        self.seen_jti: set[str] = set()
        self.token_errors: list[str] = []
        self.rules: list[Rule] = []
        self.requests: list[tuple[str, str, int]] = []
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- control ------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeBox":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(
        self,
        times: int,
        *,
        status: int = 503,
        mode: str = "status",
        delay: float = 0.0,
        method: str | None = None,
        path: str | None = None,
        body: dict | None = None,
    ) -> None:
        with self._lock:
            self.rules.append(Rule(times, mode, status, delay, method, path, body))

    def new_id(self) -> str:
        return str(next(self._ids))

    def add_folder(self, name: str, parent_id: str = "0") -> str:
        with self._lock:
            folder = Item(id=self.new_id(), type="folder", name=name, parent_id=parent_id)
            self.items[folder.id] = folder
            return folder.id

    def add_file(self, folder_id: str, name: str, content: bytes) -> tuple[str, str]:
        with self._lock:
            item = Item(id=self.new_id(), type="file", name=name, parent_id=folder_id)
            item.versions.append((self.new_id(), content))
            self.items[item.id] = item
            return item.id, item.versions[-1][0]

    def children(self, folder_id: str, item_type: str | None = None) -> list[Item]:
        return [i for i in self.items.values() if i.parent_id == folder_id and (item_type in (None, i.type))]

    def folder_named(self, name: str, parent_id: str) -> Item | None:
        return next((i for i in self.children(parent_id, "folder") if i.name.lower() == name.lower()), None)

    def calls(self, method: str, prefix: str) -> list[tuple[str, str, int]]:
        return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    # --- the API ------------------------------------------------------------------------------------------

    def _take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.remaining > 0 and rule.matches(method, path):
                    rule.remaining -= 1
                    return rule
        return None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                pass

            def do_GET(self):
                self._dispatch("GET")

            def do_POST(self):
                self._dispatch("POST")

            def _reply(self, status: int, payload=None, headers=None, raw: bytes | None = None):
                body = raw if raw is not None else (json.dumps(payload).encode() if payload is not None else b"")
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if raw is None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if not getattr(self, "dropped", False):
                    fake.requests.append((self.command, self.path.split("?")[0], status))

            def _error(self, status: int, code: str, message: str, context_info=None):
                payload = {
                    "type": "error",
                    "status": status,
                    "code": code,
                    "message": message,
                    "request_id": secrets.token_hex(6),
                }
                if context_info is not None:
                    payload["context_info"] = context_info
                self._reply(status, payload)

            def _dispatch(self, method: str):
                body = self._body()
                url = urlparse(self.path)
                rule = fake._take_rule(method, url.path)
                if rule is not None:
                    if rule.mode == "drop":
                        fake.requests.append((method, url.path, 0))
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if rule.mode == "drop_after":
                        self.wfile, self.dropped = _Discard(), True  # do the work, then hang up without a word
                        try:
                            self._route(method, url, body)
                        finally:
                            fake.requests.append((method, url.path, 0))
                            self.close_connection = True
                            self.connection.shutdown(2)
                        return
                    if rule.mode == "slow":
                        time.sleep(rule.delay)
                    else:
                        self._error(rule.status, rule.body.get("code", "fault") if rule.body else "fault", "injected")
                        return
                try:
                    self._route(method, url, body)
                except Exception as error:  # a bug in the fake must show, not hang the client
                    self._error(500, "fake_box_error", repr(error))

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                if header.startswith("Bearer ") and header[7:] in fake.tokens:
                    return True
                self._error(401, "unauthorized", "Unauthorized")
                return False

            def _route(self, method: str, url, body: bytes):
                path = url.path
                if method == "POST" and path == "/oauth2/token":
                    return self._token(body)
                if method == "GET" and path.startswith("/dl/"):
                    return self._serve_download(path)
                if not self._authorised():
                    return
                parts = path.strip("/").split("/")
                if method == "POST" and path == "/2.0/folders":
                    return self._create_folder(json.loads(body or b"{}"))
                if method == "POST" and path == "/api/2.0/files/content":
                    return self._upload(body, None)
                if (
                    method == "POST"
                    and len(parts) == 5
                    and parts[:3] == ["api", "2.0", "files"]
                    and parts[4] == "content"
                ):
                    return self._upload(body, parts[3])
                if method == "GET" and len(parts) == 4 and parts[:2] == ["2.0", "folders"] and parts[3] == "items":
                    return self._folder_items(parts[2], parse_qs(url.query))
                if method == "GET" and len(parts) == 4 and parts[:2] == ["2.0", "files"] and parts[3] == "content":
                    version = parse_qs(url.query).get("version", [""])[0]
                    return self._download(parts[2], version)
                self._error(404, "not_found", f"no route for {method} {path}")

            def _token(self, body: bytes):
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                problem = fake._check_grant(form)
                if problem:
                    fake.token_errors.append(problem)
                    return self._reply(400, {"error": "invalid_grant", "error_description": problem})
                token = secrets.token_urlsafe(24)
                fake.tokens.add(token)
                self._reply(
                    200,
                    {"access_token": token, "expires_in": 3600, "token_type": "bearer", "restricted_to": []},
                )

            def _create_folder(self, data: dict):
                name, parent_id = data.get("name") or "", str((data.get("parent") or {}).get("id") or "")
                if parent_id not in fake.items or fake.items[parent_id].type != "folder":
                    return self._error(404, "not_found", "parent folder not found")
                with fake._lock:
                    existing = next(
                        (i for i in fake.children(parent_id) if i.name.lower() == name.lower()),
                        None,
                    )
                    if existing is None:
                        folder = Item(id=fake.new_id(), type="folder", name=name, parent_id=parent_id)
                        fake.items[folder.id] = folder
                if existing is not None:
                    conflict = {"type": existing.type, "id": existing.id, "name": existing.name, "etag": "0"}
                    return self._error(
                        409, "item_name_in_use", "Item with the same name already exists", {"conflicts": [conflict]}
                    )
                self._reply(201, {"type": "folder", "id": folder.id, "name": folder.name, "etag": "0"})

            def _multipart(self, body: bytes) -> tuple[dict, bytes, str]:
                head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = BytesParser(policy=HTTP).parsebytes(head + body)
                attributes, content, filename = {}, b"", ""
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if name == "attributes":
                        attributes = json.loads(part.get_payload(decode=True) or b"{}")
                    elif name == "file":
                        if attributes == {}:
                            raise ValueError("metadata_after_file_contents")
                        content = part.get_payload(decode=True) or b""
                        filename = part.get_filename() or ""
                return attributes, content, filename

            def _upload(self, body: bytes, file_id: str | None):
                attributes, content, _ = self._multipart(body)
                with fake._lock:
                    if file_id is None:
                        parent_id = str((attributes.get("parent") or {}).get("id") or "")
                        if parent_id not in fake.items:
                            conflict = None
                            missing = True
                        else:
                            missing = False
                            conflict = next(
                                (i for i in fake.children(parent_id) if i.name.lower() == attributes["name"].lower()),
                                None,
                            )
                        if not missing and conflict is None:
                            item = Item(id=fake.new_id(), type="file", name=attributes["name"], parent_id=parent_id)
                            fake.items[item.id] = item
                    else:
                        item = fake.items.get(file_id)
                        missing = item is None or item.type != "file"
                        conflict = None
                    if not missing and conflict is None:
                        item.versions.append((fake.new_id(), content))
                if missing:
                    return self._error(404, "not_found", "parent folder or file not found")
                if conflict is not None:
                    version = conflict.versions[-1][0] if conflict.versions else ""
                    details = {"type": conflict.type, "id": conflict.id, "name": conflict.name}
                    if conflict.type == "file":
                        details["sha1"] = conflict.sha1
                        details["file_version"] = {"type": "file_version", "id": version, "sha1": conflict.sha1}
                    return self._error(
                        409, "item_name_in_use", "Item with the same name already exists", {"conflicts": details}
                    )
                version_id = item.versions[-1][0]
                entry = {
                    "type": "file",
                    "id": item.id,
                    "name": item.name,
                    "size": len(content),
                    "sha1": item.sha1,
                    "file_version": {"type": "file_version", "id": version_id, "sha1": item.sha1},
                    "parent": {"type": "folder", "id": item.parent_id},
                }
                self._reply(201, {"total_count": 1, "entries": [entry]})

            def _folder_items(self, folder_id: str, query: dict):
                folder = fake.items.get(folder_id)
                if folder is None or folder.type != "folder":
                    return self._error(404, "not_found", "folder not found")
                offset, limit = int(query.get("offset", ["0"])[0]), int(query.get("limit", ["100"])[0])
                wanted = set(query.get("fields", [""])[0].split(",")) - {""}
                with fake._lock:
                    children = sorted(fake.children(folder_id), key=lambda i: int(i.id))
                entries = []
                for item in children[offset : offset + limit]:
                    entry = {"type": item.type, "id": item.id, "name": item.name, "etag": "0"}
                    if item.type == "file":
                        version = item.versions[-1][0] if item.versions else ""
                        entry["sha1"] = item.sha1
                        entry["file_version"] = {"type": "file_version", "id": version, "sha1": item.sha1}
                    # Box answers the basic fields plus those asked for.
                    entries.append({k: v for k, v in entry.items() if k in {"type", "id", "etag"} | wanted})
                self._reply(200, {"total_count": len(children), "offset": offset, "limit": limit, "entries": entries})

            def _download(self, file_id: str, version: str):
                item = fake.items.get(file_id)
                if item is None or item.type != "file":
                    return self._error(404, "not_found", "file not found")
                location = f"{fake.url}/dl/{file_id}/{version or item.versions[-1][0]}"
                self._reply(302, None, headers={"Location": location})

            def _serve_download(self, path: str):
                _, _, file_id, version = path.split("/")
                item = fake.items.get(file_id)
                content = next((c for v, c in (item.versions if item else []) if v == version), None)
                if content is None:
                    return self._error(404, "not_found", "version not found")
                self._reply(200, raw=content, headers={"Content-Type": "application/octet-stream"})

        return Handler

    def _check_grant(self, form: dict) -> str:
        if form.get("grant_type") != JWT_GRANT:
            return "unsupported grant_type"
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return "invalid client credentials"
        assertion = form.get("assertion") or ""
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                self.public_key_pem,
                algorithms=["RS256"],
                audience=JWT_AUDIENCE,
                issuer=self.client_id,
                options={"require": ["exp", "iss", "sub", "aud", "jti"]},
            )
        except jwt.PyJWTError as error:
            return f"invalid assertion: {error}"
        if header.get("kid") != self.key_id:
            return "unknown public key id"
        if claims.get("sub") != self.enterprise_id or claims.get("box_sub_type") != "enterprise":
            return "wrong subject"
        if claims["exp"] - time.time() > 60:
            return "exp is more than 60 seconds away"
        with self._lock:
            if claims["jti"] in self.seen_jti:
                return "jti already used"
            self.seen_jti.add(claims["jti"])
        return ""
