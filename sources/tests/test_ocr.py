"""OCR of scanned sources with the real engine (OCRmyPDF + Tesseract); scans are built here from
the demo corpus and from text, one or two pages at 150 dpi, to stay fast."""

import io

import pypdf
import pytest
from PIL import Image

from sources.extractors import (
    PDF,
    TIFF,
    IngestionError,
    NeedsOcr,
    OcrSettings,
    check_file,
    extract_document,
)
from sources.extractors import ocr as ocr_module
from sources.tests import fixtures

RUSSIAN = (
    "Министерство национальной экономики\n"
    "Республики Казахстан опубликовало\n"
    "статистический ежегодник о торговле."  # noqa: RUF001 - Cyrillic on purpose
)
ENGLISH = "The Irtysh river is shared by China\nand Kazakhstan, and its water is scarce."
ENG = OcrSettings(languages="eng")


def check(path, ocr=ENG):
    return check_file(path, path.name, max_bytes=50 * 2**20, ocr=ocr)


def words(text):
    return " ".join(text.split())


def test_scanned_pdf_becomes_page_aware_text_with_confidence(tmp_path):
    scan = fixtures.scan_of(fixtures.corpus_pdf(fixtures.KAZAKHSTAN), tmp_path / "s.pdf", [3])
    assert check(scan) == PDF
    document = extract_document(scan, ocr=ENG)
    assert document.page_count == 1
    assert "Belt and Road Initiative" in words(document.full_text)
    page = document.page_ocr[0]
    assert page["ocr"] is True
    assert page["confidence"] > 85
    assert "OCRmyPDF" in document.extractor


def test_only_pages_without_text_are_ocred(tmp_path):
    corpus = fixtures.corpus_pdf(fixtures.KAZAKHSTAN)
    scan = fixtures.image_only_pdf(tmp_path / "scan.pdf", [fixtures.text_image(ENGLISH)])
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(corpus).pages[0])
    writer.add_page(pypdf.PdfReader(scan).pages[0])
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)
    document = extract_document(mixed, ocr=ENG)
    assert document.page_ocr[0] is None
    assert document.page_ocr[1]["ocr"] is True
    second = document.full_text[document.page_starts[1] :]
    assert "Irtysh river is shared by China" in words(second)
    with pytest.raises(NeedsOcr):
        extract_document(mixed, ocr=None)


def test_multi_page_tiff_in_russian(tmp_path):
    frames = [fixtures.text_image(RUSSIAN), fixtures.text_image(ENGLISH)]
    path = tmp_path / "decree.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(150, 150))
    settings = OcrSettings().for_language("ru")
    assert settings.languages == "rus+eng"
    assert check(path, settings) == TIFF
    document = extract_document(path, ocr=settings)
    assert document.page_count == 2
    assert "статистический ежегодник" in words(document.full_text)
    assert "Irtysh" in document.full_text[document.page_starts[1] :]
    assert all(page["ocr"] for page in document.page_ocr)


def test_corrupt_image_is_refused(tmp_path):
    buffer = io.BytesIO()
    fixtures.text_image(ENGLISH).save(buffer, format="PNG")
    path = tmp_path / "torn.png"
    path.write_bytes(buffer.getvalue()[:400])
    with pytest.raises(IngestionError, match="damaged or incomplete"):
        check(path)


def test_image_bomb_and_page_limit_are_refused(tmp_path):
    big = tmp_path / "big.png"
    Image.new("1", (3000, 2000), 1).save(big)
    with pytest.raises(IngestionError, match="larger than 5 megapixels"):
        check(big, OcrSettings(languages="eng", max_megapixels=5))
    tiff = tmp_path / "long.tif"
    small = Image.new("L", (200, 200), 255)
    small.save(tiff, save_all=True, append_images=[small] * 3)
    with pytest.raises(IngestionError, match="4 pages, over the OCR limit of 3"):
        check(tiff, OcrSettings(languages="eng", max_pages=3))


def test_missing_engine_names_what_to_install(tmp_path, monkeypatch):
    scan = fixtures.image_only_pdf(tmp_path / "scan.pdf", [fixtures.text_image(ENGLISH)])
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    with pytest.raises(IngestionError, match="install the Debian packages tesseract-ocr"):
        check(scan)
    monkeypatch.undo()
    with pytest.raises(IngestionError, match="tesseract-ocr-xyz"):
        check(scan, OcrSettings(languages="eng+xyz"))
