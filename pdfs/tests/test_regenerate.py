"""Regenerate keeps the previous PDF in service until its replacement is ready, and a render
whose heartbeat stopped is taken back within a minute or two, not after the task time limit."""

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from pdfs import services, tasks
from pdfs.models import BriefPDF
from pdfs.tests.test_views import public_url, render_all


@pytest.fixture
def live_brief(brief_factory):
    page = brief_factory(slug="regenerated-brief")
    render_all()
    return page


def pdf_files(root):
    return sorted(p for p in (root / "pdfs").rglob("*") if p.is_file())


def body(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_regenerate_serves_the_previous_file_until_the_new_one_is_ready(
    client, live_brief, users, settings
):
    url = public_url(live_brief)
    first = client.get(url)
    assert first.status_code == 200
    old_bytes, old_etag = body(first), first["ETag"]
    old = BriefPDF.objects.get(revision_id=live_brief.live_revision_id)

    client.force_login(users["publisher"])
    assert client.post(reverse("pdfs_admin:regenerate", args=[live_brief.pk])).status_code == 302
    assert BriefPDF.objects.get(pk=old.pk).status == "queued"
    client.logout()
    queued = client.get(url)
    assert queued.status_code == 200 and body(queued) == old_bytes
    status = services.live_pdf_status(live_brief)
    assert status.is_ready and status.url == url and status.sha256 == old.sha256

    seen_while_rendering = []

    def during_render():
        assert BriefPDF.objects.get(pk=old.pk).status == "rendering"
        response = client.get(url)
        seen_while_rendering.append((response.status_code, body(response), response["ETag"]))

    # Serve the file from inside the render (between the claim and the new file's write).
    with mock.patch.object(tasks, "_pause_for_tests", during_render):
        render_all()
    assert seen_while_rendering == [(200, old_bytes, old_etag)]

    new = BriefPDF.objects.get(pk=old.pk)
    assert new.status == "ready" and new.file.name != old.file.name
    after = client.get(url)
    assert after.status_code == 200 and after["ETag"] == f'"{new.sha256}"'
    assert hashlib.sha256(body(after)).hexdigest() == new.sha256
    # The previous file is gone: the row has one file again.
    assert pdf_files(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / "pdfs" / new.file.name]


@pytest.mark.django_db
def test_a_failed_regeneration_keeps_the_previous_file_in_service(client, live_brief):
    old = BriefPDF.objects.get(revision_id=live_brief.live_revision_id)
    services.queue_live_pdf(live_brief, force=True)
    BriefPDF.objects.filter(pk=old.pk).update(status="failed", last_error="WeasyPrint broke")
    response = client.get(public_url(live_brief))
    assert response.status_code == 200 and response["ETag"] == f'"{old.sha256}"'


@pytest.fixture
def rendering(brief_factory):
    page = brief_factory()
    pdf = BriefPDF.objects.get(revision_id=page.live_revision_id)
    assert tasks.stale_after() < timedelta(seconds=120)
    assert tasks.stale_after() < timedelta(seconds=600)  # well under CELERY_TASK_TIME_LIMIT

    def set_times(started_ago, heartbeat_ago):
        now = timezone.now()
        BriefPDF.objects.filter(pk=pdf.pk).update(
            status="rendering",
            claimed_by="lost-task",
            attempts=1,
            started_at=now - timedelta(seconds=started_ago),
            heartbeat_at=now - timedelta(seconds=heartbeat_ago),
        )
        return pdf

    return set_times


@pytest.mark.django_db
def test_the_sweeper_requeues_a_render_whose_heartbeat_stopped(rendering):
    stale = tasks.stale_after().total_seconds()
    # Started only a little before the heartbeat threshold: long before the time limit.
    pdf = rendering(started_ago=stale + 10, heartbeat_ago=stale + 5)
    assert tasks.sweep_queued_pdfs() == {"revived": 1, "sent": 1}  # sent at once, no grace
    pdf.refresh_from_db()
    assert pdf.status == "ready" and pdf.attempts == 2


@pytest.mark.django_db
def test_a_long_render_with_a_live_heartbeat_is_left_alone(rendering):
    pdf = rendering(started_ago=3600, heartbeat_ago=1)
    assert tasks.sweep_queued_pdfs() == {"revived": 0, "sent": 0}
    assert tasks.claim(pdf.pk, "another-task") is None
    assert BriefPDF.objects.get(pk=pdf.pk).claimed_by == "lost-task"


@pytest.mark.django_db(transaction=True)
def test_a_render_beats_while_it_runs(brief_factory, settings):
    settings.BRIEFDESK_PDF_HEARTBEAT_SECONDS = 0.05
    page = brief_factory()
    pdf = BriefPDF.objects.get(revision_id=page.live_revision_id)  # rendered on commit
    BriefPDF.objects.filter(pk=pdf.pk).update(status="queued", attempts=0)
    beats = []

    def slow_render():
        started = BriefPDF.objects.get(pk=pdf.pk).heartbeat_at
        deadline = timezone.now() + timedelta(seconds=30)
        while timezone.now() < deadline:  # until the heartbeat thread has written once
            beat = BriefPDF.objects.get(pk=pdf.pk).heartbeat_at
            if beat > started:
                beats.append(beat)
                return
            tasks.time.sleep(0.05)

    with mock.patch.object(tasks, "_pause_for_tests", slow_render):
        tasks.render_brief_pdf.apply(args=(pdf.pk,), task_id="beating")
    assert beats, "the heartbeat was never written"
    assert BriefPDF.objects.get(pk=pdf.pk).status == "ready"
