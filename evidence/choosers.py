"""The evidence chooser of the brief editor: citable evidence first, filterable by source,
country, topic and status, searchable by quote and claim."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from wagtail.admin.forms.choosers import BaseFilterForm, SearchFilterMixin
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import (
    ChooseResultsView,
    ChooseView,
)
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.search.backends import get_search_backend

from sources.models import Source
from taxonomy.models import Country, Topic

from .models import Evidence


class EvidenceFilterForm(SearchFilterMixin, BaseFilterForm):
    source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("title"), required=False, empty_label="All sources"
    )
    country = forms.ModelChoiceField(
        queryset=Country.objects.all(), required=False, empty_label="All countries"
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, empty_label="All topics"
    )
    status = forms.ChoiceField(
        choices=[
            ("citable", "Citable (accepted and anchored)"),
            ("all", "All evidence"),
        ],
        required=False,
    )

    def filter(self, objects):
        data = self.cleaned_data
        if data.get("source"):
            objects = objects.filter(source=data["source"])
        if data.get("country"):
            objects = objects.filter(countries=data["country"])
        if data.get("topic"):
            objects = objects.filter(topics=data["topic"])
        if data.get("status") != "all":
            objects = objects.citable()
        query = data.get("q")
        if query:
            self.is_searching = True
            self.search_query = query
            objects = get_search_backend().autocomplete(query, objects.distinct())
        return objects


class EvidenceChooseMixin:
    per_page = 20
    filter_form_class = EvidenceFilterForm

    def get_object_list(self):
        citable = Evidence.objects.citable().values("pk")
        return (
            Evidence.objects.select_related("source")
            .annotate(
                citable_first=Case(
                    When(pk__in=citable, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("citable_first", "source__title", "start")
        )

    def apply_object_list_ordering(self, objects):
        return objects

    @property
    def columns(self):
        return [
            self.title_column,
            Column("source", label="Source", accessor=lambda e: e.source.title),
            Column("page", label="Page"),
            Column("status", label="Status", accessor=_status_label),
        ]


def _status_label(evidence):
    if evidence.is_citable:
        return "Citable"
    if evidence.anchor_status == Evidence.AnchorStatus.ORPHANED:
        return "Orphaned: cannot be cited"
    return f"{evidence.get_review_status_display()}: cannot be cited"


class EvidenceChooseView(EvidenceChooseMixin, ChooseView):
    pass


class EvidenceChooseResultsView(EvidenceChooseMixin, ChooseResultsView):
    pass


class EvidenceChooserViewSet(ChooserViewSet):
    model = Evidence
    icon = "openquote"
    choose_one_text = "Choose evidence"
    choose_another_text = "Choose other evidence"
    edit_item_text = "Edit this evidence"
    choose_view_class = EvidenceChooseView
    choose_results_view_class = EvidenceChooseResultsView


evidence_chooser_viewset = EvidenceChooserViewSet("evidence_chooser")
