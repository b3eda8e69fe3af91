"""Extraction engine: corpus PDFs, pre-flight checks on bad inputs, the other formats."""

import re
import time

import pypdf
import pytest
from rapidfuzz import fuzz

from sources.extractors import (
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    SUPPORTED_MEDIA_TYPES,
    TEXT,
    IngestionError,
    check_file,
    extract_document,
    extract_pages,
    sniff_media_type,
)
from sources.tests import fixtures
from sources.tests.fixtures import DIGITAL_TRADE, KAZAKHSTAN

MB = 2**20


def collapse(text: str) -> str:
    return " ".join(text.split())


def txt_as_read(text: str) -> str:
    """The corpus .txt as a reader sees the PDF: Markdown escapes and emphasis removed."""
    text = re.sub(r"\\([$*_\[\]()#.!-])", r"\1", text)
    return re.sub(r"\*+([^*\n]+?)\*+", r"\1", text)


# --- Corpus PDFs -------------------------------------------------------------------------------


@pytest.mark.parametrize(("stem", "pages"), [(KAZAKHSTAN, 16), (DIGITAL_TRADE, 14)])
def test_corpus_pdf_page_count(stem, pages):
    document = fixtures.corpus_document(stem)
    assert document.page_count == pages
    assert document.media_type == PDF
    assert document.extractor == f"pypdf {pypdf.__version__}"
    assert document.page_starts[0] == 0
    assert document.page_starts == sorted(document.page_starts)


@pytest.mark.parametrize("stem", [KAZAKHSTAN, DIGITAL_TRADE])
def test_corpus_pdf_text_matches_original(stem):
    extracted = collapse(fixtures.corpus_document(stem).full_text)
    original = collapse(txt_as_read(fixtures.corpus_txt(stem)))
    # Indel similarity, like difflib's ratio() but fast on 50,000 characters.
    ratio = fuzz.ratio(extracted, original) / 100
    print(f"{stem}: match ratio {ratio:.4f}")
    assert ratio >= 0.98


@pytest.mark.parametrize(
    ("stem", "sentence", "page"),
    [
        (KAZAKHSTAN, "In Central Asia and Kazakhstan in particular", 1),
        (KAZAKHSTAN, "worth exceeded $27 billion", 4),
        (KAZAKHSTAN, "Kazakhs have been particularly resistant", 4),
        (KAZAKHSTAN, "This port is part of China's Belt and Road Initiative", 5),
        (KAZAKHSTAN, "For the purpose of this research project, Kazakhstan was chosen", 16),
        (DIGITAL_TRADE, "B. China\u2019s Double-Sided Stance on Digital Trade", 4),
        (DIGITAL_TRADE, "The unfettered organic development of China\u2019s film industry", 1),
    ],
)
def test_offsets_map_to_the_pdf_page(stem, sentence, page):
    document = fixtures.corpus_document(stem)
    offset = document.full_text.find(sentence)
    assert offset >= 0
    assert document.page_at(offset) == page
    assert document.page_at(offset + len(sentence) - 1) == page
    # And that really is where the sentence is printed.
    printed = pypdf.PdfReader(fixtures.corpus_pdf(stem)).pages[page - 1].extract_text()
    assert sentence in collapse(printed)


def test_page_footer_numbers_are_removed():
    document = fixtures.corpus_document(KAZAKHSTAN)
    starts = [*document.page_starts[1:], len(document.full_text)]
    for number, end in enumerate(starts, start=1):
        page_text = document.full_text[:end].rstrip()
        assert not page_text.endswith(f"\n{number}"), number


def test_pdf_paragraphs_are_separated_by_blank_lines():
    text = fixtures.corpus_document(KAZAKHSTAN).full_text
    assert "Relations\n\n1.1. Joint Ventures in Kazakhstan\n\nSince the dissolution" in text
    # Wrapped lines inside a paragraph stay single line breaks.
    assert "lively interest in\nKazakhstan's potential" in text


