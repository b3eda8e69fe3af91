"""Hostile inputs: images, links, @import, fonts, attachments and SVG pointing at
file:///etc/passwd and at an HTTP server on 127.0.0.1 that this test runs and that records every
request. The PDF holds none of it and the server sees nothing."""

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf
import pytest
from PIL import Image

from pdfs import fetcher, rendering, tasks
from pdfs.models import BriefPDF

SECRET = "SERVER-SECRET-PAYLOAD"


class RecordingServer:
    def __init__(self):
        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.requests.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                    return
                body = f"p::after {{ content: '{SECRET}' }} /* {SECRET} */".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server():
    with RecordingServer() as server:
        yield server


def hostile_corpus(url):
    """Every way HTML, CSS and SVG can make a renderer fetch something."""
    return f"""
<img src="file:///etc/passwd" alt="img-file">
<img src="{url}/img.png" alt="img-http">
<img src="{url}/redirect.png" alt="img-redirect">
<img src="/static/../../../../../etc/passwd" alt="static-traversal">
<img src="/media/../../../../../etc/passwd" alt="media-traversal">
<img src="briefdesk://site/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd" alt="encoded">
<img src="briefdesk://evil.example/static/pdfs/print.css" alt="other-host">
<img src="ftp://127.0.0.1/x.png" alt="ftp">
<img src="file://127.0.0.1/etc/passwd" alt="file-host">
<link rel="stylesheet" href="{url}/link.css">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<a rel="attachment" href="{url}/attachment.txt">attachment link</a>
<a href="{url}/clicked">an ordinary link is never fetched</a>
<a href="file:///etc/passwd">a file link is never fetched</a>
<style>
  @import url("{url}/import.css");
  @import "file:///etc/passwd";
  @font-face {{ font-family: Evil; src: url("{url}/font.ttf"); }}
  @font-face {{ font-family: Evil2;
    src: url("file:///usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"); }}
  .x {{ background: url("{url}/background.png"); font-family: Evil, Evil2; }}
  .y {{ list-style-image: url("file:///etc/passwd"); content: url("{url}/content.png"); }}
</style>
<p class="x">styled</p><ul class="y"><li>item</li></ul>
<object data="file:///etc/passwd" type="text/plain"></object>
<object data="{url}/object.svg" type="image/svg+xml"></object>
<embed src="{url}/embed.png">
<iframe src="{url}/iframe.html"></iframe>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="100" height="100">
  <image href="{url}/svg-image.png" width="10" height="10"/>
  <image xlink:href="file:///etc/passwd" width="10" height="10"/>
  <use href="{url}/sprite.svg#icon"/>
  <style>@import url("{url}/svg-import.css");</style>
  <rect width="10" height="10" style="fill: url({url}/fill.svg#p)"/>
</svg>
<base href="{url}/">
<img src="after-base.png" alt="relative after base">
"""


def png_data_uri():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def assert_nothing_leaked(data, server):
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert server.requests == []
    assert "root:x:0:0" not in text and SECRET not in text
    assert b"root:x:0:0" not in data and SECRET.encode() not in data
    # The only file a brief's PDF carries is its own evidence (pdfs.revision.ANNOTATIONS_NAME).
    assert set(reader.attachments) <= {"evidence.jsonld"}
    for contents in reader.attachments.values():
        assert all(b"root:x:0:0" not in data and SECRET.encode() not in data for data in contents)
    return reader


def test_render_function_refuses_every_hostile_url(http_server, settings):
    html = f"<html><body><h1>Hostile</h1>{hostile_corpus(http_server.url)}</body></html>"
    result = rendering.html_to_pdf(html)
    assert_nothing_leaked(result.data, http_server)
    refused = " ".join(result.refused)
    assert "file:///etc/passwd" in refused and http_server.url in refused
    assert "DejaVuSansMono.ttf" in refused  # a system file outside the static folders


def test_allowed_resources_still_load(settings, tmp_path):
    image = settings.MEDIA_ROOT / "images" / "cover.png"
    image.parent.mkdir(parents=True)
    Image.new("RGB", (8, 8), "blue").save(image)
    html = (
        '<link rel="stylesheet" href="/static/pdfs/print.css">'
        f'<img src="{png_data_uri()}"><img src="/media/images/cover.png"><p>Allowed</p>'
    )
    result = rendering.html_to_pdf(html)
    assert result.refused == []
    reader = pypdf.PdfReader(io.BytesIO(result.data))
    assert len(reader.pages[0].images) == 2


def test_private_pdfs_and_symlinks_out_are_refused(settings):
    private = settings.MEDIA_ROOT / "pdfs" / "token" / "draft.pdf"
    private.parent.mkdir(parents=True)
    private.write_bytes(b"%PDF-1.7 draft")
    link = settings.MEDIA_ROOT / "passwd-link"
    link.symlink_to("/etc/passwd")
    for url in (
        "briefdesk://site/media/pdfs/token/draft.pdf",
        f"file://{private}",
        "briefdesk://site/media/passwd-link",
        "http://127.0.0.1:9/x",
        "https://example.org/x.css",
        "file:///etc/passwd",
    ):
        with pytest.raises(fetcher.RefusedURL):
            fetcher.SafeURLFetcher().fetch(url)
    assert fetcher.SafeURLFetcher().fetch(fetcher.BASE_URL + "static/pdfs/print.css").read()


@pytest.mark.django_db
def test_hostile_brief_content_is_refused(brief_factory, http_server):
    """Hostile HTML stored in a brief's rich text, table and callout, rendered by the task."""
    url = http_server.url
    corpus = hostile_corpus(url)
    page = brief_factory(
        extra=[
            {"type": "paragraph", "value": corpus, "id": "p-hostile"},
            {
                "type": "table",
                "value": {
                    "data": [[f'<img src="{url}/table.png">', "file:///etc/passwd"]],
                    "first_row_is_table_header": False,
                    "first_col_is_header": False,
                    "table_caption": f'<img src="{url}/caption.png">',
                },
                "id": "t-hostile",
            },
            {
                "type": "callout",
                "value": {"title": "Hostile", "body": corpus, "tone": "warning"},
                "id": "c-hostile",
            },
        ]
    )
    pdf = BriefPDF.objects.get(revision_id=page.live_revision_id)
    assert tasks.render_brief_pdf.apply(args=(pdf.pk,)).get() == "ready"
    pdf.refresh_from_db()
    reader = assert_nothing_leaked(pdf.file.open("rb").read(), http_server)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Loans and Trust in Kazakhstan" in text and "Hostile" in text
