"""Watching live briefs after publication: every citation of a live brief must keep holding.

Whenever evidence stops being citable (rejected, orphaned or reworded by a new text version,
its source failed or replaced, deleted) the live briefs citing it are re-checked with the
publish gate's own service (``review.services.check_body``, on the live content and the quotes
it pinned) and flagged (``CorrectionFlag``): shown on the dashboard of their authors and the
editors and on the brief's edit page, and mailed to them once. A flag clears when a corrected
revision is published or the evidence holds again. A daily beat job re-checks every live brief
(changes made outside these paths: a data migration, a restored backup)."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from briefs.citations import cited_evidence_ids
from briefs.models import BriefPage

from .models import CorrectionFlag, brief_authors
from .services import check_body

logger = logging.getLogger(__name__)

EDITORS_GROUP = "Editors"


@dataclass
class Outcome:
    checked: int = 0  # live briefs checked
    flagged: int = 0  # briefs with at least one flag after the check
    new_flags: int = 0
    cleared: int = 0


def live_briefs(evidence_ids=None, page_ids=None):
    """The live briefs to check: those citing any of ``evidence_ids`` (in their live content),
    those of ``page_ids``, or every live brief when both are None."""
    queryset = BriefPage.objects.live().order_by("pk")
    if page_ids is not None:
        queryset = queryset.filter(pk__in=page_ids)
    wanted = None if evidence_ids is None else {int(i) for i in evidence_ids}
    for page in queryset.iterator(chunk_size=50):
        if wanted is None or wanted & set(cited_evidence_ids(page.body)):
            yield page


def refresh_flags(page) -> tuple[list[CorrectionFlag], int]:
    """Re-check the live content of ``page``; returns its new flags and how many cleared."""
    result = check_body(page.body, page.cited_quotes)
    notes = page.notes
    found = {}
    for problem in result.problems:
        entry = found.setdefault(problem.evidence_id, problem)
        if entry is not problem:  # the same evidence cited in several blocks: one flag
            continue
    new = []
    with transaction.atomic():
        existing = {flag.evidence_id: flag for flag in page.correction_flags.all()}
        for evidence_id, problem in found.items():
            note = notes.note_for(evidence_id)
            fields = {
                "note_number": note.number if note else None,
                "quote": note.quote if note else problem.quote,
                "problem": "; ".join(problem.problems),
            }
            flag = existing.pop(evidence_id, None)
            if flag is None:
                new.append(
                    CorrectionFlag.objects.create(page=page, evidence_id=evidence_id, **fields)
                )
            elif any(getattr(flag, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(flag, name, value)
                flag.save()
        cleared = len(existing)
        if existing:
            CorrectionFlag.objects.filter(pk__in=[f.pk for f in existing.values()]).delete()
    return new, cleared


def watch(evidence_ids=None, page_ids=None) -> Outcome:
    """Re-check the live briefs concerned (see ``live_briefs``), flag and notify."""
    outcome = Outcome()
    checked_ids = []
    for page in live_briefs(evidence_ids, page_ids):
        outcome.checked += 1
        checked_ids.append(page.pk)
        new, cleared = refresh_flags(page)
        outcome.new_flags += len(new)
        outcome.cleared += cleared
        if new:
            notify(page, new)
    if evidence_ids is None and page_ids is None:
        # A brief that is no longer live keeps no flag.
        CorrectionFlag.objects.exclude(page__live=True).delete()
    outcome.flagged = (
        CorrectionFlag.objects.filter(page_id__in=checked_ids).values("page").distinct().count()
    )
    return outcome


def clear(page_id):
    CorrectionFlag.objects.filter(page_id=page_id).delete()


def recipients(page):
    """Who is told: the brief's authors (owner) and the editors, with an e-mail address."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(pk__in=brief_authors(page, None) | set(editor_ids()))
        .order_by("pk")
    )


def editor_ids():
    return get_user_model().objects.filter(groups__name=EDITORS_GROUP).values_list("pk", flat=True)


def notify(page, flags):
    emails = list(recipients(page).values_list("email", flat=True))
    if not emails:
        return
    edit_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "wagtailadmin_pages:edit", args=[page.pk]
    )
    lines = [
        f"The published brief “{page.title}” cites evidence that no longer holds; it needs a "
        "corrected version:",
        "",
    ]
    for flag in flags:
        lines.append(
            f"• Note {flag.note_number or '?'} (evidence #{flag.evidence_id}): {flag.problem}."
        )
    lines += ["", f"Open the brief: {edit_url}"]
    try:
        send_mail(
            f"Needs correction: {page.title}",
            "\n".join(lines),
            None,
            emails,
        )
    except Exception:  # a mail server outage must not undo the flag; the dashboard shows it
        logger.exception("Could not mail the correction flags of brief %s", page.pk)


def flags_for(user):
    """The flags a user sees on the dashboard: of their briefs, or all of them for editors."""
    flags = CorrectionFlag.objects.select_related("page").order_by("created_at")
    if user.is_superuser or user.groups.filter(name=EDITORS_GROUP).exists():
        return flags
    return flags.filter(page__owner=user)
