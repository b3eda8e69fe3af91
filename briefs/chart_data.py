"""The data of a brief's chart as CSV: one row per figure, with its unit, year and the
evidence (and source page) it comes from. A chart is addressed by its block's id, which stays
the same across revisions."""

import csv
import io

from django.urls import reverse

from evidence.models import Evidence

COLUMNS = [
    "series",
    "category",
    "value",
    "unit",
    "year",
    "evidence_id",
    "evidence_url",
    "quote",
    "source",
    "page",
]


def find_chart(page, block_id):
    """The value of the chart block ``block_id`` of ``page``'s body, or None."""
    for block in page.body:
        if block.block_type == "chart" and block.id == block_id:
            return block.value
    return None


def chart_csv_url(page, block_id) -> str:
    return reverse("briefs:chart-csv", args=[page.slug, block_id])


def chart_rows(value, pinned=None, request=None):
    from .citations import apply_pins

    ids = [item.pk if hasattr(item, "pk") else item for item in value["evidence"] if item]
    found = Evidence.objects.select_related("source").prefetch_related("figures").in_bulk(ids)
    for evidence_id in ids:
        evidence = found.get(evidence_id)
        if evidence is None:
            continue
        apply_pins(evidence, pinned)
        url = reverse("briefs:evidence", args=[evidence.pk])
        for figure in evidence.figures.all():
            yield {
                "series": figure.label,
                "category": figure.year if figure.year is not None else figure.label,
                "value": format(figure.value.normalize(), "f"),
                "unit": figure.unit,
                "year": figure.year if figure.year is not None else "",
                "evidence_id": evidence.pk,
                "evidence_url": request.build_absolute_uri(url) if request else url,
                "quote": evidence.display_quote,
                "source": evidence.source.title,
                "page": evidence.page,
            }


def chart_csv(value, pinned=None, request=None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in chart_rows(value, pinned, request):
        writer.writerow(row)
    return buffer.getvalue()
