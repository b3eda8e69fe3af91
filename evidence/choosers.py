"""The evidence chooser of the brief editor (inline citations, evidence quote, key figure, chart
and finding blocks): citable evidence first, filterable by source, country, topic, kind and
status together with a search over quote, claim, tags and source title. Evidence that may not
be cited (a candidate, rejected or orphaned) is listed only on request, marked, and offers no
link to choose it; the blocks' validation refuses it on save in any case."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.html import format_html
from wagtail.admin.forms.choosers import BaseFilterForm, SearchFilterMixin
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.search.backends import get_search_backend

from config.search import clean_query
from sources.models import Source
from taxonomy.filtering import filter_by
from taxonomy.models import Country, Topic

from .models import Evidence

# Search hits considered before the filters narrow them down; more than a brief writer reads.
MAX_SEARCH_HITS = 1000


def _filter_select(**attrs):
    # data-chooser-modal-search-filter makes the modal reload the results when it changes.
    return forms.Select(attrs={"data-chooser-modal-search-filter": True, **attrs})


class EvidenceFilterForm(SearchFilterMixin, BaseFilterForm):
    STATUS_CHOICES = [
        ("citable", "Citable (accepted and anchored)"),
        ("all", "All evidence"),
        ("candidate", "Candidates (not reviewed yet)"),
        ("rejected", "Rejected"),
        ("orphaned", "Orphaned (quote lost from the source)"),
    ]

    source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("title"),
        required=False,
        empty_label="All sources",
        widget=_filter_select(),
    )
    country = forms.ModelChoiceField(
        queryset=Country.objects.all(),
        required=False,
        empty_label="All countries",
        widget=_filter_select(),
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        empty_label="All topics",
        widget=_filter_select(),
    )
    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *Evidence.Kind.choices], required=False, widget=_filter_select()
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, widget=_filter_select())

    def filter(self, objects):
        data = self.cleaned_data
        objects = filter_by(
            objects,
            data,
            {"source": "source", "country": "countries", "topic": "topics", "kind": "kind"},
        )
        status = data.get("status") or "citable"
        if status == "citable":
            objects = objects.citable()
        elif status == "orphaned":
            objects = objects.filter(anchor_status=Evidence.AnchorStatus.ORPHANED)
        elif status in (Evidence.ReviewStatus.CANDIDATE, Evidence.ReviewStatus.REJECTED):
            objects = objects.filter(review_status=status)
        if data.get("country") or data.get("topic"):
            objects = objects.distinct()
        query = (data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = self._search(objects, query)
        return objects

    @staticmethod
    def _search(objects, query):
        """Search results that keep every filter and the citable-first order.

        The search backends only filter on declared FilterFields (not on countries or topics),
        so the search runs on all evidence and its hits, in order of relevance, narrow down the
        filtered queryset."""
        query = clean_query(query)
        if not query:
            return objects
        backend = get_search_backend()
        hits = backend.autocomplete(query, Evidence.objects.all())[:MAX_SEARCH_HITS]
        ids = [hit.pk for hit in hits]
        if len(ids) < MAX_SEARCH_HITS:
            # Whole words anywhere (claim, tags, source title), beyond autocomplete's prefixes.
            seen = set(ids)
            more = backend.search(query, Evidence.objects.all())[: MAX_SEARCH_HITS - len(ids)]
            ids += [hit.pk for hit in more if hit.pk not in seen]
        if not ids:
            return objects.none()
        relevance = Case(
            *[When(pk=pk, then=Value(rank)) for rank, pk in enumerate(ids)],
            output_field=IntegerField(),
        )
        return (
            objects.filter(pk__in=ids)
            .annotate(relevance=relevance)
            .order_by("citable_first", "relevance")
        )


def _citable_first():
    return Case(
        When(Evidence.citable_q(), then=Value(0)), default=Value(1), output_field=IntegerField()
    )


class QuoteColumn(TitleColumn):
    """The quote and claim; a link that chooses the evidence only when it may be cited."""

    def get_link_url(self, instance, parent_context):
        if instance.blocked_reason():
            return None
        return super().get_link_url(instance, parent_context)

    def get_value(self, instance):
        quote = instance.display_quote
        if len(quote) > 240:
            quote = quote[:240] + "…"
        if instance.claim:
            return format_html(
                '<span class="evidence-choice__quote">“{}”</span>'
                '<span class="evidence-choice__claim">{}</span>',
                quote,
                instance.claim,
            )
        return format_html('<span class="evidence-choice__quote">“{}”</span>', quote)


class StatusColumn(Column):
    def render_cell_html(self, instance, parent_context):
        reason = instance.blocked_reason()
        if reason:
            return format_html(
                '<td class="evidence-choice--blocked"><span class="evidence-choice__status '
                'evidence-choice__status--blocked">Cannot be cited</span><br>{}</td>',
                reason,
            )
        status = "Relocated" if instance.anchor_status == Evidence.AnchorStatus.RELOCATED else ""
        return format_html(
            '<td><span class="evidence-choice__status evidence-choice__status--citable">'
            "Citable</span>{}</td>",
            format_html("<br>{} anchor", status) if status else "",
        )


class EvidenceChooseMixin:
    filter_form_class = EvidenceFilterForm
    page_title = "Choose evidence"

    def get_object_list(self):
        return (
            Evidence.objects.select_related("source")
            .annotate(citable_first=_citable_first())
            .order_by("citable_first", "source__title", "start")
        )

    def apply_object_list_ordering(self, objects):
        return objects

    @property
    def columns(self):
        return [
            QuoteColumn(
                "quote",
                label="Quote",
                accessor=lambda evidence: evidence,
                get_url=lambda evidence: self.append_preserved_url_parameters(
                    self._chosen_url(evidence)
                ),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("source", label="Source", accessor=lambda e: e.source.title),
            Column("page", label="Page", width="8%"),
            Column("kind", label="Kind", accessor="get_kind_display", width="10%"),
            StatusColumn("status", label="Status", width="18%"),
        ]

    def _chosen_url(self, evidence):
        from django.urls import reverse

        return reverse(self.chosen_url_name, args=(evidence.pk,))


class EvidenceChooseView(EvidenceChooseMixin, ChooseView):
    pass


class EvidenceChooseResultsView(EvidenceChooseMixin, ChooseResultsView):
    pass


class EvidenceChosenView(ChosenView):
    def get_object(self, pk):
        return Evidence.objects.select_related("source").get(pk=pk)

    def get_chosen_response_data(self, item):
        # What the editor's inline citation shows (see static/briefs/js/evidence-citation.js).
        data = super().get_chosen_response_data(item)
        data.update(
            label=str(item),
            quote=item.display_quote,
            page=item.page,
            source=item.source_id,
            source_title=item.source.title,
            citable=item.is_citable,
        )
        return data


class EvidenceChooserViewSet(ChooserViewSet):
    model = Evidence
    icon = "openquote"
    choose_one_text = "Choose evidence"
    choose_another_text = "Choose other evidence"
    edit_item_text = "Edit this evidence"
    per_page = 20
    preserve_url_parameters = ["multiple"]
    choose_view_class = EvidenceChooseView
    choose_results_view_class = EvidenceChooseResultsView
    chosen_view_class = EvidenceChosenView


evidence_chooser_viewset = EvidenceChooserViewSet("evidence_chooser")
