"""Builders for ingestion test inputs: every bad or synthetic file is made on the fly."""

from __future__ import annotations

import base64
import functools
import io
import random
import zipfile
from pathlib import Path

import docx
import pypdf
from docx.enum.text import WD_BREAK
from PIL import Image, ImageDraw

from sources.extractors import ExtractedDocument, extract_document

CORPUS = Path(__file__).resolve().parents[2] / "demo" / "corpus"
KAZAKHSTAN = "chinas-image-in-kazakhstan"
DIGITAL_TRADE = "china-soft-power-digital-trade"


def corpus_pdf(stem: str) -> Path:
    return CORPUS / f"{stem}.pdf"


def corpus_txt(stem: str) -> str:
    return (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")


@functools.cache
def corpus_document(stem: str) -> ExtractedDocument:
    """The extracted corpus PDF, computed once per test session (it is deterministic)."""
    return extract_document(corpus_pdf(stem))


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- PDFs --------------------------------------------------------------------------------------


def encrypted_pdf(tmp_path: Path, *, user_password: str = "secret") -> Path:
    writer = pypdf.PdfWriter(clone_from=corpus_pdf(DIGITAL_TRADE))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    path = tmp_path / "encrypted.pdf"
    writer.write(path)
    return path


def truncated_pdf(tmp_path: Path) -> Path:
    data = corpus_pdf(KAZAKHSTAN).read_bytes()
    return write(tmp_path, "truncated.pdf", data[: len(data) // 2])


def garbage_pdf(tmp_path: Path) -> Path:
    junk = random.Random(0).randbytes(20_000)
    return write(tmp_path, "garbage.pdf", b"%PDF-1.7\n" + junk)


def no_pages_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "empty-document.pdf"
    pypdf.PdfWriter().write(path)
    return path


def png_bytes() -> bytes:
    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    for y in range(20, 280, 24):  # lines of "text" as a scanner would see them
        draw.rectangle((20, y, 380, y + 10), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def scanned_pdf(tmp_path: Path, *, pages: int = 3) -> Path:
    """A PDF whose pages hold only an image (no text layer), as a scanner makes them."""
    from weasyprint import HTML

    source = base64.b64encode(png_bytes()).decode()
    image = f'<img src="data:image/png;base64,{source}" style="width: 100%">'
    html = "".join(f'<div style="page-break-after: always">{image}</div>' for _ in range(pages))
    path = tmp_path / "scan.pdf"
    HTML(string=f"<html><body>{html}</body></html>").write_pdf(path)
    return path


# --- Scans for OCR: pages rendered to images and rebuilt as image-only files --------------------

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def render_pages(pdf: Path, pages: list[int], *, dpi: int = 150) -> list[Image.Image]:
    """The 1-based ``pages`` of ``pdf`` as greyscale images, as a scanner makes them."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[n - 1].render(scale=dpi / 72).to_pil().convert("L") for n in pages]
    finally:
        document.close()


def image_only_pdf(path: Path, images: list[Image.Image], *, dpi: int = 150) -> Path:
    """An image-only PDF (no text layer), one page per image."""
    import img2pdf

    buffers = []
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        buffers.append(buffer.getvalue())
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    path.write_bytes(img2pdf.convert(buffers, layout_fun=layout))
    return path


def scan_of(pdf: Path, path: Path, pages: list[int], *, dpi: int = 150) -> Path:
    """A scan of ``pages`` of ``pdf``: rendered at ``dpi`` and rebuilt as an image-only PDF."""
    return image_only_pdf(path, render_pages(pdf, pages, dpi=dpi), dpi=dpi)


def text_image(text: str, *, dpi: int = 150, width_in: float = 8.27) -> Image.Image:
    """A page image of ``text`` (lines as given) in DejaVu Serif at 12 pt."""
    from PIL import ImageFont

    font = ImageFont.truetype(DEJAVU, size=round(12 * dpi / 72))
    margin = dpi
    line_height = round(font.size * 1.5)
    lines = text.splitlines()
    height = margin * 2 + line_height * len(lines)
    image = Image.new("L", (round(width_in * dpi), height), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((margin, margin + index * line_height), line, font=font, fill=0)
    return image


def pdf_from_html(path: Path, html: str) -> Path:
    from weasyprint import HTML

    HTML(string=html).write_pdf(path)
    return path


# --- Disguised and damaged files ---------------------------------------------------------------


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(2000)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(2000)


def binary_junk() -> bytes:
    return random.Random(1).randbytes(4096) + bytes(64)


# --- Valid non-PDF documents -------------------------------------------------------------------


def make_docx(tmp_path: Path, name: str = "memo.docx") -> Path:
    """A small Word document: heading, paragraphs with a superscript footnote mark, a table,
    an explicit page break and a footnote-style entry on page 2."""
    document = docx.Document()
    document.add_heading("Water Policy Memo", level=1)
    paragraph = document.add_paragraph("The Irtysh river is shared by China and Kazakhstan.")
    mark = paragraph.add_run("1")
    mark.font.superscript = True
    document.add_paragraph("Second paragraph with “quotes” and a café.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Country"
    table.cell(0, 1).text = "Share"
    table.cell(1, 0).text = "Kazakhstan"
    table.cell(1, 1).text = "42%"
    document.add_paragraph("End of page one.").add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Page two starts here.")
    note = document.add_paragraph()
    note.add_run("1").font.superscript = True
    note.add_run(" Stone, R. (2012) Transboundary Rivers. Science. https://example.org/rivers.")
    path = tmp_path / name
    document.save(path)
    return path


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Ignored title</title><style>p { color: red }</style></head>
<body>
<header>Site banner</header>
<nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<main>
<h1>Port   Khorgos</h1>
<p>The dry port is the largest of its kind,
spread over a wide area.<sup>1</sup></p>
<ul><li>Rail</li><li>Road</li></ul>
<script>var hidden = "do not show";</script>
<noscript>Enable JavaScript</noscript>
<p>Second&nbsp;paragraph<br>with a line break.</p>
<p><sup>1</sup> Shepard, W. (2017) New Silk Road. Forbes. https://www.forbes.com/khorgos.</p>
</main>
<footer>Copyright footer</footer>
</body></html>
"""

MARKDOWN_TEXT = """# Digital Silk Road

China's *digital* trade grew to **\\$27 billion**.

- first item
- second item

1. numbered one
2. numbered two

> A quoted line.
\f
## Second page

Plain `code` and a [link](https://example.org).
"""
