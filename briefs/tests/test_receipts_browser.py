"""In Chromium: a note's "Evidence" link leads to the receipt of that note's quote, which
passes axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_browser import AXE_TAGS, site  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clear_cache"),
]


def test_note_evidence_link_leads_to_its_quote(page, live_server, site):  # noqa: F811
    brief = site["brief"]
    page.goto(live_server.url + brief.url)
    for number in (1, 2):
        note = brief.notes.notes[number - 1]
        shown = page.locator(f"#note-{number}-quote").inner_text()
        link = page.locator(f"#note-{number} a.endnote__evidence")
        link.click()
        page.wait_for_url(f"**/evidence/{note.evidence.pk}/")
        assert page.locator("mark.receipt__quote").inner_text() == shown == note.quote
        assert brief.title in page.locator(".receipt__briefs").inner_text()
        if number == 1:
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            violations = results.response["violations"]
            assert not violations, [(v["id"], v["help"]) for v in violations]
        page.go_back()
