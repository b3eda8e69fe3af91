"""Zip bombs (one huge member, many tiny ones) are refused from the archive's directory, in the
web pre-flight and again in the worker; the worker parses in a child process under a memory
and a time limit."""

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files import File
from django.urls import reverse

from sources import services
from sources.extractors import DOCX, ArchiveLimits, IngestionError, check_file
from sources.extractors.isolation import run_limited
from sources.models import Source, SourceText
from sources.tests import fixtures
from sources.tests.test_library import ADD_URL, media_files, upload_form

MB = 2**20
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
    b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hi</w:t></w:r></w:p></w:body>'
    b"</w:document>"
)


def _huge_member_bomb(path: Path) -> Path:
    """word/document.xml of 200 MB of zeros, written in 1 MB chunks: ~200 KB on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = bytes(MB)
            for _ in range(200):
                member.write(chunk)
    return path


def _many_members_bomb(path: Path) -> Path:
    """A valid word/document.xml followed by 20,000 tiny parts."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", DOCUMENT_XML)
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for number in range(20_000):
            archive.writestr(f"word/media/part{number}.xml", b"<x/>")
    return path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "huge": _huge_member_bomb(folder / "huge.docx"),
        "many": _many_members_bomb(folder / "many.docx"),
    }


EXPECTED = {
    "huge": r"“word/document.xml” of this file unpacks to 200 MB, over the limit of 100 MB",
    "many": r"archive of 20,00\d parts, over the limit of 5,000",
}


@pytest.mark.parametrize("kind", ["huge", "many"])
def test_the_web_pre_flight_refuses_a_bomb_cheaply(bombs, kind):
    assert bombs[kind].stat().st_size < 3 * MB
    tracemalloc.start()
    try:
        with pytest.raises(IngestionError, match=EXPECTED[kind]) as refused:
            check_file(bombs[kind], f"{kind}.docx", max_bytes=50 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "zip bomb" in str(refused.value)
    assert peak < 5 * MB, f"the pre-flight held {peak / MB:.1f} MB"


def test_ratio_and_total_limits(tmp_path):
    path = tmp_path / "zeros.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(5 * MB))  # compresses ~1000 times
        archive.writestr("word/other.xml", bytes(5 * MB))
    with pytest.raises(IngestionError, match=r"compressed [\d,]+ times .* limit of 100 times"):
        check_file(path, "zeros.docx", max_bytes=50 * MB)
    with pytest.raises(IngestionError, match=r"unpacks to more than 8 MB"):
        check_file(
            path,
            "zeros.docx",
            max_bytes=50 * MB,
            archive_limits=ArchiveLimits(max_total_bytes=8 * MB, max_ratio=10_000),
        )


def test_the_pre_flight_never_parses_with_python_docx(tmp_path, monkeypatch):
    import docx

    path = fixtures.make_docx(tmp_path)

    def refuse(*args, **kwargs):
        raise AssertionError("python-docx ran in the pre-flight")

    monkeypatch.setattr(docx, "Document", refuse)
    assert check_file(path, "memo.docx", max_bytes=50 * MB) == DOCX


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["huge", "many"])
def test_an_uploaded_bomb_is_refused_and_nothing_saved(admin_client, settings, bombs, kind):
    data = upload_form(bombs[kind])
    response = admin_client.post(reverse(ADD_URL), data)
    assert response.status_code == 200
    assert "zip bomb" in response.content.decode()
    assert Source.objects.count() == 0
    assert media_files(settings) == []


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["huge", "many"])
def test_the_worker_refuses_a_bomb_before_parsing(settings, bombs, kind):
    """A bomb that reached storage (a file saved before the limits, or by another path) fails
    with the same message in the worker, and no text is stored."""
    source = Source(title="Bomb", media_type=DOCX, status=Source.Status.PENDING)
    with bombs[kind].open("rb") as file:
        source.file.save(f"{kind}.docx", File(file), save=False)
    source.save()
    services.ingest_source(source.pk)
    source.refresh_from_db()
    assert source.status == Source.Status.FAILED
    assert "zip bomb" in source.error
    assert not SourceText.objects.exists()


@pytest.mark.django_db
def test_a_docx_is_still_ingested_in_the_child_process(tmp_path):
    source = services.create_source_from_path(fixtures.make_docx(tmp_path))
    services.ingest_source(source.pk)
    source.refresh_from_db()
    assert source.status == Source.Status.READY, source.error
    assert "Irtysh" in source.current_text.full_text


# The child process runner, as a unit -----------------------------------------------------------


def _allocate(megabytes, on_page):
    on_page(1, 2)
    block = bytearray(megabytes * MB)
    on_page(2, 2)
    return len(block)


def _sleep(seconds, on_page):
    time.sleep(seconds)


def _fail(on_page):
    raise IngestionError("This file is broken.")


def test_the_child_reports_progress_and_returns_its_result():
    pages = []
    result = run_limited(
        _allocate, 10, max_memory_bytes=200 * MB, timeout=60, on_page=lambda *a: pages.append(a)
    )
    assert result == 10 * MB
    assert pages == [(1, 2), (2, 2)]


def test_a_child_over_the_memory_limit_fails_with_a_message():
    with pytest.raises(IngestionError, match="needed more than 50 MB of memory"):
        run_limited(_allocate, 500, max_memory_bytes=50 * MB, timeout=60)


def test_a_child_over_the_time_limit_is_stopped():
    with pytest.raises(TimeoutError):
        run_limited(_sleep, 120, max_memory_bytes=50 * MB, timeout=1)


def test_the_childs_errors_are_raised_in_the_parent():
    with pytest.raises(IngestionError, match="This file is broken"):
        run_limited(_fail, max_memory_bytes=50 * MB, timeout=60)
