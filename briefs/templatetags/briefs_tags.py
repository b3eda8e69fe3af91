from django import template
from django.utils.safestring import mark_safe

from ..citations import CitationMarkup, author_line
from ..figures import format_figure

register = template.Library()


def _citations(context) -> CitationMarkup:
    """The brief's citation markup (``citations`` in the context: see BriefPage.get_context and
    pdfs.rendering); a block rendered alone, as in the admin's block preview, gets its own."""
    citations = context.get("citations")
    return citations if citations is not None else CitationMarkup(context.get("notes"))


@register.simple_tag(takes_context=True)
def cited(context, value):
    """Rich text with its inline citations numbered as the brief's notes."""
    return _citations(context).rich_text(getattr(value, "source", value) or "")


@register.simple_tag(takes_context=True)
def note_ref(context, evidence):
    """A numbered reference to the endnote of ``evidence`` (with its quote for the tooltip)."""
    # Followed by a newline, as when this tag included a template ending in one: the pages
    # stay as they were.
    return mark_safe(f"{_citations(context).ref_to(evidence)}\n")


@register.simple_tag
def endnotes(notes, evidence_links=False):
    """The items of the brief page's list of notes (see Notes.endnotes)."""
    return notes.endnotes(bool(evidence_links))


@register.filter
def figure(value, unit):
    return format_figure(value, unit)


@register.filter
def source_authors(source):
    """The authors (or, without authors, the editors) as the notes name them."""
    return author_line(source)
