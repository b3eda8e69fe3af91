"""The production stack answers as deployed: health, security headers, static files through
WhiteNoise, the admin, and a source upload processed by the stack's own worker."""

import json
import re
import time

import pytest

from conftest import KAZAKHSTAN_PDF


def test_healthz_reports_database_and_broker(stack):
    response = stack.get("/healthz/")
    assert response.status == 200
    data = json.loads(response.read())
    assert data["status"] == "ok"
    assert data["database"] == {"ok": True, "vendor": "postgresql"}
    assert data["broker"]["ok"] is True and "redis" in data["broker"]["transport"].lower()


def test_home_page_has_the_security_headers(stack):
    response = stack.get("/")
    assert response.status == 200
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    # HSTS is only sent over HTTPS: as the TLS proxy would send the request.
    secure = stack.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Debug is off: an unknown page is the plain 404, no URL listing.
    missing = stack.get("/no-such-page-here/")
    assert missing.status == 404
    assert "URLconf" not in missing.read().decode()


def test_admin_login_page(stack):
    response = stack.get("/admin/login/")
    assert response.status == 200
    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]
    html = response.read().decode()
    assert 'name="username"' in html and 'name="password"' in html
    cookie = response.headers["Set-Cookie"]
    assert "csrftoken=" in cookie and "Secure" in cookie


def test_static_files_are_served_by_whitenoise_with_hashed_names(stack):
    html = stack.get("/admin/login/").read().decode()
    match = re.search(r"(/static/wagtailadmin/css/core\.[0-9a-f]{12}\.css)", html)
    assert match, "collectstatic's manifest gives the admin CSS a hashed name"
    response = stack.get(match.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert "immutable" in response.headers["Cache-Control"]  # far-future, hashed
    assert response.headers.get("Content-Encoding") == "gzip"


def test_logs_are_json(stack):
    lines = [line for line in stack.log("web").splitlines() if line.startswith("{")]
    access = [json.loads(line) for line in lines if '"/healthz/"' in line]
    assert access and access[-1]["status"] == 200


@pytest.mark.browser
def test_source_upload_is_processed_by_the_stack_worker(stack, browser, tmp_path):
    """An analyst signs in (secure cookies over loopback), uploads a PDF, and the stack's own
    worker extracts it: the edit page shows it ready."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{stack.url}/admin/login/")
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", "analyst-demo-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{stack.url}/admin/")

        # A copy under a new name and with one byte more, so it is not a duplicate of the demo.
        upload = tmp_path / "smoke-upload.pdf"
        upload.write_bytes(KAZAKHSTAN_PDF.read_bytes() + b"\n")
        page.goto(f"{stack.url}/admin/snippets/sources/source/add/")
        page.fill("input[name=title]", "Smoke test upload")
        page.set_input_files("input[name=file]", str(upload))
        page.get_by_role("button", name=re.compile("^Save")).first.click()
        page.wait_for_load_state("networkidle")
        source_id = stack.shell(
            "from sources.models import Source; "
            "print(Source.objects.get(title='Smoke test upload').pk)"
        ).strip()

        def status():
            return stack.shell(
                f"from sources.models import Source; s = Source.objects.get(pk={source_id}); "
                "print(s.status, s.page_count)"
            ).split()

        deadline = time.monotonic() + 180
        while status()[0] not in ("ready", "failed") and time.monotonic() < deadline:
            stack.check_alive()
            time.sleep(1)
        assert status() == ["ready", "16"], stack.log("worker")[-3000:]
        # Done by the stack's worker process (its JSON log names the task and the source).
        received = [
            line
            for line in stack.log("worker").splitlines()
            if '"sources.ingest_source"' in line
            and f'"({source_id},)"' in line
            and "succeeded" in line
        ]
        assert received, stack.log("worker")[-3000:]
    finally:
        page.screenshot(path=str(stack.var_dir / "smoke-upload.png"))
        context.close()


def test_absolute_urls_use_the_stacks_port(stack):
    """The stack runs on a free port, not 80: BRIEFDESK_BASE_URL moved the default Site there,
    so the sitemap, canonical links, citations and the API point back at this server."""
    xml = stack.get("/sitemap.xml").read().decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert locations and all(loc.startswith(f"{stack.url}/") for loc in locations), locations
    briefs = json.loads(stack.get("/api/v1/briefs/").read())["results"]
    assert briefs, "the demo has live briefs"
    detail = json.loads(stack.get(f"/api/v1/briefs/{briefs[0]['slug']}/").read())
    assert detail["url"].startswith(f"{stack.url}/briefs/")
    assert detail["cite_as"].endswith(detail["url"])
    html = stack.get(detail["url"][len(stack.url) :]).read().decode()
    assert f'<link rel="canonical" href="{detail["url"]}">' in html
    assert f'<meta property="og:url" content="{detail["url"]}">' in html
