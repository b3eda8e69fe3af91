"""What changed between two versions of a brief, claim by claim, for readers.

Computed from the structured content of the two revisions (their StreamField raw data and the
quotes each revision pinned, ``cited_quotes``), never from rendered HTML:

- notes: added, removed, or whose quote, page or source changed;
- key findings and recommendations: added, removed or reworded;
- sections: added or removed;
- and the body as plain-text lines, for a side-by-side diff (difflib, standard library).
"""

import difflib
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from django.utils.text import Truncator

from .citations import cited_evidence_ids

# Two items whose wording is at least this similar are one item reworded, not one removed and
# another added (difflib's ratio: 2 * matches / total length).
REWORDED_RATIO = 0.6


@dataclass(frozen=True)
class NoteState:
    evidence_id: int
    number: int
    quote: str
    page: int | None
    source_id: int | None
    source_title: str


@dataclass(frozen=True)
class Change:
    """One reader-facing change. ``what``: note, finding, recommendation or section;
    ``kind``: added, removed or changed; ``number`` the note's number (in the new version,
    or the old one for a removed note)."""

    what: str
    kind: str
    label: str
    before: str = ""
    after: str = ""
    details: tuple = ()
    number: int | None = None

    @property
    def text(self) -> str:
        if self.kind == "added":
            return f"{self.label} added: “{_short(self.after)}”"
        if self.kind == "removed":
            return f"{self.label} removed: “{_short(self.before)}”"
        return f"{self.label}: " + "; ".join(self.details) + "."


@dataclass
class Summary:
    notes: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    recommendations: list = field(default_factory=list)
    sections: list = field(default_factory=list)

    @property
    def changes(self):
        return [*self.sections, *self.findings, *self.recommendations, *self.notes]

    def __bool__(self):
        return bool(self.changes)


def _short(text, words=30):
    return Truncator(" ".join(str(text).split())).words(words, truncate="…")


# Reading a revision's structured content ------------------------------------------------------


def _children(raw_body, block_type):
    return [child.get("value") for child in raw_body if child.get("type") == block_type]


def _items(raw_list):
    for item in raw_list or []:
        yield item["value"] if isinstance(item, dict) and "value" in item else item


def findings_of(raw_body) -> list[str]:
    return [
        " ".join(str(item.get("text", "")).split())
        for value in _children(raw_body, "key_findings")
        for item in _items(value.get("items"))
    ]


def recommendations_of(raw_body) -> list[str]:
    found = []
    for value in _children(raw_body, "recommendations"):
        for group in _items(value.get("groups")):
            addressee = " ".join(str(group.get("addressee", "")).split())
            for item in _items(group.get("items")):
                text = " ".join(str(item.get("text", "")).split())
                found.append(f"{addressee}: {text}" if addressee else text)
    return found


def sections_of(raw_body) -> list[str]:
    return [" ".join(str(v.get("heading", "")).split()) for v in _children(raw_body, "section")]


def notes_of(page, evidence_by_id) -> list[NoteState]:
    """The notes of a revision's page (``revision.as_object()``), numbered as the reader sees
    them, each with the quote the revision pinned (else the evidence's current one)."""
    pinned = page.cited_quotes or {}
    notes = []
    for number, evidence_id in enumerate(cited_evidence_ids(page.body), start=1):
        evidence = evidence_by_id.get(evidence_id)
        pin = pinned.get(str(evidence_id), {})
        notes.append(
            NoteState(
                evidence_id=evidence_id,
                number=number,
                quote=pin.get("quote") or (evidence.quote if evidence else ""),
                page=pin.get("page") or (evidence.page if evidence else None),
                source_id=evidence.source_id if evidence else None,
                source_title=evidence.source.title if evidence else "",
            )
        )
    return notes


def _evidence_for(*pages):
    from evidence.models import Evidence

    ids = {i for page in pages for i in cited_evidence_ids(page.body)}
    return Evidence.objects.select_related("source").in_bulk(ids)


# Comparing -------------------------------------------------------------------------------------


def _note_details(old: NoteState, new: NoteState) -> tuple:
    details = []
    if old.source_id != new.source_id:
        details.append(f"source changed from “{old.source_title}” to “{new.source_title}”")
    if old.quote != new.quote:
        details.append(f"quote changed from “{_short(old.quote)}” to “{_short(new.quote)}”")
    if old.page != new.page:
        details.append(f"page changed from {old.page} to {new.page}")
    return tuple(details)


