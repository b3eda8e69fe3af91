"""The whole product as one, on the production stack (gunicorn, a Celery worker and beat,
PostgreSQL, Redis; e2e/conftest.py), in Chromium, for every kind of user:

1. an analyst uploads a source PDF and watches its ingestion finish;
2. selects a passage in the reader and creates evidence from it;
3. composes a brief (section, inline citation of that evidence, evidence quote, chart) and
   submits it to the "Brief review" workflow;
4. the evidence check passes: the workflow is at peer review;
5. a reviewer approves with a comment;
6. an editor approves the editorial sign-off, which publishes;
7. a reader finds the brief on its country page, focuses a citation and sees its quote, and
   downloads the PDF that the worker rendered, whose text holds the quote and its endnote;
8. an API client fetches the brief and the evidence it cites.

Each step leaves screenshots in test-artifacts/journey-NN-*.png."""

import hashlib
import json
import os
import re
import signal
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path
from types import SimpleNamespace

import pypdf
import pytest
import requests
from playwright.sync_api import expect

from briefs.tests import admin_steps as steps
from conftest import ARTIFACTS_DIR, admin_login

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "pdfs" / "fonts"
# Generous: two cores share gunicorn, the worker, beat, PostgreSQL and Chromium.
UI_TIMEOUT = 45_000
INGESTION_TIMEOUT = 240_000
PDF_TIMEOUT = 300

# The source the analyst uploads: a short working paper written for this test, so that its
# bytes differ from every file of the demo library (the upload refuses duplicates).
PAPER_PAGES = [
    (
        "Dry ports on the steppe",
        [
            "This working paper looks at how freight moves through the inland dry ports that "
            "line the railway between western China and the Caspian Sea. It draws on "
            "interviews with forwarders, rail dispatchers and customs brokers conducted for "
            "this study.",
            "The change of gauge at the border remains the defining constraint: every "
            "container must be lifted from one train to another, and the cranes, sidings and "
            "staff needed for that transfer set the pace of the whole corridor.",
        ],
    ),
    (
        "What slows the trains",
        [
            "Operators we interviewed described customs clearance at the dry port as the "
            "single largest source of delay for westbound trains. Paperwork submitted before "
            "arrival was often checked again on the platform, and a missing seal number could "
            "hold a full train for most of a day.",
            "Dispatchers also pointed to empty containers returning east: without cargo for "
            "the return leg, operators pay twice for one loaded journey, and the cost reaches "
            "shippers as a surcharge.",
        ],
    ),
    (
        "What could help",
        [
            "Electronic pre-declaration shared between both customs services would let "
            "inspectors focus on the few trains that need a physical check. A joint timetable "
            "for transfer slots would let forwarders plan instead of queue.",
            "None of these measures needs new track. They need agreements between agencies "
            "that today work to different clocks, and the patience to measure the results "
            "openly.",
        ],
    ),
]
# What the analyst selects in the reader (it wraps across a line in the PDF's text).
PASSAGE = (
    "customs clearance at the dry port as the single largest source of delay for westbound trains"
)
REVIEW_COMMENT = "Well sourced; the chart makes the point."
CLAIM = "Forwarders name customs clearance at dry ports as the main cause of delay."
# Demo evidence (demo/evidence.yaml) quoted and charted in the brief.
DEMO_SOURCE = "China's Image in Kazakhstan"
QUOTE_BLOCK = 'This "dry port" is already the largest'
CHART_QUOTES = [  # tagged "chart series": transit container flow in TEU, one unit
    "According to Kazakhstan Temir Zholy (KTZ)",
    "It then nearly doubled in 2017 to 201,000",
    "There is a prediction of the 2020 fiscal",
]


def folded(text):
    return " ".join(text.split())


