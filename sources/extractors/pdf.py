"""PDF documents: pypdf's text of each page, with blank lines between paragraphs.

Pages without a text layer (a scan, or scanned pages in a born-digital PDF) are OCR'd, and
only those (:mod:`sources.extractors.ocr`).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pypdf
from pypdf.errors import DependencyError, FileNotDecryptedError

from .base import Extractor, IngestionError, NeedsOcr, ProgressCallback
from .ocr import OcrSettings, ocr_pdf_pages, require_engine

PDF = "application/pdf"

_SAMPLE_PAGES = 5
_NO_TEXT = "No text could be read from this PDF, not even by OCR: are its pages blank?"


class PdfExtractor(Extractor):
    media_type = PDF
    label = "PDF document"
    upload_hint = "a PDF"
    extensions = (".pdf",)
    content_kinds = frozenset({PDF})
    strip_page_numbers = True

    def check(self, path: str | os.PathLike[str]) -> None:
        """Opens the file and reads up to five pages spread across it."""
        self._sample_has_text(_open_pdf(path), path)

    def check_ocr(self, path: str | os.PathLike[str], ocr: OcrSettings) -> None:
        """A scan (no text on the sampled pages) needs the OCR engine and a page count within
        the OCR limit."""
        reader = _open_pdf(path)
        if self._sample_has_text(reader, path):
            return
        require_engine(ocr.languages)
        _check_ocr_page_count(len(reader.pages), ocr)

    def _sample_has_text(self, reader: pypdf.PdfReader, path: str | os.PathLike[str]) -> bool:
        total = len(reader.pages)
        count = min(_SAMPLE_PAGES, total)
        sample = sorted({round(i * (total - 1) / max(count - 1, 1)) for i in range(count)})
        for index in sample:
            try:
                text = reader.pages[index].extract_text()
            except Exception as error:
                raise IngestionError(_damaged_pdf_message(path)) from error
            if text.strip():
                return True
        return False

    def read(
        self,
        path: str | os.PathLike[str],
        on_page: ProgressCallback | None = None,
        ocr: OcrSettings | None = None,
    ) -> tuple[list[str], list[dict | None]]:
        """pypdf's text of each page; the pages without any are OCR'd with ``ocr``'s settings
        (without settings, :class:`NeedsOcr` is raised for them)."""
        pages = self._text_layer(path, on_page)
        page_ocr: list[dict | None] = [None] * len(pages)
        blank = [number for number, text in enumerate(pages, start=1) if not text.strip()]
        if ocr is None and blank and _has_images(path, blank):
            raise NeedsOcr()
        if ocr is not None and blank:
            _check_ocr_page_count(len(blank), ocr)
            # A second phase: progress starts again, over the pages to OCR.
            for number, result in ocr_pdf_pages(path, blank, ocr, on_page).items():
                pages[number - 1] = result.text
                page_ocr[number - 1] = result.as_json()
        if not any(page.strip() for page in pages):
            raise IngestionError(_NO_TEXT)
        return pages, page_ocr

    def _text_layer(
        self, path: str | os.PathLike[str], on_page: ProgressCallback | None
    ) -> list[str]:
        reader = _open_pdf(path)
        total = len(reader.pages)
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(_pdf_page_text(page))
            except Exception as error:
                raise IngestionError(
                    f"Page {number} of this PDF is damaged and cannot be read. Re-export or "
                    "re-download the PDF and try again."
                ) from error
            if on_page is not None:
                on_page(number, total)
        return pages

    def read_pages(self, path: str | os.PathLike[str]) -> list[str]:
        return self.read(path, None, OcrSettings())[0]

    def extractor_name(self) -> str:
        return f"pypdf {pypdf.__version__}"


def _has_images(path: str | os.PathLike[str], numbers: list[int]) -> bool:
    """Whether any of these pages (without text) shows an image, that is a scan to OCR;
    a PDF's truly blank pages need none."""
    reader = _open_pdf(path)
    for number in numbers:
        try:
            resources = reader.pages[number - 1].get("/Resources") or {}
            if resources.get_object().get("/XObject"):
                return True
        except Exception:  # an odd resource dictionary: let OCR look at the page
            return True
    return False


