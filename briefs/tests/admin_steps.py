"""Reusable pieces for tests of the brief editor: test content built straight in the database,
and the steps an analyst takes in the Wagtail admin with a real browser (Playwright).

The browser steps are shared with the end-to-end journey test: keep them free of assertions
about one test's data, and rely on roles, labels and the admin's own markup hooks."""

import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

from evidence.models import Evidence
from evidence.tests.factories import EvidenceFactory
from sources.tests.factories import SourceFactory
from taxonomy.tests.factories import CountryFactory, TopicFactory

ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"

# Test content ------------------------------------------------------------------------------


STEPPE_PAGES = [
    "Trade between China and Kazakhstan grew fast. "
    "Chinese investment reached 27 billion dollars in 2018. "
    "Public opinion remained wary of Chinese influence.\n",
    "Kazakh exports to China were 9 billion dollars in 2019. "
    "Survey respondents said Chinese loans lacked transparency.\n",
    "Youth unemployment stood at 12 percent in 2020. "
    "The government promised new jobs in logistics.\n",
]
DIGITAL_PAGES = [
    "Digital trade rules shape soft power in the region. "
    "Cross-border e-commerce grew by 30 percent in 2021.\n",
]


def editor_library():
    """Two sources and evidence of every status, with figures, countries and topics."""
    kazakhstan = CountryFactory(iso_code="KZ", name="Kazakhstan")
    china = CountryFactory(iso_code="CN", name="China")
    trade = TopicFactory(name="Trade")
    opinion = TopicFactory(name="Public opinion")
    steppe = SourceFactory(title="Steppe Economics", pages=STEPPE_PAGES)
    digital = SourceFactory(title="Digital Silk Road", pages=DIGITAL_PAGES)
    lib = {
        "steppe": steppe,
        "digital": digital,
        "kazakhstan": kazakhstan,
        "china": china,
        "trade": trade,
        "opinion": opinion,
    }
    lib["investment"] = EvidenceFactory(
        source=steppe,
        quote="Chinese investment reached 27 billion dollars in 2018.",
        figures=[(27e9, "USD", 2018, "Chinese investment")],
        countries=[kazakhstan, china],
        topics=[trade],
        claim="Chinese investment in Kazakhstan is large.",
    )
    lib["exports"] = EvidenceFactory(
        source=steppe,
        quote="Kazakh exports to China were 9 billion dollars in 2019.",
        figures=[(9e9, "USD", 2019, "Kazakh exports")],
        countries=[kazakhstan],
        topics=[trade],
    )
    lib["opinion_quote"] = EvidenceFactory(
        source=steppe,
        quote="Public opinion remained wary of Chinese influence.",
        countries=[kazakhstan],
        topics=[opinion],
    )
    lib["unemployment"] = EvidenceFactory(
        source=steppe,
        quote="Youth unemployment stood at 12 percent in 2020.",
        figures=[(12, "%", 2020, "Youth unemployment")],
        countries=[kazakhstan],
    )
    lib["rejected"] = EvidenceFactory(
        source=steppe,
        quote="Survey respondents said Chinese loans lacked transparency.",
        review_status=Evidence.ReviewStatus.REJECTED,
        countries=[kazakhstan],
        topics=[opinion],
    )
    lib["orphaned"] = EvidenceFactory(
        source=steppe,
        quote="The government promised new jobs in logistics.",
        anchor_status=Evidence.AnchorStatus.ORPHANED,
        countries=[kazakhstan],
    )
    lib["candidate"] = EvidenceFactory(
        source=steppe,
        quote="Trade between China and Kazakhstan grew fast.",
        review_status=Evidence.ReviewStatus.CANDIDATE,
        countries=[kazakhstan, china],
        topics=[trade],
    )
    lib["ecommerce"] = EvidenceFactory(
        source=digital,
        quote="Cross-border e-commerce grew by 30 percent in 2021.",
        figures=[(30, "%", 2021, "E-commerce growth")],
        countries=[china],
        topics=[trade],
    )
    lib["no_figures"] = EvidenceFactory(
        source=digital,
        quote="Digital trade rules shape soft power in the region.",
        countries=[china],
        topics=[trade],
    )
    return lib


