"""Benchmark for evidence.anchoring: build, exact and fuzzy location, re-anchoring.

Builds a 300-page synthetic source (about 900,000 characters) from the demo corpus: the two
papers are repeated, every paragraph copy is prefixed with a counter and a few of its words are
swapped for other corpus words, so that any 300-character passage is (almost always) unique.

Fuzzy quotes are unique 300-character passages (cut at word boundaries) with 3% of their letters
substituted, deleted or inserted. The edited text for re-anchoring has, every 500-2,500
characters, a sentence inserted (40%), 20-200 characters deleted (30%), a letter inserted (20%)
or nothing (10%).

``run()`` returns one dict per figure: ``{"name", "value", "unit", "baseline", "target"}``.
``baseline`` is the naive alternative where there is one: rapidfuzz's ``partial_ratio_alignment``
over the whole text for the fuzzy search (its time, and how often it finds the right span).
``python bench/anchoring.py`` prints a table.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from evidence.anchoring import TextIndex  # noqa: E402

CORPUS = ROOT / "demo" / "corpus"
PAGES = 300
PAGE_LENGTH = 2600
QUOTE_LENGTH = 300
MUTATION_RATE = 0.03
SAMPLES = 100
ANCHORS = 1000
SEED = 20250101


def corpus_texts() -> list[str]:
    """The demo papers' normalised full texts (the plain-text renderings as a fallback)."""
    try:
        from sources.extractors import extract_document
    except ImportError:  # the extraction module is not there yet
        return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    return [extract_document(p).full_text for p in sorted(CORPUS.glob("*.pdf"))]


