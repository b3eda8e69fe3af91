"""Publishing queues the PDF in the publication's transaction; the task claims, renders and
writes idempotently; retries, give-ups and the sweeper (tasks run inline here)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from pdfs import services, tasks
from pdfs.models import BriefPDF

pytestmark = pytest.mark.django_db


def pdf_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


class TestPublication:
    def test_publishing_creates_the_row_and_renders_after_commit(
        self, brief_factory, django_capture_on_commit_callbacks, settings
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            page = brief_factory()
        pdf = BriefPDF.objects.get(revision_id=page.live_revision_id, kind="public")
        assert callbacks, "the render is enqueued on commit"
        assert pdf.status == "ready" and pdf.attempts == 1
        assert pdf.brief_id == page.pk and pdf.page_count >= 3
        assert pdf.file.name.startswith(pdf.token.hex + "/")
        assert pdf.file.name.endswith(f"-r{page.live_revision_id}-public.pdf")
        with open(pdf.file.path, "rb") as handle:
            data = handle.read()
        assert data.startswith(b"%PDF-") and len(data) == pdf.size
        import hashlib

        assert hashlib.sha256(data).hexdigest() == pdf.sha256
        assert pdf.render_seconds > 0 and pdf.finished_at >= pdf.started_at

    def test_the_row_is_part_of_the_publication_transaction(self, brief_factory):
        page = brief_factory(publish=False)
        revision = page.get_latest_revision()
        with pytest.raises(RuntimeError), transaction.atomic():
            revision.publish()
            assert BriefPDF.objects.filter(revision=revision).exists()
            raise RuntimeError("the publication fails after the page was saved")
        page.refresh_from_db()
        assert not page.live
        assert not BriefPDF.objects.filter(revision=revision).exists()

    def test_a_draft_does_not_queue_a_public_pdf(self, brief_factory):
        page = brief_factory(publish=False)
        page.save_revision()
        assert not BriefPDF.objects.filter(brief=page).exists()

    def test_a_new_published_revision_gets_a_new_pdf(
        self, brief_factory, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            page = brief_factory()
            first = page.live_revision_id
            page.title = "Loans and Trust, revised"
            page.save_revision().publish()
            page.refresh_from_db()
        assert page.live_revision_id != first
        rows = BriefPDF.objects.filter(brief=page, kind="public").order_by("pk")
        assert [r.revision_id for r in rows] == [first, page.live_revision_id]
        assert all(r.status == "ready" for r in rows)
        assert services.live_pdf_status(page).sha256 == rows[1].sha256

    def test_broker_down_at_publication_still_publishes_and_keeps_the_row_queued(
        self, brief_factory, django_capture_on_commit_callbacks, caplog
    ):
        from kombu.exceptions import OperationalError

        failing = mock.patch.object(
            tasks.render_brief_pdf, "apply_async", side_effect=OperationalError("refused")
        )
        with failing, django_capture_on_commit_callbacks(execute=True):
            page = brief_factory()
        assert page.live
        pdf = BriefPDF.objects.get(revision_id=page.live_revision_id)
        assert pdf.status == "queued" and pdf.enqueued_at is None
        assert "stays queued" in caplog.text
        status = services.live_pdf_status(page)
        assert status.status == "queued" and status.url is None and not status.is_ready
        assert "being prepared" in status.message
        # The sweeper leaves it alone during the grace period, then sends it.
        assert tasks.sweep_queued_pdfs()["sent"] == 0
        BriefPDF.objects.filter(pk=pdf.pk).update(queued_at=timezone.now() - timedelta(hours=1))
        assert tasks.sweep_queued_pdfs()["sent"] == 1
        pdf.refresh_from_db()
        assert pdf.status == "ready" and services.live_pdf_status(page).is_ready


@pytest.fixture
def queued(brief_factory):
    """A published brief whose PDF row is queued, nothing enqueued (no on_commit run)."""
    page = brief_factory()
    return BriefPDF.objects.get(revision_id=page.live_revision_id)


def run(pdf_id, task_id="task-1"):
    return tasks.render_brief_pdf.apply(args=(pdf_id,), task_id=task_id).get()


class TestIdempotence:
    def test_a_ready_row_is_not_rendered_again(self, queued, settings):
        assert run(queued.pk) == "ready"
        queued.refresh_from_db()
        files = pdf_files(settings.MEDIA_ROOT)
        with mock.patch("pdfs.revision.render_revision") as render:
            assert run(queued.pk, "task-2") == "nothing to do"
            assert run(queued.pk, "task-1") == "nothing to do"
        render.assert_not_called()
        assert pdf_files(settings.MEDIA_ROOT) == files and len(files) == 1

    def test_a_row_rendering_under_another_live_attempt_is_left_alone(self, queued):
        BriefPDF.objects.filter(pk=queued.pk).update(
            status="rendering", claimed_by="other-task", started_at=timezone.now(), attempts=1
        )
        assert run(queued.pk, "task-2") == "nothing to do"
        assert BriefPDF.objects.get(pk=queued.pk).status == "rendering"

    def test_redelivery_of_a_dead_attempt_reclaims_and_makes_one_file(self, queued, settings):
        # The attempt "task-1" died after claiming and writing a partial temporary file.
        BriefPDF.objects.filter(pk=queued.pk).update(
            status="rendering", claimed_by="task-1", started_at=timezone.now(), attempts=1
        )
        folder = settings.MEDIA_ROOT / "pdfs" / queued.token.hex
        folder.mkdir(parents=True)
        (folder / "brief-r1-public.pdf.999.part").write_bytes(b"%PDF-1.7 half")
        assert run(queued.pk, "task-1") == "ready"
        pdf = BriefPDF.objects.get(pk=queued.pk)
        assert pdf.status == "ready" and pdf.attempts == 2
        assert pdf_files(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / "pdfs" / pdf.file.name]

    def test_a_stale_rendering_row_is_taken_back(self, queued):
        long_ago = timezone.now() - tasks.stale_after() - timedelta(seconds=5)
        BriefPDF.objects.filter(pk=queued.pk).update(
            status="rendering", claimed_by="dead", started_at=long_ago, attempts=1
        )
        assert tasks.sweep_queued_pdfs(grace_seconds=0) == {"revived": 1, "sent": 1}
        assert BriefPDF.objects.get(pk=queued.pk).status == "ready"

    def test_rendering_twice_rewrites_the_same_file(self, queued, settings):
        run(queued.pk)
        services.queue_pdf(queued.brief, queued.revision, force=True)
        assert BriefPDF.objects.get(pk=queued.pk).status == "queued"
        run(queued.pk, "task-2")
        assert len(pdf_files(settings.MEDIA_ROOT)) == 1


class TestFailures:
    @pytest.fixture
    def not_propagating(self):
        conf = tasks.render_brief_pdf.app.conf
        previous, conf.task_eager_propagates = conf.task_eager_propagates, False
        yield
        conf.task_eager_propagates = previous

    def test_errors_are_retried_then_the_row_fails(self, queued, not_propagating):
        boom = mock.patch("pdfs.revision.render_revision", side_effect=ValueError("bad SVG"))
        # Inline (and not propagating), Celery runs each retry at once, with the same id.
        with boom as render:
            result = tasks.render_brief_pdf.apply(args=(queued.pk,), task_id="t", throw=False)
        assert result.get() == "failed"
        pdf = BriefPDF.objects.get(pk=queued.pk)
        assert render.call_count == tasks.MAX_ATTEMPTS
        assert pdf.status == "failed" and pdf.attempts == tasks.MAX_ATTEMPTS
        assert pdf.last_error == "ValueError: bad SVG"
        status = services.live_pdf_status(queued.brief)
        assert status.status == "failed" and status.url is None

    def test_a_row_whose_worker_keeps_dying_gives_up(self, queued):
        BriefPDF.objects.filter(pk=queued.pk).update(
            status="rendering",
            claimed_by="task-1",
            started_at=timezone.now(),
            attempts=tasks.MAX_ATTEMPTS,
        )
        assert run(queued.pk, "task-1") == "nothing to do"
        pdf = BriefPDF.objects.get(pk=queued.pk)
        assert pdf.status == "failed" and "Gave up after 3 attempts" in pdf.last_error

    def test_render_pdfs_missing_requeues_missing_and_failed(self, brief_factory):
        from django.core.management import call_command

        page = brief_factory()
        BriefPDF.objects.filter(brief=page).update(status="failed", last_error="x")
        other = brief_factory(slug="other-brief")
        BriefPDF.objects.filter(brief=other).delete()
        call_command("render_pdfs", "--missing", "--now")
        for brief in (page, other):
            assert BriefPDF.objects.get(revision_id=brief.live_revision_id).status == "ready"
