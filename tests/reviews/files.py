"""Real, small files of each accepted kind for revision uploads, built byte by byte."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tracker.images import png_bytes

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
