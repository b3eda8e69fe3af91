"""StreamField blocks that choose evidence, for the brief editor."""

from .choosers import evidence_chooser_viewset

EvidenceChooserBlock = evidence_chooser_viewset.get_block_class(
    name="EvidenceChooserBlock", module_path="evidence.blocks"
)
