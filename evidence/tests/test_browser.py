"""An analyst selects a passage in the source reader with the mouse and creates evidence
(Playwright driving Chromium against the live test server)."""

import pytest

from conftest import admin_login
from evidence.models import Evidence
from sources import services as source_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSAGE = "whose total\nworth exceeded $27 billion"


def test_select_passage_and_create_evidence(page, live_server, demo_accounts, kazakhstan_pdf):
    source = source_services.create_source_from_path(kazakhstan_pdf, title="China's Image")
    source = source_services.ingest_source(source.pk)
    text = source.current_text
    start = text.full_text.index(PASSAGE)
    end = start + len(PASSAGE)

    admin_login(page, live_server.url, "analyst", "analyst-demo-2026")
    page.goto(f"{live_server.url}{source.get_reader_url()}")
    button = page.get_by_role("button", name="Create evidence")
    assert button.is_disabled()

    # Drag the mouse from the first to the last character of the passage.
    box = page.evaluate(
        """([start, end]) => {
            const container = [...document.querySelectorAll('.reader-text')].find(
                (el) => Number(el.dataset.start) <= start && end <= Number(el.dataset.end));
            const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
            let offset = Number(container.dataset.start), node, points = {};
            const at = (target) => {
                const range = document.createRange();
                range.setStart(node, target - offset);
                range.setEnd(node, target - offset + 1);
                return range.getClientRects()[0];
            };
            while ((node = walker.nextNode())) {
                const next = offset + node.textContent.length;
                if (!points.first && start >= offset && start < next) points.first = at(start);
                if (!points.last && end - 1 >= offset && end - 1 < next) points.last = at(end - 1);
                offset = next;
            }
            return {x1: points.first.left + 1, y1: points.first.top + points.first.height / 2,
                    x2: points.last.right - 1, y2: points.last.top + points.last.height / 2};
        }""",
        [start, end],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    assert button.is_enabled()
    assert "characters selected" in page.locator("[data-selection-info]").inner_text()

    button.click()
    page.wait_for_url("**/admin/snippets/evidence/evidence/add/**")
    quote = page.locator("textarea[name=quote]").input_value()
    assert quote == PASSAGE
    assert page.locator("input[name=selection_start]").input_value() == str(start)
    page.fill("[name=claim]", "Chinese-Kazakh joint projects were worth over $27bn by 2018.")
    page.select_option("select[name=kind]", "statistic")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url("**/admin/snippets/evidence/evidence/")

    evidence = Evidence.objects.get(origin=Evidence.Origin.ANALYST)
    assert (evidence.start, evidence.end) == (start, end)
    assert evidence.quote == PASSAGE
    assert evidence.page == 4
    assert evidence.anchor_method == "position"
    assert evidence.footnote.number == 11
    assert evidence.created_by.username == "analyst"
