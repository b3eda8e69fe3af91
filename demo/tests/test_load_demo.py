"""`manage.py load_demo`: idempotent, and demo accounts only in demo mode."""

import io

import pytest
from django.core.management import call_command

from sources.models import Source

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)
    sources = {s.title: s for s in Source.objects.all()}
    assert len(sources) == 2
    kazakhstan = sources["China's Image in Kazakhstan"]
    trade = sources["China's Soft Power and Digital Trade"]
    assert kazakhstan.status == trade.status == Source.Status.READY
    assert kazakhstan.page_count == 16
    assert trade.page_count == 14
    assert kazakhstan.current_text.references.count() == 69
    assert kazakhstan.texts.count() == 1
    assert kazakhstan.authors.first().name == "Davarinou, Polyxeni"
    assert {c.iso_code for c in kazakhstan.countries.all()} == {"KZ", "CN"}
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=["analyst", "reviewer", "editor", "admin"])
    assert users.count() == 4
    assert get_user_model().objects.get(username="analyst").check_password("analyst-demo-2026")


def test_load_demo_without_demo_mode_creates_no_accounts(settings):
    settings.BRIEFDESK_DEMO_MODE = False
    call_command("load_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="analyst").exists()
    assert Source.objects.count() == 2
