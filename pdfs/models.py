"""The PDF of a brief revision: one row per (revision, kind), made in the background."""

import uuid

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone

from .storage import get_pdf_storage


def pdf_path(instance, filename):
    """Deterministic per row: a redelivered render overwrites the same file, never adds one.

    The random ``token`` (set when the row is created) keeps the path unguessable, so that a
    PDF is never reachable through a guessed media URL (see storage.py)."""
    return f"{instance.token.hex}/{filename}"


class BriefPDF(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", "Published"
        PREVIEW = "preview", "Draft preview"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    brief = models.ForeignKey(
        "briefs.BriefPage", on_delete=models.CASCADE, related_name="pdfs", editable=False
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.CASCADE, related_name="+", editable=False
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    file = models.FileField(storage=get_pdf_storage, upload_to=pdf_path, max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a render message last reached the broker."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the attempt rendering it."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(
        max_length=255, blank=True, help_text="Celery task id of the attempt rendering it."
    )
    last_error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "brief PDF"
        verbose_name_plural = "brief PDFs"
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "kind"], name="pdfs_one_pdf_per_revision")
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="pdfs_status_queued")]

    def __str__(self):
        return f"{self.get_kind_display()} PDF of revision {self.revision_id} ({self.status})"

    @property
    def is_ready(self):
        return self.status == self.Status.READY and bool(self.file)

    @property
    def has_file(self):
        """A rendered file to serve: the ready one, or while a regeneration is queued or
        rendering (or after it failed), the previous one, until its replacement is ready."""
        return bool(self.file) and bool(self.sha256)

    @property
    def filename(self):
        """What the reader's browser saves it as: the brief's slug (``china-in-kazakhstan.pdf``)."""
        slug = self.brief.slug if self.brief_id else "brief"
        if self.kind == self.Kind.PREVIEW:
            return f"{slug}-draft-preview-r{self.revision_id}.pdf"
        return f"{slug}.pdf"


@receiver(setting_changed)
def _follow_storages(*, setting, **kwargs):
    """A FileField resolves a callable storage once, at import; tests that change STORAGES
    (after Django's own receiver has dropped the cached storages) get the new one."""
    if setting == "STORAGES":
        BriefPDF._meta.get_field("file").storage = get_pdf_storage()
