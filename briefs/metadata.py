"""What reference managers and scholarly search engines read about a brief: its CSL-JSON item
(the one source of truth), and from it the Highwire ``citation_*`` and Dublin Core ``DC.*``
meta tags, RIS and BibTeX; the same RIS / BibTeX / CSL-JSON for a brief's bibliography, from
the CSL items citations.py already builds for citeproc-py.

RIS and BibTeX are written here rather than by a library: the maintained Python packages
(rispy, bibtexparser) are parsers first, their writers take their own dict shapes that would
need the same mapping from CSL anyway, and both formats are a few lines of text per entry.
The tests parse the output back with rispy and bibtexparser."""

import json
import re

from django.conf import settings
from django.urls import reverse

from sources.models import SourceAuthor

from .citations import csl_name

LANGUAGE = "en-GB"


def brief_number(page) -> str:
    """A stable number of the brief: its page id never changes, whatever the slug or title."""
    return f"BD-{page.pk:04d}"


def download_urls(page) -> dict:
    """The site-relative addresses of the brief's downloads (citation, bibliography, evidence
    as Web Annotations). The PDF's address comes from the pdfs app, which sits above briefs:
    the brief template adds ``citation_pdf_url`` with its ``live_pdf`` tag."""
    urls = {fmt: reverse(f"briefs:cite-{fmt}", args=[page.slug]) for fmt in FORMATS}
    for fmt in FORMATS:
        urls[f"bibliography_{fmt}"] = reverse(f"briefs:bibliography-{fmt}", args=[page.slug])
    urls["annotations"] = reverse("briefs:annotations", args=[page.slug])
    return urls


def brief_csl(page, request=None) -> dict:
    """The brief as a CSL-JSON item (type report)."""
    item = {
        "id": f"brief-{page.pk}",
        "type": "report",
        "title": page.title,
        "genre": page.get_kind_display(),
        "number": brief_number(page),
        "publisher": settings.BRIEFDESK_PUBLISHER,
        "language": LANGUAGE,
        "abstract": page.standfirst,
        "keyword": ", ".join(term.name for term in page.terms),
    }
    authors = [csl_name(SourceAuthor(name=author.name)) for author in page.authors.all()]
    if authors:
        item["author"] = authors
    if page.display_date:
        date = page.display_date
        item["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    if page.first_published_at:
        date = page.first_published_at.date()
        item["available-date"] = {"date-parts": [[date.year, date.month, date.day]]}
    url = page.get_full_url(request)
    if url:
        item["URL"] = url
    return item


def _date(item, key="issued"):
    parts = (item.get(key) or {}).get("date-parts") or [[]]
    return list(parts[0])


def _name_text(name: dict, *, family_first=True) -> str:
    if "literal" in name:
        return name["literal"]
    given, family = name.get("given", ""), name.get("family", "")
    suffix = f", {name['suffix']}" if name.get("suffix") else ""
    if family_first:
        return f"{family}, {given}{suffix}" if given else family
    return f"{given} {family}".strip() + suffix


# Meta tags ----------------------------------------------------------------------------------


def meta_tags(page, request) -> list[tuple[str, str]]:
    """Highwire Press and Dublin Core tags as (name, content), in Google Scholar's order
    (https://scholar.google.com/intl/en/scholar/inclusion.html#indexing); the template adds
    ``citation_pdf_url``."""
    item = brief_csl(page, request)
    page_url = item.get("URL", "")
    affiliations = [author.affiliation for author in page.authors.all()]
    date = "/".join(f"{part:02d}" for part in _date(item))
    online = "/".join(f"{part:02d}" for part in _date(item, "available-date"))
    tags = [("citation_title", item["title"])]
    for name, affiliation in zip(item.get("author", []), affiliations, strict=False):
        tags.append(("citation_author", _name_text(name)))
        if affiliation:
            tags.append(("citation_author_institution", affiliation))
    tags += [
        ("citation_publication_date", date),
        ("citation_online_date", online),
        ("citation_technical_report_institution", item["publisher"]),
        ("citation_technical_report_number", item["number"]),
        ("citation_language", LANGUAGE),
        ("citation_keywords", "; ".join(term.name for term in page.terms)),
        ("citation_abstract_html_url", page_url),
        ("DC.title", item["title"]),
        *[("DC.creator", _name_text(name)) for name in item.get("author", [])],
        ("DC.date", "-".join(f"{part:02d}" for part in _date(item))),
        ("DC.publisher", item["publisher"]),
        ("DC.type", "Text"),
        ("DC.format", "text/html"),
        ("DC.language", LANGUAGE),
        ("DC.identifier", page_url),
        ("DC.description", item["abstract"]),
        *[("DC.subject", term.name) for term in page.terms],
    ]
    return [(name, content) for name, content in tags if content]


# RIS ----------------------------------------------------------------------------------------

RIS_TYPES = {
    "report": "RPRT",
    "article-journal": "JOUR",
    "article-newspaper": "NEWS",
    "webpage": "ELEC",
    "book": "BOOK",
    "chapter": "CHAP",
    "dataset": "DATA",
    "legislation": "STAT",
}


def _ris_lines(item) -> list[str]:
    lines = [("TY", RIS_TYPES.get(item.get("type"), "GEN"))]
    lines.append(("TI", item.get("title", "")))
    lines += [("AU", _name_text(name)) for name in item.get("author", [])]
    lines += [("A2", _name_text(name)) for name in item.get("editor", [])]
    date = _date(item)
    if date:
        lines.append(("PY", str(date[0])))
        lines.append(("DA", "/".join(f"{part:02d}" for part in date) + "/" * (3 - len(date))))
    lines += [
        ("PB", item.get("publisher", "")),
        ("SN", item.get("number", "")),
        ("M3", item.get("genre", "")),
        ("LA", item.get("language", "")),
        ("AB", item.get("abstract", "")),
        ("DO", item.get("DOI", "")),
        ("UR", item.get("URL", "")),
    ]
    lines += [("KW", word.strip()) for word in item.get("keyword", "").split(",") if word.strip()]
    lines.append(("ER", ""))
    return [
        f"{tag}  - {' '.join(str(value).split())}".rstrip()
        for tag, value in lines
        if value or tag == "ER"
    ]


def to_ris(items) -> str:
    """CSL-JSON items as RIS (https://en.wikipedia.org/wiki/RIS_(file_format))."""
    return "\r\n".join(line for item in items for line in [*_ris_lines(item), ""])


# BibTeX -------------------------------------------------------------------------------------

BIBTEX_TYPES = {
    "report": "techreport",
    "article-journal": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "inbook",
    "webpage": "misc",
    "dataset": "misc",
}
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(char, char) for char in " ".join(str(text).split()))


