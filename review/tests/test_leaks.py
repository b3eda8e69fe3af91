"""Nothing unpublished leaks: every state of a brief by every public surface, as an anonymous
reader. Prints "N probes, 0 reachable" and fails on any reachable probe.

A surface counts only where a route for it exists: a 404 from a route that does not exist yet
proves nothing, so such surfaces (detected with django.urls.resolve: the URL falls through to
Wagtail's page-serving catch-all) are reported as "not yet available" and not counted."""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, reverse
from django.urls import resolve as url_resolve
from django.utils import timezone
from wagtail.models import PageViewRestriction, TaskState
from wagtail.views import serve as wagtail_serve

from briefs.models import BriefPage, RevisionNotice

from .conftest import body_data, make_brief, make_evidence, make_source
from .test_workflow import current_task

pytestmark = pytest.mark.django_db

STATES = [
    "draft",
    "in_moderation",
    "rejected",
    "scheduled",
    "unpublished",
    "private_login",
    "private_password",
    "published_with_newer_draft",
]


def _served_by_app(path):
    """Whether ``path`` reaches a view of its own (not Wagtail's catch-all page server)."""
    try:
        match = url_resolve(path.split("?")[0])
    except Resolver404:
        return False
    return match.func is not wagtail_serve and getattr(match.func, "__wrapped__", None) is not (
        wagtail_serve
    )


def _image(token):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return Image.objects.create(
        title="Cover", file=ImageFile(buffer, name=f"cover-{uuid.uuid4().hex[:8]}.png")
    )


class Brief:
    def __init__(self, state, accounts, country, topic):
        self.state = state
        self.token = f"leak{state.replace('_', '')}{uuid.uuid4().hex[:6]}"
        source = make_source(title=f"Source {self.token}")
        from .conftest import QUOTE_1, QUOTE_2

        self.evidence = [make_evidence(source, QUOTE_1), make_evidence(source, QUOTE_2)]
        analyst = accounts["analyst"]
        secret_title = f"Secret {self.token}"
        if state == "published_with_newer_draft":
            # The published revision is public; the draft's title, text and evidence are not.
            public_source = make_source(title=f"Public source {self.token[::-1]}")
            public_evidence = [
                make_evidence(public_source, QUOTE_1),
                make_evidence(public_source, QUOTE_2),
            ]
            self.page = make_brief(analyst, *public_evidence, title=f"Public {self.token[::-1]}")
            self.page.countries.set([country])
            self.page.topics.set([topic])
            self.page.save_revision(user=analyst).publish()
            self.public_title = self.page.title
            draft = BriefPage.objects.get(pk=self.page.pk)
            draft.title = secret_title
            draft.standfirst = f"Draft standfirst {self.token}"
            draft.body = body_data(*self.evidence, words=f"Draft words {self.token}")
            draft_revision = draft.save_revision(user=analyst)
            # An update notice already entered for the unpublished revision: not public either.
            RevisionNotice.objects.create(
                revision=draft_revision, notice_type="correction", text=f"Notice {self.token}"
            )
        else:
            self.page = make_brief(analyst, *self.evidence, title=secret_title)
            self.page.standfirst = f"Standfirst {self.token}"
            self.page.countries.set([country])
            self.page.topics.set([topic])
            self.page.save_revision(user=analyst)
        page = BriefPage.objects.get(pk=self.page.pk)
        workflow = page.get_workflow()
        if state == "in_moderation":
            workflow.start(page, analyst)
        elif state == "rejected":
            workflow.start(page, analyst)
            task_state = current_task(page)[1]
            task_state.task.specific.on_action(
                task_state, accounts["reviewer"], "reject", comment="Not yet."
            )
            assert current_task(page)[1].status == TaskState.STATUS_REJECTED
        elif state == "scheduled":
            page.go_live_at = timezone.now() + datetime.timedelta(days=3)
            revision = page.save_revision(user=accounts["editor"])
            # As the workflow's sign-off does (review/finish.py).
            revision.publish(user=accounts["editor"], skip_permission_checks=True)
            revision.refresh_from_db()
            assert revision.approved_go_live_at is not None
        elif state == "unpublished":
            page.save_revision(user=accounts["editor"]).publish()
            BriefPage.objects.get(pk=page.pk).unpublish(user=accounts["editor"])
        elif state.startswith("private"):
            page.save_revision(user=accounts["editor"]).publish()
            if state == "private_login":
                PageViewRestriction.objects.create(page=page, restriction_type="login")
            else:
                PageViewRestriction.objects.create(
                    page=page, restriction_type="password", password="letmein-2026"
                )
        self.page = BriefPage.objects.get(pk=self.page.pk)
        self.path = f"/briefs/{self.page.slug}/"
        # A file of its own: the cover image (set on the row, as the media probe needs only
        # the file's URL).
        BriefPage.objects.filter(pk=self.page.pk).update(
            cover_image=_image(self.token), cover_image_alt="Cover"
        )
        self.page = BriefPage.objects.get(pk=self.page.pk)

    @property
    def expect_live(self):
        return self.state in ("private_login", "private_password", "published_with_newer_draft")


