"""Versions of a brief: recording each publication as a numbered version (with the update notice
given at sign-off) and reading a brief's versions, notices and withdrawal.

Only what went live is ever a version: a version row is written in the same transaction as the
page row that makes its revision live (see on_brief_saved), so drafts, revisions in review and
scheduled revisions never appear among them."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max
from django.utils import timezone

from .models.versions import BriefVersion, BriefWithdrawal, NoticeType, RevisionNotice


def on_brief_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """post_save of BriefPage: when the page row says a revision is live, that revision is a
    version. post_save rather than ``page_published``, for the reason given in
    pdfs.services.on_brief_saved: it runs inside the publication's transaction."""
    if raw or not instance.live or not instance.live_revision_id:
        return
    if update_fields is not None and "live_revision" not in update_fields:
        return
    record_version(instance)


def record_version(page) -> BriefVersion:
    """The version of ``page``'s live revision, created (numbered after the last one, with the
    revision's sign-off notice) unless that revision is already the latest version and the
    brief was not withdrawn since."""
    latest = BriefVersion.objects.filter(page_id=page.pk).order_by("-number").first()
    if latest is not None and latest.revision_id == page.live_revision_id:
        withdrawn_since = BriefWithdrawal.objects.filter(
            page_id=page.pk, withdrawn_at__gt=latest.published_at
        ).exists()
        if not withdrawn_since:
            return latest
    notice = RevisionNotice.objects.filter(revision_id=page.live_revision_id).first()
    number = (latest.number if latest else 0) + 1
    try:
        with transaction.atomic():
            return BriefVersion.objects.create(
                page_id=page.pk,
                revision_id=page.live_revision_id,
                number=number,
                published_at=page.last_published_at or timezone.now(),
                notice_type=notice.notice_type if notice else "",
                notice_text=notice.text if notice else "",
            )
    except IntegrityError:  # a concurrent publication took the number: count again
        number = BriefVersion.objects.filter(page_id=page.pk).aggregate(n=Max("number"))["n"]
        return BriefVersion.objects.create(
            page_id=page.pk,
            revision_id=page.live_revision_id,
            number=(number or 0) + 1,
            published_at=page.last_published_at or timezone.now(),
            notice_type=notice.notice_type if notice else "",
            notice_text=notice.text if notice else "",
        )


def needs_update_notice(page) -> bool:
    """Whether publishing a new revision of ``page`` needs an update notice: it is live, or it
    was published before (a withdrawn brief put back)."""
    return bool(page.live or BriefVersion.objects.filter(page_id=page.pk).exists())


# Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    notice_type: str
    text: str
    date: datetime.datetime
    version: int | None  # the version it came with; None for a withdrawal

    @property
    def label(self):
        return NoticeType(self.notice_type).label


@dataclass
class History:
    """A brief's public history: its versions (oldest first), its notices (newest first) and
    the withdrawal in force, if the brief is withdrawn."""

    versions: list
    notices: list
    withdrawal: BriefWithdrawal | None

    @property
    def latest(self):
        return self.versions[-1] if self.versions else None

    def version(self, number):
        for version in self.versions:
            if version.number == number:
                return version
        return None

    def previous(self, version):
        return self.version(version.number - 1)


def history(page) -> History:
    """One query, whatever the number of versions, for a brief never withdrawn (each version
    row says whether the brief has withdrawals); two otherwise, or without versions."""
    ever_withdrawn = Exists(BriefWithdrawal.objects.filter(page_id=page.pk))
    versions = list(
        BriefVersion.objects.filter(page_id=page.pk)
        .annotate(ever_withdrawn=ever_withdrawn)
        .order_by("number")
    )
    base = page.url
    for version in versions:
        version.url = f"{base}versions/{version.number}/" if base else None
    withdrawals = []
    if not versions or versions[0].ever_withdrawn:
        withdrawals = list(BriefWithdrawal.objects.filter(page_id=page.pk).order_by("withdrawn_at"))
    notices = [
        Notice(v.notice_type, v.notice_text, v.published_at, v.number)
        for v in versions
        if v.notice_type
    ] + [Notice(NoticeType.WITHDRAWAL, w.text, w.withdrawn_at, None) for w in withdrawals]
    notices.sort(key=lambda notice: notice.date, reverse=True)
    withdrawal = None
    if not page.live and withdrawals:
        last = withdrawals[-1]
        if not versions or last.withdrawn_at >= versions[-1].published_at:
            withdrawal = last
    return History(versions=versions, notices=notices, withdrawal=withdrawal)


def withdrawal_in_force(page) -> BriefWithdrawal | None:
    """The withdrawal of a brief that is not live because it was withdrawn (None for drafts,
    briefs never published, and briefs unpublished without a notice)."""
    if page.live:
        return None
    return history(page).withdrawal


def version_page(version):
    """The page as ``version`` was published (its revision's content, notes pinned)."""
    page = version.revision.as_object()
    page.version_number = version.number
    page.version_revision_id = version.revision_id
    return page


@dataclass(frozen=True)
class PublicNotice:
    """A notice of a public brief, for the feed: ``url`` is the version it came with (for a
    withdrawal, the brief's address with a fragment: the link is the entry's id, which must
    differ from the brief's own entry should the brief be published again)."""

    page: object
    notice: Notice
    url: str


def public_notices(limit=20) -> list[PublicNotice]:
    """The newest notices of briefs the public may see: live briefs without view restrictions
    and withdrawn ones (whose address answers 410 with the notice). Drafts, briefs
    unpublished without a notice and private briefs give none."""
    # The brief model through the relation, not an import: the page model calls this module.
    brief_model = BriefVersion._meta.get_field("page").related_model
    public = brief_model.objects.public()
    pages = {page.pk: page for page in public.live()}
    for page in public.not_live().filter(withdrawals__isnull=False).distinct():
        if withdrawal_in_force(page) is not None:
            pages[page.pk] = page
    if not pages:
        return []
    found = []
    versions = BriefVersion.objects.filter(page_id__in=pages).exclude(notice_type="")
    for v in versions.order_by("-published_at")[:limit]:
        page = pages[v.page_id]
        notice = Notice(v.notice_type, v.notice_text, v.published_at, v.number)
        found.append(PublicNotice(page, notice, page.version_url(v.number)))
    withdrawals = BriefWithdrawal.objects.filter(page_id__in=pages).order_by("-withdrawn_at")
    for w in withdrawals[:limit]:
        page = pages[w.page_id]
        notice = Notice(NoticeType.WITHDRAWAL, w.text, w.withdrawn_at, None)
        found.append(PublicNotice(page, notice, f"{page.url}#withdrawal-{w.pk}"))
    found.sort(key=lambda item: item.notice.date, reverse=True)
    return found[:limit]
