"""Benchmark for sources.extractors: seconds per page and peak memory of ``extract_document``.

Inputs: the two demo corpus PDFs and a synthetic 200-page PDF with superscript footnotes, made
once with WeasyPrint from generated paragraphs and kept in the temp directory.

``run()`` returns one dict per figure: ``{"name", "value", "unit", "baseline", "target"}``.
The baseline for speed is pypdf's plain ``extract_text()`` over the same pages (the floor that
extraction builds on). ``python bench/ingestion.py`` prints a table.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402

from sources.extractors import extract_document  # noqa: E402

CORPUS = ROOT / "demo" / "corpus"
SYNTHETIC_PAGES = 200
SYNTHETIC_VERSION = 1  # bump when the generator changes, to rebuild the cached PDF
SEED = 20250101
TARGET_SECONDS_PER_PAGE = 0.05


def synthetic_pdf(pages: int = SYNTHETIC_PAGES) -> Path:
    """A ``pages``-page PDF (one section per page, footnotes at its foot), built once."""
    path = Path(tempfile.gettempdir()) / f"briefdesk-bench-{pages}p-v{SYNTHETIC_VERSION}.pdf"
    if path.exists():
        return path
    from weasyprint import HTML

    words = (CORPUS / "chinas-image-in-kazakhstan.txt").read_text(encoding="utf-8").split()
    words = [word.strip("*\\") for word in words if word.isascii() and word.isalpha()]
    rng = random.Random(SEED)
    sections = []
    note = 0
    for page in range(1, pages + 1):
        paragraphs, notes = [], []
        for _ in range(4):
            sentence = " ".join(rng.choice(words) for _ in range(70))
            note += 1
            marker = str(note).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
            paragraphs.append(f"<p>{sentence.capitalize()}.{marker}</p>")
            source = " ".join(rng.choice(words) for _ in range(12))
            notes.append(
                f'<p class="note">{marker} Author, A. ({2000 + note % 20}) {source.title()}. '
                f"https://example.org/{page}/{note}.</p>"
            )
        sections.append(
            f"<section><h2>Section {page}</h2>{''.join(paragraphs)}{''.join(notes)}</section>"
        )
    css = """
        @page { size: A4; margin: 2cm; @bottom-center { content: counter(page) } }
        body { font: 11pt/1.4 serif } .note { font-size: 8.5pt }
        section { page-break-after: always }
    """
    html = f"<html><head><style>{css}</style></head><body>{''.join(sections)}</body></html>"
    HTML(string=html).write_pdf(path)
    return path


def _seconds_per_page(path: Path, repeats: int) -> tuple[float, float, int]:
    """Best of ``repeats`` runs: (extract_document s/page, plain extract_text s/page, pages)."""
    best = baseline = float("inf")
    pages = 0
    for _ in range(repeats):
        started = time.perf_counter()
        document = extract_document(path)
        best = min(best, time.perf_counter() - started)
        pages = document.page_count
        started = time.perf_counter()
        for page in pypdf.PdfReader(path).pages:
            page.extract_text()
        baseline = min(baseline, time.perf_counter() - started)
    return best / pages, baseline / pages, pages


def _peak_megabytes(path: Path) -> float:
    tracemalloc.start()
    try:
        extract_document(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def run() -> list[dict[str, Any]]:
    inputs = [
        ("chinas-image-in-kazakhstan.pdf", CORPUS / "chinas-image-in-kazakhstan.pdf", 3),
        ("china-soft-power-digital-trade.pdf", CORPUS / "china-soft-power-digital-trade.pdf", 3),
        (f"synthetic {SYNTHETIC_PAGES}-page PDF", synthetic_pdf(), 1),
    ]
    results: list[dict[str, Any]] = []
    for label, path, repeats in inputs:
        per_page, baseline, pages = _seconds_per_page(path, repeats)
        results.append(
            {
                "name": f"{label} ({pages} pages): extract_document per page",
                "value": per_page,
                "unit": "s/page",
                # Beside pypdf's plain extract_text() over the same pages.
                "baseline": round(baseline, 4),
                "target": TARGET_SECONDS_PER_PAGE,
            }
        )
        results.append(
            {
                "name": f"{label} ({pages} pages): peak memory",
                "value": _peak_megabytes(path),
                "unit": "MB",
                "baseline": None,
                "target": None,
            }
        )
    return results


def main() -> None:
    results = run()
    width = max(len(r["name"]) for r in results)
    print(f"{'figure':<{width}}  {'value':>9}  {'unit':<7}  {'baseline':<42}  target")
    for r in results:
        print(
            f"{r['name']:<{width}}  {r['value']:>9.4f}  {r['unit']:<7}  "
            f"{r['baseline'] if r['baseline'] is not None else '':<42}  {r['target'] or ''}"
        )


if __name__ == "__main__":
    main()
