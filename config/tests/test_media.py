"""Images for readers and for the admin, while media files stay private (config/media.py)."""

import io
import uuid

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.images.models import Image

from briefs.models import BriefPage
from briefs.tests.conftest import make_brief, paragraph

pytestmark = pytest.mark.django_db


def png_image(title="Cover"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), "teal").save(buffer, "PNG")
    return Image.objects.create(
        title=title, file=ImageFile(buffer, name=f"cover-{uuid.uuid4().hex[:8]}.png")
    )


@pytest.fixture
def brief_with_cover(brief_index):
    brief = make_brief(brief_index, "Brief with a cover", [paragraph("Text.")], publish=False)
    brief.cover_image = png_image()
    brief.cover_image_alt = "Containers at Khorgos"
    brief.save_revision().publish()
    return BriefPage.objects.get(pk=brief.pk)


def test_a_reader_sees_the_cover_image(brief_with_cover):
    reader = Client()
    html = reader.get(brief_with_cover.url).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    img = soup.select_one("figure.cover img")
    assert img["alt"] == "Containers at Khorgos"
    assert img["src"].startswith("/images/")
    assert (img["width"], img["height"]) == ("1200", "675")
    response = reader.get(img["src"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    with PILImage.open(io.BytesIO(b"".join(response.streaming_content))) as served:
        assert served.size == (1200, 675)
    # Shared links show the same image, at an address on the page's host.
    og_image = soup.select_one('meta[property="og:image"]')["content"]
    assert og_image == f"http://testserver{img['src']}"


def test_an_image_url_not_signed_for_that_size_is_refused(brief_with_cover):
    reader = Client()
    html = reader.get(brief_with_cover.url).content.decode()
    src = BeautifulSoup(html, "html.parser").select_one("figure.cover img")["src"]
    assert reader.get(src.replace("width-1200", "width-1600")).status_code == 403


def test_media_files_are_not_public(brief_with_cover):
    original = brief_with_cover.cover_image.file.url
    assert original.startswith("/media/original_images/")
    assert Client().get(original).status_code == 404


def test_the_admin_sees_its_thumbnails(brief_with_cover, admin_client):
    image = brief_with_cover.cover_image
    thumbnail = image.get_rendition("max-165x165").url
    assert thumbnail.startswith("/media/images/")
    response = admin_client.get(thumbnail)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert "private" in response["Cache-Control"]
    assert admin_client.get(image.file.url).status_code == 200
    assert Client().get(thumbnail).status_code == 404


def test_the_admin_reads_no_other_media(admin_client, settings):
    (settings.MEDIA_ROOT / "sources").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "sources" / "paper.pdf").write_bytes(b"%PDF-1.7")
    assert admin_client.get("/media/sources/paper.pdf").status_code == 404
    assert admin_client.get("/media/images/../sources/paper.pdf").status_code == 404
