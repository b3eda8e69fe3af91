"""The Sources listing keeps each row's ingestion status live, as the edit page does: the same
script polls the same JSON status endpoint."""

import pytest
from django.urls import reverse

from sources import services
from sources.models import Source

LIST_URL = reverse("wagtailsnippets_sources_source:list")


@pytest.mark.django_db
def test_listing_rows_carry_the_live_status_hooks(admin_client, digital_trade_pdf):
    source = services.create_source_from_path(digital_trade_pdf, title="Digital trade")
    assert source.status == Source.Status.PENDING
    html = admin_client.get(LIST_URL).content.decode()
    status_url = reverse("sources:status", args=[source.pk])
    assert f'data-status-url="{status_url}" data-status="pending"' in html
    assert "data-ingestion-label" in html and "data-ingestion-progress" in html
    assert "sources/ingestion.js" in html
    assert admin_client.get(status_url).json()["status"] == "pending"


@pytest.mark.browser
@pytest.mark.worker
def test_a_pending_row_turns_ready_when_the_worker_is_done(
    page, live_server, celery_worker_process, demo_accounts, digital_trade_pdf
):
    from playwright.sync_api import expect

    from conftest import admin_login
    from sources import queue

    source = services.create_source_from_path(digital_trade_pdf, title="Digital trade")
    admin_login(page, live_server.url, "admin", "admin-demo-2026")
    page.goto(f"{live_server.url}{LIST_URL}")
    row = page.locator("tr", has_text="Digital trade")
    label = row.locator("[data-ingestion-label]")
    expect(label).to_have_text("Pending")

    queue.enqueue_ingestion(source)  # committed at once: the worker picks it up
    expect(label).to_have_text("Ready", timeout=120_000)
    assert row.locator("[data-ingestion-progress]").is_hidden()
    source.refresh_from_db()
    assert source.status == Source.Status.READY