# Browser steps (Playwright) ----------------------------------------------------------------


def screenshot(page, name):
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)


def open_new_brief(page, base_url, brief_index):
    """Open the admin's "add a brief page" form under the brief index."""
    page.goto(f"{base_url}/admin/pages/add/briefs/briefpage/{brief_index.pk}/")
    page.locator("#body-root [data-streamfield-stream-container]").wait_for()


def fill_brief_metadata(page, *, title, standfirst, author):
    page.locator("#id_title").fill(title)
    page.locator("#id_standfirst").fill(standfirst)
    page.locator("#id_authors-0-name").fill(author)


def _top_level_blocks(page):
    return page.locator(
        "#body-root > [data-streamfield-stream-container] > [data-streamfield-child]"
    )


def add_block(page, label):
    """Add a block of type ``label`` (as the block picker names it) at the end of the body and
    return its container."""
    blocks = _top_level_blocks(page)
    count = blocks.count()
    page.locator(
        "#body-root > [data-streamfield-stream-container] > div > button[title='Insert a block']"
    ).last.click()
    page.get_by_role("option", name=label, exact=True).click()
    block = blocks.nth(count)
    block.wait_for()
    return block


def add_section_heading(page, heading):
    block = add_block(page, "Section heading")
    block.get_by_role("textbox", name="Heading").fill(heading)
    return block


def add_text_block(page, text):
    block = add_block(page, "Text")
    block.get_by_role("textbox").first.click()
    page.keyboard.type(text)
    return block


def select_words(page, block, words):
    """Select ``words`` in the block's rich text editor by dragging the mouse across them."""
    editor = block.locator(".public-DraftEditor-content").first
    selected = ""
    for _attempt in range(3):
        # Pause between attempts so that the presses do not count as a double or triple click
        # (which selects a word or the whole paragraph). The text goes to the middle of the
        # viewport, clear of the sticky action bar, and is measured again each time.
        page.wait_for_timeout(600)
        editor.evaluate("element => element.scrollIntoView({block: 'center'})")
        box = editor.evaluate(
            """(root, words) => {
                const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode())) {
                    const at = node.data.indexOf(words);
                    if (at < 0) continue;
                    const rect = (from) => {
                        const range = document.createRange();
                        range.setStart(node, from);
                        range.setEnd(node, from + 1);
                        return range.getClientRects()[0];
                    };
                    const first = rect(at);
                    const last = rect(at + words.length - 1);
                    return {x1: first.left + 1, y1: first.top + first.height / 2,
                            x2: last.right - 1, y2: last.top + last.height / 2};
                }
                return null;
            }""",
            words,
        )
        if box is None:
            raise AssertionError(f"“{words}” is not in the text block")
        page.mouse.move(box["x1"], box["y1"])
        page.mouse.down()
        page.mouse.move(box["x2"], box["y2"], steps=8)
        page.mouse.up()
        selected = page.evaluate("window.getSelection().toString()")
        if selected == words:
            return
    raise AssertionError(f"Selected “{selected}” instead of “{words}”")


def evidence_modal(page):
    modal = page.get_by_role("dialog")
    modal.get_by_role("heading", name="Choose evidence").wait_for()
    return modal


def choose_in_evidence_modal(page, quote, *, search=None, source=None, status=None):
    """In the open evidence chooser: optionally filter and search, then choose ``quote``."""
    modal = evidence_modal(page)
    for label, value in (("Source", source), ("Status", status)):
        if value is not None:
            with page.expect_response(re.compile(r"/evidence_chooser/results/")):
                modal.get_by_label(label).select_option(label=value)
    if search is not None:
        with page.expect_response(re.compile(r"/evidence_chooser/results/")):
            modal.get_by_label("Search term").fill(search)
    modal.locator("#search-results").get_by_role("link", name=quote[:40]).first.click()
    modal.wait_for(state="hidden")