def make_paper(path, token):
    """A three-page PDF of PAPER_PAGES, rendered with WeasyPrint (the product's PDF engine)."""
    from weasyprint import HTML

    faces = "".join(
        f'@font-face {{ font-family: Paper; src: url("{(FONTS_DIR / name).as_uri()}"); {style} }}'
        for name, style in (("DejaVuSerif.ttf", ""), ("DejaVuSerif-Bold.ttf", "font-weight: bold;"))
    )
    sections = "".join(
        f"<section><h2>{heading}</h2>{''.join(f'<p>{text}</p>' for text in paragraphs)}</section>"
        for heading, paragraphs in PAPER_PAGES
    )
    HTML(
        string=f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Dry Ports and Rail Freight</title>
<style>{faces}
@page {{ size: A4; margin: 25mm; }}
body {{ font-family: Paper; font-size: 11pt; line-height: 1.5; }}
section {{ break-after: page; }} section:last-child {{ break-after: auto; }}
</style></head><body>
<h1>Dry Ports and Rail Freight on the Kazakh-Chinese Border</h1>
<p>Working paper {token}.</p>{sections}</body></html>"""
    ).write_pdf(path)


class Journey:
    """Numbered screenshots, kept in test-artifacts/journey-NN-name.png."""

    def __init__(self):
        self.number = 0
        for old in ARTIFACTS_DIR.glob("journey-*.png"):
            old.unlink()

    def shot(self, page, name):
        self.number += 1
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS_DIR / f"journey-{self.number:02d}-{name}.png"), full_page=True
        )


def new_page(browser, errors):
    """A page in a browser context of its own (one per user); its script errors go to
    ``errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page


def server_errors(stack, since):
    """The web process's log lines after character ``since`` that report a server error (an
    ERROR record or a 5xx response), e.g. a failed autosave that the admin only hints at."""
    found = []
    for line in stack.log("web")[since:].splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if record.get("level") == "ERROR" or int(record.get("status") or 0) >= 500:
            found.append(
                record.get("message", line)[:2000] + str(record.get("exc_info", ""))[-2000:]
            )
    return found


@contextmanager
def requests_shown_on_failure(stack):
    """On a failed expectation inside, add the requests the web process answered meanwhile
    (method, path, status, from its access log): what the browser really sent."""
    since = len(stack.log("web"))
    try:
        yield
    except AssertionError as error:
        lines = []
        for line in stack.log("web")[since:].splitlines():
            message = line
            with suppress(ValueError, AttributeError):
                message = json.loads(line).get("message", line)
            lines.append(message[:300])
        raise AssertionError(f"{error}\n--- requests meanwhile:\n" + "\n".join(lines)) from None


@contextmanager
def worker_paused(stack):
    """Hold the stack's Celery worker (SIGSTOP to its process group) so that the analyst sees
    the source while it still waits for ingestion; always resumed (SIGCONT) on the way out."""
    group = os.getpgid(stack.processes["worker"].pid)
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def select_in_reader(page, passage):
    """Drag the mouse across ``passage`` in the source reader, matching it whatever white space
    (line breaks of the extracted text) separates its words."""
    box = page.evaluate(
        """(words) => {
            const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\\]\\\\]/g,
                '\\\\$&')).join('\\\\s+'));
            for (const container of document.querySelectorAll('.reader-text')) {
                const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
                const nodes = [];
                let node, text = '';
                while ((node = walker.nextNode())) {
                    nodes.push([node, text.length]);
                    text += node.data;
                }
                const match = pattern.exec(text);
                if (!match) continue;
                const rect = (at) => {
                    const [hit, offset] = nodes.filter(([, start]) => start <= at).pop();
                    const range = document.createRange();
                    range.setStart(hit, at - offset);
                    range.setEnd(hit, at - offset + 1);
                    return range.getClientRects()[0];
                };
                // Bring the passage to the middle of the window: the mouse acts on what shows.
                let scroller = container;
                while (scroller && !(scroller.scrollHeight > scroller.clientHeight
                        && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) {
                    scroller = scroller.parentElement;
                }
                // "instant": the admin's smooth scrolling would move the text after measuring.
                (scroller || document.scrollingElement).scrollBy({
                    top: rect(match.index).top - window.innerHeight / 3, behavior: 'instant'});
                const first = rect(match.index);
                const last = rect(match.index + match[0].length - 1);
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2,
                        exact: match[0]};
            }
            return null;
        }""",
        passage.split(),
    )
    assert box is not None, f"“{passage}” is not in the reader"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    selected = page.evaluate("window.getSelection().toString()")
    assert selected == box["exact"], (selected, box)
    return box["exact"]


def workflow_tasks(page, base, brief_id):
    """The task table of the brief's latest workflow, as the admin's history shows it:
    {task name: the latest non-empty cell text}. The table has a row per revision, and a
    reviewer's approval from the editor may save a revision whose row starts empty."""
    page.goto(f"{base}/admin/pages/{brief_id}/workflow_history/")
    page.locator("a[href*='/workflow_history/detail/']").first.click()
    table = page.locator("table.workflow-progress-table--tasks")
    table.wait_for()
    # Text content, not inner text: the status tags are upper-cased by CSS only.
    names = [folded(name) for name in table.locator("thead th").all_text_contents()[1:]]
    tasks = dict.fromkeys(names, "")
    for row in table.locator("tbody tr").all():
        cells = [folded(cell) for cell in row.locator("td").all_text_contents()[1:]]
        for name, cell in zip(names, cells, strict=True):
            tasks[name] = cell or tasks[name]
    return tasks


@pytest.fixture
def journey(browser):
    journey = Journey()
    yield journey
    # Each user's browser is closed once done: what is still open is where the journey stopped.
    for context in browser.contexts:
        for page in context.pages:
            journey.shot(page, "stopped-here")
        context.close()


def test_journey(stack, browser, journey, tmp_path):
    base = stack.url
    token = uuid.uuid4().hex[:8]
    source_title = f"Dry Ports and Rail Freight ({token})"
    brief_title = f"Customs, not track, holds up the Kazakh corridor ({token})"
    errors = []

    # 1. The analyst uploads a source PDF and watches its ingestion finish. ---------------
    paper = tmp_path / "dry-ports.pdf"
    make_paper(paper, token)
    web_log_start = len(stack.log("web"))
    analyst = new_page(browser, errors)
    admin_login(analyst, base, "analyst", "analyst-demo-2026")
    journey.shot(analyst, "analyst-dashboard")
    analyst.goto(f"{base}/admin/snippets/sources/source/add/")
    analyst.fill("input[name=title]", source_title)
    analyst.locator("#id_countries").select_option(label="Kazakhstan")
    analyst.set_input_files("input[name=file]", str(paper))
    journey.shot(analyst, "upload-form")
    status = analyst.locator("[data-ingestion-label]")
    progress = analyst.locator("[data-ingestion-progress]")
    with worker_paused(stack):
        analyst.get_by_role("button", name=re.compile("^Save")).first.click()
        message = analyst.locator(".messages li.success")
        expect(message).to_contain_text(f"Source '{source_title}' created.")
        message.get_by_role("link", name="Edit").click()
        expect(status).to_have_text("Pending")
        expect(progress).to_be_visible()
        analyst.evaluate("window.journeyMarker = 'still the same page'")
        journey.shot(analyst, "ingestion-pending")
    # The worker takes the job; the edit page polls the status and updates in place.
    expect(status).to_have_text("Ready", timeout=INGESTION_TIMEOUT)
    expect(progress).to_be_hidden()
    expect(analyst.locator("[data-ingestion-error]")).to_be_hidden()
    expect(analyst.locator("[data-ingestion-message]")).to_contain_text("3 pages")
    assert analyst.evaluate("window.journeyMarker") == "still the same page"
    journey.shot(analyst, "ingestion-ready")

    # 2. The analyst selects a passage in the reader and creates evidence. -----------------
    analyst.locator("[data-ingestion-status]").get_by_role("link", name="Read text").click()
    expect(analyst.locator(".reader-page")).to_have_count(3)
    create = analyst.get_by_role("button", name="Create evidence")
    expect(create).to_be_disabled()
    exact = select_in_reader(analyst, PASSAGE)
    expect(create).to_be_enabled()
    expect(analyst.locator("[data-selection-info]")).to_contain_text(
        f"{len(exact)} characters selected"
    )
    journey.shot(analyst, "reader-selection")
    create.click()
    analyst.wait_for_url("**/admin/snippets/evidence/evidence/add/**")
    expect(analyst.locator("textarea[name=quote]")).to_have_value(exact)
    analyst.fill("[name=claim]", CLAIM)
    analyst.select_option("select[name=kind]", "finding")
    journey.shot(analyst, "evidence-form")
    analyst.get_by_role("button", name="Save").first.click()
    analyst.wait_for_url("**/admin/snippets/evidence/evidence/")
    expect(analyst.locator(".messages li.success")).to_contain_text("created")
    journey.shot(analyst, "evidence-created")
    evidence = json.loads(
        stack.shell(
            "import json; from evidence.models import Evidence; "
            f"e = Evidence.objects.get(source__title={source_title!r}, origin='analyst'); "
            "print(json.dumps({'id': e.pk, 'quote': e.quote, 'page': e.page, "
            "'status': e.review_status, 'anchor': e.anchor_status, "
            "'method': e.anchor_method, 'by': e.created_by.username}))"
        )
    )
    assert evidence["quote"] == exact and folded(exact) == PASSAGE
    assert evidence["page"] == 2
    assert (evidence["status"], evidence["anchor"], evidence["method"], evidence["by"]) == (
        "accepted",
        "exact",
        "position",
        "analyst",
    )

    # 3. The analyst composes a brief and submits it for review. ---------------------------
    index_id = int(
        stack.shell(
            "from briefs.models import BriefIndexPage; print(BriefIndexPage.objects.get().pk)"
        )
    )
    steps.open_new_brief(analyst, base, SimpleNamespace(pk=index_id))
    steps.fill_brief_metadata(
        analyst,
        title=brief_title,
        standfirst="Freight forwarders on the Kazakh-Chinese border blame paperwork, not rails, "
        "for the delays that rising container volumes run into.",
        author="Aigerim Analyst",
    )
    analyst.locator("#id_countries").select_option(label="Kazakhstan")
    steps.add_section_heading(analyst, "Where the trains wait")
    text = steps.add_text_block(
        analyst, "Forwarders say the real bottleneck is customs clearance at the border."
    )
    citation = steps.cite_evidence_inline(
        analyst, text, "the real bottleneck", exact, source=source_title
    )
    assert citation.get_attribute("data-evidence-id") == str(evidence["id"])
    analyst.keyboard.press("End")
    steps.add_evidence_quote_block(analyst, QUOTE_BLOCK, source=DEMO_SOURCE, search="dry port")
    chart = steps.add_chart_block(
        analyst,
        title="Transit container flow through Kazakhstan",
        quote=CHART_QUOTES[0],
        chart_type="Line chart",
        source=DEMO_SOURCE,
        search="TEU",
    )
    for quote in CHART_QUOTES[1:]:
        steps.add_chart_evidence(analyst, chart, quote, source=DEMO_SOURCE, search="TEU")
    journey.shot(analyst, "brief-composed")
    message = steps.save_draft(analyst)
    assert re.search(r"(created|has been updated)", message), message
    brief_id = int(re.search(r"/admin/pages/(\d+)/edit/", analyst.url).group(1))
    message = steps.submit_for_review(analyst)
    assert "submitted for moderation" in message, message
    journey.shot(analyst, "brief-submitted")

    # 4. The evidence check passes: the workflow is at peer review. ------------------------
    tasks = workflow_tasks(analyst, base, brief_id)
    assert list(tasks) == ["Evidence check", "Peer review", "Editorial sign-off"], tasks
    assert tasks["Evidence check"].startswith("Approved"), tasks
    # Five citations: the inline one, the evidence quote and the chart's three.
    assert 'with comment: "All 5 citations hold."' in tasks["Evidence check"], tasks
    assert tasks["Peer review"] == "In progress", tasks
    journey.shot(analyst, "evidence-check-passed")
    analyst.context.close()

    # 5. A reviewer approves with a comment. ------------------------------------------------
    reviewer = new_page(browser, errors)
    admin_login(reviewer, base, "reviewer", "reviewer-demo-2026")
    awaiting = reviewer.locator("section, .w-panel", has_text="Awaiting your review").last
    expect(awaiting.get_by_role("link", name=brief_title)).to_be_visible()
    journey.shot(reviewer, "reviewer-dashboard")
    awaiting.get_by_role("link", name=brief_title).click()
    reviewer.wait_for_url(f"{base}/admin/pages/{brief_id}/edit/")
    with requests_shown_on_failure(stack):
        steps.approve_with_comment(reviewer, REVIEW_COMMENT)
        # Once approved, the brief is no longer the reviewer's to open: they land on the
        # dashboard, told where it went, and it has left their queue (it stays among their
        # recent edits, as approving from the editor saves its form).
        reviewer.wait_for_url(f"{base}/admin/")
        expect(reviewer.locator(".messages")).to_contain_text("it is now at “Editorial sign-off”")
    awaiting = reviewer.locator("section, .w-panel", has_text="Awaiting your review").last
    expect(awaiting.get_by_role("link", name=brief_title)).to_have_count(0)
    journey.shot(reviewer, "reviewer-approved")
    reviewer.context.close()

    # 6. An editor approves the editorial sign-off, which publishes. -----------------------
    editor = new_page(browser, errors)
    admin_login(editor, base, "editor", "editor-demo-2026")
    expect(editor.get_by_role("link", name=brief_title)).to_be_visible()
    tasks = workflow_tasks(editor, base, brief_id)
    assert tasks["Peer review"].startswith("Approved by Reviewer"), tasks
    assert REVIEW_COMMENT in tasks["Peer review"], tasks
    assert tasks["Editorial sign-off"] == "In progress", tasks
    journey.shot(editor, "peer-review-approved")
    editor.goto(f"{base}/admin/pages/{brief_id}/edit/")
    with editor.expect_navigation():
        steps.workflow_action(editor, "Publish")
    # The editor is told the brief is live and where (review.views.publication_recorded),
    # back in its editor, whose status says live.
    published = editor.locator(".messages li", has_text=f"“{brief_title}” is published: ")
    expect(published).to_contain_text(f"{base}/briefs/")
    expect(published.get_by_role("link", name="View live")).to_be_visible()
    expect(editor.locator("body")).to_contain_text("Live", ignore_case=True)
    journey.shot(editor, "editor-published")
    tasks = workflow_tasks(editor, base, brief_id)
    assert tasks["Editorial sign-off"].startswith("Approved by Editor"), tasks
    editor.context.close()

    # 7. A reader finds the brief on its country page, reads a citation, gets the PDF. ------
    reader = new_page(browser, errors)
    reader.goto(f"{base}/countries/kazakhstan/")
    reader.get_by_role("link", name=brief_title).first.click()
    expect(reader.locator("h1")).to_have_text(brief_title)
    slug = reader.url.rstrip("/").rsplit("/", 1)[-1]
    journey.shot(reader, "public-brief")
    ref = reader.locator(".brief-body a.note-ref").first
    ref.focus()
    tooltip = reader.locator("[role=tooltip]")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(PASSAGE)
    journey.shot(reader, "citation-tooltip")
    note_number = ref.get_attribute("data-note")
    endnote = folded(reader.locator(f"#note-{note_number} .endnote__source").inner_text())
    assert endnote.startswith(source_title) and endnote.endswith("p. 2."), endnote

    download = reader.get_by_role("link", name=re.compile("^Download PDF"))
    deadline = time.monotonic() + PDF_TIMEOUT
    while not download.is_visible():
        stack.check_alive()
        assert time.monotonic() < deadline, (
            "The PDF was not ready in time:\n" + stack.log("worker")[-3000:]
        )
        expect(reader.locator(".pdf-pending")).to_be_visible()
        reader.reload()
        reader.locator("h1").wait_for()
    journey.shot(reader, "pdf-ready")
    with reader.expect_download() as info:
        download.click()
    pdf_path = tmp_path / "brief.pdf"
    info.value.save_as(pdf_path)
    pdf_text = folded(" ".join(p.extract_text() for p in pypdf.PdfReader(pdf_path).pages))
    # The quote and its endnote, as the brief page prints them.
    assert f"“{PASSAGE}” {endnote}" in pdf_text, pdf_text[-3000:]
    reader.context.close()

    # 8. An API client fetches the brief and its evidence. ---------------------------------
    api = requests.Session()
    response = api.get(f"{base}/api/v1/briefs/{slug}/", timeout=30)
    assert response.status_code == 200, response.text
    brief = response.json()
    assert brief["title"] == brief_title
    assert [c["name"] for c in brief["countries"]] == ["Kazakhstan"]
    note = next(n for n in brief["notes"] if n["evidence_id"] == evidence["id"])
    assert folded(note["quote"]) == PASSAGE
    assert note["number"] == int(note_number)  # as numbered on the page
    assert note["source"]["title"] == source_title
    assert [block["type"] for block in brief["body"]] == [
        "section",
        "paragraph",
        "evidence_quote",
        "chart",
    ]
    paragraph = brief["body"][1]
    assert paragraph["citations"] == [{"note": note["number"], "evidence_id": evidence["id"]}]
    assert f'data-evidence="{evidence["id"]}"' in paragraph["html"]
    # The PDF the reader downloaded is the one the API describes.
    assert brief["pdf"]["status"] == "ready"
    assert brief["pdf"]["sha256"] == hashlib.sha256(pdf_path.read_bytes()).hexdigest()
    response = api.get(f"{base}/api/v1/evidence/{evidence['id']}/", timeout=30)
    assert response.status_code == 200, response.text
    cited = response.json()
    assert cited["quote"] == exact
    assert folded(cited["display_quote"]) == PASSAGE
    assert cited["page"] == 2
    assert [b["slug"] for b in cited["cited_by"]] == [slug]
    assert {"type": "TextQuoteSelector", "exact": exact} in [
        {k: s[k] for k in ("type", "exact")} for s in cited["selectors"] if "exact" in s
    ]

    # Nothing failed on the way, in the browsers or on the server.
    assert errors == []
    assert server_errors(stack, web_log_start) == []
