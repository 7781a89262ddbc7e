"""One push attempt's conversation with Box: the delivery folder, then the file, effectively once.

An attempt can die after Box stored the file and before we recorded it (a killed worker, a connection lost
after the upload). So before uploading, the attempt looks at what Box already holds under the file's name in
the folder: the same SHA-1 means the earlier upload landed, and its version is recorded instead of a second
one; a different SHA-1 gets a new version; no file gets an upload. An upload that still meets a file of the
name (another attempt got there in between) compares the SHA-1 Box reports in the conflict the same way.

`renew` is called between Box calls and as the upload streams, so the attempt's lease stays alive while it
works (see `push._Lease`); it raises when the lease was lost, which stops the attempt before it writes more.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from box_sdk_gen import (
    BoxAPIError,
    CreateFolderParent,
    UploadFileAttributes,
    UploadFileAttributesParentField,
    UploadFileVersionAttributes,
)
from django.conf import settings

from deliverables.models import Revision

# A delivery folder holds a handful of files; listing stops after this many pages of FOLDER_PAGE items.
FOLDER_PAGE = 1000
MAX_FOLDER_PAGES = 10
HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PushResult:
    folder_id: str
    folder_reused: bool
    file_id: str
    version: str
    new_version: bool
    file_reused: bool


@dataclass(frozen=True)
class BoxFile:
    id: str
    sha1: str
    version: str


class _RenewingReader:
    """The revision's file as the SDK streams it to Box, calling `renew` as it is read."""

    def __init__(self, stream, renew: Callable[[], None]):
        self._stream = stream
        self._renew = renew

    def read(self, size: int = -1) -> bytes:
        self._renew()
        return self._stream.read(size)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def revision_sha1(revision: Revision) -> str:
    digest = hashlib.sha1()  # noqa: S324 - Box identifies content by SHA-1; not a security use
    with revision.file.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _conflict(error: BoxAPIError, item_type: str) -> dict | None:
    """The existing item behind a 409 item_name_in_use, when it is of `item_type`."""
    info = error.response_info
    if info.status_code != 409 or info.code != "item_name_in_use":
        return None
    conflicts = (info.context_info or {}).get("conflicts") or []
    for item in [conflicts] if isinstance(conflicts, dict) else conflicts:
        if isinstance(item, dict) and item.get("type") == item_type and item.get("id"):
            return item
    return None


def _box_file(item: dict) -> BoxFile:
    version = item.get("file_version") if isinstance(item.get("file_version"), dict) else {}
    return BoxFile(id=str(item["id"]), sha1=str(item.get("sha1") or ""), version=str(version.get("id") or ""))


def _folder(client, name: str) -> tuple[str, bool]:
    try:
        return client.folders.create_folder(name, CreateFolderParent(id=settings.BOX_ROOT_FOLDER_ID)).id, False
    except BoxAPIError as error:
        existing = _conflict(error, "folder")
        if existing is None:
            raise
        return str(existing["id"]), True


def _file_in_folder(client, folder_id: str, name: str, renew: Callable[[], None]) -> BoxFile | None:
    """The file named `name` (Box compares names without case) in the folder, with its SHA-1 and version."""
    wanted = name.lower()
    for page in range(MAX_FOLDER_PAGES):
        renew()
        items = client.folders.get_folder_items(
            folder_id,
            fields=["type", "id", "name", "sha1", "file_version"],
            offset=page * FOLDER_PAGE,
            limit=FOLDER_PAGE,
        )
        entries = items.entries or []
        for entry in entries:
            data = entry.to_dict()
            if data.get("type") == "file" and str(data.get("name", "")).lower() == wanted:
                return _box_file(data)
        if len(entries) < FOLDER_PAGE:
            return None
    return None


def _upload(client, folder_id: str, name: str, revision: Revision, existing: BoxFile | None, renew) -> BoxFile:
    """Upload the revision as a new file, or as a new version of `existing`. Returns what Box now holds."""
    content_type = revision.content_type or None
    with revision.file.open("rb") as raw:
        stream = _RenewingReader(raw, renew)
        if existing is not None:
            files = client.uploads.upload_file_version(
                existing.id,
                UploadFileVersionAttributes(name=name),
                stream,
                file_file_name=name,
                file_content_type=content_type,
            )
        else:
            files = client.uploads.upload_file(
                UploadFileAttributes(name=name, parent=UploadFileAttributesParentField(id=folder_id)),
                stream,
                file_file_name=name,
                file_content_type=content_type,
            )
    entry = files.entries[0]
    version = getattr(entry, "file_version", None)
    return BoxFile(id=str(entry.id), sha1=str(getattr(entry, "sha_1", "") or ""), version=version.id if version else "")


def push_revision(client, *, folder_name: str, file_name: str, revision: Revision, renew) -> PushResult:
    """Put the revision in Box as `<folder_name>/<file_name>`, at most once per content. See the module docstring."""
    folder_id, folder_reused = _folder(client, folder_name)
    sha1 = revision_sha1(revision)
    # A folder we just made is empty: only a reused one can already hold the file.
    existing = _file_in_folder(client, folder_id, file_name, renew) if folder_reused else None
    if existing is not None and existing.sha1 == sha1:
        return PushResult(folder_id, folder_reused, existing.id, existing.version, False, True)
    renew()
    try:
        stored = _upload(client, folder_id, file_name, revision, existing, renew)
    except BoxAPIError as error:
        conflict = _conflict(error, "file") if existing is None else None
        if conflict is None:
            raise
        # Another attempt put a file of this name there since we looked.
        existing = _box_file(conflict)
        if existing.sha1 == sha1:
            return PushResult(folder_id, folder_reused, existing.id, existing.version, False, True)
        renew()
        stored = _upload(client, folder_id, file_name, revision, existing, renew)
    return PushResult(folder_id, folder_reused, stored.id, stored.version, existing is not None, False)
