from django import template

from ..citations import author_line, render_cited_html
from ..figures import format_figure

register = template.Library()


@register.simple_tag(takes_context=True)
def cited(context, value):
    """Rich text with its inline citations numbered as the brief's notes."""
    source = getattr(value, "source", value) or ""
    return render_cited_html(source, context.get("notes"))


@register.simple_tag(takes_context=True)
def note_number(context, evidence):
    """The note number of a piece of evidence in this brief (None when it is not cited)."""
    if evidence is None:
        return None
    notes = context.get("notes")
    if notes is None:
        return None
    return notes.number(evidence.pk)


@register.inclusion_tag("briefs/includes/note_ref.html", takes_context=True)
def note_ref(context, evidence):
    """A numbered reference to the endnote of ``evidence`` (with its quote for the tooltip)."""
    notes = context.get("notes")
    number = notes.number(evidence.pk) if (notes is not None and evidence is not None) else None
    return {"number": number, "evidence": evidence}


@register.filter
def figure(value, unit):
    return format_figure(value, unit)


@register.filter
def source_authors(source):
    """ "Polyxeni Davarinou (ed.) et al." as in the notes."""
    return author_line(source)
