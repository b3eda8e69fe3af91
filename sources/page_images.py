"""PNG images of a source's pages, to check OCR'd text against the scan.

A page is rendered once, at :data:`DPI`, from the source's file (PDFs with pypdfium2, scanned
images with Pillow, frame by frame) and kept in media storage under the file's SHA-256, so
the next view of the page reads the PNG back instead of opening the document again.
"""

from __future__ import annotations

import io
import warnings

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from .extractors.pdf import PDF

DPI = 100
# No side of a page image beyond this many pixels (a poster-sized page stays small).
MAX_SIDE = 2000


def storage_name(text, number: int) -> str:
    return f"page-images/{text.file_sha256}/{number}-{DPI}.png"


def page_png(source, number: int) -> bytes | None:
    """The PNG of page ``number`` (1-based) of the source's current text, or None when the
    page or the file is not there."""
    text = source.current_text
    if text is None or not 1 <= number <= text.page_count or not source.file:
        return None
    name = storage_name(text, number)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as cached:
            return cached.read()
    try:
        with source.file.open("rb") as file:
            data = _render(file, source.media_type, number)
    except FileNotFoundError:
        return None
    if data is not None:
        default_storage.save(name, ContentFile(data))
    return data


def scan_data(source_id, page_number, ocr):
    """What the scan figure of an OCR'd page shows: its image and the boxes of its doubtful
    words, in percent of the page (templates/sources/admin/scan_page.html)."""
    return {
        "page": page_number,
        "image_url": reverse("sources:page_image", args=[source_id, page_number]),
        "confidence": ocr.get("confidence"),
        "boxes": [
            {
                "word": word,
                "confidence": confidence,
                "style": f"left:{x0 * 100:.2f}%;top:{y0 * 100:.2f}%;"
                f"width:{(x1 - x0) * 100:.2f}%;height:{(y1 - y0) * 100:.2f}%",
            }
            for word, x0, y0, x1, y1, confidence in ocr.get("low_words") or []
        ],
    }


def _render(file, media_type: str, number: int) -> bytes | None:
    if media_type == PDF:
        image = _render_pdf(file, number)
    elif media_type.startswith("image/"):
        image = _render_image(file, number)
    else:
        return None
    if image is None:
        return None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _render_pdf(file, number: int):
    import pypdfium2

    document = pypdfium2.PdfDocument(file.read())
    try:
        if number > len(document):
            return None
        page = document[number - 1]
        width, height = page.get_size()
        scale = min(DPI / 72, MAX_SIDE / max(width, height, 1))
        return page.render(scale=scale, grayscale=True).to_pil()
    finally:
        document.close()


def _render_image(file, number: int):
    from PIL import Image, ImageSequence

    from .extractors.images import _dpi

    with warnings.catch_warnings():
        # The file passed the upload's image-size check already.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(file)
        for index, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if index == number:
                frame = frame.convert("L" if frame.mode in ("1", "L", "LA", "P") else "RGB")
                scale = DPI / _dpi(image)
                if scale < 1:
                    frame = frame.resize((round(frame.width * scale), round(frame.height * scale)))
                return frame.copy()
    return None
