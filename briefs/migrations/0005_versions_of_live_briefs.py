"""Briefs already live before versions existed: their live revision is version 1."""

from django.db import migrations
from django.utils import timezone


def first_versions(apps, schema_editor):
    BriefPage = apps.get_model("briefs", "BriefPage")
    BriefVersion = apps.get_model("briefs", "BriefVersion")
    for page in BriefPage.objects.filter(live=True).exclude(live_revision=None):
        if not BriefVersion.objects.filter(page_id=page.pk).exists():
            BriefVersion.objects.create(
                page_id=page.pk,
                revision_id=page.live_revision_id,
                number=1,
                published_at=page.last_published_at or page.first_published_at or timezone.now(),
            )


class Migration(migrations.Migration):
    dependencies = [("briefs", "0004_brief_versions_and_notices")]

    operations = [migrations.RunPython(first_versions, migrations.RunPython.noop)]