@pytest.fixture
def briefs(accounts, taxonomy):
    country, topic = taxonomy
    return [Brief(state, accounts, country, topic) for state in STATES]


class Probes:
    def __init__(self):
        self.client = Client()
        self.count = 0
        self.reachable = []
        self.unavailable = set()

    def check(self, label, path, secrets, *, must_contain=None):
        if not (_served_by_app(path) or _is_wagtail_page(path)):
            self.unavailable.add(label)
            return None
        self.count += 1
        response = self.client.get(path)
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        leaked = [s for s in secrets if s and s in body]
        if leaked:
            self.reachable.append(f"{label}: {path} shows {leaked}")
        if must_contain and response.status_code == 200 and must_contain not in body:
            self.reachable.append(f"{label}: {path} does not show the published text")
        return response


def _is_wagtail_page(path):
    """Paths that Wagtail's page tree serves (the site's pages and their routes)."""
    return path.startswith(("/briefs/", "/countries/", "/topics/", "/search/", "/feed/", "/?"))


def _pdf_patterns():
    """URL patterns of the public site whose route mentions "pdf" (not the admin's)."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(("admin", "^admin")):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "pdf" in route.lower():
                found.append((route, pattern.name, pattern))

    walk(get_resolver().url_patterns)
    return found


def _pdf_urls(page):
    urls = []
    for _route, name, pattern in _pdf_patterns():
        if not name:
            continue
        params = set(pattern.pattern.regex.groupindex)
        values = {
            "slug": page.slug,
            "pk": page.pk,
            "id": page.pk,
            "page_id": page.pk,
            "brief_id": page.pk,
            "brief_slug": page.slug,
        }
        kwargs = {k: values[k] for k in params if k in values}
        if len(kwargs) != len(params):
            continue
        for namespace in ("", "pdfs:"):
            try:
                urls.append(reverse(namespace + name, kwargs=kwargs))
                break
            except NoReverseMatch:
                continue
    return urls


def test_nothing_unpublished_leaks(briefs, taxonomy, capsys, settings):
    country, topic = taxonomy
    # Hundreds of anonymous probes: the API's rate limit would answer 429 before the end.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None},
    }
    probes = Probes()
    anonymous = probes.client
    for brief in briefs:
        page = brief.page
        assert page.live == brief.expect_live, brief.state
        secrets = [brief.token]
        if brief.state == "published_with_newer_draft":
            public = brief.public_title
            # The published revision is served; the draft's text nowhere.
            probes.check(f"{brief.state} / page by path", brief.path, secrets, must_contain=public)
        else:
            public = None
            probes.check(f"{brief.state} / page by path", brief.path, secrets)
            response = anonymous.get(brief.path)
            if brief.state == "private_login":
                # Turned away: to the login page, or a 404 that does not even announce it.
                assert response.status_code == 404 or (
                    response.status_code == 302 and "login" in response.url
                )
            elif brief.state != "private_password":
                assert response.status_code == 404, brief.state
        probes.check(f"{brief.state} / page by id", f"/?page_id={page.pk}", secrets)
        probes.check(f"{brief.state} / page by id", f"/{page.pk}/", secrets)
        # Preview URLs, without signing in.
        revision = page.latest_revision
        for label, url in [
            ("view draft", reverse("wagtailadmin_pages:view_draft", args=[page.pk])),
            ("preview", reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])),
            (
                "revision view",
                reverse("wagtailadmin_pages:revisions_view", args=[page.pk, revision.pk]),
            ),
        ]:
            response = probes.check(f"{brief.state} / {label}", url, secrets)
            assert response.status_code in (302, 403), (label, response.status_code)
        task_state = current_task(page)[1] if brief.state == "in_moderation" else None
        if task_state is not None:
            url = reverse("wagtailadmin_pages:workflow_preview", args=[page.pk, task_state.task_id])
            probes.check(f"{brief.state} / workflow preview", url, secrets)
        # Listings and site-wide surfaces.
        probes.check(f"{brief.state} / brief index", "/briefs/", secrets)
        probes.check(
            f"{brief.state} / brief index filtered", f"/briefs/?country={country.slug}", secrets
        )
        probes.check(f"{brief.state} / country page", f"/countries/{country.slug}/", secrets)
        probes.check(f"{brief.state} / topic page", f"/topics/{topic.slug}/", secrets)
        # A search page repeats the query: look for what only a result would show.
        shown_only_in_results = [f"Secret {brief.token}", f"Standfirst {brief.token}"]
        if not brief.expect_live or brief.state.startswith("private"):
            shown_only_in_results.append(page.slug)
        if brief.state == "published_with_newer_draft":
            shown_only_in_results = [f"Secret {brief.token}", f"Draft standfirst {brief.token}"]
        probes.check(f"{brief.state} / search", f"/search/?q={brief.token}", shown_only_in_results)
        probes.check(f"{brief.state} / search by title", "/search/?q=Secret", secrets)
        probes.check(f"{brief.state} / feed", "/feed/", secrets)
        slug_secret = [page.slug] if not brief.expect_live else []
        probes.check(f"{brief.state} / sitemap", "/sitemap.xml", secrets + slug_secret)
        if brief.state.startswith("private"):
            probes.check(f"{brief.state} / sitemap", "/sitemap.xml", [page.slug])
        # The API (another app builds it).
        api_secrets = secrets + ([page.slug] if not brief.expect_live else [])
        if brief.state.startswith("private"):
            api_secrets = [*secrets, page.slug]
        probes.check(f"{brief.state} / API list", "/api/v1/briefs/", api_secrets)
        probes.check(f"{brief.state} / API by slug", f"/api/v1/briefs/{page.slug}/", api_secrets)
        probes.check(f"{brief.state} / API by id", f"/api/v1/briefs/{page.pk}/", api_secrets)
        for evidence in brief.evidence:  # cited only by this unpublished brief (or draft)
            probes.check(
                f"{brief.state} / API evidence",
                f"/api/v1/evidence/{evidence.pk}/",
                [*secrets, f'"id": {evidence.pk}', f'"id":{evidence.pk}'],
            )
        # Citation downloads, Web Annotations and evidence receipts: only for live, public
        # briefs (a published brief's shows its published revision, never the draft's).
        download_secrets = secrets + ([page.slug] if not brief.expect_live else [])
        downloads = [
            f"/briefs/{page.slug}/{name}"
            for name in (
                "cite.ris",
                "cite.bib",
                "cite.json",
                "bibliography.bib",
                "bibliography.ris",
                "bibliography.json",
                "annotations.jsonld",
            )
        ] + [
            f"/api/v1/briefs/{page.slug}/{name}"
            for name in ("citation/?format=ris", "bibliography/?format=bibtex", "annotations/")
        ]
        for url in downloads:
            response = probes.check(f"{brief.state} / citation download", url, download_secrets)
            if brief.state != "published_with_newer_draft":
                assert response.status_code == 404, (brief.state, url, response.status_code)
        for evidence in brief.evidence:  # cited only by this unpublished brief (or draft)
            for url in (
                f"/evidence/{evidence.pk}/",
                f"/evidence/{evidence.pk}/annotation.jsonld",
                f"/api/v1/evidence/{evidence.pk}/?format=jsonld",
            ):
                response = probes.check(f"{brief.state} / evidence receipt", url, secrets)
                assert response.status_code == 404, (brief.state, url, response.status_code)
        # Versions: only what went live is a version (a newer draft or a revision in review,
        # scheduled or unpublished never is), on the site, in the API and in the feed.
        _probe_versions(probes, brief, secrets)
        # PDFs (another app builds them).
        _probe_pdfs(probes, brief, secrets)
        # Media files of the brief: its cover image.
        probes.check(
            f"{brief.state} / media: cover image (served by the app?)",
            page.cover_image.file.url,
            secrets,
        )
        if public:
            assert public in anonymous.get("/briefs/").content.decode()

    with capsys.disabled():
        print(f"\n{probes.count} probes, {len(probes.reachable)} reachable")
        for label in sorted({u.split(" / ")[-1] for u in probes.unavailable}):
            print(f"  not yet available: {label}")
    assert probes.count >= len(STATES) * 15
    assert not probes.reachable, "\n".join(probes.reachable)


def _probe_versions(probes, brief, secrets):
    page = brief.page
    published_once = brief.state == "published_with_newer_draft"
    expected = {1: 200 if published_once else 404, 2: 404}
    if brief.state.startswith("private"):
        expected = {}  # turned away or asked for a password; checked for secrets only
    for number in (1, 2):
        for url in (
            f"{brief.path}versions/{number}/",
            f"{brief.path}versions/{number}/diff/",
            f"/api/v1/briefs/{page.slug}/versions/{number}/",
        ):
            response = probes.check(f"{brief.state} / versions", url, secrets)
            want = expected.get(number)
            if url.endswith("/1/diff/") and want:
                want = 404  # the first version has nothing to compare with
            if want is not None and response.status_code != want:
                probes.reachable.append(
                    f"{brief.state} / versions: {url} answers {response.status_code}, not {want}"
                )
    if published_once:
        detail = probes.client.get(f"/api/v1/briefs/{page.slug}/").json()
        if [v["number"] for v in detail["versions"]] != [1] or detail["notices"]:
            probes.reachable.append(f"{brief.state} / API versions: {detail['versions']}")


def _probe_pdfs(probes, brief, secrets):
    from pdfs.services import live_pdf_status as status

    page = brief.page
    probes.count += 1
    result = page.public_pdf() if hasattr(page, "public_pdf") else status(page)
    if brief.expect_live and brief.state != "published_with_newer_draft":
        # Private: the page is live, but its PDF link must not be offered to the public.
        result = status(page)
    url = getattr(result, "url", None) or (result.get("url") if isinstance(result, dict) else None)
    if not brief.expect_live and result not in (None, False) and url:
        probes.reachable.append(f"{brief.state} / PDF status offers {url}")
    if url:
        probes.check(f"{brief.state} / PDF file", url, secrets)
    urls = _pdf_urls(page)
    if not urls:
        probes.unavailable.add("PDF routes (no /pdf… URL pattern)")
    for url in urls:
        response = probes.check(f"{brief.state} / PDF route", url, secrets)
        if (
            response is not None
            and not brief.expect_live
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("application/pdf")
        ):
            probes.reachable.append(f"{brief.state} / PDF route {url} serves a PDF")
    for pdf in _pdf_rows(page):
        if getattr(pdf, "file", None):
            probes.check(f"{brief.state} / PDF media", pdf.file.url, secrets)


def _pdf_rows(page):
    from pdfs.models import BriefPDF

    return list(BriefPDF.objects.filter(brief=page))


def test_published_brief_with_newer_draft_serves_published_text(briefs):
    brief = next(b for b in briefs if b.state == "published_with_newer_draft")
    client = Client()
    body = client.get(brief.path).content.decode()
    assert brief.public_title in body and brief.token not in body
    feed = client.get("/feed/").content.decode()
    assert brief.public_title in feed and brief.token not in feed
    assert brief.public_title in client.get("/briefs/").content.decode()


def test_analysts_and_reviewers_preview_drafts_in_the_admin(client, briefs, accounts):
    draft = next(b for b in briefs if b.state == "draft")
    in_review = next(b for b in briefs if b.state == "in_moderation")
    client.force_login(accounts["analyst"])
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[draft.page.pk]))
    assert response.status_code == 200 and draft.token in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    newer = next(b for b in briefs if b.state == "published_with_newer_draft")
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[newer.page.pk]))
    assert newer.token in response.content.decode()  # the draft, not the published text
    client.logout()
    client.force_login(accounts["reviewer"])
    task_state = current_task(in_review.page)[1]
    response = client.get(
        reverse("wagtailadmin_pages:workflow_preview", args=[in_review.page.pk, task_state.task_id])
    )
    assert response.status_code == 200 and in_review.token in response.content.decode()
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[in_review.page.pk]))
    assert response.status_code == 200 and in_review.token in response.content.decode()