def bibtex_key(item) -> str:
    """ "whitfield2026loans": first author's family name, year, first word of the title."""
    names = item.get("author") or item.get("editor") or [{"literal": item.get("publisher", "")}]
    first = names[0].get("family") or names[0].get("literal") or "anon"
    word = next(iter(re.findall(r"\w{4,}", item.get("title", ""))), "")
    year = (_date(item) or [""])[0]
    key = re.sub(r"[^a-z0-9]", "", f"{first}{year}{word}".lower()) or "entry"
    return key[:40]


def _bibtex_entry(item, key) -> str:
    bib_type = BIBTEX_TYPES.get(item.get("type"), "misc")
    date = _date(item)
    fields = [
        # Double braces keep the title's capitals through BibTeX styles.
        ("title", "{" + bibtex_escape(item.get("title", "")) + "}"),
        ("author", " and ".join(bibtex_escape(_name_text(n)) for n in item.get("author", []))),
        ("editor", " and ".join(bibtex_escape(_name_text(n)) for n in item.get("editor", []))),
        ("year", str(date[0]) if date else ""),
        ("month", str(date[1]) if len(date) > 1 else ""),
        ("day", str(date[2]) if len(date) > 2 else ""),
        ("institution" if bib_type == "techreport" else "publisher", item.get("publisher", "")),
        ("number", item.get("number", "")),
        ("type", item.get("genre", "")),
        ("language", item.get("language", "")),
        ("abstract", item.get("abstract", "")),
        ("keywords", item.get("keyword", "")),
        ("doi", item.get("DOI", "")),
        ("url", item.get("URL", "")),
    ]
    body = ",\n".join(
        f"  {name} = {{{value if name == 'title' else bibtex_escape(value)}}}"
        for name, value in fields
        if value
    )
    return f"@{bib_type}{{{key},\n{body}\n}}\n"


def to_bibtex(items) -> str:
    """CSL-JSON items as BibTeX entries with distinct keys."""
    seen, entries = {}, []
    for item in items:
        key = bibtex_key(item)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}{chr(ord('a') + seen[key] - 2)}"
        entries.append(_bibtex_entry(item, key))
    return "\n".join(entries)


def to_csl_json(items) -> str:
    return json.dumps(list(items), ensure_ascii=False, indent=2)


# Downloads ----------------------------------------------------------------------------------

FORMATS = {
    # format: (media type, file extension, writer)
    "ris": ("application/x-research-info-systems", "ris", to_ris),
    "bib": ("application/x-bibtex", "bib", to_bibtex),
    "json": ("application/vnd.citationstyles.csl+json", "json", to_csl_json),
}


def brief_citation(page, fmt, request=None) -> str:
    return FORMATS[fmt][2]([brief_csl(page, request)])


def bibliography_items(page) -> list[dict]:
    """The CSL items of the sources the brief cites, as citeproc-py formats them."""
    return [entry.csl for entry in page.notes.bibliography]


def bibliography_download(page, fmt) -> str:
    return FORMATS[fmt][2](bibliography_items(page))
