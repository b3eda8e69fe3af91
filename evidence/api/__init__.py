"""The evidence part of the public REST API (mounted by config/api.py)."""
