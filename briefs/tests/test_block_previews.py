"""Every block of a brief's body has a preview in the block picker, and the preview renders."""

import pytest
from django.urls import reverse

from briefs.models import BriefPage

pytestmark = pytest.mark.django_db

BODY_BLOCKS = BriefPage._meta.get_field("body").stream_block.child_blocks


@pytest.mark.parametrize("name", list(BODY_BLOCKS))
def test_every_body_block_has_a_preview_that_renders(admin_client, corpus, name):
    block = BODY_BLOCKS[name]
    assert block.is_previewable, f"the {name} block has no preview in the block picker"
    response = admin_client.get(
        reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "briefs/css/site.css" in html  # the site's preview template


def test_table_preview_shows_its_sample_table(admin_client):
    block = BODY_BLOCKS["table"]
    html = admin_client.get(
        reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
    ).content.decode()
    assert "<caption>Chinese investment in Kazakhstan</caption>" in html
    assert '<th scope="col">Year</th>' in html
