"""The public history of a brief: each publication is a numbered version, with the update
notice the editor gave at sign-off; withdrawing a live brief leaves a withdrawal notice.

Written by briefs.versions (recording a version when a revision goes live) and by the review
app (the notice entered at sign-off, the withdrawal); read by the version pages, the feed and
the API."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NoticeType(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"
    WITHDRAWAL = "withdrawal", "Withdrawal"


# What an editor may choose when publishing a new version (withdrawal is for unpublishing).
UPDATE_NOTICE_TYPES = [choice for choice in NoticeType.choices if choice[0] != "withdrawal"]
NOTICE_TEXT_MAX = 1000


class RevisionNotice(models.Model):
    """The public notice given at sign-off with ``revision`` of a brief that was live: it
    becomes the notice of the version this revision makes when it goes live (which may be
    later, for a scheduled publication)."""

    revision = models.OneToOneField(
        "wagtailcore.Revision", on_delete=models.CASCADE, related_name="brief_notice"
    )
    notice_type = models.CharField(max_length=16, choices=UPDATE_NOTICE_TYPES)
    text = models.TextField(max_length=NOTICE_TEXT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.get_notice_type_display()} notice of revision {self.revision_id}"


class BriefVersion(models.Model):
    """One publication of a brief: version ``number`` is ``revision`` as it went live."""

    page = models.ForeignKey("briefs.BriefPage", on_delete=models.CASCADE, related_name="versions")
    # RESTRICT: a version's revision (and with it its PDF) cannot be deleted on its own, but
    # goes with its brief when the brief is deleted (PROTECT would block that too). Wagtail's
    # purge_revisions stops at such a revision with RestrictedError (it skips only PROTECT).
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.RESTRICT, related_name="brief_versions"
    )
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    notice_type = models.CharField(max_length=16, choices=UPDATE_NOTICE_TYPES, blank=True)
    notice_text = models.TextField(blank=True)

    class Meta:
        ordering = ["page", "number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="briefs_one_version_number")
        ]

    def __str__(self):
        return f"Version {self.number} of brief {self.page_id}"

    @property
    def has_notice(self):
        return bool(self.notice_type)


class BriefWithdrawal(models.Model):
    """A live brief taken down, with its public withdrawal notice."""

    page = models.ForeignKey(
        "briefs.BriefPage", on_delete=models.CASCADE, related_name="withdrawals"
    )
    withdrawn_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=NOTICE_TEXT_MAX)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["page", "withdrawn_at", "pk"]

    def __str__(self):
        return f"Withdrawal of brief {self.page_id} on {self.withdrawn_at:%Y-%m-%d}"

    notice_type = NoticeType.WITHDRAWAL
