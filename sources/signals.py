from django.dispatch import Signal

# Sent inside the transaction that makes ``new`` (a SourceText) the current text of ``source``;
# ``old`` is the text it replaces, or None for a first ingestion. Evidence re-anchors on it.
source_text_changed = Signal()
