from celery import shared_task

from sources.models import SourceText

from . import services


@shared_task(name="evidence.propose_candidates")
def propose_candidates_task(source_text_id):
    """Propose candidate evidence from a source text. Takes an id; idempotent."""
    text = SourceText.objects.select_related("source").filter(pk=source_text_id).first()
    if text is None or text.source.current_text_id != text.pk:
        return 0
    return services.propose_candidates(text)
