"""The Evidence admin as analysts use it: the listing opens each item, a quote already held as
evidence for the same passage is not duplicated silently, and rejecting evidence a live brief
cites names those briefs first."""

import pytest
from django.urls import reverse

from evidence import testing

pytestmark = pytest.mark.django_db

PAGES = [
    "Chinese investment in Kazakhstan reached 19.2 billion dollars by 2017. "
    "Most of it went into oil, gas and transport. ",
    "Surveys show that 58 percent of respondents view the Khorgos hub favourably. ",
]
QUOTE = "Chinese investment in Kazakhstan reached 19.2 billion dollars by 2017."
OTHER = "58 percent of respondents view the Khorgos hub favourably."

LIST_URL = reverse("wagtailsnippets_evidence_evidence:list")
ADD_URL = reverse("wagtailsnippets_evidence_evidence:add")


def edit_url(evidence):
    return reverse("wagtailsnippets_evidence_evidence:edit", args=[evidence.pk])


@pytest.fixture
def source(db):
    return testing.make_source("Kazakhstan survey", PAGES)


def test_listing_rows_link_to_their_edit_view_with_actions(admin_client, source):
    rows = [testing.make_evidence(source, QUOTE), testing.make_evidence(source, OTHER)]
    html = admin_client.get(LIST_URL).content.decode()
    for evidence in rows:
        assert f'href="{edit_url(evidence)}"' in html
    # The row's actions menu (Edit, Delete …), as on the Sources listing.
    assert html.count('data-controller="w-dropdown"') >= len(rows)
    assert reverse("wagtailsnippets_evidence_evidence:delete", args=[rows[0].pk]) in html
    assert "Display quote" not in html and "Quote" in html
    for evidence in rows:  # bulk selection is still there
        assert f'data-object-id="{evidence.pk}" data-bulk-action-checkbox' in html
