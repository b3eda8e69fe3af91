"""What every extractor shares: the result, the extractor interface, text decoding (what
extraction reports, errors and progress, is in :mod:`sources.extractors.errors`).

No Django and no database. A format is a subclass of :class:`Extractor` in its own module,
registered in :mod:`sources.extractors.registry`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sources.footnotes import ParsedMarker, ParsedReference
from sources.normalise import page_at

from .errors import IngestionError, NeedsOcr, ProgressCallback  # noqa: F401 (the interface)

if TYPE_CHECKING:
    from .archives import ArchiveLimits
    from .ocr import OcrSettings

# Bytes that never occur in text files (everything below 0x20 except tab, LF, FF, CR, ESC).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_MAX_CONTROL_RATIO = 0.005


@dataclass(frozen=True)
class ExtractedDocument:
    full_text: str
    page_starts: list[int]
    references: list[ParsedReference]
    markers: list[ParsedMarker]
    media_type: str
    extractor: str
    # Per page: None, or for an OCR'd page {"ocr": True, "confidence": mean word confidence,
    # "low_words": [[word, x0, y0, x1, y1, confidence], ...]} (see sources.extractors.ocr).
    page_ocr: list[dict | None] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int:
        """The 1-based page number that holds the character at ``offset``."""
        return page_at(self.page_starts, offset)


class Extractor:
    """One file format: how to recognise it, check it before upload and read its pages.

    A subclass sets the class attributes and implements :meth:`check`, :meth:`read_pages` and
    :meth:`extractor_name`; :meth:`pages` may be overridden to report progress page by page.
    """

    media_type: str
    label: str  # "PDF document": “x.pdf” is named like a PDF document but ...
    upload_hint: str  # "a PDF": "Upload a PDF, plain text (.txt) ... file."
    extensions: tuple[str, ...]
    # What the sniffed content of a file with one of these extensions may be (a media type, or
    # "text" for any text file): anything else is a disguised file.
    content_kinds: frozenset[str]
    strip_page_numbers = False  # drop page-number footers (for formats with printed pages)
    zip_based = False  # a ZIP archive: its sizes are checked before any parser opens it
    damaged_message = ""  # what a damaged file of this format is told (default: generic)

    def check_archive(self, path: str | os.PathLike[str], limits: ArchiveLimits) -> None:
        """For a zip-based format, refuse an archive that unpacks to too much (a zip bomb)
        before anything parses it; run by the pre-flight and again before extraction."""
        if not self.zip_based:
            return
        import zipfile

        from .archives import check_zip

        try:
            check_zip(path, limits)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise IngestionError(
                self.damaged_message
                or f"This {self.label} is damaged and cannot be read. Save it again and upload "
                "it again."
            ) from error

    def check(self, path: str | os.PathLike[str]) -> None:
        """Fast pre-flight: raise :class:`IngestionError` when the file cannot be read."""
        raise NotImplementedError

    def read_pages(self, path: str | os.PathLike[str]) -> list[str]:
        """The raw text of each page."""
        raise NotImplementedError

    def extractor_name(self) -> str:
        """The tools and versions that read the file, stored with the text."""
        raise NotImplementedError

    def check_ocr(self, path: str | os.PathLike[str], ocr: OcrSettings) -> None:
        """Pre-flight of what OCR the file needs (engine, page count); most formats need none."""

    def read(
        self,
        path: str | os.PathLike[str],
        on_page: ProgressCallback | None = None,
        ocr: OcrSettings | None = None,
    ) -> tuple[list[str], list[dict | None]]:
        """The raw text of each page and, per page, its OCR record (None: not OCR'd).

        Formats that may OCR (scanned PDFs, images) override it; the others never OCR."""
        pages = self.pages(path, on_page)
        return pages, [None] * len(pages)

    def pages(
        self, path: str | os.PathLike[str], on_page: ProgressCallback | None = None
    ) -> list[str]:
        """:meth:`read_pages`, calling ``on_page(done, total)`` after each page."""
        pages = self.read_pages(path)
        if on_page is not None:
            for done in range(1, len(pages) + 1):
                on_page(done, len(pages))
        return pages


def looks_like_text(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte-order mark
    if b"\x00" in data:
        return False
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls <= len(data) * _MAX_CONTROL_RATIO


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            pass
        # Windows-1252 decodes nearly any byte string, so only accept it for data that looks
        # like text: no NUL and almost no control bytes.
        if looks_like_text(data):
            try:
                return data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                pass
    raise IngestionError(
        "This file is not readable as text (it is neither UTF-8 nor Windows-1252 text). Save it "
        "as UTF-8 text and upload it again."
    )
