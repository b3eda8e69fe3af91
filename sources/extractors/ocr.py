"""OCR of scanned pages: OCRmyPDF driving Tesseract, page by page, with word confidences.

No Django and no database. :func:`ocr_pdf_pages` OCRs the listed pages of a PDF and returns,
for each, Tesseract's text and the confidence of its words.

Why OCRmyPDF's hOCR pipeline (``ocrmypdf.api._pdf_to_hocr``, marked experimental, hence the
``<18`` pin in pyproject.toml): in one Tesseract pass per page it writes both the plain text
(with Tesseract's paragraph breaks) and the hOCR with each word's ``x_wconf``, while OCRmyPDF
does the rasterising, orientation and image-size checks and the per-page Tesseract timeouts.
Building a searchable PDF (``ocrmypdf.ocr``) would throw the confidences away, and running
Tesseract a second time for them would double the slowest step.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .errors import IngestionError, ProgressCallback

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGES = "eng+rus+kaz"
TESSERACT_PACKAGES = "tesseract-ocr ghostscript"
# A page whose OCR takes longer is given up (its text stays empty); the Celery time limit of
# the OCR task bounds the whole document.
PAGE_TIMEOUT_SECONDS = 180.0
# Words Tesseract is less sure of than this (0-100) are marked in the reader and make saving
# evidence that quotes them ask for a confirmation.
LOW_CONFIDENCE = 70.0
# Pages larger than this are refused (a decompression bomb), like Pillow's own limit.
MAX_IMAGE_MEGAPIXELS = 180.0

# BCP 47 language of a source -> Tesseract's language.
TESSERACT_LANGUAGES = {
    "en": "eng",
    "ru": "rus",
    "kk": "kaz",
    "kz": "kaz",
    "de": "deu",
    "fr": "fra",
    "zh": "chi_sim",
    "uz": "uzb",
    "ky": "kir",
}

_WCONF = re.compile(r"x_wconf (\d+)")
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class OcrSettings:
    """What the caller (the worker, from the Django settings) decides about OCR."""

    languages: str = DEFAULT_LANGUAGES  # Tesseract's "eng+rus"
    max_pages: int = 500
    page_timeout: float = PAGE_TIMEOUT_SECONDS
    low_confidence: float = LOW_CONFIDENCE
    max_megapixels: float = MAX_IMAGE_MEGAPIXELS

    def for_language(self, language: str) -> OcrSettings:
        """These settings with the Tesseract languages of a source in ``language`` (BCP 47).

        A language with a Tesseract model reads as that language plus English (scans quote
        English names and titles); any other keeps the configured languages."""
        code = TESSERACT_LANGUAGES.get((language or "").lower().split("-")[0])
        if code is None:
            return self
        languages = code if code == "eng" else f"{code}+eng"
        return OcrSettings(
            languages=languages,
            max_pages=self.max_pages,
            page_timeout=self.page_timeout,
            low_confidence=self.low_confidence,
            max_megapixels=self.max_megapixels,
        )


@dataclass
class OcrPage:
    """One OCR'd page: its text, the mean confidence of its words and the doubtful words.

    ``low_words`` are ``[word, x0, y0, x1, y1, confidence]`` with the box in fractions of the
    page's width and height (0-1), so the reader can mark them on any rendering of the page."""

    text: str
    confidence: float | None
    low_words: list[list] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "ocr": True,
            "confidence": self.confidence,
            "low_words": self.low_words,
        }


def engine_problem(languages: str = DEFAULT_LANGUAGES) -> str | None:
    """Why OCR cannot run here (what to install), or None when it can."""
    missing = [name for name in ("tesseract", "gs") if shutil.which(name) is None]
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return (
            "Scanned documents need OCR, and the Python package ocrmypdf is not installed "
            "on the worker: run `make install`."
        )
    if missing:
        return (
            "Scanned documents need OCR, and the OCR engine is not installed on the worker: "
            f"install the Debian packages {TESSERACT_PACKAGES} "
            f"({_language_packages(languages)}), e.g. with `make ocr-engine`."
        )
    absent = [code for code in languages.split("+") if code not in _installed_languages()]
    if absent:
        packages = " ".join(f"tesseract-ocr-{code.replace('_', '-')}" for code in absent)
        return (
            f"OCR in {'+'.join(absent)} needs the Tesseract language data that is not "
            f"installed on the worker: install the Debian packages {packages}."
        )
    return None


def require_engine(languages: str) -> None:
    problem = engine_problem(languages)
    if problem:
        raise IngestionError(problem)


def _language_packages(languages: str) -> str:
    return " ".join(f"tesseract-ocr-{code.replace('_', '-')}" for code in languages.split("+"))


@functools.cache
def _installed_languages() -> frozenset[str]:
    from ocrmypdf.builtin_plugins import tesseract_ocr  # noqa: F401
    from ocrmypdf.subprocess import run

    try:
        result = run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in result.stdout.splitlines()[1:] if line.strip())