def cite_evidence_inline(page, block, words, quote, *, search=None, source=None):
    """Select ``words`` in a Text block, press the toolbar's "Cite evidence" button and choose
    ``quote`` in the evidence chooser. Returns the citation as the editor shows it."""
    select_words(page, block, words)
    page.get_by_role("button", name="Cite evidence").click()
    choose_in_evidence_modal(page, quote, search=search, source=source)
    citation = block.locator(".EvidenceCitation", has_text=words).first
    citation.wait_for()
    return citation


def choose_evidence_for(page, container, quote, **filters):
    """Press the "Choose evidence" button of an evidence chooser inside ``container``."""
    container.get_by_role("button", name="Choose evidence").first.click()
    choose_in_evidence_modal(page, quote, **filters)
    container.locator("[data-chooser-title]", has_text=quote[:40]).first.wait_for()


def add_evidence_quote_block(page, quote, **filters):
    block = add_block(page, "Evidence quote")
    choose_evidence_for(page, block, quote, **filters)
    return block


def add_chart_block(page, *, title, quote, chart_type="Bar chart", **filters):
    block = add_block(page, "Chart")
    block.get_by_role("textbox", name="Title").fill(title)
    block.get_by_role("combobox", name="Chart type").select_option(label=chart_type)
    choose_evidence_for(page, block, quote, **filters)
    return block


def add_chart_evidence(page, block, quote, **filters):
    """Add one more piece of evidence (a series point) at the end of a chart block's list."""
    block.locator("[data-streamfield-list-add]").last.click()
    choose_evidence_for(page, block, quote, **filters)


def save_draft(page):
    """Press "Save draft" and return the admin's message after the page reloads."""
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("load")
    message = page.locator(".messages li").first
    message.wait_for()
    return message.inner_text()


def more_actions(page):
    """Open the page editor's action menu (the arrow next to "Save draft").

    A click before the admin's scripts have wired the menu does nothing: wait for the page to
    load, and click again while the menu does not say it is open."""
    page.wait_for_load_state("load")
    toggle = page.locator("footer .w-dropdown-button .w-dropdown__toggle").first
    for _attempt in range(3):
        toggle.click()
        try:
            expect(toggle).to_have_attribute("aria-expanded", "true", timeout=5_000)
            return
        except AssertionError:
            continue
    expect(toggle).to_have_attribute("aria-expanded", "true")


def workflow_action(page, label):
    """Choose a workflow action (e.g. "Approve with comment") from the editor's action menu,
    once the editor has finished loading: a half-initialised form can post values that differ
    from the revision, and a reviewer's approval posted with changes is refused
    (briefs.admin_forms.BriefPageForm)."""
    page.wait_for_load_state("networkidle")
    more_actions(page)
    page.locator("footer").get_by_role("button", name=label, exact=True).click()


def submit_for_review(page):
    """Submit the page open in the editor to its workflow; return the admin's message."""
    more_actions(page)
    with page.expect_navigation():
        page.locator("footer button[name=action-submit]").click()
    message = page.locator(".messages li").first
    message.wait_for()
    return message.inner_text()


def approve_with_comment(page, comment):
    """In the editor of a page awaiting the user's task: "Approve with comment", then send."""
    workflow_action(page, "Approve with comment")
    dialog = page.locator(".modal-dialog").filter(has=page.locator("textarea"))
    dialog.locator("textarea[name=comment]").fill(comment)
    # The modal posts the comment, then the admin moves on to another page.
    with page.expect_navigation():
        dialog.locator("button[type=submit], input[type=submit]").first.click()
