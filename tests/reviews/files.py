"""Real, small files of each accepted kind for revision uploads, built byte by byte."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def png_bytes(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 60, 90)) -> bytes:
    """A valid RGB PNG filled with one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(colour) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


FILE_SAMPLES = {
    "art.png": png_bytes(),
    "art.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32 + b"\xff\xd9",
    "art.jpeg": b"\xff\xd8\xff\xdb" + b"\x00" * 32 + b"\xff\xd9",
    "art.webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32,
    "art.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "art.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16,
}


def upload(name: str = "art.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, FILE_SAMPLES.get(name, png_bytes()) if content is None else content)
