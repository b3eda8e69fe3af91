import re

from django import template
from django.utils.safestring import mark_safe

from ..citations import author_line, render_cited_html
from ..figures import format_figure

register = template.Library()


_NOTE_REF_RE = re.compile(r'<a class="note-ref" href="#note-(\d+)"')


def _first_ref_id(context, number):
    """ "note-N-ref" for the first reference to note N on a brief page (the target of the
    endnote's back-link); None for later ones and outside a brief page."""
    seen = context.get("note_refs_seen")
    if seen is None or number is None or number in seen:
        return None
    seen.add(number)
    return f"note-{number}-ref"


@register.simple_tag(takes_context=True)
def cited(context, value):
    """Rich text with its inline citations numbered as the brief's notes."""
    source = getattr(value, "source", value) or ""
    html = render_cited_html(source, context.get("notes"))
    if context.get("note_refs_seen") is None:
        return html

    def add_id(match):
        ref_id = _first_ref_id(context, int(match.group(1)))
        return f'<a id="{ref_id}"{match.group(0)[2:]}' if ref_id else match.group(0)

    return mark_safe(_NOTE_REF_RE.sub(add_id, html))


@register.inclusion_tag("briefs/includes/note_ref.html", takes_context=True)
def note_ref(context, evidence):
    """A numbered reference to the endnote of ``evidence`` (with its quote for the tooltip)."""
    notes = context.get("notes")
    number = notes.number(evidence.pk) if (notes is not None and evidence is not None) else None
    return {"number": number, "evidence": evidence, "ref_id": _first_ref_id(context, number)}


@register.filter
def figure(value, unit):
    return format_figure(value, unit)


@register.filter
def source_authors(source):
    """The authors (or, without authors, the editors) as the notes name them."""
    return author_line(source)
