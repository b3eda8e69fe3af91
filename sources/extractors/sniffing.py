"""What a file is, from its first bytes and its name; disguised files are refused."""

from __future__ import annotations

import os
from pathlib import Path

import filetype

from .base import IngestionError, looks_like_text
from .html_page import HTML, looks_like_html
from .pdf import PDF
from .plain_text import TEXT
from .registry import BY_EXTENSION, EXTRACTORS, SUPPORTED_HINT
from .word_docx import DOCX

HEAD_BYTES = 8192

_KIND_LABELS = {
    "image/jpeg": "a JPEG image",
    "image/png": "a PNG image",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/tiff": "a TIFF image",
    "image/bmp": "a BMP image",
    "application/zip": "a ZIP archive",
    "application/gzip": "a gzip archive",
    "application/x-tar": "a tar archive",
    "application/x-rar-compressed": "a RAR archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/x-executable": "an executable program (ELF)",
    "application/x-msdownload": "a Windows executable program",
    "application/msword": "an old Word document (.doc)",
    "application/rtf": "an RTF document",
    "application/vnd.oasis.opendocument.text": "an OpenDocument text file (.odt)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel workbook",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "a PowerPoint presentation"
    ),
    "application/epub+zip": "an EPUB e-book",
    PDF: "a PDF document",
    DOCX: "a Word document (DOCX)",
}


def sniff_media_type(head: bytes, filename: str) -> str:
    """The media type of a file from its first bytes and its name; refuses disguised files.

    The extension says what the file claims to be and the content must agree: a PNG renamed
    ``.pdf`` or a PDF renamed ``.docx`` is refused with a message naming what it really is. A
    file without an extension is accepted for what its content is.
    """
    name = os.path.basename(filename) or "The file"
    extension = Path(filename).suffix.lower()
    claimed = BY_EXTENSION.get(extension)
    actual, description = _content_kind(head)

    if claimed is None:
        if extension:
            what = f"; it is {description}" if actual != "binary" else ""
            raise IngestionError(f"Unsupported file type “{extension}”{what}. {SUPPORTED_HINT}")
        if actual in EXTRACTORS:
            return actual
        if actual == "text":
            return HTML if looks_like_html(head) else TEXT
        raise IngestionError(
            f"“{name}” has no file extension and is {description}. {SUPPORTED_HINT}"
        )

    if actual in claimed.content_kinds:
        return claimed.media_type  # for a DOCX (a ZIP archive) check_file looks inside
    raise IngestionError(
        f"“{name}” is named like a {claimed.label} but it is actually {description}. "
        "Upload the original file, or give it the right extension."
    )


def _content_kind(head: bytes) -> tuple[str, str]:
    """What the bytes are: (media type or "text"/"binary", a description for messages)."""
    # PDF readers accept the header anywhere in the first kilobyte (junk before it happens).
    if b"%PDF-" in head[:1024]:
        return PDF, "a PDF document"
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime == "application/zip" and b"word/" in head:
            return DOCX, _KIND_LABELS[DOCX]
        label = _KIND_LABELS.get(kind.mime, f"a {kind.extension.upper()} file ({kind.mime})")
        return kind.mime, label
    if looks_like_text(head):
        return "text", "a text file"
    return "binary", "binary data (not text)"
