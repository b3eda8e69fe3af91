"""Text extraction for the source library: file checks, per-page text, the normalised full text.

Pure functions, no Django models and no database. One module per file format (:mod:`.pdf`,
:mod:`.plain_text`, :mod:`.markdown_text`, :mod:`.html_page`, :mod:`.word_docx`), each an
:class:`Extractor` registered by media type in :mod:`.registry`; :mod:`.sniffing` tells which
format a file is.

- :func:`check_file` is the fast pre-flight run before an upload is saved. It refuses empty,
  oversized, disguised, encrypted and damaged files, and scans that OCR cannot take (no
  engine, too many pages, too large images) with an :class:`IngestionError` whose message is
  written for the analyst.
- :func:`extract_pages` returns the raw text of each page.
- :func:`extract_document` runs extraction, normalisation (:mod:`sources.normalise`) and
  footnote parsing (:mod:`sources.footnotes`) and returns an :class:`ExtractedDocument`.
"""

from __future__ import annotations

import os

from sources.footnotes import parse_footnotes
from sources.normalise import normalise_pages

from .archives import ArchiveLimits
from .base import ExtractedDocument, Extractor, IngestionError, NeedsOcr, ProgressCallback
from .html_page import HTML
from .images import JPEG, PNG, TIFF
from .markdown_text import MARKDOWN
from .ocr import OcrSettings
from .pdf import PDF
from .plain_text import TEXT
from .registry import EXTRACTORS, SUPPORTED_MEDIA_TYPES, extractor_for
from .sniffing import HEAD_BYTES, sniff_media_type
from .word_docx import DOCX

__all__ = [
    "DOCX",
    "EXTRACTORS",
    "HTML",
    "JPEG",
    "MARKDOWN",
    "PDF",
    "PNG",
    "SUPPORTED_MEDIA_TYPES",
    "TEXT",
    "TIFF",
    "ArchiveLimits",
    "ExtractedDocument",
    "Extractor",
    "IngestionError",
    "NeedsOcr",
    "OcrSettings",
    "ProgressCallback",
    "check_file",
    "extract_document",
    "extract_pages",
    "sniff_media_type",
]


DEFAULT_OCR = OcrSettings()
DEFAULT_ARCHIVE_LIMITS = ArchiveLimits()


def check_file(
    path: str | os.PathLike[str],
    filename: str,
    *,
    max_bytes: int,
    ocr: OcrSettings | None = None,
    archive_limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
) -> str:
    """Fast pre-flight for an upload; returns its media type or raises :class:`IngestionError`.

    It reads the first bytes, and for a PDF the cross-reference table and up to five pages
    spread across the document, so it stays well under a second even for a large file. A
    zip-based file (DOCX) is checked against ``archive_limits`` from its directory alone and
    is never parsed here.
    """
    name = os.path.basename(filename) or "The file"
    size = os.path.getsize(path)
    if size == 0:
        raise IngestionError(f"“{name}” is empty (0 bytes).")
    if size > max_bytes:
        raise IngestionError(
            f"“{name}” is {_format_size(size)}, over the upload limit of {_format_size(max_bytes)}."
        )
    with open(path, "rb") as file:
        head = file.read(HEAD_BYTES)
    media_type = sniff_media_type(head, filename)
    extractor = extractor_for(media_type)
    extractor.check_archive(path, archive_limits)
    extractor.check(path)
    extractor.check_ocr(path, ocr or OcrSettings())
    return media_type


def _format_size(size: int) -> str:
    if size < 100 * 1024:
        return f"{size:,} bytes"
    megabytes = f"{size / 2**20:.1f}".removesuffix(".0")
    return f"{megabytes} MB"


def extract_pages(
    path: str | os.PathLike[str], media_type: str, *, on_page: ProgressCallback | None = None
) -> list[str]:
    """The raw text of each page (OCR'ing scans). ``on_page(done, total)`` after each page."""
    return extractor_for(media_type).read(path, on_page, DEFAULT_OCR)[0]


def extract_document(
    path: str | os.PathLike[str],
    media_type: str | None = None,
    filename: str | None = None,
    *,
    on_page: ProgressCallback | None = None,
    ocr: OcrSettings | None = DEFAULT_OCR,
    archive_limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
) -> ExtractedDocument:
    """Extract (OCR'ing scanned pages with ``ocr``'s settings), normalise and parse footnotes.
    Does not run :func:`check_file`, but checks a zip-based file against ``archive_limits``
    again before parsing it. With ``ocr=None`` a file that needs OCR raises :class:`NeedsOcr`
    instead."""
    if media_type is None:
        with open(path, "rb") as file:
            media_type = sniff_media_type(file.read(HEAD_BYTES), filename or os.fspath(path))
    extractor = extractor_for(media_type)
    extractor.check_archive(path, archive_limits)
    pages, page_ocr = extractor.read(path, on_page, ocr)
    normalised = normalise_pages(pages, strip_page_numbers=extractor.strip_page_numbers)
    footnotes = parse_footnotes(normalised.full_text, normalised.page_starts)
    return ExtractedDocument(
        full_text=normalised.full_text,
        page_starts=normalised.page_starts,
        references=footnotes.references,
        markers=footnotes.markers,
        media_type=media_type,
        extractor=_extractor_name(extractor, page_ocr),
        page_ocr=page_ocr,
    )


def _extractor_name(extractor: Extractor, page_ocr: list[dict | None]) -> str:
    name = extractor.extractor_name()
    if any(page_ocr) and "OCRmyPDF" not in name:
        import ocrmypdf

        name = f"{name}, OCRmyPDF {ocrmypdf.__version__} (Tesseract)"
    return name
