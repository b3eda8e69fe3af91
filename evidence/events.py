"""Signals other apps listen to (kept apart from ``signals.py``, whose receivers import the
services that send these)."""

from django.dispatch import Signal

# Sent after evidence changed in bulk (review status, re-anchoring) with ``ids``: the evidence
# concerned. Single saves and deletions send Django's own post_save / post_delete.
evidence_changed = Signal()
