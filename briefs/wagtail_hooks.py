from django.urls import reverse_lazy
from wagtail import hooks
from wagtail.admin.rich_text.editors.draftail import features as draftail_features
from wagtail.admin.staticfiles import versioned_static

from .contentstate import ContentstateEvidenceConversionRule
from .richtext import EvidenceLinkHandler


@hooks.register("register_rich_text_features")
def register_evidence_citation(features):
    """The "Evidence" button of the brief editor: cites a piece of evidence inline."""
    features.register_link_type(EvidenceLinkHandler)
    features.register_editor_plugin(
        "draftail",
        "evidence",
        draftail_features.EntityFeature(
            {
                "type": "EVIDENCE",
                "icon": "openquote",
                "description": "Cite evidence",
                "chooserUrls": {"evidenceChooser": reverse_lazy("evidence_chooser:choose")},
            },
            # The generic chooser modal's onload handlers (window.CHOOSER_MODAL_ONLOAD_HANDLERS),
            # loaded by Wagtail only where a chooser widget is on the page.
            js=[
                versioned_static("wagtailadmin/js/chooser-modal.js"),
                "briefs/js/evidence-citation.js",
            ],
            css={"all": ["briefs/css/editor.css"]},
        ),
    )
    features.register_converter_rule("contentstate", "evidence", ContentstateEvidenceConversionRule)


@hooks.register("register_admin_viewset")
def register_brief_page_views():
    """The brief's own edit view (admin_views.BriefEditView) in place of Wagtail's."""
    from .admin_views import BriefPageViewSet

    return BriefPageViewSet("brief_pages")