def compare_notes(old_notes, new_notes) -> list[Change]:
    """Notes are matched by the evidence they cite; a note whose evidence was replaced keeps
    its place (the same note number) and is reported as changed, not removed and added."""
    old_by_id = {note.evidence_id: note for note in old_notes}
    new_ids = {note.evidence_id for note in new_notes}
    changes, unmatched_new = [], []
    for new in new_notes:
        old = old_by_id.get(new.evidence_id)
        if old is None:
            unmatched_new.append(new)
            continue
        details = _note_details(old, new)
        if details:
            changes.append(_note_change(new, old, details))
    unmatched_old = {n.number: n for n in old_notes if n.evidence_id not in new_ids}
    for new in unmatched_new:
        old = unmatched_old.pop(new.number, None)
        if old is not None:
            changes.append(_note_change(new, old, _note_details(old, new)))
        else:
            changes.append(
                Change("note", "added", f"Note {new.number}", after=new.quote, number=new.number)
            )
    for old in unmatched_old.values():
        changes.append(
            Change("note", "removed", f"Note {old.number}", before=old.quote, number=old.number)
        )
    return sorted(changes, key=lambda change: change.number or 0)


def _note_change(new, old, details):
    label = f"Note {new.number}" + (f" (was note {old.number})" if old.number != new.number else "")
    return Change(
        "note",
        "changed",
        label,
        before=old.quote,
        after=new.quote,
        details=details,
        number=new.number,
    )


def compare_texts(old_items, new_items, what, label) -> list[Change]:
    """Items added, removed, or reworded (an old and a new item similar enough)."""
    removed = [item for item in old_items if item not in new_items]
    added = [item for item in new_items if item not in old_items]
    changes = []
    for new in list(added):
        best, best_ratio = None, REWORDED_RATIO
        for old in removed:
            ratio = difflib.SequenceMatcher(None, old, new).ratio()
            if ratio >= best_ratio:
                best, best_ratio = old, ratio
        if best is not None:
            removed.remove(best)
            added.remove(new)
            changes.append(
                Change(
                    what,
                    "changed",
                    label,
                    before=best,
                    after=new,
                    details=(f"reworded from “{_short(best)}” to “{_short(new)}”",),
                )
            )
    changes += [Change(what, "removed", label, before=item) for item in removed]
    changes += [Change(what, "added", label, after=item) for item in added]
    return changes


def summarize(old_page, new_page) -> Summary:
    """What changed from ``old_page`` to ``new_page`` (two revisions as page objects)."""
    evidence = _evidence_for(old_page, new_page)
    old_raw, new_raw = list(old_page.body.raw_data), list(new_page.body.raw_data)
    old_sections, new_sections = sections_of(old_raw), sections_of(new_raw)
    return Summary(
        notes=compare_notes(notes_of(old_page, evidence), notes_of(new_page, evidence)),
        findings=compare_texts(
            findings_of(old_raw), findings_of(new_raw), "finding", "Key finding"
        ),
        recommendations=compare_texts(
            recommendations_of(old_raw),
            recommendations_of(new_raw),
            "recommendation",
            "Recommendation",
        ),
        sections=[
            Change("section", "removed", "Section", before=h)
            for h in old_sections
            if h not in new_sections
        ]
        + [
            Change("section", "added", "Section", after=h)
            for h in new_sections
            if h not in old_sections
        ],
    )


# The body as text, for the side-by-side diff ---------------------------------------------------


def _plain(html) -> str:
    return " ".join(strip_tags(str(html or "").replace("</p>", "\n")).split())


def body_lines(page, evidence_by_id=None) -> list[str]:
    """The body as plain-text lines: one per paragraph, heading, item, quote or row."""
    lines = [page.title, page.standfirst, ""]
    for child in page.body.raw_data:
        kind, value = child.get("type"), child.get("value")
        if kind == "section":
            lines += ["", f"## {value.get('heading', '')}"]
        elif kind == "paragraph":
            lines += [
                " ".join(p.split()) for p in strip_tags(str(value)).split("\n") if p.strip()
            ] or [_plain(value)]
        elif kind in ("key_findings",):
            lines.append(f"### {value.get('title', '')}")
            lines += [f"- {item.get('text', '')}" for item in _items(value.get("items"))]
        elif kind == "recommendations":
            lines.append(f"### {value.get('title', '')}")
            for group in _items(value.get("groups")):
                lines += [
                    f"- {group.get('addressee', '')}: {item.get('text', '')}"
                    for item in _items(group.get("items"))
                ]
        elif kind == "evidence_quote":
            quote = (page.cited_quotes or {}).get(str(value.get("evidence")), {}).get("quote")
            lines.append(f"> “{quote or ''}”")
            if value.get("commentary"):
                lines.append(_plain(value["commentary"]))
        elif kind == "callout":
            lines += [f"[{value.get('title', '')}]", _plain(value.get("body"))]
        elif kind == "table":
            lines += [" | ".join(str(c or "") for c in row) for row in value.get("data") or []]
        elif kind in ("chart", "key_figure"):
            lines.append(
                f"[{kind.replace('_', ' ')}] {value.get('title') or value.get('caption', '')}"
            )
    return lines


def side_by_side(old_page, new_page, old_label, new_label) -> str:
    """An HTML table (difflib.HtmlDiff, escaped, no inline styles) of the two bodies' text."""
    return difflib.HtmlDiff(wrapcolumn=60).make_table(
        body_lines(old_page), body_lines(new_page), old_label, new_label, context=True, numlines=2
    )
