from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button, ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from config.search import FullTextIndexViewMixin

from . import urls
from .forms import SourceForm
from .models import Source


@hooks.register("register_admin_urls")
def register_source_urls():
    return [path("sources/", include(urls, namespace="sources"))]


class StatusColumn(Column):
    """Ingestion status, kept live while a source is pending or processing (same script and
    JSON status endpoint as the edit page's panel)."""

    cell_template_name = "sources/admin/status_cell.html"

    class Media:
        js = ["sources/ingestion.js"]


class SourceIndexView(FullTextIndexViewMixin, IndexView):
    """Searches title, metadata and the extracted text."""


class SourceEditView(EditView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button("Read text", url=self.object.get_reader_url(), icon_name="doc-full", priority=5)
        )
        return buttons


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "doc-full-inverse"
    menu_label = "Sources"
    menu_order = 200
    add_to_admin_menu = True
    index_view_class = SourceIndexView
    edit_view_class = SourceEditView
    list_display = [
        "title",
        "publisher",
        "document_type",
        StatusColumn("status", label="Ingestion", sort_key="status"),
        "page_count",
        "updated_at",
    ]
    list_filter = ["status", "document_type", "language", "countries", "topics"]
    list_per_page = 50
    ordering = ["-created_at"]
    edit_handler = ObjectList(
        [
            HelpPanel(
                heading="Ingestion",
                template="sources/admin/ingestion_panel.html",
            ),
            *Source.panels,
        ],
        base_form_class=SourceForm,
    )


register_snippet(SourceViewSet)


@hooks.register("register_snippet_listing_buttons")
def source_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Source) and user.has_perm("sources.view_source"):
        yield ListingButton(
            "Read text", url=reverse("sources:reader", args=[snippet.pk]), icon_name="doc-full"
        )


@hooks.register("insert_global_admin_css")
def source_admin_css():
    from django.templatetags.static import static

    return format_html('<link rel="stylesheet" href="{}">', static("sources/admin.css"))
