"""The source library end to end inside Django: the admin upload form, ingestion into the
database, the reader, the status endpoint, search, and the commands."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from conftest import database_url_for_subprocess
from sources import queue, services
from sources.models import FootnoteMarker, Reference, Source, SourceText
from sources.tests import fixtures

pytestmark = pytest.mark.django_db

ADD_URL = "wagtailsnippets_sources_source:add"


def png_as_pdf(tmp_path):
    return fixtures.write(tmp_path, "report.pdf", fixtures.png_bytes())


def empty_file(tmp_path):
    return fixtures.write(tmp_path, "empty.pdf", b"")


def binary_as_txt(tmp_path):
    return fixtures.write(tmp_path, "notes.txt", fixtures.binary_junk())


def upload_form(path=None, *, content=None, name=None, title="A source", **extra):
    if path is not None:
        content = Path(path).read_bytes()
        name = name or Path(path).name
    data = nested_form_data(
        {
            "title": title,
            "subtitle": "",
            "file": SimpleUploadedFile(name, content),
            "authors": inline_formset([{"name": "Doe, Jane", "kind": "person", "role": "author"}]),
            "publisher": "Test Institute",
            "publication_date": "",
            "date_precision": "year",
            "document_type": "report",
            "language": "en",
            "url": "",
            "abstract": "",
            **extra,
        }
    )
    return data


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class TestUpload:
    def test_upload_ingests_and_reader_shows_pages_and_footnotes(
        self, admin_client, kazakhstan_pdf, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(reverse(ADD_URL), upload_form(kazakhstan_pdf))
        assert response.status_code == 302, response.content.decode()[:2000]
        source = Source.objects.get()
        # Tasks run inline in tests without a worker: the source is ready after the commit.
        assert source.status == Source.Status.READY, source.error
        assert source.page_count == 16
        assert source.progress == 100
        assert source.media_type == "application/pdf"
        assert len(source.file_sha256) == 64
        assert source.authors.get().name == "Doe, Jane"
        text = source.current_text
        assert text.version == 1
        assert Reference.objects.filter(text=text).count() == 69
        assert FootnoteMarker.objects.filter(text=text).exists()

        reader = admin_client.get(reverse("sources:reader", args=[source.pk]))
        assert reader.status_code == 200
        html = reader.content.decode()
        assert 'id="page-16"' in html
        assert 'id="ref-69"' in html
        assert "Agencia EFE" in html
        assert 'class="fn-marker" href="#ref-11"' in html

    def test_reader_text_reproduces_full_text_offsets(self, admin_client, kazakhstan_pdf):
        source = services.create_source_from_path(kazakhstan_pdf, title="K")
        services.ingest_source(source.pk)
        source.refresh_from_db()
        html = admin_client.get(reverse("sources:reader", args=[source.pk])).content.decode()
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html, "html.parser")
        text = source.current_text
        for div in soup.select(".reader-text"):
            start, end = int(div["data-start"]), int(div["data-end"])
            assert div.get_text() == text.full_text[start:end]

    def test_status_endpoint(self, admin_client, digital_trade_pdf):
        source = services.create_source_from_path(digital_trade_pdf, title="D")
        data = admin_client.get(reverse("sources:status", args=[source.pk])).json()
        assert data["status"] == "pending"
        services.ingest_source(source.pk)
        data = admin_client.get(reverse("sources:status", args=[source.pk])).json()
        assert data["status"] == "ready"
        assert data["progress"] == 100
        assert data["page_count"] == 14

    def test_duplicate_upload_is_refused_with_link(self, admin_client, settings, kazakhstan_pdf):
        existing = services.create_source_from_path(kazakhstan_pdf, title="Original")
        files_before = media_files(settings)
        response = admin_client.post(
            reverse(ADD_URL), upload_form(kazakhstan_pdf, name="renamed.pdf", title="Copy")
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "already in the library" in html
        edit_url = reverse("wagtailsnippets_sources_source:edit", args=[existing.pk])
        assert f'href="{edit_url}"' in html
        assert Source.objects.count() == 1
        assert media_files(settings) == files_before

    @pytest.mark.parametrize(
        ("builder", "expected"),
        [
            (fixtures.encrypted_pdf, "encrypted"),
            (fixtures.truncated_pdf, "incomplete"),
            (png_as_pdf, "PNG"),
            (empty_file, "empty"),
            (binary_as_txt, "text"),
        ],
    )
    def test_bad_upload_gets_a_message_and_leaves_nothing(
        self, admin_client, settings, tmp_path, builder, expected
    ):
        path = builder(tmp_path)
        response = admin_client.post(reverse(ADD_URL), upload_form(path))
        assert response.status_code == 200
        html = response.content.decode()
        assert expected.lower() in html.lower()
        assert Source.objects.count() == 0
        assert media_files(settings) == []

    def test_oversize_upload_is_refused(self, admin_client, settings, kazakhstan_pdf):
        settings.SOURCE_MAX_UPLOAD_MB = 0
        response = admin_client.post(reverse(ADD_URL), upload_form(kazakhstan_pdf))
        assert response.status_code == 200
        assert "limit" in response.content.decode()
        assert Source.objects.count() == 0

    def test_replacing_the_file_makes_a_new_text_version(
        self, admin_client, kazakhstan_pdf, tmp_path, django_capture_on_commit_callbacks
    ):
        source = services.create_source_from_path(kazakhstan_pdf, title="K")
        services.ingest_source(source.pk)
        edited = tmp_path / "edited.txt"
        edited.write_text("A new version of the paper.\n\nWith a second paragraph.\n")
        edit_url = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
        form = upload_form(edited, title="K")
        form["authors-TOTAL_FORMS"] = "0"
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(edit_url, form)
        assert response.status_code == 302, response.content.decode()[:3000]
        source.refresh_from_db()
        assert source.status == Source.Status.READY
        assert source.current_text.version == 2
        assert "A new version" in source.current_text.full_text
        # The old text stays for comparison.
        assert SourceText.objects.filter(source=source).count() == 2
        assert Reference.objects.filter(text__version=1, text__source=source).count() == 69
        reader = reverse("sources:reader", args=[source.pk])
        old_version = admin_client.get(reader, {"version": 1}).content.decode()
        assert "You are reading an older text version (v1)" in old_version
        assert "Agencia EFE" in old_version
        assert "data-create-evidence" not in old_version
        current = admin_client.get(reader).content.decode()
        assert "A new version" in current and "older text version" not in current
        assert admin_client.get(reader, {"version": 99}).status_code == 404

    def test_admin_search_finds_text_inside_the_document(self, admin_client, kazakhstan_pdf):
        source = services.create_source_from_path(kazakhstan_pdf, title="Untitled upload")
        services.ingest_source(source.pk)
        url = reverse("wagtailsnippets_sources_source:list")
        found = admin_client.get(url, {"q": "Khorgos"})
        assert found.status_code == 200
        assert "Untitled upload" in found.content.decode()
        missing = admin_client.get(url, {"q": "zeppelin"})
        assert "Untitled upload" not in missing.content.decode()

    def test_failed_ingestion_is_visible_and_retryable(
        self, admin_client, kazakhstan_pdf, django_capture_on_commit_callbacks
    ):
        source = services.create_source_from_path(kazakhstan_pdf, title="K")
        Source.objects.filter(pk=source.pk).update(status=Source.Status.FAILED, error="Boom.")
        edit_url = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
        html = admin_client.get(edit_url).content.decode()
        assert "Boom." in html
        assert "Retry ingestion" in html
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(reverse("sources:retry", args=[source.pk]))
        assert response.status_code == 302
        source.refresh_from_db()
        assert source.status == Source.Status.READY

    def test_retry_ingestion_leaves_a_source_being_ingested_alone(
        self, kazakhstan_pdf, django_capture_on_commit_callbacks
    ):
        source = services.create_source_from_path(kazakhstan_pdf, title="K")
        Source.objects.filter(pk=source.pk).update(
            status=Source.Status.PROCESSING, status_message="Extracting text…"
        )
        source.refresh_from_db()
        with django_capture_on_commit_callbacks() as callbacks:
            assert queue.retry_ingestion(source) is False
        assert callbacks == []
        source.refresh_from_db()
        assert source.status == Source.Status.PROCESSING
        assert source.status_message == "Extracting text…"

    def test_edit_form_links_the_current_file_to_its_download(self, admin_client, kazakhstan_pdf):
        """Not to its storage URL under MEDIA_URL, which nothing serves."""
        source = services.create_source_from_path(kazakhstan_pdf, title="K")
        edit = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
        html = admin_client.get(edit).content.decode()
        url = reverse("sources:file", args=[source.pk])
        assert f'href="{url}"' in html
        assert f'href="{source.file.url}"' not in html

        response = admin_client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == kazakhstan_pdf.read_bytes()

    def test_reader_requires_permission(self, client, django_user_model, kazakhstan_pdf):
        source = services.create_source_from_path(kazakhstan_pdf, title="K")
        url = reverse("sources:reader", args=[source.pk])
        assert client.get(url).status_code == 302  # to the login page
        file_url = reverse("sources:file", args=[source.pk])
        assert client.get(file_url).status_code == 302  # to the login page
        user = django_user_model.objects.create_user("nobody", password="pw")
        client.force_login(user)
        assert client.get(url).status_code in (302, 403)
        assert client.get(file_url).status_code in (302, 403)


class TestCommands:
    def test_ingest_source_command_succeeds(self, kazakhstan_pdf):
        out = io.StringIO()
        call_command(
            "ingest_source",
            str(kazakhstan_pdf),
            "--title",
            "Kazakhstan",
            "--date",
            "2019-02",
            "--author",
            "Cocali, Ilia",
            stdout=out,
        )
        source = Source.objects.get()
        assert source.status == Source.Status.READY
        assert source.date_precision == Source.DatePrecision.MONTH
        assert "16 pages, 69 references" in out.getvalue()

    @pytest.mark.parametrize(
        ("builder", "expected"),
        [
            (fixtures.encrypted_pdf, "encrypted"),
            (fixtures.truncated_pdf, "incomplete"),
            (png_as_pdf, "PNG"),
        ],
    )
    def test_ingest_source_command_fails_cleanly(self, settings, tmp_path, builder, expected):
        path = builder(tmp_path)
        with pytest.raises(CommandError) as excinfo:
            call_command("ingest_source", str(path))
        message = str(excinfo.value)
        assert expected.lower() in message.lower()
        assert "\n" not in message
        assert Source.objects.count() == 0
        assert media_files(settings) == []

    def test_ingest_source_command_ocrs_and_cleans_up_a_blank_scan(
        self, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        path = fixtures.scanned_pdf(tmp_path)  # black bars: OCR finds no text
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(CommandError, match="not even by OCR"),
        ):
            call_command("ingest_source", str(path))
        assert Source.objects.count() == 0
        assert media_files(settings) == []

    def test_ingest_source_refuses_duplicates(self, kazakhstan_pdf, tmp_path):
        call_command("ingest_source", str(kazakhstan_pdf), stdout=io.StringIO())
        copy = tmp_path / "copy.pdf"
        shutil.copy(kazakhstan_pdf, copy)
        with pytest.raises(CommandError, match="already in the library"):
            call_command("ingest_source", str(copy))
        assert Source.objects.count() == 1

    def test_ingest_source_rejects_a_bad_date(self, kazakhstan_pdf):
        with pytest.raises(CommandError, match="not a date"):
            call_command("ingest_source", str(kazakhstan_pdf), "--date", "Feb 2019")
        assert Source.objects.count() == 0

    def test_command_exit_status_from_the_shell(self, tmp_path):
        """Exit 0 when ready, 1 with a one-line reason otherwise (a real process)."""
        bad = fixtures.encrypted_pdf(tmp_path)
        result = subprocess.run(
            [sys.executable, "manage.py", "ingest_source", str(bad)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": database_url_for_subprocess(),
                "MEDIA_ROOT": str(tmp_path / "media"),
            },
        )
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "encrypted" in lines[0]
