"""Who gets which PDF: the public view (live, public, live revision only), the admin screen,
"Regenerate" and draft previews (editors only)."""

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from pdfs import services, tasks
from pdfs.models import BriefPDF

pytestmark = pytest.mark.django_db


def render_all():
    for pk in BriefPDF.objects.filter(status="queued").values_list("pk", flat=True):
        tasks.render_brief_pdf.apply(args=(pk,))


@pytest.fixture
def live_brief(brief_factory):
    page = brief_factory(slug="china-in-kazakhstan")
    render_all()
    return page


def public_url(page):
    return reverse("pdfs:public", kwargs={"page_id": page.pk, "slug": page.slug})


class TestPublicView:
    def test_live_brief_serves_its_pdf_with_a_clear_filename(self, client, live_brief):
        status = services.live_pdf_status(live_brief)
        assert status.is_ready and status.url == public_url(live_brief)
        assert status.page_count >= 3 and status.size > 1000 and len(status.sha256) == 64
        response = client.get(status.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="china-in-kazakhstan.pdf"'
        assert response["ETag"] == f'"{status.sha256}"'
        assert b"".join(response.streaming_content).startswith(b"%PDF-")

    def test_not_ready_says_being_prepared_and_404s(self, client, brief_factory):
        page = brief_factory()
        status = services.live_pdf_status(page)
        assert (
            status.status == "queued"
            and status.url is None
            and "being prepared" in (status.message)
        )
        assert client.get(public_url(page)).status_code == 404

    def test_draft_never_published_is_404(self, client, brief_factory):
        page = brief_factory(publish=False)
        services.queue_preview(page, None)
        render_all()
        assert services.live_pdf_status(page) is None
        assert client.get(public_url(page)).status_code == 404

    def test_unpublished_brief_is_404(self, client, live_brief):
        live_brief.unpublish()
        assert client.get(public_url(live_brief)).status_code == 404

    def test_private_brief_is_404(self, client, live_brief):
        PageViewRestriction.objects.create(
            page=live_brief, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
        assert client.get(public_url(live_brief)).status_code == 404

    def test_old_revision_pdf_is_not_served_once_a_new_one_is_live(self, client, live_brief):
        old = BriefPDF.objects.get(revision_id=live_brief.live_revision_id)
        live_brief.title = "Revised title"
        live_brief.save_revision().publish()
        live_brief.refresh_from_db()
        assert old.is_ready and old.revision_id != live_brief.live_revision_id
        assert client.get(public_url(live_brief)).status_code == 404  # new one not ready
        render_all()
        assert client.get(public_url(live_brief)).status_code == 200

    def test_wrong_slug_and_unknown_page_are_404(self, client, live_brief):
        url = reverse("pdfs:public", kwargs={"page_id": live_brief.pk, "slug": "other"})
        assert client.get(url).status_code == 404
        url = reverse("pdfs:public", kwargs={"page_id": 999999, "slug": "x"})
        assert client.get(url).status_code == 404

    def test_pdf_files_have_no_public_url(self, live_brief):
        pdf = BriefPDF.objects.get(revision_id=live_brief.live_revision_id)
        with pytest.raises(ValueError):
            _ = pdf.file.url
        assert len(pdf.token.hex) == 32 and pdf.token.hex in pdf.file.name


class TestAdmin:
    def test_pdf_screen_is_for_editors_of_the_brief(self, client, live_brief, users):
        url = reverse("pdfs_admin:brief", args=[live_brief.pk])
        client.force_login(users["outsider"])
        assert client.get(url).status_code in (302, 403)
        client.force_login(users["editor"])
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-pdf-status="ready"' in content and "History" in content
        assert "Regenerate the PDF" not in content  # editors without publish permission
        edit = client.get(reverse("wagtailadmin_pages:edit", args=[live_brief.pk]))
        assert url in edit.content.decode()  # the "PDF" item in the page header menu

    def test_regenerate_needs_publish_permission(self, client, live_brief, users):
        url = reverse("pdfs_admin:regenerate", args=[live_brief.pk])
        pdf = BriefPDF.objects.get(revision_id=live_brief.live_revision_id)
        client.force_login(users["editor"])
        assert client.post(url).status_code in (302, 403)  # Wagtail redirects with a message
        client.force_login(users["outsider"])
        assert client.post(url).status_code in (302, 403)
        pdf.refresh_from_db()
        assert pdf.status == "ready"
        client.force_login(users["publisher"])
        assert client.get(url).status_code == 405
        assert client.post(url).status_code == 302
        pdf.refresh_from_db()
        assert pdf.status == "queued" and pdf.requested_by == users["publisher"]
        render_all()
        pdf.refresh_from_db()
        assert pdf.status == "ready" and pdf.attempts == 1

    def test_draft_preview_is_made_for_editors_and_never_public(self, client, live_brief, users):
        """Previews need the publish permission (editors, administrators), as the README
        says: users["editor"] here can only edit (an analyst), users["publisher"] is an editor."""
        live_brief.title = "Secret draft title"
        draft = live_brief.save_revision()
        url = reverse("pdfs_admin:preview", args=[live_brief.pk])
        for name in ("outsider", "editor"):
            client.force_login(users[name])
            assert client.post(url).status_code in (302, 403)
            if name == "editor":
                page = client.get(reverse("pdfs_admin:brief", args=[live_brief.pk]))
                assert url not in page.content.decode()
        assert not BriefPDF.objects.filter(kind="preview").exists()
        client.force_login(users["publisher"])
        assert url in client.get(reverse("pdfs_admin:brief", args=[live_brief.pk])).content.decode()
        response = client.post(url)
        assert response.status_code == 302
        preview = BriefPDF.objects.get(kind="preview")
        assert preview.revision_id == draft.pk and preview.requested_by == users["publisher"]
        render_all()
        preview.refresh_from_db()
        assert preview.is_ready
        download = reverse("pdfs_admin:download", args=[preview.pk])
        response = client.get(download)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        assert "draft-preview" in response["Content-Disposition"]
        client.force_login(users["outsider"])
        assert client.get(download).status_code in (302, 403)
        client.logout()
        assert client.get(download).status_code in (302, 403)
        # The public PDF is still the live revision's, not the draft's.
        assert services.live_pdf_status(live_brief).sha256 != preview.sha256
        public = client.get(public_url(live_brief))
        assert public.status_code == 200