def synthetic_source(rng: random.Random, pages: int = PAGES) -> tuple[str, list[int]]:
    """A ``pages``-page text made of varied copies of the corpus paragraphs, and page starts."""
    paragraphs = [p for text in corpus_texts() for p in re.split(r"\n\n+", text) if p.strip()]
    vocabulary = sorted(set(re.findall(r"[A-Za-z]{4,}", " ".join(paragraphs))))
    page_texts: list[str] = []
    current: list[str] = []
    size = 0
    copy = 0
    while len(page_texts) < pages:
        for paragraph in paragraphs:
            words = paragraph.split(" ")
            for i in rng.sample(range(len(words)), k=len(words) // 20):
                words[i] = rng.choice(vocabulary)
            current.append(f"[{copy}.{len(page_texts) + 1}] " + " ".join(words))
            size += len(current[-1]) + 2
            if size >= PAGE_LENGTH:
                page_texts.append("\n\n".join(current))
                current, size = [], 0
                if len(page_texts) == pages:
                    break
        copy += 1
    page_starts = []
    offset = 0
    for page in page_texts:
        page_starts.append(offset)
        offset += len(page) + 2
    return "\n\n".join(page_texts), page_starts


def word_span(text: str, start: int, length: int) -> tuple[int, int]:
    """A span of about ``length`` characters that starts and ends on word boundaries."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(start + length, len(text))
    while end < len(text) and not text[end].isspace():
        end += 1
    while text[end - 1] in " \n":
        end -= 1
    return start, end


def mutate(quote: str, rng: random.Random, rate: float = MUTATION_RATE) -> str:
    """Substitute, delete or insert letters at about ``rate`` of the quote's characters."""
    chars = list(quote)
    positions = [i for i, c in enumerate(chars) if c.isalpha()]
    for i in sorted(rng.sample(positions, max(1, round(len(quote) * rate))), reverse=True):
        operation = rng.choice(("substitute", "delete", "insert"))
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        if operation == "substitute":
            chars[i] = letter
        elif operation == "delete":
            del chars[i]
        else:
            chars.insert(i, letter)
    return "".join(chars)


def unique_quotes(text: str, rng: random.Random, count: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    while len(spans) < count:
        start, end = word_span(text, rng.randrange(len(text) - 2 * QUOTE_LENGTH), QUOTE_LENGTH)
        quote = text[start:end]
        if "\n\n" not in quote and text.count(quote) == 1:
            spans.append((start, end))
    return spans


def edit(text: str, rng: random.Random) -> str:
    """An edited version: sentences inserted, passages deleted, typos fixed, spread through."""
    sentences = re.findall(r"[A-Z][^.\n]{40,200}\.", text[:100_000])
    pieces: list[str] = []
    position = 0
    while position < len(text):
        step = rng.randrange(500, 2500)
        pieces.append(text[position : position + step])
        position += step
        operation = rng.random()
        if operation < 0.4:
            pieces.append(" " + rng.choice(sentences) + " ")
        elif operation < 0.7:
            position += rng.randrange(20, 200)
        elif operation < 0.9 and position < len(text):
            pieces.append(rng.choice("aeiou"))
            position += 1
    return "".join(pieces)


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(s * 1000 for s in seconds)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def run() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    text, page_starts = synthetic_source(rng)
    results: list[dict[str, Any]] = []

    def add(name: str, value: float, unit: str, baseline: float | None, target: float | None):
        results.append(
            {"name": name, "value": value, "unit": unit, "baseline": baseline, "target": target}
        )

    add("source length", len(text), "chars", None, None)
    add("source pages", len(page_starts), "pages", None, None)

    builds = []
    for _ in range(5):
        started = time.perf_counter()
        index = TextIndex(text, page_starts)
        builds.append(time.perf_counter() - started)
    add("TextIndex build", statistics.median(builds) * 1000, "ms", None, 1000)

    spans = unique_quotes(text, rng, SAMPLES)

    timings = []
    for start, end in spans:
        started = time.perf_counter()
        anchor = index.locate(text[start:end])
        timings.append(time.perf_counter() - started)
        assert (anchor.start, anchor.end, anchor.method) == (start, end, "exact")
    median, p95 = _ms(timings)
    add("exact locate, 300 chars, median", median, "ms", None, 5)
    add("exact locate, 300 chars, p95", p95, "ms", None, 5)

    timings, naive_timings = [], []
    hits = naive_hits = 0
    for start, end in spans:
        quote = mutate(text[start:end], rng)
        started = time.perf_counter()
        anchor = index.locate(quote)
        timings.append(time.perf_counter() - started)
        hits += anchor.method == "fuzzy" and abs(anchor.start - start) + abs(anchor.end - end) <= 4
        started = time.perf_counter()
        naive = fuzz.partial_ratio_alignment(quote, text)
        naive_timings.append(time.perf_counter() - started)
        naive_hits += abs(naive.dest_start - start) + abs(naive.dest_end - end) <= 4
    median, p95 = _ms(timings)
    naive_median, naive_p95 = _ms(naive_timings)
    add("fuzzy locate, 300 chars 3% mutated, median", median, "ms", naive_median, 200)
    add("fuzzy locate, 300 chars 3% mutated, p95", p95, "ms", naive_p95, 200)
    add(
        "fuzzy locate, span within 4 chars of the truth",
        100 * hits / len(spans),
        "%",
        100 * naive_hits / len(spans),
        None,
    )

    anchors = [
        index.anchor_at(*word_span(text, rng.randrange(len(text) - 500), rng.randrange(40, 400)))
        for _ in range(ANCHORS)
    ]
    edited_text = edit(text, rng)
    started = time.perf_counter()
    edited = TextIndex(edited_text)  # re-anchoring a source version starts with its index
    outcomes = [edited.reanchor(a.exact, a.prefix, a.suffix, a.start, a.end) for a in anchors]
    elapsed = time.perf_counter() - started
    add(f"re-anchor {ANCHORS:,} anchors in an edited text (index included)", elapsed, "s", None, 10)
    for status in ("exact", "relocated", "orphaned"):
        count = sum(o.status == status for o in outcomes)
        add(f"re-anchor outcome: {status}", count, "anchors", None, None)
    return results


def main() -> None:
    results = run()
    width = max(len(r["name"]) for r in results)
    print(f"{'figure':<{width}}  {'value':>10}  {'unit':<8}  {'baseline':>10}  {'target':>8}")
    for r in results:
        baseline = "" if r["baseline"] is None else f"{r['baseline']:,.2f}"
        target = "" if r["target"] is None else f"{r['target']:,}"
        value = f"{r['value']:,.2f}" if isinstance(r["value"], float) else f"{r['value']:,}"
        print(f"{r['name']:<{width}}  {value:>10}  {r['unit']:<8}  {baseline:>10}  {target:>8}")


if __name__ == "__main__":
    main()
