"""Public routes of the briefs app beside Wagtail's page serving (mounted by config/urls.py
before Wagtail's catch-all): citation downloads, chart data, evidence receipts."""

from django.urls import path

from . import views

app_name = "briefs"

urlpatterns = [
    path("briefs/<slug:slug>/cite.ris", views.cite, {"fmt": "ris"}, name="cite-ris"),
    path("briefs/<slug:slug>/cite.bib", views.cite, {"fmt": "bib"}, name="cite-bib"),
    path("briefs/<slug:slug>/cite.json", views.cite, {"fmt": "json"}, name="cite-json"),
    path(
        "briefs/<slug:slug>/bibliography.bib",
        views.bibliography,
        {"fmt": "bib"},
        name="bibliography-bib",
    ),
    path(
        "briefs/<slug:slug>/bibliography.ris",
        views.bibliography,
        {"fmt": "ris"},
        name="bibliography-ris",
    ),
    path(
        "briefs/<slug:slug>/bibliography.json",
        views.bibliography,
        {"fmt": "json"},
        name="bibliography-json",
    ),
    path("briefs/<slug:slug>/annotations.jsonld", views.brief_annotations, name="annotations"),
    path("briefs/<slug:slug>/charts/<str:block_id>.csv", views.chart_csv, name="chart-csv"),
    path("evidence/<int:evidence_id>/", views.evidence_page, name="evidence"),
    path(
        "evidence/<int:evidence_id>/annotation.jsonld",
        views.evidence_jsonld,
        name="evidence-jsonld",
    ),
]