def test_pdf_progress_callback_and_determinism():
    calls = []
    document = extract_document(
        fixtures.corpus_pdf(DIGITAL_TRADE), on_page=lambda done, total: calls.append((done, total))
    )
    assert calls == [(n, 14) for n in range(1, 15)]
    assert document == fixtures.corpus_document(DIGITAL_TRADE)


def test_digital_trade_has_no_references():
    document = fixtures.corpus_document(DIGITAL_TRADE)
    assert document.references == []
    assert document.markers == []


def test_check_file_accepts_corpus_pdf_fast():
    started = time.perf_counter()
    media_type = check_file(
        fixtures.corpus_pdf(KAZAKHSTAN), "chinas-image-in-kazakhstan.pdf", max_bytes=50 * MB
    )
    assert media_type == PDF
    assert time.perf_counter() - started < 1


# --- Bad inputs --------------------------------------------------------------------------------


def check(path, name=None, max_bytes=50 * MB):
    return check_file(path, name or path.name, max_bytes=max_bytes)


def test_empty_file(tmp_path):
    with pytest.raises(IngestionError, match=r"“empty.pdf” is empty \(0 bytes\)"):
        check(fixtures.write(tmp_path, "empty.pdf", b""))


def test_oversize_file_names_limit_and_size(tmp_path):
    path = fixtures.write(tmp_path, "big.txt", "word " * (300 * 1024))  # 1.5 MB
    with pytest.raises(IngestionError) as raised:
        check(path, max_bytes=1 * MB)
    assert str(raised.value) == "“big.txt” is 1.5 MB, over the upload limit of 1 MB."


def test_encrypted_pdf(tmp_path):
    with pytest.raises(IngestionError, match=r"encrypted \(password-protected\)"):
        check(fixtures.encrypted_pdf(tmp_path))


def test_pdf_with_owner_password_only_is_readable(tmp_path):
    path = fixtures.encrypted_pdf(tmp_path, user_password="")
    assert check(path) == PDF
    assert extract_document(path).page_count == 14


def test_truncated_pdf(tmp_path):
    with pytest.raises(IngestionError, match="This PDF is incomplete"):
        check(fixtures.truncated_pdf(tmp_path))


def test_garbage_after_pdf_header(tmp_path):
    with pytest.raises(IngestionError, match=r"This PDF is (damaged|incomplete)"):
        check(fixtures.garbage_pdf(tmp_path))


def test_pdf_without_pages(tmp_path):
    with pytest.raises(IngestionError, match="This PDF has no pages"):
        check(fixtures.no_pages_pdf(tmp_path))


def test_scan_without_any_text_is_refused_after_ocr(tmp_path):
    path = fixtures.scanned_pdf(tmp_path)  # black bars, no letters
    assert check(path) == PDF  # OCR is available
    with pytest.raises(IngestionError, match="No text could be read from this PDF, not even by"):
        extract_pages(path, PDF)


