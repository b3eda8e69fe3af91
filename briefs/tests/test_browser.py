"""The public site in Chromium: the note tooltip by keyboard and pointer, the copy button,
axe-core on every page type and no sideways scrolling at 360 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import ARTIFACTS_DIR

from .conftest import build_corpus, build_terms, make_brief, paragraph
from .test_site import full_brief

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clear_cache"),
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


@pytest.fixture
def site(transactional_db, brief_index):
    index = brief_index
    terms = build_terms()
    corpus = build_corpus()
    brief = full_brief(index, corpus, terms)
    make_brief(
        index,
        "Digital trade rules",
        [paragraph("<p>Electronic commerce chapters.</p>")],
        countries=[terms["cn"]],
        topics=[terms["trade"]],
    )
    return {"brief": brief, "corpus": corpus}


def page_types(brief):
    return {
        "home": "/",
        "brief-index": "/briefs/",
        "brief-index-invalid-filter": "/briefs/?country=atlantis&year=abc",
        "brief": brief.url,
        "country": "/countries/kazakhstan/",
        "topic": "/topics/soft-power/",
        "search": "/search/?q=kazakhstan",
        "not-found": "/no-such-page/",
    }


def focus_by_keyboard(page, selector, limit=80):
    """Press Tab until the focused element matches ``selector``; the element found."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return page.evaluate_handle("document.activeElement")
    raise AssertionError(f"Tab never reached {selector}")


def test_citation_tooltip_by_keyboard_and_pointer(page, live_server, site):
    corpus = site["corpus"]
    page.goto(live_server.url + site["brief"].url)
    tooltip = page.locator("[role=tooltip]")

    ref = focus_by_keyboard(page, "a.note-ref")
    assert ref.get_attribute("data-note") == "1"
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert corpus["projects"].quote in text
    assert "p. 1" in text.replace("\xa0", " ")
    assert "China's Image in Kazakhstan" in text
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "site-note-tooltip.png"))

    page.keyboard.press("Escape")  # dismissable without moving focus
    tooltip.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.matches('a.note-ref')")
    page.keyboard.press("Tab")  # focus moves on: the next reference shows its own quote
    if page.evaluate("document.activeElement.matches('a.note-ref')"):
        tooltip.wait_for(state="visible")
        number = page.evaluate("document.activeElement.dataset.note")
        quote = page.locator(f"#note-{number}-quote").inner_text()
        assert quote in tooltip.inner_text()

    # Pointer: hovering shows it, the pointer may move onto it (hoverable), leaving hides it.
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    figure_ref = page.locator(".key-figure a.note-ref")
    figure_ref.scroll_into_view_if_needed()
    figure_ref.hover()
    tooltip.wait_for(state="visible")
    assert corpus["projects"].quote in tooltip.inner_text()
    box = tooltip.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.wait_for_timeout(600)  # longer than the hide delay
    assert tooltip.is_visible()
    page.mouse.move(5, 5)
    tooltip.wait_for(state="hidden")

    # Without the tooltip the link still leads to the endnote, whose back-link returns.
    figure_ref.click()
    assert page.url.endswith("#note-1")
    back = page.locator("#note-1 .endnote__back")
    target = back.get_attribute("href")
    back.click()
    assert page.url.endswith(target)
    assert page.evaluate("(id) => !!document.getElementById(id)", target[1:])


def test_copy_citation_button(browser, live_server, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        page.goto(live_server.url + site["brief"].url)
        button = page.get_by_role("button", name="Copy citation")
        button.click()
        # The clipboard write is asynchronous: wait for the status it reports.
        expect(page.locator("[data-copy-status]")).to_have_text("Citation copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#cite-as").inner_text().strip()
        assert copied.startswith("Aigerim Nurlanova and Thomas Whitfield (2026). China in")
    finally:
        context.close()


def test_no_js_note_reference_is_a_link_to_the_endnote(browser, live_server, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + site["brief"].url)
        assert page.locator("button[data-copy-target]").is_hidden()
        page.locator(".block--paragraph a.note-ref").first.click()
        assert page.url.endswith("#note-1")
        page.locator("#note-1 .endnote__back").click()
        assert page.url.endswith("#note-1-ref")
    finally:
        context.close()


def test_axe_finds_no_violations_on_any_page_type(page, live_server, site):
    axe = Axe()
    failures = {}
    for name, path in page_types(site["brief"]).items():
        page.goto(live_server.url + path)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = results.response["violations"]
        if violations:
            failures[name] = [
                (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
            ]
        assert results.response["passes"], name  # axe really ran its rules
    assert failures == {}


def test_no_horizontal_overflow_at_360_px(browser, live_server, site):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    try:
        overflowing = {}
        for name, path in page_types(site["brief"]).items():
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                overflowing[name] = width
            page.screenshot(path=str(ARTIFACTS_DIR / f"site-360-{name}.png"), full_page=True)
        assert overflowing == {}
        # The chart scales to the column rather than scrolling (see test_chart_browser.py).
        page.goto(live_server.url + site["brief"].url)
        plot = page.locator(".chart__plot")
        assert plot.evaluate("el => el.scrollWidth <= el.clientWidth")
    finally:
        context.close()


def test_print_stylesheet_hides_navigation_and_shows_link_addresses(page, live_server, site):
    page.goto(live_server.url + site["brief"].url)
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-nav", ".toc", ".cite__actions", ".endnote__back"):
        assert page.locator(selector).first.is_hidden(), selector
    assert page.locator("#notes").is_visible() and page.locator("#bibliography").is_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # as printing does
    assert page.locator("details.chart__data table").is_visible()  # the data prints too
    link = page.locator(".block--paragraph a[href^='https://']")
    after = link.evaluate("el => getComputedStyle(el, '::after').content")
    assert "attr(href)" in after or "https://example.org/report" in after
    ref_after = page.locator("a.note-ref").first.evaluate(
        "el => getComputedStyle(el, '::after').content"
    )
    assert ref_after == "none"
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "site-brief-print.png"))
