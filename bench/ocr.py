"""Benchmark for OCR (sources.extractors.ocr): speed, memory and character accuracy.

Inputs, made here: a 10-page scan of the demo corpus PDF (pages rendered at 200 dpi with
pypdfium2, rebuilt as an image-only PDF), and a Russian page rendered from the text below
with Pillow and DejaVu Serif. The reference of the scan is the corpus PDF's own extracted
text (same normalisation); character accuracy is 1 - Levenshtein distance / reference length
on whitespace-collapsed text. Peak memory is the Python heap (tracemalloc) and, separately,
the largest child process (OCR's isolated extraction, Tesseract, Ghostscript: ru_maxrss of the
children). That is an upper bound: Linux carries the forking process's size over into a
child's ru_maxrss, so it reads at least the size of this process when it forked.

``python bench/ocr.py`` prints a table.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from sources.extractors import OcrSettings, extract_document  # noqa: E402
from sources.tests import fixtures  # noqa: E402 - the tests build their scans the same way

PAGES = list(range(1, 11))
DPI = 200
TARGET_ACCURACY = 98.0
# Written for this benchmark (public-domain style prose about the corpus' subject).
RUSSIAN = """Казахстан занимает важное место в политике Китая в Центральной Азии.
Инициатива «Пояс и путь» охватывает транспорт, энергетику и торговлю.
По данным национальной статистики, товарооборот между странами
в последние годы заметно вырос, а число совместных проектов
увеличилось более чем вдвое. Вместе с тем опросы показывают,
что отношение жителей к китайским инвестициям остаётся сдержанным.
Эксперты связывают это с недостатком информации о проектах
и с опасениями по поводу долговой нагрузки и занятости."""  # noqa: RUF001


def accuracy(ocr_text: str, reference: str) -> float:
    ocr_text, reference = " ".join(ocr_text.split()), " ".join(reference.split())
    distance = Levenshtein.distance(ocr_text, reference)
    return max(0.0, 100.0 * (1 - distance / max(len(reference), 1)))


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run() -> list[dict]:
    corpus = fixtures.corpus_pdf(fixtures.KAZAKHSTAN)
    reference = extract_document(corpus)
    with tempfile.TemporaryDirectory(prefix="briefdesk-bench-ocr-") as folder:
        scan = fixtures.scan_of(corpus, Path(folder) / "scan.pdf", PAGES, dpi=DPI)
        tracemalloc.start()
        started = time.perf_counter()
        document = extract_document(scan, ocr=OcrSettings(languages="eng"))
        seconds = time.perf_counter() - started
        peak_python = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

        russian_pdf = fixtures.image_only_pdf(
            Path(folder) / "ru.pdf", [fixtures.text_image(RUSSIAN, dpi=DPI)], dpi=DPI
        )
        russian = extract_document(russian_pdf, ocr=OcrSettings().for_language("ru"))

    end = reference.page_starts[len(PAGES)]
    scan_accuracy = accuracy(document.full_text, reference.full_text[:end])
    confidences = [page["confidence"] for page in document.page_ocr if page]
    return [
        {
            "name": f"OCR: seconds per page ({len(PAGES)}-page scan, {DPI} dpi, eng)",
            "value": round(seconds / len(PAGES), 2),
            "unit": "s",
            "baseline": None,
            "target": None,
        },
        {
            "name": "OCR: peak Python memory",
            "value": round(peak_python, 1),
            "unit": "MB",
            "baseline": None,
            "target": None,
        },
        {
            "name": "OCR: largest child process, upper bound (ru_maxrss, see docstring)",
            "value": round(_children_peak_mb(), 1),
            "unit": "MB",
            "baseline": None,
            "target": None,
        },
        {
            "name": "OCR: character accuracy vs the corpus text",
            "value": round(scan_accuracy, 2),
            "unit": "%",
            "baseline": None,
            "target": TARGET_ACCURACY,
        },
        {
            "name": "OCR: mean word confidence (corpus scan)",
            "value": round(sum(confidences) / max(len(confidences), 1), 1),
            "unit": "%",
            "baseline": None,
            "target": None,
        },
        {
            "name": "OCR: character accuracy, Russian page (rus+eng)",
            "value": round(accuracy(russian.full_text, RUSSIAN), 2),
            "unit": "%",
            "baseline": None,
            "target": TARGET_ACCURACY,
        },
    ]


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    for row in run():
        print(f"{row['name']:<60} {row['value']:>10} {row['unit']}")
