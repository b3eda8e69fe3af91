"""Read query: the live pages (briefs) citing pieces of evidence, from Wagtail's reference
index, which records inline citations and evidence blocks alike."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex


def live_pages_citing(evidence):
    """Live pages citing any of ``evidence`` (a queryset or a list of instances), by title."""
    page_ids = (
        ReferenceIndex.get_references_to_in_bulk(evidence)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return Page.objects.live().filter(pk__in=[int(pk) for pk in page_ids]).order_by("title")
