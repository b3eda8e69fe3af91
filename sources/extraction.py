"""Text extraction for the source library: file checks, per-page text, the normalised full text.

Pure functions, no Django models and no database:

- :func:`check_file` is the fast pre-flight run before an upload is saved. It refuses empty,
  oversized, disguised, encrypted, damaged and scanned (image-only) files with an
  :class:`IngestionError` whose message is written for the analyst.
- :func:`extract_pages` returns the raw text of each page.
- :func:`extract_document` runs extraction, normalisation (:mod:`sources.normalise`) and
  footnote parsing (:mod:`sources.footnotes`) and returns an :class:`ExtractedDocument`.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import docx
import filetype
import markdown
import pypdf
from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag
from docx.oxml.ns import qn
from lxml import etree
from pypdf.errors import DependencyError, FileNotDecryptedError

from sources.footnotes import ParsedMarker, ParsedReference, parse_footnotes, to_superscript
from sources.normalise import normalise_pages, page_at

PDF = "application/pdf"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
HTML = "text/html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

SUPPORTED_MEDIA_TYPES = {
    PDF: "PDF document",
    TEXT: "plain text",
    MARKDOWN: "Markdown",
    HTML: "HTML page",
    DOCX: "Word document (DOCX)",
}

ProgressCallback = Callable[[int, int], None]

_EXTENSIONS = {
    ".pdf": PDF,
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".htm": HTML,
    ".html": HTML,
    ".xhtml": HTML,
    ".docx": DOCX,
}
_SUPPORTED_HINT = (
    "Upload a PDF, plain text (.txt), Markdown (.md), HTML (.html) or Word (.docx) file."
)
_HEAD_BYTES = 8192
_PDF_SAMPLE_PAGES = 5
_NO_TEXT_LAYER = (
    "This PDF has no text layer: it looks like a scanned document, and no OCR is available. "
    "Upload a PDF with selectable text."
)
# Bytes that never occur in text files (everything below 0x20 except tab, LF, FF, CR, ESC).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_MAX_CONTROL_RATIO = 0.005

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

logger = logging.getLogger(__name__)


class IngestionError(Exception):
    """A file that cannot be ingested; ``str()`` is a one-line message for the analyst."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class ExtractedDocument:
    full_text: str
    page_starts: list[int]
    references: list[ParsedReference]
    markers: list[ParsedMarker]
    media_type: str
    extractor: str

    @property
    def page_count(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int:
        """The 1-based page number that holds the character at ``offset``."""
        return page_at(self.page_starts, offset)


# --- File type ---------------------------------------------------------------------------------


def sniff_media_type(head: bytes, filename: str) -> str:
    """The media type of a file from its first bytes and its name; refuses disguised files.

    The extension says what the file claims to be and the content must agree: a PNG renamed
    ``.pdf`` or a PDF renamed ``.docx`` is refused with a message naming what it really is. A
    file without an extension is accepted for what its content is.
    """
    name = os.path.basename(filename) or "The file"
    extension = Path(filename).suffix.lower()
    claimed = _EXTENSIONS.get(extension)
    actual, description = _content_kind(head)

    if claimed is None:
        if extension:
            what = f"; it is {description}" if actual != "binary" else ""
            raise IngestionError(f"Unsupported file type “{extension}”{what}. {_SUPPORTED_HINT}")
        if actual in (PDF, DOCX):
            return actual
        if actual == "text":
            return HTML if _looks_like_html(head) else TEXT
        raise IngestionError(
            f"“{name}” has no file extension and is {description}. {_SUPPORTED_HINT}"
        )

    if claimed == PDF and actual == PDF:
        return PDF
    if claimed == DOCX and actual in (DOCX, "application/zip"):
        return DOCX  # a DOCX is a ZIP archive; check_file looks inside
    if claimed in (TEXT, MARKDOWN, HTML) and actual == "text":
        return claimed
    label = SUPPORTED_MEDIA_TYPES[claimed]
    raise IngestionError(
        f"“{name}” is named like a {label} but it is actually {description}. "
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
    if _looks_like_text(head):
        return "text", "a text file"
    return "binary", "binary data (not text)"


def _looks_like_text(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte-order mark
    if b"\x00" in data:
        return False
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls <= len(data) * _MAX_CONTROL_RATIO


def _looks_like_html(head: bytes) -> bool:
    start = head[:1024].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<body" in start


# --- Pre-flight --------------------------------------------------------------------------------


def check_file(path: str | os.PathLike[str], filename: str, *, max_bytes: int) -> str:
    """Fast pre-flight for an upload; returns its media type or raises :class:`IngestionError`.

    It reads the first bytes, and for a PDF the cross-reference table and up to five pages
    spread across the document, so it stays well under a second even for a large file.
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
        head = file.read(_HEAD_BYTES)
    media_type = sniff_media_type(head, filename)
    if media_type == PDF:
        _check_pdf(path)
    elif media_type == DOCX:
        _check_docx(path)
    else:
        _decode_text(Path(path).read_bytes())
    return media_type


def _format_size(size: int) -> str:
    if size < 100 * 1024:
        return f"{size:,} bytes"
    megabytes = f"{size / 2**20:.1f}".removesuffix(".0")
    return f"{megabytes} MB"


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


def _check_pdf(path: str | os.PathLike[str]) -> None:
    reader = _open_pdf(path)
    total = len(reader.pages)
    count = min(_PDF_SAMPLE_PAGES, total)
    sample = sorted({round(i * (total - 1) / max(count - 1, 1)) for i in range(count)})
    for index in sample:
        try:
            text = reader.pages[index].extract_text()
        except Exception as error:
            raise IngestionError(_damaged_pdf_message(path)) from error
        if text.strip():
            return
    raise IngestionError(_NO_TEXT_LAYER)


def _check_docx(path: str | os.PathLike[str]) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            if "word/document.xml" not in archive.namelist():
                raise IngestionError(
                    "This file is a ZIP archive, not a Word document (it has no word/document.xml)."
                )
        docx.Document(os.fspath(path))
    except IngestionError:
        raise
    except Exception as error:
        raise IngestionError(
            "This Word document is damaged and cannot be read. Open it in Word, save it again "
            "as .docx and upload it again."
        ) from error


def _decode_text(data: bytes) -> tuple[str, str]:
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
        if _looks_like_text(data):
            try:
                return data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                pass
    raise IngestionError(
        "This file is not readable as text (it is neither UTF-8 nor Windows-1252 text). Save it "
        "as UTF-8 text and upload it again."
    )


# --- Extraction --------------------------------------------------------------------------------


def extract_pages(
    path: str | os.PathLike[str], media_type: str, *, on_page: ProgressCallback | None = None
) -> list[str]:
    """The raw text of each page. ``on_page(done, total)`` is called after each page."""
    if media_type == PDF:
        return _pdf_pages(path, on_page)
    if media_type in (TEXT, MARKDOWN, HTML):
        text, _ = _decode_text(Path(path).read_bytes())
        if media_type == HTML:
            pages = [_html_text(BeautifulSoup(text, "lxml"))]
        else:
            # A form feed is the page break of plain text files.
            pages = text.split("\f")
            if media_type == MARKDOWN:
                pages = [_markdown_text(page) for page in pages]
    elif media_type == DOCX:
        pages = _docx_pages(path)
    else:
        raise IngestionError(f"Unsupported file type “{media_type}”. {_SUPPORTED_HINT}")
    if on_page is not None:
        for done in range(1, len(pages) + 1):
            on_page(done, len(pages))
    return pages


def extract_document(
    path: str | os.PathLike[str],
    media_type: str | None = None,
    filename: str | None = None,
    *,
    on_page: ProgressCallback | None = None,
) -> ExtractedDocument:
    """Extract, normalise and parse footnotes. Does not run :func:`check_file`."""
    if media_type is None:
        with open(path, "rb") as file:
            media_type = sniff_media_type(file.read(_HEAD_BYTES), filename or os.fspath(path))
    pages = extract_pages(path, media_type, on_page=on_page)
    normalised = normalise_pages(pages, strip_page_numbers=media_type == PDF)
    footnotes = parse_footnotes(normalised.full_text, normalised.page_starts)
    return ExtractedDocument(
        full_text=normalised.full_text,
        page_starts=normalised.page_starts,
        references=footnotes.references,
        markers=footnotes.markers,
        media_type=media_type,
        extractor=_extractor_name(media_type),
    )


def _extractor_name(media_type: str) -> str:
    if media_type == PDF:
        return f"pypdf {pypdf.__version__}"
    if media_type == DOCX:
        return f"python-docx {version('python-docx')}"
    if media_type == MARKDOWN:
        return f"Markdown {markdown.__version__} + beautifulsoup4 {version('beautifulsoup4')}"
    if media_type == HTML:
        return f"beautifulsoup4 {version('beautifulsoup4')} (lxml)"
    return "plain text"


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_pages(path: str | os.PathLike[str], on_page: ProgressCallback | None) -> list[str]:
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
    if not any(page.strip() for page in pages):
        raise IngestionError(_NO_TEXT_LAYER)
    return pages


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


# --- HTML and Markdown -------------------------------------------------------------------------

_HIDDEN_TAGS = frozenset(
    [
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "noscript",
        "template",
        "head",
        "svg",
        "canvas",
        "iframe",
        "object",
    ]
)
_PARAGRAPH_TAGS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "dl",
        "figure",
        "hr",
        "address",
        "details",
    ]
)
_LINE_TAGS = frozenset(
    [
        "div",
        "section",
        "article",
        "main",
        "aside",
        "li",
        "dt",
        "dd",
        "tr",
        "caption",
        "figcaption",
        "summary",
        "form",
        "fieldset",
    ]
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# Block boundaries are collected as marks and resolved at the end, so nested or adjacent blocks
# give one line break (or one blank line around paragraphs), never a pile of them.
_LINE_MARK, _PARAGRAPH_MARK = "\x00", "\x01"
_BREAK_MARKS = re.compile(r"[ \t]*[\x00\x01][\x00\x01 \t]*")
# CommonMark lets any ASCII punctuation be escaped; Python-Markdown only knows a few (not \$).
_ASCII_PUNCTUATION = [chr(c) for c in range(33, 127) if not chr(c).isalnum()]


def _html_text(root: Tag) -> str:
    """Visible text of an HTML tree; block elements become line breaks.

    Hand-written rather than ``get_text()``: it must apply HTML whitespace rules (source line
    breaks are spaces), put block elements on their own lines and turn numeric ``<sup>`` into
    superscript digits so footnote markers survive as they do in PDFs.
    """
    out: list[str] = []

    def walk(node: Tag, preformatted: bool) -> None:
        for child in node.children:
            if isinstance(child, Comment | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                text = str(child)
                out.append(text if preformatted else _HTML_SPACE.sub(" ", text))
                continue
            if not isinstance(child, Tag) or child.name in _HIDDEN_TAGS:
                continue
            if child.name == "br":
                out.append("\n")
                continue
            if child.name == "sup" and child.get_text().strip().isdigit():
                out.append(to_superscript(int(child.get_text().strip())))
                continue
            mark = (
                _PARAGRAPH_MARK
                if child.name in _PARAGRAPH_TAGS
                else _LINE_MARK
                if child.name in _LINE_TAGS
                else "\t"
                if child.name in ("td", "th")
                else ""
            )
            out.append(mark)
            walk(child, preformatted or child.name == "pre")
            out.append(mark)

    walk(root.body or root, False)
    return _BREAK_MARKS.sub(
        lambda match: "\n\n" if _PARAGRAPH_MARK in match.group() else "\n", "".join(out)
    )


def _markdown_text(text: str) -> str:
    converter = markdown.Markdown(extensions=["extra", "sane_lists"])
    converter.ESCAPED_CHARS = _ASCII_PUNCTUATION
    soup = BeautifulSoup(converter.convert(text), "lxml")
    # Footnotes ([^1]) become numbered entries like printed ones: "¹ text" on one line.
    for backref in soup.select("a.footnote-backref"):
        backref.decompose()
    for number, item in enumerate(soup.select("div.footnote li"), start=1):
        for paragraph in item.find_all("p"):
            paragraph.unwrap()
        item.insert(0, to_superscript(number) + " ")
    return _html_text(soup)


# --- DOCX --------------------------------------------------------------------------------------

_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_TYPE = qn("w:type")
_W_VAL = qn("w:val")
_W_ID = qn("w:id")
_W_R = qn("w:r")
_W_FOOTNOTE_REF = qn("w:footnoteReference")
_W_PAGE_BREAK_BEFORE = qn("w:pageBreakBefore")
_W_PPR = qn("w:pPr")
_W_RPR = qn("w:rPr")
_W_VERT_ALIGN = qn("w:vertAlign")


def _docx_pages(path: str | os.PathLike[str]) -> list[str]:
    """Paragraphs and tables in document order; explicit page breaks start a new page.

    Walks the XML because python-docx has no API for page breaks inside runs, superscript
    footnote numbers or Word's own footnotes (which are appended after the text as numbered
    notes, with their reference marks numbered in order of appearance).
    """
    try:
        document = docx.Document(os.fspath(path))
    except Exception as error:
        raise IngestionError(
            "This Word document is damaged and cannot be read. Open it in Word, save it again "
            "as .docx and upload it again."
        ) from error
    footnotes = _docx_footnotes(document)
    numbers: dict[str, int] = {}
    pages: list[list[str]] = [[]]

    def paragraph(element: object) -> None:
        properties = element.find(_W_PPR)
        if properties is not None:
            before = properties.find(_W_PAGE_BREAK_BEFORE)
            if before is not None and before.get(_W_VAL, "true") not in ("0", "false"):
                pages.append([])
        line: list[str] = []
        for node in element.iter(_W_T, _W_TAB, _W_BR, _W_CR, _W_FOOTNOTE_REF):
            if node.tag == _W_T:
                line.append(_docx_run_text(node))
            elif node.tag == _W_TAB:
                line.append("\t")
            elif node.tag == _W_FOOTNOTE_REF:
                number = numbers.setdefault(node.get(_W_ID), len(numbers) + 1)
                line.append(to_superscript(number))
            elif node.tag == _W_BR and node.get(_W_TYPE) == "page":
                pages[-1].append("".join(line))
                line = []
                pages.append([])
            else:
                line.append("\n")
        pages[-1].append("".join(line))

    for element in document.element.body.iterchildren():
        if element.tag == _W_P:
            paragraph(element)
        elif element.tag == _W_TBL:
            for row in element.iter(_W_TR):
                cells = []
                for cell in row.iterchildren(_W_TC):
                    cells.append(" ".join(node.text or "" for node in cell.iter(_W_T)))
                pages[-1].append("\t".join(cells))
    notes = [
        f"{to_superscript(n)} {footnotes[key]}" for key, n in numbers.items() if key in footnotes
    ]
    if notes:
        pages[-1].extend(["", *notes])
    return ["\n\n".join(lines) for lines in pages]


def _docx_run_text(node: object) -> str:
    text = node.text or ""
    run = node.getparent()
    if run is not None and run.tag == _W_R and text.strip().isdigit():
        properties = run.find(_W_RPR)
        align = properties.find(_W_VERT_ALIGN) if properties is not None else None
        if align is not None and align.get(_W_VAL) == "superscript":
            return to_superscript(int(text.strip()))
    return text


def _docx_footnotes(document: docx.document.Document) -> dict[str, str]:
    """Word's footnotes (word/footnotes.xml) by id, as plain text."""
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/footnotes.xml":
            root = etree.parse(io.BytesIO(part.blob)).getroot()
            notes = {}
            for note in root.iterchildren(qn("w:footnote")):
                if note.get(_W_TYPE) in ("separator", "continuationSeparator"):
                    continue
                text = " ".join(
                    "".join(t.text or "" for t in p.iter(_W_T)) for p in note.iter(_W_P)
                )
                notes[note.get(_W_ID)] = text.strip()
            return notes
    return {}
