"""Pictures of revision files: a file on disk in, JPEG bytes out, or None when no picture can be made.

Revision files come from outside (an upload, Box, an upstream system), so nothing here trusts them: an image is
decoded by Pillow only after its declared size passes THUMBNAIL_MAX_PIXELS and only as the formats revisions
accept; a PDF's first page is rendered by pdfium at a scale that bounds the bitmap, whatever the page claims; a
video's poster frame is taken by ffmpeg in its own process, told the container format (so it never probes a
playlist or another demuxer that could open other files), allowed only the `file` protocol, and killed after
THUMBNAIL_FFMPEG_TIMEOUT_SECONDS. Any failure is logged and answered with None (the page shows the kind's icon):
no exception leaves `render_thumbnail`. Only the Celery task calls it (`deliverables.thumbnails`): in a worker in
production; in development without a broker Celery runs tasks in the web process.
"""

import io
import logging
import shutil
import subprocess
import warnings
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# Pillow may only read what `revision_file_check` lets in.
IMAGE_FORMATS = ["PNG", "JPEG", "WEBP"]
JPEG_QUALITY = 82
# Poster frame: a second in (past a fade from black), else the first frame of a shorter clip.
POSTER_OFFSETS = ("1", "0")


class NoPicture(Exception):
    """The file cannot be pictured (what went wrong is the message); the caller shows the icon."""


def ffmpeg_path() -> str | None:
    """The ffmpeg to run, or None when THUMBNAIL_FFMPEG is empty or names nothing executable."""
    name = settings.THUMBNAIL_FFMPEG
    return shutil.which(name) if name else None


def render_thumbnail(path: Path, content_type: str) -> bytes | None:
    """A JPEG of the file at `path` whose longest side is at most THUMBNAIL_SIZE, or None. Never raises."""
    try:
        if content_type.startswith("image/"):
            picture = _open_image(path)
        elif content_type == "application/pdf":
            picture = _pdf_first_page(path)
        elif content_type.startswith("video/"):
            picture = _poster_frame(path)
        else:
            raise NoPicture(f"no picture for {content_type or 'an unknown type'}")
        return _jpeg(picture)
    except NoPicture as reason:
        logger.info("deliverables.thumbnail_none", extra={"path": str(path), "reason": str(reason)})
    except Exception:  # a malformed file may fail anywhere inside the decoders: it is the icon, never a crash
        logger.warning("deliverables.thumbnail_failed", extra={"path": str(path)}, exc_info=True)
    return None


def _open_image(source) -> Image.Image:
    """Decode an image after checking the size its header declares. Pillow's own bomb warning is an error too."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(source, formats=IMAGE_FORMATS)
        width, height = image.size
        if width * height > settings.THUMBNAIL_MAX_PIXELS:
            raise NoPicture(f"{width}x{height} is more than THUMBNAIL_MAX_PIXELS")
        size = settings.THUMBNAIL_SIZE
        image.draft("RGB", (size, size))  # a JPEG is decoded at a reduced scale straight away
        image.load()
    return ImageOps.exif_transpose(image)


def _pdf_first_page(path: Path) -> Image.Image:
    import pypdfium2 as pdfium  # the worker's import only: the web processes never load pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        if len(document) == 0:
            raise NoPicture("the PDF has no pages")
        page = document[0]
        try:
            width, height = page.get_size()  # in points
            if width <= 0 or height <= 0:
                raise NoPicture("the first page has no size")
            # The bitmap is THUMBNAIL_SIZE on its longest side, however large or small the page says it is.
            scale = settings.THUMBNAIL_SIZE / max(width, height)
            bitmap = page.render(scale=scale)
            try:
                return bitmap.to_pil().copy()
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        document.close()


def _poster_frame(path: Path) -> Image.Image:
    ffmpeg = ffmpeg_path()
    if ffmpeg is None:
        raise NoPicture("ffmpeg is not installed (THUMBNAIL_FFMPEG)")
    size = settings.THUMBNAIL_SIZE
    for offset in POSTER_OFFSETS:
        command = [
            ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
            "-protocol_whitelist", "file", "-f", "mp4", "-ss", offset, "-i", str(path),
            "-frames:v", "1", "-vf", f"scale={size}:{size}:force_original_aspect_ratio=decrease",
            "-f", "image2pipe", "-c:v", "png", "pipe:1",
        ]  # fmt: skip
        try:
            result = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
                command, capture_output=True, timeout=settings.THUMBNAIL_FFMPEG_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise NoPicture("ffmpeg took too long") from error
        if result.returncode == 0 and result.stdout:
            return _open_image(io.BytesIO(result.stdout))
    raise NoPicture(f"ffmpeg found no frame: {result.stderr[-300:].decode(errors='replace').strip()}")


def _jpeg(image: Image.Image) -> bytes:
    """The picture shrunk to THUMBNAIL_SIZE and flattened onto white (a transparent PNG stays readable)."""
    size = settings.THUMBNAIL_SIZE
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
