import django_filters
from django.utils.functional import cached_property
from django.utils.text import capfirst
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView, SnippetViewSet

from config.search import FullTextIndexViewMixin
from sources.models import Source
from taxonomy.models import Country, Topic

from . import services, usage
from .forms import EvidenceForm
from .models import Evidence


class EvidenceFilterSet(WagtailFilterSet):
    source = django_filters.ModelChoiceFilter(queryset=Source.objects.order_by("title"))
    countries = django_filters.ModelChoiceFilter(queryset=Country.objects.all(), label="Country")
    topics = django_filters.ModelChoiceFilter(queryset=Topic.objects.all(), label="Topic")

    class Meta:
        model = Evidence
        fields = [
            "source",
            "countries",
            "topics",
            "kind",
            "review_status",
            "anchor_status",
            "origin",
        ]


class EvidenceIndexView(FullTextIndexViewMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("source")

    @cached_property
    def columns(self):
        # The quote (first in list_display) is the row's title: a link to the edit view with
        # the actions menu beside it, as on every Wagtail listing; only its label is ours.
        columns = super().columns
        for column in columns:
            if column.name == "display_quote":
                column.label = "Quote"
        return columns


class EvidenceCreateView(CreateView):
    """Opens prefilled from a reader selection: ?source=ID&start=N&end=M."""

    def get_initial(self):
        initial = super().get_initial()
        params = self.request.GET
        source = Source.objects.filter(pk=_int(params.get("source"))).first()
        if source is None:
            return initial
        initial["source"] = source
        start, end = _int(params.get("start")), _int(params.get("end"))
        text = source.current_text
        if (
            text
            and start is not None
            and end is not None
            and 0 <= start < end <= len(text.full_text)
        ):
            initial.update(
                quote=text.full_text[start:end], selection_start=start, selection_end=end
            )
        return initial


class EvidenceEditView(EditView):
    @cached_property
    def header_buttons(self):
        # "Cited in N briefs", from Wagtail's reference index (inline citations and blocks).
        from django.contrib.contenttypes.models import ContentType
        from wagtail.admin.widgets import HeaderButton
        from wagtail.models import Page, ReferenceIndex

        briefs = (
            ReferenceIndex.get_references_to(self.object)
            .filter(base_content_type=ContentType.objects.get_for_model(Page))
            .values("object_id")
            .distinct()
            .count()
        )
        label = f"Cited in {briefs} brief{'' if briefs == 1 else 's'}"
        return [*super().header_buttons, HeaderButton(label, url=self.get_usage_url())]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class OcrConfirmPanel(FieldPanel):
    """The confirmation box of a quote read by OCR with low confidence, beside the scanned
    page(s) it stands on; shown only when the quote asks for it (``EvidenceForm.ocr_check``)."""

    class BoundPanel(FieldPanel.BoundPanel):
        template_name = "evidence/admin/ocr_confirm_panel.html"

        def is_shown(self):
            return super().is_shown() and getattr(self.form, "ocr_check", None) is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["scans"] = self.form.ocr_scans()
            return context


class OfferedFieldPanel(FieldPanel):
    """A box the form offers only when it asks a question (EvidenceForm: ``separate_evidence``,
    ``confirm_reject``, a HiddenInput until then). Wagtail renders a hidden field's label and
    help text all the same, a question with nothing to tick; so, hidden and unticked, the panel
    is left out (the field then posts nothing, i.e. unticked, as the empty hidden input did)."""

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            hidden = self.bound_field.field.widget.is_hidden
            return super().is_shown() and (not hidden or bool(self.bound_field.value()))


class StatusColumn(Column):
    cell_template_name = "evidence/admin/status_cell.html"


class EvidenceViewSet(SnippetViewSet):
    model = Evidence
    icon = "openquote"
    menu_label = "Evidence"
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = EvidenceIndexView
    add_view_class = EvidenceCreateView
    edit_view_class = EvidenceEditView
    filterset_class = EvidenceFilterSet
    list_display = [
        "display_quote",  # the title column, see EvidenceIndexView.columns
        "source",
        "page",
        "kind",
        StatusColumn("review_status", label="Status", sort_key="review_status"),
        "updated_at",
    ]
    list_per_page = 50
    ordering = ["source", "start"]
    list_export = [
        "quote",
        "claim",
        "source",
        "page",
        "start",
        "end",
        "kind",
        "review_status",
        "anchor_status",
    ]
    edit_handler = ObjectList(
        [
            HelpPanel(heading="Anchor", template="evidence/admin/anchor_panel.html"),
            MultiFieldPanel(
                [
                    FieldPanel("source"),
                    FieldPanel("quote"),
                    OfferedFieldPanel("separate_evidence"),
                ],
                heading="Quote",
            ),
            FieldPanel("claim"),
            FieldPanel("kind"),
            InlinePanel("figures", heading="Figures", label="Figure"),
            MultiFieldPanel(
                [FieldPanel("countries"), FieldPanel("topics"), FieldPanel("tags")],
                heading="Taxonomy",
            ),
            OcrConfirmPanel("ocr_confirmed", heading="Scanned page"),
            FieldPanel("review_status"),
            FieldPanel("accept_new_wording"),
            OfferedFieldPanel("confirm_reject"),
        ],
        base_form_class=EvidenceForm,
    )


register_snippet(EvidenceViewSet)


class ReviewBulkAction(SnippetBulkAction):
    models = [Evidence]
    template_name = "evidence/admin/confirm_bulk_review.html"
    status = None

    def check_perm(self, snippet):
        return self.request.user.has_perm("evidence.change_evidence")

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        queryset = Evidence.objects.filter(pk__in=[obj.pk for obj in objects])
        return services.set_review_status(queryset, cls.status, user=user), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        noun = "piece" if num_parent_objects == 1 else "pieces"
        return f"{num_parent_objects} {noun} of evidence {self.past_tense}."

    @cached_property
    def orphaned_count(self):
        return sum(
            1
            for obj in self.actionable_objects
            if obj.anchor_status == Evidence.AnchorStatus.ORPHANED
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verb"] = capfirst(self.display_name)
        context["accepting"] = self.status == Evidence.ReviewStatus.ACCEPTED
        if self.status == Evidence.ReviewStatus.REJECTED:
            # Name the live briefs citing any of them before they are rejected.
            items = [item["item"] for item in context["items"]]
            context["citing_briefs"] = usage.live_pages_citing(items)
        return context


@hooks.register("register_bulk_action")
class AcceptBulkAction(ReviewBulkAction):
    display_name = "Accept"
    action_type = "accept"
    aria_label = "Accept the selected evidence"
    action_priority = 10
    status = Evidence.ReviewStatus.ACCEPTED
    past_tense = "accepted"


@hooks.register("register_bulk_action")
class RejectBulkAction(ReviewBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject the selected evidence"
    action_priority = 20
    status = Evidence.ReviewStatus.REJECTED
    past_tense = "rejected"


class NeedsAttentionPanel(Component):
    """Admin dashboard: what the library needs from analysts right now."""

    name = "needs_attention"
    order = 50
    template_name = "evidence/admin/needs_attention_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["orphaned"] = Evidence.objects.filter(
            anchor_status=Evidence.AnchorStatus.ORPHANED
        ).count()
        context["changed"] = Evidence.objects.filter(
            anchor_status=Evidence.AnchorStatus.CHANGED
        ).count()
        context["candidates"] = Evidence.objects.filter(
            review_status=Evidence.ReviewStatus.CANDIDATE
        ).count()
        context["sources"] = Source.objects.exclude(status=Source.Status.READY).only(
            "title", "status", "progress", "error"
        )[:10]
        return context


@hooks.register("construct_homepage_panels")
def add_needs_attention_panel(request, panels):
    if request.user.has_perm("evidence.view_evidence"):
        panels.append(NeedsAttentionPanel())


@hooks.register("register_admin_viewset")
def register_evidence_chooser():
    from .choosers import evidence_chooser_viewset

    return evidence_chooser_viewset
