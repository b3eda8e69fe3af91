"""Scanned images: PNG, JPEG and TIFF (each frame of a multi-page TIFF a page), read by OCR.

The image is rebuilt as an image-only PDF (img2pdf: lossless, one page per frame) and that PDF
is OCR'd like a scanned PDF (:mod:`sources.extractors.ocr`).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from .base import Extractor, IngestionError, NeedsOcr, ProgressCallback
from .ocr import OcrSettings, ocr_pdf_pages, require_engine

PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"

# Resolution assumed for an image that does not say (a phone photo, a screenshot).
DEFAULT_DPI = 300


class ImageExtractor(Extractor):
    upload_hint = "a scanned image (.png, .jpg, .tif)"
    strip_page_numbers = True

    def __init__(self, media_type: str, label: str, extensions: tuple[str, ...]) -> None:
        self.media_type = media_type
        self.label = label
        self.extensions = extensions
        self.content_kinds = frozenset({media_type})

    def check(self, path: str | os.PathLike[str]) -> None:
        """Opens the image and verifies it (a truncated PNG fails here; a damaged JPEG or TIFF
        may only fail when the worker decodes it, with the same message)."""
        with _open_image(path, OcrSettings()) as image:
            _frame_count(image)
            try:
                image.verify()  # no decoding: the web process never holds the pixels
            except (OSError, ValueError, SyntaxError) as error:
                raise IngestionError(_damaged_message()) from error

    def check_ocr(self, path: str | os.PathLike[str], ocr: OcrSettings) -> None:
        require_engine(ocr.languages)
        with _open_image(path, ocr) as image:
            _check_frames(image, ocr)

    def read(
        self,
        path: str | os.PathLike[str],
        on_page: ProgressCallback | None = None,
        ocr: OcrSettings | None = None,
    ) -> tuple[list[str], list[dict | None]]:
        if ocr is None:
            raise NeedsOcr()
        with tempfile.TemporaryDirectory(prefix="briefdesk-scan-") as folder:
            pdf = image_to_pdf(path, Path(folder), ocr)
            count = len(pdf[1])
            results = ocr_pdf_pages(pdf[0], list(range(1, count + 1)), ocr, on_page)
        pages = [results[n].text for n in range(1, count + 1)]
        if not any(page.strip() for page in pages):
            raise IngestionError(
                "No text could be read from this image by OCR: is it a scan of a printed page?"
            )
        return pages, [results[n].as_json() for n in range(1, count + 1)]

    def read_pages(self, path: str | os.PathLike[str]) -> list[str]:
        return self.read(path, None, OcrSettings())[0]

    def extractor_name(self) -> str:
        import img2pdf  # imports pikepdf, which logs on import: only when OCR runs
        import ocrmypdf

        return f"OCRmyPDF {ocrmypdf.__version__} (Tesseract), img2pdf {img2pdf.__version__}"


def image_to_pdf(
    path: str | os.PathLike[str], folder: Path, ocr: OcrSettings
) -> tuple[Path, list[Path]]:
    """An image-only PDF of the image, one page per frame: ``(pdf, frame files)``."""
    import img2pdf

    frames: list[Path] = []
    with _open_image(path, ocr) as image:
        _check_frames(image, ocr)
        dpi = _dpi(image)
        try:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if frame.size[0] * frame.size[1] > ocr.max_megapixels * 1_000_000:
                    raise IngestionError(_too_large_message(int(ocr.max_megapixels * 1e6)))
                # img2pdf refuses alpha channels and some modes: every frame becomes a plain
                # greyscale or RGB PNG, losslessly.
                mode = "L" if frame.mode in ("1", "L", "LA", "I", "I;16", "P") else "RGB"
                if frame.mode == "P":
                    mode = "RGB"
                target = folder / f"frame-{number:05d}.png"
                frame.convert(mode).save(target, format="PNG", dpi=(dpi, dpi))
                frames.append(target)
        except (OSError, ValueError, SyntaxError) as error:
            raise IngestionError(_damaged_message()) from error
    pdf = folder / "scan.pdf"
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    pdf.write_bytes(img2pdf.convert([str(frame) for frame in frames], layout_fun=layout))
    return pdf, frames


class _open_image:
    """Pillow's image, opened lazily with the decompression-bomb limit turned into an error."""

    def __init__(self, path: str | os.PathLike[str], ocr: OcrSettings) -> None:
        self.path = path
        self.max_pixels = int(ocr.max_megapixels * 1_000_000)

    def __enter__(self) -> Image.Image:
        try:
            with warnings.catch_warnings():
                # Pillow's own limit warns, then raises at twice its size; the size is checked
                # against ours just below.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                self.image = Image.open(self.path)
        except Image.DecompressionBombError as error:
            raise IngestionError(_too_large_message(self.max_pixels)) from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise IngestionError(_damaged_message()) from error
        width, height = self.image.size
        if width * height > self.max_pixels:
            self.image.close()
            raise IngestionError(_too_large_message(self.max_pixels))
        return self.image

    def __exit__(self, *exc_info) -> None:
        self.image.close()


def _frame_count(image: Image.Image) -> int:
    try:
        return getattr(image, "n_frames", 1)
    except (OSError, ValueError, SyntaxError) as error:
        raise IngestionError(_damaged_message()) from error


def _check_frames(image: Image.Image, ocr: OcrSettings) -> None:
    count = _frame_count(image)
    if count > ocr.max_pages:
        raise IngestionError(
            f"This image has {count:,} pages, over the OCR limit of {ocr.max_pages:,}. Split it "
            "into smaller files and upload them separately."
        )


def _dpi(image: Image.Image) -> int:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 1200 else DEFAULT_DPI


def _too_large_message(max_pixels: int) -> str:
    return (
        f"This image is larger than {max_pixels / 1_000_000:g} megapixels, too large to OCR "
        "safely. Scan it at a lower resolution (300 dpi is plenty) and upload it again."
    )


def _damaged_message() -> str:
    return (
        "This image is damaged or incomplete and cannot be read. Re-scan or re-export it and "
        "upload it again."
    )


IMAGE_EXTRACTORS = (
    ImageExtractor(PNG, "PNG image", (".png",)),
    ImageExtractor(JPEG, "JPEG image", (".jpg", ".jpeg")),
    ImageExtractor(TIFF, "TIFF image", (".tif", ".tiff")),
)
