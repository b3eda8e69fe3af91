"""Candidate quality on two held-out documents, unlike the demo papers in genre, layout and
language (evidence/tests/data/heldout_statements.yaml says what they are): an English statistical
report and a German lecture script, each with a contents page, running heads and footers.

They were labelled before the extractor was changed for them, and the extractor's weights were
not tuned on them: the figures here are the honest out-of-sample ones.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidence.candidates import KINDS
from evidence.tests.test_candidates import Paper, ReadingText

DATA_DIR = Path(__file__).resolve().parent / "data"
LABELS_FILE = DATA_DIR / "heldout_statements.yaml"
REPORT = "labour-market-report"
SKRIPT = "energiepolitik-skript"
DOCUMENTS = (REPORT, SKRIPT)


@functools.cache
def load_document(stem: str) -> Paper:
    """A held-out document read as an upload is: plain text, pages split at form feeds."""
    from sources.extractors import extract_document

    document = extract_document(DATA_DIR / f"{stem}.txt")
    return Paper(
        stem,
        document.full_text,
        list(document.page_starts),
        list(document.references),
        list(document.markers),
        "extract_document",
    )


@functools.cache
def load_heldout_labels() -> dict[str, Any]:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


def test_heldout_labels_are_well_formed() -> None:
    labels = load_heldout_labels()
    for stem in DOCUMENTS:
        assert sum(1 for s in labels["statements"] if s["paper"] == stem) >= 20
        assert len(load_document(stem).page_starts) >= 7
    for statement in labels["statements"]:
        assert statement["paper"] in DOCUMENTS
        assert statement["kind"] in KINDS
    texts = [(s["paper"], s["text"]) for s in labels["statements"] + labels["acceptable"]]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("stem", DOCUMENTS)
def test_heldout_statements_are_verbatim(stem: str) -> None:
    reading = ReadingText.of(load_document(stem))
    labels = load_heldout_labels()
    for item in labels["statements"] + labels["acceptable"]:
        if item["paper"] == stem:
            assert reading.find(item["text"]) is not None, item["text"]
