from django.dispatch import receiver

from config.tasks import enqueue_on_commit
from sources.signals import source_text_changed

from . import services


@receiver(source_text_changed, dispatch_uid="evidence.reanchor_on_new_text")
def on_source_text_changed(sender, source, old, new, **kwargs):
    """A source has a new text: re-anchor its evidence now (same transaction), and propose
    candidates from the new text once it is committed."""
    if old is not None:
        services.reanchor_source_evidence(source, new)
    from .tasks import propose_candidates_task

    enqueue_on_commit(
        propose_candidates_task,
        new.pk,
        if_down="No candidates are proposed from this text until the source is ingested again.",
    )
