"""Ingestion through the real broker and a real `celery worker` process."""

import re

import pytest
from django.urls import reverse

from conftest import wait_for
from sources.models import Source
from sources.tests.test_library import upload_form

pytestmark = pytest.mark.worker


def test_upload_is_ingested_by_a_worker_process(
    celery_worker_process, admin_client, digital_trade_pdf
):
    response = admin_client.post(
        reverse("wagtailsnippets_sources_source:add"), upload_form(digital_trade_pdf)
    )
    assert response.status_code == 302
    source = Source.objects.get()

    def ready():
        source.refresh_from_db()
        return source.status in (Source.Status.READY, Source.Status.FAILED)

    wait_for(ready, timeout=90, message="the worker to ingest the source")
    assert source.status == Source.Status.READY, source.error
    assert source.page_count == 14
    # The worker logs the task's success just after it returns.
    log = wait_for(
        lambda: "succeeded" in (text := celery_worker_process.log()) and text,
        timeout=30,
        message="the worker to log the task",
    )
    assert "sources.ingest_source" in log


def test_scan_is_ocred_on_the_ocr_queue(celery_worker_process, admin_client, tmp_path):
    from sources.tests import fixtures

    scan = fixtures.scan_of(fixtures.corpus_pdf(fixtures.KAZAKHSTAN), tmp_path / "scan.pdf", [3])
    response = admin_client.post(reverse("wagtailsnippets_sources_source:add"), upload_form(scan))
    assert response.status_code == 302
    source = Source.objects.get()

    def ready():
        source.refresh_from_db()
        return source.status in (Source.Status.READY, Source.Status.FAILED)

    wait_for(ready, timeout=180, message="the OCR worker to ingest the scan")
    assert source.status == Source.Status.READY, source.error
    text = source.current_text
    assert text.page_ocr[0]["ocr"] is True and text.page_ocr[0]["confidence"] > 80
    assert "Belt and Road" in text.full_text
    # The status is READY a moment before the task returns and the worker logs its success.
    wait_for(
        lambda: re.search(r"sources\.ocr_source\[[^\]]+\] succeeded", celery_worker_process.log()),
        timeout=30,
        message="the worker to log the OCR task's success",
    )
