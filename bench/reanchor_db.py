"""Re-anchoring 1,000 pieces of evidence through the product path (database included).

A 300-page source gets 1,000 anchored quotes; then a new version of its text, with edits spread
through it, is stored the way ingestion stores it, which re-anchors all of them (the
source_text_changed receiver). Everything runs inside a transaction that is rolled back, so the
database is left as it was. Target: ≤ 10 s for 1,000.
"""

import hashlib
import random
import time

from django.db import transaction
from django.db.models import Count

TARGET_SECONDS = 10.0
PAGES = 300
QUOTES = 1000


class _Rollback(Exception):
    pass


def _pages(seed):
    from pathlib import Path

    corpus = Path(__file__).resolve().parent.parent / "demo" / "corpus"
    sentences = []
    for name in ("chinas-image-in-kazakhstan.txt", "china-soft-power-digital-trade.txt"):
        text = (corpus / name).read_text(encoding="utf-8")
        sentences += [s.strip() for s in text.replace("\n", " ").split(". ") if len(s) > 60]
    rng = random.Random(seed)
    pages = []
    for number in range(PAGES):
        body = " ".join(f"[{number}.{i}] {rng.choice(sentences)}." for i in range(22))
        pages.append(body)
    return pages


def _store(source, pages, version):
    from sources.models import SourceText
    from sources.signals import source_text_changed

    full_text, starts = "", []
    for page in pages:
        starts.append(len(full_text))
        full_text += page + "\n\n"
    previous = source.current_text
    text = SourceText.objects.create(
        source=source,
        version=version,
        full_text=full_text,
        text_sha256=hashlib.sha256(full_text.encode()).hexdigest(),
        file_sha256="0" * 64,
        page_starts=starts,
    )
    source.current_text = text
    source.save(update_fields=["current_text"])
    started = time.perf_counter()
    source_text_changed.send(sender=type(source), source=source, old=previous, new=text)
    return text, time.perf_counter() - started


def run():
    from evidence import services
    from evidence.models import Evidence
    from sources.models import Source

    rows = []
    try:
        with transaction.atomic():
            source = Source.objects.create(
                title="Benchmark source", status=Source.Status.READY, file="bench.pdf"
            )
            pages = _pages(seed=1)
            text, _ = _store(source, pages, 1)
            index = services.TextIndex(text.full_text, text.page_starts)
            rng = random.Random(2)
            evidence = []
            for _ in range(QUOTES):
                start = rng.randrange(0, len(text.full_text) - 400)
                start = text.full_text.index(" ", start) + 1
                anchor = index.anchor_at(start, start + rng.randrange(80, 300))
                item = Evidence(source=source)
                services.apply_anchor(item, text, anchor)
                evidence.append(item)
            Evidence.objects.bulk_create(evidence)

            rng = random.Random(3)
            edited = []
            for page in pages:
                words = page.split(" ")
                for _ in range(3):
                    words.insert(rng.randrange(len(words)), "inserted")
                edited.append(" ".join(words))
            _, seconds = _store(source, edited, 2)
            counts = dict(
                Evidence.objects.filter(source=source)
                .values_list("anchor_status")
                .annotate(n=Count("id"))
            )
            rows.append(
                {
                    "name": f"re-anchor {QUOTES} evidence, {PAGES}-page source (DB)",
                    "value": round(seconds, 3),
                    "unit": "s",
                    "baseline": None,
                    "target": TARGET_SECONDS,
                }
            )
            for status in ("exact", "relocated", "orphaned"):
                rows.append(
                    {
                        "name": f"re-anchor outcome: {status}",
                        "value": counts.get(status, 0),
                        "unit": "count",
                        "baseline": None,
                        "target": None,
                    }
                )
            raise _Rollback
    except _Rollback:
        pass
    return rows


if __name__ == "__main__":
    import os
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    for row in run():
        print(f"{row['name']:<55} {row['value']:>10} {row['unit']}")
