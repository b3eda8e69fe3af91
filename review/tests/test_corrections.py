"""After publication: a live brief whose evidence stops holding is flagged at once (dashboard of
its authors and the editors, e-mail, its edit page, verify_evidence), and the flag clears when a
corrected revision is published or the evidence holds again."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from briefs.models import BriefPage
from conftest import wait_for
from evidence import services as evidence_services
from evidence.models import Evidence
from review.models import CorrectionFlag
from review.tasks import verify_live_briefs

from .conftest import PAGES, QUOTE_1, body_data, make_brief, make_evidence, replace_source_text
from .test_workflow import as_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(accounts, evidence):
    page = make_brief(accounts["analyst"], *evidence)
    page.get_latest_revision().publish()  # as the workflow's sign-off does
    return BriefPage.objects.get(pk=page.pk)


def reject(evidence, capture):
    with capture(execute=True):
        evidence_services.set_review_status(
            Evidence.objects.filter(pk=evidence.pk), Evidence.ReviewStatus.REJECTED
        )


def test_rejecting_cited_evidence_flags_the_live_brief_everywhere(
    client, accounts, evidence, live, django_capture_on_commit_callbacks
):
    reject(evidence[0], django_capture_on_commit_callbacks)
    flag = CorrectionFlag.objects.get(page=live)
    assert flag.evidence_id == evidence[0].pk and flag.note_number == 1
    assert "rejected, not accepted" in flag.problem

    # E-mail to the brief's author and the editors, once.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert live.title in message.subject
    assert set(message.to) == {accounts["analyst"].email, accounts["editor"].email}
    assert "Note 1" in message.body

    # Dashboards: the author and the editors see the brief, the reviewer does not.
    for role, sees in (("analyst", True), ("editor", True), ("reviewer", False)):
        as_user(client, accounts[role])
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        assert ("Needs correction" in html and live.title in html) == sees, role
    as_user(client, accounts["editor"])
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[live.pk]), follow=True)
    assert "Needs correction" in edit.content.decode()

    # verify_evidence reports it, one line per brief and note, and exits 1.
    with pytest.raises(CommandError, match="need"):
        call_command("verify_evidence", stdout=(out := _Out()))
    assert f"“{live.title}”" in out.text and "note 1" in out.text

    # A second check does not mail again.
    with django_capture_on_commit_callbacks(execute=True):
        verify_live_briefs()
    assert len(mail.outbox) == 1

    # Accepted again: the evidence holds, the flag clears, verify_evidence passes.
    with django_capture_on_commit_callbacks(execute=True):
        evidence_services.set_review_status(
            Evidence.objects.filter(pk=evidence[0].pk), Evidence.ReviewStatus.ACCEPTED
        )
    assert not CorrectionFlag.objects.exists()
    call_command("verify_evidence", stdout=_Out())


def test_a_corrected_revision_clears_the_flag(
    accounts, evidence, source, live, django_capture_on_commit_callbacks
):
    reject(evidence[0], django_capture_on_commit_callbacks)
    assert CorrectionFlag.objects.filter(page=live).exists()
    replacement = make_evidence(source, "Attitudes in rural districts are more cautious.")
    draft = BriefPage.objects.get(pk=live.pk)
    draft.body = body_data(replacement, evidence[1])
    with django_capture_on_commit_callbacks(execute=True):
        draft.save_revision().publish()
    assert not CorrectionFlag.objects.filter(page=live).exists()


def test_reworded_and_orphaned_evidence_flag_the_brief(
    evidence, source, live, django_capture_on_commit_callbacks
):
    reworded = [PAGES[0].replace("19.2 billion", "21.4 billion"), ""]
    with django_capture_on_commit_callbacks(execute=True):
        replace_source_text(source, reworded)
    flags = {f.evidence_id: f for f in CorrectionFlag.objects.filter(page=live)}
    assert "worded differently" in flags[evidence[0].pk].problem
    assert "orphaned" in flags[evidence[1].pk].problem
    # The live brief still shows the signed-off wording.
    assert QUOTE_1 in BriefPage.objects.get(pk=live.pk).notes.note_for(evidence[0].pk).quote


def test_daily_job_catches_changes_made_around_the_services(evidence, live):
    Evidence.objects.filter(pk=evidence[1].pk).update(
        anchor_status=Evidence.AnchorStatus.ORPHANED
    )  # a data migration, a restored backup: no signal
    assert not CorrectionFlag.objects.exists()
    assert verify_live_briefs() == {"checked": 1, "flagged": 1}
    assert CorrectionFlag.objects.get().note_number == 2
    schedule = settings.CELERY_BEAT_SCHEDULE["verify-live-briefs"]
    assert schedule["task"] == "review.verify_live_briefs"
    assert schedule["schedule"] == 24 * 3600


def test_unpublishing_clears_the_flags(accounts, evidence, live):
    Evidence.objects.filter(pk=evidence[1].pk).update(review_status="rejected")
    verify_live_briefs()
    assert CorrectionFlag.objects.exists()
    BriefPage.objects.get(pk=live.pk).unpublish(user=accounts["editor"])
    assert not CorrectionFlag.objects.exists()


@pytest.mark.worker
def test_worker_flags_and_clears_on_postgresql(celery_worker_process, accounts, evidence, source):
    """The same through the broker and a real worker process (PostgreSQL and Redis in CI)."""
    page = make_brief(accounts["analyst"], *evidence)
    page.get_latest_revision().publish()
    evidence_services.set_review_status(
        Evidence.objects.filter(pk=evidence[0].pk), Evidence.ReviewStatus.REJECTED
    )
    wait_for(
        lambda: CorrectionFlag.objects.filter(page_id=page.pk).exists(),
        timeout=60,
        message="the worker to flag the live brief",
    )
    replacement = make_evidence(source, "Attitudes in rural districts are more cautious.")
    draft = BriefPage.objects.get(pk=page.pk)
    draft.body = body_data(replacement, evidence[1])
    draft.save_revision().publish()
    wait_for(
        lambda: not CorrectionFlag.objects.filter(page_id=page.pk).exists(),
        timeout=60,
        message="the worker to clear the flag after the corrected version",
    )


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text, *args, **kwargs):
        self.text += text

    def flush(self):
        pass