# --- Progress --------------------------------------------------------------------------------
# OCRmyPDF reports progress to a progress-bar class a plugin provides; it lives in the thread
# that called OCRmyPDF, so a thread-local carries the callback of the running job.
_progress = threading.local()


class _ProgressBar:
    def __init__(self, total=None, desc=None, unit=None, disable=False, unit_scale=1, **kwargs):
        self.total = total
        self.desc = desc
        self.unit_scale = unit_scale
        self.done = 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n=1, *, completed=None):
        self.done = completed if completed is not None else self.done + n
        callback = getattr(_progress, "callback", None)
        if callback is not None and self.desc == "hOCR" and self.total:
            callback(self.done / self.total)


def progressbar_class():
    return _ProgressBar


# --- OCR -------------------------------------------------------------------------------------


def ocr_pdf_pages(
    path: str | Path,
    page_numbers: list[int],
    settings: OcrSettings,
    on_progress: ProgressCallback | None = None,
) -> dict[int, OcrPage]:
    """OCR the 1-based ``page_numbers`` of the PDF at ``path``.

    ``on_progress(done, total)`` is called in pages of ``page_numbers`` as OCRmyPDF reports
    them. Raises :class:`IngestionError` when the engine is missing or the file is refused."""
    if not page_numbers:
        return {}
    require_engine(settings.languages)
    import ocrmypdf
    from ocrmypdf import exceptions

    total = len(page_numbers)

    def fraction(done: float) -> None:
        if on_progress is not None:
            on_progress(min(int(done * total), total), total)

    with tempfile.TemporaryDirectory(prefix="briefdesk-ocr-") as folder:
        _progress.callback = fraction
        try:
            ocrmypdf.api._pdf_to_hocr(
                Path(path),
                Path(folder),
                language=settings.languages.split("+"),
                pages=",".join(str(n) for n in page_numbers),
                mode="skip",
                jobs=1,
                use_threads=True,  # a Celery prefork child may not fork a process pool
                progress_bar=False,
                tesseract_timeout=settings.page_timeout,
                max_image_mpixels=settings.max_megapixels,
                plugins=["sources.extractors.ocr_plugin"],
            )
        except exceptions.EncryptedPdfError as error:
            raise IngestionError(
                "This PDF is encrypted (password-protected); remove the password and upload "
                "it again."
            ) from error
        except exceptions.InputFileError as error:
            raise IngestionError(
                "This scan cannot be read for OCR (the file is damaged or not a valid PDF or "
                "image). Re-scan or re-export it and try again."
            ) from error
        except exceptions.MissingDependencyError as error:
            raise IngestionError(engine_problem(settings.languages) or str(error)) from error
        except exceptions.ExitCodeException as error:
            raise IngestionError(f"OCR failed: {error}".rstrip(": ")) from error
        except Exception as error:  # PIL's DecompressionBombError and friends
            if "decompression bomb" in str(error).lower() or "pixels" in str(error).lower():
                raise IngestionError(_too_large_message(settings)) from error
            raise
        finally:
            _progress.callback = None
        pages = {n: _read_page(Path(folder), n, settings.low_confidence) for n in page_numbers}
    fraction(1.0)
    return pages


def _too_large_message(settings: OcrSettings) -> str:
    return (
        f"A page of this scan is larger than {settings.max_megapixels:g} megapixels, too large "
        "to OCR safely. Scan it at a lower resolution (300 dpi is plenty) and upload it again."
    )


def _read_page(folder: Path, number: int, low_confidence: float) -> OcrPage:
    text_file = folder / f"{number:06d}_ocr_hocr.txt"
    hocr_file = folder / f"{number:06d}_ocr_hocr.hocr"
    text = text_file.read_text("utf-8") if text_file.exists() else ""
    confidences: list[int] = []
    low_words: list[list] = []
    with contextlib.suppress(FileNotFoundError, ElementTree.ParseError):
        confidences, low_words = _hocr_words(hocr_file, low_confidence)
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrPage(text=text, confidence=mean, low_words=low_words)


def _hocr_words(hocr_file: Path, low_confidence: float) -> tuple[list[int], list[list]]:
    root = ElementTree.parse(hocr_file).getroot()
    width = height = 1
    confidences: list[int] = []
    low: list[list] = []
    for element in root.iter():
        css = element.get("class", "")
        title = element.get("title", "")
        if css == "ocr_page":
            box = _BBOX.search(title)
            if box:
                width, height = max(int(box[3]), 1), max(int(box[4]), 1)
        elif css == "ocrx_word":
            word = "".join(element.itertext()).strip()
            conf = _WCONF.search(title)
            box = _BBOX.search(title)
            if not word or conf is None:
                continue
            confidence = int(conf[1])
            confidences.append(confidence)
            if confidence < low_confidence and box:
                x0, y0, x1, y1 = (int(v) for v in box.groups())
                low.append(
                    [
                        word,
                        round(x0 / width, 4),
                        round(y0 / height, 4),
                        round(x1 / width, 4),
                        round(y1 / height, 4),
                        confidence,
                    ]
                )
    return confidences, low
