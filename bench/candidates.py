"""Benchmark for evidence.candidates: extraction time per page, and quality on the demo corpus.

Timings are of :func:`evidence.candidates.extract_candidates` alone (the text is extracted
beforehand), as seconds per page, best of a few runs: on each corpus paper, and on a 300-page
synthetic source made of the two papers' pages repeated (their references and markers shifted
along, so footnotes are handled as in a real source).

Quality rows are the recall and precision measured by the tests against the hand labels in
evidence/tests/data/key_statements.yaml (unit "ratio"), per paper and overall.

``run()`` returns one dict per figure: ``{"name", "value", "unit", "baseline", "target"}``.
``python bench/candidates.py`` prints a table.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evidence.candidates import extract_candidates  # noqa: E402
from evidence.tests.test_candidates import (  # noqa: E402
    MIN_PRECISION,
    MIN_RECALL,
    PAPERS,
    Paper,
    load_paper,
    score_paper,
)

PAGES = 300
REPEATS = 3
# A background task may take a while, but a 300-page report should be proposed in seconds.
TARGET_SECONDS_PER_PAGE = 0.02


def synthetic_paper(pages: int = PAGES) -> Paper:
    """A ``pages``-page source made of the corpus papers' pages, footnotes shifted along."""
    papers = [load_paper(stem) for stem in PAPERS]
    texts: list[str] = []
    page_starts: list[int] = []
    references: list[Any] = []
    markers: list[Any] = []
    offset = 0
    while len(texts) < pages:
        for paper in papers:
            bounds = [*paper.page_starts, len(paper.full_text) + 2]
            for number in range(len(paper.page_starts)):
                if len(texts) == pages:
                    break
                start, end = bounds[number], bounds[number + 1] - 2
                shift = offset - start
                page_starts.append(offset)
                texts.append(paper.full_text[start:end])
                for reference in paper.references:
                    if start <= reference.start < end:
                        references.append(
                            dataclasses.replace(
                                reference,
                                start=reference.start + shift,
                                end=reference.end + shift,
                            )
                        )
                for marker in paper.markers:
                    if start <= marker.start < end:
                        markers.append(
                            dataclasses.replace(
                                marker, start=marker.start + shift, end=marker.end + shift
                            )
                        )
                offset += end - start + 2
    return Paper("synthetic", "\n\n".join(texts), page_starts, references, markers, "synthetic")


def seconds_per_page(paper: Paper, repeats: int = REPEATS) -> tuple[float, int]:
    """Best time of ``repeats`` runs divided by the page count, and the candidates found."""
    best = float("inf")
    found = 0
    for _ in range(repeats):
        started = time.perf_counter()
        candidates = extract_candidates(
            paper.full_text, paper.page_starts, paper.references, paper.markers
        )
        best = min(best, time.perf_counter() - started)
        found = len(candidates)
    return best / len(paper.page_starts), found


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float, unit: str, target: float | None) -> None:
        rows.append(
            {
                "name": name,
                "value": round(value, 4),
                "unit": unit,
                "baseline": None,
                "target": target,
            }
        )

    for paper in [*(load_paper(stem) for stem in PAPERS), synthetic_paper()]:
        per_page, found = seconds_per_page(paper, repeats=1 if paper.stem == "synthetic" else 3)
        pages = len(paper.page_starts)
        add(
            f"candidates: {paper.stem} ({pages} pages)", per_page, "s/page", TARGET_SECONDS_PER_PAGE
        )
        add(f"candidates: {paper.stem} proposed", found, "count", None)

    scores = [score_paper(stem) for stem in PAPERS]
    for score in scores:
        add(f"candidates: recall {score.stem}", score.recall, "ratio", MIN_RECALL)
        add(f"candidates: precision {score.stem}", score.precision, "ratio", MIN_PRECISION)
    found = sum(score.found for score in scores)
    statements = sum(score.statements for score in scores)
    relevant = sum(score.relevant for score in scores)
    proposed = sum(score.candidates for score in scores)
    add("candidates: recall overall", found / statements, "ratio", MIN_RECALL)
    add("candidates: precision overall", relevant / proposed, "ratio", MIN_PRECISION)
    return rows


def main() -> None:
    rows = run()
    width = max(len(row["name"]) for row in rows)
    print(f"{'benchmark':<{width}}  {'value':>10}  {'unit':<7}  {'target':>8}")
    for row in rows:
        target = "" if row["target"] is None else f"{row['target']:g}"
        print(f"{row['name']:<{width}}  {row['value']:>10g}  {row['unit']:<7}  {target:>8}")


if __name__ == "__main__":
    main()