def _check_ocr_page_count(count: int, ocr: OcrSettings) -> None:
    if count > ocr.max_pages:
        raise IngestionError(
            f"This scan has {count:,} pages to OCR, over the limit of {ocr.max_pages:,}. Split "
            "it into smaller files (or OCR it before uploading) and upload them separately."
        )


def _open_pdf(path: str | os.PathLike[str]) -> pypdf.PdfReader:
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            # An empty user password opens PDFs that only restrict printing or copying.
            raise IngestionError(
                "This PDF is encrypted (password-protected); remove the password and upload "
                "it again."
            )
        if len(reader.pages) == 0:
            raise IngestionError("This PDF has no pages.")
    except (FileNotDecryptedError, DependencyError) as error:
        raise IngestionError(
            "This PDF is encrypted (password-protected); remove the password and upload it again."
        ) from error
    except IngestionError:
        raise
    except Exception as error:  # pypdf raises many types (PdfReadError, ValueError, KeyError...)
        raise IngestionError(_damaged_pdf_message(path)) from error
    return reader


def _damaged_pdf_message(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as file:
        file.seek(max(os.path.getsize(path) - 2048, 0))
        complete = b"%%EOF" in file.read()
    if not complete:
        return (
            "This PDF is incomplete: the end of the file is missing (an interrupted download or "
            "copy?). Upload the complete file."
        )
    return "This PDF is damaged and cannot be read. Re-export or re-download it and try again."


@dataclass
class _Chunk:
    text: str
    y: float
    size: float


def _pdf_page_text(page: pypdf.PageObject) -> str:
    """pypdf's text for the page, with a blank line added between paragraphs.

    pypdf gives lines but not paragraphs. Its visitor reports where each piece of text sits, so
    a vertical gap clearly larger than the page's usual line spacing becomes a blank line. The
    text itself is exactly pypdf's: only newlines are added, and only when the pieces add up to
    what ``extract_text`` returned.
    """
    chunks: list[_Chunk] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        a, b, c, d, _, f = _multiply(tm, cm)
        # The font size in user space is the Tf size scaled by the text and user matrices.
        scale = math.sqrt(abs(a * d - b * c)) or 1.0
        chunks.append(_Chunk(text, f, size * scale))

    text = page.extract_text(visitor_text=visit)
    if "".join(chunk.text for chunk in chunks) != text:
        return text
    return "".join(_with_paragraph_breaks(chunks))


def _with_paragraph_breaks(chunks: list[_Chunk]) -> Iterator[str]:
    # Lines: the position and size of the first visible piece after each line break.
    starts: list[tuple[int, float, float]] = []
    at_line_start = True
    for index, chunk in enumerate(chunks):
        if at_line_start and chunk.text.strip():
            starts.append((index, chunk.y, chunk.size))
            at_line_start = False
        if chunk.text.endswith("\n"):
            at_line_start = True
    ratios = [
        abs(y - prev_y) / size
        for (_, prev_y, _), (_, y, size) in itertools.pairwise(starts)
        if size > 0 and 0.8 < abs(y - prev_y) / size < 3
    ]
    if len(ratios) < 3:
        yield from (chunk.text for chunk in chunks)
        return
    ratios.sort()
    threshold = max(ratios[len(ratios) // 2] * 1.25, 1.5)
    breaks = {
        index
        for (_, prev_y, prev_size), (index, y, size) in itertools.pairwise(starts)
        if abs(y - prev_y) > threshold * max(min(size, prev_size), 1.0)
    }
    for index, chunk in enumerate(chunks):
        if index in breaks:
            yield "\n"
        yield chunk.text


def _multiply(m: list[float], n: list[float]) -> tuple[float, ...]:
    """The product of two PDF matrices [a b c d e f]."""
    return (
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    )
