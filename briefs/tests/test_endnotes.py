"""The endnotes of the brief page, made in Python (Notes.endnotes): the same markup as the
template loop they replaced, with and without the links to the evidence pages."""

import pytest
from django.template import engines

from .conftest import cite, make_brief, make_evidence, make_reference, make_source, paragraph

pytestmark = pytest.mark.django_db

# The loop of templates/briefs/includes/brief_article.html before Notes.endnotes.
TEMPLATE_LOOP = """{% load l10n %}{% localize off %}
    {% for note in notes.notes %}
    <li class="endnote" id="note-{{ note.number }}" value="{{ note.number }}" tabindex="-1">
      <q class="endnote__quote" id="note-{{ note.number }}-quote">{{ note.quote }}</q>
      <span class="endnote__source">{{ note.html }}</span>
      {% if downloads %}<a class="endnote__evidence" href="{% url 'briefs:evidence' note.evidence.pk %}">Evidence<span class="visually-hidden"> for note {{ note.number }}</span></a>{% endif %}
      <a class="endnote__back" href="#note-{{ note.number }}-ref" data-note-back="{{ note.number }}"><span aria-hidden="true">↩</span> Back to text<span class="visually-hidden"> (note {{ note.number }})</span></a>
    </li>
    {% endfor %}{% endlocalize %}"""  # noqa: E501


@pytest.mark.parametrize("evidence_links", [True, False])
def test_endnotes_as_the_template_loop_made_them(brief_index, evidence_links, settings):
    settings.USE_THOUSAND_SEPARATOR = True  # numbers in ids and links stay as they are
    source = make_source(
        'A "quoted" <title> & co',
        publisher="Q&A <Press>",
        pages=[f"Statement {n} says <b>1,000</b> & more." for n in range(3)],
    )
    reference = make_reference(source, "Peyrouse, S. (2019) Chinese capital & <markets>.")
    evidence = [
        make_evidence(source, f"Statement {n} says <b>1,000</b> & more", footnote=reference)
        for n in range(3)
    ]
    brief = make_brief(
        brief_index,
        "Endnotes",
        [paragraph("".join(f"<p>{cite(f'claim {n}', e)}.</p>" for n, e in enumerate(evidence)))],
    )
    notes = brief.notes
    assert len(notes.notes) == 3
    expected = (
        engines["django"]
        .from_string(TEMPLATE_LOOP)
        .render({"notes": notes, "downloads": {"bib": "x"} if evidence_links else None})
    )
    assert "&lt;b&gt;1,000&lt;/b&gt; &amp; more" in expected
    assert ("/evidence/" in expected) is evidence_links
    assert "\n    " + notes.endnotes(evidence_links) == expected
