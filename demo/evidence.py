"""Demo content for the evidence library: the accepted evidence of the two corpus papers, read
from ``demo/evidence.yaml``.

Idempotent: running it twice changes nothing. Each entry is anchored in the current text of its
source (exact or normalised match only: demo quotes are verbatim), then matched to the evidence
already stored for that passage (same offsets first, then any overlapping evidence, such as an
automatic candidate, which becomes the accepted demo evidence instead of a duplicate). A
revision is saved only when something changed. A quote that does not anchor stops the load with
an error naming the entry: the demo never silently loses evidence.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from demo.sources import CORPUS_DIR, SOURCES
from evidence import services
from evidence.anchoring import AnchorError
from evidence.models import Evidence, EvidenceFigure
from sources import services as source_services
from sources.models import Reference, Source
from taxonomy.models import Country, Topic

EVIDENCE_FILE = Path(settings.BASE_DIR) / "demo" / "evidence.yaml"

# Verbatim quotes anchor exactly or up to whitespace, hyphenation and typographic quotes.
ACCEPTED_METHODS = {"exact", "normalised"}

_REQUIRED = ("source", "quote", "claim", "kind")
_KNOWN = {*_REQUIRED, "countries", "topics", "tags", "figures", "footnote"}
_FIGURE_KEYS = {"value", "unit", "year", "label"}


class DemoEvidenceError(Exception):
    """The demo evidence file cannot be loaded as it stands; the message names the entry."""


@dataclass
class _Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self):
        return self.added + self.updated + self.unchanged


def load_evidence(log=print, path=None) -> dict:
    """Create or update the accepted demo evidence; returns ``{file stem: pieces}``.

    The sources must be loaded first (``demo.sources.load_sources``)."""
    entries = read_entries(path or EVIDENCE_FILE)
    sources = demo_sources()
    countries = {c.iso_code: c for c in Country.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    counts = {stem: _Counts() for stem in sources}
    claimed = set()
    with transaction.atomic():
        for number, entry in enumerate(entries, start=1):
            outcome = _load_entry(number, entry, sources, countries, topics, claimed)
            setattr(counts[entry["source"]], outcome, getattr(counts[entry["source"]], outcome) + 1)
    for stem, count in counts.items():
        log(
            f"Demo evidence for “{sources[stem].title}”: {count.total} accepted pieces "
            f"({count.added} added, {count.updated} updated, {count.unchanged} unchanged)"
        )
    return {stem: count.total for stem, count in counts.items()}


def read_entries(path) -> list[dict]:
    """The entries of the demo evidence file, checked for shape (not yet anchored)."""
    path = Path(path)
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DemoEvidenceError(f"Cannot read the demo evidence file {path}: {exc}") from exc
    if not isinstance(entries, list):
        raise DemoEvidenceError(f"{path} must hold a list of evidence entries.")
    stems = {Path(spec["file"]).stem for spec in SOURCES}
    kinds = set(Evidence.Kind.values)
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {number}"
        if not isinstance(entry, dict):
            raise DemoEvidenceError(f"{where} is not a mapping.")
        missing = [key for key in _REQUIRED if not entry.get(key)]
        if missing:
            raise DemoEvidenceError(f"{where} lacks {', '.join(missing)}.")
        where = f"{where} ({entry['quote'][:60]!r})"
        unknown = set(entry) - _KNOWN
        if unknown:
            raise DemoEvidenceError(f"{where} has unknown keys: {', '.join(sorted(unknown))}.")
        if entry["source"] not in stems:
            raise DemoEvidenceError(
                f"{where}: unknown source {entry['source']!r}; use one of {sorted(stems)}."
            )
        if entry["kind"] not in kinds:
            raise DemoEvidenceError(f"{where}: unknown kind {entry['kind']!r}.")
        figures = entry.get("figures") or []
        if entry["kind"] == Evidence.Kind.STATISTIC and not figures:
            raise DemoEvidenceError(f"{where} is a statistic without figures.")
        for figure in figures:
            if not isinstance(figure, dict) or not {"value", "unit", "label"} <= set(figure):
                raise DemoEvidenceError(f"{where}: a figure needs value, unit and label.")
            if set(figure) - _FIGURE_KEYS:
                raise DemoEvidenceError(f"{where}: unknown figure keys in {figure}.")
            _decimal(figure["value"], where)
    return entries


def demo_sources() -> dict:
    """The corpus sources by file stem, found like ``load_sources`` finds them."""
    found = {}
    for spec in SOURCES:
        path = CORPUS_DIR / spec["file"]
        with path.open("rb") as fileobj:
            sha256 = source_services.sha256_of(fileobj)
        source = Source.objects.filter(file_sha256=sha256).first()
        if source is None:
            source = Source.objects.filter(title=spec["title"]).order_by("pk").first()
        if source is None:
            raise DemoEvidenceError(
                f"The demo source “{spec['title']}” ({spec['file']}) is not in the library; "
                "load the demo sources first."
            )
        found[path.stem] = source
    return found


def _load_entry(number, entry, sources, countries, topics, claimed) -> str:
    source = sources[entry["source"]]
    where = f"demo evidence entry {number} ({entry['source']}: {entry['quote'][:60]!r}…)"
    try:
        text = services.ready_text(source)
        anchor = services.anchor_quote(source, entry["quote"])
    except AnchorError as exc:
        raise DemoEvidenceError(f"{where} does not anchor: {exc}") from exc
    if anchor.method not in ACCEPTED_METHODS:
        raise DemoEvidenceError(
            f"{where} is not verbatim: it matched only by {anchor.method} match "
            f"({anchor.score:.0f}%), near {text.full_text[anchor.start : anchor.end][:80]!r}."
        )

    evidence = _match(source, text, anchor, claimed)
    created = evidence is None
    if created:
        evidence = Evidence(source=source)
    before = None if created else _state(evidence)

    if created or (evidence.source_text_id, evidence.start, evidence.end, evidence.quote) != (
        text.pk,
        anchor.start,
        anchor.end,
        anchor.exact,
    ):
        services.apply_anchor(evidence, text, anchor)
    else:
        # Same passage: keep the stored anchor (and its verification time) as it is.
        evidence.prefix, evidence.suffix = anchor.prefix, anchor.suffix
        evidence.page = text.page_for_offset(anchor.start)
        evidence.text_sha256 = text.text_sha256
        evidence.anchor_method, evidence.anchor_score = anchor.method, anchor.score
    evidence.anchor_status = Evidence.AnchorStatus.EXACT
    evidence.anchor_note = ""
    evidence.claim = " ".join(entry["claim"].split())
    evidence.kind = entry["kind"]
    evidence.review_status = Evidence.ReviewStatus.ACCEPTED
    evidence.origin = Evidence.Origin.ANALYST
    evidence.footnote = _footnote(entry, text, anchor, where)
    evidence.countries.set(_lookup(entry.get("countries"), countries, "country", where))
    evidence.topics.set(_lookup(entry.get("topics"), topics, "topic", where))
    evidence.tags.set(list(entry.get("tags") or []))
    evidence.figures = [
        EvidenceFigure(
            value=_decimal(figure["value"], where),
            unit=str(figure["unit"]),
            year=figure.get("year"),
            label=str(figure["label"]),
            sort_order=order,
        )
        for order, figure in enumerate(entry.get("figures") or [])
    ]

    if not created and _state(evidence) == before and evidence.latest_revision_id:
        claimed.add(evidence.pk)
        return "unchanged"
    evidence.save()
    evidence.save_revision(log_action="wagtail.create" if created else True)
    claimed.add(evidence.pk)
    return "added" if created else "updated"


def _match(source, text, anchor, claimed):
    """The stored evidence this entry stands for: the same passage, else the evidence that
    overlaps it most (demo evidence before automatic candidates), else None."""
    overlapping = [
        evidence
        for evidence in Evidence.objects.filter(
            source=source, source_text=text, start__lt=anchor.end, end__gt=anchor.start
        ).exclude(pk__in=claimed)
    ]
    if not overlapping:
        return None

    def rank(evidence):
        same = (evidence.start, evidence.end) == (anchor.start, anchor.end)
        overlap = min(evidence.end, anchor.end) - max(evidence.start, anchor.start)
        return (not same, evidence.origin != Evidence.Origin.ANALYST, -overlap, evidence.pk)

    return min(overlapping, key=rank)


def _footnote(entry, text, anchor, where):
    """The footnote the entry names, else the one whose marker the quote carries."""
    number = entry.get("footnote")
    if number is None:
        return services.footnote_for(text, anchor.start, anchor.end)
    reference = Reference.objects.filter(text=text, number=number).first()
    if reference is None:
        raise DemoEvidenceError(f"{where} names footnote {number}, which the source lacks.")
    return reference


def _lookup(keys, known, what, where):
    objects = []
    for key in keys or []:
        if key not in known:
            raise DemoEvidenceError(
                f"{where}: unknown {what} {key!r}; load the taxonomy first "
                f"(known: {', '.join(sorted(known))})."
            )
        objects.append(known[key])
    return objects


def _decimal(value, where):
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DemoEvidenceError(f"{where}: figure value {value!r} is not a number.") from exc
    if not result.is_finite():
        raise DemoEvidenceError(f"{where}: figure value {value!r} is not a number.")
    return result


def _state(evidence):
    """Everything the demo sets on a piece of evidence, for change detection."""
    return (
        evidence.source_text_id,
        evidence.quote,
        evidence.prefix,
        evidence.suffix,
        evidence.start,
        evidence.end,
        evidence.page,
        evidence.text_sha256,
        evidence.anchor_method,
        round(evidence.anchor_score, 6),
        evidence.anchor_status,
        evidence.anchor_note,
        evidence.claim,
        evidence.kind,
        evidence.review_status,
        evidence.origin,
        evidence.footnote_id,
        tuple(sorted(c.pk for c in evidence.countries.all())),
        tuple(sorted(t.pk for t in evidence.topics.all())),
        tuple(sorted(t.name for t in evidence.tags.all())),
        tuple(
            (f.value.normalize(), f.unit, f.year, f.label, f.sort_order)
            for f in sorted(evidence.figures.all(), key=lambda f: f.sort_order)
        ),
    )