def test_pdf_with_text_on_a_later_page_is_accepted(tmp_path):
    source = fixtures.png_bytes()
    import base64

    image = f'<img src="data:image/png;base64,{base64.b64encode(source).decode()}">'
    html = f'<div style="page-break-after: always">{image}</div>' * 3 + "<p>Annex text.</p>"
    path = fixtures.pdf_from_html(tmp_path / "mostly-scanned.pdf", html)
    assert check(path) == PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "photo.pdf",
            fixtures.png_bytes(),
            "“photo.pdf” is named like a PDF document but it is actually a PNG image",
        ),
        ("tool.pdf", fixtures.ELF_BYTES, "actually an executable program (ELF)"),
        ("setup.pdf", fixtures.EXE_BYTES, "actually a Windows executable program"),
        ("archive.pdf", fixtures.zip_bytes({"a.txt": b"hello"}), "actually a ZIP archive"),
        ("report.docx", None, "is named like a Word document (DOCX) but it is actually a PDF"),
        ("notes.txt", fixtures.binary_junk(), "actually binary data (not text)"),
        ("notes.md", fixtures.png_bytes(), "actually a PNG image"),
        ("page.html", None, "actually a PDF document"),
        ("image.gif", fixtures.png_bytes(), "Unsupported file type “.gif”; it is a PNG image"),
        ("scan.jpg", fixtures.png_bytes(), "named like a JPEG image but it is actually a PNG"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Unsupported file type"),
    ],
)
def test_disguised_and_unsupported_files(tmp_path, name, data, message):
    if data is None:
        data = fixtures.corpus_pdf(DIGITAL_TRADE).read_bytes()
    path = fixtures.write(tmp_path, name, data)
    with pytest.raises(IngestionError) as raised:
        check(path)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_corrupt_docx(tmp_path):
    data = fixtures.make_docx(tmp_path).read_bytes()
    path = fixtures.write(tmp_path, "broken.docx", data[: len(data) // 2])
    with pytest.raises(IngestionError, match="This Word document is damaged"):
        check(path)


def test_zip_named_docx_without_document(tmp_path):
    path = fixtures.write(tmp_path, "fake.docx", fixtures.zip_bytes({"word/x.txt": b"x"}))
    with pytest.raises(IngestionError, match="not a Word document"):
        check(path)


def test_text_that_is_not_utf8_or_cp1252(tmp_path):
    # Bytes 0x81/0x8d/0x8f/0x90/0x9d are undefined in Windows-1252 and invalid UTF-8.
    path = fixtures.write(tmp_path, "odd.txt", b"Plain words \x81\x8d\x90 more words\n" * 20)
    with pytest.raises(IngestionError, match="not readable as text"):
        check(path)


def test_sniff_accepts_content_without_extension():
    pdf_head = fixtures.corpus_pdf(KAZAKHSTAN).read_bytes()[:8192]
    assert sniff_media_type(pdf_head, "download") == PDF
    assert sniff_media_type(b"<!DOCTYPE html><html><body>x", "page") == HTML
    assert sniff_media_type(b"just some words", "README") == TEXT
    assert sniff_media_type(fixtures.png_bytes(), "scan") == "image/png"
    assert set(SUPPORTED_MEDIA_TYPES) == {
        PDF,
        TEXT,
        MARKDOWN,
        HTML,
        DOCX,
        "image/png",
        "image/jpeg",
        "image/tiff",
    }


# --- Other formats -----------------------------------------------------------------------------


def test_plain_text_pages_and_encodings(tmp_path):
    path = fixtures.write(tmp_path, "notes.txt", "First page\r\nline two\fSecond page ¹\n")
    assert check(path) == TEXT
    document = extract_document(path, filename="notes.txt")
    assert document.full_text == "First page\nline two\n\nSecond page ¹"
    assert document.page_starts == [0, 21]
    assert document.extractor == "plain text"

    latin = fixtures.write(tmp_path, "latin.txt", "Caf\xe9 \u201cquoted\u201d".encode("cp1252"))
    assert check(latin) == TEXT
    assert extract_document(latin, TEXT).full_text == "Café “quoted”"

    bom = fixtures.write(tmp_path, "bom.txt", "\ufeffWith a BOM".encode())
    assert extract_document(bom, TEXT).full_text == "With a BOM"


def test_plain_text_keeps_a_final_number_line(tmp_path):
    path = fixtures.write(tmp_path, "list.txt", "Count of items:\n42\n")
    assert extract_document(path, TEXT).full_text == "Count of items:\n42"


def test_markdown_is_converted_to_plain_text(tmp_path):
    path = fixtures.write(tmp_path, "memo.md", fixtures.MARKDOWN_TEXT)
    assert check(path) == MARKDOWN
    document = extract_document(path, filename="memo.md")
    assert document.page_count == 2
    first, second = (
        document.full_text[: document.page_starts[1]],
        document.full_text[document.page_starts[1] :],
    )
    assert first.startswith("Digital Silk Road\n\nChina's digital trade grew to $27 billion.")
    assert "first item\nsecond item" in first
    assert "numbered one\nnumbered two" in first
    assert "A quoted line." in first
    assert not re.search(r"[*#\\`]|^- ", document.full_text, re.MULTILINE)
    assert second == "Second page\n\nPlain code and a link."


def test_markdown_footnotes_become_references(tmp_path):
    text = "A claim.[^1] Another.[^2]\n\n[^1]: Smith (2020) https://example.org/a.\n[^2]: Ibid.\n"
    document = extract_document(fixtures.write(tmp_path, "n.md", text), MARKDOWN)
    assert [r.number for r in document.references] == [1, 2]
    assert document.references[0].url == "https://example.org/a"
    assert document.references[1].repeats == 1
    assert [m.number for m in document.markers] == [1, 2]


def test_html_visible_text_only(tmp_path):
    path = fixtures.write(tmp_path, "page.html", fixtures.HTML_PAGE)
    assert check(path) == HTML
    document = extract_document(path, filename="page.html")
    text = document.full_text
    for hidden in (
        "Ignored title",
        "color: red",
        "Site banner",
        "Home",
        "do not show",
        "Enable JavaScript",
        "Copyright footer",
    ):
        assert hidden not in text
    assert text.startswith("Port Khorgos\n\nThe dry port is the largest of its kind, spread over")
    assert "Rail\nRoad" in text
    assert "Second paragraph\nwith a line break." in text
    assert "area.¹" in text
    assert document.references[0].url == "https://www.forbes.com/khorgos"
    assert document.markers[0].number == 1


def test_docx_paragraphs_tables_and_page_breaks(tmp_path):
    path = fixtures.make_docx(tmp_path)
    assert check(path) == DOCX
    document = extract_document(path, filename="memo.docx")
    assert document.page_count == 2
    first = document.full_text[: document.page_starts[1]]
    second = document.full_text[document.page_starts[1] :]
    assert first.startswith(
        "Water Policy Memo\n\nThe Irtysh river is shared by China and Kazakhstan.¹"
    )
    assert "Country Share\n\nKazakhstan 42%" in first
    assert first.rstrip().endswith("End of page one.")
    assert second.startswith("Page two starts here.")
    assert [r.number for r in document.references] == [1]
    assert document.references[0].page == 2
    assert document.markers[0].page == 1
    assert document.extractor.startswith("python-docx ")


def test_docx_word_footnotes_are_appended(tmp_path):
    path = fixtures.make_docx(tmp_path)
    # Add a real Word footnote part by hand: python-docx cannot create one.
    import zipfile

    source = zipfile.ZipFile(path)
    files = {name: source.read(name) for name in source.namelist()}
    source.close()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    files["word/footnotes.xml"] = (
        f'<w:footnotes xmlns:w="{w}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
        '<w:separator/></w:r></w:p></w:footnote><w:footnote w:id="7"><w:p><w:r><w:t>'
        "Word note text, 2020.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    ).encode()
    files["word/document.xml"] = files["word/document.xml"].replace(
        b"<w:t>Page two starts here.</w:t>",
        b'<w:t>Page two starts here.</w:t></w:r><w:r><w:footnoteReference w:id="7"/>',
    )
    rels = files["word/_rels/document.xml.rels"]
    files["word/_rels/document.xml.rels"] = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdFn" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    )
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footnotes.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
    )
    patched = fixtures.write(tmp_path, "noted.docx", fixtures.zip_bytes(files))
    text = extract_document(patched, DOCX).full_text
    assert "Page two starts here.¹" in text
    assert text.endswith("¹ Word note text, 2020.")
