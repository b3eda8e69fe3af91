"""Wagtail's page view routed with one query less (briefs/routing.py), under Wagtail's own URL
name; config/urls.py includes it by name, before Wagtail's URLs."""

from django.urls import re_path
from wagtail import urls as wagtail_urls

from . import routing

urlpatterns = [re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve")]
