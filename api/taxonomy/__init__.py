"""The taxonomy part of the public REST API (mounted by api/urls.py)."""
